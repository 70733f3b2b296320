//! Fluxo's built-ins as data: the card catalogue, the ERP capability matrix, built-in
//! variables, input validators and the default legal texts.
//!
//! Everything here is plain data and pure functions. The checker, the Opa JSON frontend,
//! the docs and the runtime all read these one definitions instead of keeping their own.

pub mod builtins;
pub mod catalogue;
pub mod docs;
pub mod erp;
pub mod types;
pub mod validate;

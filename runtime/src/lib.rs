//! Fluxo runtime.
pub mod erp;
pub mod lowcode;

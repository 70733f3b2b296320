//! Fluxo runtime.
pub mod erp;
pub mod intent;
pub mod lowcode;

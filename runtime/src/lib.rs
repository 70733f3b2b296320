//! Fluxo runtime.
pub mod bytecode;
pub mod erp;
pub mod intent;
pub mod lowcode;

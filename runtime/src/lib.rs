//! Fluxo runtime.
pub mod bytecode;
pub mod clock;
pub mod erp;
pub mod intent;
pub mod lowcode;
pub mod session;
pub mod vm;

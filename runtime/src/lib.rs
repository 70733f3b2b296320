//! Fluxo runtime.
pub mod lowcode;

//! Fluxo compiler.

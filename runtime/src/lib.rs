//! Fluxo runtime.

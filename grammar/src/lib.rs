//! Fluxo grammar.

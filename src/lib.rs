//! The library half of the `fluxo` package: loading programs from disk as the CLI
//! does, so that the binary, the integration tests and the benches share one way of
//! finding `.flow` files and the Low Code scripts they name.

pub mod files;

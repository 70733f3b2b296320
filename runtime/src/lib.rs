//! Fluxo's runtime: what a deployment needs to run compiled programs, and nothing
//! more. The bytecode (`.fxb`: encode, decode and verify, disassemble), the VM that
//! runs a conversation from one wait to the next, sessions and their snapshots, the
//! clock, and the vocabulary of host calls (`erp`, and `session::HostCall`).
//!
//! It is pure: no I/O, no async runtime, no HTTP, no script engine. What answers a
//! host call is `fluxo-host`; what produces a program is `fluxo-compiler`. Neither is
//! a dependency, so a server, a language server or a browser build can run `.fxb`
//! files with this crate alone.

// A panic in a core crate is a crash on a customer's message: errors are handled,
// never unwrapped (tests/tidy.rs checks the same without clippy).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod bytecode;
pub mod clock;
pub mod erp;
mod error;
pub mod session;
mod value;
pub mod vm;

pub use error::RuntimeError;
pub use value::{money_text, number_text, Value};

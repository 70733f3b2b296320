//! Fluxo's host: what answers the runtime's host calls. The runtime's VM is pure and
//! synchronous; when a conversation waits on an ERP request, a Low Code script or the
//! AI, it yields a `HostCall`, and this crate executes it and resumes the session.
//!
//! - `driver`: the async driver (tokio) that runs many conversations, executes their
//!   host calls and delivers their outputs;
//! - `erp`: the ERP adapters (HTTP clients with reqwest, a generic HTTP adapter, the
//!   simulated ERP) and their resilience wrapper;
//! - `lowcode`: running Low Code scripts in a sandbox with limits, HTTP and HTML;
//! - `intent`: classifying a customer's text into a card's intents (offline or AI);
//! - `transcript`: how outputs and host calls read as `.chat` lines.
//!
//! It depends on the runtime for the vocabulary of host calls and never on the
//! compiler: a deployment runs `.fxb` files.

// A panic in a core crate is a crash on a customer's message: errors are handled,
// never unwrapped (tests/tidy.rs checks the same without clippy).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod driver;
pub mod erp;
pub mod intent;
pub mod lowcode;
pub mod transcript;

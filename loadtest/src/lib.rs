//! `fluxo-loadtest`: what proves `fluxo serve` keeps its promises, driving the real
//! binary from outside through the contract of SERVER.md §6 only.
//!
//! - `script`: the conversations (inputs of examples/provedor's transcripts, random walks
//!   through its menus, seeded), each with its own customers (`fixture`);
//! - `oracle`: what the offline engine (`fluxo run`, piped) prints for the same inputs,
//!   and the verdict on a transcript the server gave;
//! - `server`: starting, killing (SIGKILL) and restarting `fluxo serve`;
//! - `client`: the generic channel API over HTTP;
//! - `crash` and `load`: the two commands; `baseline`: what `load` compares against.

// Nothing a server answers may panic the harness: its failures are findings.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod baseline;
pub mod client;
pub mod crash;
pub mod fixture;
pub mod load;
pub mod oracle;
pub mod rng;
pub mod script;
pub mod server;

/// Errors are sentences for the engineer running the command.
pub type Result<T> = std::result::Result<T, String>;

/// The runtime of the commands' HTTP side: two workers, the machine's cores.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start tokio: {err}"))
}

//! Conversations outside a deployment: the `.chat` transcript format (`format`), the
//! offline host that answers host calls (`host`), and setting a conversation up from
//! headers or flags (`setup`). `fluxo test` and `fluxo run` are built on these.

pub mod diff;
pub mod format;
pub mod host;
pub mod setup;

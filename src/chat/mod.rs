//! Conversations outside a deployment: the `.chat` transcript format (`format`), the
//! offline host that answers host calls (`host`), setting a conversation up from
//! headers or flags (`setup`), showing it on a terminal (`terminal`), writing a
//! session as a transcript (`record`) and comparing transcripts (`diff`).
//! `fluxo test` and `fluxo run` are built on these.

pub mod diff;
pub mod format;
pub mod host;
pub mod record;
pub mod setup;
pub mod terminal;

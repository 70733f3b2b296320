//! The PostgreSQL schema as numbered migrations, applied at start. Each process that
//! starts takes one advisory lock for the time it migrates, so processes that start
//! together apply each migration once; the `fluxo_migrations` table records which ran.
//! A migration is never edited once released: a change is a new entry at the end.
//! A database a newer fluxo migrated (a version past the last one here) is refused
//! before anything is written: this binary does not know what those versions changed.

use tokio_postgres::Client;

use super::err;
use crate::store::{StoreError, StoreResult};

/// The advisory lock key of migrating (any constant no other code of ours uses).
const MIGRATION_LOCK: i64 = 0x666c_7578_6f5f_6d67;

/// The table of the migrations applied, made when absent.
pub(super) const VERSIONS: &str = "CREATE TABLE IF NOT EXISTS fluxo_migrations (
    version INTEGER PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now())";

/// The migrations, in order; the version of each is its position plus one.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE programs (
    hash TEXT PRIMARY KEY, bytes BYTEA NOT NULL, stored BIGINT NOT NULL, n BIGSERIAL NOT NULL);
CREATE TABLE conversations (
    key TEXT PRIMARY KEY, program TEXT NOT NULL, status TEXT NOT NULL, version BIGINT NOT NULL,
    snapshot BYTEA NOT NULL, contact TEXT NOT NULL, channel TEXT NOT NULL,
    opened_clock BIGINT NOT NULL, opened BIGINT NOT NULL, updated BIGINT NOT NULL,
    ending TEXT NOT NULL, pending_call TEXT);
CREATE INDEX conversations_contact ON conversations(contact);
CREATE INDEX conversations_status ON conversations(status, updated);
CREATE TABLE inbox (
    seq BIGSERIAL PRIMARY KEY, conversation TEXT NOT NULL, message_id TEXT NOT NULL,
    body TEXT NOT NULL, received BIGINT NOT NULL, reply TEXT,
    UNIQUE (conversation, message_id));
CREATE INDEX inbox_pending ON inbox(conversation, seq) WHERE reply IS NULL;
CREATE TABLE transcript (
    conversation TEXT NOT NULL, n BIGINT NOT NULL, line TEXT NOT NULL,
    PRIMARY KEY (conversation, n));
CREATE TABLE timers (
    conversation TEXT NOT NULL, kind TEXT NOT NULL, version BIGINT NOT NULL, due BIGINT NOT NULL,
    PRIMARY KEY (conversation, kind));
CREATE INDEX timers_due ON timers(due);
CREATE TABLE journal (
    id BIGSERIAL PRIMARY KEY, conversation TEXT NOT NULL, call TEXT NOT NULL, result TEXT);
CREATE INDEX journal_conversation ON journal(conversation, id);
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY, conversation TEXT NOT NULL, n BIGINT NOT NULL,
    payload TEXT NOT NULL, state TEXT NOT NULL, attempts BIGINT NOT NULL, next BIGINT NOT NULL,
    error TEXT NOT NULL, leased_until BIGINT NOT NULL DEFAULT 0);
CREATE INDEX outbox_pending ON outbox(conversation, id) WHERE state = 'pending';
CREATE TABLE contacts (
    key TEXT PRIMARY KEY, opted_out BOOLEAN NOT NULL, accounts TEXT NOT NULL);
",
    "
ALTER TABLE contacts ADD COLUMN last_wrote BIGINT;
",
    "
CREATE TABLE stats (
    at BIGINT NOT NULL, conversation TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
    detail TEXT NOT NULL, value BIGINT NOT NULL);
CREATE INDEX stats_at ON stats(at);
CREATE INDEX stats_conversation ON stats(conversation);
",
];

/// Brings the schema of `client`'s search path up to date; `shown` names the database
/// in messages.
pub async fn migrate(client: &mut Client, shown: &str) -> StoreResult<()> {
    let failed = |e| StoreError(format!("migrating {shown}: {}", err(e).0));
    let tx = client.transaction().await.map_err(failed)?;
    // Held to the end of the transaction: a second process starting now waits here,
    // then finds the migrations applied.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(failed)?;
    tx.batch_execute(VERSIONS).await.map_err(failed)?;
    let done: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM fluxo_migrations",
            &[],
        )
        .await
        .map_err(failed)?
        .get(0);
    let known = MIGRATIONS.len();
    if usize::try_from(done).is_ok_and(|done| done > known) {
        // Dropping the transaction rolls it back: nothing of this start is written.
        return Err(StoreError(format!(
            "{shown}: the database's schema is at version {done}, but this fluxo knows \
             versions up to {known} only: a newer fluxo migrated it. Run that version \
             of fluxo (or a newer one) on this database"
        )));
    }
    for (version, sql) in (1..).zip(MIGRATIONS) {
        if version <= done {
            continue;
        }
        tx.batch_execute(sql).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO fluxo_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await
        .map_err(failed)?;
    }
    tx.commit().await.map_err(failed)
}

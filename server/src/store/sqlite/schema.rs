//! The SQLite store's tables, and the columns added since the first schema, added to
//! a file made before them when it is opened. The file's `user_version` says which
//! schema it has: a file a newer fluxo changed is refused before anything is written,
//! since this binary does not know what that version changed.

use std::path::Path;

use rusqlite::{params, Connection};

use crate::store::{StoreError, StoreResult};

/// The version of the schema below: one more with every change to it (a table, an
/// index, an added column). 1 is every file made before versions were recorded.
const VERSION: i64 = 1;

/// Refuses the file at `path` when a newer fluxo changed its schema. Run before
/// anything else touches the file (even switching it to WAL mode writes to it).
pub(super) fn check(conn: &Connection, path: &Path) -> StoreResult<()> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| StoreError(format!("{}: {e}", path.display())))?;
    if found > VERSION {
        return Err(StoreError(format!(
            "{}: the store's schema is at version {found}, but this fluxo knows versions \
             up to {VERSION} only: a newer fluxo changed it. Run that version of fluxo \
             (or a newer one) on this data",
            path.display()
        )));
    }
    Ok(())
}

/// Creates what is missing (tables, indexes, added columns) and records the version.
pub(super) fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    add_columns(conn)?;
    conn.execute_batch(&format!("PRAGMA user_version = {VERSION}"))
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS programs (
    hash TEXT PRIMARY KEY, bytes BLOB NOT NULL, stored INTEGER NOT NULL, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    key TEXT PRIMARY KEY, program TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL,
    snapshot BLOB NOT NULL, contact TEXT NOT NULL, channel TEXT NOT NULL,
    opened_clock INTEGER NOT NULL, opened INTEGER NOT NULL, updated INTEGER NOT NULL,
    ending TEXT NOT NULL, pending_call TEXT);
CREATE INDEX IF NOT EXISTS conversations_contact ON conversations(contact);
CREATE INDEX IF NOT EXISTS conversations_status ON conversations(status, updated);
CREATE TABLE IF NOT EXISTS inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation TEXT NOT NULL, message_id TEXT NOT NULL,
    body TEXT NOT NULL, received INTEGER NOT NULL, reply TEXT,
    UNIQUE (conversation, message_id));
CREATE INDEX IF NOT EXISTS inbox_pending ON inbox(conversation, seq) WHERE reply IS NULL;
CREATE TABLE IF NOT EXISTS transcript (
    conversation TEXT NOT NULL, n INTEGER NOT NULL, line TEXT NOT NULL,
    PRIMARY KEY (conversation, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS timers (
    conversation TEXT NOT NULL, kind TEXT NOT NULL, version INTEGER NOT NULL, due INTEGER NOT NULL,
    PRIMARY KEY (conversation, kind));
CREATE INDEX IF NOT EXISTS timers_due ON timers(due);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, conversation TEXT NOT NULL, call TEXT NOT NULL,
    result TEXT);
CREATE INDEX IF NOT EXISTS journal_conversation ON journal(conversation, id);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, conversation TEXT NOT NULL, n INTEGER NOT NULL,
    payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, next INTEGER NOT NULL,
    error TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(conversation, id) WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS contacts (
    key TEXT PRIMARY KEY, opted_out INTEGER NOT NULL, accounts TEXT NOT NULL,
    last_wrote INTEGER);
CREATE TABLE IF NOT EXISTS stats (
    at INTEGER NOT NULL, conversation TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
    detail TEXT NOT NULL, value INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS stats_at ON stats(at);
CREATE INDEX IF NOT EXISTS stats_conversation ON stats(conversation);
";

/// Columns added since the first schema, added to a store made before them.
const ADDED: &[(&str, &str, &str)] = &[("contacts", "last_wrote", "INTEGER")];

fn add_columns(conn: &Connection) -> rusqlite::Result<()> {
    for (table, column, kind) in ADDED {
        let has: bool = conn.query_row(
            &format!("SELECT count(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
            params![column],
            |row| row.get(0),
        )?;
        if !has {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_made_before_a_column_gets_it() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE contacts (key TEXT PRIMARY KEY, opted_out INTEGER NOT NULL, \
             accounts TEXT NOT NULL); INSERT INTO contacts VALUES ('+55', 1, '[]');",
        )
        .unwrap();
        create(&conn).unwrap();
        create(&conn).unwrap();
        let row: (bool, Option<i64>) = conn
            .query_row(
                "SELECT opted_out, last_wrote FROM contacts WHERE key = '+55'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(row, (true, None));
    }
}

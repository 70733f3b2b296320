//! The embedded store: one SQLite file in the data folder, in WAL mode with
//! `synchronous=FULL`, so a commit is on disk (the WAL fsynced) before it returns:
//! an acknowledged message survives a crash of the process and of the machine.
//!
//! Writes go through one connection, reads through another (WAL lets readers run
//! beside the writer). A batch of writes is one transaction: the server's committer
//! gathers what arrives within a few milliseconds, so many messages share one fsync.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

mod schema;

use super::{
    Contact, ContactChange, Conversation, DueTimer, InboxEntry, Journal, Millis, NewMessage,
    OutboxItem, Outcome, Status, Store, StoreError, StoreResult, Summary, TimerKind, TurnCommit,
    Write,
};

/// The SQLite store of one data folder.
pub struct SqliteStore {
    write: Mutex<Connection>,
    read: Mutex<Connection>,
}

fn err(error: rusqlite::Error) -> StoreError {
    StoreError(error.to_string())
}

fn open(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open(path)
        .map_err(|e| StoreError(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(err)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError(format!(
            "{} cannot use WAL mode (it is in {mode} mode)",
            path.display()
        )));
    }
    conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;")
        .map_err(err)?;
    Ok(conn)
}

fn hex(hash: u64) -> String {
    format!("{hash:016x}")
}

fn unhex(text: &str) -> StoreResult<u64> {
    u64::from_str_radix(text, 16).map_err(|_| StoreError(format!("a bad program hash `{text}`")))
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic never happens with the connection locked mid-transaction in a way that
    // matters: SQLite rolls an unfinished transaction back when it is dropped.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SqliteStore {
    /// Opens (creating when absent) the store at `path`, a file.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let write = open(path)?;
        schema::create(&write).map_err(err)?;
        let read = open(path)?;
        Ok(SqliteStore {
            write: Mutex::new(write),
            read: Mutex::new(read),
        })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        f(&lock(&self.read)).map_err(err)
    }
}

fn message(tx: &Transaction, message: &NewMessage) -> rusqlite::Result<Outcome> {
    let existing: Option<i64> = tx
        .prepare_cached("SELECT seq FROM inbox WHERE conversation = ?1 AND message_id = ?2")?
        .query_row(params![message.conversation, message.message_id], |row| {
            row.get(0)
        })
        .optional()?;
    if let Some(seq) = existing {
        return Ok(Outcome::Duplicate { seq });
    }
    tx.prepare_cached(
        "INSERT INTO inbox (conversation, message_id, body, received) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        message.conversation,
        message.message_id,
        message.body,
        message.received
    ])?;
    Ok(Outcome::Stored {
        seq: tx.last_insert_rowid(),
    })
}

fn turn(tx: &Transaction, turn: &TurnCommit) -> rusqlite::Result<()> {
    let c = &turn.conversation;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO conversations (key, program, status, version, snapshot, contact,
         channel, opened_clock, opened, updated, ending, pending_call)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        c.key,
        hex(c.program),
        c.status.name(),
        c.version,
        c.snapshot,
        c.contact,
        c.channel,
        c.opened_clock,
        c.opened,
        c.updated,
        c.ending,
        c.pending_call
    ])?;
    for (seq, reply) in &turn.handled {
        tx.prepare_cached("UPDATE inbox SET reply = ?2 WHERE seq = ?1")?
            .execute(params![seq, reply])?;
    }
    if !turn.transcript.is_empty() {
        let mut n: i64 = tx
            .prepare_cached("SELECT COALESCE(MAX(n), 0) FROM transcript WHERE conversation = ?1")?
            .query_row(params![c.key], |row| row.get(0))?;
        let mut insert = tx
            .prepare_cached("INSERT INTO transcript (conversation, n, line) VALUES (?1, ?2, ?3)")?;
        for line in &turn.transcript {
            n += 1;
            insert.execute(params![c.key, n, line])?;
        }
    }
    if !turn.outbox.is_empty() {
        let mut n: i64 = tx
            .prepare_cached("SELECT COALESCE(MAX(n), 0) FROM outbox WHERE conversation = ?1")?
            .query_row(params![c.key], |row| row.get(0))?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO outbox (conversation, n, payload, state, attempts, next, error)
             VALUES (?1, ?2, ?3, 'pending', 0, ?4, '')",
        )?;
        for payload in &turn.outbox {
            n += 1;
            insert.execute(params![c.key, n, payload, c.updated])?;
        }
    }
    match &turn.timers {
        None => {
            tx.prepare_cached("UPDATE timers SET version = ?2 WHERE conversation = ?1")?
                .execute(params![c.key, c.version])?;
        }
        Some(timers) => {
            tx.prepare_cached("DELETE FROM timers WHERE conversation = ?1")?
                .execute(params![c.key])?;
            for timer in timers {
                tx.prepare_cached(
                    "INSERT INTO timers (conversation, kind, version, due) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    c.key,
                    timer.kind.name(),
                    c.version,
                    timer.due
                ])?;
            }
        }
    }
    for record in &turn.journal {
        match record {
            Journal::Begin { call } => {
                tx.prepare_cached("INSERT INTO journal (conversation, call) VALUES (?1, ?2)")?
                    .execute(params![c.key, call])?;
            }
            Journal::Finish { result } => {
                tx.prepare_cached(
                    "UPDATE journal SET result = ?2 WHERE id =
                     (SELECT MAX(id) FROM journal WHERE conversation = ?1) AND result IS NULL",
                )?
                .execute(params![c.key, result])?;
            }
        }
    }
    for change in &turn.contact {
        contact_change(tx, &c.contact, change)?;
    }
    Ok(())
}

fn contact_change(tx: &Transaction, key: &str, change: &ContactChange) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO contacts (key, opted_out, accounts) VALUES (?1, 0, '[]')",
    )?
    .execute(params![key])?;
    match change {
        ContactChange::OptOut | ContactChange::OptIn => {
            let out = matches!(change, ContactChange::OptOut);
            tx.prepare_cached("UPDATE contacts SET opted_out = ?2 WHERE key = ?1")?
                .execute(params![key, out])?;
        }
        ContactChange::Link {
            customer_id,
            account,
        } => {
            let accounts: String = tx
                .prepare_cached("SELECT accounts FROM contacts WHERE key = ?1")?
                .query_row(params![key], |row| row.get(0))?;
            let text = super::linked(&accounts, customer_id, account);
            tx.prepare_cached("UPDATE contacts SET accounts = ?2 WHERE key = ?1")?
                .execute(params![key, text])?;
        }
        ContactChange::Wrote { at } => {
            tx.prepare_cached(
                "UPDATE contacts SET last_wrote = max(coalesce(last_wrote, ?2), ?2) WHERE key = ?1",
            )?
            .execute(params![key, at])?;
        }
    }
    Ok(())
}

fn apply(tx: &Transaction, write: &Write) -> rusqlite::Result<Outcome> {
    match write {
        Write::Message(new) => return message(tx, new),
        Write::Turn(commit) => turn(tx, commit)?,
        Write::Program { hash, bytes, at } => {
            let n: i64 = tx
                .prepare_cached("SELECT COALESCE(MAX(n), 0) + 1 FROM programs")?
                .query_row([], |row| row.get(0))?;
            // Publishing a stored program again makes it the newest again.
            tx.prepare_cached(
                "INSERT INTO programs (hash, bytes, stored, n) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (hash) DO UPDATE SET n = excluded.n",
            )?
            .execute(params![hex(*hash), bytes, at, n])?;
        }
        Write::Delivered { id } => {
            tx.prepare_cached("UPDATE outbox SET state = 'delivered' WHERE id = ?1")?
                .execute(params![id])?;
        }
        Write::Retry { id, next, error } => {
            tx.prepare_cached(
                "UPDATE outbox SET attempts = attempts + 1, next = ?2, error = ?3 WHERE id = ?1",
            )?
            .execute(params![id, next, error])?;
        }
    }
    Ok(Outcome::Done)
}

fn conversation_row(row: &rusqlite::Row) -> rusqlite::Result<(Conversation, String, String)> {
    Ok((
        Conversation {
            key: row.get(0)?,
            program: 0,
            status: Status::Failed,
            version: row.get(3)?,
            snapshot: row.get(4)?,
            contact: row.get(5)?,
            channel: row.get(6)?,
            opened_clock: row.get(7)?,
            opened: row.get(8)?,
            updated: row.get(9)?,
            ending: row.get(10)?,
            pending_call: row.get(11)?,
        },
        row.get(1)?,
        row.get(2)?,
    ))
}

fn status(name: &str) -> StoreResult<Status> {
    Status::from_name(name).ok_or_else(|| StoreError(format!("a bad status `{name}`")))
}

/// Deletes every row of the conversations `filter` selects (an SQL condition on
/// `conversations`, with one parameter), in every table.
fn delete_conversations(
    tx: &Transaction,
    filter: &str,
    arg: &dyn rusqlite::ToSql,
) -> rusqlite::Result<u64> {
    let keys: Vec<String> = tx
        .prepare(&format!("SELECT key FROM conversations WHERE {filter}"))?
        .query_map([arg], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for key in &keys {
        for table in ["inbox", "transcript", "timers", "journal", "outbox"] {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE conversation = ?1"))?
                .execute(params![key])?;
        }
        tx.prepare_cached("DELETE FROM conversations WHERE key = ?1")?
            .execute(params![key])?;
    }
    Ok(keys.len() as u64)
}

impl Store for SqliteStore {
    fn commit(&self, writes: &[Write]) -> StoreResult<Vec<Outcome>> {
        let mut conn = lock(&self.write);
        let tx = conn.transaction().map_err(err)?;
        let outcomes = writes
            .iter()
            .map(|write| apply(&tx, write))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(outcomes)
    }

    fn conversation(&self, key: &str) -> StoreResult<Option<Conversation>> {
        let found = self.read(|conn| {
            conn.prepare_cached(
                "SELECT key, program, status, version, snapshot, contact, channel, opened_clock,
                 opened, updated, ending, pending_call FROM conversations WHERE key = ?1",
            )?
            .query_row(params![key], conversation_row)
            .optional()
        })?;
        found
            .map(|(mut conversation, program, state)| {
                conversation.program = unhex(&program)?;
                conversation.status = status(&state)?;
                Ok(conversation)
            })
            .transpose()
    }

    fn pending(&self, key: &str) -> StoreResult<Vec<InboxEntry>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT seq, message_id, body, reply FROM inbox
                 WHERE conversation = ?1 AND reply IS NULL ORDER BY seq",
            )?
            .query_map(params![key], inbox_entry)?
            .collect()
        })
    }

    fn message(&self, key: &str, message_id: &str) -> StoreResult<Option<InboxEntry>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT seq, message_id, body, reply FROM inbox
                 WHERE conversation = ?1 AND message_id = ?2",
            )?
            .query_row(params![key, message_id], inbox_entry)
            .optional()
        })
    }

    fn transcript(&self, key: &str) -> StoreResult<Vec<String>> {
        self.read(|conn| {
            conn.prepare_cached("SELECT line FROM transcript WHERE conversation = ?1 ORDER BY n")?
                .query_map(params![key], |row| row.get(0))?
                .collect()
        })
    }

    fn due_timers(&self, now: Millis, limit: usize) -> StoreResult<Vec<DueTimer>> {
        let rows: Vec<(String, String, i64, i64)> = self.read(|conn| {
            conn.prepare_cached(
                "SELECT conversation, kind, version, due FROM timers WHERE due <= ?1
                 ORDER BY due LIMIT ?2",
            )?
            .query_map(params![now, limit as i64], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
            .collect()
        })?;
        rows.into_iter()
            .map(|(conversation, kind, version, due)| {
                let kind = TimerKind::from_name(&kind)
                    .ok_or_else(|| StoreError(format!("a bad timer kind `{kind}`")))?;
                Ok(DueTimer {
                    conversation,
                    kind,
                    version,
                    due,
                })
            })
            .collect()
    }

    fn next_timer(&self) -> StoreResult<Option<Millis>> {
        self.read(|conn| conn.query_row("SELECT MIN(due) FROM timers", [], |row| row.get(0)))
    }

    fn outbox_due(&self, now: Millis, limit: usize) -> StoreResult<Vec<OutboxItem>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT o.id, o.conversation, o.n, o.payload, o.attempts FROM outbox o
                 JOIN (SELECT conversation, MIN(id) AS id FROM outbox WHERE state = 'pending'
                       GROUP BY conversation) f ON f.id = o.id
                 WHERE o.next <= ?1 ORDER BY o.id LIMIT ?2",
            )?
            .query_map(params![now, limit as i64], |row| {
                let conversation: String = row.get(1)?;
                let n: i64 = row.get(2)?;
                Ok(OutboxItem {
                    id: row.get(0)?,
                    idempotency_key: format!("{conversation}/{n}"),
                    conversation,
                    payload: row.get(3)?,
                    attempts: row.get(4)?,
                })
            })?
            .collect()
        })
    }

    fn with_work(&self) -> StoreResult<Vec<String>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT DISTINCT conversation FROM inbox WHERE reply IS NULL
                 UNION SELECT key FROM conversations WHERE status = 'write'",
            )?
            .query_map([], |row| row.get(0))?
            .collect()
        })
    }

    fn program(&self, hash: u64) -> StoreResult<Option<Vec<u8>>> {
        self.read(|conn| {
            conn.prepare_cached("SELECT bytes FROM programs WHERE hash = ?1")?
                .query_row(params![hex(hash)], |row| row.get(0))
                .optional()
        })
    }

    fn newest_program(&self) -> StoreResult<Option<(u64, Vec<u8>)>> {
        let found: Option<(String, Vec<u8>)> = self.read(|conn| {
            conn.prepare_cached("SELECT hash, bytes FROM programs ORDER BY n DESC LIMIT 1")?
                .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })?;
        found
            .map(|(hash, bytes)| Ok((unhex(&hash)?, bytes)))
            .transpose()
    }

    fn conversations(
        &self,
        status_filter: Option<Status>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Summary>> {
        let rows: Vec<(String, String, String, String, String, i64)> = self.read(|conn| {
            conn.prepare_cached(
                "SELECT key, status, program, contact, channel, updated FROM conversations
                 WHERE key > ?1 AND (?2 IS NULL OR status = ?2) ORDER BY key LIMIT ?3",
            )?
            .query_map(
                params![
                    after.unwrap_or(""),
                    status_filter.map(Status::name),
                    limit as i64
                ],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                },
            )?
            .collect()
        })?;
        rows.into_iter()
            .map(|(key, state, program, contact, channel, updated)| {
                Ok(Summary {
                    key,
                    status: status(&state)?,
                    program: unhex(&program)?,
                    contact,
                    channel,
                    updated,
                })
            })
            .collect()
    }

    fn waiting(&self) -> StoreResult<u64> {
        self.read(|conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM conversations WHERE status IN ('customer', 'timer', 'write')",
                [],
                |row| row.get::<_, i64>(0),
            )
        })
        .map(|n| n.max(0) as u64)
    }

    fn contact(&self, key: &str) -> StoreResult<Option<Contact>> {
        let found: Option<(bool, String, Option<Millis>)> = self.read(|conn| {
            conn.prepare_cached(
                "SELECT opted_out, accounts, last_wrote FROM contacts WHERE key = ?1",
            )?
            .query_row(params![key], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()
        })?;
        Ok(found.map(|(opted_out, accounts, last_wrote)| Contact {
            key: key.to_string(),
            opted_out,
            accounts: super::accounts(&accounts),
            last_wrote,
        }))
    }

    fn erase_contact(&self, key: &str) -> StoreResult<u64> {
        let mut conn = lock(&self.write);
        let tx = conn.transaction().map_err(err)?;
        let n = delete_conversations(&tx, "contact = ?1", &key).map_err(err)?;
        tx.execute("DELETE FROM contacts WHERE key = ?1", params![key])
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(n)
    }

    fn purge_finished(&self, before: Millis) -> StoreResult<u64> {
        let mut conn = lock(&self.write);
        let tx = conn.transaction().map_err(err)?;
        let n = delete_conversations(
            &tx,
            "status IN ('done', 'failed') AND updated < ?1",
            &before,
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(n)
    }

    fn journal(&self, key: &str) -> StoreResult<Vec<(String, Option<String>)>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT call, result FROM journal WHERE conversation = ?1 ORDER BY id",
            )?
            .query_map(params![key], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect()
        })
    }
}

fn inbox_entry(row: &rusqlite::Row) -> rusqlite::Result<InboxEntry> {
    Ok(InboxEntry {
        seq: row.get(0)?,
        message_id: row.get(1)?,
        body: row.get(2)?,
        reply: row.get(3)?,
    })
}

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
mod write;
use write::apply;

use super::{
    deletes, Contact, Conversation, DueTimer, InboxEntry, Keep, Millis, OutboxItem, Outcome,
    StatTotal, Status, Store, StoreError, StoreResult, Summary, TimerKind, Write,
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
    schema::check(&conn, path)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError(format!(
            "{} cannot use WAL mode (it is in {mode} mode)",
            path.display()
        )));
    }
    // `secure_delete` zeroes what a delete frees, so an erased contact's text does not
    // linger in free pages of the file (LGPD).
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF; PRAGMA secure_delete=ON;",
    )
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
/// `conversations`, with one parameter), in every table, keeping what `keep` says.
fn delete_conversations(
    tx: &Transaction,
    filter: &str,
    arg: &dyn rusqlite::ToSql,
    keep: Keep,
) -> rusqlite::Result<u64> {
    let keys: Vec<String> = tx
        .prepare(&format!("SELECT key FROM conversations WHERE {filter}"))?
        .query_map([arg], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let statements = deletes(keep, "= ?1");
    for key in &keys {
        for statement in &statements {
            tx.prepare_cached(statement)?.execute(params![key])?;
        }
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
        let n = delete_conversations(&tx, "contact = ?1", &key, Keep::Nothing).map_err(err)?;
        tx.execute("DELETE FROM contacts WHERE key = ?1", params![key])
            .map_err(err)?;
        tx.commit().map_err(err)?;
        // The WAL still holds the pages as they were before the erase: copy the zeroed
        // pages into the file and empty the WAL.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(err)?;
        Ok(n)
    }

    fn purge_finished(&self, before: Millis) -> StoreResult<u64> {
        let mut conn = lock(&self.write);
        let tx = conn.transaction().map_err(err)?;
        let n = delete_conversations(
            &tx,
            "status IN ('done', 'failed') AND updated < ?1",
            &before,
            Keep::Figures,
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(n)
    }

    fn stats(&self, since: Millis, until: Millis) -> StoreResult<Vec<StatTotal>> {
        let rows: Vec<(String, String, String, i64, i64, i64)> = self.read(|conn| {
            conn.prepare_cached(
                "SELECT kind, subject, detail, COUNT(*), SUM(value), MAX(value) FROM stats
                 WHERE at >= ?1 AND at < ?2 GROUP BY kind, subject, detail",
            )?
            .query_map(params![since, until], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            })?
            .collect()
        })?;
        super::stat_totals(rows)
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

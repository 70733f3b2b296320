//! Applying one [`Write`] of a batch inside the batch's transaction: storing a message
//! (or finding it a duplicate), a turn with everything it changes (the conversation row,
//! replies, transcript, outbox, timers, journal, contact state, stats), a program, and a
//! delivery's outcome.

use std::sync::LazyLock;

use rusqlite::{params, params_from_iter, OptionalExtension, ToSql, Transaction};

use super::hex;
use crate::store::{turn_update, ContactChange, Journal, NewMessage, Outcome, TurnCommit, Write};

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

/// Applies a turn; `false` (and nothing written) when it ran from a stored version of
/// the conversation that is no longer there. One process runs each conversation's
/// turns in order, so the version only moves on under it when the row went: its
/// contact was erased while the turn ran, and writing would bring them back.
fn turn(tx: &Transaction, turn: &TurnCommit) -> rusqlite::Result<bool> {
    static UPDATE: LazyLock<String> = LazyLock::new(|| turn_update('?'));
    let c = &turn.conversation;
    let (program, status) = (hex(c.program), c.status.name());
    let row: [&dyn ToSql; 12] = [
        &c.key,
        &program,
        &status,
        &c.version,
        &c.snapshot,
        &c.contact,
        &c.channel,
        &c.opened_clock,
        &c.opened,
        &c.updated,
        &c.ending,
        &c.pending_call,
    ];
    let written = match turn.stored_from() {
        Some(from) => {
            let fenced = row.into_iter().chain([&from as &dyn ToSql]);
            tx.prepare_cached(&UPDATE)?
                .execute(params_from_iter(fenced))?
        }
        None => tx
            .prepare_cached(
                "INSERT OR REPLACE INTO conversations (key, program, status, version, snapshot,
                 contact, channel, opened_clock, opened, updated, ending, pending_call)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(&row[..])?,
    };
    if written == 0 {
        return Ok(false);
    }
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
    for stat in &turn.stats {
        tx.prepare_cached(
            "INSERT INTO stats (at, conversation, kind, subject, detail, value)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            c.updated,
            c.key,
            stat.kind.name(),
            stat.subject,
            stat.detail,
            stat.value
        ])?;
    }
    Ok(true)
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
            let text = crate::store::linked(&accounts, customer_id, account);
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

pub(super) fn apply(tx: &Transaction, write: &Write) -> rusqlite::Result<Outcome> {
    match write {
        Write::Message(new) => return message(tx, new),
        Write::Turn(commit) => {
            if !turn(tx, commit)? {
                return Ok(Outcome::Stale);
            }
        }
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

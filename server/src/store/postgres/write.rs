//! One batch of writes in one PostgreSQL transaction: the same effects, write for
//! write, as the SQLite store's (the conformance suite holds both to them). Every
//! statement goes through the connection's statement cache. The writes of a batch
//! are pipelined (`pipeline`), so a write's statements never depend on another's
//! answers; contact changes, which do, go after them (`contacts`). A turn that replies to
//! messages also notifies `fluxo_replies`, delivered at commit, so that a process
//! waiting for one of those replies (`?wait=true`) hears of it at once; a published
//! program notifies `fluxo_programs`. A turn is fenced by the version it ran from
//! (`TurnCommit::fence`): a stale one writes nothing and the others go on.

use std::sync::LazyLock;

use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;
use tokio_postgres::Error;

use super::hex;
use crate::store::{turn_update, ContactChange, Journal, NewMessage, Outcome, TurnCommit, Write};

pub async fn apply(tx: &Transaction<'_>, write: &Write) -> Result<Outcome, Error> {
    match write {
        Write::Message(new) => return message(tx, new).await,
        Write::Turn(commit) => {
            if !turn(tx, commit).await? {
                return Ok(Outcome::Stale);
            }
        }
        Write::Program { hash, bytes, at } => {
            // Publishing a stored program again makes it the newest again.
            let insert = tx
                .prepare_cached(
                    "INSERT INTO programs (hash, bytes, stored) VALUES ($1, $2, $3)
                     ON CONFLICT (hash) DO UPDATE
                     SET n = nextval(pg_get_serial_sequence('programs', 'n'))",
                )
                .await?;
            tx.execute(&insert, &[&hex(*hash), bytes, at]).await?;
            // Heard by every process's `listen` at commit: new conversations start on
            // it at once there (each also looks at the newest now and then).
            let notify = tx
                .prepare_cached("SELECT pg_notify('fluxo_programs.' || current_schema(), $1)")
                .await?;
            tx.execute(&notify, &[&hex(*hash)]).await?;
        }
        Write::Delivered { id } => {
            let update = tx
                .prepare_cached(
                    "UPDATE outbox SET state = 'delivered', leased_until = 0 WHERE id = $1",
                )
                .await?;
            tx.execute(&update, &[id]).await?;
        }
        Write::Retry { id, next, error } => {
            let update = tx
                .prepare_cached(
                    "UPDATE outbox SET attempts = attempts + 1, next = $2, error = $3,
                     leased_until = 0 WHERE id = $1",
                )
                .await?;
            tx.execute(&update, &[id, next, error]).await?;
        }
    }
    Ok(Outcome::Done)
}

async fn message(tx: &Transaction<'_>, message: &NewMessage) -> Result<Outcome, Error> {
    // A concurrent insert of the same id (another process) waits on the unique index
    // and then finds the row: a duplicate, never an error.
    let insert = tx
        .prepare_cached(
            "INSERT INTO inbox (conversation, message_id, body, received) VALUES ($1, $2, $3, $4)
             ON CONFLICT (conversation, message_id) DO NOTHING RETURNING seq",
        )
        .await?;
    let stored = tx
        .query_opt(
            &insert,
            &[
                &message.conversation,
                &message.message_id,
                &message.body,
                &message.received,
            ],
        )
        .await?;
    if let Some(row) = stored {
        return Ok(Outcome::Stored { seq: row.get(0) });
    }
    let find = tx
        .prepare_cached("SELECT seq FROM inbox WHERE conversation = $1 AND message_id = $2")
        .await?;
    let row = tx
        .query_one(&find, &[&message.conversation, &message.message_id])
        .await?;
    Ok(Outcome::Duplicate { seq: row.get(0) })
}

/// Applies a turn; `false` (and nothing written) when its fence fails. The row is
/// written first and its lock held to the commit, so a concurrent turn of the same
/// conversation in another process waits here, then finds the version moved on (or
/// the row gone) and writes nothing. A new conversation's first turn inserts, and two
/// processes inserting it at once meet in the `ON CONFLICT ... WHERE`, evaluated on the
/// newest committed row.
async fn turn(tx: &Transaction<'_>, turn: &TurnCommit) -> Result<bool, Error> {
    static UPDATE: LazyLock<String> = LazyLock::new(|| turn_update('$'));
    let c = &turn.conversation;
    let sql = match turn.stored_from() {
        Some(_) => UPDATE.as_str(),
        None => {
            "INSERT INTO conversations (key, program, status, version, snapshot, contact,
             channel, opened_clock, opened, updated, ending, pending_call)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (key) DO UPDATE SET program = excluded.program,
             status = excluded.status, version = excluded.version,
             snapshot = excluded.snapshot, contact = excluded.contact,
             channel = excluded.channel, opened_clock = excluded.opened_clock,
             opened = excluded.opened, updated = excluded.updated,
             ending = excluded.ending, pending_call = excluded.pending_call
             WHERE $13::BIGINT IS NULL OR conversations.version = $13"
        }
    };
    let upsert = tx.prepare_cached(sql).await?;
    let written = tx
        .execute(
            &upsert,
            &[
                &c.key,
                &hex(c.program),
                &c.status.name(),
                &c.version,
                &c.snapshot,
                &c.contact,
                &c.channel,
                &c.opened_clock,
                &c.opened,
                &c.updated,
                &c.ending,
                &c.pending_call,
                &turn.fence,
            ],
        )
        .await?;
    if written == 0 {
        return Ok(false);
    }
    if !turn.handled.is_empty() {
        let reply = tx
            .prepare_cached("UPDATE inbox SET reply = $2 WHERE seq = $1")
            .await?;
        for (seq, text) in &turn.handled {
            tx.execute(&reply, &[seq, text]).await?;
        }
        let seqs: Vec<String> = turn
            .handled
            .iter()
            .map(|(seq, _)| seq.to_string())
            .collect();
        // The channel `listen` listens on: the replied seqs, comma-separated.
        let notify = tx
            .prepare_cached("SELECT pg_notify('fluxo_replies.' || current_schema(), $1)")
            .await?;
        tx.execute(&notify, &[&seqs.join(",")]).await?;
    }
    if !turn.transcript.is_empty() {
        // Numbered after the conversation's last line, in one statement.
        let insert = tx
            .prepare_cached(
                "INSERT INTO transcript (conversation, n, line)
                 SELECT $1, COALESCE((SELECT MAX(n) FROM transcript WHERE conversation = $1), 0)
                        + t.ord, t.line
                 FROM unnest($2::text[]) WITH ORDINALITY AS t(line, ord)",
            )
            .await?;
        tx.execute(&insert, &[&c.key, &turn.transcript]).await?;
    }
    if !turn.outbox.is_empty() {
        let insert = tx
            .prepare_cached(
                "INSERT INTO outbox (conversation, n, payload, state, attempts, next, error)
                 SELECT $1, COALESCE((SELECT MAX(n) FROM outbox WHERE conversation = $1), 0)
                        + t.ord, t.payload, 'pending', 0, $3, ''
                 FROM unnest($2::text[]) WITH ORDINALITY AS t(payload, ord) ORDER BY t.ord",
            )
            .await?;
        tx.execute(&insert, &[&c.key, &turn.outbox, &c.updated])
            .await?;
    }
    match &turn.timers {
        None => {
            let rearm = tx
                .prepare_cached("UPDATE timers SET version = $2 WHERE conversation = $1")
                .await?;
            tx.execute(&rearm, &[&c.key, &c.version]).await?;
        }
        Some(timers) => {
            let drop = tx
                .prepare_cached("DELETE FROM timers WHERE conversation = $1")
                .await?;
            tx.execute(&drop, &[&c.key]).await?;
            let insert = tx
                .prepare_cached(
                    "INSERT INTO timers (conversation, kind, version, due) VALUES ($1, $2, $3, $4)",
                )
                .await?;
            for timer in timers {
                tx.execute(
                    &insert,
                    &[&c.key, &timer.kind.name(), &c.version, &timer.due],
                )
                .await?;
            }
        }
    }
    for record in &turn.journal {
        match record {
            Journal::Begin { call } => {
                let insert = tx
                    .prepare_cached("INSERT INTO journal (conversation, call) VALUES ($1, $2)")
                    .await?;
                tx.execute(&insert, &[&c.key, call]).await?;
            }
            Journal::Finish { result } => {
                let finish = tx
                    .prepare_cached(
                        "UPDATE journal SET result = $2 WHERE id =
                         (SELECT MAX(id) FROM journal WHERE conversation = $1)
                         AND result IS NULL",
                    )
                    .await?;
                tx.execute(&finish, &[&c.key, result]).await?;
            }
        }
    }
    if !turn.stats.is_empty() {
        let insert = tx
            .prepare_cached(
                "INSERT INTO stats (at, conversation, kind, subject, detail, value)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .await?;
        for stat in &turn.stats {
            let kind = stat.kind.name();
            let row: [&(dyn ToSql + Sync); 6] = [
                &c.updated,
                &c.key,
                &kind,
                &stat.subject,
                &stat.detail,
                &stat.value,
            ];
            tx.execute(&insert, &row).await?;
        }
    }
    Ok(true)
}

/// A turn's changes to its contact, unless the turn was not applied (`outcome`). Not
/// pipelined with other writes: a change reads the contact's row and writes it again,
/// and two turns of one contact may share a batch.
pub async fn contacts(
    tx: &Transaction<'_>,
    turn: &TurnCommit,
    outcome: &Outcome,
) -> Result<(), Error> {
    if *outcome == Outcome::Stale {
        return Ok(());
    }
    for change in &turn.contact {
        contact_change(tx, &turn.conversation.contact, change).await?;
    }
    Ok(())
}

async fn contact_change(
    tx: &Transaction<'_>,
    key: &str,
    change: &ContactChange,
) -> Result<(), Error> {
    let create = tx
        .prepare_cached(
            "INSERT INTO contacts (key, opted_out, accounts) VALUES ($1, false, '[]')
             ON CONFLICT (key) DO NOTHING",
        )
        .await?;
    tx.execute(&create, &[&key]).await?;
    match change {
        ContactChange::OptOut | ContactChange::OptIn => {
            let out = matches!(change, ContactChange::OptOut);
            let update = tx
                .prepare_cached("UPDATE contacts SET opted_out = $2 WHERE key = $1")
                .await?;
            tx.execute(&update, &[&key, &out]).await?;
        }
        ContactChange::Link {
            customer_id,
            account,
        } => {
            // Locks the contact's row: two processes linking accounts of one contact
            // at once apply one after the other.
            let read = tx
                .prepare_cached("SELECT accounts FROM contacts WHERE key = $1 FOR UPDATE")
                .await?;
            let accounts: String = tx.query_one(&read, &[&key]).await?.get(0);
            let text = crate::store::linked(&accounts, customer_id, account);
            let update = tx
                .prepare_cached("UPDATE contacts SET accounts = $2 WHERE key = $1")
                .await?;
            tx.execute(&update, &[&key, &text]).await?;
        }
        ContactChange::Wrote { at } => {
            let update = tx
                .prepare_cached(
                    "UPDATE contacts SET last_wrote = GREATEST(COALESCE(last_wrote, $2), $2)
                     WHERE key = $1",
                )
                .await?;
            tx.execute(&update, &[&key, at]).await?;
        }
    }
    Ok(())
}

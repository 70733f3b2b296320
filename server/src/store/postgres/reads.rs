//! The [`Store`] trait on PostgreSQL: reads map rows to the store's types exactly as
//! the SQLite store does; writes go to `write` in one transaction; claims to `claims`.
//! The outbox is the one read that also claims: each due item is leased for a while
//! (`FOR UPDATE SKIP LOCKED`), so the processes' delivery loops split the items.

use std::sync::Arc;

use tokio_postgres::Row;

use super::listen::Topic;
use super::{err, hex, PostgresStore};
use crate::store::{
    accounts, stat_totals, Contact, Conversation, DueTimer, InboxEntry, Keep, Millis, OutboxItem,
    Outcome, StatTotal, Status, Store, StoreError, StoreResult, Summary, TimerKind, Write,
};

/// How long a delivery handed to one process is hidden from the others: longer than
/// the webhook's timeout, so that only a process that died leaves it to the others.
const LEASE_MS: Millis = 120_000;

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, i: usize) -> StoreResult<T> {
    row.try_get(i).map_err(err)
}

fn unhex(text: &str) -> StoreResult<u64> {
    u64::from_str_radix(text, 16).map_err(|_| StoreError(format!("a bad program hash `{text}`")))
}

fn status(name: &str) -> StoreResult<Status> {
    Status::from_name(name).ok_or_else(|| StoreError(format!("a bad status `{name}`")))
}

fn inbox_entry(row: &Row) -> StoreResult<InboxEntry> {
    Ok(InboxEntry {
        seq: get(row, 0)?,
        message_id: get(row, 1)?,
        body: get(row, 2)?,
        reply: get(row, 3)?,
    })
}

fn strings(rows: &[Row]) -> StoreResult<Vec<String>> {
    rows.iter().map(|row| get(row, 0)).collect()
}

impl Store for PostgresStore {
    fn commit(&self, writes: &[Write]) -> StoreResult<Vec<Outcome>> {
        self.commit_batch(writes)
    }

    fn conversation(&self, key: &str) -> StoreResult<Option<Conversation>> {
        let rows = self.rows(
            "SELECT key, program, status, version, snapshot, contact, channel, opened_clock,
             opened, updated, ending, pending_call FROM conversations WHERE key = $1",
            &[&key],
        )?;
        rows.first()
            .map(|row| {
                Ok(Conversation {
                    key: get(row, 0)?,
                    program: unhex(get(row, 1)?)?,
                    status: status(get(row, 2)?)?,
                    version: get(row, 3)?,
                    snapshot: get(row, 4)?,
                    contact: get(row, 5)?,
                    channel: get(row, 6)?,
                    opened_clock: get(row, 7)?,
                    opened: get(row, 8)?,
                    updated: get(row, 9)?,
                    ending: get(row, 10)?,
                    pending_call: get(row, 11)?,
                })
            })
            .transpose()
    }

    fn pending(&self, key: &str) -> StoreResult<Vec<InboxEntry>> {
        let rows = self.rows(
            "SELECT seq, message_id, body, reply FROM inbox
             WHERE conversation = $1 AND reply IS NULL ORDER BY seq",
            &[&key],
        )?;
        rows.iter().map(inbox_entry).collect()
    }

    fn message(&self, key: &str, message_id: &str) -> StoreResult<Option<InboxEntry>> {
        let rows = self.rows(
            "SELECT seq, message_id, body, reply FROM inbox
             WHERE conversation = $1 AND message_id = $2",
            &[&key, &message_id],
        )?;
        rows.first().map(inbox_entry).transpose()
    }

    fn transcript(&self, key: &str) -> StoreResult<Vec<String>> {
        let rows = self.rows(
            "SELECT line FROM transcript WHERE conversation = $1 ORDER BY n",
            &[&key],
        )?;
        strings(&rows)
    }

    fn due_timers(&self, now: Millis, limit: usize) -> StoreResult<Vec<DueTimer>> {
        let limit = limit as i64;
        let rows = self.rows(
            "SELECT conversation, kind, version, due FROM timers WHERE due <= $1
             ORDER BY due LIMIT $2",
            &[&now, &limit],
        )?;
        rows.iter()
            .map(|row| {
                let kind: String = get(row, 1)?;
                Ok(DueTimer {
                    conversation: get(row, 0)?,
                    kind: TimerKind::from_name(&kind)
                        .ok_or_else(|| StoreError(format!("a bad timer kind `{kind}`")))?,
                    version: get(row, 2)?,
                    due: get(row, 3)?,
                })
            })
            .collect()
    }

    fn next_timer(&self) -> StoreResult<Option<Millis>> {
        let rows = self.rows("SELECT MIN(due) FROM timers", &[])?;
        rows.first().map_or(Ok(None), |row| get(row, 0))
    }

    fn outbox_due(&self, now: Millis, limit: usize) -> StoreResult<Vec<OutboxItem>> {
        let limit = limit as i64;
        let until = now.saturating_add(LEASE_MS);
        // Each conversation's first pending item, when due and not leased to a process.
        let rows = self.rows(
            "UPDATE outbox SET leased_until = $3 WHERE id IN (
                 SELECT o.id FROM outbox o
                 WHERE o.state = 'pending' AND o.next <= $1 AND o.leased_until <= $1
                   AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation = o.conversation
                                   AND p.state = 'pending' AND p.id < o.id)
                 ORDER BY o.id LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING id, conversation, n, payload, attempts",
            &[&now, &limit, &until],
        )?;
        let mut items = rows
            .iter()
            .map(|row| {
                let conversation: String = get(row, 1)?;
                let n: i64 = get(row, 2)?;
                Ok(OutboxItem {
                    id: get(row, 0)?,
                    idempotency_key: format!("{conversation}/{n}"),
                    conversation,
                    payload: get(row, 3)?,
                    attempts: get(row, 4)?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        items.sort_by_key(|it| it.id);
        Ok(items)
    }

    fn with_work(&self) -> StoreResult<Vec<String>> {
        let rows = self.rows(
            "SELECT DISTINCT conversation FROM inbox WHERE reply IS NULL
             UNION SELECT key FROM conversations WHERE status = 'write'",
            &[],
        )?;
        strings(&rows)
    }

    fn program(&self, hash: u64) -> StoreResult<Option<Vec<u8>>> {
        let rows = self.rows("SELECT bytes FROM programs WHERE hash = $1", &[&hex(hash)])?;
        rows.first().map(|row| get(row, 0)).transpose()
    }

    fn newest_program(&self) -> StoreResult<Option<(u64, Vec<u8>)>> {
        let rows = self.rows(
            "SELECT hash, bytes FROM programs ORDER BY n DESC LIMIT 1",
            &[],
        )?;
        rows.first()
            .map(|row| Ok((unhex(get(row, 0)?)?, get(row, 1)?)))
            .transpose()
    }

    fn conversations(
        &self,
        status_filter: Option<Status>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Summary>> {
        let limit = limit as i64;
        let rows = self.rows(
            "SELECT key, status, program, contact, channel, updated FROM conversations
             WHERE key > $1 AND ($2::text IS NULL OR status = $2) ORDER BY key LIMIT $3",
            &[
                &after.unwrap_or(""),
                &status_filter.map(Status::name),
                &limit,
            ],
        )?;
        rows.iter()
            .map(|row| {
                Ok(Summary {
                    key: get(row, 0)?,
                    status: status(get(row, 1)?)?,
                    program: unhex(get(row, 2)?)?,
                    contact: get(row, 3)?,
                    channel: get(row, 4)?,
                    updated: get(row, 5)?,
                })
            })
            .collect()
    }

    fn waiting(&self) -> StoreResult<u64> {
        let rows = self.rows(
            "SELECT COUNT(*) FROM conversations WHERE status IN ('customer', 'timer', 'write')",
            &[],
        )?;
        let n: i64 = rows.first().map_or(Ok(0), |row| get(row, 0))?;
        Ok(n.max(0) as u64)
    }

    fn contact(&self, key: &str) -> StoreResult<Option<Contact>> {
        let rows = self.rows(
            "SELECT opted_out, accounts, last_wrote FROM contacts WHERE key = $1",
            &[&key],
        )?;
        rows.first()
            .map(|row| {
                Ok(Contact {
                    key: key.to_string(),
                    opted_out: get(row, 0)?,
                    accounts: accounts(get(row, 1)?),
                    last_wrote: get(row, 2)?,
                })
            })
            .transpose()
    }

    fn erase_contact(&self, key: &str) -> StoreResult<u64> {
        self.delete_conversations(
            "contact = $1",
            &key,
            Some("DELETE FROM contacts WHERE key = $1"),
            Keep::Nothing,
        )
    }

    fn purge_finished(&self, before: Millis) -> StoreResult<u64> {
        self.delete_conversations(
            "status IN ('done', 'failed') AND updated < $1",
            &before,
            None,
            Keep::Figures,
        )
    }

    fn stats(&self, since: Millis, until: Millis) -> StoreResult<Vec<StatTotal>> {
        let rows = self.rows(
            "SELECT kind, subject, detail, COUNT(*), SUM(value)::BIGINT, MAX(value) FROM stats
             WHERE at >= $1 AND at < $2 GROUP BY kind, subject, detail",
            &[&since, &until],
        )?;
        let rows = rows
            .iter()
            .map(|row| {
                Ok((
                    get(row, 0)?,
                    get(row, 1)?,
                    get(row, 2)?,
                    get(row, 3)?,
                    get(row, 4)?,
                    get(row, 5)?,
                ))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        stat_totals(rows)
    }

    fn journal(&self, key: &str) -> StoreResult<Vec<(String, Option<String>)>> {
        let rows = self.rows(
            "SELECT call, result FROM journal WHERE conversation = $1 ORDER BY id",
            &[&key],
        )?;
        rows.iter()
            .map(|row| Ok((get(row, 0)?, get(row, 1)?)))
            .collect()
    }

    fn claim(&self, key: &str) -> StoreResult<bool> {
        self.block_on(self.claims.take(key))
    }

    fn release(&self, key: &str) -> StoreResult<()> {
        self.block_on(self.claims.give(key))
    }

    fn shared(&self) -> bool {
        true
    }

    fn on_reply(&self, heard: Arc<dyn Fn(i64) + Send + Sync>) {
        self.listen(
            Topic::Replies,
            Arc::new(move |payload: &str| {
                for seq in payload.split(',').filter_map(|it| it.parse::<i64>().ok()) {
                    heard(seq);
                }
            }),
        );
    }

    fn on_program(&self, heard: Arc<dyn Fn() + Send + Sync>) {
        self.listen(Topic::Programs, Arc::new(move |_: &str| heard()));
    }
}

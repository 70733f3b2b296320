//! What the tests of PostgreSQL share: the database they use (`FLUXO_TEST_POSTGRES`),
//! a schema of their own per test, dropped when the test ends, and plain SQL on it
//! (to play a newer fluxo, or an operator ending a connection).
//!
//! A test killed before its guard drops (a panic that aborts, a Ctrl-C) leaves its
//! schema behind: each new schema also drops the test schemas older than a day, so a
//! developer's `fluxo_test` database does not fill up. Tests of other checkouts may
//! run on the same database at once, hence a day and not "every other schema".

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::{NoTls, SimpleQueryMessage};

use super::{config, err};
use crate::store::{StoreError, StoreResult};

/// How old a test schema must be for a new test to drop it, in seconds.
const LEFTOVER_SECS: u64 = 24 * 3600;

/// The comment a test schema carries: when it was made, in Unix seconds.
const MADE: &str = "fluxo test schema made at ";

/// The database the tests of PostgreSQL use, from `FLUXO_TEST_POSTGRES`. `Ok(None)`
/// only when `FLUXO_SKIP_POSTGRES=1` says to skip them; unset, it is an error that
/// says how to start one (no test passes silently without its database).
pub fn test_database() -> Result<Option<String>, String> {
    if let Ok(url) = std::env::var("FLUXO_TEST_POSTGRES") {
        if !url.is_empty() {
            return Ok(Some(url));
        }
    }
    if std::env::var("FLUXO_SKIP_POSTGRES").as_deref() == Ok("1") {
        return Ok(None);
    }
    Err(
        "FLUXO_TEST_POSTGRES is not set: this test needs PostgreSQL. Start one with \
         `eval \"$(sudo .ci/postgres)\"` (it prints the variable to export), or set \
         FLUXO_SKIP_POSTGRES=1 to skip the PostgreSQL tests on purpose"
            .into(),
    )
}

/// A test's schema: made (after dropping any earlier one of the name) by
/// [`TestSchema::new`], dropped with everything in it when the guard drops.
pub struct TestSchema {
    /// The database's URL, without the schema.
    base: String,
    name: String,
    /// The URL of a store in the schema.
    pub url: String,
}

impl TestSchema {
    /// The schema `name` in the database at `base`, fresh; the first in a process
    /// first drops the test schemas older than a day.
    pub fn new(base: &str, name: &str) -> StoreResult<TestSchema> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError(format!("`{name}` is not a plain schema name")));
        }
        static SWEPT: Mutex<bool> = Mutex::new(false);
        let mut swept = SWEPT.lock().unwrap_or_else(|it| it.into_inner());
        if !*swept {
            drop_leftovers(base)?;
            *swept = true;
        }
        drop(swept);
        let made = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        // One implicit transaction: no schema is ever seen without its comment.
        sql(
            base,
            &format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}; \
                 COMMENT ON SCHEMA {name} IS '{MADE}{made}'"
            ),
        )?;
        let joiner = if base.contains('?') { '&' } else { '?' };
        Ok(TestSchema {
            base: base.to_string(),
            name: name.to_string(),
            url: format!("{base}{joiner}options=-c%20search_path%3D{name}"),
        })
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let _ = sql(
            &self.base,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
    }
}

/// Drops the schemas made by [`TestSchema::new`] more than a day ago, and those of
/// the tests before it recorded when (no comment; `t_*`, `serve_pg_*`) whose store
/// was last migrated more than a day ago. [`TestSchema::new`] calls it once per
/// process.
pub fn drop_leftovers(base: &str) -> StoreResult<()> {
    // Each schema as `name|comment|last migrated`, in one round trip: the time of a
    // schema's last migration is read with `query_to_xml`, a query per row, and only
    // for a schema without a comment. Another test's schema (always commented) may be
    // dropped while this runs, and its migrations table with it: querying it failed
    // the whole statement.
    let found = sql(
        base,
        "SELECT n.nspname || '|' || COALESCE(obj_description(n.oid, 'pg_namespace'), '') || '|' \
         || COALESCE(CASE WHEN obj_description(n.oid, 'pg_namespace') IS NULL \
         AND to_regclass(quote_ident(n.nspname) || '.fluxo_migrations') IS NOT NULL \
         THEN (xpath('/row/m/text()', query_to_xml(format( \
         'SELECT MAX(extract(epoch FROM applied))::BIGINT AS m FROM %I.fluxo_migrations', \
         n.nspname), false, true, '')))[1]::TEXT END, '') \
         FROM pg_namespace n \
         WHERE obj_description(n.oid, 'pg_namespace') LIKE 'fluxo test schema%' \
         OR (obj_description(n.oid, 'pg_namespace') IS NULL \
             AND (n.nspname LIKE 't\\_%' OR n.nspname LIKE 'serve\\_pg\\_%'))",
    )?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let old = |made: &str| {
        made.parse::<u64>()
            .is_ok_and(|made| now.saturating_sub(made) > LEFTOVER_SECS)
    };
    let leftovers: Vec<String> = found
        .iter()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '|');
            let (name, comment, migrated) = (parts.next()?, parts.next()?, parts.next()?);
            let leftover = match comment.strip_prefix(MADE) {
                Some(made) => old(made),
                // A schema an older test just made may not be migrated yet: kept.
                None => old(migrated),
            };
            leftover.then(|| format!("\"{}\"", name.replace('"', "\"\"")))
        })
        .collect();
    if !leftovers.is_empty() {
        // Tests of another checkout may drop them at the same time: not an error.
        let _ = sql(
            base,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", leftovers.join(", ")),
        );
    }
    Ok(())
}

/// Marks the (empty) store at `url` as a newer fluxo's, migrated to `version`.
pub fn pretend_newer(url: &str, version: i32) -> StoreResult<()> {
    sql(
        url,
        &format!(
            "{}; INSERT INTO fluxo_migrations (version) VALUES ({version})",
            super::schema::VERSIONS
        ),
    )
    .map(drop)
}

/// Runs `text` (one or more statements) on the database at `url`, on a connection of
/// its own, and returns the first column of every row it gave, as text (NULL as
/// empty).
pub fn sql(url: &str, text: &str) -> StoreResult<Vec<String>> {
    let config = config(url)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError(e.to_string()))?;
    runtime.block_on(async {
        let (client, connection) = config.connect(NoTls).await.map_err(err)?;
        let driver = tokio::spawn(connection);
        let answered = client.simple_query(text).await.map_err(err);
        drop(client);
        let _ = driver.await;
        Ok(answered?
            .iter()
            .filter_map(|message| match message {
                SimpleQueryMessage::Row(row) => Some(row.get(0).unwrap_or("").to_string()),
                _ => None,
            })
            .collect())
    })
}

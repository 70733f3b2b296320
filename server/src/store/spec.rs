//! Which store a `--store` value names, and opening it: the one place that tells a
//! PostgreSQL URL from a SQLite file, for `fluxo serve` and `fluxo report` alike.

use std::path::PathBuf;
use std::sync::Arc;

use super::postgres::{without_password, PostgresStore};
use super::sqlite::SqliteStore;
use super::{Store, StoreError, StoreResult};

/// A store, as a user names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// `postgres://user@host/database` (or `postgresql://`): the database several
    /// servers share.
    Postgres(String),
    /// `sqlite:FILE`, or a data folder's `fluxo.db`.
    Sqlite(PathBuf),
}

impl Spec {
    /// Reads a store URL: `postgres://...`, `postgresql://...` or `sqlite:FILE`.
    pub fn parse(text: &str) -> StoreResult<Spec> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Spec::Postgres(text.to_string()));
        }
        match text.strip_prefix("sqlite:") {
            Some(path) if !path.is_empty() => Ok(Spec::Sqlite(PathBuf::from(path))),
            _ => Err(StoreError(format!(
                "`{}` is not a store URL (sqlite:FILE or postgres://user@host/database)",
                without_password(text)
            ))),
        }
    }
}

/// Opens the store `spec` names (a SQLite file is created when absent; a database's
/// schema is brought up to date).
pub fn open(spec: &Spec) -> StoreResult<Arc<dyn Store>> {
    Ok(match spec {
        Spec::Postgres(url) => Arc::new(PostgresStore::open(url)?),
        Spec::Sqlite(path) => Arc::new(SqliteStore::open(path)?),
    })
}

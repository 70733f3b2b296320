//! The shared store: one PostgreSQL database that several `fluxo serve` processes use
//! at once (`fluxo serve --store postgres://...`). The same [`Store`] as SQLite, held
//! to the same conformance suite, plus what sharing needs:
//!
//! - a conversation's turns run in one process at a time: [`Store::claim`] takes a
//!   session advisory lock on the key's hash on a connection of its own (`claims`),
//!   which PostgreSQL drops the moment the process dies, so its conversations go on
//!   in the others at once;
//! - outbox deliveries are leased with `FOR UPDATE SKIP LOCKED`, so two processes
//!   never post the same item at once;
//! - a committed reply is announced with `NOTIFY` (`listen`): a process waiting for
//!   it (`?wait=true`) hears at once; it also polls, so nothing depends on it; so is
//!   a published program, which every process's new conversations then start on (the
//!   engine also looks at the newest now and then);
//! - a turn commits only if no other process committed its conversation since the turn
//!   read it (`TurnCommit::fence`, checked in the commit's own transaction): a turn
//!   under a claim lost with its connection (`claims`) that another process overtook
//!   is dropped uncommitted, and the batch's other writes are not;
//! - the schema is migrated at start under an advisory lock (`schema`), and a
//!   database a newer fluxo migrated is refused;
//! - a batch of writes is one transaction (`write`): a process that dies mid-turn
//!   leaves nothing half-done.
//!
//! The [`Store`] trait blocks; tokio-postgres is async. The store owns a small runtime
//! of its own that drives its connections, and each call blocks its caller (the
//! server's blocking threads and commit thread, never an async worker) on it.

mod claims;
mod listen;
mod reads;
mod schema;
pub mod testing;
mod write;

use std::future::Future;
use std::str::FromStr;
use std::task::Poll;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use super::{deletes, Keep, Outcome, StoreError, StoreResult, Write};

/// Connections each process keeps for reads and commits.
const POOL_SIZE: usize = 16;
/// Writes sent at once on a connection (each wake polls all of them).
const PIPELINE: usize = 64;
/// How often a batch that lost a deadlock to another process is tried again.
const RETRIES: usize = 5;

/// The PostgreSQL store of one database (and schema: the URL's `search_path`).
pub struct PostgresStore {
    runtime: Option<tokio::runtime::Runtime>,
    pool: Pool,
    claims: claims::Claims,
    listener: listen::Listener,
}

fn err(error: tokio_postgres::Error) -> StoreError {
    // `Error`'s Display is terse ("db error"); the server's message is in its source.
    match error.as_db_error() {
        Some(db) => StoreError(format!("postgres: {}", db.message())),
        None => StoreError(format!("postgres: {error}")),
    }
}

fn hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// Parses a store URL, with a message that names it without its password.
fn config(url: &str) -> StoreResult<tokio_postgres::Config> {
    tokio_postgres::Config::from_str(url).map_err(|e| {
        StoreError(format!(
            "`{}` is not a PostgreSQL URL (postgres://user@host/database): {e}",
            without_password(url)
        ))
    })
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl PostgresStore {
    /// Connects to the database at `url` and brings its schema up to date.
    pub fn open(url: &str) -> StoreResult<PostgresStore> {
        let config = config(url)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fluxo-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError(format!("cannot start the PostgreSQL client: {e}")))?;
        let shown = without_password(url);
        runtime.block_on(async {
            let (mut client, connection) = config
                .connect(NoTls)
                .await
                .map_err(|e| StoreError(format!("cannot connect to {shown}: {}", err(e).0)))?;
            let driver = tokio::spawn(connection);
            let migrated = schema::migrate(&mut client, &shown).await;
            drop(client);
            let _ = driver.await;
            migrated
        })?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError(format!("cannot make a connection pool: {e}")))?;
        Ok(PostgresStore {
            runtime: Some(runtime),
            pool,
            claims: claims::Claims::new(config.clone()),
            listener: listen::Listener::new(config),
        })
    }

    /// Registers `heard` for `topic`'s notifications, listening on the store's runtime.
    fn listen(&self, topic: listen::Topic, heard: listen::Heard) {
        if let Some(runtime) = &self.runtime {
            let _inside = runtime.enter();
            self.listener.register(topic, heard);
        }
    }

    /// Runs `future` on the store's runtime and waits for it.
    fn block_on<T>(&self, future: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        match &self.runtime {
            Some(runtime) => runtime.block_on(future),
            None => Err(StoreError("the store is closed".into())),
        }
    }

    async fn connection(&self) -> StoreResult<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError(format!("postgres: no connection: {e}")))
    }

    /// The rows of one statement (prepared once per connection).
    fn rows(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<Row>> {
        self.block_on(async {
            let client = self.connection().await?;
            let statement = client.prepare_cached(sql).await.map_err(err)?;
            client.query(&statement, params).await.map_err(err)
        })
    }

    fn commit_batch(&self, writes: &[Write]) -> StoreResult<Vec<Outcome>> {
        self.block_on(async {
            let mut tries = 0;
            loop {
                let mut client = self.connection().await?;
                match attempt(&mut client, writes).await {
                    Ok(outcomes) => return Ok(outcomes),
                    // Rolled back for sure: another process's transaction won a lock
                    // race; the whole batch is tried again.
                    Err(error) if tries < RETRIES && retryable(&error) => tries += 1,
                    Err(error) => return Err(err(error)),
                }
            }
        })
    }

    /// Deletes, in one transaction, every row of the conversations `filter` selects
    /// (an SQL condition on `conversations` with one parameter), keeping what `keep`
    /// says; then `also` (a statement on the same parameter) when given.
    fn delete_conversations(
        &self,
        filter: &str,
        arg: &(dyn ToSql + Sync),
        also: Option<&str>,
        keep: Keep,
    ) -> StoreResult<u64> {
        self.block_on(async {
            let mut client = self.connection().await?;
            let tx = client.transaction().await.map_err(err)?;
            let keys: Vec<String> = tx
                .query(
                    &format!("SELECT key FROM conversations WHERE {filter} FOR UPDATE"),
                    &[arg],
                )
                .await
                .map_err(err)?
                .iter()
                .map(|row| row.try_get(0))
                .collect::<Result<_, _>>()
                .map_err(err)?;
            for statement in deletes(keep, "= ANY($1)") {
                tx.execute(&statement, &[&keys]).await.map_err(err)?;
            }
            if let Some(statement) = also {
                tx.execute(statement, &[arg]).await.map_err(err)?;
            }
            tx.commit().await.map_err(err)?;
            Ok(keys.len() as u64)
        })
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // Dropping a runtime waits for its tasks, which an async caller may not do.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn attempt(
    client: &mut Object,
    writes: &[Write],
) -> Result<Vec<Outcome>, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let mut outcomes = Vec::with_capacity(writes.len());
    for chunk in writes.chunks(PIPELINE) {
        let applied = pipeline(chunk.iter().map(|one| write::apply(&tx, one)).collect()).await?;
        outcomes.extend(applied);
    }
    for (one, outcome) in writes.iter().zip(&outcomes) {
        if let Write::Turn(turn) = one {
            write::contacts(&tx, turn, outcome).await?;
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Runs `futures` at once on one connection, their results in order. Each is first
/// polled in order, so their first statements go out in the batch's order (messages
/// get increasing seqs in it), and none waits for another's round trip.
async fn pipeline<T, F>(futures: Vec<F>) -> Result<Vec<T>, tokio_postgres::Error>
where
    F: Future<Output = Result<T, tokio_postgres::Error>>,
{
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (future, slot) in futures.iter_mut().zip(done.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            match future.as_mut().poll(cx) {
                Poll::Ready(Ok(value)) => *slot = Some(value),
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => waiting = true,
            }
        }
        if waiting {
            Poll::Pending
        } else {
            Poll::Ready(Ok(()))
        }
    })
    .await?;
    Ok(done.into_iter().flatten().collect())
}

fn retryable(error: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    error.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

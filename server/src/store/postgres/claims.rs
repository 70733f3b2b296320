//! Claims on conversations across processes: a session advisory lock on the hash of
//! the conversation's key, all taken on one connection kept for them. A session lock
//! is held until it is released or its session ends, so a process that dies (even by
//! SIGKILL: its socket closes) lets go of every conversation it was running at once.
//! Two keys with the same 64-bit hash only wait for each other.
//!
//! If that connection breaks, its locks are gone while this process's turns go on;
//! the next claim reconnects. A broken connection to the database fails the turns'
//! commits too, so those turns are not acknowledged.

use std::sync::Arc;

use tokio::sync::Mutex;
use tokio_postgres::{Client, Config, NoTls, Statement};

use super::err;
use crate::store::{StoreError, StoreResult};

/// The connection the locks live on, with its two statements prepared.
struct Held {
    client: Client,
    take: Statement,
    give: Statement,
}

pub struct Claims {
    config: Config,
    held: Mutex<Option<Arc<Held>>>,
}

impl Claims {
    pub fn new(config: Config) -> Claims {
        Claims {
            config,
            held: Mutex::new(None),
        }
    }

    async fn connection(&self) -> StoreResult<Arc<Held>> {
        let mut held = self.held.lock().await;
        if let Some(live) = held.as_ref().filter(|it| !it.client.is_closed()) {
            return Ok(Arc::clone(live));
        }
        let (client, connection) = self.config.connect(NoTls).await.map_err(err)?;
        tokio::spawn(connection);
        let take = client
            .prepare("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
            .await
            .map_err(err)?;
        let give = client
            .prepare("SELECT pg_advisory_unlock(hashtextextended($1, 0))")
            .await
            .map_err(err)?;
        let live = Arc::new(Held { client, take, give });
        *held = Some(Arc::clone(&live));
        Ok(live)
    }

    /// Tries to take `key`'s lock; `false` when another session holds it.
    pub async fn take(&self, key: &str) -> StoreResult<bool> {
        let held = self.connection().await?;
        let row = held
            .client
            .query_one(&held.take, &[&key])
            .await
            .map_err(err)?;
        row.try_get(0).map_err(err)
    }

    pub async fn give(&self, key: &str) -> StoreResult<()> {
        let held = self.connection().await?;
        let row = held
            .client
            .query_one(&held.give, &[&key])
            .await
            .map_err(err)?;
        let released: bool = row.try_get(0).map_err(err)?;
        if released {
            Ok(())
        } else {
            Err(StoreError(format!(
                "the claim on conversation `{key}` was lost before it was released (the \
                 lock connection was reset)"
            )))
        }
    }
}

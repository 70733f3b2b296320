//! Claims on conversations across processes: a session advisory lock on the hash of
//! the conversation's key, all taken on one connection kept for them. A session lock
//! is held until it is released or its session ends, so a process that dies (even by
//! SIGKILL: its socket closes) lets go of every conversation it was running at once.
//! Two keys with the same 64-bit hash only wait for each other.
//!
//! If that connection breaks while the process lives (a restarted pooler, an operator's
//! `pg_terminate_backend`), its locks are gone and another process may take the
//! conversations at once, while this one may still be in the middle of a turn. Nothing
//! here asks whether a claim still holds: no answer could stay true until the commit
//! (the connection may break right after it), and asking cost a round trip per turn.
//! The commit fences instead: a turn carries the version of the conversation row it ran
//! from (`TurnCommit::fence`), and its transaction writes that row first, only if it is
//! still at that version (`write::turn`). Of two processes that ran a turn from the same
//! version, the second to commit waits for the first's row lock, finds the version
//! moved on and writes nothing; its worker looks again under a new claim. A turn under
//! a lost claim that nobody overtook commits: it was the conversation's only turn
//! from that state, so nothing ran twice. This fence is chosen over the others because
//! it depends on nothing but the committed row, the same state the next turn reads:
//! - SIGKILL and restarts: no process remembers anything the fence needs; a killed
//!   process's transaction never committed, so its turn never moved the version;
//! - a terminated claims backend: the successor's turn and the stale one race on one
//!   row lock, with no gap between the check and the write (`SELECT 1` before the
//!   commit had one);
//! - an epoch taken with each claim would have to be written to the row before the new
//!   holder reads the conversation (else a turn that read the old state could still
//!   commit after the old holder's), a durable write for every claim, most of which
//!   cover a single turn; checking `pg_locks` for the claims backend's pid inside the
//!   commit trusts a pid the operating system reuses, and the lock can still go between
//!   that check and the COMMIT.
//!
//! Every claim remembers the connection it was taken on (its generation), so that
//! giving back a lost claim says so rather than unlocking a lock this process no longer
//! holds. A claim is never silently taken again on the new connection: another process
//! may be running the conversation. The connection is named `<application_name> claims
//! <pid>` (the URL's `application_name`, else `fluxo`), so an operator can find it in
//! `pg_stat_activity`.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Mutex;
use tokio_postgres::{Client, Config, NoTls, Statement};

use super::err;
use crate::store::{StoreError, StoreResult};

/// The connection the locks live on, with its statements prepared.
struct Held {
    client: Client,
    take: Statement,
    give: Statement,
    /// Counts connections: a claim taken on an earlier one is lost.
    generation: u64,
}

#[derive(Default)]
struct State {
    held: Option<Arc<Held>>,
    generations: u64,
    /// Each claimed key, with the generation of the connection it was taken on.
    keys: HashMap<String, u64>,
}

pub struct Claims {
    config: Config,
    state: Mutex<State>,
}

impl Claims {
    pub fn new(mut config: Config) -> Claims {
        let name = format!(
            "{} claims {}",
            config.get_application_name().unwrap_or("fluxo"),
            std::process::id()
        );
        config.application_name(&name);
        Claims {
            config,
            state: Mutex::new(State::default()),
        }
    }

    /// The live connection, connecting anew when there is none or it broke.
    async fn connection(&self) -> StoreResult<Arc<Held>> {
        let mut state = self.state.lock().await;
        if let Some(live) = state.held.as_ref().filter(|it| !it.client.is_closed()) {
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
        state.generations += 1;
        let live = Arc::new(Held {
            client,
            take,
            give,
            generation: state.generations,
        });
        state.held = Some(Arc::clone(&live));
        Ok(live)
    }

    /// Tries to take `key`'s lock; `false` when another session holds it.
    pub async fn take(&self, key: &str) -> StoreResult<bool> {
        let held = self.connection().await?;
        let taken = ask(&held.client, &held.take, key).await?;
        if taken {
            let mut state = self.state.lock().await;
            state.keys.insert(key.to_string(), held.generation);
        }
        Ok(taken)
    }

    pub async fn give(&self, key: &str) -> StoreResult<()> {
        let (taken_on, held) = {
            let mut state = self.state.lock().await;
            (state.keys.remove(key), state.held.clone())
        };
        let Some(held) = held.filter(|it| Some(it.generation) == taken_on) else {
            // Taken on a connection that broke since: the lock went with it.
            return Err(lost_error(key));
        };
        let released = ask(&held.client, &held.give, key).await?;
        if released {
            Ok(())
        } else {
            Err(lost_error(key))
        }
    }
}

/// Runs one of the lock statements on `key`; what it answers (taken, released).
async fn ask(client: &Client, statement: &Statement, key: &str) -> StoreResult<bool> {
    let row = client.query_one(statement, &[&key]).await.map_err(err)?;
    row.try_get(0).map_err(err)
}

fn lost_error(key: &str) -> StoreError {
    StoreError(format!(
        "the claim on conversation `{key}` was lost before it was released (the claims \
         connection broke)"
    ))
}

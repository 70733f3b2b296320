//! Group commit: one thread owns the store's writes and applies whatever has queued
//! up while the previous commit was being synced, in one transaction. Under load many
//! inbound messages and turns share one fsync; alone, a write waits for no one.
//!
//! Callers hand in a [`Write`] and get its [`Outcome`] back once it is durable; on a
//! store failure every write of the batch gets the error (none of them happened).

use std::sync::mpsc;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::metrics::Metrics;
use crate::store::{Outcome, Store, StoreError, StoreResult, Write};

/// The most writes one transaction takes.
const BATCH: usize = 2048;

type Job = (Write, oneshot::Sender<StoreResult<Outcome>>);

/// The handle callers commit through. Cheap to clone.
#[derive(Clone)]
pub struct Committer {
    queue: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the commit thread for `store`.
    pub fn start(store: Arc<dyn Store>, metrics: Arc<Metrics>) -> std::io::Result<Committer> {
        let (queue, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("fluxo-commit".into())
            .spawn(move || run(&*store, &metrics, &jobs))?;
        Ok(Committer { queue })
    }

    /// Commits `write` (with whatever else is queued) and waits for it, async.
    pub async fn commit(&self, write: Write) -> StoreResult<Outcome> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send((write, tx))
            .map_err(|_| StoreError("the commit thread stopped".into()))?;
        rx.await
            .map_err(|_| StoreError("the commit thread stopped".into()))?
    }

    /// `commit`, for blocking code (never call it on an async thread).
    pub fn commit_blocking(&self, write: Write) -> StoreResult<Outcome> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send((write, tx))
            .map_err(|_| StoreError("the commit thread stopped".into()))?;
        rx.blocking_recv()
            .map_err(|_| StoreError("the commit thread stopped".into()))?
    }
}

fn run(store: &dyn Store, metrics: &Metrics, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (writes, replies): (Vec<Write>, Vec<_>) = batch.into_iter().unzip();
        let started = std::time::Instant::now();
        let result = store.commit(&writes);
        metrics.commit(writes.len(), started.elapsed());
        match result {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(error) => {
                for reply in replies {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

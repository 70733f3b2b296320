//! The engine: runs conversations from the store. Work for a conversation (a stored
//! message, a due timer, a write interrupted by a crash) wakes it; each conversation
//! has at most one worker at a time, which handles its work strictly in arrival order,
//! one turn per commit (`turn` starts one, `step` runs and commits it; `inbound` is
//! the stored message). Different conversations run at once.
//!
//! Workers are blocking tasks (the VM is synchronous, the store blocks, and host calls
//! are answered by a synchronous [`World`]); the commit thread batches their commits.

pub mod inbound;
mod step;
mod turn;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use self::step::OPERATOR_ENDING;
use crate::channels::Channels;
use crate::commit::Committer;
use crate::log::Log;
use crate::metrics::Metrics;
use crate::store::{DueTimer, Millis, Store, StoreError, Write};
use crate::{Settings, World};
use fluxo_runtime::bytecode::Program;

/// Why the engine could not do something; in English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    Failed(String),
    /// A turn was dropped uncommitted because its conversation's row moved on or went
    /// since the turn read it (`TurnCommit::fence`): another process committed it, which
    /// only a claim lost with its store connection allows, or its contact was erased.
    /// Its work, if any is still stored, is looked at again at once, under a new claim.
    Stale,
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Failed(reason) => f.write_str(reason),
            EngineError::Stale => f.write_str(
                "the conversation's stored row moved on or went while the turn ran (another \
                 process ran it after this one's claim went with a broken store connection, \
                 or its contact was erased): the turn is dropped uncommitted and what is \
                 left of its work runs again",
            ),
        }
    }
}

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> EngineError {
        EngineError::Failed(error.to_string())
    }
}

/// A conversation's scheduling state while a worker runs it.
#[derive(Default)]
struct Slot {
    /// Work arrived since the worker last looked.
    again: bool,
    timers: Vec<DueTimer>,
    /// Why the conversation must end (`Engine::end_soon`, `Engine::end_by_operator`).
    endings: Vec<Ending>,
}

/// An ending queued for a conversation's worker, and who waits to hear how it went.
pub struct Ending {
    pub reason: String,
    /// Told whether the conversation was live (and is now ended), or why ending failed.
    pub done: Option<oneshot::Sender<Result<bool, String>>>,
}

/// Everything the server's tasks share.
pub struct Engine {
    pub store: Arc<dyn Store>,
    pub committer: Committer,
    pub world: Arc<dyn World>,
    pub settings: Settings,
    pub metrics: Arc<Metrics>,
    pub log: Log,
    /// The configured messaging platforms (WhatsApp, Telegram).
    pub channels: Channels,
    programs: RwLock<HashMap<u64, Arc<Program>>>,
    /// The program new conversations start on, and when the store was last read for it.
    newest: RwLock<(u64, Instant)>,
    /// Another process published a program (a hint: `newest` reads the store at once).
    published_elsewhere: AtomicBool,
    slots: Mutex<HashMap<String, Slot>>,
    /// Callers waiting for the reply to the message stored at a seq (`?wait=true`).
    waiters: Mutex<HashMap<i64, Waiting>>,
}

/// Who waits for one message's reply, and where to read it when another process
/// sharing the store handled the message.
struct Waiting {
    key: String,
    message_id: String,
    senders: Vec<oneshot::Sender<String>>,
}

/// How long a process sharing its store may start new conversations on a program
/// another process replaced, when the notification of the publish was lost.
const PROGRAM_CHECK: Duration = Duration::from_secs(2);

/// How long an ending another process kept this one from running waits to be tried again.
const ENDING_RETRY: Duration = Duration::from_secs(1);

/// The wall clock, in Unix milliseconds.
pub fn now_ms() -> Millis {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        world: Arc<dyn World>,
        settings: Settings,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<Engine>, EngineError> {
        let committer = Committer::start(Arc::clone(&store), Arc::clone(&metrics))
            .map_err(|e| EngineError::Failed(format!("cannot start the commit thread: {e}")))?;
        let log = Log {
            json: settings.json_logs,
        };
        let channels = Channels::new(&settings).map_err(EngineError::Failed)?;
        let engine = Arc::new(Engine {
            store,
            committer,
            world,
            settings,
            metrics,
            log,
            channels,
            programs: RwLock::new(HashMap::new()),
            newest: RwLock::new((0, Instant::now())),
            published_elsewhere: AtomicBool::new(false),
            slots: Mutex::new(HashMap::new()),
            waiters: Mutex::new(HashMap::new()),
        });
        let weak = Arc::downgrade(&engine);
        engine.store.on_reply(Arc::new(move |seq| {
            if let Some(engine) = weak.upgrade() {
                engine.replied_elsewhere(seq);
            }
        }));
        let weak = Arc::downgrade(&engine);
        engine.store.on_program(Arc::new(move || {
            if let Some(engine) = weak.upgrade() {
                engine.published_elsewhere.store(true, Ordering::Relaxed);
            }
        }));
        Ok(engine)
    }

    /// Stores `bytes` (a `.fxb`) as a program version and makes it the newest: new
    /// conversations start on it; waiting ones stay on theirs. Returns its hash.
    pub fn publish(&self, bytes: &[u8]) -> Result<u64, EngineError> {
        let program = Program::from_bytes(bytes)
            .map_err(|e| EngineError::Failed(format!("not a valid program: {e}")))?;
        let hash = program.source_hash;
        self.world
            .load(hash, &program)
            .map_err(|e| EngineError::Failed(format!("the program's scripts do not load: {e}")))?;
        self.committer.commit_blocking(Write::Program {
            hash,
            bytes: bytes.to_vec(),
            at: now_ms(),
        })?;
        self.programs
            .write()
            .unwrap_or_else(|it| it.into_inner())
            .insert(hash, Arc::new(program));
        *self.newest.write().unwrap_or_else(|it| it.into_inner()) = (hash, Instant::now());
        Ok(hash)
    }

    /// The program new conversations start on. With a store other processes share,
    /// that is the store's newest: one another process published is read when its
    /// notification comes, and at most `PROGRAM_CHECK` later when it is lost.
    pub fn newest(&self) -> u64 {
        let (hash, checked) = *self.newest.read().unwrap_or_else(|it| it.into_inner());
        let heard = self.published_elsewhere.swap(false, Ordering::Relaxed);
        if !self.store.shared() || (!heard && checked.elapsed() < PROGRAM_CHECK) {
            return hash;
        }
        match self.store.newest_program() {
            Ok(Some((stored, _))) => {
                *self.newest.write().unwrap_or_else(|it| it.into_inner()) =
                    (stored, Instant::now());
                stored
            }
            Ok(None) => hash,
            Err(error) => {
                self.log
                    .error(None, &format!("cannot read the newest program: {error}"));
                hash
            }
        }
    }

    /// The program with source hash `hash`, loaded from the store the first time.
    pub fn program(&self, hash: u64) -> Result<Arc<Program>, EngineError> {
        if let Some(found) = self
            .programs
            .read()
            .unwrap_or_else(|it| it.into_inner())
            .get(&hash)
        {
            return Ok(Arc::clone(found));
        }
        let bytes = self
            .store
            .program(hash)?
            .ok_or_else(|| EngineError::Failed(format!("no stored program {hash:016x}")))?;
        let program =
            Arc::new(Program::from_bytes(&bytes).map_err(|e| {
                EngineError::Failed(format!("the stored program {hash:016x}: {e}"))
            })?);
        self.world
            .load(hash, &program)
            .map_err(|e| EngineError::Failed(format!("the program {hash:016x}'s scripts: {e}")))?;
        self.programs
            .write()
            .unwrap_or_else(|it| it.into_inner())
            .insert(hash, Arc::clone(&program));
        Ok(program)
    }

    /// There is work for `key` (a stored message, or `timer` due): runs its worker
    /// unless one runs already, which then looks again.
    pub fn wake(self: &Arc<Engine>, key: &str, timer: Option<DueTimer>) {
        self.enqueue(key, |slot| slot.timers.extend(timer));
    }

    /// Ends the live conversation `key` for `reason` (a platform refuses to carry it)
    /// from its worker, after the work it has, so the ending never races a turn.
    pub fn end_soon(self: &Arc<Engine>, key: &str, reason: String) {
        self.queue_ending(key, Ending { reason, done: None });
    }

    /// Ends the live conversation `key` at an operator's request (admin API), from its
    /// worker under its claim like [`Engine::end_soon`], so it never races a turn here
    /// or in another process. The answer: whether it was live, or why ending failed.
    pub fn end_by_operator(
        self: &Arc<Engine>,
        key: &str,
    ) -> oneshot::Receiver<Result<bool, String>> {
        let (done, answer) = oneshot::channel();
        let ending = Ending {
            reason: OPERATOR_ENDING.into(),
            done: Some(done),
        };
        self.queue_ending(key, ending);
        answer
    }

    fn queue_ending(self: &Arc<Engine>, key: &str, ending: Ending) {
        self.enqueue(key, |slot| slot.endings.push(ending));
    }

    fn enqueue(self: &Arc<Engine>, key: &str, add: impl FnOnce(&mut Slot)) {
        {
            let mut slots = self.slots.lock().unwrap_or_else(|it| it.into_inner());
            if let Some(slot) = slots.get_mut(key) {
                slot.again = true;
                add(slot);
                return;
            }
            let mut slot = Slot::default();
            add(&mut slot);
            slots.insert(key.to_string(), slot);
        }
        let engine = Arc::clone(self);
        let key = key.to_string();
        tokio::task::spawn_blocking(move || engine.worker(&key));
    }

    fn worker(self: &Arc<Engine>, key: &str) {
        let (mut timers, mut endings) = self.take(key);
        loop {
            let mut work = (std::mem::take(&mut timers), std::mem::take(&mut endings));
            let look_again = self.claimed_run(key, work.0, &mut work.1);
            if !work.1.is_empty() {
                self.end_later(key, work.1);
            }
            let mut slots = self.slots.lock().unwrap_or_else(|it| it.into_inner());
            let Some(slot) = slots.get_mut(key) else {
                return;
            };
            if look_again || slot.again || !slot.timers.is_empty() || !slot.endings.is_empty() {
                slot.again = false;
                timers = std::mem::take(&mut slot.timers);
                endings = std::mem::take(&mut slot.endings);
                continue;
            }
            slots.remove(key);
            return;
        }
    }

    /// Queues again, a little later, endings this process could not run because
    /// another process holds the conversation: they live only in this process's
    /// memory, so a platform's refusal would otherwise be forgotten.
    fn end_later(self: &Arc<Engine>, key: &str, endings: Vec<Ending>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.log
                .error(Some(key), "cannot queue the conversation's ending again");
            return;
        };
        let (engine, key) = (Arc::clone(self), key.to_string());
        runtime.spawn(async move {
            tokio::time::sleep(ENDING_RETRY).await;
            for ending in endings {
                engine.queue_ending(&key, ending);
            }
        });
    }

    /// The timers and endings queued for `key` when its worker starts.
    fn take(&self, key: &str) -> (Vec<DueTimer>, Vec<Ending>) {
        let mut slots = self.slots.lock().unwrap_or_else(|it| it.into_inner());
        slots.get_mut(key).map_or_else(Default::default, |slot| {
            (
                std::mem::take(&mut slot.timers),
                std::mem::take(&mut slot.endings),
            )
        })
    }

    /// Runs `key`'s work under the store's claim on it; whether to look again: work
    /// stored while this process held the claim, by another process whose claim on it
    /// failed for that reason, is this process's to run.
    /// `endings` are taken only when the claim is granted; those left are not run.
    fn claimed_run(&self, key: &str, timers: Vec<DueTimer>, endings: &mut Vec<Ending>) -> bool {
        match self.store.claim(key) {
            // Another process runs it, and looks again when it lets go.
            Ok(false) => return false,
            Err(error) => {
                self.log.error(
                    Some(key),
                    &format!("cannot claim the conversation: {error}"),
                );
                return false;
            }
            Ok(true) => {}
        }
        let ran = self.run(key, timers, std::mem::take(endings));
        // A turn dropped for a lost claim is looked at again at once, under a new one.
        let lost = matches!(ran, Err(EngineError::Stale));
        if let Err(error) = &ran {
            // The work stays stored; the sweep wakes the conversation again.
            self.log
                .error(Some(key), &format!("the turn failed: {error}"));
        }
        if let Err(error) = self.store.release(key) {
            self.log.error(Some(key), &error.to_string());
        }
        (ran.is_ok() || lost) && self.store.shared() && self.has_work(key)
    }

    fn has_work(&self, key: &str) -> bool {
        let pending = self.store.pending(key).map(|it| !it.is_empty());
        let write = self
            .store
            .conversation(key)
            .map(|it| it.is_some_and(|c| c.status == crate::store::Status::Write));
        matches!(pending, Ok(true)) || matches!(write, Ok(true))
    }

    /// Registers for the reply to the message `message_id` of `key`, stored at `seq`.
    pub fn wait_reply(&self, seq: i64, key: &str, message_id: &str) -> oneshot::Receiver<String> {
        let (tx, rx) = oneshot::channel();
        self.waiters
            .lock()
            .unwrap_or_else(|it| it.into_inner())
            .entry(seq)
            .or_insert_with(|| Waiting {
                key: key.to_string(),
                message_id: message_id.to_string(),
                senders: Vec::new(),
            })
            .senders
            .push(tx);
        rx
    }

    /// The store heard that some process replied to the message at `seq`: if anyone
    /// here waits for it, its final reply is read and handed over.
    fn replied_elsewhere(self: Arc<Engine>, seq: i64) {
        let wanted = self
            .waiters
            .lock()
            .unwrap_or_else(|it| it.into_inner())
            .get(&seq)
            .map(|it| (it.key.clone(), it.message_id.clone()));
        let Some((key, message_id)) = wanted else {
            return;
        };
        // Called on the store's async threads: the read runs on a blocking one.
        tokio::task::spawn_blocking(move || {
            if let Ok(Some(entry)) = self.store.message(&key, &message_id) {
                if let Some(reply) = entry.reply {
                    self.replied(seq, &reply);
                }
            }
        });
    }

    /// Drops the registrations for `seq` (the caller gave up or found the reply stored).
    pub fn forget_reply(&self, seq: i64) {
        self.waiters
            .lock()
            .unwrap_or_else(|it| it.into_inner())
            .remove(&seq);
    }

    fn replied(&self, seq: i64, reply: &str) {
        let waiting = self
            .waiters
            .lock()
            .unwrap_or_else(|it| it.into_inner())
            .remove(&seq);
        for tx in waiting.into_iter().flat_map(|it| it.senders) {
            let _ = tx.send(reply.to_string());
        }
    }
}

//! The async driver: runs many conversations of one program at once on tokio. It
//! feeds the host's events to the VM, executes the host calls a conversation waits on
//! (ERP, Low Code, intent) and resumes it with their results, fires its timers, and
//! hands every output to the host through a channel.
//!
//! Guarantees: the events of one conversation are handled strictly in the order they
//! were sent, and its outputs arrive in the order the VM produced them; different
//! conversations run concurrently. A conversation waiting for the customer or a timer
//! costs only its snapshot bytes (no task, no session in memory). See docs/driver.md.
//!
//! This module owns scheduling and the host-call plumbing; the VM's behaviour belongs
//! to `vm`, the ERP, Low Code and intent clients to their modules.

mod host;
mod log;
mod scripts;
mod settings;
mod table;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::mpsc;

pub use self::host::{execute, run_script, BlockingHost, Hosts, ScriptReport};
pub use self::log::{Level, LogRecord, LogSink, MemoryLog};
pub use self::scripts::{LoadedScript, ScriptLoadError, Scripts};
pub use self::settings::lowcode_settings;

use self::table::{Inbound, Next, Table};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::session::{Context, Ending, Event, Output, Session, Turn, Wait};
use fluxo_runtime::RuntimeError;

/// The host's name for a conversation (the platform's id). Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationId(Arc<str>);

impl ConversationId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ConversationId {
    fn from(id: &str) -> ConversationId {
        ConversationId(id.into())
    }
}

impl From<String> for ConversationId {
    fn from(id: String) -> ConversationId {
        ConversationId(id.into())
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the driver hands the host about a conversation.
#[derive(Clone, Debug, PartialEq)]
pub enum Outbound {
    /// Something to deliver: a message, a file, a platform effect.
    Output(Output),
    /// The bot's part is over; the conversation is no longer live. Always the last
    /// item of a conversation that ends normally.
    Ended(Ending),
    /// The VM could not run the conversation (a broken program, a snapshot that does
    /// not fit); it is no longer live. The reason is in English and was logged.
    Failed(String),
}

/// Why the driver refused a request of the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DriverError {
    /// `Driver::new` was called outside a tokio runtime.
    NoRuntime,
    /// A conversation with this id is already live.
    AlreadyOpen(ConversationId),
    /// No live conversation has this id (never opened, ended or closed).
    Unknown(ConversationId),
    /// Host results and timers are the driver's own; the host sends only customer
    /// messages and opt-outs.
    NotACustomerEvent,
    /// The conversation could not be created (say, no such flow).
    Runtime(RuntimeError),
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverError::NoRuntime => {
                f.write_str("the driver must be created inside a tokio runtime")
            }
            DriverError::AlreadyOpen(id) => write!(f, "the conversation `{id}` is already open"),
            DriverError::Unknown(id) => write!(f, "no live conversation `{id}`"),
            DriverError::NotACustomerEvent => {
                f.write_str("only customer messages and opt-outs can be sent to a conversation")
            }
            DriverError::Runtime(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for DriverError {}

/// Counters since the driver started, and the table's state now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Conversations open now.
    pub live: usize,
    /// Bytes of the snapshots of the live conversations nobody is running now.
    pub snapshot_bytes: usize,
    pub opened: u64,
    pub ended: u64,
    pub failed: u64,
    /// VM runs: `start`, and every `resume` (customer events, host results, timers).
    pub turns: u64,
    pub host_calls: u64,
    /// Items the host's channel refused (it was closed).
    pub undelivered: u64,
}

#[derive(Default)]
struct Counters {
    opened: AtomicU64,
    ended: AtomicU64,
    failed: AtomicU64,
    turns: AtomicU64,
    host_calls: AtomicU64,
    undelivered: AtomicU64,
    /// Numbers timers, so a stale one is recognised.
    timers: AtomicU64,
}

/// Runs the conversations of one program. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Driver {
    inner: Arc<Inner>,
}

struct Inner {
    program: Arc<Program>,
    hosts: Hosts,
    outbox: mpsc::Sender<(ConversationId, Outbound)>,
    log: Arc<dyn LogSink>,
    table: Table,
    runtime: Handle,
    counters: Counters,
}

/// How a conversation's task begins.
enum Job {
    Start(Box<Session>),
    Resume(Box<[u8]>),
}

impl Driver {
    /// A driver for `program` (its scripts already loaded into `hosts`), delivering to
    /// `outbox`. Must be called inside a tokio runtime, which then runs the
    /// conversations; a bounded `outbox` slows conversations down when the host reads
    /// slowly rather than buffering without limit.
    pub fn new(
        program: Arc<Program>,
        hosts: Hosts,
        outbox: mpsc::Sender<(ConversationId, Outbound)>,
        log: Arc<dyn LogSink>,
    ) -> Result<Driver, DriverError> {
        let runtime = Handle::try_current().map_err(|_| DriverError::NoRuntime)?;
        Ok(Driver {
            inner: Arc::new(Inner {
                program,
                hosts,
                outbox,
                log,
                table: Table::new(),
                runtime,
                counters: Counters::default(),
            }),
        })
    }

    /// Opens a conversation at the entry of `flow` (the program's entry when `None`)
    /// and runs it to its first wait. `ctx.now` sets its clock, which then advances
    /// with the driver's (tokio's) clock.
    pub fn open(
        &self,
        id: ConversationId,
        flow: Option<&str>,
        ctx: Context,
    ) -> Result<(), DriverError> {
        let opened_at = ctx.now;
        let session = Session::new(&self.inner.program, flow, ctx).map_err(DriverError::Runtime)?;
        if !self.inner.table.open(&id, opened_at) {
            return Err(DriverError::AlreadyOpen(id));
        }
        self.inner.counters.opened.fetch_add(1, Ordering::Relaxed);
        self.inner.spawn(id, Job::Start(Box::new(session)));
        Ok(())
    }

    /// Queues a customer message (`Event::Message`) or an opt-out for the conversation.
    /// It is handed to the VM after every earlier event of the conversation.
    pub fn send(&self, id: &ConversationId, event: Event) -> Result<(), DriverError> {
        if !matches!(event, Event::Message(_) | Event::OptOut) {
            return Err(DriverError::NotACustomerEvent);
        }
        self.inner.push(id, Inbound::Event(event))
    }

    /// Drops a live conversation without running it further (people took it over);
    /// its pending events are discarded. False when it was not live.
    pub fn close(&self, id: &ConversationId) -> bool {
        self.inner.table.remove(id)
    }

    pub fn stats(&self) -> Stats {
        let (live, snapshot_bytes) = self.inner.table.census();
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let counters = &self.inner.counters;
        Stats {
            live,
            snapshot_bytes,
            opened: read(&counters.opened),
            ended: read(&counters.ended),
            failed: read(&counters.failed),
            turns: read(&counters.turns),
            host_calls: read(&counters.host_calls),
            undelivered: read(&counters.undelivered),
        }
    }
}

impl Inner {
    /// Starts a conversation's task, and a watcher that ends the conversation on the
    /// fail path if the task panics (an adapter's bug, the VM's): its slot would
    /// otherwise stay "running" forever, queueing later messages nobody handles.
    fn spawn(self: &Arc<Inner>, id: ConversationId, job: Job) {
        let task = {
            let inner = Arc::clone(self);
            let id = id.clone();
            self.runtime.spawn(async move { inner.run(id, job).await })
        };
        let inner = Arc::clone(self);
        self.runtime.spawn(async move {
            if let Err(err) = task.await {
                let why = match err.try_into_panic() {
                    Ok(payload) => payload
                        .downcast_ref::<&str>()
                        .map(|it| it.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic".to_string()),
                    Err(err) => err.to_string(),
                };
                let reason = format!("the conversation's task failed: {why}");
                inner.fail(&id, reason).await;
            }
        });
    }

    fn push(self: &Arc<Inner>, id: &ConversationId, inbound: Inbound) -> Result<(), DriverError> {
        match self.table.push(id, inbound) {
            Err(()) => Err(DriverError::Unknown(id.clone())),
            Ok(Some(snapshot)) => {
                self.spawn(id.clone(), Job::Resume(snapshot));
                Ok(())
            }
            Ok(None) => Ok(()),
        }
    }

    /// A conversation's task: runs it until its inbox is empty, then stores it.
    async fn run(self: Arc<Inner>, id: ConversationId, job: Job) {
        let mut session = match job {
            Job::Start(mut session) => {
                let turn = session.start(&self.program);
                if !self.settle(&id, &mut session, turn).await {
                    return;
                }
                *session
            }
            Job::Resume(bytes) => match Session::restore(&bytes, &self.program) {
                Ok(session) => session,
                Err(error) => {
                    let reason = format!("the stored conversation cannot be restored: {error}");
                    return self.fail(&id, reason).await;
                }
            },
        };
        loop {
            let Some(Next::Handle { inbound, now }) = self.table.next(&id, || session.snapshot())
            else {
                return;
            };
            let event = match inbound {
                Inbound::Event(event) => {
                    session.set_now(now);
                    event
                }
                // The VM moves the clock by the timer's length itself.
                Inbound::Timer(_) => Event::TimerFired,
            };
            let turn = session.resume(&self.program, event);
            if !self.settle(&id, &mut session, turn).await {
                return;
            }
        }
    }

    /// Delivers a turn's outputs and does what its wait asks, executing host calls and
    /// resuming with their results until the conversation waits for the customer or a
    /// timer (true) or is over (false).
    async fn settle(
        self: &Arc<Inner>,
        id: &ConversationId,
        session: &mut Session,
        mut turn: Result<Turn, RuntimeError>,
    ) -> bool {
        loop {
            self.counters.turns.fetch_add(1, Ordering::Relaxed);
            let Turn { outputs, wait } = match turn {
                Ok(turn) => turn,
                Err(error) => {
                    self.fail(id, error.to_string()).await;
                    return false;
                }
            };
            for output in outputs {
                self.deliver(id, Outbound::Output(output)).await;
            }
            match wait {
                Wait::Customer => return true,
                Wait::Timer { secs } => {
                    self.arm(id, secs);
                    return true;
                }
                Wait::Done(ending) => {
                    self.table.remove(id);
                    self.counters.ended.fetch_add(1, Ordering::Relaxed);
                    self.deliver(id, Outbound::Ended(ending)).await;
                    return false;
                }
                Wait::Host(call) => {
                    // A conversation closed meanwhile is not worth the call.
                    let Some(now) = self.table.now(id) else {
                        return false;
                    };
                    session.set_now(now);
                    self.counters.host_calls.fetch_add(1, Ordering::Relaxed);
                    let result =
                        host::execute(&call, &self.hosts, session.now(), id, &*self.log).await;
                    if let Some(now) = self.table.now(id) {
                        session.set_now(now);
                    }
                    turn = session.resume(&self.program, Event::HostResult(result));
                }
            }
        }
    }

    /// Starts the timer of a `Wait::Timer` unless it already runs.
    fn arm(self: &Arc<Inner>, id: &ConversationId, secs: u64) {
        let number = self.counters.timers.fetch_add(1, Ordering::Relaxed);
        if !self.table.arm(id, number) {
            return;
        }
        let driver: Weak<Inner> = Arc::downgrade(self);
        let id = id.clone();
        self.runtime.spawn(async move {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            if let Some(inner) = driver.upgrade() {
                // The conversation may have ended or been closed meanwhile.
                let _ = inner.push(&id, Inbound::Timer(number));
            }
        });
    }

    async fn fail(&self, id: &ConversationId, reason: String) {
        let reason = fluxo_stdlib::mask::mask(&reason);
        self.log.record(LogRecord::new(
            id,
            Level::Error,
            format!("the conversation stopped: {reason}"),
        ));
        self.table.remove(id);
        self.counters.failed.fetch_add(1, Ordering::Relaxed);
        self.deliver(id, Outbound::Failed(reason)).await;
    }

    async fn deliver(&self, id: &ConversationId, item: Outbound) {
        if self.outbox.send((id.clone(), item)).await.is_err() {
            self.counters.undelivered.fetch_add(1, Ordering::Relaxed);
        }
    }
}

//! The crash test (SERVER.md §5): conversations sent to `fluxo serve` while it is
//! killed with SIGKILL at random moments and started again on the same data; then
//! every conversation's transcript is judged against the offline engine (`oracle`).
//!
//! With a shared store (PostgreSQL) several servers run at once: the messages of one
//! conversation go to servers picked at random, and a kill takes one down while the
//! others go on; the transcripts are held to the same oracle.
//!
//! A message is sent until it is acknowledged (202, or 200 with `?wait=true`),
//! repeating the same id after no answer, as a channel platform does; so every input
//! the oracle expects was acknowledged, and a transcript missing one lost it.

mod judge;
mod prepare;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::client::{Ack, Api, Message, SendError};
use crate::oracle::Expected;
use crate::rng::Rng;
use crate::script::Conversation;
use crate::server::{Server, ServerSpec};
use crate::Result;

#[derive(Clone, Debug)]
pub struct CrashOptions {
    pub fluxo: PathBuf,
    /// The program folder (examples/provedor): its flows, scripts and transcripts.
    pub program: PathBuf,
    /// A scratch folder: the program with the run's fixture, the data, the log.
    pub work: PathBuf,
    pub conversations: usize,
    pub seed: u64,
    /// SIGKILLs, each followed by a start. Those after the last message is sent
    /// still count: the server then has turns queued in its inbox.
    pub kills: usize,
    /// A kill comes this many milliseconds after the previous start (uniform).
    pub kill_gap_ms: (u64, u64),
    /// Conversations in flight at once (one connection each).
    pub concurrency: usize,
    /// Share of messages sent with `?wait=true`, in percent.
    pub wait_percent: u64,
    /// A customer's pause before each message, in milliseconds (uniform): spreads the
    /// sending over the kills.
    pub think_ms: (u64, u64),
    /// The opening clock of every conversation, on both sides.
    pub now: String,
    /// How long, after the last message, the server may take to catch up.
    pub settle: Duration,
    /// `fluxo serve --store`: a PostgreSQL URL the servers share; `None`: one
    /// server on a data folder.
    pub store: Option<String>,
    /// Servers at once (on `store`): each message goes to one picked at random, and
    /// each kill hits one at random while the others go on.
    pub processes: usize,
}

#[derive(Debug, Default)]
pub struct CrashReport {
    /// Server starts.
    pub runs: usize,
    pub kills: usize,
    pub conversations: usize,
    /// Acknowledged messages (each counted once, however often it was sent).
    pub messages: usize,
    /// Sends repeated with the same id after no answer.
    pub resends: usize,
    /// `?wait=true` replies checked against the oracle's turn.
    pub replies: usize,
    /// `?wait=true` replies answered with `"wait": "write"`: the reply stored at a
    /// write's checkpoint (the outputs before the write), not the turn's. A finding
    /// about the server (see docs/crash-and-load.md), listed apart from `failures` so
    /// that a fix shows as this going to zero: one example per conversation.
    pub partial_replies: Vec<String>,
    /// Accepted divergences: a write whose outcome a kill made unknown.
    pub outcome_unknown: usize,
    /// Lines of the server's log that mention an unknown outcome.
    pub outcome_unknown_logged: usize,
    /// Generated conversations left out (nothing left after `oracle::cut`).
    pub dropped: usize,
    /// From the first start to the last acknowledgement, and kills within it.
    pub sending: Duration,
    pub kills_while_sending: usize,
    pub elapsed: Duration,
    /// What broke a promise; empty when the run passes.
    pub failures: Vec<String>,
}

impl std::fmt::Display for CrashReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "runs {}, kills {}, conversations {}, messages {} ({} resent after no answer), \
             replies checked {}, divergences {} (write outcome unknown; {} log lines say so), \
             left out {}, {:.1} s ({:.1} s sending, with {} of the kills)",
            self.runs,
            self.kills,
            self.conversations,
            self.messages,
            self.resends,
            self.replies,
            self.outcome_unknown,
            self.outcome_unknown_logged,
            self.dropped,
            self.elapsed.as_secs_f64(),
            self.sending.as_secs_f64(),
            self.kills_while_sending
        )?;
        if !self.partial_replies.is_empty() {
            writeln!(
                f,
                "partial replies {} (`?wait=true` answered at a write's checkpoint), e.g. {}",
                self.partial_replies.len(),
                self.partial_replies[0]
            )?;
        }
        for failure in self.failures.iter().take(20) {
            writeln!(f, "FAIL {failure}")?;
        }
        if self.failures.len() > 20 {
            writeln!(f, "... and {} more failures", self.failures.len() - 20)?;
        }
        Ok(())
    }
}

/// One conversation with its oracle, and what the run saw of it.
struct Case {
    conversation: Conversation,
    expected: Expected,
    /// `?wait=true` replies whose texts the oracle's turn does not hold.
    reply_problems: Mutex<Vec<String>>,
}

pub fn run(options: &CrashOptions) -> Result<CrashReport> {
    let started = Instant::now();
    let mut report = CrashReport::default();
    let (program, cases) = prepare::prepare(options, &mut report)?;
    report.conversations = cases.len();
    let mut spec = ServerSpec::in_work(&options.fluxo, &program, &options.work, &options.now);
    spec.store.clone_from(&options.store);
    crate::runtime()?.block_on(drive(options, &spec, Arc::new(cases), &mut report))?;
    report.outcome_unknown_logged = spec.outcome_unknown_lines();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// What the senders, the killer and the judge share.
struct Shared {
    /// The running servers' addresses (one changes at each of its starts).
    base: RwLock<Vec<String>>,
    server: Mutex<Vec<Option<Server>>>,
    /// Sends so far, for picking a server at random.
    picks: AtomicUsize,
    /// The server could not be started again: stop sending.
    broken: AtomicBool,
    next: AtomicUsize,
    messages: AtomicUsize,
    kills: AtomicUsize,
    resends: AtomicUsize,
    replies: AtomicUsize,
    failures: Mutex<Vec<String>>,
    partial: Mutex<Vec<String>>,
}

impl Shared {
    /// A running server's address, picked at random.
    fn base(&self) -> String {
        let pick = self.picks.fetch_add(1, Ordering::SeqCst) as u64;
        let bases = self.base.read().map(|it| it.clone()).unwrap_or_default();
        let index = Rng::new(pick).below(bases.len().max(1));
        bases.get(index).cloned().unwrap_or_default()
    }

    fn fail(&self, failure: String) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.push(failure);
        }
    }
}

async fn drive(
    options: &CrashOptions,
    spec: &ServerSpec,
    cases: Arc<Vec<Case>>,
    report: &mut CrashReport,
) -> Result<()> {
    let servers = (0..options.processes.max(1))
        .map(|_| spec.start())
        .collect::<Result<Vec<Server>>>()?;
    report.runs = servers.len();
    let shared = Arc::new(Shared {
        base: RwLock::new(servers.iter().map(|it| it.base.clone()).collect()),
        server: Mutex::new(servers.into_iter().map(Some).collect()),
        picks: AtomicUsize::new(0),
        broken: AtomicBool::new(false),
        next: AtomicUsize::new(0),
        messages: AtomicUsize::new(0),
        kills: AtomicUsize::new(0),
        resends: AtomicUsize::new(0),
        replies: AtomicUsize::new(0),
        failures: Mutex::new(Vec::new()),
        partial: Mutex::new(Vec::new()),
    });
    let api = Api::new(Duration::from_secs(30))?;
    let senders: Vec<_> = (0..options.concurrency.max(1))
        .map(|_| {
            let (shared, cases, api) = (shared.clone(), cases.clone(), api.clone());
            let options = options.clone();
            tokio::spawn(async move { sender(&shared, &cases, &api, &options).await })
        })
        .collect();
    let started = Instant::now();
    let killer = tokio::spawn(killer(shared.clone(), spec.clone(), options.clone()));
    for sender in senders {
        sender
            .await
            .map_err(|err| format!("a sender panicked: {err}"))?;
    }
    report.sending = started.elapsed();
    report.kills_while_sending = shared.kills.load(Ordering::SeqCst);
    let (runs, kills) = killer
        .await
        .map_err(|err| format!("the killer panicked: {err}"))?;
    report.runs += runs;
    report.kills = kills;
    report.outcome_unknown = judge::settle(&shared, &cases, &api, options.settle).await;
    report.messages = shared.messages.load(Ordering::SeqCst);
    report.resends = shared.resends.load(Ordering::SeqCst);
    report.replies = shared.replies.load(Ordering::SeqCst);
    report.partial_replies = shared
        .partial
        .lock()
        .map(|it| it.clone())
        .unwrap_or_default();
    report.failures = shared
        .failures
        .lock()
        .map(|it| it.clone())
        .unwrap_or_default();
    if let Ok(mut servers) = shared.server.lock() {
        for mut server in servers.drain(..).flatten() {
            if let Some(status) = server.exited() {
                report
                    .failures
                    .push(format!("the server exited on its own ({status})"));
            }
        }
    }
    Ok(())
}

/// What a customer writes first: it opens the conversation (docs/server.md: the
/// opening message is not an answer; the bot speaks first, as in `fluxo run`).
pub const OPENING: &str = "oi";

/// Takes conversations one after another and sends the opening message, then each
/// input, each until acknowledged.
async fn sender(shared: &Shared, cases: &[Case], api: &Api, options: &CrashOptions) {
    loop {
        let index = shared.next.fetch_add(1, Ordering::SeqCst);
        let Some(case) = cases.get(index) else {
            return;
        };
        let conversation = &case.conversation;
        let mut rng = Rng::new(options.seed ^ 0x5EED ^ index as u64);
        let texts = std::iter::once(OPENING).chain(case.expected.inputs.iter().map(String::as_str));
        for (turn, text) in texts.enumerate() {
            let id = format!("{}-m{turn}", conversation.key);
            let message = Message {
                key: &conversation.key,
                id: &id,
                text,
                name: &conversation.name,
                phone: &conversation.phone,
            };
            let wait = rng.chance(options.wait_percent);
            let (lo, hi) = options.think_ms;
            tokio::time::sleep(Duration::from_millis(rng.between(lo, hi))).await;
            let Some((ack, first_try)) = deliver(shared, api, &message, wait).await else {
                break;
            };
            shared.messages.fetch_add(1, Ordering::SeqCst);
            match (ack, first_try) {
                (Ack::Replied { wait, texts }, true) if wait == "write" => {
                    if let Ok(mut partial) = shared.partial.lock() {
                        partial.push(format!(
                            "{} turn {turn} (`{text}`): outputs {texts:?}",
                            conversation.key
                        ));
                    }
                }
                (Ack::Replied { texts, .. }, true) => {
                    shared.replies.fetch_add(1, Ordering::SeqCst);
                    judge::check_reply(case, turn, &texts);
                }
                _ => {}
            }
        }
    }
}

/// Sends until acknowledged: `(ack, whether the first send was)`; `None` (and a
/// failure recorded) when the server refuses it or stays unreachable for a minute.
async fn deliver(
    shared: &Shared,
    api: &Api,
    message: &Message<'_>,
    wait: bool,
) -> Option<(Ack, bool)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut first_try = true;
    loop {
        if shared.broken.load(Ordering::SeqCst) {
            return None;
        }
        let failure = match api.send(&shared.base(), message, wait).await {
            Ok(ack) => return Some((ack, first_try)),
            Err(SendError::NoAnswer(why)) => why,
            // Not ready yet after a start, or overloaded: a platform retries these too.
            Err(SendError::Status(status @ (429 | 500..=599), body)) => format!("{status} {body}"),
            Err(SendError::Status(status, body)) => {
                shared.fail(format!(
                    "{} message {} (`{}`): answered {status}: {body}",
                    message.key, message.id, message.text
                ));
                return None;
            }
        };
        if Instant::now() > deadline {
            shared.fail(format!(
                "{} message {}: no acknowledgement for a minute ({failure})",
                message.key, message.id
            ));
            return None;
        }
        first_try = false;
        shared.resends.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Kills the server at random moments and starts it again: `(starts, kills)`.
async fn killer(shared: Arc<Shared>, spec: ServerSpec, options: CrashOptions) -> (usize, usize) {
    let mut rng = Rng::new(options.seed ^ 0xC0FFEE);
    let (mut runs, mut kills) = (0, 0);
    while kills < options.kills {
        let (lo, hi) = options.kill_gap_ms;
        tokio::time::sleep(Duration::from_millis(rng.between(lo, hi))).await;
        let (ours, spec) = (shared.clone(), spec.clone());
        let victim = rng.below(options.processes.max(1));
        let restarted = tokio::task::spawn_blocking(move || restart(&ours, &spec, victim)).await;
        let failure = match restarted {
            Ok(Ok(())) => {
                shared.kills.fetch_add(1, Ordering::SeqCst);
                kills += 1;
                runs += 1;
                continue;
            }
            Ok(Err(err)) => err,
            Err(err) => format!("the restart panicked: {err}"),
        };
        // Without a server the senders would each wait a minute per message.
        shared.fail(failure);
        shared.broken.store(true, Ordering::SeqCst);
        break;
    }
    (runs, kills)
}

/// Kills server `victim` and starts it again; meanwhile the others take its sends.
fn restart(shared: &Shared, spec: &ServerSpec, victim: usize) -> Result<()> {
    let mut slots = shared
        .server
        .lock()
        .map_err(|_| "the server slot is poisoned".to_string())?;
    let slot = slots
        .get_mut(victim)
        .ok_or_else(|| format!("no server {victim}"))?;
    // The killed server's address while senders keep trying it: only a lone server's.
    let mut kept = None;
    if let Some(mut server) = slot.take() {
        if let Some(status) = server.exited() {
            shared.fail(format!("the server exited on its own ({status})"));
        }
        if let Ok(mut bases) = shared.base.write() {
            if bases.len() > 1 {
                bases.retain(|it| *it != server.base);
            } else {
                kept = Some(server.base.clone());
            }
        }
        server.kill()?;
    }
    let server = spec.start()?;
    if let Ok(mut bases) = shared.base.write() {
        match kept.and_then(|old| bases.iter().position(|it| *it == old)) {
            Some(at) => bases[at].clone_from(&server.base),
            None => bases.push(server.base.clone()),
        }
    }
    *slot = Some(server);
    Ok(())
}

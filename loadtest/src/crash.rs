//! The crash test (SERVER.md §5): conversations sent to `fluxo serve` while it is
//! killed with SIGKILL at random moments and started again on the same data; then
//! every conversation's transcript is judged against the offline engine (`oracle`).
//!
//! A message is sent until it is acknowledged (202, or 200 with `?wait=true`),
//! repeating the same id after no answer, as a channel platform does; so every input
//! the oracle expects was acknowledged, and a transcript missing one lost it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::client::{Ack, Api, Message, SendError};
use crate::fixture::Families;
use crate::oracle::{self, Expected, Oracle, Verdict};
use crate::rng::Rng;
use crate::script::{self, Conversation};
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
    let (program, cases) = prepare(options, &mut report)?;
    report.conversations = cases.len();
    let spec = ServerSpec {
        fluxo: options.fluxo.clone(),
        program,
        data: options.work.join("data"),
        now: Some(options.now.clone()),
        config: None,
        log: options.work.join("server.log"),
        start_timeout: Duration::from_secs(60),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start tokio: {err}"))?;
    runtime.block_on(drive(options, &spec, Arc::new(cases), &mut report))?;
    report.outcome_unknown_logged = spec.outcome_unknown_lines();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The program with the run's fixture, and the conversations with their oracles.
fn prepare(options: &CrashOptions, report: &mut CrashReport) -> Result<(PathBuf, Vec<Case>)> {
    let program = options.work.join("program");
    let _ = std::fs::remove_dir_all(&options.work);
    copy_program(&options.program, &program)?;
    let demo = read(&options.program.join("erp-demo.json"))?;
    let families = Families::new(&demo)?;
    let chats = script::load_chats(&options.program)?;
    let fixtures = options.work.join("fixtures");
    std::fs::create_dir_all(&fixtures).map_err(|err| format!("{}: {err}", fixtures.display()))?;
    // Two oracle processes at a time: the machine's cores, not more.
    let workers = 2;
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<(usize, Conversation, Expected)>> = Mutex::new(Vec::new());
    let dropped = AtomicUsize::new(0);
    let error: Mutex<Option<String>> = Mutex::new(None);
    let wanted = options.conversations;
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let (next, found, dropped, error) = (&next, &found, &dropped, &error);
            let (families, chats, program) = (&families, &chats, &program);
            let fixture = fixtures.join(format!("worker{worker}.json"));
            scope.spawn(move || loop {
                let have = found.lock().map(|it| it.len()).unwrap_or(wanted);
                if have >= wanted || error.lock().map(|it| it.is_some()).unwrap_or(true) {
                    return;
                }
                let index = next.fetch_add(1, Ordering::SeqCst);
                let conversation = script::conversation(chats, families, options.seed, index);
                let oracle = Oracle {
                    fluxo: options.fluxo.clone(),
                    program: program.clone(),
                    now: options.now.clone(),
                    fixture: Some(fixture.clone()),
                };
                let outcome = std::fs::write(&fixture, families.fixture([index]))
                    .map_err(|err| format!("{}: {err}", fixture.display()))
                    .and_then(|()| oracle.expected(&conversation));
                match outcome {
                    Ok(Some(expected)) => {
                        if let Ok(mut found) = found.lock() {
                            found.push((index, conversation, expected));
                        }
                    }
                    Ok(None) => {
                        dropped.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(err) => {
                        if let Ok(mut error) = error.lock() {
                            *error = Some(err);
                        }
                    }
                }
            });
        }
    });
    if let Some(err) = error.into_inner().ok().flatten() {
        return Err(err);
    }
    let mut found = found
        .into_inner()
        .map_err(|_| "an oracle worker panicked")?;
    found.sort_by_key(|(index, ..)| *index);
    found.truncate(wanted);
    report.dropped = dropped.load(Ordering::SeqCst);
    let fixture = families.fixture(found.iter().map(|(index, ..)| *index));
    let path = program.join("erp-demo.json");
    std::fs::write(&path, fixture).map_err(|err| format!("{}: {err}", path.display()))?;
    // The oracle's transcripts, for whoever reads a failure.
    let expected = options.work.join("expected");
    std::fs::create_dir_all(&expected).map_err(|err| format!("{}: {err}", expected.display()))?;
    for (_, conversation, it) in &found {
        let path = expected.join(format!("{}.chat", conversation.key));
        let text = format!("// {}\n{}\n", conversation.origin, it.lines.join("\n"));
        std::fs::write(&path, text).map_err(|err| format!("{}: {err}", path.display()))?;
    }
    let cases = found
        .into_iter()
        .map(|(_, conversation, expected)| Case {
            conversation,
            expected,
            reply_problems: Mutex::new(Vec::new()),
        })
        .collect();
    Ok((program, cases))
}

/// Copies the program folder without its transcripts (recursively: scripts).
fn copy_program(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|err| format!("{}: {err}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|err| format!("{}: {err}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_program(&path, &target)?;
        } else if path.extension().is_none_or(|it| it != "chat") {
            std::fs::copy(&path, &target).map_err(|err| format!("{}: {err}", path.display()))?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
}

/// What the senders, the killer and the judge share.
struct Shared {
    /// The running server's address (it changes at every start).
    base: RwLock<String>,
    server: Mutex<Option<Server>>,
    /// The server could not be started again: stop sending.
    broken: AtomicBool,
    next: AtomicUsize,
    messages: AtomicUsize,
    kills: AtomicUsize,
    resends: AtomicUsize,
    replies: AtomicUsize,
    failures: Mutex<Vec<String>>,
}

impl Shared {
    fn base(&self) -> String {
        self.base.read().map(|it| it.clone()).unwrap_or_default()
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
    let server = spec.start()?;
    report.runs = 1;
    let shared = Arc::new(Shared {
        base: RwLock::new(server.base.clone()),
        server: Mutex::new(Some(server)),
        broken: AtomicBool::new(false),
        next: AtomicUsize::new(0),
        messages: AtomicUsize::new(0),
        kills: AtomicUsize::new(0),
        resends: AtomicUsize::new(0),
        replies: AtomicUsize::new(0),
        failures: Mutex::new(Vec::new()),
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
    report.outcome_unknown = settle(&shared, &cases, &api, options.settle).await;
    report.messages = shared.messages.load(Ordering::SeqCst);
    report.resends = shared.resends.load(Ordering::SeqCst);
    report.replies = shared.replies.load(Ordering::SeqCst);
    report.failures = shared
        .failures
        .lock()
        .map(|it| it.clone())
        .unwrap_or_default();
    if let Ok(mut server) = shared.server.lock() {
        if let Some(mut server) = server.take() {
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
            if let (Ack::Replied { texts, .. }, true) = (ack, first_try) {
                shared.replies.fetch_add(1, Ordering::SeqCst);
                check_reply(case, turn, &texts);
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

/// A reply's texts must be the bot lines of its turn in the oracle (turn 0 is the
/// opening one, turn `n` follows the `n`-th input).
fn check_reply(case: &Case, turn: usize, texts: &[String]) {
    let lines = &case.expected.lines;
    let start = match turn.checked_sub(1) {
        None => 0,
        Some(input) => lines
            .iter()
            .enumerate()
            .filter(|(_, it)| oracle::customer(it).is_some())
            .nth(input)
            .map_or(lines.len(), |(at, _)| at + 1),
    };
    let end = lines[start..]
        .iter()
        .position(|it| oracle::customer(it).is_some())
        .map_or(lines.len(), |it| start + it);
    let wanted: Vec<&str> = lines[start..end]
        .iter()
        .filter_map(|it| it.strip_prefix("< ").or((it == "<").then_some("")))
        .collect();
    let got: Vec<&str> = texts.iter().flat_map(|it| it.split('\n')).collect();
    if got != wanted {
        if let Ok(mut problems) = case.reply_problems.lock() {
            problems.push(format!(
                "the reply of turn {turn} is {got:?}, the oracle's says {wanted:?}"
            ));
        }
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
        let restarted = tokio::task::spawn_blocking(move || restart(&ours, &spec)).await;
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

fn restart(shared: &Shared, spec: &ServerSpec) -> Result<()> {
    let mut slot = shared
        .server
        .lock()
        .map_err(|_| "the server slot is poisoned".to_string())?;
    if let Some(mut server) = slot.take() {
        if let Some(status) = server.exited() {
            shared.fail(format!("the server exited on its own ({status})"));
        }
        server.kill()?;
    }
    let server = spec.start()?;
    if let Ok(mut base) = shared.base.write() {
        base.clone_from(&server.base);
    }
    *slot = Some(server);
    Ok(())
}

/// Waits for every transcript to reach its verdict; records failures and returns
/// how many conversations took an accepted "outcome unknown" divergence.
async fn settle(shared: &Shared, cases: &[Case], api: &Api, patience: Duration) -> usize {
    let deadline = Instant::now() + patience;
    let mut pending: Vec<usize> = (0..cases.len()).collect();
    let mut unknown = 0;
    let base = shared.base();
    loop {
        let last = Instant::now() > deadline;
        let mut still = Vec::new();
        for &index in &pending {
            let case = &cases[index];
            let key = &case.conversation.key;
            let got = api.transcript(&base, key).await;
            match settled(case, got, last) {
                Settled::No => still.push(index),
                Settled::Yes { outcome_unknown } => unknown += usize::from(outcome_unknown),
                Settled::Failed(why) => shared.fail(format!(
                    "{key} ({}, inputs {:?}): {why}",
                    case.conversation.origin, case.expected.inputs
                )),
            }
        }
        pending = still;
        if pending.is_empty() || last {
            return unknown;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

enum Settled {
    No,
    Yes { outcome_unknown: bool },
    Failed(String),
}

fn settled(case: &Case, got: std::result::Result<Vec<String>, SendError>, last: bool) -> Settled {
    let expected = &case.expected;
    let got = match got {
        Ok(got) => got,
        Err(_) if !last => return Settled::No,
        Err(err) => return Settled::Failed(format!("no transcript: {err:?}")),
    };
    let replies = case
        .reply_problems
        .lock()
        .map(|it| it.clone())
        .unwrap_or_default();
    match oracle::judge(&expected.lines, &got) {
        Verdict::Same if replies.is_empty() => Settled::Yes {
            outcome_unknown: false,
        },
        Verdict::Same => Settled::Failed(replies.join("; ")),
        // After the fail path the inputs meant for the oracle's path answer other
        // questions, and one may open a new conversation under the key when the
        // fail path ended it (that one's opening message is not a line); so what is
        // checked is that the customer lines are the sent ones, in order, none twice.
        Verdict::OutcomeUnknown { write } => {
            let shown: Vec<&str> = got.iter().filter_map(|it| oracle::customer(it)).collect();
            let sent: Vec<&str> = expected.inputs.iter().map(String::as_str).collect();
            if !in_order(&shown, &sent) {
                Settled::Failed(format!(
                    "after `{write}` took its fail path, the customer lines are {shown:?}, not the sent {sent:?} in order"
                ))
            } else if shown.len() == sent.len() || sent.last() == shown.last() || last {
                Settled::Yes {
                    outcome_unknown: true,
                }
            } else {
                Settled::No
            }
        }
        Verdict::Behind if !last => Settled::No,
        Verdict::Behind => Settled::Failed(format!(
            "the transcript stops after {} of {} lines; acknowledged inputs lost? last line {:?}, next expected {:?}",
            got.len(),
            expected.lines.len(),
            got.last(),
            expected.lines.get(got.len())
        )),
        Verdict::Differs { at, expected, got } => Settled::Failed(format!(
            "line {} differs: expected {expected:?}, got {got:?}",
            at + 1
        )),
    }
}

/// Whether `shown` is `sent` with some items left out, in the same order.
fn in_order(shown: &[&str], sent: &[&str]) -> bool {
    let mut rest = sent.iter();
    shown.iter().all(|it| rest.any(|sent| sent == it))
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn customer_lines_after_a_fail_path_keep_the_sent_order() {
        assert!(in_order(&["1", "3"], &["1", "2", "3"]));
        assert!(in_order(&[], &["1"]));
        assert!(!in_order(&["3", "1"], &["1", "2", "3"]));
        assert!(!in_order(&["1", "1"], &["1", "2"]));
    }
}

//! The load benchmark (SERVER.md §5; a command, not a timed test): acknowledged
//! messages per second and p50/p99 latency of the 202 path and of the `?wait=true`
//! path, from this process to a `fluxo serve` child, over several connections; then
//! the store with many waiting conversations (seeded through the API): its size on
//! disk and the same figures against it. Baselines from the same run: a no-op HTTP
//! handler behind the same client, and the disk's synchronous writes per second.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::baseline;
use crate::client::{Api, Message};
use crate::server::ServerSpec;
use crate::Result;

#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub fluxo: PathBuf,
    pub program: PathBuf,
    /// A scratch folder: the data and the server's log.
    pub work: PathBuf,
    /// Requests in flight at once (one connection each).
    pub concurrency: usize,
    /// Messages of the 202 phase.
    pub messages: usize,
    /// Messages of the `?wait=true` phase.
    pub replies: usize,
    /// Messages per conversation (then the next conversation).
    pub per_conversation: usize,
    /// Waiting conversations to hold in the store (0: skip that part).
    pub conversations: usize,
    pub now: String,
    /// `fluxo serve --store`: a PostgreSQL URL (an empty database) the servers share.
    pub store: Option<String>,
    /// Servers at once on `store`; each sending task talks to one of them.
    pub processes: usize,
}

/// One phase's figures.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    pub requests: usize,
    pub errors: usize,
    pub secs: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Figures {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.secs.max(1e-9)
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} acknowledged in {:.2} s: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
            self.requests,
            self.secs,
            self.rate(),
            self.p50_ms,
            self.p99_ms
        )?;
        if self.errors > 0 {
            write!(f, " ({} not acknowledged)", self.errors)?;
        }
        Ok(())
    }
}

/// Runs the benchmark, printing each figure as it is measured.
pub fn run(options: &LoadOptions) -> Result<()> {
    let _ = std::fs::remove_dir_all(&options.work);
    let mut spec = ServerSpec::in_work(
        &options.fluxo,
        &options.program,
        &options.work,
        &options.now,
    );
    spec.store.clone_from(&options.store);
    let syncs = baseline::syncs_per_second(&spec.data, Duration::from_secs(2))?;
    println!("disk: {syncs:.0} fdatasync/s in {}", spec.data.display());
    crate::runtime()?.block_on(measure(options, &spec, syncs))
}

async fn measure(options: &LoadOptions, spec: &ServerSpec, syncs: f64) -> Result<()> {
    let api = Api::new(Duration::from_secs(60))?;
    let c = options.concurrency;
    let noop = baseline::noop_server().await?;
    let floor = hammer(
        &api,
        std::slice::from_ref(&noop),
        "noop",
        options,
        options.messages,
        false,
    )
    .await;
    println!("baseline, no-op HTTP handler in this process ({c} connections): {floor}");

    let servers = (0..options.processes.max(1))
        .map(|_| spec.start())
        .collect::<Result<Vec<_>>>()?;
    let bases: Vec<String> = servers.iter().map(|it| it.base.clone()).collect();
    println!("fluxo serve: {}", bases.join(", "));
    let base = &bases[..];
    let ack = hammer(&api, base, "ack", options, options.messages, false).await;
    println!("202 path ({c} connections): {ack}");
    println!(
        "  = {:.2} x the no-op handler's rate; p99 {:.1} x its p99; {:.2} messages per fdatasync the disk can do",
        ack.rate() / floor.rate().max(1e-9),
        ack.p99_ms / floor.p99_ms.max(1e-9),
        ack.rate() / syncs.max(1e-9)
    );
    let drained = drain(&api, &bases[0], "ack", options).await;
    println!(
        "  turns caught up {:.2} s after the last acknowledgement: {:.0} turns/s over the phase",
        drained,
        ack.requests as f64 / (ack.secs + drained)
    );
    let reply = hammer(&api, base, "reply", options, options.replies, true).await;
    println!("?wait=true path ({c} connections): {reply}");

    if options.conversations > 0 {
        let seeding = LoadOptions {
            per_conversation: 1,
            ..options.clone()
        };
        let seed = hammer(
            &api,
            base,
            "waiting",
            &seeding,
            options.conversations,
            false,
        )
        .await;
        println!(
            "seeding {} waiting conversations: {seed}",
            options.conversations
        );
        let drained = drain(&api, &bases[0], "waiting", &seeding).await;
        println!("  their first turns caught up {drained:.2} s after the last acknowledgement");
        // PostgreSQL's size is the database's: `SELECT pg_database_size(...)`.
        let bytes = size(&spec.data);
        println!(
            "store: {:.1} MiB on disk, {:.0} bytes per conversation held",
            bytes as f64 / 1048576.0,
            bytes as f64
                / (options.conversations + options.messages / options.per_conversation.max(1))
                    as f64
        );
        let ack = hammer(&api, base, "ack2", options, options.messages, false).await;
        println!("202 path with them in the store: {ack}");
        let reply = hammer(&api, base, "reply2", options, options.replies, true).await;
        println!("?wait=true path with them in the store: {reply}");
    }
    servers.into_iter().try_for_each(|it| it.kill())
}

/// Sends `total` messages from `concurrency` tasks (task `i` to server `i mod n`),
/// each task opening conversations
/// `<prefix>-<task>-<n>` and sending each `per_conversation` messages (`1`: yes to
/// the opt-in, then the first option of each menu) before the next.
async fn hammer(
    api: &Api,
    bases: &[String],
    prefix: &str,
    options: &LoadOptions,
    total: usize,
    wait: bool,
) -> Figures {
    let tasks = options.concurrency.max(1);
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let base = bases
                .get(task % bases.len().max(1))
                .cloned()
                .unwrap_or_default();
            let (api, prefix) = (api.clone(), prefix.to_string());
            let share = total / tasks + usize::from(task < total % tasks);
            let per = options.per_conversation.max(1);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(share);
                let mut errors = 0;
                for n in 0..share {
                    let key = format!("{prefix}-{task}-{}", n / per);
                    let id = format!("{key}-m{}", n % per);
                    let phone = format!("+55119{:04}{:04}", task % 10_000, (n / per) % 10_000);
                    let message = Message {
                        key: &key,
                        id: &id,
                        text: "1",
                        name: "Ana",
                        phone: &phone,
                    };
                    let sent = Instant::now();
                    match api.send(&base, &message, wait).await {
                        Ok(_) => latencies.push(sent.elapsed()),
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(total);
    let mut errors = 0;
    for handle in handles {
        if let Ok((latencies, failed)) = handle.await {
            all.extend(latencies);
            errors += failed;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |it| it.as_secs_f64() * 1000.0)
    };
    Figures {
        requests: all.len(),
        errors,
        secs,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
}

/// Seconds until the last conversation of every task shows the turn of its last
/// message: every answer as a `>` line (the opening message has none) and the bot's
/// lines after the last one; or until it stops changing for two seconds (it ended, or
/// the server stalled).
async fn drain(api: &Api, base: &str, prefix: &str, options: &LoadOptions) -> f64 {
    let started = Instant::now();
    let tasks = options.concurrency.max(1);
    let per = options.per_conversation.max(1);
    let total = if prefix == "waiting" {
        options.conversations
    } else {
        options.messages
    };
    let keys: Arc<Vec<(String, usize)>> = Arc::new(
        (0..tasks)
            .filter_map(|task| {
                let share = total / tasks + usize::from(task < total % tasks);
                let last = share.checked_sub(1)?;
                Some((format!("{prefix}-{task}-{}", last / per), last % per + 1))
            })
            .collect(),
    );
    for (key, messages) in keys.iter() {
        let mut seen = (0, Instant::now());
        loop {
            let lines = api.transcript(base, key).await.unwrap_or_default();
            let shown = lines.iter().filter(|it| it.starts_with('>')).count();
            let replied = lines.last().is_some_and(|it| !it.starts_with('>'));
            if (shown + 1 >= *messages && replied) || started.elapsed() > Duration::from_secs(600) {
                break;
            }
            let shown = lines.len();
            if shown != seen.0 {
                seen = (shown, Instant::now());
            } else if seen.1.elapsed() > Duration::from_secs(2) && shown > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    started.elapsed().as_secs_f64()
}

/// Bytes of the files under `dir`.
fn size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                size(&path)
            } else {
                entry.metadata().map_or(0, |it| it.len())
            }
        })
        .sum()
}

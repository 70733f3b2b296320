//! `fluxo-loadtest crash|load`: the crash test and the load benchmark of `fluxo serve`
//! as commands (docs/crash-and-load.md). Exit code 0 when the run kept every promise,
//! 1 when it found a failure, 2 when it could not run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use fluxo_loadtest::crash::{self, CrashOptions};
use fluxo_loadtest::load::{self, LoadOptions};

#[derive(Parser)]
#[command(
    name = "fluxo-loadtest",
    about = "Crash test and load benchmark of `fluxo serve`"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Common {
    /// The `fluxo` binary (default: the one next to this binary).
    #[arg(long)]
    fluxo: Option<PathBuf>,
    /// The program folder the server runs.
    #[arg(long, default_value = "examples/provedor")]
    program: PathBuf,
    /// A scratch folder, emptied first (default: one under the system's temp dir).
    #[arg(long)]
    work: Option<PathBuf>,
    /// The opening clock of every conversation (`--now` of `fluxo serve` and `fluxo run`).
    #[arg(long, default_value = "2026-11-23T10:00:00-03:00")]
    now: String,
    /// Requests in flight at once, one connection each.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// A PostgreSQL URL for `fluxo serve --store` (an empty database or schema),
    /// shared by `--processes` servers; default: one server on SQLite.
    #[arg(long)]
    store: Option<String>,
    /// Servers at once on `--store`.
    #[arg(long, default_value_t = 1)]
    processes: usize,
}

#[derive(Subcommand)]
enum Command {
    /// Scripted conversations while the server is SIGKILLed and restarted; every
    /// transcript is judged against the offline engine.
    Crash {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 2000)]
        conversations: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// At most this many SIGKILLs.
        #[arg(long, default_value_t = 100)]
        kills: usize,
        /// Shortest time between a start and the next kill, in milliseconds.
        #[arg(long, default_value_t = 200)]
        min_gap_ms: u64,
        /// Longest time between a start and the next kill, in milliseconds.
        #[arg(long, default_value_t = 2000)]
        max_gap_ms: u64,
        /// Share of messages sent with `?wait=true`, in percent.
        #[arg(long, default_value_t = 30)]
        wait_percent: u64,
        /// Shortest pause of a customer before a message, in milliseconds.
        #[arg(long, default_value_t = 0)]
        min_think_ms: u64,
        /// Longest pause of a customer before a message, in milliseconds.
        #[arg(long, default_value_t = 100)]
        max_think_ms: u64,
        /// Seconds the server may take to catch up after the last message.
        #[arg(long, default_value_t = 120)]
        settle_secs: u64,
    },
    /// Acknowledged messages/s and latencies, then the store with many waiting
    /// conversations.
    Load {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 20000)]
        messages: usize,
        #[arg(long, default_value_t = 5000)]
        replies: usize,
        #[arg(long, default_value_t = 5)]
        per_conversation: usize,
        /// Waiting conversations to seed through the API (0: skip).
        #[arg(long, default_value_t = 1_000_000)]
        conversations: usize,
    },
}

impl Common {
    fn fluxo(&self) -> PathBuf {
        self.fluxo.clone().unwrap_or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|it| it.parent().map(|dir| dir.join("fluxo")))
                .filter(|it| it.is_file())
                .unwrap_or_else(|| "fluxo".into())
        })
    }

    fn work(&self, what: &str) -> PathBuf {
        self.work.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("fluxo-{what}-{}", std::process::id()))
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (Command::Crash { common, .. } | Command::Load { common, .. }) = &cli.command;
    if common.processes > 1 && common.store.is_none() {
        return fail("--processes above 1 needs --store: one server per SQLite data folder");
    }
    match cli.command {
        Command::Crash {
            common,
            conversations,
            seed,
            kills,
            min_gap_ms,
            max_gap_ms,
            wait_percent,
            min_think_ms,
            max_think_ms,
            settle_secs,
        } => {
            let options = CrashOptions {
                fluxo: common.fluxo(),
                program: common.program.clone(),
                work: common.work("crash"),
                conversations,
                seed,
                kills,
                kill_gap_ms: (min_gap_ms, max_gap_ms.max(min_gap_ms)),
                concurrency: common.concurrency,
                wait_percent,
                think_ms: (min_think_ms, max_think_ms.max(min_think_ms)),
                now: common.now.clone(),
                settle: Duration::from_secs(settle_secs),
                store: common.store.clone(),
                processes: common.processes,
            };
            match crash::run(&options) {
                Ok(report) => {
                    print!("{report}");
                    println!("work folder: {}", options.work.display());
                    ExitCode::from(u8::from(!report.failures.is_empty()))
                }
                Err(err) => fail(&err),
            }
        }
        Command::Load {
            common,
            messages,
            replies,
            per_conversation,
            conversations,
        } => {
            let options = LoadOptions {
                fluxo: common.fluxo(),
                program: common.program.clone(),
                work: common.work("load"),
                concurrency: common.concurrency,
                messages,
                replies,
                per_conversation,
                conversations,
                now: common.now.clone(),
                store: common.store.clone(),
                processes: common.processes,
            };
            match load::run(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(&err),
            }
        }
    }
}

fn fail(err: &str) -> ExitCode {
    eprintln!("error: {err}");
    ExitCode::from(2)
}

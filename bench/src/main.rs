//! `fluxo-bench`: runs Fluxo and Yarn Spinner on the same generated ISP support flows,
//! in this one process, and prints a Markdown table of the figures against the targets
//! (BENCHMARKS.md has a real run).
//!
//! `cargo run --release -p fluxo-bench --features yarn -- [--sizes 100,1000,10000] [--sessions 1000000]`
//! (`--emit DIR` writes the generated programs instead of measuring them)

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use fluxo_bench::generate::generate;
use fluxo_bench::print_flow::print_flow;
use fluxo_bench::print_yarn::print_yarn;
use fluxo_bench::report;
use fluxo_bench::suite::{self, Options};

#[derive(Parser, Debug)]
#[command(
    name = "fluxo-bench",
    about = "Fluxo against Yarn Spinner on generated ISP support flows"
)]
struct Args {
    /// Program sizes in cards, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "100,1000,10000")]
    sizes: Vec<usize>,
    /// Waiting conversations held in memory for the resident-memory figure.
    #[arg(long, default_value_t = 1_000_000)]
    sessions: usize,
    /// Scripted customers per size (seeds 0..N).
    #[arg(long, default_value_t = 1_000)]
    conversations: usize,
    /// Answers after which a scripted customer stops answering.
    #[arg(long, default_value_t = 40)]
    max_answers: usize,
    /// The least seconds each timing runs for.
    #[arg(long, default_value_t = 2.0)]
    min_seconds: f64,
    /// The most MiB of live Yarn dialogues to hold for Yarn's memory figure.
    #[arg(long, default_value_t = 1024)]
    yarn_memory_mib: u64,
    /// Write each size's generated programs (`flows-N.flow`, `flows-N.yarn`) into this
    /// directory and stop, measuring nothing: to read them, or to profile one phase.
    #[arg(long, value_name = "DIR")]
    emit: Option<PathBuf>,
}

/// Writes the programs of every size both engines would be given.
fn emit(dir: &Path, sizes: &[usize]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for &cards in sizes {
        let model = generate(cards);
        let flow = dir.join(format!("flows-{cards}.flow"));
        let yarn = dir.join(format!("flows-{cards}.yarn"));
        std::fs::write(&flow, print_flow(&model))?;
        std::fs::write(&yarn, print_yarn(&model))?;
        println!("{} and {}", flow.display(), yarn.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.sizes.is_empty()
        || args.conversations == 0
        || args.sessions == 0
        || args.max_answers == 0
    {
        eprintln!(
            "error: --sizes, --conversations, --sessions and --max-answers must not be empty or 0"
        );
        return ExitCode::from(2);
    }
    if let Some(dir) = &args.emit {
        return match emit(dir, &args.sizes) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: cannot write into {}: {error}", dir.display());
                ExitCode::FAILURE
            }
        };
    }
    let options = Options {
        conversations: args.conversations,
        max_answers: args.max_answers,
        sessions: args.sessions,
        min_time: Duration::from_secs_f64(args.min_seconds.max(0.0)),
        yarn_memory_budget: args.yarn_memory_mib << 20,
    };
    let mut all = Vec::new();
    for cards in &args.sizes {
        let mut log = |line: &str| eprintln!("[{cards}] {line}");
        match suite::measure(*cards, &options, &mut log) {
            Ok(figures) => {
                // Each size's rows as soon as they are known: a long run keeps them
                // even if it is stopped.
                let rows = report::markdown(&report::machine(), "", std::slice::from_ref(&figures));
                eprintln!("{rows}");
                all.push(figures);
            }
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let command = format!("cargo run --release -p fluxo-bench --features yarn -- {command}");
    print!(
        "{}",
        report::markdown(&report::machine(), command.trim_end(), &all)
    );
    ExitCode::SUCCESS
}

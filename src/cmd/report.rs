//! `fluxo report`: the operator figures of a period (containment, hand-offs by
//! department, drop-off per card, survey scores, ERP latency and failures, timers
//! fired), read from a `fluxo serve` store, for operators without Prometheus. It
//! only reads: the server may run meanwhile.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use fluxo_server::engine::now_ms;
use fluxo_server::report::{parse_instant, Report};
use fluxo_server::store::{Spec, Store};

use crate::files::{CliError, CliResult};
use crate::report::Format;

/// Print the operator report of a period from a server's store (docs/server.md).
#[derive(clap::Args)]
pub struct Args {
    /// The server's data folder (its store is DIR/fluxo.db).
    #[arg(long, default_value = ".fluxo")]
    data: PathBuf,
    /// The store, as a URL: `sqlite:FILE`, or the PostgreSQL database several servers
    /// share (`postgres://user@host/database`); wins over --data.
    #[arg(long)]
    store: Option<String>,
    /// The start of the period, included: RFC 3339 or a date (midnight UTC). Default:
    /// the beginning.
    #[arg(long)]
    since: Option<String>,
    /// The end of the period, excluded: RFC 3339 or a date (midnight UTC). Default: now.
    #[arg(long)]
    until: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn instant(flag: &str, text: Option<&str>, default: i64) -> CliResult<i64> {
    match text {
        None => Ok(default),
        Some(text) => parse_instant(text).ok_or_else(|| {
            CliError(format!(
                "{flag}: `{text}` is neither an RFC 3339 instant (2026-11-23T10:00:00-03:00) \
                 nor a date (2026-11-23)"
            ))
        }),
    }
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let store = open(&args)?;
    let since = instant("--since", args.since.as_deref(), 0)?;
    let until = instant("--until", args.until.as_deref(), now_ms())?;
    let report = Report::read(store.as_ref(), since, until).map_err(|e| CliError(e.to_string()))?;
    match args.format {
        Format::Text => print!("{}", report.text()),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| CliError(e.to_string()))?
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// The store `--store` or `--data` names, which must exist: opening a SQLite file
/// would create an empty one, so a wrong path says so instead.
fn open(args: &Args) -> CliResult<Arc<dyn Store>> {
    let spec = match args.store.as_deref() {
        None => Spec::Sqlite(args.data.join("fluxo.db")),
        Some(url) => Spec::parse(url).map_err(|e| CliError(format!("--store: {}", e.0)))?,
    };
    if let Spec::Sqlite(path) = &spec {
        if !path.is_file() {
            return Err(CliError(format!("{}: no store there", path.display())));
        }
    }
    fluxo_server::store::open(&spec).map_err(|e| CliError(e.to_string()))
}

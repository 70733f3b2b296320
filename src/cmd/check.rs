//! `fluxo check PATH...`: parse and check each program (a `.flow` file, a folder of
//! them, or `-` for standard input) and the Low Code scripts it names, report all
//! diagnostics.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fluxo_compiler::CheckOptions;

use crate::files::{self, CliResult};
use crate::report::{self, Format};

/// Check flows for errors and warnings without running them.
#[derive(clap::Args)]
pub struct Args {
    /// Programs: each a .flow file or a folder of them (searched recursively); `-`
    /// reads one flow from standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with 1 when there are warnings, too.
    #[arg(long)]
    deny_warnings: bool,
    /// The flow conversations start at.
    #[arg(long, default_value = "main")]
    entry: String,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let mut failed = false;
    for path in &args.paths {
        failed |= check(path, &args)?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Checks one program; whether it failed.
fn check(path: &Path, args: &Args) -> CliResult<bool> {
    let options = CheckOptions {
        entry: args.entry.clone(),
    };
    let (sources, checked) = files::load_parsed(path)?.check(&options);
    let diagnostics = &checked.diagnostics;
    report::print(&sources, diagnostics, args.format);
    let failed = diagnostics
        .iter()
        .any(|d| d.is_error() || args.deny_warnings);
    if matches!(args.format, Format::Text) {
        let verdict = if failed { "failed" } else { "ok" };
        let n_flows = sources.flows().count();
        let n_scripts = sources.len() - n_flows;
        eprintln!(
            "check {verdict}: {n_flows} file(s), {n_scripts} script(s), {}",
            report::summary(diagnostics)
        );
    }
    Ok(failed)
}

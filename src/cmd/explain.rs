//! `fluxo explain CODE`: what a diagnostic code means and what to do about it;
//! `fluxo explain --all` prints every code, as `docs/diagnostics.md` holds them.

use std::process::ExitCode;

use fluxo_compiler::codes;

use crate::files::{CliError, CliResult};

/// Explain a diagnostic code, such as E0201.
#[derive(clap::Args)]
pub struct Args {
    /// The code, such as E0201 or W0501.
    #[arg(required_unless_present = "all")]
    code: Option<String>,
    /// Print every code as Markdown (the text of docs/diagnostics.md).
    #[arg(long, conflicts_with = "code")]
    all: bool,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    if args.all {
        print!("{}", codes::markdown());
        return Ok(ExitCode::SUCCESS);
    }
    let code = args.code.unwrap_or_default();
    let Some(entry) = codes::lookup(&code) else {
        return Err(CliError(format!("unknown diagnostic code `{code}`")));
    };
    let kind = match entry.severity {
        fluxo_grammar::Severity::Error => "error",
        fluxo_grammar::Severity::Warning => "warning",
    };
    println!(
        "{} ({kind}): {}\n\n{}",
        entry.code, entry.title, entry.explanation
    );
    Ok(ExitCode::SUCCESS)
}

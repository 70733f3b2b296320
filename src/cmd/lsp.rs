//! `fluxo lsp`: the language server on standard input and output, for editors
//! (docs/editors.md). Everything it does lives in the `fluxo-lsp` crate.

use std::process::ExitCode;

use crate::files::{CliError, CliResult};

/// Run the language server on stdin/stdout (editors start it; see docs/editors.md).
///
/// Exit status: 0 when the client sent `shutdown` then `exit`, 1 when the session
/// ended otherwise, 2 on an I/O error.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> CliResult<ExitCode> {
    let code = fluxo_lsp::serve_stdio().map_err(|err| CliError(format!("fluxo lsp: {err}")))?;
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

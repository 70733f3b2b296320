//! `fluxo cards`: the card catalogue, as `docs/cards.md` shows it.

use std::process::ExitCode;

use crate::files::CliResult;

/// Print the card catalogue: every card, its parameters and the ERP matrix.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> CliResult<ExitCode> {
    print!("{}", fluxo_stdlib::docs::cards_markdown());
    Ok(ExitCode::SUCCESS)
}

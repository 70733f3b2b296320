//! The `fluxo` command line: the only place that reads files, writes to the terminal and
//! chooses exit codes. Each command lives in `cmd/<command>.rs`.
//!
//! Exit codes: 0 success, 1 the input has errors (or differs, for `fmt --check`),
//! 2 usage or I/O error.

mod chat;
mod cmd;
use fluxo::files;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Fluxo: customer-service chatbot flows as version-controlled text.
#[derive(Parser)]
#[command(name = "fluxo", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check(cmd::check::Args),
    Build(cmd::build::Args),
    Disasm(cmd::disasm::Args),
    Cards(cmd::cards::Args),
    Fmt(cmd::fmt::Args),
    Graph(cmd::graph::Args),
    Explain(cmd::explain::Args),
    Export(cmd::export::Args),
    Import(cmd::import::Args),
    Run(cmd::run::Args),
    Test(cmd::test::Args),
    Serve(cmd::serve::Args),
    Lsp(cmd::lsp::Args),
    Report(cmd::report::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Build(args) => cmd::build::run(args),
        Command::Disasm(args) => cmd::disasm::run(args),
        Command::Cards(args) => cmd::cards::run(args),
        Command::Fmt(args) => cmd::fmt::run(args),
        Command::Graph(args) => cmd::graph::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Run(args) => cmd::run::run(args),
        Command::Test(args) => cmd::test::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Lsp(args) => cmd::lsp::run(args),
        Command::Report(args) => cmd::report::run(args),
    };
    match res {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

//! `fluxo export PATH -o flows.json`: a program as one Opa JSON document.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::files::{self, CliResult};
use crate::report::{self, Format};

/// Write a program (a .flow file or a folder) as an Opa flow export (JSON).
#[derive(clap::Args)]
pub struct Args {
    /// A .flow file or a folder of them (searched recursively).
    path: PathBuf,
    /// The JSON file to write.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let sources = files::load_sources(&args.path)?;
    let (parsed, diagnostics) = fluxo_compiler::parse_all(&sources);
    if diagnostics.iter().any(|d| d.is_error()) {
        report::print(&sources, &diagnostics, Format::Text);
        eprintln!("export failed: the program has syntax errors");
        return Ok(ExitCode::from(1));
    }
    let asts: Vec<_> = parsed.into_iter().map(|f| f.ast).collect();
    let json = match fluxo_compiler::json::export(&asts) {
        Ok(json) => json,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::from(1));
        }
    };
    files::write(&args.output, &json)?;
    eprintln!(
        "exported {} file(s) to {}",
        sources.len(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

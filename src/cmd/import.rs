//! `fluxo import flows.json -o DIR`: an Opa flow export as formatted `.flow` files, one
//! per flow plus `entities.flow` for the declarations.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::files::{self, io_error, CliError, CliResult};

/// Read an Opa flow export (JSON) into .flow files.
#[derive(clap::Args)]
pub struct Args {
    /// The exported JSON file.
    input: PathBuf,
    /// The folder to write the .flow files to (created if missing).
    #[arg(short, long)]
    output: PathBuf,
    /// Write into a folder that is not empty, replacing files of the same names.
    #[arg(long)]
    force: bool,
}

/// The file the declarations go to.
const ENTITIES: &str = "entities.flow";

pub fn run(args: Args) -> CliResult<ExitCode> {
    let json = files::read(&args.input)?;
    let imported = match fluxo_compiler::json::import(&json) {
        Ok(imported) => imported,
        Err(err) => {
            eprintln!("error: {}: {err}", args.input.display());
            return Ok(ExitCode::from(1));
        }
    };
    prepare(&args.output, args.force)?;
    let mut written = 0;
    if !imported.declarations.items.is_empty() {
        let text = fluxo_grammar::format(&imported.declarations, &[], "");
        files::write(&args.output.join(ENTITIES), &text)?;
        written += 1;
    }
    for (name, file) in &imported.flows {
        let text = fluxo_grammar::format(file, &[], "");
        files::write(&args.output.join(format!("{name}.flow")), &text)?;
        written += 1;
    }
    for warning in &imported.warnings {
        eprintln!("warning: {}: {warning}", args.input.display());
    }
    eprintln!(
        "imported {} flow(s) into {} file(s) in {}, {} warning(s)",
        imported.flows.len(),
        written,
        args.output.display(),
        imported.warnings.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates `dir`, or checks that it is empty unless `force`.
fn prepare(dir: &Path, force: bool) -> CliResult<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(CliError(format!(
                    "{} is not empty; pass --force to write into it",
                    dir.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))
        }
        Err(e) => Err(io_error(dir, &e)),
    }
}

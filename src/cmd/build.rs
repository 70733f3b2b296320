//! `fluxo build PATH [-o OUT] [--entry FLOW]`: compile a program to a verified `.fxb`
//! bytecode file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fluxo_compiler::CompileOptions;

use crate::files::{io_error, CliResult};
use crate::report::{self, Format};

/// Compile flows to a bytecode file (.fxb) that `fluxo run` and the runtime load.
#[derive(clap::Args)]
pub struct Args {
    /// A .flow file or a folder of them (searched recursively).
    path: PathBuf,
    /// Where to write the program; default `<name>.fxb` next to the input (for a
    /// folder, `<folder>.fxb` inside it).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The flow conversations start at.
    #[arg(long, default_value = "main")]
    entry: String,
}

fn default_output(input: &Path) -> PathBuf {
    // `.` and `..` have no stem of their own: name the program after the real folder.
    let stem = input
        .file_stem()
        .map(|it| it.to_string_lossy().to_string())
        .filter(|it| it != "." && it != "..")
        .or_else(|| {
            let real = input.canonicalize().ok()?;
            real.file_name().map(|it| it.to_string_lossy().to_string())
        })
        .unwrap_or_else(|| "program".to_string());
    if input.is_dir() {
        input.join(format!("{stem}.fxb"))
    } else {
        input.with_file_name(format!("{stem}.fxb"))
    }
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let sources = crate::files::load_program(&args.path)?;
    let compiled = fluxo_compiler::compile(&sources, &CompileOptions { entry: args.entry });
    report::print(&sources, &compiled.diagnostics, Format::Text);
    let Some(program) = compiled.program else {
        eprintln!("build failed: {}", report::summary(&compiled.diagnostics));
        return Ok(ExitCode::from(1));
    };
    let output = args.output.unwrap_or_else(|| default_output(&args.path));
    let bytes = program.to_bytes();
    std::fs::write(&output, &bytes).map_err(|err| io_error(&output, &err))?;
    eprintln!(
        "built {} ({} bytes, {} bytes of code, {} flow(s)) from {} file(s), {}",
        output.display(),
        bytes.len(),
        program.code.len(),
        program.flows.len(),
        sources.len(),
        report::summary(&compiled.diagnostics)
    );
    Ok(ExitCode::SUCCESS)
}

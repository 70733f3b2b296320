//! `fluxo build PATH [-o OUT] [--entry FLOW]`: compile a program to a verified `.fxb`
//! bytecode file. Like cargo, it never writes into the sources: without `-o` the
//! program goes to `target/fluxo/<name>.fxb` under the current folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fluxo_compiler::CompileOptions;

use crate::files::{io_error, CliResult};
use crate::report::{self, Format};

/// Compile flows to a bytecode file (.fxb) that `fluxo run` and the runtime load.
#[derive(clap::Args)]
pub struct Args {
    /// A .flow file or a folder of them (searched recursively); `-` reads one flow
    /// from standard input.
    path: PathBuf,
    /// Where to write the program; `-` writes it to standard output. Default
    /// `target/fluxo/<name>.fxb` under the current folder, `<name>` being the file's
    /// or the folder's name: the source folder is never written to.
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
        .filter(|it| it != "-")
        .unwrap_or_else(|| "program".to_string());
    Path::new(TARGET_DIR).join(format!("{stem}.fxb"))
}

/// Where programs built without `-o` go, relative to the current folder.
pub const TARGET_DIR: &str = "target/fluxo";

pub fn run(args: Args) -> CliResult<ExitCode> {
    let options = CompileOptions { entry: args.entry };
    let (sources, compiled) = crate::files::load_parsed(&args.path)?.compile(&options);
    report::print(&sources, &compiled.diagnostics, Format::Text);
    let Some(program) = compiled.program else {
        eprintln!("build failed: {}", report::summary(&compiled.diagnostics));
        return Ok(ExitCode::from(1));
    };
    let output = args.output.unwrap_or_else(|| default_output(&args.path));
    let bytes = program.to_bytes();
    if crate::files::is_stdio(&output) {
        std::io::stdout()
            .write_all(&bytes)
            .map_err(|err| io_error(&output, &err))?;
    } else {
        if let Some(dir) = output.parent().filter(|it| !it.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|err| io_error(dir, &err))?;
        }
        std::fs::write(&output, &bytes).map_err(|err| io_error(&output, &err))?;
    }
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

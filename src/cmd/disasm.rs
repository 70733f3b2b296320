//! `fluxo disasm PROGRAM.fxb [--source DIR]`: load (and so verify) a bytecode file and
//! print it one instruction per line, with the source lines when they can be found.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fluxo_runtime::bytecode::disasm::disassemble;
use fluxo_runtime::bytecode::Program;

use crate::files::CliResult;

/// Print a compiled program's instructions with their source lines.
#[derive(clap::Args)]
pub struct Args {
    /// The .fxb file; `-` reads it from standard input.
    program: PathBuf,
    /// Where the sources are, when not at the paths recorded in the program (those
    /// are relative to where `fluxo build` ran) nor next to the .fxb file.
    #[arg(long)]
    source: Option<PathBuf>,
}

/// The places a source file recorded as `name` may be, most specific first.
fn candidates(name: &str, fxb: &Path, source: Option<&Path>) -> Vec<PathBuf> {
    let recorded = PathBuf::from(name);
    let base = recorded
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| recorded.clone());
    let mut out = Vec::new();
    if let Some(dir) = source {
        out.push(dir.join(&recorded));
        out.push(dir.join(&base));
    }
    out.push(recorded);
    if let Some(dir) = fxb.parent() {
        out.push(dir.join(&base));
    }
    out
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let bytes = crate::files::read_bytes(&args.program)?;
    let program = match Program::from_bytes(&bytes) {
        Ok(program) => program,
        Err(err) => {
            eprintln!("error: {}: {err}", args.program.display());
            return Ok(ExitCode::from(1));
        }
    };
    let texts: Vec<Option<String>> = program
        .files
        .iter()
        .map(|name| {
            candidates(name, &args.program, args.source.as_deref())
                .into_iter()
                .find_map(|path| std::fs::read_to_string(path).ok())
        })
        .collect();
    let lookup = |name: &str, line: u32| -> Option<String> {
        let idx = program.files.iter().position(|it| it == name)?;
        let text = texts.get(idx)?.as_ref()?;
        text.lines()
            .nth(line.checked_sub(1)? as usize)
            .map(str::to_string)
    };
    print!("{}", disassemble(&program, Some(&lookup)));
    Ok(ExitCode::SUCCESS)
}

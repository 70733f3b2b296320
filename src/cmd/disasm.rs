//! `fluxo disasm PROGRAM.fxb [--source DIR]`: load (and so verify) a bytecode file and
//! print it one instruction per line, with the source lines when they can be found.
//!
//! The file table of a `.fxb` is untrusted: it may name `/etc/passwd` or a device that
//! never ends. A source line is therefore read only from a `.flow` or `.rhai` regular
//! file of at most [`SOURCE_LIMIT`] that lies (symbolic links resolved) inside a
//! folder the user pointed at: `--source DIR`, the current folder, or the `.fxb`'s
//! folder. Anything else is shown without its source line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fluxo_runtime::bytecode::disasm::disassemble;
use fluxo_runtime::bytecode::Program;

use crate::files::{CliResult, Limit};

/// The largest source file read for its lines: far above a real flow file, small enough
/// that a hostile file table cannot make disasm hold much.
const SOURCE_LIMIT: Limit = Limit {
    bytes: 8 << 20,
    what: "a source file shown by disasm",
};

/// The kinds of file a program's file table names: flows and Low Code scripts.
const SOURCE_EXTENSIONS: [&str; 2] = ["flow", "rhai"];

/// Print a compiled program's instructions with their source lines.
#[derive(clap::Args)]
pub struct Args {
    /// The .fxb file; `-` reads it from standard input.
    program: PathBuf,
    /// A folder to look for the sources in, besides the current folder and the .fxb's
    /// folder. Source lines are only read from files inside these folders.
    #[arg(long)]
    source: Option<PathBuf>,
}

/// The folders sources may be read from, resolved, most specific first.
fn roots(fxb: &Path, source: Option<&Path>) -> Vec<PathBuf> {
    let fxb_dir = if crate::files::is_stdio(fxb) {
        None
    } else {
        fxb.parent().map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        })
    };
    [source, Some(Path::new(".")), fxb_dir]
        .into_iter()
        .flatten()
        .filter_map(|dir| dir.canonicalize().ok())
        .collect()
}

/// The places a source file recorded as `name` may be under `root`: at the recorded
/// path (relative to where `fluxo build` ran), then by its file name alone.
fn candidates(name: &str, root: &Path) -> Vec<PathBuf> {
    let recorded = Path::new(name);
    let mut out = vec![root.join(recorded)];
    if let Some(base) = recorded.file_name() {
        out.push(root.join(base));
    }
    out
}

/// The text of `path` when it is a source file inside `root`, within the size bound.
fn read_source(path: &Path, root: &Path) -> Option<String> {
    let resolved = path.canonicalize().ok()?;
    let is_source = resolved
        .extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| SOURCE_EXTENSIONS.contains(&ext));
    if !is_source || !resolved.starts_with(root) {
        return None;
    }
    crate::files::read_text(&resolved, SOURCE_LIMIT).ok()
}

/// The text of the source recorded as `name`, from the first root that holds it.
fn find_source(name: &str, roots: &[PathBuf]) -> Option<String> {
    roots.iter().find_map(|root| {
        candidates(name, root)
            .into_iter()
            .find_map(|path| read_source(&path, root))
    })
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let bytes = crate::files::read_bytes(&args.program)?;
    match disassembly(&bytes, &args.program, args.source.as_deref()) {
        Ok(text) => {
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("error: {}: {err}", args.program.display());
            Ok(ExitCode::from(1))
        }
    }
}

/// The listing of the `.fxb` bytes read from `path`, or why they do not load. The
/// `disasm` fuzz target drives this very function.
pub fn disassembly(bytes: &[u8], path: &Path, source: Option<&Path>) -> Result<String, String> {
    let program = Program::from_bytes(bytes).map_err(|err| err.to_string())?;
    let roots = roots(path, source);
    let texts: Vec<Option<String>> = program
        .files
        .iter()
        .map(|name| find_source(name, &roots))
        .collect();
    let lookup = |name: &str, line: u32| -> Option<String> {
        let idx = program.files.iter().position(|it| it == name)?;
        let text = texts.get(idx)?.as_ref()?;
        text.lines()
            .nth(line.checked_sub(1)? as usize)
            .map(str::to_string)
    };
    Ok(disassemble(&program, Some(&lookup)))
}

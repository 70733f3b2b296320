//! Finding and loading `.flow` files (a file path, or a folder searched recursively) and
//! the Low Code scripts their `script` items name, loading built `.fxb` programs, and wording I/O errors for the one
//! line the CLI prints.
//!
//! Every file a user names (or a file names: a `.chat`'s `@program`, a `.fxb`'s file
//! table) is read through one bounded reader, the `fluxo-files` crate: only regular
//! files, checked before opening (opening a FIFO waits for a writer; `/dev/zero` never
//! ends), and no more than the [`Limit`] of its kind, standard input included.
//!
//! It is the root package's library (the binary, its tests and benches load programs
//! the same way); the compiler reads no files and only says which scripts it wants.

use std::io;
use std::path::{Path, PathBuf};

use fluxo_compiler::{
    CheckOptions, Checked, CompileOptions, Compiled, ParsedFile, Sources, WantedScript,
};
use fluxo_grammar::Diagnostic;
use fluxo_runtime::bytecode::Program;
// The bounded reader is its own crate, shared with the language server; the commands
// name it through this module.
pub use fluxo_files::{read_text, Limit, CONFIG, INPUT};

/// An I/O problem, already worded for the one-line `error:` the CLI prints.
#[derive(Debug)]
pub struct CliError(pub String);

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

pub type CliResult<T> = Result<T, CliError>;

/// The `.flow` files at `path` (itself, or every one below it), sorted for stable output.
/// A path that is not a folder is the one file (reading it refuses a device).
pub fn flow_files(path: &Path) -> CliResult<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    collect(path, "flow", &mut found)?;
    found.sort();
    if found.is_empty() {
        return Err(CliError(format!("no .flow files in {}", path.display())));
    }
    Ok(found)
}

/// The `.flow` files directly in `dir`, not in its subfolders, sorted: the program of
/// a transcript without `@program` is the `.flow` files beside it.
pub fn flow_files_beside(dir: &Path) -> CliResult<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| io_error(dir, &e))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "flow") {
            found.push(path);
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(CliError(format!("no .flow files in {}", dir.display())));
    }
    Ok(found)
}

/// Every file with extension `ext` below `dir`, in no particular order.
pub fn collect(dir: &Path, ext: &str, found: &mut Vec<PathBuf>) -> CliResult<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(dir, &e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| io_error(&path, &e))?;
        if file_type.is_dir() {
            collect(&path, ext, found)?;
        } else if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
    Ok(())
}

/// The path that stands for standard input or output, as in most Unix tools.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name diagnostics give text read from standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads an input text file ([`INPUT`]), or standard input for `-`.
pub fn read(path: &Path) -> CliResult<String> {
    String::from_utf8(read_bytes(path)?).map_err(|_| {
        let name = if is_stdio(path) {
            STDIN_NAME.to_string()
        } else {
            path.display().to_string()
        };
        CliError(format!("{name}: not valid UTF-8 text"))
    })
}

/// Reads an input binary file ([`INPUT`]), or standard input for `-`.
pub fn read_bytes(path: &Path) -> CliResult<Vec<u8>> {
    if is_stdio(path) {
        return fluxo_files::take_limited(io::stdin().lock(), INPUT)
            .map_err(|e| CliError(format!("{STDIN_NAME}: {}", fluxo_files::describe(&e))));
    }
    fluxo_files::read_limited(path, INPUT).map_err(|e| io_error(path, &e))
}

/// Reads a configuration file ([`CONFIG`]).
pub fn read_config(path: &Path) -> CliResult<String> {
    read_text(path, CONFIG).map_err(|e| io_error(path, &e))
}

pub fn write(path: &Path, text: &str) -> CliResult<()> {
    std::fs::write(path, text).map_err(|e| io_error(path, &e))
}

/// Loads the flow files at `path` (a file or a folder of `.flow` files), without the
/// scripts they name; commands that check or compile want [`load_program`].
/// `-` reads one flow from standard input.
pub fn load_sources(path: &Path) -> CliResult<Sources> {
    if is_stdio(path) {
        let mut sources = Sources::new();
        sources.add(STDIN_NAME, read(path)?);
        return Ok(sources);
    }
    load_files(&flow_files(path)?)
}

/// Loads the given flow files as one program, without the scripts they name.
pub fn load_files(files: &[PathBuf]) -> CliResult<Sources> {
    let mut sources = Sources::new();
    for file in files {
        let text = read(file)?;
        sources.add(file.display().to_string(), text);
    }
    Ok(sources)
}

/// Loads the program at `path`: its flow files and the Low Code script of every `script`
/// item, relative to the `.flow` file that declares it. A script that cannot be read is
/// not an I/O failure here: the checker reports it at the item (E0418).
pub fn load_program(path: &Path) -> CliResult<Sources> {
    Ok(load_parsed(path)?.sources)
}

/// A program as [`load_program`] loads it, with its flow files as they were parsed to
/// find the scripts, so that checking it does not parse them a second time.
pub struct ParsedProgram {
    pub sources: Sources,
    files: Vec<ParsedFile>,
    /// The syntax diagnostics of `files`.
    syntax: Vec<Diagnostic>,
}

impl ParsedProgram {
    /// Checks the program on the trees already parsed; the sources come back for the
    /// diagnostics' report.
    pub fn check(self, options: &CheckOptions) -> (Sources, Checked) {
        let checked = fluxo_compiler::check_parsed(&self.sources, self.files, self.syntax, options);
        (self.sources, checked)
    }

    /// Compiles the program on the trees already parsed (see [`ParsedProgram::check`]).
    pub fn compile(self, options: &CompileOptions) -> (Sources, Compiled) {
        let compiled =
            fluxo_compiler::compile_parsed(&self.sources, self.files, self.syntax, options);
        (self.sources, compiled)
    }
}

/// [`load_program`], keeping the parsed flow files.
pub fn load_parsed(path: &Path) -> CliResult<ParsedProgram> {
    Ok(with_scripts(load_sources(path)?))
}

/// [`load_parsed`] for a list of flow files.
pub fn load_parsed_files(files: &[PathBuf]) -> CliResult<ParsedProgram> {
    Ok(with_scripts(load_files(files)?))
}

fn with_scripts(mut sources: Sources) -> ParsedProgram {
    let (files, syntax) = fluxo_compiler::parse_all(&sources);
    let wanted = fluxo_compiler::scripts_wanted_by(&sources, &files);
    add_scripts(&mut sources, wanted, |script| read_text(script, INPUT));
    ParsedProgram {
        sources,
        files,
        syntax,
    }
}

/// Reads the script of every `script` item of the program through `read`, which gets
/// the path relative to where the flow files' names are. A script `read` cannot give
/// is recorded as unreadable, with the reason worded as [`fluxo_files::describe`] does.
pub fn load_scripts(sources: &mut Sources, read: impl FnMut(&Path) -> io::Result<String>) {
    let wanted = fluxo_compiler::wanted_scripts(sources);
    add_scripts(sources, wanted, read);
}

fn add_scripts(
    sources: &mut Sources,
    wanted: Vec<WantedScript>,
    mut read: impl FnMut(&Path) -> io::Result<String>,
) {
    for wanted in wanted {
        let name = wanted.resolved.display().to_string();
        match read(&wanted.resolved) {
            Ok(text) => {
                sources.add_script(wanted.from, &wanted.path, name, text);
            }
            Err(err) => sources.add_unreadable_script(
                wanted.from,
                &wanted.path,
                name,
                fluxo_files::describe(&err),
            ),
        }
    }
}

/// Whether `path` names a built program (`.fxb`) rather than flow sources.
pub fn is_fxb(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "fxb")
}

/// Reads the built program at `path` and verifies it, as the runtime loads one.
pub fn load_fxb(path: &Path) -> CliResult<Program> {
    let bytes = read_bytes(path)?;
    Program::from_bytes(&bytes).map_err(|e| CliError(format!("{}: {e}", path.display())))
}

pub fn io_error(path: &Path, err: &std::io::Error) -> CliError {
    let what = fluxo_files::describe(err);
    CliError(format!("{}: {what}", path.display()))
}

#[cfg(test)]
mod tests {
    use fluxo_compiler::ScriptFile;

    use super::*;

    #[test]
    fn load_scripts_asks_for_each_named_file_and_records_failures() {
        let mut sources = Sources::new();
        let flow = "script a \"a.rhai\" -> { x: number }\nscript b \"b.rhai\" -> { y: text }\n";
        let main = sources.add("p/main.flow", flow);
        let mut asked = Vec::new();
        load_scripts(&mut sources, |path| {
            asked.push(path.to_path_buf());
            if path.ends_with("a.rhai") {
                Ok("#{ x: 1 }".to_string())
            } else {
                Err(io::Error::from(io::ErrorKind::NotFound))
            }
        });
        assert_eq!(asked, [Path::new("p/a.rhai"), Path::new("p/b.rhai")]);
        assert!(matches!(
            sources.script(main, "a.rhai"),
            Some(ScriptFile::Loaded(_))
        ));
        assert_eq!(
            sources.script(main, "b.rhai"),
            Some(&ScriptFile::Unreadable {
                looked_for: "p/b.rhai".to_string(),
                reason: "no such file or directory".to_string(),
            })
        );
        assert_eq!(
            sources.flows().count(),
            1,
            "scripts are not parsed as flows"
        );
    }
}

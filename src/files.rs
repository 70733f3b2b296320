//! Finding and loading `.flow` files (a file path, or a folder searched recursively) and
//! the Low Code scripts their `script` items name.

use std::path::{Path, PathBuf};

use fluxo_compiler::Sources;

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
pub fn flow_files(path: &Path) -> CliResult<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if meta.is_file() {
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

pub fn read(path: &Path) -> CliResult<String> {
    std::fs::read_to_string(path).map_err(|e| io_error(path, &e))
}

#[allow(dead_code)] // Used by `fmt` and `import`.
pub fn write(path: &Path, text: &str) -> CliResult<()> {
    std::fs::write(path, text).map_err(|e| io_error(path, &e))
}

/// Loads the flow files at `path` (a file or a folder of `.flow` files), without the
/// scripts they name; commands that check or compile want [`load_program`].
pub fn load_sources(path: &Path) -> CliResult<Sources> {
    let mut sources = Sources::new();
    for file in flow_files(path)? {
        let text = read(&file)?;
        sources.add(file.display().to_string(), text);
    }
    Ok(sources)
}

/// Loads the program at `path`: its flow files and the Low Code script of every `script`
/// item, relative to the `.flow` file that declares it. A script that cannot be read is
/// not an I/O failure here: the checker reports it at the item (E0418).
pub fn load_program(path: &Path) -> CliResult<Sources> {
    let mut sources = load_sources(path)?;
    fluxo_compiler::load_scripts(&mut sources, |script| std::fs::read_to_string(script));
    Ok(sources)
}

pub fn io_error(path: &Path, err: &std::io::Error) -> CliError {
    let what = fluxo_compiler::describe_io_error(err);
    CliError(format!("{}: {what}", path.display()))
}

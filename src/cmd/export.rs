//! `fluxo export PATH -o flows.json`: a project (its `.flow` files and the Low Code
//! scripts they name) as one Opa JSON document; `-o -` writes it to stdout.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use fluxo_compiler::json::project::{self, ProjectFile};

use crate::files::{self, CliError, CliResult};
use crate::report::{self, Format};

/// Write a program (a .flow file or a folder) as an Opa flow export (JSON).
#[derive(clap::Args)]
pub struct Args {
    /// A .flow file or a folder of them (searched recursively).
    path: PathBuf,
    /// The JSON file to write, or `-` for stdout.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let sources = files::load_sources(&args.path)?;
    let (_, diagnostics) = fluxo_compiler::parse_all(&sources);
    if diagnostics.iter().any(|d| d.is_error()) {
        report::print(&sources, &diagnostics, Format::Text);
        eprintln!("export failed: the program has syntax errors");
        return Ok(ExitCode::from(1));
    }
    let root = if std::fs::metadata(&args.path).is_ok_and(|m| m.is_file()) {
        args.path.parent().unwrap_or(Path::new("")).to_path_buf()
    } else {
        args.path.clone()
    };
    let flows: Vec<ProjectFile> = sources
        .flows()
        .map(|f| ProjectFile::new(relative(&root, Path::new(&f.name)), f.text.clone()))
        .collect();
    let mut scripts = Vec::new();
    for wanted in fluxo_compiler::wanted_scripts(&sources) {
        // A script that cannot be read travels without its source; export warns.
        if let Ok(text) = files::read_text(&wanted.resolved, files::INPUT) {
            scripts.push(ProjectFile::new(relative(&root, &wanted.resolved), text));
        }
    }
    let exported = match project::export(&flows, &scripts) {
        Ok(exported) => exported,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::from(1));
        }
    };
    for warning in &exported.warnings {
        eprintln!("warning: {warning}");
    }
    if args.output == Path::new("-") {
        std::io::stdout()
            .lock()
            .write_all(exported.json.as_bytes())
            .map_err(|e| CliError(format!("writing stdout: {e}")))?;
    } else {
        files::write(&args.output, &exported.json)?;
    }
    eprintln!(
        "exported {} file(s) and {} script(s) to {}",
        flows.len(),
        scripts.len(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `path` inside `root`, with `/` between folders and `..` resolved; a path outside the
/// root keeps its `..` (the compiler then says the script is outside the project).
pub fn relative(root: &Path, path: &Path) -> String {
    let path = path.strip_prefix(root).unwrap_or(path);
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::ParentDir if parts.last().is_some_and(|p| p != "..") => {
                parts.pop();
            }
            Component::ParentDir => parts.push("..".into()),
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    parts.join("/")
}

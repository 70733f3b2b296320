//! `fluxo graph PATH`: the picture of a program's flows (SVG, PNG, DOT or Mermaid), with
//! what `fluxo check` finds marked on it; `fluxo graph --diff OLD NEW`: the picture of
//! a change, cards added, removed and changed coloured.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use fluxo_compiler::CheckOptions;
use fluxo_graph::Graph;

use crate::files::{self, CliError, CliResult};
use crate::report;

/// Draw a program's flows as a graph: cards, the ways between them, dead ends.
#[derive(clap::Args)]
pub struct Args {
    /// The program: a .flow file or a folder of them. With --diff: OLD and NEW.
    #[arg(required = true, num_args = 1..=2, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Draw only this flow (default: every flow, one panel each).
    #[arg(long)]
    flow: Option<String>,
    /// The picture's format (default: from the extension of -o, else svg).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The file to write (default: standard output).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Draw the change from OLD to NEW (two paths, files or folders).
    #[arg(long)]
    diff: bool,
    /// The flow conversations start at.
    #[arg(long, default_value = "main")]
    entry: String,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Svg,
    Png,
    Dot,
    Mermaid,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let (graph, failed) = match (args.diff, args.paths.as_slice()) {
        (false, [path]) => load(path, &args)?,
        (true, [old, new]) => {
            let (old, old_failed) = load(old, &args)?;
            let (new, new_failed) = load(new, &args)?;
            (
                fluxo_graph::diff::diff(&old, &new),
                old_failed || new_failed,
            )
        }
        (false, _) => return Err(CliError("give one program, or --diff OLD NEW".into())),
        (true, _) => return Err(CliError("--diff takes two programs: OLD NEW".into())),
    };
    let graph = match &args.flow {
        Some(name) => graph.only(name).map_err(CliError)?,
        None => graph,
    };
    let format = format(&args);
    let bytes = fluxo_graph::render(&graph, format).map_err(CliError)?;
    match &args.output {
        Some(path) if path != Path::new("-") => {
            std::fs::write(path, &bytes).map_err(|e| files::io_error(path, &e))?;
            eprintln!("graph: wrote {}", path.display());
        }
        _ => {
            let mut stdout = std::io::stdout().lock();
            if format == fluxo_graph::Format::Png && stdout.is_terminal() {
                return Err(CliError(
                    "a PNG is not for the terminal: give -o FILE".into(),
                ));
            }
            stdout
                .write_all(&bytes)
                .map_err(|e| CliError(format!("writing stdout: {e}")))?;
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One program's graph, and whether it has errors (the picture is drawn anyway, with
/// what the checker found marked; `fluxo check` tells the rest).
fn load(path: &Path, args: &Args) -> CliResult<(Graph, bool)> {
    let options = CheckOptions {
        entry: args.entry.clone(),
    };
    let (sources, checked) = files::load_parsed(path)?.check(&options);
    let failed = checked.has_errors();
    if !checked.diagnostics.is_empty() {
        eprintln!(
            "graph: {}: {} (`fluxo check {}` shows them)",
            path.display(),
            report::summary(&checked.diagnostics),
            path.display()
        );
    }
    Ok((fluxo_graph::graph(&checked, &sources), failed))
}

fn format(args: &Args) -> fluxo_graph::Format {
    let format = args.format.or_else(|| {
        let ext = args
            .output
            .as_ref()?
            .extension()?
            .to_str()?
            .to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Format::Png),
            "dot" | "gv" => Some(Format::Dot),
            "mmd" | "mermaid" => Some(Format::Mermaid),
            _ => None,
        }
    });
    match format.unwrap_or(Format::Svg) {
        Format::Svg => fluxo_graph::Format::Svg,
        Format::Png => fluxo_graph::Format::Png,
        Format::Dot => fluxo_graph::Format::Dot,
        Format::Mermaid => fluxo_graph::Format::Mermaid,
    }
}

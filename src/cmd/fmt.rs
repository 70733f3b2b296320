//! `fluxo fmt PATH`: rewrite `.flow` files in the canonical layout, or with `--check` list
//! the ones that are not in it. A file with syntax errors is reported and left untouched.

use std::path::PathBuf;
use std::process::ExitCode;

use fluxo_compiler::{render, Sources};

use crate::files::{self, CliResult};
use crate::report;

/// Rewrite .flow files in the canonical layout (comments are kept).
///
/// Exit status: 0 when every file is formatted (or was rewritten), 1 when a file has
/// syntax errors or, with --check, when a file is not formatted, 2 on I/O errors.
#[derive(clap::Args)]
pub struct Args {
    /// A .flow file or a folder of them (searched recursively).
    path: PathBuf,
    /// Rewrite nothing: print the files that are not formatted and exit with 1 if any.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let paths = files::flow_files(&args.path)?;
    let mut sources = Sources::new();
    let mut n_differ = 0;
    let mut n_broken = 0;
    for path in &paths {
        let text = files::read(path)?;
        let id = sources.add(path.display().to_string(), text.clone());
        match fluxo_grammar::format_source(id, &text) {
            Err(diagnostics) => {
                n_broken += 1;
                eprint!(
                    "{}",
                    render::render_text(&sources, &diagnostics, report::use_color())
                );
            }
            Ok(formatted) if formatted != text => {
                n_differ += 1;
                if args.check {
                    println!("{}", path.display());
                } else {
                    files::write(path, &formatted)?;
                }
            }
            Ok(_) => {}
        }
    }
    let verb = if args.check {
        "not formatted"
    } else {
        "reformatted"
    };
    let mut summary = format!("fmt: {} file(s), {n_differ} {verb}", paths.len());
    if n_broken > 0 {
        summary.push_str(&format!(
            ", {n_broken} left untouched because of syntax errors"
        ));
    }
    eprintln!("{summary}");
    let failed = n_broken > 0 || (args.check && n_differ > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

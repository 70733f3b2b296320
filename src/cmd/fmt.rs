//! `fluxo fmt PATH...`: rewrite `.flow` files in the canonical layout, or with `--check`
//! print a unified diff of the ones that are not in it (as `rustfmt --check` and
//! `gofmt -d` do). `-` formats standard input to standard output, for editors. A file
//! with syntax errors is reported and left untouched.

use std::io::Write;
use std::path::{Path, PathBuf};
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
    /// .flow files or folders of them (searched recursively); `-` reads standard input
    /// and writes the formatted text to standard output.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Rewrite nothing: print a unified diff of each file that is not formatted and
    /// exit with 1 if any.
    #[arg(long)]
    check: bool,
}

/// What formatting one text gave.
enum Formatted {
    Same,
    Differs(String),
    Broken,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let mut paths = Vec::new();
    for path in &args.paths {
        if files::is_stdio(path) {
            paths.push(path.clone());
        } else {
            paths.extend(files::flow_files(path)?);
        }
    }
    let mut sources = Sources::new();
    let (mut n_differ, mut n_broken) = (0, 0);
    let mut stdout = std::io::stdout().lock();
    for path in &paths {
        let text = files::read(path)?;
        let stdio = files::is_stdio(path);
        let name = if stdio {
            files::STDIN_NAME.to_string()
        } else {
            path.display().to_string()
        };
        let formatted = format(&mut sources, &name, &text);
        if let Formatted::Differs(_) = formatted {
            n_differ += 1;
        }
        match formatted {
            Formatted::Broken => n_broken += 1,
            Formatted::Differs(new) if args.check => {
                let _ = write!(stdout, "{}", unified_diff(&name, &text, &new));
            }
            Formatted::Differs(new) if stdio => {
                let _ = write!(stdout, "{new}");
            }
            Formatted::Same if stdio && !args.check => {
                let _ = write!(stdout, "{text}");
            }
            Formatted::Differs(new) => files::write(path, &new)?,
            Formatted::Same => {}
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

/// Formats `text`; syntax errors are printed and leave it as it is.
fn format(sources: &mut Sources, name: &str, text: &str) -> Formatted {
    let id = sources.add(name.to_string(), text.to_string());
    match fluxo_grammar::format_source(id, text) {
        Err(diagnostics) => {
            eprint!(
                "{}",
                render::render_text(sources, &diagnostics, report::use_color())
            );
            Formatted::Broken
        }
        Ok(formatted) if formatted != text => Formatted::Differs(formatted),
        Ok(_) => Formatted::Same,
    }
}

/// `diff -u`'s output for the file as it is against the file formatted.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    let formatted = format!("{} (formatted)", Path::new(name).display());
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, &formatted)
        .to_string()
}

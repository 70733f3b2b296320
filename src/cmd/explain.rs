//! `fluxo explain CODE`: what a diagnostic code means and what to do about it, with
//! an example that gets the diagnostic and the same program fixed (the checker's test
//! data, embedded by `build.rs`); `fluxo explain --all` prints every code, as
//! `docs/diagnostics.md` holds them.

use std::process::ExitCode;

use fluxo_compiler::codes::{self, CodeDoc};

use crate::files::{CliError, CliResult};

/// (area, file stem, path in the repository, text) of every example.
static EXAMPLES: &[(&str, &str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/examples.rs"));

/// Explain a diagnostic code, such as E0201, with a wrong and a fixed example.
#[derive(clap::Args)]
pub struct Args {
    /// The code, such as E0201 or W0501.
    #[arg(required_unless_present = "all")]
    code: Option<String>,
    /// Print every code as Markdown (the text of docs/diagnostics.md).
    #[arg(long, conflicts_with = "code")]
    all: bool,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    if args.all {
        print!("{}", codes::markdown());
        return Ok(ExitCode::SUCCESS);
    }
    let code = args.code.unwrap_or_default();
    let Some(entry) = codes::lookup(&code) else {
        return Err(CliError(format!("unknown diagnostic code `{code}`")));
    };
    let kind = match entry.severity {
        fluxo_grammar::Severity::Error => "error",
        fluxo_grammar::Severity::Warning => "warning",
    };
    println!(
        "{} ({kind}): {}\n\n{}",
        entry.code, entry.title, entry.explanation
    );
    let (wrong, fixed) = examples(&entry);
    if let Some((path, text)) = wrong {
        println!("\nThis gets {} ({path}):\n\n{}", entry.code, indent(text));
    }
    if let Some((path, text)) = fixed {
        println!("\nFixed ({path}):\n\n{}", indent(text));
    }
    Ok(ExitCode::SUCCESS)
}

type Example = Option<(&'static str, &'static str)>;

/// The failing example of `entry` and its fixed twin, when the test data has them.
fn examples(entry: &CodeDoc) -> (Example, Example) {
    let find = |area: &str, matches: &dyn Fn(&str) -> bool| {
        EXAMPLES
            .iter()
            .find(|(a, stem, _, _)| *a == area && matches(stem))
            .map(|(_, _, path, text)| (*path, *text))
    };
    match entry.rule {
        Some(rule) => (
            find(entry.area(), &|stem| stem == rule),
            find("ok", &|stem| stem == rule),
        ),
        None => {
            let prefix = format!("{}_", entry.code.to_ascii_lowercase());
            (find("syntax", &|stem| stem.starts_with(&prefix)), None)
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

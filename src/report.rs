//! Printing diagnostics: rustc-style text (coloured only on a terminal, never with
//! `NO_COLOR`) or JSON lines for editors and CI.

use std::io::IsTerminal;

use clap::ValueEnum;
use fluxo_compiler::render;
use fluxo_compiler::Sources;
use fluxo_grammar::Diagnostic;

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum Format {
    /// Human-readable, like rustc.
    #[default]
    Text,
    /// One JSON array of {file, line, column, end_line, end_column, code, severity, message, label, notes}.
    Json,
}

/// Whether stderr should get colour.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

pub fn print(sources: &Sources, diagnostics: &[Diagnostic], format: Format) {
    match format {
        Format::Text => eprint!("{}", render::render_text(sources, diagnostics, use_color())),
        Format::Json => {
            let json = render::to_json(sources, diagnostics);
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".to_string())
            );
        }
    }
}

/// "2 errors, 1 warning" for the summary line.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let n_errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let n_warnings = diagnostics.len() - n_errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(n_errors, "error"),
        plural(n_warnings, "warning")
    )
}

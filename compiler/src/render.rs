//! Diagnostics to text (rustc-style, through codespan-reporting) and to JSON for editors
//! and CI.
//!
//! Colour is the caller's decision (a terminal, `NO_COLOR`): this module only knows
//! whether to emit it.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{Buffer, ColorSpec, WriteColor};
use codespan_reporting::term::{self, Config};
use fluxo_grammar::{Diagnostic, Severity};
use serde::Serialize;

use crate::source::Sources;

/// Renders diagnostics the way rustc does; `color` adds ANSI colour codes.
pub fn render_text(sources: &Sources, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for file in sources.iter() {
        files.add(file.name.clone(), file.text.clone());
    }
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = Config::default();
    for diag in diagnostics {
        let cs = to_codespan(diag);
        if term::emit(&mut buffer, &config, &files, &cs).is_err() {
            // A span outside its file (a bug, not user input): still say what is wrong.
            let _ = buffer.set_color(&ColorSpec::new());
            let line = format!(
                "{}[{}]: {}\n",
                severity_word(diag.severity),
                diag.code,
                diag.message
            );
            let _ = std::io::Write::write_all(&mut buffer, line.as_bytes());
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn to_codespan(diag: &Diagnostic) -> CsDiagnostic<usize> {
    let base = match diag.severity {
        Severity::Error => CsDiagnostic::error(),
        Severity::Warning => CsDiagnostic::warning(),
    };
    let mut labels =
        vec![
            CsLabel::primary(diag.primary.file.0 as usize, diag.primary.span.range())
                .with_message(diag.primary.message.clone()),
        ];
    labels.extend(diag.secondary.iter().map(|label| {
        CsLabel::secondary(label.file.0 as usize, label.span.range())
            .with_message(label.message.clone())
    }));
    base.with_code(diag.code)
        .with_message(diag.message.clone())
        .with_labels(labels)
        .with_notes(diag.notes.iter().map(|n| format!("help: {n}")).collect())
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// One diagnostic as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub label: String,
    pub notes: Vec<String>,
}

pub fn to_json(sources: &Sources, diagnostics: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    diagnostics
        .iter()
        .map(|diag| {
            let primary = &diag.primary;
            let (line, column) = sources.line_col(primary.file, primary.span.start);
            let (end_line, end_column) = sources.line_col(primary.file, primary.span.end);
            JsonDiagnostic {
                file: sources
                    .get(primary.file)
                    .map(|f| f.name.clone())
                    .unwrap_or_default(),
                line,
                column,
                end_line,
                end_column,
                code: diag.code,
                severity: severity_word(diag.severity),
                message: diag.message.clone(),
                label: primary.message.clone(),
                notes: diag.notes.clone(),
            }
        })
        .collect()
}

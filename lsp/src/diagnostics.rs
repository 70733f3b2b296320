//! The compiler's diagnostics as the protocol's: the code, the primary place as the
//! range, secondary labels as related information, the `help:` notes in the message
//! (editors show no other field of a diagnostic as text).

use fluxo_grammar::{Diagnostic, Severity};
use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString};

use crate::project::Project;

/// Converts one diagnostic of the last analysis.
pub fn to_lsp(project: &Project, diagnostic: &Diagnostic) -> lsp_types::Diagnostic {
    let range = project.range(diagnostic.primary.file, diagnostic.primary.span);
    let mut message = diagnostic.message.clone();
    if !diagnostic.primary.message.is_empty() && diagnostic.primary.message != message {
        message.push_str(&format!("\n{}", diagnostic.primary.message));
    }
    for note in &diagnostic.notes {
        message.push_str(&format!("\nhelp: {note}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .secondary
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: project.uri_of(label.file)?,
                    range: project.range(label.file, label.span),
                },
                message: label.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        source: Some("fluxo".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

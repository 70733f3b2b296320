//! The checker's problems that may only follow from a syntax error, dropped so that each
//! mistake is reported once, by its root cause.
//!
//! The parser's recovery blanks what it could not read (`Parsed::damaged`). What was on
//! those lines is unknown: it may have assigned a variable, reached a flow with `goto`,
//! given a menu its options or ended the flow. So the checker keeps quiet about:
//! - anything it reports inside a damaged stretch (an arm list whose arms were blanked);
//! - an unknown flow, label or variable, an unassigned read, an unreached flow, an
//!   unused declaration or label, or a missing entry flow whose name appears in a
//!   damaged stretch;
//! - the flow analyses (unreachable code, endings, loops, unassigned reads) of a flow
//!   that holds damage, whose shape is no longer the one written.
//!
//! Every other problem of a damaged flow, and everything about undamaged flows, is still
//! reported.

use fluxo_grammar::ast::{ItemKind, Span};
use fluxo_grammar::{Diagnostic, FileId};
use rustc_hash::FxHashSet;

use crate::{ParsedFile, Sources};

/// Drops from `diagnostics` (the checker's) what the damage in `files` may explain.
pub(crate) fn forgive(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[ParsedFile],
    sources: &Sources,
    entry: &str,
) {
    let damaged: Vec<(FileId, Span)> = files
        .iter()
        .flat_map(|file| file.damaged.iter().map(move |span| (file.id, *span)))
        .collect();
    if damaged.is_empty() {
        return;
    }
    let text_at = |file: FileId, span: Span| {
        sources
            .get(file)
            .and_then(|it| it.text.get(span.start as usize..span.end as usize))
            .unwrap_or_default()
    };
    let words: FxHashSet<&str> = damaged
        .iter()
        .flat_map(|&(file, span)| {
            text_at(file, span).split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        })
        .filter(|word| !word.is_empty())
        .collect();
    let damaged_flows: Vec<(FileId, Span)> = files
        .iter()
        .flat_map(|file| {
            file.ast
                .items
                .iter()
                .filter_map(move |item| match item.kind {
                    ItemKind::Flow(_) => Some((file.id, item.span)),
                    _ => None,
                })
        })
        .filter(|&(file, flow)| {
            damaged
                .iter()
                .any(|&(at, span)| at == file && overlaps(flow, span))
        })
        .collect();
    let within = |list: &[(FileId, Span)], file: FileId, span: Span| {
        list.iter()
            .any(|&(at, it)| at == file && overlaps(it, span))
    };
    diagnostics.retain(|d| {
        let (file, span) = (d.primary.file, d.primary.span);
        let named = text_at(file, span);
        let explained = match d.code {
            "E0201" | "E0202" | "E0501" | "W0201" | "W0202" | "W0502" => words.contains(named),
            "E0208" => words.contains(entry),
            code if code[1..].starts_with("05") => within(&damaged_flows, file, span),
            _ => false,
        };
        !explained && !within(&damaged, file, span)
    });
}

/// Whether two spans share a byte (an empty span counts at its position).
fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}

//! How the pest path reads past errors, so that one mistake does not hide the next.
//!
//! Recovery works at two levels. The source is cut at the top-level items the scan
//! found (so a broken flow does not hide the next one), and inside an item the line
//! holding an error is blanked and the item parsed again, as long as blanking keeps the
//! braces balanced. Lines with a string-level mistake from the scan are blanked before
//! pest sees them. What each failure says is `failure`'s business; building the tree of
//! what parsed is `builder`'s.

use pest::Parser;

use crate::ast::{File, Item, Span};
use crate::diagnostic::{Diagnostic, FileId};
use crate::lexer::{self, Comment, LexIssue, Scan};
use crate::parse::Parsed;
use crate::syntax_error;

use super::builder::Builder;
use super::nesting::{too_deep, MAX_NESTING};
use super::{failure, FlowParser, Rule};

/// How many errors one item may report before the parser gives up on it.
const MAX_ERRORS_PER_ITEM: usize = 12;

/// The pest path: every file the fast parser gives up on, and so every file with errors.
pub(crate) fn parse_with_pest(file_id: FileId, src: &str, scan: Scan) -> Parsed {
    let mut diagnostics = Vec::new();
    let mut buffer = src.to_string();
    for issue in &scan.issues {
        diagnostics.push(syntax_error::lexical(file_id, issue));
        blank_line(&mut buffer, issue.start());
    }
    let mut items = Vec::new();
    let mut bounds = scan.item_starts.clone();
    bounds.push(src.len());
    for window in bounds.windows(2) {
        let (start, end) = (window[0], window[1]);
        let chunk = Chunk {
            file: file_id,
            start,
            end,
            comments: &scan.comments,
        };
        parse_chunk(&chunk, &mut buffer, &mut items, &mut diagnostics);
    }
    // An unclosed `"""` swallows the rest of the file: what pest made of it is noise.
    let swallowed = scan.issues.iter().find_map(|issue| match issue {
        LexIssue::Unterminated {
            start,
            triple: true,
            ..
        } => Some(*start),
        _ => None,
    });
    if let Some(from) = swallowed {
        diagnostics.retain(|d| d.code == "E0102" || (d.primary.span.start as usize) < from);
    }
    diagnostics.sort_by_key(|d| d.primary.span.start);
    Parsed {
        file: File { items },
        comments: scan.comments,
        diagnostics,
    }
}

/// One top-level item's stretch of the source.
struct Chunk<'c> {
    file: FileId,
    start: usize,
    end: usize,
    comments: &'c [Comment],
}

fn parse_chunk(
    chunk_at: &Chunk,
    buffer: &mut String,
    items: &mut Vec<Item>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Chunk {
        file: file_id,
        start,
        end,
        comments,
    } = *chunk_at;
    for _ in 0..MAX_ERRORS_PER_ITEM {
        let chunk = &buffer[start..end];
        match FlowParser::parse(Rule::file, chunk) {
            Ok(mut pairs) => {
                if let Some(deep) = pairs.peek().and_then(too_deep) {
                    let span = Span::new(start + deep.start(), start + deep.end());
                    diagnostics.push(syntax_error::too_deep(file_id, span, MAX_NESTING));
                    return;
                }
                let mut builder = Builder::new(start, file_id, comments, diagnostics);
                if let Some(file) = pairs.next() {
                    for pair in file.into_inner() {
                        if pair.as_rule() == Rule::item {
                            items.push(builder.item(pair));
                        }
                    }
                }
                return;
            }
            Err(err) => {
                let failure = failure::from_pest(file_id, chunk, start, &err);
                let at = failure.diagnostic.primary.span.start as usize;
                let at_end = at >= start + chunk.trim_end().len();
                diagnostics.push(failure.diagnostic);
                if at_end || !failure.recoverable || !blank_line(buffer, at) {
                    return;
                }
            }
        }
    }
}

/// Replaces the line holding `at` with spaces (keeping every byte offset), unless that
/// would unbalance the braces. Returns whether it did.
fn blank_line(buffer: &mut String, at: usize) -> bool {
    let at = at.min(buffer.len());
    let line_start = buffer[..at].rfind('\n').map_or(0, |n| n + 1);
    let line_end = buffer[at..].find('\n').map_or(buffer.len(), |n| at + n);
    let line = &buffer[line_start..line_end];
    if line.trim().is_empty() || lexer::brace_balance(line) != 0 {
        return false;
    }
    let spaces = " ".repeat(line_end - line_start);
    buffer.replace_range(line_start..line_end, &spaces);
    true
}

//! How the pest path reads past errors, so that one mistake does not hide the next.
//!
//! Recovery works at two levels. The source is cut at the top-level items the scan
//! found (so a broken flow does not hide the next one), and inside an item the line
//! holding an error is blanked and the item parsed again, as long as blanking keeps the
//! braces balanced (a line that opens a block is blanked with the whole block). Lines
//! with a string-level mistake from the scan are blanked before pest sees them, and a
//! `{` left open is closed first (`delimiters`). Everything blanked, and every item that
//! could not be read at all, is returned as damaged, so that the checker does not report
//! what the recovery removed (a variable assigned on a blanked line, a flow only a
//! blanked `goto` reaches). What each failure says is `failure`'s business; building the
//! tree of what parsed is `builder`'s.

use pest::Parser;

use crate::ast::{File, Item, Span};
use crate::diagnostic::{Diagnostic, FileId};
use crate::lexer::{self, Comment, LexIssue, Scan};
use crate::parse::Parsed;
use crate::syntax_error;

use super::builder::Builder;
use super::nesting::{too_deep, MAX_NESTING};
use super::{delimiters, failure, FlowParser, Rule};

/// How many errors one item may report before the parser gives up on it.
const MAX_ERRORS_PER_ITEM: usize = 12;

/// The pest path: every file the fast parser gives up on, and so every file with errors.
pub(crate) fn parse_with_pest(file_id: FileId, src: &str, scan: Scan) -> Parsed {
    let mut diagnostics = Vec::new();
    let mut damaged = Vec::new();
    let mut buffer = src.to_string();
    for issue in &scan.issues {
        diagnostics.push(syntax_error::lexical(file_id, issue));
        damaged.extend(blank_line(&mut buffer, issue.start(), src.len()));
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
        let out = Out {
            items: &mut items,
            diagnostics: &mut diagnostics,
            damaged: &mut damaged,
        };
        parse_chunk(&chunk, &mut buffer, out);
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
    damaged.sort_by_key(|span| span.start);
    Parsed {
        file: File { items },
        comments: scan.comments,
        diagnostics,
        damaged,
    }
}

/// One top-level item's stretch of the source.
struct Chunk<'c> {
    file: FileId,
    start: usize,
    end: usize,
    comments: &'c [Comment],
}

/// What parsing the chunks produces.
struct Out<'o> {
    items: &'o mut Vec<Item>,
    diagnostics: &'o mut Vec<Diagnostic>,
    damaged: &'o mut Vec<Span>,
}

fn parse_chunk(chunk_at: &Chunk, buffer: &mut String, out: Out) {
    let Chunk {
        file: file_id,
        start,
        end,
        comments,
    } = *chunk_at;
    let repair = delimiters::repair(file_id, buffer, (start, end), comments);
    out.diagnostics.extend(repair.diagnostics);
    out.damaged.extend(repair.guessed);
    for _ in 0..MAX_ERRORS_PER_ITEM {
        let chunk = format!("{}{}", &buffer[start..end], repair.suffix);
        match FlowParser::parse(Rule::file, &chunk) {
            Ok(mut pairs) => {
                if let Some(deep) = pairs.peek().and_then(too_deep) {
                    let span = Span::new(start + deep.start(), start + deep.end());
                    out.diagnostics
                        .push(syntax_error::too_deep(file_id, span, MAX_NESTING));
                    out.damaged.push(Span::new(start, end));
                    return;
                }
                let mut builder = Builder::new((start, end), file_id, comments, out.diagnostics);
                if let Some(file) = pairs.next() {
                    for pair in file.into_inner() {
                        if pair.as_rule() == Rule::item {
                            out.items.push(builder.item(pair));
                        }
                    }
                }
                return;
            }
            Err(err) => {
                let mut failure = failure::from_pest(file_id, &chunk, start, &err);
                // A failure in the `}`s added past the item is placed where it ends.
                for label in std::iter::once(&mut failure.diagnostic.primary)
                    .chain(&mut failure.diagnostic.secondary)
                {
                    label.span.start = label.span.start.min(end as u32);
                    label.span.end = label.span.end.min(end as u32);
                }
                let at = failure.diagnostic.primary.span.start as usize;
                let at_end = at >= start + chunk.trim_end().len();
                out.diagnostics.push(failure.diagnostic);
                let blanked = if at_end || !failure.recoverable {
                    None
                } else {
                    blank_line(buffer, at, end)
                };
                match blanked {
                    Some(span) => out.damaged.push(span),
                    None => {
                        out.damaged.push(Span::new(start, end));
                        return;
                    }
                }
            }
        }
    }
    out.damaged.push(Span::new(start, end));
}

/// Replaces the line holding `at` with spaces (keeping every byte offset). A line that
/// opens more braces than it closes takes the lines up to the one that balances them
/// along (not past `end`); a line that closes more is left alone. Returns what it
/// blanked.
fn blank_line(buffer: &mut String, at: usize, end: usize) -> Option<Span> {
    let at = at.min(buffer.len());
    let line_start = buffer[..at].rfind('\n').map_or(0, |n| n + 1);
    let mut line_end = buffer[at..].find('\n').map_or(buffer.len(), |n| at + n);
    if buffer[line_start..line_end].trim().is_empty() {
        return None;
    }
    let mut balance = lexer::brace_balance(&buffer[line_start..line_end]);
    while balance > 0 && line_end < end {
        let next_end = buffer[line_end + 1..]
            .find('\n')
            .map_or(buffer.len(), |n| line_end + 1 + n)
            .min(end);
        balance += lexer::brace_balance(&buffer[line_end..next_end]);
        line_end = next_end;
    }
    if balance != 0 {
        return None;
    }
    let blanked: String = buffer[line_start..line_end]
        .chars()
        .flat_map(|c| match c {
            '\n' => std::iter::repeat_n('\n', 1),
            _ => std::iter::repeat_n(' ', c.len_utf8()),
        })
        .collect();
    buffer.replace_range(line_start..line_end, &blanked);
    Some(Span::new(line_start, line_end))
}

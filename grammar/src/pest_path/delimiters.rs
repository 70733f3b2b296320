//! Unclosed `{`, found and repaired before pest runs, so that the error points at the
//! brace left open (rustc's "unclosed delimiter") and the item still parses.
//!
//! Pest only notices a missing `}` where the input runs out, which is far from the
//! mistake and leaves nothing of the item to check. Like rustc, we read the indentation:
//! a `}` that starts a line less indented than the line of the innermost open `{` closes
//! an outer brace, so the inner one was left open, and its block ended at the first
//! line after it indented no deeper than its own line. The repair writes a `}` into a
//! whitespace byte just before that line (every byte offset stays the same) or, for a
//! brace still open where the item ends, appends it past the item's text. This only runs
//! on an item whose `{` outnumber its `}`, so well-formed but oddly indented code is
//! never touched.

use logos::Logos;

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, FileId, Label};
use crate::lexer::{Comment, Tok};

/// What the repair of one item's text did.
pub(super) struct Repair {
    /// One E0109 per brace left open.
    pub(super) diagnostics: Vec<Diagnostic>,
    /// The `}`s to parse after the item's text, for braces still open where it ends.
    pub(super) suffix: String,
    /// The `{`s closed by a guess: the shape of their flow is the guess's, so the
    /// checker's flow analyses stay quiet about it (see `Parsed::damaged`).
    pub(super) guessed: Vec<Span>,
}

/// Finds the braces left open in `buffer[start..end]` (one item), reports each at its
/// `{`, and writes the missing `}`s into `buffer` or the returned suffix.
pub(super) fn repair(
    file: FileId,
    buffer: &mut String,
    (start, end): (usize, usize),
    comments: &[Comment],
) -> Repair {
    let mut repair = Repair {
        diagnostics: Vec::new(),
        suffix: String::new(),
        guessed: Vec::new(),
    };
    let text = &buffer[start..end];
    let braces: Vec<(usize, bool)> = Tok::lexer(text)
        .spanned()
        .filter_map(|(tok, span)| match tok {
            Ok(Tok::LBrace) => Some((span.start, true)),
            Ok(Tok::RBrace) => Some((span.start, false)),
            _ => None,
        })
        .collect();
    let opens = braces.iter().filter(|(_, open)| *open).count();
    let excess = opens.saturating_sub(braces.len() - opens);
    if excess == 0 {
        return repair;
    }
    let mut unclosed = Vec::new();
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for &(pos, open) in &braces {
        let indent = indent_of(text, pos);
        if open {
            stack.push((pos, indent));
            continue;
        }
        if starts_line(text, pos) {
            while unclosed.len() < excess && stack.len() >= 2 {
                match stack.last() {
                    Some(&(open_at, open_indent)) if open_indent > indent => {
                        stack.pop();
                        unclosed.push((open_at, block_end(text, open_at, open_indent)));
                    }
                    _ => break,
                }
            }
        }
        stack.pop();
    }
    while unclosed.len() < excess {
        let Some((open_at, open_indent)) = stack.pop() else {
            break;
        };
        unclosed.push((open_at, block_end(text, open_at, open_indent)));
    }
    let file_end = buffer.len();
    for (open_at, ends_before) in unclosed {
        let brace = Span::new(start + open_at, start + open_at + 1);
        repair.guessed.push(brace);
        let open = Label::new(file, brace, "this `{` is never closed");
        let written = ends_before.and_then(|line| {
            let at = start + line;
            let slot = close_slot(buffer, at, comments)?;
            let word = word_at(buffer, at);
            buffer.replace_range(slot..slot + 1, "}");
            Some(word)
        });
        let (at, message) = match written {
            Some(word) => (
                word,
                "the block ends before this line, which is indented like the `{`'s line",
            ),
            None if end < file_end => {
                repair.suffix.push_str("\n}");
                (word_at(buffer, end), "the next item starts here")
            }
            None => {
                repair.suffix.push_str("\n}");
                (Span::new(end, end), "the file ends here")
            }
        };
        repair.diagnostics.push(
            Diagnostic::error("E0109", "unclosed `{`", open)
                .with_secondary(Label::new(file, at, message))
                .with_note("add the missing `}` where the block ends"),
        );
    }
    repair
}

/// The indentation (in bytes of spaces and tabs) of the line holding `pos`.
fn indent_of(text: &str, pos: usize) -> usize {
    let line = &text[line_start(text, pos)..];
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |n| n + 1)
}

/// Whether only indentation comes before `pos` on its line.
fn starts_line(text: &str, pos: usize) -> bool {
    text[line_start(text, pos)..pos].trim().is_empty()
}

/// The start of the first non-blank line after the `{` at `open` that is indented no
/// deeper than the `{`'s own line: where its block ended, by the indentation. A block
/// whose first line is not indented deeper says nothing by its indentation: `None`.
fn block_end(text: &str, open: usize, open_indent: usize) -> Option<usize> {
    let mut at = text[open..].find('\n')? + open + 1;
    let mut first = true;
    while at < text.len() {
        let line = text[at..].split('\n').next().unwrap_or_default();
        let code = line.trim();
        if !code.is_empty() && !code.starts_with("//") {
            if indent_of(text, at) <= open_indent {
                return (!first).then_some(at);
            }
            first = false;
        }
        at += line.len() + 1;
    }
    None
}

/// A whitespace byte where a `}` can go just before the line starting at `line`: its
/// first indentation byte, or else the newline ending the line before, unless a comment
/// ends there (it would swallow the brace).
fn close_slot(buffer: &str, line: usize, comments: &[Comment]) -> Option<usize> {
    let bytes = buffer.as_bytes();
    if matches!(bytes.get(line), Some(b' ' | b'\t')) {
        return Some(line);
    }
    let newline = line.checked_sub(1)?;
    let after_comment = comments.iter().any(|c| c.span.end as usize == newline);
    (bytes.get(newline) == Some(&b'\n') && !after_comment).then_some(newline)
}

/// The first word or symbol of the line starting at `line`, for a label.
fn word_at(buffer: &str, line: usize) -> Span {
    let rest = &buffer[line..];
    let from = line + (rest.len() - rest.trim_start().len());
    let len = buffer[from..]
        .find(|c: char| c.is_whitespace())
        .unwrap_or(buffer.len() - from);
    Span::new(from, from + len)
}

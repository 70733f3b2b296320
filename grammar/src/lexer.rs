//! A coarse token scan that runs before pest: it finds comments (which pest skips but the
//! formatter keeps), the boundaries of top-level items (so one broken flow does not hide
//! the errors of the next) and the string-level mistakes pest would describe badly.
//!
//! It knows nothing of statements or expressions; the grammar owns those.

use logos::Logos;

use crate::ast::Span;
use crate::keywords::{ITEM_STARTS, STATEMENT_STARTS};

/// A string-level mistake found while scanning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LexIssue {
    /// The string starting at `start` runs into the end of its line or of the file.
    Unterminated {
        start: usize,
        end: usize,
        triple: bool,
    },
    /// `\t` and friends: only `\" \\ \n \{ \}` exist.
    BadEscape { start: usize, end: usize },
    /// A `{` that does not open `{name}` or `{name.field}`.
    BadInterpolation { start: usize, end: usize },
}

impl LexIssue {
    pub(crate) fn start(&self) -> usize {
        match self {
            LexIssue::Unterminated { start, .. }
            | LexIssue::BadEscape { start, .. }
            | LexIssue::BadInterpolation { start, .. } => *start,
        }
    }
}

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t\r\f]+")]
#[logos(extras = Vec<LexIssue>)]
pub(crate) enum Tok {
    #[regex(r"//[^\n]*")]
    Comment,
    #[token("\n")]
    Newline,
    #[token("\"\"\"", triple_string)]
    TripleString,
    #[token("\"", plain_string)]
    String,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("@")]
    At,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Word,
}

/// A `//` comment: its span and its text without the trailing newline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

pub(crate) struct Scan {
    pub(crate) comments: Vec<Comment>,
    pub(crate) issues: Vec<LexIssue>,
    /// Byte offsets where top-level items start, in order; the first is 0.
    pub(crate) item_starts: Vec<usize>,
}

pub(crate) fn scan(src: &str) -> Scan {
    let mut lex = Tok::lexer_with_extras(src, Vec::new());
    let mut comments = Vec::new();
    let mut item_starts = vec![0];
    let mut depth: i64 = 0;
    let mut line_start = true;
    let mut previous_line_was_attr = false;
    while let Some(tok) = lex.next() {
        let span = lex.span();
        let Ok(tok) = tok else {
            line_start = false;
            continue;
        };
        match tok {
            Tok::Comment => comments.push(Comment {
                span: Span::new(span.start, span.end),
                text: lex.slice().trim_end().to_string(),
            }),
            Tok::Newline => {
                line_start = true;
                continue;
            }
            Tok::LBrace => depth += 1,
            Tok::RBrace => depth = (depth - 1).max(0),
            Tok::Word | Tok::At if line_start && (depth == 0 || restarts_item(src, &lex)) => {
                // Braces left open before this line are the previous item's: its own
                // chunk reports them (see `pest_path/delimiters.rs`).
                depth = 0;
                let starts_item = tok == Tok::At || ITEM_STARTS.contains(&lex.slice());
                if starts_item && !previous_line_was_attr && span.start > 0 {
                    item_starts.push(span.start);
                }
                previous_line_was_attr = tok == Tok::At;
            }
            _ => {}
        }
        if tok != Tok::Comment {
            line_start = false;
        }
    }
    Scan {
        comments,
        issues: lex.extras,
        item_starts,
    }
}

/// An item keyword at column 0 inside an open `{`: a flow left unclosed, followed by
/// the next item. Words that also start a statement (`tag`) stay inside the brace.
fn restarts_item(src: &str, lex: &logos::Lexer<Tok>) -> bool {
    let start = lex.span().start;
    let column_0 = start == 0 || src.as_bytes().get(start - 1) == Some(&b'\n');
    let word = lex.slice();
    column_0 && ITEM_STARTS.contains(&word) && !STATEMENT_STARTS.contains(&word)
}

/// The `{`/`}` balance of a piece of source, strings and comments excluded.
pub(crate) fn brace_balance(src: &str) -> i64 {
    let lex = Tok::lexer_with_extras(src, Vec::new());
    let mut balance = 0;
    for tok in lex {
        match tok {
            Ok(Tok::LBrace) => balance += 1,
            Ok(Tok::RBrace) => balance -= 1,
            _ => {}
        }
    }
    balance
}

fn plain_string(lex: &mut logos::Lexer<Tok>) {
    let start = lex.span().start;
    let rest = lex.remainder();
    let (len, closed) = scan_string_body(rest, start + 1, false, &mut lex.extras);
    if !closed {
        let end = start + 1 + len;
        lex.extras.push(LexIssue::Unterminated {
            start,
            end,
            triple: false,
        });
    }
    lex.bump(len + usize::from(closed));
}

fn triple_string(lex: &mut logos::Lexer<Tok>) {
    let start = lex.span().start;
    let rest = lex.remainder();
    let (len, closed) = scan_string_body(rest, start + 3, true, &mut lex.extras);
    if !closed {
        let end = start + 3 + len;
        lex.extras.push(LexIssue::Unterminated {
            start,
            end,
            triple: true,
        });
    }
    lex.bump(len + if closed { 3 } else { 0 });
}

/// Scans a string body; returns the body's length in bytes and whether it was closed.
fn scan_string_body(
    body: &str,
    offset: usize,
    triple: bool,
    issues: &mut Vec<LexIssue>,
) -> (usize, bool) {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if !triple => return (i, true),
            b'"' if body[i..].starts_with("\"\"\"") => return (i, true),
            b'\n' if !triple => return (i, false),
            b'\\' => {
                let next = body[i + 1..].chars().next();
                let ok = matches!(next, Some('"' | '\\' | 'n' | '{' | '}'));
                let width = 1 + next.map_or(0, char::len_utf8);
                if !ok {
                    issues.push(LexIssue::BadEscape {
                        start: offset + i,
                        end: offset + i + width,
                    });
                }
                i += width;
            }
            b'{' => {
                let len = interpolation_len(&body[i..]);
                match len {
                    Some(len) => i += len,
                    None => {
                        let end = body[i..].find(['}', '"', '\n']).map_or(body.len(), |n| {
                            i + n + usize::from(body[i + n..].starts_with('}'))
                        });
                        issues.push(LexIssue::BadInterpolation {
                            start: offset + i,
                            end: offset + end,
                        });
                        i += 1;
                    }
                }
            }
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

/// The length of `{name}` or `{name.field}` at the start of `text`, if it is one.
fn interpolation_len(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('{')?;
    let close = inner.find('}')?;
    let path = &inner[..close];
    let valid = !path.is_empty()
        && path.split('.').all(|seg| {
            let mut chars = seg.chars();
            matches!(chars.next(), Some('a'..='z' | '_'))
                && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        });
    valid.then_some(close + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_items_comments_and_issues() {
        let src =
            "// top\nflow a {\n  say \"x {y}\" // hi\n}\n@id(\"1\")\nflow b { say \"\\t\" }\n";
        let scan = scan(src);
        assert_eq!(scan.comments.len(), 2);
        assert_eq!(scan.comments[1].text, "// hi");
        assert_eq!(scan.item_starts, vec![0, 7, src.find('@').unwrap_or(0)]);
        assert!(matches!(
            scan.issues.as_slice(),
            [LexIssue::BadEscape { .. }]
        ));
    }

    #[test]
    fn unterminated_string_stops_at_line_end() {
        let scan = scan("flow a {\n say \"oops\n}\n");
        assert!(matches!(
            scan.issues.as_slice(),
            [LexIssue::Unterminated { triple: false, .. }]
        ));
    }
}

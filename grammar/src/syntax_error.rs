//! Syntax error codes (E01xx) and the diagnostics for mistakes found outside pest:
//! string-level issues from the scan, and literals that parse but mean nothing (a 25th
//! hour, a 30th of February, a number that does not fit). Pest's own failures are put
//! into words by `pest_path/failure.rs`.

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, FileId, Label};
use crate::lexer::LexIssue;

/// Every syntax code with its one-line title, for `docs/diagnostics.md`.
pub const CODES: &[(&str, &str)] = &[
    (
        "E0101",
        "unexpected input: the parser expected something else here",
    ),
    ("E0102", "unterminated string"),
    ("E0103", "unknown escape sequence in a string"),
    ("E0104", "malformed `{...}` interpolation in a string"),
    ("E0105", "invalid time of day"),
    ("E0106", "invalid calendar date"),
    ("E0107", "names are lowercase"),
    ("E0108", "a reserved word used as a name"),
    ("E0109", "unclosed `{`"),
    ("E0110", "unexpected `}`"),
    ("E0111", "number too large"),
    ("E0112", "statement outside a flow"),
    ("E0113", "nesting too deep"),
];

pub(crate) fn lexical(file: FileId, issue: &LexIssue) -> Diagnostic {
    match issue {
        LexIssue::Unterminated { start, end, triple } => {
            let (what, help) = if *triple {
                (
                    "this `\"\"\"` string is never closed",
                    "close it with `\"\"\"`",
                )
            } else {
                (
                    "this string is never closed",
                    "close it with `\"` on the same line; for text on several lines use `\"\"\"...\"\"\"` or `\\n`",
                )
            };
            Diagnostic::error(
                "E0102",
                "unterminated string",
                Label::new(file, Span::new(*start, *end), what),
            )
            .with_note(help)
        }
        LexIssue::BadEscape { start, end } => Diagnostic::error(
            "E0103",
            "unknown escape sequence",
            Label::new(file, Span::new(*start, *end), "not a valid escape"),
        )
        .with_note("the escapes are `\\\"`, `\\\\`, `\\n`, `\\{` and `\\}`"),
        LexIssue::BadInterpolation { start, end } => Diagnostic::error(
            "E0104",
            "malformed interpolation",
            Label::new(
                file,
                Span::new(*start, *end),
                "expected `{name}` or `{name.field}`",
            ),
        )
        .with_note("write `\\{` for a literal brace"),
    }
}

pub(crate) fn invalid_time(file: FileId, span: Span, text: &str) -> Diagnostic {
    Diagnostic::error(
        "E0105",
        format!("invalid time `{text}`"),
        Label::new(file, span, "not a time of day"),
    )
    .with_note("hours go from 00 to 23 (24:00 closes a day) and minutes from 00 to 59")
}

pub(crate) fn invalid_date(file: FileId, span: Span, text: &str) -> Diagnostic {
    Diagnostic::error(
        "E0106",
        format!("invalid date `{text}`"),
        Label::new(file, span, "no such day"),
    )
    .with_note("dates are written `YYYY-MM-DD`, such as `2026-12-25`")
}

pub(crate) fn number_too_large(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error(
        "E0111",
        "number too large",
        Label::new(file, span, "this does not fit"),
    )
}

pub(crate) fn too_deep(file: FileId, span: Span, limit: usize) -> Diagnostic {
    Diagnostic::error(
        "E0113",
        "nesting too deep",
        Label::new(file, span, format!("more than {limit} levels deep here")),
    )
    .with_note(
        "blocks, arm lists, parentheses, lists, `if`s (`else if` too), each operator of an \
         expression and each `not`/`-` in a row add a level; move the inner part into a flow \
         of its own and `goto` it",
    )
}

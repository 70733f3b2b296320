//! Syntax errors (codes E01xx): pest failures and lexical mistakes turned into diagnostics
//! in plain words.
//!
//! pest reports the rules it expected at the furthest position it reached; we name them
//! with [`describe`], fold long lists into "a statement" or "an item", and recognise the
//! common mistakes (an unclosed `{`, a stray `}`, an uppercase or reserved name, a
//! statement outside a flow) to give each its own code and help.

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::ast::Span;
use crate::describe::{self, describe, ITEM, STATEMENT};
use crate::diagnostic::{Diagnostic, FileId, Label};
use crate::lexer::{self, LexIssue};
use crate::parse::Rule;

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
    ("E0107", "keywords and names are lowercase"),
    ("E0108", "a reserved word used as a name"),
    ("E0109", "unclosed `{`"),
    ("E0110", "unexpected `}`"),
    ("E0111", "number too large"),
    ("E0112", "statement outside a flow"),
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

/// Turns a pest failure inside the chunk that starts at `offset` into a diagnostic.
pub(crate) fn from_pest(file: FileId, chunk: &str, offset: usize, err: &Error<Rule>) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = pos.min(chunk.len());
    let (found_text, found_len) = found_at(chunk, pos);
    let span = Span::new(offset + pos, offset + pos + found_len);
    let positives: Vec<Rule> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let expects = |rule: Rule| positives.contains(&rule);

    if found_len == 0 && expects(Rule::close_brace) {
        let mut diag = Diagnostic::error(
            "E0109",
            "unclosed `{`",
            Label::new(file, span, "the file ends here"),
        );
        if let Some(open) = unmatched_open_brace(chunk) {
            diag = diag.with_secondary(Label::new(
                file,
                Span::new(offset + open, offset + open + 1),
                "this `{` is never closed",
            ));
        }
        return diag.with_note("add the missing `}`");
    }
    let closes_something = lexer::brace_balance(&chunk[..pos]) > 0;
    if found_text == "}" && !expects(Rule::close_brace) && !closes_something {
        return Diagnostic::error(
            "E0110",
            "unexpected `}`",
            Label::new(file, span, "nothing to close here"),
        )
        .with_note(format!("expected {}", expected_list(&positives)));
    }
    let first = found_text.chars().next();
    let wants_name = expects(Rule::ident)
        || expects(Rule::path)
        || expects(Rule::card_name)
        || expects(Rule::pattern);
    let at_top_level = positives
        .iter()
        .any(|r| describe::starts_item(*r) || matches!(r, Rule::file | Rule::EOI));
    if first.is_some_and(|c| c.is_ascii_uppercase())
        && (wants_name || at_top_level || positives.iter().any(|r| describe::starts_statement(*r)))
    {
        let lower = found_text.to_lowercase();
        let (message, label) = if is_reserved(&lower) {
            (
                format!("`{found_text}` is not a keyword"),
                "keywords are lowercase",
            )
        } else {
            (
                format!("`{found_text}` is not a valid name"),
                "names are lowercase",
            )
        };
        return Diagnostic::error("E0107", message, Label::new(file, span, label))
            .with_note(format!("write `{lower}`"));
    }
    if wants_name && is_reserved(&found_text) {
        return Diagnostic::error(
            "E0108",
            format!("`{found_text}` is a reserved word"),
            Label::new(file, span, "a reserved word cannot be a name"),
        )
        .with_note(format!("choose another name, such as `{found_text}_`"));
    }
    if at_top_level && starts_statement_word(&found_text) {
        return Diagnostic::error(
            "E0112",
            format!("`{found_text}` outside a flow"),
            Label::new(file, span, "statements go inside a flow"),
        )
        .with_note("put it inside `flow name { ... }`");
    }
    let found = if found_len == 0 {
        "the end of the file".to_string()
    } else {
        format!("`{found_text}`")
    };
    Diagnostic::error(
        "E0101",
        format!("expected {}, found {found}", expected_list(&positives)),
        Label::new(file, span, format!("unexpected {found}")),
    )
}

/// "a, b or c", with statement and item keywords folded into one phrase each.
fn expected_list(positives: &[Rule]) -> String {
    let n_statement_rules = positives
        .iter()
        .filter(|r| describe::starts_statement(**r))
        .count();
    let n_item_rules = positives
        .iter()
        .filter(|r| describe::starts_item(**r))
        .count();
    let mut words: Vec<&str> = Vec::new();
    let mut push = |w: &'static str| {
        if !words.contains(&w) {
            words.push(w);
        }
    };
    for rule in positives {
        if n_statement_rules >= 3 && describe::starts_statement(*rule) {
            push(STATEMENT);
        } else if n_item_rules >= 3 && describe::starts_item(*rule) {
            push(ITEM);
        } else {
            push(describe(*rule));
        }
    }
    match words.as_slice() {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// The token at `pos`: a word, a number, one punctuation character, or nothing at the end.
fn found_at(chunk: &str, pos: usize) -> (String, usize) {
    let rest = &chunk[pos..];
    let Some(first) = rest.chars().next() else {
        return (String::new(), 0);
    };
    if first.is_alphanumeric() || first == '_' {
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        return (rest[..len].to_string(), len);
    }
    if first == '\n' || first == '\r' {
        return ("end of line".to_string(), 0);
    }
    (first.to_string(), first.len_utf8())
}

fn is_reserved(word: &str) -> bool {
    const RESERVED: [&str; 36] = [
        "erp",
        "department",
        "attendant",
        "tag",
        "group",
        "branch",
        "period",
        "holiday",
        "template",
        "agent",
        "script",
        "flow",
        "say",
        "audio",
        "ask",
        "choice",
        "confirm",
        "input",
        "as",
        "when",
        "else",
        "if",
        "goto",
        "transfer",
        "to",
        "wait",
        "set",
        "end",
        "yes",
        "no",
        "true",
        "false",
        "and",
        "or",
        "not",
        "in",
    ];
    RESERVED.contains(&word)
}

fn starts_statement_word(word: &str) -> bool {
    matches!(
        word,
        "say" | "ask" | "when" | "if" | "goto" | "transfer" | "wait" | "set" | "end"
    )
}

/// The offset of the last `{` left open at the end of `chunk`.
fn unmatched_open_brace(chunk: &str) -> Option<usize> {
    let mut stack = Vec::new();
    let mut lex = <lexer::Tok as logos::Logos>::lexer_with_extras(chunk, Vec::new());
    while let Some(tok) = lex.next() {
        match tok {
            Ok(lexer::Tok::LBrace) => stack.push(lex.span().start),
            Ok(lexer::Tok::RBrace) => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

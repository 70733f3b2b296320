//! The canonical text of leaves and expressions: strings (re-escaped, triple-quoted ones
//! re-indented), numbers, durations, times, dates and expressions.
//!
//! Every function here returns text that parses back to the same tree. Expressions are
//! written exactly as the tree says: parentheses come from `Paren` nodes, never added.

use crate::ast::{Attr, AttrArg, Date, Duration, Expr, ExprKind, Str, StrPart, Time, UnaryOp};
use crate::format::printer::INDENT;

/// A string literal; `indent` is the level of the line it starts on, which the lines of
/// a multi-line triple-quoted string are indented from.
pub(super) fn string(s: &Str, indent: usize) -> String {
    if s.triple {
        triple(s, indent)
    } else {
        let mut out = String::from("\"");
        for part in &s.parts {
            match part {
                StrPart::Text(text) => escape_into(&mut out, text, Quotes::All, false),
                StrPart::Var(path) => push_var(&mut out, &path.dotted()),
            }
        }
        out.push('"');
        out
    }
}

pub(super) fn expr(e: &Expr, indent: usize) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, indent);
    out
}

/// `@id("c81f")`, `@pos(120, 340)`, `@start`.
pub(super) fn attr(a: &Attr, indent: usize) -> String {
    let mut out = format!("@{}", a.name.name);
    if !a.args.is_empty() {
        let args: Vec<String> = a
            .args
            .iter()
            .map(|arg| match arg {
                AttrArg::Str(s) => string(s, indent),
                AttrArg::Number(n) => n.clone(),
                AttrArg::Ident(id) => id.name.clone(),
            })
            .collect();
        out.push('(');
        out.push_str(&args.join(", "));
        out.push(')');
    }
    out
}

/// The shortest decimal that reads back as the same number: `12`, `3.5`.
pub(super) fn number(n: f64) -> String {
    format!("{n}")
}

pub(super) fn duration(d: &Duration) -> String {
    format!("{}{}", d.value, d.unit.suffix())
}

pub(super) fn time(t: &Time) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

pub(super) fn date(d: &Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

fn write_expr(out: &mut String, e: &Expr, indent: usize) {
    match &e.kind {
        ExprKind::Str(s) => out.push_str(&string(s, indent)),
        ExprKind::Number(n) => out.push_str(&number(*n)),
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Duration(d) => out.push_str(&duration(d)),
        ExprKind::Time(t) => out.push_str(&time(t)),
        ExprKind::Date(d) => out.push_str(&date(d)),
        ExprKind::Range { from, to } => out.push_str(&format!("{from}..{to}")),
        ExprKind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, item, indent);
            }
            out.push(']');
        }
        ExprKind::Path(path) => out.push_str(&path.dotted()),
        ExprKind::Unary(op, operand) => {
            out.push_str(match op {
                UnaryOp::Not => "not ",
                UnaryOp::Neg => "-",
            });
            write_expr(out, operand, indent);
        }
        ExprKind::Binary(op, lhs, rhs) => {
            write_expr(out, lhs, indent);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_expr(out, rhs, indent);
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            write_expr(out, inner, indent);
            out.push(')');
        }
    }
}

/// Which double quotes need a backslash.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quotes {
    /// In `"..."`: every one.
    All,
    /// In `"""..."""`: those in a run of three or more, which would close the string.
    Runs,
}

/// Escapes `text`; `at_close` says it ends just before a closing `"""`, so that a
/// final run of quotes must be escaped too.
fn escape_into(out: &mut String, text: &str, quotes: Quotes, at_close: bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '"' => {
                let run = chars[i..].iter().take_while(|c| **c == '"').count();
                let escape =
                    quotes == Quotes::All || run >= 3 || (at_close && i + run == chars.len());
                for _ in 0..run {
                    out.push_str(if escape { "\\\"" } else { "\"" });
                }
                i += run;
                continue;
            }
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '{' => out.push_str("\\{"),
            c => out.push(c),
        }
        i += 1;
    }
}

fn push_var(out: &mut String, dotted: &str) {
    out.push('{');
    out.push_str(dotted);
    out.push('}');
}

/// One line of a triple-quoted string's value, split at interpolations.
#[derive(Default)]
struct Line<'s> {
    pieces: Vec<Piece<'s>>,
}

enum Piece<'s> {
    Text(&'s str),
    Var(String),
}

impl Line<'_> {
    fn is_empty(&self) -> bool {
        self.pieces
            .iter()
            .all(|p| matches!(p, Piece::Text(t) if t.is_empty()))
    }

    /// Only whitespace, which the dedent rule would turn into an empty line.
    fn is_only_whitespace(&self) -> bool {
        !self.is_empty()
            && self
                .pieces
                .iter()
                .all(|p| matches!(p, Piece::Text(t) if t.trim().is_empty()))
    }

    fn starts_with_indent(&self) -> bool {
        let first = self
            .pieces
            .iter()
            .find(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
        matches!(first, Some(Piece::Text(t)) if t.starts_with([' ', '\t']))
    }

    fn write(&self, out: &mut String, at_close: bool) {
        let n_pieces = self.pieces.len();
        for (i, piece) in self.pieces.iter().enumerate() {
            match piece {
                Piece::Text(text) => {
                    escape_into(out, text, Quotes::Runs, at_close && i + 1 == n_pieces)
                }
                Piece::Var(dotted) => push_var(out, dotted),
            }
        }
    }
}

/// A triple-quoted string. A one-line value stays on one line; otherwise the value's lines
/// go between `"""` lines, indented one level deeper than the line the string starts on,
/// so that the dedent rule gives the value back.
fn triple(s: &Str, indent: usize) -> String {
    let lines = split_lines(s);
    if let [line] = lines.as_slice() {
        if !line.is_only_whitespace() && !line.starts_with_indent() {
            let mut body = String::new();
            line.write(&mut body, true);
            return format!("\"\"\"{body}\"\"\"");
        }
    }
    let inner = INDENT.repeat(indent + 1);
    let mut out = String::from("\"\"\"\n");
    for group in source_lines(&lines) {
        if group.iter().all(|line| line.is_empty()) && group.len() == 1 {
            out.push('\n');
            continue;
        }
        out.push_str(&inner);
        for (i, line) in group.iter().enumerate() {
            if i > 0 {
                out.push_str("\\n");
            }
            line.write(&mut out, false);
        }
        out.push('\n');
    }
    out.push_str(&INDENT.repeat(indent));
    out.push_str("\"\"\"");
    out
}

fn split_lines(s: &Str) -> Vec<Line<'_>> {
    let mut lines = vec![Line::default()];
    for part in &s.parts {
        match part {
            StrPart::Text(text) => {
                for (i, chunk) in text.split('\n').enumerate() {
                    if i > 0 {
                        lines.push(Line::default());
                    }
                    if let Some(line) = lines.last_mut() {
                        line.pieces.push(Piece::Text(chunk));
                    }
                }
            }
            StrPart::Var(path) => {
                if let Some(line) = lines.last_mut() {
                    line.pieces.push(Piece::Var(path.dotted()));
                }
            }
        }
    }
    lines
}

/// Groups the value's lines into source lines. A line of only whitespace cannot stand on
/// its own (the dedent rule would empty it), so it joins the line before it through a
/// `\n` escape, or the line after it when it comes first.
fn source_lines<'l, 's>(lines: &'l [Line<'s>]) -> Vec<Vec<&'l Line<'s>>> {
    let mut groups: Vec<Vec<&Line>> = Vec::new();
    let mut carry: Vec<&Line> = Vec::new();
    for line in lines {
        if line.is_only_whitespace() {
            match groups.last_mut() {
                Some(group) if carry.is_empty() => group.push(line),
                _ => carry.push(line),
            }
        } else if !carry.is_empty() {
            carry.push(line);
            groups.push(std::mem::take(&mut carry));
        } else {
            groups.push(vec![line]);
        }
    }
    if !carry.is_empty() {
        groups.push(carry);
    }
    groups
}

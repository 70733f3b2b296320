//! Expressions: operators by precedence, literals, paths, lists, parentheses.
//!
//! The tree must be the one pest's `PrattParser` builds from the grammar's flat
//! `prefix* ~ primary ~ (infix ~ prefix* ~ primary)*` with the table in
//! `pest_path/builder/expr.rs`, so this is the same algorithm over the same precedences:
//! `or` < `and` < prefix `not` < `==` `!=` < comparisons < `+` `-` < `*` `/` < prefix `-`,
//! infix operators binding to the left, a prefix operator taking everything that binds
//! tighter than itself (`not a == b` is `not (a == b)`).

use crate::ast::*;
use crate::literal::{bound_value, date_value, duration_parts, number_value, time_value};

use super::cursor::{span_of, Parser};
use super::token::{NumKind, Tok};

// The binding powers pest's `PrattParser` gives the table's levels (10 apart, lowest
// first); a prefix operator parses its operand at its own power minus one.
const OR: u8 = 20;
const AND: u8 = 30;
const NOT: u8 = 40;
const EQUALITY: u8 = 50;
const COMPARISON: u8 = 60;
const SUM: u8 = 70;
const PRODUCT: u8 = 80;
const NEG: u8 = 90;

fn infix(tok: Tok) -> Option<(BinaryOp, u8)> {
    let op = match tok {
        Tok::Or => (BinaryOp::Or, OR),
        Tok::And => (BinaryOp::And, AND),
        Tok::EqEq => (BinaryOp::Eq, EQUALITY),
        Tok::NotEq => (BinaryOp::Ne, EQUALITY),
        Tok::Lt => (BinaryOp::Lt, COMPARISON),
        Tok::LtEq => (BinaryOp::Le, COMPARISON),
        Tok::Gt => (BinaryOp::Gt, COMPARISON),
        Tok::GtEq => (BinaryOp::Ge, COMPARISON),
        Tok::Plus => (BinaryOp::Add, SUM),
        Tok::Minus => (BinaryOp::Sub, SUM),
        Tok::Star => (BinaryOp::Mul, PRODUCT),
        Tok::Slash => (BinaryOp::Div, PRODUCT),
        _ => return None,
    };
    Some(op)
}

impl Parser<'_> {
    pub(super) fn expr(&mut self) -> Option<Expr> {
        self.expr_above(0)
    }

    /// An expression whose operators all bind tighter than `power`. An operator that
    /// nothing valid follows ends the expression in pest, but no rule accepts an
    /// operator after an expression, so it is an error here.
    fn expr_above(&mut self, power: u8) -> Option<Expr> {
        self.nested(|p| {
            let mut lhs = p.unary()?;
            // Each operator of `a + b + c ...` makes the tree one deeper on the left,
            // and later passes recurse over that depth too.
            let mut operators = 0;
            while let Some((op, op_power)) = infix(p.peek()) {
                if op_power <= power {
                    break;
                }
                operators += 1;
                if !p.has_room(operators) {
                    return None;
                }
                p.bump();
                let rhs = p.expr_above(op_power)?;
                let span = lhs.span.cover(rhs.span);
                lhs = Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    span,
                };
            }
            Some(lhs)
        })
    }

    fn unary(&mut self) -> Option<Expr> {
        let (op, power) = match self.peek() {
            Tok::Not => (UnaryOp::Not, NOT),
            Tok::Minus => (UnaryOp::Neg, NEG),
            _ => return self.primary(),
        };
        let start = self.bump().start;
        let rhs = self.expr_above(power - 1)?;
        let span = Span {
            start,
            end: rhs.span.end,
        };
        Some(Expr {
            kind: ExprKind::Unary(op, Box::new(rhs)),
            span,
        })
    }

    /// `primary = _{ literal | path | paren | list | keyword_value }`
    fn primary(&mut self) -> Option<Expr> {
        let start = self.next_start();
        let kind = match self.peek() {
            Tok::Str => ExprKind::Str(self.string()?),
            Tok::Num(kind) => self.number(kind)?,
            Tok::True | Tok::False => ExprKind::Bool(self.bump().tok == Tok::True),
            Tok::Word => ExprKind::Path(self.path()?),
            Tok::LParen => {
                self.bump();
                let inner = self.expr()?;
                self.eat(Tok::RParen)?;
                ExprKind::Paren(Box::new(inner))
            }
            Tok::LBracket => {
                self.bump();
                let mut items = Vec::new();
                while self.eat(Tok::RBracket).is_none() {
                    items.push(self.expr()?);
                    if self.eat(Tok::Comma).is_none() {
                        self.eat(Tok::RBracket)?;
                        break;
                    }
                }
                ExprKind::List(items)
            }
            // `keyword_value = { kw_attendant }`: `survey(target: attendant)`.
            Tok::Attendant => {
                let word = self.bump();
                ExprKind::Path(Path {
                    segments: vec![self.ident_of(word)],
                    span: span_of(word),
                })
            }
            _ => return None,
        };
        Some(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    /// A numeric literal; `None` for one the pest builder would report (too large, not
    /// a time of day, not a calendar date).
    fn number(&mut self, kind: NumKind) -> Option<ExprKind> {
        let kind = match kind {
            NumKind::Date => ExprKind::Date(self.date()?),
            NumKind::Time => ExprKind::Time(self.time()?),
            NumKind::Duration => ExprKind::Duration(self.duration()?),
            NumKind::Range => {
                let token = self.bump();
                let (from, to) = self.text(token).split_once("..")?;
                ExprKind::Range {
                    from: bound_value(from)?,
                    to: bound_value(to)?,
                }
            }
            NumKind::Number => {
                let token = self.bump();
                ExprKind::Number(number_value(self.text(token))?)
            }
        };
        Some(kind)
    }

    pub(super) fn duration(&mut self) -> Option<Duration> {
        let token = self.eat(Tok::Num(NumKind::Duration))?;
        let (value, unit) = duration_parts(self.text(token));
        Some(Duration {
            value: value?,
            unit,
            span: span_of(token),
        })
    }

    pub(super) fn time(&mut self) -> Option<Time> {
        let token = self.eat(Tok::Num(NumKind::Time))?;
        time_value(self.text(token), span_of(token))
    }

    pub(super) fn date(&mut self) -> Option<Date> {
        let token = self.eat(Tok::Num(NumKind::Date))?;
        date_value(self.text(token), span_of(token))
    }

    /// `path = ${ ident ~ ("." ~ ident)* }`: `sinal_rx.dbm`, nothing between the parts.
    /// No rule accepts a `.` after a path, so one that does not continue it is an error.
    pub(super) fn path(&mut self) -> Option<Path> {
        let start = self.next_start();
        let mut segments = vec![self.ident()?];
        while self.peek() == Tok::Dot {
            if !self.touching() {
                return None;
            }
            self.bump();
            if !self.touching() {
                return None;
            }
            segments.push(self.ident()?);
        }
        Some(Path {
            segments,
            span: self.span_from(start),
        })
    }
}

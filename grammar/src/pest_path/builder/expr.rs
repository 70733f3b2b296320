//! Expressions, built from pest's flat `prefix* ~ primary ~ (infix ~ prefix* ~ primary)*`
//! by pest's Pratt parser with the operator table below (`descent/expr.rs` mirrors it).

use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use crate::ast::*;
use crate::literal::number_value;
use crate::syntax_error;

use super::{Builder, Rule};

impl Builder<'_> {
    pub(super) fn expr(&mut self, pair: Pair<Rule>) -> Expr {
        self.climb(pratt(), pair.into_inner())
    }

    fn climb(&mut self, pratt: &PrattParser<Rule>, pairs: Pairs<Rule>) -> Expr {
        // The Pratt parser's callbacks cannot borrow `self` mutably all at once, so
        // diagnostics from literals are collected through a cell.
        let diags = std::cell::RefCell::new(std::mem::take(self.diagnostics));
        let off = self.off;
        let end = self.end;
        let file = self.file;
        let comments = self.comments;
        let res = pratt
            .map_primary(|p| {
                let mut builder_diags = diags.borrow_mut();
                let mut b = Builder {
                    off,
                    end,
                    file,
                    comments,
                    diagnostics: &mut builder_diags,
                };
                b.primary(p, pratt)
            })
            .map_prefix(|op, rhs| {
                let span = Span::new(off + op.as_span().start(), rhs.span.end as usize);
                let op = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                Expr {
                    kind: ExprKind::Unary(op, Box::new(rhs)),
                    span,
                }
            })
            .map_infix(|lhs, op, rhs| {
                let span = lhs.span.cover(rhs.span);
                let op = binary_op(op.as_rule());
                Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    span,
                }
            })
            .parse(pairs);
        *self.diagnostics = diags.into_inner();
        res
    }

    fn primary(&mut self, pair: Pair<Rule>, pratt: &PrattParser<Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::string => ExprKind::Str(self.string(pair)),
            Rule::number => ExprKind::Number(number_value(pair.as_str()).unwrap_or_else(|| {
                self.diagnostics
                    .push(syntax_error::number_too_large(self.file, span));
                0.0
            })),
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::duration => ExprKind::Duration(self.duration(pair)),
            Rule::time => ExprKind::Time(self.time(pair)),
            Rule::date => ExprKind::Date(self.date(pair)),
            Rule::range => {
                let mut bounds = pair.into_inner().map(|b| self.bound(b));
                let from = bounds.next().unwrap_or(0);
                let to = bounds.next().unwrap_or(0);
                ExprKind::Range { from, to }
            }
            Rule::list => {
                let items = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .map(|p| {
                        let inner = p.into_inner();
                        self.climb(pratt, inner)
                    })
                    .collect();
                ExprKind::List(items)
            }
            Rule::paren => {
                let inner = pair.into_inner().find(|p| p.as_rule() == Rule::expr);
                match inner {
                    Some(p) => ExprKind::Paren(Box::new(self.climb(pratt, p.into_inner()))),
                    None => ExprKind::Bool(false),
                }
            }
            Rule::keyword_value => {
                let word = Ident {
                    name: pair.as_str().to_string(),
                    span,
                };
                ExprKind::Path(Path {
                    segments: vec![word],
                    span,
                })
            }
            _ => ExprKind::Path(self.path(pair)),
        };
        Expr { kind, span }
    }

    pub(super) fn path(&self, pair: Pair<Rule>) -> Path {
        let span = self.span(&pair);
        let segments = pair.into_inner().map(|p| self.ident(p)).collect();
        Path { segments, span }
    }
}

/// The operator table, built once: building it per expression cost more than parsing
/// most expressions.
fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left) | Op::infix(Rule::op_ne, Assoc::Left))
            .op(Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
    })
}

fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        _ => BinaryOp::Div,
    }
}

//! Statements and the blocks and arms that hold them, from pest's pairs to the tree (the
//! twin of `descent/stmt.rs`). Keyword and punctuation pairs are dropped before a
//! statement is read: once pest accepted the text they carry nothing.

use pest::iterators::Pair;

use crate::ast::*;
use crate::pest_path::describe::is_keyword;

use super::{empty_str, is_punct, missing_ident, Builder, Rule};

impl Builder<'_> {
    pub(super) fn block(&mut self, pair: Pair<Rule>) -> Block {
        let span = self.span(&pair);
        let stmts = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::stmt)
            .map(|p| self.stmt(p))
            .collect();
        Block { stmts, span }
    }

    fn stmt(&mut self, pair: Pair<Rule>) -> Stmt {
        let span = self.span(&pair);
        let mut attrs = Vec::new();
        let mut label = None;
        let mut kind = StmtKind::End;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::attr => attrs.push(self.attr(inner)),
                Rule::label => {
                    label = inner
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::ident)
                        .map(|p| self.ident(p))
                }
                _ => kind = self.stmt_kind(inner),
            }
        }
        Stmt {
            attrs,
            label,
            kind,
            span,
        }
    }

    fn stmt_kind(&mut self, pair: Pair<Rule>) -> StmtKind {
        let rule = pair.as_rule();
        let span = self.span(&pair);
        let mut inner = pair
            .into_inner()
            .filter(|p| !is_punct(p.as_rule()) && !is_keyword(p.as_rule()));
        match rule {
            Rule::say_stmt => match inner.next() {
                Some(p) if p.as_rule() == Rule::say_audio => {
                    let mut parts = p.into_inner().filter(|p| p.as_rule() == Rule::string);
                    StmtKind::SayAudio(self.next_str(&mut parts, span))
                }
                Some(p) => StmtKind::Say(self.string(p)),
                None => StmtKind::Say(empty_str(span)),
            },
            Rule::ask_stmt => {
                let prompt = self.next_str(&mut inner, span);
                let Some(form) = inner.next() else {
                    return StmtKind::Ask(Ask {
                        prompt,
                        kind: AskKind::Choice {
                            arms: Arms {
                                arms: Vec::new(),
                                span,
                            },
                        },
                        args: Vec::new(),
                    });
                };
                let form_rule = form.as_rule();
                let mut args = Vec::new();
                let mut arms = Arms {
                    arms: Vec::new(),
                    span,
                };
                let mut idents = Vec::new();
                for p in form.into_inner() {
                    match p.as_rule() {
                        Rule::args => args = self.args(p),
                        Rule::arms => arms = self.arms(p),
                        Rule::ident => idents.push(self.ident(p)),
                        _ => {}
                    }
                }
                let kind = match form_rule {
                    Rule::ask_confirm => AskKind::Confirm { arms },
                    Rule::ask_input => {
                        let mut idents = idents.into_iter();
                        let ty = idents.next().unwrap_or_else(|| missing_ident(span));
                        let var = idents.next().unwrap_or_else(|| missing_ident(span));
                        AskKind::Input { ty, var }
                    }
                    _ => AskKind::Choice { arms },
                };
                StmtKind::Ask(Ask { prompt, kind, args })
            }
            Rule::when_stmt => {
                let subject = match inner.next() {
                    Some(p) => self.subject(p),
                    None => Subject::Branch(span),
                };
                let arms = match inner.next() {
                    Some(p) => self.arms(p),
                    None => Arms {
                        arms: Vec::new(),
                        span,
                    },
                };
                StmtKind::When(When { subject, arms })
            }
            Rule::if_stmt => StmtKind::If(self.if_stmt(inner.collect(), span)),
            Rule::goto_stmt => StmtKind::Goto(self.next_ident(&mut inner, span)),
            Rule::transfer_stmt => {
                let department = self.next_ident(&mut inner, span);
                let attendant = inner.next().map(|p| self.ident(p));
                StmtKind::Transfer {
                    department,
                    attendant,
                }
            }
            Rule::tag_stmt => StmtKind::Tag(inner.map(|p| self.ident(p)).collect()),
            Rule::wait_stmt => {
                let duration = inner.next().map(|p| self.duration(p));
                StmtKind::Wait(duration.unwrap_or(Duration {
                    value: 0,
                    unit: DurationUnit::Seconds,
                    span,
                }))
            }
            Rule::set_stmt => {
                let var = self.next_ident(&mut inner, span);
                let value = match inner.next() {
                    Some(p) => self.expr(p),
                    None => Expr {
                        kind: ExprKind::Bool(false),
                        span,
                    },
                };
                StmtKind::Set { var, value }
            }
            Rule::call_stmt => StmtKind::Call(self.call(inner, span)),
            _ => StmtKind::End,
        }
    }

    fn call<'i>(&mut self, inner: impl Iterator<Item = Pair<'i, Rule>>, span: Span) -> Call {
        let mut call = Call {
            namespace: None,
            name: missing_ident(span),
            args: Vec::new(),
            binding: None,
            arms: None,
        };
        for p in inner {
            match p.as_rule() {
                Rule::card_name => {
                    let mut parts = Vec::new();
                    for part in p.into_inner() {
                        parts.push(Ident {
                            name: part.as_str().to_string(),
                            span: self.span(&part),
                        });
                    }
                    if let Some(name) = parts.pop() {
                        call.name = name;
                    }
                    call.namespace = parts.pop();
                }
                Rule::args => call.args = self.args(p),
                Rule::ident => call.binding = Some(self.ident(p)),
                Rule::arms => call.arms = Some(self.arms(p)),
                _ => {}
            }
        }
        call
    }

    fn if_stmt(&mut self, inner: Vec<Pair<Rule>>, span: Span) -> If {
        let mut res = If {
            cond: Expr {
                kind: ExprKind::Bool(false),
                span,
            },
            then: Block {
                stmts: Vec::new(),
                span,
            },
            otherwise: None,
        };
        for p in inner {
            match p.as_rule() {
                Rule::expr => res.cond = self.expr(p),
                Rule::block => res.then = self.block(p),
                Rule::else_clause => {
                    let else_span = self.span(&p);
                    for e in p.into_inner() {
                        match e.as_rule() {
                            Rule::block => res.otherwise = Some(Else::Block(self.block(e))),
                            Rule::if_stmt => {
                                let nested_span = self.span(&e);
                                let nested = self.if_stmt(e.into_inner().collect(), nested_span);
                                res.otherwise = Some(Else::If(Box::new(nested), else_span));
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        res
    }

    fn subject(&mut self, pair: Pair<Rule>) -> Subject {
        let span = self.span(&pair);
        match pair.into_inner().next() {
            Some(p) if p.as_rule() == Rule::hours_subject => {
                let mut idents = p.into_inner().filter(|p| p.as_rule() == Rule::ident);
                Subject::Hours(self.next_ident(&mut idents, span))
            }
            Some(p) if p.as_rule() == Rule::kw_tag => Subject::Tag(self.span(&p)),
            Some(p) if p.as_rule() == Rule::kw_branch => Subject::Branch(self.span(&p)),
            Some(p) => Subject::Path(self.path(p)),
            None => Subject::Branch(span),
        }
    }

    fn args(&mut self, pair: Pair<Rule>) -> Vec<Arg> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::arg)
            .map(|p| {
                let span = self.span(&p);
                let mut inner = p.into_inner().filter(|p| !is_punct(p.as_rule()));
                let name = self.next_ident(&mut inner, span);
                let value = match inner.next() {
                    Some(e) => self.expr(e),
                    None => Expr {
                        kind: ExprKind::Bool(false),
                        span,
                    },
                };
                Arg { name, value, span }
            })
            .collect()
    }

    fn arms(&mut self, pair: Pair<Rule>) -> Arms {
        let span = self.span(&pair);
        let arms = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::arm)
            .map(|p| self.arm(p))
            .collect();
        Arms { arms, span }
    }

    fn arm(&mut self, pair: Pair<Rule>) -> Arm {
        let span = self.span(&pair);
        let mut attrs = Vec::new();
        let mut pattern = Pattern::Else(span);
        let mut body = Branch::Block(Block {
            stmts: Vec::new(),
            span,
        });
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::attr => attrs.push(self.attr(p)),
                Rule::pattern => pattern = self.pattern(p),
                Rule::branch => {
                    if let Some(b) = p.into_inner().next() {
                        body = match b.as_rule() {
                            Rule::block => Branch::Block(self.block(b)),
                            _ => Branch::Stmt(Box::new(self.stmt(b))),
                        };
                    }
                }
                _ => {}
            }
        }
        Arm {
            attrs,
            pattern,
            body,
            span,
        }
    }

    fn pattern(&mut self, pair: Pair<Rule>) -> Pattern {
        let span = self.span(&pair);
        match pair.into_inner().next() {
            Some(p) => match p.as_rule() {
                Rule::string => Pattern::Str(self.string(p)),
                Rule::kw_yes => Pattern::Yes(span),
                Rule::kw_no => Pattern::No(span),
                Rule::kw_else => Pattern::Else(span),
                _ => Pattern::Name(self.ident(p)),
            },
            None => Pattern::Else(span),
        }
    }
}

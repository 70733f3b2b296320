//! Text to [`ast::File`]: runs the pest grammar item by item, builds the tree, and turns
//! every failure into a [`Diagnostic`] in plain words. A valid file takes a faster road,
//! the hand-written parser in `descent`, which builds the same tree or leaves the file
//! to pest; the values of literals are decoded here for both.
//!
//! Parsing never fails: it returns the items it could read and the errors it found.
//! Recovery works at two levels. The source is cut at top-level items (so a broken flow
//! does not hide the next one), and inside an item the line holding an error is blanked
//! and the item parsed again, as long as blanking keeps the braces balanced.

use std::borrow::Cow;
use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;

use crate::ast::*;
use crate::diagnostic::{Diagnostic, FileId};
use crate::lexer::{self, Comment, LexIssue, Scan};
use crate::{descent, pest_failure, syntax_error};

#[derive(pest_derive::Parser)]
#[grammar = "flow.pest"]
pub(crate) struct FlowParser;

/// What parsing one file produced.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub file: File,
    /// Every `//` comment, in source order, for the formatter.
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How many errors one item may report before the parser gives up on it.
const MAX_ERRORS_PER_ITEM: usize = 12;

pub fn parse(file_id: FileId, src: &str) -> Parsed {
    let scan = lexer::scan(src);
    if scan.issues.is_empty() {
        if let Some(file) = descent::parse_file(src, &scan.item_starts) {
            return Parsed {
                file,
                comments: scan.comments,
                diagnostics: Vec::new(),
            };
        }
    }
    parse_with_pest(file_id, src, scan)
}

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
                let mut builder = Builder {
                    off: start,
                    file: file_id,
                    comments,
                    diagnostics,
                };
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
                let failure = pest_failure::from_pest(file_id, chunk, start, &err);
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

/// How deep constructs may nest. The tree builder, the checker, the lowering and the
/// formatter all recurse over nesting, so a bound here keeps any input from exhausting
/// their stacks; real flows stay under 20 levels.
/// (The fast parser gives up at 64 levels of its own count, so every file it accepts is
/// within this bound too, and the two parsers agree.)
const MAX_NESTING: usize = 256;

/// The first construct nested deeper than [`MAX_NESTING`], found without recursion.
/// A level is a block, an arm list, a parenthesis, a list, an `if` (so `else if` chains
/// count), each binary operator of an expression (`a + b + c` is a tree two deep) and
/// each operator of its longest run of prefix operators (`- - x`).
fn too_deep(file: Pair<'_, Rule>) -> Option<pest::Span<'_>> {
    let mut stack = vec![(file, 0usize)];
    while let Some((pair, depth)) = stack.pop() {
        let rule = pair.as_rule();
        let levels = match rule {
            Rule::block | Rule::arms | Rule::paren | Rule::list | Rule::if_stmt => 1,
            Rule::expr => expr_depth(&pair),
            _ => 0,
        };
        let depth = depth + levels;
        if depth > MAX_NESTING {
            return Some(pair.as_span());
        }
        stack.extend(pair.into_inner().map(|inner| (inner, depth)));
    }
    None
}

fn expr_depth(expr: &Pair<'_, Rule>) -> usize {
    let (mut binary, mut run, mut longest) = (0, 0, 0);
    for inner in expr.clone().into_inner() {
        match inner.as_rule() {
            Rule::op_not | Rule::op_neg => {
                run += 1;
                longest = longest.max(run);
            }
            // The infix operators, as `describe` knows them for error messages.
            rule if crate::describe::is_operator(rule) => binary += 1,
            _ => run = 0,
        }
    }
    binary + longest
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

struct Builder<'d> {
    off: usize,
    file: FileId,
    /// Every comment of the file, to keep them out of the nodes' spans.
    comments: &'d [Comment],
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Builder<'_> {
    /// The pair's span without the whitespace and comments that pest lets a rule end
    /// with (a rule ending in `x?` or `x*` swallows what it skipped looking for `x`).
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let start = self.off + pair.as_span().start();
        let text = pair.as_str();
        let mut len = text.len();
        loop {
            len = text[..len].trim_end_matches([' ', '\t', '\r', '\n']).len();
            let end = start + len;
            let before = self
                .comments
                .partition_point(|c| (c.span.start as usize) < end);
            match before.checked_sub(1).and_then(|i| self.comments.get(i)) {
                Some(c) if c.span.start as usize >= start && c.span.end as usize >= end => {
                    len = c.span.start as usize - start;
                }
                _ => break,
            }
        }
        Span::new(start, start + len)
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn item(&mut self, pair: Pair<Rule>) -> Item {
        let span = self.span(&pair);
        let mut attrs = Vec::new();
        let mut kind = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::attr => attrs.push(self.attr(inner)),
                _ => kind = Some(self.item_kind(inner)),
            }
        }
        // The grammar guarantees an item kind; an empty flow keeps the tree total if not.
        let kind = kind.unwrap_or_else(|| {
            ItemKind::Flow(Flow {
                name: Ident {
                    name: String::new(),
                    span,
                },
                title: None,
                body: Block {
                    stmts: Vec::new(),
                    span,
                },
            })
        });
        Item { attrs, kind, span }
    }

    fn item_kind(&mut self, pair: Pair<Rule>) -> ItemKind {
        let rule = pair.as_rule();
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_punct(p.as_rule()));
        match rule {
            Rule::erp_item => {
                skip(&mut inner);
                ItemKind::Erp(self.next_ident(&mut inner, span))
            }
            Rule::entity_item => {
                let kind = match inner
                    .next()
                    .and_then(|p| p.into_inner().next())
                    .map(|p| p.as_rule())
                {
                    Some(Rule::kw_tag) => EntityKind::Tag,
                    Some(Rule::kw_group) => EntityKind::Group,
                    Some(Rule::kw_branch) => EntityKind::Branch,
                    Some(Rule::kw_template) => EntityKind::Template,
                    Some(Rule::kw_agent) => EntityKind::Agent,
                    _ => EntityKind::Department,
                };
                let name = self.next_ident(&mut inner, span);
                let title = self.next_str(&mut inner, span);
                ItemKind::Entity(Entity { kind, name, title })
            }
            Rule::attendant_item => {
                skip(&mut inner);
                let name = self.next_ident(&mut inner, span);
                let title = self.next_str(&mut inner, span);
                skip(&mut inner);
                let department = self.next_ident(&mut inner, span);
                ItemKind::Attendant(Attendant {
                    name,
                    title,
                    department,
                })
            }
            Rule::period_item => {
                skip(&mut inner);
                let name = self.next_ident(&mut inner, span);
                let title = self.next_str(&mut inner, span);
                let rules = inner.map(|p| self.period_rule(p)).collect();
                ItemKind::Period(Period { name, title, rules })
            }
            Rule::script_item => {
                skip(&mut inner);
                let name = self.next_ident(&mut inner, span);
                let path = self.next_str(&mut inner, span);
                let fields = inner
                    .map(|p| {
                        let mut parts = p.into_inner().filter(|p| p.as_rule() == Rule::ident);
                        let name = self.next_ident(&mut parts, span);
                        let ty = self.next_ident(&mut parts, span);
                        RecordField { name, ty }
                    })
                    .collect();
                ItemKind::Script(Script { name, path, fields })
            }
            _ => {
                skip(&mut inner);
                let name = self.next_ident(&mut inner, span);
                let mut title = None;
                let mut body = Block {
                    stmts: Vec::new(),
                    span,
                };
                for p in inner {
                    match p.as_rule() {
                        Rule::string => title = Some(self.string(p)),
                        _ => body = self.block(p),
                    }
                }
                ItemKind::Flow(Flow { name, title, body })
            }
        }
    }

    fn period_rule(&mut self, pair: Pair<Rule>) -> PeriodRule {
        let span = self.span(&pair);
        if pair.as_rule() == Rule::holiday_rule {
            let date = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::date)
                .map(|p| self.date(p))
                .unwrap_or(Date {
                    year: 1970,
                    month: 1,
                    day: 1,
                    span,
                });
            return PeriodRule::Holiday { date, span };
        }
        let mut days = Vec::new();
        let mut spans = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::day_set => {
                    for range in p.into_inner().filter(|r| r.as_rule() == Rule::day_range) {
                        let range_span = self.span(&range);
                        let mut names = range.into_inner().map(|d| weekday(d.as_str()));
                        let from = names.next().unwrap_or(Weekday::Mon);
                        days.push(DayRange {
                            from,
                            to: names.next(),
                            span: range_span,
                        });
                    }
                }
                _ => {
                    let time_span = self.span(&p);
                    let mut times = p.into_inner().map(|t| self.time(t));
                    let from = times.next().unwrap_or(Time {
                        hour: 0,
                        minute: 0,
                        span: time_span,
                    });
                    let to = times.next().unwrap_or(from);
                    spans.push(TimeSpan {
                        from,
                        to,
                        span: time_span,
                    });
                }
            }
        }
        PeriodRule::Hours { days, spans, span }
    }

    fn attr(&mut self, pair: Pair<Rule>) -> Attr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| !is_punct(p.as_rule()));
        let name = self.next_ident(&mut inner, span);
        let args = inner
            .map(|p| match p.as_rule() {
                Rule::string => AttrArg::Str(self.string(p)),
                Rule::signed_number => AttrArg::Number(p.as_str().to_string()),
                _ => AttrArg::Ident(self.ident(p)),
            })
            .collect();
        Attr { name, args, span }
    }

    fn block(&mut self, pair: Pair<Rule>) -> Block {
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

    fn expr(&mut self, pair: Pair<Rule>) -> Expr {
        self.climb(pratt(), pair.into_inner())
    }

    fn climb(&mut self, pratt: &PrattParser<Rule>, pairs: Pairs<Rule>) -> Expr {
        // The Pratt parser's callbacks cannot borrow `self` mutably all at once, so
        // diagnostics from literals are collected through a cell.
        let diags = std::cell::RefCell::new(std::mem::take(self.diagnostics));
        let off = self.off;
        let file = self.file;
        let comments = self.comments;
        let res = pratt
            .map_primary(|p| {
                let mut builder_diags = diags.borrow_mut();
                let mut b = Builder {
                    off,
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

    fn path(&self, pair: Pair<Rule>) -> Path {
        let span = self.span(&pair);
        let segments = pair.into_inner().map(|p| self.ident(p)).collect();
        Path { segments, span }
    }

    fn bound(&mut self, pair: Pair<Rule>) -> u32 {
        let span = self.span(&pair);
        bound_value(pair.as_str()).unwrap_or_else(|| {
            self.diagnostics
                .push(syntax_error::number_too_large(self.file, span));
            0
        })
    }

    fn duration(&mut self, pair: Pair<Rule>) -> Duration {
        let span = self.span(&pair);
        let (value, unit) = duration_parts(pair.as_str());
        let value = value.unwrap_or_else(|| {
            self.diagnostics
                .push(syntax_error::number_too_large(self.file, span));
            0
        });
        Duration { value, unit, span }
    }

    fn time(&mut self, pair: Pair<Rule>) -> Time {
        let span = self.span(&pair);
        let text = pair.as_str();
        time_value(text, span).unwrap_or_else(|| {
            self.diagnostics
                .push(syntax_error::invalid_time(self.file, span, text));
            Time {
                hour: 0,
                minute: 0,
                span,
            }
        })
    }

    fn date(&mut self, pair: Pair<Rule>) -> Date {
        let span = self.span(&pair);
        let text = pair.as_str();
        date_value(text, span).unwrap_or_else(|| {
            self.diagnostics
                .push(syntax_error::invalid_date(self.file, span, text));
            Date {
                year: 1970,
                month: 1,
                day: 1,
                span,
            }
        })
    }

    fn string(&mut self, pair: Pair<Rule>) -> Str {
        str_value(pair.as_str(), self.span(&pair))
    }

    fn next_ident<'i>(&self, it: &mut impl Iterator<Item = Pair<'i, Rule>>, span: Span) -> Ident {
        it.next()
            .map(|p| self.ident(p))
            .unwrap_or_else(|| missing_ident(span))
    }

    fn next_str<'i>(&mut self, it: &mut impl Iterator<Item = Pair<'i, Rule>>, span: Span) -> Str {
        match it.next() {
            Some(p) => self.string(p),
            None => empty_str(span),
        }
    }
}

// ---------------------------------------------------------------- literal values
// Shared with the fast parser (`descent`), so that both build the same values and refuse
// the same literals: where these say `None`, the pest path reports a diagnostic and the
// fast path gives the file to pest.

/// A `number` literal's value, unless it is too large for an f64.
pub(crate) fn number_value(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A range bound's value, unless it is too large for a u32.
pub(crate) fn bound_value(text: &str) -> Option<u32> {
    text.parse().ok()
}

/// A `duration` literal's unit, and its value unless the duration in seconds is too
/// large for a u64.
pub(crate) fn duration_parts(text: &str) -> (Option<u64>, DurationUnit) {
    let (digits, unit) = text.split_at(text.len().saturating_sub(1));
    let unit = match unit {
        "m" => DurationUnit::Minutes,
        "h" => DurationUnit::Hours,
        "d" => DurationUnit::Days,
        _ => DurationUnit::Seconds,
    };
    let value = digits
        .parse::<u64>()
        .ok()
        .filter(|v| v.checked_mul(unit.seconds()).is_some());
    (value, unit)
}

/// A `time` literal (`HH:MM`), unless it is not a time of day (`24:00` is one).
pub(crate) fn time_value(text: &str, span: Span) -> Option<Time> {
    let hour: u8 = text.get(0..2).and_then(|s| s.parse().ok()).unwrap_or(99);
    let minute: u8 = text.get(3..5).and_then(|s| s.parse().ok()).unwrap_or(99);
    if minute > 59 || hour > 24 || (hour == 24 && minute != 0) {
        return None;
    }
    Some(Time { hour, minute, span })
}

/// A `date` literal (`YYYY-MM-DD`), unless it is not a calendar date.
pub(crate) fn date_value(text: &str, span: Span) -> Option<Date> {
    let year: u16 = text.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    let month: u8 = text.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(0);
    let day: u8 = text.get(8..10).and_then(|s| s.parse().ok()).unwrap_or(0);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || year == 0 {
        return None;
    }
    Some(Date {
        year,
        month,
        day,
        span,
    })
}

pub(crate) fn weekday_named(text: &str) -> Option<Weekday> {
    Weekday::ALL.into_iter().find(|d| d.name() == text)
}

/// A string literal from its source text, already checked against the grammar (quotes,
/// escapes and interpolations are well formed).
pub(crate) fn str_value(raw: &str, span: Span) -> Str {
    let triple = raw.starts_with("\"\"\"") && raw.len() >= 6;
    let mut parts = Vec::new();
    if triple {
        let body_start = span.start as usize + 3;
        let body = &raw[3..raw.len() - 3];
        for (line_offset, line, last) in dedent(body) {
            decode(line, body_start + line_offset, &mut parts);
            if !last {
                push_text(&mut parts, "\n".into());
            }
        }
    } else {
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        decode(body, span.start as usize + 1, &mut parts);
    }
    Str {
        parts,
        triple,
        span,
    }
}

/// The lines of a triple-quoted body after removing the common indentation, each with
/// its byte offset in the body and whether it is the last line. A first line that is
/// empty and a last line that is only whitespace belong to the quotes, not the text.
fn dedent(body: &str) -> Vec<(usize, &str, bool)> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in body.split('\n') {
        lines.push((offset, line));
        offset += line.len() + 1;
    }
    if lines.len() > 1 && lines.first().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.remove(0);
    }
    if lines.len() > 1 && lines.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(_, l)| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let n_lines = lines.len();
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (off, line))| {
            let last = i + 1 == n_lines;
            if line.trim().is_empty() {
                (off + line.len(), "", last)
            } else {
                (off + indent, &line[indent..], last)
            }
        })
        .collect()
}

/// Unescapes `text` and splits it at `{path}` interpolations. Runs of plain text are
/// copied whole: most strings are one run, and become one allocation.
fn decode(text: &str, offset: usize, parts: &mut Vec<StrPart>) {
    let mut literal = String::new();
    // Where the text not yet copied into `literal` starts.
    let mut run = 0;
    let mut i = 0;
    while let Some(&byte) = text.as_bytes().get(i) {
        match byte {
            b'\\' => {
                literal.push_str(&text[run..i]);
                let escaped = text[i + 1..].chars().next();
                match escaped {
                    Some('n') => literal.push('\n'),
                    Some(other) => literal.push(other),
                    None => {}
                }
                i += 1 + escaped.map_or(0, char::len_utf8);
                run = i;
            }
            b'{' => {
                literal.push_str(&text[run..i]);
                let close = text[i..].find('}').map_or(text.len(), |n| i + n);
                let inner = &text[i + 1..close];
                let mut seg_start = offset + i + 1;
                let segments = inner
                    .split('.')
                    .map(|seg| {
                        let ident = Ident {
                            name: seg.to_string(),
                            span: Span::new(seg_start, seg_start + seg.len()),
                        };
                        seg_start += seg.len() + 1;
                        ident
                    })
                    .collect();
                if !literal.is_empty() {
                    push_text(parts, std::mem::take(&mut literal).into());
                }
                let span = Span::new(offset + i, offset + close + 1);
                parts.push(StrPart::Var(Path { segments, span }));
                i = close + 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    literal.push_str(text.get(run..).unwrap_or(""));
    if !literal.is_empty() {
        push_text(parts, literal.into());
    }
}

fn push_text(parts: &mut Vec<StrPart>, text: Cow<str>) {
    if let Some(StrPart::Text(last)) = parts.last_mut() {
        last.push_str(&text);
    } else {
        parts.push(StrPart::Text(text.into_owned()));
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

fn weekday(text: &str) -> Weekday {
    weekday_named(text).unwrap_or(Weekday::Mon)
}

pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

fn is_punct(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::open_brace
            | Rule::close_brace
            | Rule::close_paren
            | Rule::colon
            | Rule::comma
            | Rule::equals
            | Rule::arrow
            | Rule::fat_arrow
            | Rule::close_quote
    )
}

fn is_keyword(rule: Rule) -> bool {
    crate::describe::is_keyword(rule)
}

fn skip<'i>(it: &mut impl Iterator<Item = Pair<'i, Rule>>) {
    it.next();
}

fn missing_ident(span: Span) -> Ident {
    Ident {
        name: String::new(),
        span,
    }
}

fn empty_str(span: Span) -> Str {
    Str {
        parts: Vec::new(),
        triple: false,
        span,
    }
}

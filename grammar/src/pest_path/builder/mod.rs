//! Pest's pairs to the syntax tree: the pest path's half of the promise that both
//! parsers build the same [`File`](crate::ast::File), spans included.
//!
//! It runs only on what pest accepted, but stays total anyway: where the grammar
//! guarantees a part, a missing one becomes an empty placeholder rather than a panic.
//! Literal values come from `crate::literal`, shared with the fast path; a literal that
//! parses but means nothing (`25:00`, a number too large) becomes a diagnostic here.
//! Items and attributes are built in this file, statements in `stmt`, expressions in
//! `expr`, mirroring `descent`'s files.

mod expr;
mod stmt;

use pest::iterators::Pair;

use crate::ast::*;
use crate::diagnostic::{Diagnostic, FileId};
use crate::lexer::Comment;
use crate::literal::{
    bound_value, date_value, duration_parts, str_value, time_value, weekday_named,
};
use crate::syntax_error;

use super::Rule;

/// Builds the items of one chunk (an item's stretch of the source) that pest parsed.
pub(super) struct Builder<'d> {
    /// Where the chunk starts in the file: pest's offsets are the chunk's.
    off: usize,
    /// Where the chunk ends in the file: a `}` the recovery added past it
    /// (`delimiters`) is not part of any span.
    end: usize,
    file: FileId,
    /// Every comment of the file, to keep them out of the nodes' spans.
    comments: &'d [Comment],
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl<'d> Builder<'d> {
    pub(super) fn new(
        (off, end): (usize, usize),
        file: FileId,
        comments: &'d [Comment],
        diagnostics: &'d mut Vec<Diagnostic>,
    ) -> Self {
        Builder {
            off,
            end,
            file,
            comments,
            diagnostics,
        }
    }

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
        Span::new(start, (start + len).min(self.end.max(start)))
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    pub(super) fn item(&mut self, pair: Pair<Rule>) -> Item {
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

/// The weekday the grammar matched; `Mon` only keeps the tree total.
fn weekday(text: &str) -> Weekday {
    weekday_named(text).unwrap_or(Weekday::Mon)
}

/// Punctuation rules, which carry nothing once the parse succeeded.
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

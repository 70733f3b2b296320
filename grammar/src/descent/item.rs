//! Top-level items and attributes: `flow`, `department` and the other declarations,
//! `period` opening hours, `script` records, `@id("c81f")`.
//!
//! Each function mirrors the `flow.pest` rule of the same name and builds the node the
//! pest `Builder` builds from it, spans included.

use crate::ast::*;
use crate::literal::{str_value, weekday_named};

use super::cursor::{span_of, Parser};
use super::token::{NumKind, Tok};

impl Parser<'_> {
    /// `item = { attr* ~ item_kind }`
    pub(super) fn item(&mut self) -> Option<Item> {
        let start = self.next_start();
        let attrs = self.attrs()?;
        let kind = match self.peek() {
            Tok::Erp => {
                self.bump();
                ItemKind::Erp(self.ident()?)
            }
            Tok::Department | Tok::Tag | Tok::Group | Tok::Branch | Tok::Template | Tok::Agent => {
                self.entity()?
            }
            Tok::Attendant => {
                self.bump();
                let name = self.ident()?;
                let title = self.string()?;
                self.eat(Tok::In)?;
                let department = self.ident()?;
                ItemKind::Attendant(Attendant {
                    name,
                    title,
                    department,
                })
            }
            Tok::Period => self.period()?,
            Tok::Script => self.script()?,
            Tok::Flow => {
                self.bump();
                let name = self.ident()?;
                let title = match self.peek() {
                    Tok::Str => Some(self.string()?),
                    _ => None,
                };
                let body = self.block()?;
                ItemKind::Flow(Flow { name, title, body })
            }
            _ => return None,
        };
        Some(Item {
            attrs,
            kind,
            span: self.span_from(start),
        })
    }

    /// `entity_item = { entity_kw ~ ident ~ string }`
    fn entity(&mut self) -> Option<ItemKind> {
        let kind = match self.bump().tok {
            Tok::Tag => EntityKind::Tag,
            Tok::Group => EntityKind::Group,
            Tok::Branch => EntityKind::Branch,
            Tok::Template => EntityKind::Template,
            Tok::Agent => EntityKind::Agent,
            _ => EntityKind::Department,
        };
        let name = self.ident()?;
        let title = self.string()?;
        Some(ItemKind::Entity(Entity { kind, name, title }))
    }

    /// `period_item = { kw_period ~ ident ~ string ~ open_brace ~ period_rule* ~ close_brace }`
    fn period(&mut self) -> Option<ItemKind> {
        self.bump();
        let name = self.ident()?;
        let title = self.string()?;
        self.eat(Tok::LBrace)?;
        let mut rules = Vec::new();
        while self.eat(Tok::RBrace).is_none() {
            let start = self.next_start();
            let rule = if self.eat(Tok::Holiday).is_some() {
                let date = self.date()?;
                PeriodRule::Holiday {
                    date,
                    span: self.span_from(start),
                }
            } else {
                self.hours_rule()?
            };
            rules.push(rule);
        }
        Some(ItemKind::Period(Period { name, title, rules }))
    }

    /// `hours_rule = { day_set ~ time_span+ }`, where a day set is weekdays and weekday
    /// ranges separated by commas.
    fn hours_rule(&mut self) -> Option<PeriodRule> {
        let start = self.next_start();
        let mut days = Vec::new();
        loop {
            let range_start = self.next_start();
            let from = self.weekday()?;
            let to = match self.eat(Tok::DotDot) {
                Some(_) => Some(self.weekday()?),
                None => None,
            };
            days.push(DayRange {
                from,
                to,
                span: self.span_from(range_start),
            });
            if self.eat(Tok::Comma).is_none() {
                break;
            }
        }
        let mut spans = vec![self.time_span()?];
        while self.peek() == Tok::Num(NumKind::Time) {
            spans.push(self.time_span()?);
        }
        Some(PeriodRule::Hours {
            days,
            spans,
            span: self.span_from(start),
        })
    }

    fn weekday(&mut self) -> Option<Weekday> {
        let day = match self.peek() {
            Tok::Word => weekday_named(self.peek_text())?,
            _ => return None,
        };
        self.bump();
        Some(day)
    }

    /// `time_span = ${ time ~ "-" ~ time }`: nothing may come between the three.
    fn time_span(&mut self) -> Option<TimeSpan> {
        let start = self.next_start();
        let from = self.time()?;
        if !self.touching() {
            return None;
        }
        self.eat(Tok::Minus)?;
        if !self.touching() {
            return None;
        }
        let to = self.time()?;
        Some(TimeSpan {
            from,
            to,
            span: self.span_from(start),
        })
    }

    /// `script_item = { kw_script ~ ident ~ string ~ arrow ~ open_brace ~
    /// (record_field ~ (comma ~ record_field)* ~ comma?)? ~ close_brace }`
    fn script(&mut self) -> Option<ItemKind> {
        self.bump();
        let name = self.ident()?;
        let path = self.string()?;
        self.eat(Tok::Arrow)?;
        self.eat(Tok::LBrace)?;
        let mut fields = Vec::new();
        while self.eat(Tok::RBrace).is_none() {
            let name = self.ident()?;
            self.eat(Tok::Colon)?;
            let ty = self.ident()?;
            fields.push(RecordField { name, ty });
            if self.eat(Tok::Comma).is_none() {
                self.eat(Tok::RBrace)?;
                break;
            }
        }
        Some(ItemKind::Script(Script { name, path, fields }))
    }

    pub(super) fn attrs(&mut self) -> Option<Vec<Attr>> {
        let mut attrs = Vec::new();
        while self.peek() == Tok::At {
            attrs.push(self.attr()?);
        }
        Some(attrs)
    }

    /// `attr = { "@" ~ ident ~ ("(" ~ (attr_arg ~ (comma ~ attr_arg)*)? ~ close_paren)? }`:
    /// unlike a card's arguments, no trailing comma.
    fn attr(&mut self) -> Option<Attr> {
        let start = self.bump().start;
        let name = self.ident()?;
        let mut args = Vec::new();
        if self.eat(Tok::LParen).is_some() && self.eat(Tok::RParen).is_none() {
            loop {
                args.push(self.attr_arg()?);
                if self.eat(Tok::Comma).is_none() {
                    self.eat(Tok::RParen)?;
                    break;
                }
            }
        }
        Some(Attr {
            name,
            args,
            span: self.span_from(start),
        })
    }

    /// `attr_arg = _{ string | signed_number | ident }`, where a signed number is
    /// `-?digits(.digits)?` with nothing between the sign and the digits.
    fn attr_arg(&mut self) -> Option<AttrArg> {
        match self.peek() {
            Tok::Str => Some(AttrArg::Str(self.string()?)),
            Tok::Word | Tok::Not => Some(AttrArg::Ident(self.ident()?)),
            Tok::Num(NumKind::Number) => {
                let token = self.bump();
                Some(AttrArg::Number(self.text(token).to_string()))
            }
            Tok::Minus if self.peek_at(1) == Tok::Num(NumKind::Number) && self.touching_at(1) => {
                let start = self.bump().start as usize;
                let end = self.bump().end as usize;
                Some(AttrArg::Number(self.src[start..end].to_string()))
            }
            _ => None,
        }
    }

    pub(super) fn string(&mut self) -> Option<Str> {
        let token = self.eat(Tok::Str)?;
        Some(str_value(self.text(token), span_of(token)))
    }
}

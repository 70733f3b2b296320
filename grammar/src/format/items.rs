//! Formatting top-level items: declarations, periods, scripts and flows, and the
//! attributes before them.

use crate::ast::{Attr, Entity, Item, ItemKind, Period, PeriodRule, Script, Span};
use crate::format::text;
use crate::format::{Formatter, MAX_WIDTH};

impl Formatter<'_> {
    pub(super) fn file(&mut self, file: &crate::ast::File) {
        let pads = self.entity_pads(&file.items);
        let mut previous_is_block = false;
        for (i, item) in file.items.iter().enumerate() {
            let is_block = self.is_block_item(item);
            if i > 0 {
                if is_block || previous_is_block {
                    self.p.force_blank();
                } else {
                    self.p.keep_source_blank();
                }
            }
            self.item(item, pads.get(i).copied().unwrap_or(0));
            previous_is_block = is_block;
        }
    }

    /// Attributes on a line of their own; returns where what they annotate starts.
    pub(super) fn leading_attrs(&mut self, attrs: &[Attr], start: usize) -> usize {
        let Some(last) = attrs.last() else {
            return start;
        };
        self.attrs_inline(attrs);
        self.p.newline();
        self.p.locate(last.span.end as usize, "")
    }

    /// Attributes separated by spaces, followed by a space.
    pub(super) fn attrs_inline(&mut self, attrs: &[Attr]) {
        for (i, attr) in attrs.iter().enumerate() {
            if i > 0 {
                self.p.space();
            }
            let text = text::attr(attr, self.p.current_indent());
            self.p
                .token(&text, attr.span.start as usize, attr.span.end as usize);
        }
    }

    fn item(&mut self, item: &Item, name_pad: usize) {
        let start = self.leading_attrs(&item.attrs, item.span.start as usize);
        match &item.kind {
            ItemKind::Erp(system) => {
                self.p.token("erp", start, start);
                self.p.space();
                self.ident(system);
            }
            ItemKind::Entity(entity) => self.entity(entity, start, name_pad),
            ItemKind::Attendant(attendant) => {
                self.p.token("attendant", start, start);
                self.p.space();
                self.ident(&attendant.name);
                self.p.space();
                self.string(&attendant.title);
                self.p.space();
                self.p.word("in");
                self.p.space();
                self.ident(&attendant.department);
            }
            ItemKind::Period(period) => self.period(period, start, item.span),
            ItemKind::Script(script) => self.script(script, start, item.span),
            ItemKind::Flow(flow) => {
                self.p.token("flow", start, start);
                self.p.space();
                self.ident(&flow.name);
                if let Some(title) = &flow.title {
                    self.p.space();
                    self.string(title);
                }
                self.p.space();
                self.block(&flow.body);
            }
        }
        self.p.mark_end(item.span.end as usize);
        self.p.newline();
    }

    fn entity(&mut self, entity: &Entity, start: usize, name_pad: usize) {
        self.p.token(entity.kind.keyword(), start, start);
        self.p.space();
        self.ident(&entity.name);
        let padding = name_pad.saturating_sub(entity.name.name.chars().count());
        self.p.spaces(padding + 1);
        self.string(&entity.title);
    }

    fn period(&mut self, period: &Period, start: usize, span: Span) {
        self.p.token("period", start, start);
        self.p.space();
        self.ident(&period.name);
        self.p.space();
        self.string(&period.title);
        self.p.space();
        let open = self.p.locate(period.title.span.end as usize, "{");
        let close = (span.end as usize).saturating_sub(1);
        self.p.token("{", open, open + 1);
        if period.rules.is_empty() && !self.p.has_comment_in(open, close) {
            self.p.token("}", close, close + 1);
            return;
        }
        self.p.open_block();
        let day_width = period
            .rules
            .iter()
            .map(|r| days_text(r).chars().count())
            .max()
            .unwrap_or(0);
        for rule in &period.rules {
            self.p.keep_source_blank();
            match rule {
                PeriodRule::Hours { spans, span, .. } => {
                    let days = days_text(rule);
                    let padding = day_width - days.chars().count();
                    self.p
                        .token(&days, span.start as usize, span.start as usize);
                    self.p.spaces(padding + 1);
                    let hours: Vec<String> = spans
                        .iter()
                        .map(|s| format!("{}-{}", text::time(&s.from), text::time(&s.to)))
                        .collect();
                    self.p.word(&hours.join(" "));
                    self.p.mark_end(span.end as usize);
                }
                PeriodRule::Holiday { date, span } => {
                    self.p
                        .token("holiday", span.start as usize, span.start as usize);
                    self.p.space();
                    self.p.word(&text::date(date));
                    self.p.mark_end(span.end as usize);
                }
            }
            self.p.newline();
        }
        self.p.close_block("}", close, close + 1);
    }

    fn script(&mut self, script: &Script, start: usize, span: Span) {
        self.p.token("script", start, start);
        self.p.space();
        self.ident(&script.name);
        self.p.space();
        self.string(&script.path);
        self.p.space();
        self.p.word("->");
        self.p.space();
        let (open, close) = self.script_braces(script, span);
        let fields: Vec<String> = script
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name.name, f.ty.name))
            .collect();
        if !self.script_is_multiline(script, span) {
            let one_line = if fields.is_empty() {
                "{}".to_string()
            } else {
                format!("{{ {} }}", fields.join(", "))
            };
            self.p.token(&one_line, open, close + 1);
            return;
        }
        self.p.token("{", open, open + 1);
        self.p.open_block();
        for (field, text) in script.fields.iter().zip(&fields) {
            self.p.keep_source_blank();
            self.p.token(
                text,
                field.name.span.start as usize,
                field.ty.span.end as usize,
            );
            self.p.word(",");
            self.p.newline();
        }
        self.p.close_block("}", close, close + 1);
    }

    /// Where the record's `{` and `}` are in the source.
    fn script_braces(&self, script: &Script, span: Span) -> (usize, usize) {
        let arrow = self.p.locate(script.path.span.end as usize, "->");
        let open = self.p.locate(arrow + 2, "{");
        (open, (span.end as usize).saturating_sub(1))
    }

    /// A script's fields go one per line when the line would be too long or when a
    /// comment sits among them.
    fn script_is_multiline(&self, script: &Script, span: Span) -> bool {
        if script.fields.is_empty() {
            return false;
        }
        let fields: usize = script
            .fields
            .iter()
            .map(|f| f.name.name.chars().count() + f.ty.name.chars().count() + 4)
            .sum();
        let path = text::string(&script.path, 0).chars().count();
        let width =
            "script ".len() + script.name.name.chars().count() + 1 + path + " -> {".len() + fields;
        let (open, close) = self.script_braces(script, span);
        width > MAX_WIDTH || self.p.has_comment_in(open, close)
    }

    /// Flows and periods always stand apart; so does a script whose fields need lines.
    fn is_block_item(&self, item: &Item) -> bool {
        match &item.kind {
            ItemKind::Flow(_) | ItemKind::Period(_) => true,
            ItemKind::Script(script) => self.script_is_multiline(script, item.span),
            _ => false,
        }
    }

    /// How wide each entity's name is padded, so that the titles of a run of declarations
    /// of one kind (with no blank line between them) line up.
    fn entity_pads(&self, items: &[Item]) -> Vec<usize> {
        let mut pads = vec![0; items.len()];
        let mut run_start = 0;
        for i in 0..=items.len() {
            let continues = i > 0
                && i < items.len()
                && match (&items[i - 1].kind, &items[i].kind) {
                    (ItemKind::Entity(a), ItemKind::Entity(b)) => {
                        a.kind == b.kind
                            && !self.p.blank_between(
                                items[i - 1].span.end as usize,
                                items[i].span.start as usize,
                            )
                    }
                    _ => false,
                };
            if continues {
                continue;
            }
            let run = &items[run_start..i];
            let width = run
                .iter()
                .filter_map(|item| match &item.kind {
                    ItemKind::Entity(e) => Some(e.name.name.chars().count()),
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            for pad in &mut pads[run_start..i] {
                *pad = width;
            }
            run_start = i;
        }
        pads
    }
}

/// `mon..fri, sat`
fn days_text(rule: &PeriodRule) -> String {
    match rule {
        PeriodRule::Hours { days, .. } => {
            let ranges: Vec<String> = days
                .iter()
                .map(|d| match d.to {
                    Some(to) => format!("{}..{}", d.from.name(), to.name()),
                    None => d.from.name().to_string(),
                })
                .collect();
            ranges.join(", ")
        }
        PeriodRule::Holiday { .. } => String::new(),
    }
}

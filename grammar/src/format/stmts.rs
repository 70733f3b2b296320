//! Formatting statements: blocks, arms (with `=>` aligned), argument lists (one line or
//! one per line), `if`/`else if` chains, and the leaves they share with items.

use crate::ast::{
    Arg, Arms, Ask, AskKind, Block, Branch, Call, Else, Expr, Ident, If, Pattern, Stmt, StmtKind,
    Str, Subject,
};
use crate::format::text;
use crate::format::{Formatter, MAX_WIDTH};

impl Formatter<'_> {
    pub(super) fn ident(&mut self, id: &Ident) {
        self.p
            .token(&id.name, id.span.start as usize, id.span.end as usize);
    }

    pub(super) fn string(&mut self, s: &Str) {
        let text = text::string(s, self.p.current_indent());
        self.p
            .token(&text, s.span.start as usize, s.span.end as usize);
    }

    fn expr(&mut self, e: &Expr) {
        let text = text::expr(e, self.p.current_indent());
        self.p
            .token(&text, e.span.start as usize, e.span.end as usize);
    }

    /// `{ ... }` with one statement per line, or `{}` when there is nothing inside.
    pub(super) fn block(&mut self, block: &Block) {
        let open = block.span.start as usize;
        let close = (block.span.end as usize).saturating_sub(1);
        self.p.token("{", open, open + 1);
        if block.stmts.is_empty() && !self.p.has_comment_in(open, close) {
            self.p.token("}", close, close + 1);
            return;
        }
        self.p.open_block();
        for stmt in &block.stmts {
            self.p.keep_source_blank();
            self.stmt(stmt);
            self.p.newline();
        }
        self.p.close_block("}", close, close + 1);
    }

    fn stmt(&mut self, stmt: &Stmt) {
        let start = self.leading_attrs(&stmt.attrs, stmt.span.start as usize);
        self.stmt_body(stmt, start);
    }

    /// A statement after `=>`: its attributes, if any, stay on the arm's line.
    fn branch_stmt(&mut self, stmt: &Stmt) {
        let mut start = stmt.span.start as usize;
        if let Some(last) = stmt.attrs.last() {
            self.attrs_inline(&stmt.attrs);
            self.p.space();
            start = self.p.locate(last.span.end as usize, "");
        }
        self.stmt_body(stmt, start);
    }

    /// The label and the statement proper; `start` is where they begin in the source.
    fn stmt_body(&mut self, stmt: &Stmt, start: usize) {
        let mut start = start;
        if let Some(label) = &stmt.label {
            self.p.token(&label.name, start, label.span.end as usize);
            self.p.word(":");
            self.p.space();
            start = label.span.end as usize;
        }
        match &stmt.kind {
            StmtKind::Say(s) => {
                self.head("say", start);
                self.string(s);
            }
            StmtKind::SayAudio(s) => {
                self.head("say", start);
                self.p.word("audio");
                self.p.space();
                self.string(s);
            }
            StmtKind::Ask(ask) => self.ask(ask, start),
            StmtKind::When(when) => {
                self.head("when", start);
                match &when.subject {
                    Subject::Hours(period) => {
                        self.p.word("hours");
                        self.p.space();
                        self.ident(period);
                    }
                    Subject::Tag(span) => {
                        self.p.token("tag", span.start as usize, span.end as usize)
                    }
                    Subject::Branch(span) => {
                        self.p
                            .token("branch", span.start as usize, span.end as usize)
                    }
                    Subject::Path(path) => self.p.token(
                        &path.dotted(),
                        path.span.start as usize,
                        path.span.end as usize,
                    ),
                }
                self.p.space();
                self.arms(&when.arms);
            }
            StmtKind::If(if_) => self.if_chain(if_, start),
            StmtKind::Goto(target) => {
                self.head("goto", start);
                self.ident(target);
            }
            StmtKind::Transfer {
                department,
                attendant,
            } => {
                self.head("transfer", start);
                self.p.word("to");
                self.p.space();
                self.ident(department);
                if let Some(attendant) = attendant {
                    self.p.space();
                    self.p.word("attendant");
                    self.p.space();
                    self.ident(attendant);
                }
            }
            StmtKind::Tag(tags) => {
                self.head("tag", start);
                for (i, tag) in tags.iter().enumerate() {
                    if i > 0 {
                        self.p.word(",");
                        self.p.space();
                    }
                    self.ident(tag);
                }
            }
            StmtKind::Wait(duration) => {
                self.head("wait", start);
                let span = duration.span;
                self.p.token(
                    &text::duration(duration),
                    span.start as usize,
                    span.end as usize,
                );
            }
            StmtKind::Set { var, value } => {
                self.head("set", start);
                self.ident(var);
                self.p.space();
                self.p.word("=");
                self.p.space();
                self.expr(value);
            }
            StmtKind::End => self.p.token("end", start, start + 3),
            StmtKind::Call(call) => self.call(call, start),
        }
        self.p.mark_end(stmt.span.end as usize);
    }

    /// A statement's keyword and the space after it.
    fn head(&mut self, keyword: &str, start: usize) {
        self.p.token(keyword, start, start + keyword.len());
        self.p.space();
    }

    fn ask(&mut self, ask: &Ask, start: usize) {
        self.head("ask", start);
        self.string(&ask.prompt);
        self.p.space();
        let after = ask.prompt.span.end as usize;
        match &ask.kind {
            AskKind::Choice { arms } | AskKind::Confirm { arms } => {
                let keyword = if matches!(ask.kind, AskKind::Choice { .. }) {
                    "choice"
                } else {
                    "confirm"
                };
                self.p.word(keyword);
                if !ask.args.is_empty() {
                    self.p.space();
                    self.args(&ask.args, after, " {".len());
                }
                self.p.space();
                self.arms(arms);
            }
            AskKind::Input { ty, var } => {
                self.p.word("input");
                self.p.space();
                self.ident(ty);
                self.p.space();
                self.p.word("as");
                self.p.space();
                self.ident(var);
                if !ask.args.is_empty() {
                    self.p.space();
                    self.args(&ask.args, var.span.end as usize, 0);
                }
            }
        }
    }

    fn call(&mut self, call: &Call, start: usize) {
        match &call.namespace {
            Some(namespace) => {
                self.p
                    .token(&namespace.name, start, namespace.span.end as usize);
                self.p.word(".");
                self.ident(&call.name);
            }
            None => self
                .p
                .token(&call.name.name, start, call.name.span.end as usize),
        }
        let binding_width = call
            .binding
            .as_ref()
            .map_or(0, |b| " as ".len() + b.name.chars().count());
        let arms_width = if call.arms.is_some() { " {".len() } else { 0 };
        self.args(
            &call.args,
            call.name.span.end as usize,
            binding_width + arms_width,
        );
        if let Some(binding) = &call.binding {
            self.p.space();
            self.p.word("as");
            self.p.space();
            self.ident(binding);
        }
        if let Some(arms) = &call.arms {
            self.p.space();
            self.arms(arms);
        }
    }

    /// `(name: value, ...)` on one line, or one argument per line when the line would pass
    /// the width limit (with `tail` more columns after the `)`), when a value spans lines,
    /// or when a comment sits among the arguments.
    fn args(&mut self, args: &[Arg], after: usize, tail: usize) {
        let open = self.p.locate(after, "(");
        let Some(last) = args.last() else {
            let close = self.p.locate(open + 1, ")");
            self.p.token("()", open, close + 1);
            return;
        };
        let close = self.p.locate(last.span.end as usize, ")");
        let indent = self.p.current_indent();
        let values: Vec<String> = args.iter().map(|a| text::expr(&a.value, indent)).collect();
        let pieces: Vec<String> = args
            .iter()
            .zip(&values)
            .map(|(a, v)| format!("{}: {v}", a.name.name))
            .collect();
        let one_line = format!("({})", pieces.join(", "));
        let fits = !one_line.contains('\n')
            && self.p.column() + one_line.chars().count() + tail <= MAX_WIDTH;
        // From the `(`: a comment before the first argument would otherwise be carried to
        // the end of the line and come back in another place the next time.
        if fits && !self.p.has_comment_in(open, close) {
            self.p.token(&one_line, open, close + 1);
            return;
        }
        self.p.token("(", open, open + 1);
        self.p.open_block();
        for arg in args {
            self.p.keep_source_blank();
            let span = arg.name.span;
            self.p
                .token(&arg.name.name, span.start as usize, span.end as usize);
            self.p.word(":");
            self.p.space();
            self.expr(&arg.value);
            self.p.word(",");
            self.p.newline();
        }
        self.p.close_block(")", close, close + 1);
    }

    /// `{ pattern => branch ... }` with the `=>` of one-line patterns aligned.
    fn arms(&mut self, arms: &Arms) {
        let open = arms.span.start as usize;
        let close = (arms.span.end as usize).saturating_sub(1);
        self.p.token("{", open, open + 1);
        if arms.arms.is_empty() && !self.p.has_comment_in(open, close) {
            self.p.token("}", close, close + 1);
            return;
        }
        self.p.open_block();
        let indent = self.p.current_indent();
        let patterns: Vec<String> = arms
            .arms
            .iter()
            .map(|arm| pattern_text(&arm.pattern, indent))
            .collect();
        let width = patterns
            .iter()
            .filter(|p| !p.contains('\n'))
            .map(|p| p.chars().count())
            .max()
            .unwrap_or(0);
        for (arm, pattern) in arms.arms.iter().zip(&patterns) {
            self.p.keep_source_blank();
            let start = self.leading_attrs(&arm.attrs, arm.span.start as usize);
            self.p
                .token(pattern, start, arm.pattern.span().end as usize);
            let padding = if pattern.contains('\n') {
                0
            } else {
                width - pattern.chars().count()
            };
            self.p.spaces(padding + 1);
            self.p.word("=>");
            self.p.space();
            match &arm.body {
                Branch::Stmt(stmt) => self.branch_stmt(stmt),
                Branch::Block(block) => self.block(block),
            }
            self.p.mark_end(arm.span.end as usize);
            self.p.newline();
        }
        self.p.close_block("}", close, close + 1);
    }

    /// `if a { } else if b { } else { }`
    fn if_chain(&mut self, if_: &If, start: usize) {
        self.head("if", start);
        self.expr(&if_.cond);
        self.p.space();
        self.block(&if_.then);
        match &if_.otherwise {
            None => {}
            Some(Else::Block(block)) => {
                self.p.space();
                self.p.word("else");
                self.p.space();
                self.block(block);
            }
            Some(Else::If(nested, _)) => {
                self.p.space();
                self.p.word("else");
                self.p.space();
                let at = self.p.locate(if_.then.span.end as usize, "else");
                let at = self.p.locate(at + "else".len(), "if");
                self.if_chain(nested, at);
            }
        }
    }
}

fn pattern_text(pattern: &Pattern, indent: usize) -> String {
    match pattern {
        Pattern::Str(s) => text::string(s, indent),
        Pattern::Name(id) => id.name.clone(),
        Pattern::Yes(_) => "yes".to_string(),
        Pattern::No(_) => "no".to_string(),
        Pattern::Else(_) => "else".to_string(),
    }
}

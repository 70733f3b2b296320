//! Blocks and statements: `say`, `ask`, `when`, `if`, cards written as calls, their
//! arguments and their arms.
//!
//! Each function mirrors the `flow.pest` rule of the same name. Where pest would try an
//! optional part, fail and carry on (`else` after an `if`, a comma after `tag a`), the
//! parser looks far enough ahead to take the same path; everywhere else a part that does
//! not fit means pest rejects the file too, and the parser gives up.

use crate::ast::*;

use super::cursor::{span_of, Parser};
use super::token::Tok;

impl Parser<'_> {
    /// `block = { open_brace ~ stmt* ~ close_brace }`
    pub(super) fn block(&mut self) -> Option<Block> {
        self.nested(|p| {
            let start = p.eat(Tok::LBrace)?.start;
            let mut stmts = Vec::new();
            while p.eat(Tok::RBrace).is_none() {
                stmts.push(p.stmt()?);
            }
            // A statement is large and most blocks hold one to three of them: the
            // growth's spare room was most of a program's memory (issue 18's scaling).
            stmts.shrink_to_fit();
            Some(Block {
                stmts,
                span: p.span_from(start),
            })
        })
    }

    /// `stmt = { attr* ~ label? ~ stmt_kind }`
    fn stmt(&mut self) -> Option<Stmt> {
        let start = self.next_start();
        let attrs = self.attrs()?;
        let label = match (self.peek(), self.peek_at(1)) {
            (name, Tok::Colon) if name.is_ident() => {
                let label = self.ident()?;
                self.bump();
                Some(label)
            }
            _ => None,
        };
        let kind = self.stmt_kind()?;
        Some(Stmt {
            attrs,
            label,
            kind,
            span: self.span_from(start),
        })
    }

    fn stmt_kind(&mut self) -> Option<StmtKind> {
        let kind = match self.peek() {
            Tok::Say => {
                self.bump();
                match self.eat(Tok::Audio) {
                    Some(_) => StmtKind::SayAudio(self.string()?),
                    None => StmtKind::Say(self.string()?),
                }
            }
            Tok::Ask => StmtKind::Ask(self.ask()?),
            Tok::When => {
                self.bump();
                let subject = self.subject()?;
                let arms = self.arms()?;
                StmtKind::When(When { subject, arms })
            }
            Tok::If => StmtKind::If(self.if_stmt()?),
            Tok::Goto => {
                self.bump();
                StmtKind::Goto(self.ident()?)
            }
            Tok::Transfer => {
                self.bump();
                self.eat(Tok::To)?;
                let department = self.ident()?;
                let attendant = match self.eat(Tok::Attendant) {
                    Some(_) => Some(self.ident()?),
                    None => None,
                };
                StmtKind::Transfer {
                    department,
                    attendant,
                }
            }
            Tok::Tag => {
                self.bump();
                let mut tags = vec![self.ident()?];
                // `(comma ~ ident)*` leaves a comma that no name follows to the arm:
                // `"a" => tag x, "b" => end`.
                while self.peek() == Tok::Comma && self.peek_at(1).is_ident() {
                    self.bump();
                    tags.push(self.ident()?);
                }
                StmtKind::Tag(tags)
            }
            Tok::Wait => {
                self.bump();
                StmtKind::Wait(self.duration()?)
            }
            Tok::Set => {
                self.bump();
                let var = self.ident()?;
                self.eat(Tok::Equals)?;
                let value = self.expr()?;
                StmtKind::Set { var, value }
            }
            Tok::End => {
                self.bump();
                StmtKind::End
            }
            Tok::Erp => StmtKind::Call(self.call()?),
            name if name.is_ident() => StmtKind::Call(self.call()?),
            _ => return None,
        };
        Some(kind)
    }

    /// `ask_stmt = { kw_ask ~ string ~ (ask_choice | ask_confirm | ask_input) }`
    fn ask(&mut self) -> Option<Ask> {
        self.bump();
        let prompt = self.string()?;
        let form = self.bump().tok;
        let (kind, args) = match form {
            Tok::Choice | Tok::Confirm => {
                let args = self.optional_args()?;
                let arms = self.arms()?;
                let kind = match form {
                    Tok::Choice => AskKind::Choice { arms },
                    _ => AskKind::Confirm { arms },
                };
                (kind, args)
            }
            Tok::Input => {
                let ty = self.ident()?;
                self.eat(Tok::As)?;
                let var = self.ident()?;
                (AskKind::Input { ty, var }, self.optional_args()?)
            }
            _ => return None,
        };
        Some(Ask { prompt, kind, args })
    }

    /// `subject = { hours_subject | kw_tag | kw_branch | path }`
    fn subject(&mut self) -> Option<Subject> {
        match self.peek() {
            Tok::Tag => Some(Subject::Tag(span_of(self.bump()))),
            Tok::Branch => Some(Subject::Branch(span_of(self.bump()))),
            Tok::Word if self.peek_text() == "hours" && self.hours_keyword() => {
                self.bump();
                Some(Subject::Hours(self.ident()?))
            }
            _ => Some(Subject::Path(self.path()?)),
        }
    }

    /// `kw_hours = @{ "hours" ~ !ident_char ~ &(WHITESPACE+ ~ ident_start) }`: `hours`
    /// names a period only when whitespace and then a name follow; `when hours {`
    /// branches on a variable called `hours`.
    fn hours_keyword(&self) -> bool {
        let after = &self.src.as_bytes()[self.next_start() as usize + "hours".len()..];
        let blank = after
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        blank > 0 && matches!(after.get(blank), Some(b'a'..=b'z' | b'_'))
    }

    /// `if_stmt = { kw_if ~ expr ~ block ~ else_clause? }`,
    /// `else_clause = { kw_else ~ (if_stmt | block) }`
    fn if_stmt(&mut self) -> Option<If> {
        self.nested(|p| {
            p.bump();
            let cond = p.expr()?;
            let then = p.block()?;
            // An `else` followed by neither is an arm's pattern: `x => if c { end }`
            // then `else => end`.
            let otherwise = match (p.peek(), p.peek_at(1)) {
                (Tok::Else, Tok::If) => {
                    let start = p.bump().start;
                    let nested = p.if_stmt()?;
                    Some(Else::If(Box::new(nested), p.span_from(start)))
                }
                (Tok::Else, Tok::LBrace) => {
                    p.bump();
                    Some(Else::Block(p.block()?))
                }
                _ => None,
            };
            Some(If {
                cond,
                then,
                otherwise,
            })
        })
    }

    /// `call_stmt = { card_name ~ args ~ (kw_as ~ ident)? ~ arms? }`, where
    /// `card_name = ${ (kw_erp ~ "." ~ ident) | ident }`.
    fn call(&mut self) -> Option<Call> {
        let namespace = match self.peek() {
            Tok::Erp => {
                let erp = self.bump();
                let namespace = self.ident_of(erp);
                if !self.touching() || self.eat(Tok::Dot).is_none() || !self.touching() {
                    return None;
                }
                Some(namespace)
            }
            _ => None,
        };
        let name = self.ident()?;
        let args = self.args()?;
        let binding = match self.eat(Tok::As) {
            Some(_) => Some(self.ident()?),
            None => None,
        };
        let arms = match self.peek() {
            Tok::LBrace => Some(self.arms()?),
            _ => None,
        };
        Some(Call {
            namespace,
            name,
            args,
            binding,
            arms,
        })
    }

    fn optional_args(&mut self) -> Option<Vec<Arg>> {
        match self.peek() {
            Tok::LParen => self.args(),
            _ => Some(Vec::new()),
        }
    }

    /// `args = { "(" ~ (arg ~ (comma ~ arg)* ~ comma?)? ~ close_paren }`,
    /// `arg = { arg_name ~ colon ~ expr }`; a parameter's name may be a reserved word.
    fn args(&mut self) -> Option<Vec<Arg>> {
        self.eat(Tok::LParen)?;
        let mut args = Vec::new();
        while self.eat(Tok::RParen).is_none() {
            if !self.peek().is_word_like() {
                return None;
            }
            let name_token = self.bump();
            let name = self.ident_of(name_token);
            self.eat(Tok::Colon)?;
            let value = self.expr()?;
            args.push(Arg {
                name,
                value,
                span: self.span_from(name_token.start),
            });
            if self.eat(Tok::Comma).is_none() {
                self.eat(Tok::RParen)?;
                break;
            }
        }
        Some(args)
    }

    /// `arms = { open_brace ~ arm* ~ close_brace }`,
    /// `arm = { attr* ~ pattern ~ fat_arrow ~ branch ~ ","? }`
    fn arms(&mut self) -> Option<Arms> {
        self.nested(|p| {
            let start = p.eat(Tok::LBrace)?.start;
            let mut arms = Vec::new();
            while p.eat(Tok::RBrace).is_none() {
                arms.push(p.arm()?);
            }
            Some(Arms {
                arms,
                span: p.span_from(start),
            })
        })
    }

    fn arm(&mut self) -> Option<Arm> {
        let start = self.next_start();
        let attrs = self.attrs()?;
        let pattern = match self.peek() {
            Tok::Str => Pattern::Str(self.string()?),
            Tok::Else => Pattern::Else(span_of(self.bump())),
            Tok::Yes => Pattern::Yes(span_of(self.bump())),
            Tok::No => Pattern::No(span_of(self.bump())),
            _ => Pattern::Name(self.ident()?),
        };
        self.eat(Tok::FatArrow)?;
        let body = match self.peek() {
            Tok::LBrace => Branch::Block(self.block()?),
            _ => Branch::Stmt(Box::new(self.stmt()?)),
        };
        self.eat(Tok::Comma);
        Some(Arm {
            attrs,
            pattern,
            body,
            span: self.span_from(start),
        })
    }
}

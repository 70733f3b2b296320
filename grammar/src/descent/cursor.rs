//! The fast parser's position in the token stream, and the small moves every rule makes:
//! look, take, insist, read a name, measure a span, guard the nesting depth.
//!
//! Every move that can fail returns `Option`: `None` means "not something this parser is
//! sure pest accepts the same way", and it propagates with `?` up to the caller, which
//! then lets pest parse the file. Nothing here knows the grammar's rules.

use crate::ast::{Ident, Span};

use super::token::{Tok, Token};

/// How deeply blocks, arms and expressions may nest (each counts one level; an `if`
/// and its block count two) before the fast parser leaves the file to pest. pest's stack
/// guard stops it with an error when the stack runs low, so the fast path must give up
/// long before that could happen, in any build and on any thread. For scale: in a debug
/// build on a 2 MiB test thread the pest path (whose tree builder recurses too) runs out
/// of stack past some 220 nested `if`s, 450 levels here; real flows stay under 20.
const MAX_DEPTH: u32 = 64;

pub(super) struct Parser<'s> {
    pub(super) src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    /// Where the last token taken ends: the end of whatever rule just finished.
    last_end: u32,
    depth: u32,
    /// Set when the parser gave up because of [`MAX_DEPTH`], not because of the text.
    pub(super) too_deep: bool,
}

impl<'s> Parser<'s> {
    /// `tokens` ends with [`Tok::Eof`], which is never taken.
    pub(super) fn new(src: &'s str, tokens: Vec<Token>) -> Parser<'s> {
        Parser {
            src,
            tokens,
            pos: 0,
            last_end: 0,
            depth: 0,
            too_deep: false,
        }
    }

    fn token(&self, ahead: usize) -> Token {
        let last = self.tokens.len() - 1;
        self.tokens[(self.pos + ahead).min(last)]
    }

    pub(super) fn peek(&self) -> Tok {
        self.token(0).tok
    }

    pub(super) fn peek_at(&self, ahead: usize) -> Tok {
        self.token(ahead).tok
    }

    /// Where the next token starts.
    pub(super) fn next_start(&self) -> u32 {
        self.token(0).start
    }

    /// Takes the next token (never [`Tok::Eof`]: callers look before they take).
    pub(super) fn bump(&mut self) -> Token {
        let token = self.token(0);
        if token.tok != Tok::Eof {
            self.pos += 1;
            self.last_end = token.end;
        }
        token
    }

    /// Takes the next token if it is `tok` (with `?`: the next token must be `tok`).
    pub(super) fn eat(&mut self, tok: Tok) -> Option<Token> {
        (self.peek() == tok).then(|| self.bump())
    }

    /// Whether the next token starts right where the last one taken ended: inside the
    /// grammar's atomic rules (`a.b`, `08:00-18:00`) nothing may separate them.
    pub(super) fn touching(&self) -> bool {
        self.token(0).start == self.last_end
    }

    /// Whether the token `ahead` starts right where the one before it ends.
    pub(super) fn touching_at(&self, ahead: usize) -> bool {
        ahead > 0 && self.token(ahead).start == self.token(ahead - 1).end
    }

    pub(super) fn text(&self, token: Token) -> &'s str {
        &self.src[token.start as usize..token.end as usize]
    }

    pub(super) fn peek_text(&self) -> &'s str {
        self.text(self.token(0))
    }

    /// The rule that started at `start` and ended with the last token taken.
    pub(super) fn span_from(&self, start: u32) -> Span {
        Span {
            start,
            end: self.last_end,
        }
    }

    /// A name as the grammar's `ident` reads it (see [`Tok::is_ident`]).
    pub(super) fn ident(&mut self) -> Option<Ident> {
        if !self.peek().is_ident() {
            return None;
        }
        let token = self.bump();
        Some(self.ident_of(token))
    }

    pub(super) fn ident_of(&self, token: Token) -> Ident {
        Ident {
            name: self.text(token).to_string(),
            span: span_of(token),
        }
    }

    /// Whether `levels` more levels than the current one stay within [`MAX_DEPTH`];
    /// if not, the parser has given up for depth.
    pub(super) fn has_room(&mut self, levels: u32) -> bool {
        if self.depth.saturating_add(levels) > MAX_DEPTH {
            self.too_deep = true;
            return false;
        }
        true
    }

    /// Runs a rule one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    pub(super) fn nested<T>(&mut self, rule: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_DEPTH {
            self.too_deep = true;
            return None;
        }
        self.depth += 1;
        let res = rule(self);
        self.depth -= 1;
        res
    }

    pub(super) fn at_end(&self) -> bool {
        self.peek() == Tok::Eof
    }
}

pub(super) fn span_of(token: Token) -> Span {
    Span {
        start: token.start,
        end: token.end,
    }
}

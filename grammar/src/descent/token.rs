//! The fast parser's tokens: one logos pass over the whole file that cuts it exactly where
//! the pest grammar's atomic rules would (`flow.pest` is the grammar of record).
//!
//! Whitespace and comments are skipped, as pest's implicit `WHITESPACE` and `COMMENT` are;
//! rules that pest writes without implicit whitespace (`a.b`, `erp.x`, `08:00-18:00`,
//! `-1.5`) are checked by the parser from token adjacency. Anything pest could never
//! accept, such as `5x` or an unknown escape, is a lexing error: the caller bails out.
//! It knows nothing of statements or trees.

use logos::Logos;

/// A digit run as the grammar's `literal` reads it: `date | time | duration | range |
/// number`, first match wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NumKind {
    /// `2026-12-25`
    Date,
    /// `08:00`
    Time,
    /// `30s`, `5m`, `2h`, `1d`
    Duration,
    /// `1..5`
    Range,
    /// `3`, `1.5`
    Number,
}

#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n]+")]
#[logos(skip r"//[^\n]*")]
pub(super) enum Tok {
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token("=")]
    Equals,
    #[token("->")]
    Arrow,
    #[token("=>")]
    FatArrow,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("@")]
    At,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<=")]
    LtEq,
    #[token(">=")]
    GtEq,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("\"", plain_string)]
    #[token("\"\"\"", triple_string)]
    Str,
    #[regex("[0-9]+", digits)]
    Num(NumKind),
    /// A name that is not a reserved word (`hours` and the weekdays are names too).
    #[regex("[a-z_][a-z0-9_]*")]
    Word,
    // The reserved words of `crate::keywords`, as the grammar's `reserved` lists them;
    // the tests below hold the attributes to the table.
    #[token("erp")]
    Erp,
    #[token("department")]
    Department,
    #[token("attendant")]
    Attendant,
    #[token("tag")]
    Tag,
    #[token("group")]
    Group,
    #[token("branch")]
    Branch,
    #[token("period")]
    Period,
    #[token("holiday")]
    Holiday,
    #[token("template")]
    Template,
    #[token("agent")]
    Agent,
    #[token("script")]
    Script,
    #[token("flow")]
    Flow,
    #[token("say")]
    Say,
    #[token("audio")]
    Audio,
    #[token("ask")]
    Ask,
    #[token("choice")]
    Choice,
    #[token("confirm")]
    Confirm,
    #[token("input")]
    Input,
    #[token("as")]
    As,
    #[token("when")]
    When,
    #[token("else")]
    Else,
    #[token("if")]
    If,
    #[token("goto")]
    Goto,
    #[token("transfer")]
    Transfer,
    #[token("to")]
    To,
    #[token("wait")]
    Wait,
    #[token("set")]
    Set,
    #[token("end")]
    End,
    #[token("yes")]
    Yes,
    #[token("no")]
    No,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[token("in")]
    In,
    /// Past the last token.
    Eof,
}

impl Tok {
    /// Whether the grammar's `ident` accepts the token. That is every word but the
    /// reserved ones, and also `not`: in `reserved`, `"no"` comes before `"not"`, matches
    /// its first two letters, fails `!ident_char`, and the choice does not try `"not"`.
    /// So `not` names things (`goto not`, `a.not`, `"{not}"`) everywhere but at the start
    /// of an operand, where the prefix operator is tried first.
    pub(super) fn is_ident(self) -> bool {
        matches!(self, Tok::Word | Tok::Not)
    }

    /// Whether the token is written like a name, reserved or not: what `arg_name`
    /// accepts (`notify(group: noc)`).
    pub(super) fn is_word_like(self) -> bool {
        matches!(self, Tok::Word) || self.is_reserved()
    }

    fn is_reserved(self) -> bool {
        matches!(
            self,
            Tok::Erp
                | Tok::Department
                | Tok::Attendant
                | Tok::Tag
                | Tok::Group
                | Tok::Branch
                | Tok::Period
                | Tok::Holiday
                | Tok::Template
                | Tok::Agent
                | Tok::Script
                | Tok::Flow
                | Tok::Say
                | Tok::Audio
                | Tok::Ask
                | Tok::Choice
                | Tok::Confirm
                | Tok::Input
                | Tok::As
                | Tok::When
                | Tok::Else
                | Tok::If
                | Tok::Goto
                | Tok::Transfer
                | Tok::To
                | Tok::Wait
                | Tok::Set
                | Tok::End
                | Tok::Yes
                | Tok::No
                | Tok::True
                | Tok::False
                | Tok::And
                | Tok::Or
                | Tok::Not
                | Tok::In
        )
    }
}

/// A token and its byte range.
#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) start: u32,
    pub(super) end: u32,
}

/// Every token of `src`, ending with [`Tok::Eof`]; `None` at the first thing that cannot
/// be a token of a valid file. Offsets are `u32`, like spans: a larger file is refused.
pub(super) fn tokenize(src: &str) -> Option<Vec<Token>> {
    let len = u32::try_from(src.len()).ok()?;
    // A token every five bytes or so is typical of flows; one allocation up front.
    let mut tokens = Vec::with_capacity(src.len() / 5 + 1);
    let mut lex = Tok::lexer(src);
    while let Some(tok) = lex.next() {
        let tok = tok.ok()?;
        let span = lex.span();
        // Both ends fit: the whole source does.
        tokens.push(Token {
            tok,
            start: span.start as u32,
            end: span.end as u32,
        });
    }
    tokens.push(Token {
        tok: Tok::Eof,
        start: len,
        end: len,
    });
    Some(tokens)
}

fn is_ident_char(byte: u8) -> bool {
    matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'_')
}

fn is_ident_start(byte: u8) -> bool {
    matches!(byte, b'a'..=b'z' | b'_')
}

/// Classifies a digit run the way `literal` does and extends the token over the rest of
/// the literal. `None` where no numeric rule can match: `5x`, `1.5s`, `30sec`.
fn digits(lex: &mut logos::Lexer<Tok>) -> Option<NumKind> {
    let run = lex.slice().len();
    let rest = lex.remainder().as_bytes();
    let digit_at = |i: usize| rest.get(i).is_some_and(u8::is_ascii_digit);
    let byte_at = |i: usize| rest.get(i).copied();
    let date_tail = [Some(b'-'), None, None, Some(b'-'), None, None];
    let is_date = run == 4
        && date_tail
            .iter()
            .enumerate()
            .all(|(i, want)| want.map_or(digit_at(i), |b| byte_at(i) == Some(b)));
    if is_date {
        lex.bump(6);
        return Some(NumKind::Date);
    }
    if run == 2 && byte_at(0) == Some(b':') && digit_at(1) && digit_at(2) {
        lex.bump(3);
        return Some(NumKind::Time);
    }
    if let Some(b's' | b'm' | b'h' | b'd') = byte_at(0) {
        // `duration` fails on `30sec`, and `number` then fails on the `s`.
        if byte_at(1).is_some_and(is_ident_char) {
            return None;
        }
        lex.bump(1);
        return Some(NumKind::Duration);
    }
    if byte_at(0) == Some(b'.') && byte_at(1) == Some(b'.') && digit_at(2) {
        let bound = rest[2..].iter().take_while(|b| b.is_ascii_digit()).count();
        lex.bump(2 + bound);
        return Some(NumKind::Range);
    }
    let mut len = 0;
    if byte_at(0) == Some(b'.') && digit_at(1) {
        len = 1 + rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    }
    if byte_at(len).is_some_and(is_ident_char) {
        return None;
    }
    lex.bump(len);
    Some(NumKind::Number)
}

fn plain_string(lex: &mut logos::Lexer<Tok>) -> bool {
    string_body(lex, false)
}

fn triple_string(lex: &mut logos::Lexer<Tok>) -> bool {
    string_body(lex, true)
}

/// Extends the token over a string's body and closing quotes, accepting exactly what
/// `plain_string` / `triple_string` accept: the five escapes, `{path}` interpolations of
/// names that are not reserved words, and, in a plain string, no line break.
fn string_body(lex: &mut logos::Lexer<Tok>, triple: bool) -> bool {
    let body = lex.remainder().as_bytes();
    let mut i = 0;
    while let Some(&byte) = body.get(i) {
        match byte {
            b'"' if !triple => {
                lex.bump(i + 1);
                return true;
            }
            b'"' if body[i..].starts_with(b"\"\"\"") => {
                lex.bump(i + 3);
                return true;
            }
            b'\n' if !triple => return false,
            b'\\' => match body.get(i + 1) {
                Some(b'"' | b'\\' | b'n' | b'{' | b'}') => i += 2,
                _ => return false,
            },
            b'{' => match interpolation_len(&body[i..]) {
                Some(len) => i += len,
                None => return false,
            },
            _ => i += 1,
        }
    }
    false
}

/// The length of `{name}` or `{name.field}` at the start of `text`, when every segment is
/// a name the grammar's `ident` accepts.
fn interpolation_len(text: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        let start = i;
        if !text.get(i).copied().is_some_and(is_ident_start) {
            return None;
        }
        while text.get(i).copied().is_some_and(is_ident_char) {
            i += 1;
        }
        let segment = std::str::from_utf8(&text[start..i]).ok()?;
        if !is_ident_word(segment) {
            return None;
        }
        match text.get(i) {
            Some(b'.') => i += 1,
            Some(b'}') => return Some(i + 1),
            _ => return None,
        }
    }
}

/// Whether `ident` accepts `word`, already known to be made of name characters.
fn is_ident_word(word: &str) -> bool {
    let mut lex = Tok::lexer(word);
    matches!(lex.next(), Some(Ok(tok)) if tok.is_ident() && lex.span().end == word.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keywords::{KEYWORDS, RESERVED};
    use std::collections::BTreeSet;

    fn kinds(src: &str) -> Option<Vec<Tok>> {
        tokenize(src).map(|tokens| tokens.into_iter().map(|t| t.tok).collect())
    }

    #[test]
    fn literals_split_as_the_grammar_reads_them() {
        use NumKind::*;
        assert_eq!(
            kinds("2026-12-25 08:00-18:00 30s 1..5 1.5 2026-1"),
            Some(vec![
                Tok::Num(Date),
                Tok::Num(Time),
                Tok::Minus,
                Tok::Num(Time),
                Tok::Num(Duration),
                Tok::Num(Range),
                Tok::Num(Number),
                Tok::Num(Number),
                Tok::Minus,
                Tok::Num(Number),
                Tok::Eof,
            ])
        );
        assert_eq!(
            kinds("1..x 12:3"),
            Some(vec![
                Tok::Num(Number),
                Tok::DotDot,
                Tok::Word,
                Tok::Num(Number),
                Tok::Colon,
                Tok::Num(Number),
                Tok::Eof,
            ])
        );
        assert_eq!(kinds("5x"), None);
        assert_eq!(kinds("1.5s"), None);
        assert_eq!(kinds("30sec"), None);
    }

    #[test]
    fn words_reserved_words_and_comments() {
        assert_eq!(
            kinds("say sayonara // say\nhours _x1"),
            Some(vec![Tok::Say, Tok::Word, Tok::Word, Tok::Word, Tok::Eof])
        );
        assert_eq!(kinds("Say"), None);
        assert_eq!(kinds("é"), None);
    }

    #[test]
    fn strings_accept_what_the_grammar_accepts() {
        assert_eq!(
            kinds(r#""a {b.c} \{ \n" """x "y" {z}""""#),
            Some(vec![Tok::Str, Tok::Str, Tok::Eof])
        );
        assert_eq!(kinds(r#""{say}""#), None);
        assert_eq!(kinds(r#""\t""#), None);
        assert_eq!(kinds("\"a\nb\""), None);
        assert_eq!(kinds(r#""{a.}""#), None);
        assert_eq!(kinds(r#""{not} {a.not}""#), Some(vec![Tok::Str, Tok::Eof]));
        assert_eq!(kinds("\"\"\"a\nb\"\"\""), Some(vec![Tok::Str, Tok::Eof]));
    }

    /// The text of every `#[token("...")]` attribute of [`Tok`] without escapes, read
    /// from this file: the attributes are the enum's keyword list, and no Rust code can
    /// list them otherwise.
    fn token_attributes() -> Vec<&'static str> {
        include_str!("token.rs")
            .lines()
            .filter_map(|line| line.trim().strip_prefix("#[token(\"")?.strip_suffix("\")]"))
            .filter(|text| !text.contains('\\'))
            .collect()
    }

    #[test]
    fn keyword_tokens_are_the_reserved_words_of_the_table() {
        let words: BTreeSet<&str> = token_attributes()
            .into_iter()
            .filter(|text| text.bytes().all(|b| b.is_ascii_lowercase()))
            .collect();
        assert_eq!(words, RESERVED.into_iter().collect::<BTreeSet<_>>());
    }

    #[test]
    fn every_keyword_of_the_table_lexes_to_its_own_token() {
        let mut seen = Vec::new();
        for keyword in KEYWORDS {
            let tokens = tokenize(keyword.word);
            let Some([token, Token { tok: Tok::Eof, .. }]) = tokens.as_deref() else {
                panic!("`{}` is not one token", keyword.word);
            };
            let tok = token.tok;
            assert_eq!(tok.is_reserved(), keyword.reserved, "{}", keyword.word);
            assert!(tok.is_word_like(), "{}", keyword.word);
            // `not` names things too: see `Tok::is_ident`.
            let names = !keyword.reserved || keyword.word == "not";
            assert_eq!(tok.is_ident(), names, "{}", keyword.word);
            if keyword.reserved {
                assert!(!seen.contains(&tok), "`{}` shares a token", keyword.word);
                seen.push(tok);
            }
        }
    }

    #[test]
    fn only_keyword_tokens_are_reserved() {
        for text in token_attributes().into_iter().chain(["x", "1", "\"s\""]) {
            let tokens = tokenize(text);
            let Some([token, Token { tok: Tok::Eof, .. }]) = tokens.as_deref() else {
                panic!("`{text}` is not one token");
            };
            let reserved = RESERVED.contains(&text);
            assert_eq!(token.tok.is_reserved(), reserved, "{text}");
        }
    }
}

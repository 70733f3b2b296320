//! Pest failures put into plain words (codes E0101, E0107..E0110, E0112).
//!
//! Pest reports the rules it expected at the furthest position it reached; we name them
//! with [`describe`], fold long lists into one phrase ("a statement", "an operator"), and
//! recognise the common mistakes (an unclosed `{` or `(`, a stray `}`, an uppercase,
//! accented or reserved name, a misspelt keyword, a statement outside a flow) to give each
//! its own message and help. When the input ends a line early, the message points at the
//! end of that line rather than at whatever starts the next one.

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, FileId, Label};
use crate::keywords::{is_reserved, ITEM_STARTS, STATEMENT_STARTS};
use crate::lexer;

use super::describe::{self, describe, ITEM, OPERATOR, STATEMENT};
use super::Rule;

/// A pest failure in words, and whether reading on past the broken line makes sense.
pub(crate) struct Failure {
    pub(crate) diagnostic: Diagnostic,
    pub(crate) recoverable: bool,
}

/// Turns a pest failure inside the chunk that starts at `offset` into a diagnostic.
pub(crate) fn from_pest(file: FileId, chunk: &str, offset: usize, err: &Error<Rule>) -> Failure {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = floor_char_boundary(chunk, pos.min(chunk.len()));
    let positives: Vec<Rule> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let cx = Context {
        file,
        chunk,
        offset,
        pos,
        positives,
    };
    let (diagnostic, recoverable) = cx.diagnose();
    Failure {
        diagnostic,
        recoverable,
    }
}

struct Context<'c> {
    file: FileId,
    chunk: &'c str,
    offset: usize,
    pos: usize,
    positives: Vec<Rule>,
}

impl Context<'_> {
    fn expects(&self, rule: Rule) -> bool {
        self.positives.contains(&rule)
    }

    fn label(&self, start: usize, len: usize, message: impl Into<String>) -> Label {
        Label::new(
            self.file,
            Span::new(self.offset + start, self.offset + start + len),
            message,
        )
    }

    fn diagnose(&self) -> (Diagnostic, bool) {
        let (found, found_len) = found_at(self.chunk, self.pos);
        let here = self.label(self.pos, found_len, "");
        let depth = lexer::brace_balance(&self.chunk[..self.pos]);
        let at_top_level = self
            .positives
            .iter()
            .any(|r| describe::starts_item(*r) || matches!(r, Rule::file | Rule::EOI));

        if found_len == 0 && self.expects(Rule::close_brace) {
            let mut diag = Diagnostic::error(
                "E0109",
                "unclosed `{`",
                Label {
                    message: "the file ends here".into(),
                    ..here
                },
            );
            if let Some(open) = unmatched(self.chunk, '{', '}') {
                diag = diag.with_secondary(self.label(open, 1, "this `{` is never closed"));
            }
            return (diag.with_note("add the missing `}`"), false);
        }
        if found == "}" && !self.expects(Rule::close_brace) && depth <= 0 {
            let diag = Diagnostic::error(
                "E0110",
                "unexpected `}`",
                Label {
                    message: "nothing to close here".into(),
                    ..here
                },
            )
            .with_note(format!("expected {}", self.expected()));
            return (diag, true);
        }
        if self.expects(Rule::close_paren) {
            if let Some(open) = unmatched(&self.chunk[..self.pos], '(', ')') {
                if self.chunk[open..self.pos].contains('\n') {
                    let diag = Diagnostic::error(
                        "E0101",
                        "unclosed `(`",
                        self.label(open, 1, "this `(` is never closed"),
                    )
                    .with_note("add the missing `)` after the last argument");
                    return (diag, false);
                }
            }
        }
        let wants_name = self.expects(Rule::ident)
            || self.expects(Rule::path)
            || self.expects(Rule::card_name)
            || self.expects(Rule::pattern);
        let wants_word = wants_name
            || at_top_level
            || self
                .positives
                .iter()
                .any(|r| describe::starts_statement(*r));
        if let Some(diag) = self.bad_word(wants_word) {
            return (diag, true);
        }
        if wants_name && is_reserved(&found) {
            let diag = Diagnostic::error(
                "E0108",
                format!("`{found}` is a reserved word"),
                Label {
                    message: "a reserved word cannot be a name".into(),
                    ..here
                },
            )
            .with_note(format!("choose another name, such as `{found}_`"));
            return (diag, true);
        }
        if at_top_level && STATEMENT_STARTS.contains(&found.as_str()) && found != "tag" {
            let diag = Diagnostic::error(
                "E0112",
                format!("`{found}` outside a flow"),
                Label {
                    message: "statements go inside a flow".into(),
                    ..here
                },
            )
            .with_note("put it inside `flow name { ... }`");
            return (diag, true);
        }
        if at_top_level && is_word(&found) {
            let mut diag = Diagnostic::error(
                "E0101",
                format!("`{found}` does not start an item"),
                Label {
                    message: format!("expected {ITEM}"),
                    ..here
                },
            );
            if let Some(keyword) = did_you_mean(&found, &ITEM_STARTS) {
                diag = diag.with_note(format!("did you mean `{keyword}`?"));
            }
            return (diag, true);
        }
        if let Some(diag) = self.not_a_statement() {
            return (diag, true);
        }
        let recoverable = !(depth <= 0 && self.expects(Rule::open_brace));
        (self.unexpected(&found, found_len), recoverable)
    }

    /// An uppercase or accented word where a keyword or a name goes (E0107).
    fn bad_word(&self, wants_word: bool) -> Option<Diagnostic> {
        let (start, word) = word_around(self.chunk, self.pos)?;
        let uppercase = word.starts_with(|c: char| c.is_ascii_uppercase());
        let accented = !word.is_ascii();
        // `promoção`: pest read `promo` as a name and stopped at `ç`.
        let mid_word = start < self.pos;
        if !(wants_word || mid_word) || !(uppercase || accented) {
            return None;
        }
        let fixed: String = word
            .chars()
            .map(unaccent)
            .collect::<String>()
            .to_lowercase();
        let (message, label) = if is_reserved(&fixed) {
            (
                format!("`{word}` is not a keyword"),
                "keywords are lowercase",
            )
        } else if accented {
            (
                format!("`{word}` is not a valid name"),
                "names use only `a`-`z`, `0`-`9` and `_`",
            )
        } else {
            (
                format!("`{word}` is not a valid name"),
                "names are lowercase",
            )
        };
        Some(
            Diagnostic::error("E0107", message, self.label(start, word.len(), label))
                .with_note(format!("write `{fixed}`")),
        )
    }

    /// A bare word at the start of a statement: a misspelt keyword, or a card called
    /// without parentheses. Pest then expects `(` or `:` after it.
    fn not_a_statement(&self) -> Option<Diagnostic> {
        let only_call_or_label = !self.positives.is_empty()
            && self
                .positives
                .iter()
                .all(|r| matches!(r, Rule::args | Rule::colon | Rule::kw_as | Rule::arms));
        if !only_call_or_label || !self.expects(Rule::args) {
            return None;
        }
        let before = code_end(self.chunk, self.pos);
        let (start, word) = word_around(self.chunk, before.checked_sub(1)?)?;
        let mut diag = Diagnostic::error(
            "E0101",
            format!("`{word}` is not a statement"),
            self.label(start, word.len(), "expected a statement"),
        );
        diag = match did_you_mean(word, &STATEMENT_STARTS) {
            Some(keyword) => diag.with_note(format!("did you mean `{keyword}`?")),
            None => diag.with_note(format!("a card is called with parentheses: `{word}(...)`")),
        };
        Some(diag)
    }

    /// The general case: what was expected and what was found. When the line ends
    /// before what was expected, the message points at the end of that line.
    fn unexpected(&self, found: &str, found_len: usize) -> Diagnostic {
        let expected = self.expected();
        let line_end = code_end(self.chunk, self.pos);
        let on_later_line = found.starts_with(['\n', '\r'])
            || self
                .chunk
                .get(line_end..self.pos)
                .is_some_and(|gap| gap.contains('\n'));
        // When what was expected may start a line, the line before was complete and the
        // token found is the mistake; otherwise the line before stopped short.
        let line_complete = self.positives.iter().any(|r| starts_line(*r));
        let mut diag = if found_len > 0 && on_later_line && !line_complete && line_end > 0 {
            let (start, len) = last_token(self.chunk, line_end);
            Diagnostic::error(
                "E0101",
                format!("expected {expected}, found the end of the line"),
                self.label(start, len, format!("expected {expected} after this")),
            )
        } else {
            let found = if found_len == 0 {
                "the end of the file".to_string()
            } else {
                format!("`{found}`")
            };
            Diagnostic::error(
                "E0101",
                format!("expected {expected}, found {found}"),
                self.label(self.pos, found_len, format!("unexpected {found}")),
            )
        };
        if let Some(help) = self.help(found) {
            diag = diag.with_note(help);
        }
        diag
    }

    fn help(&self, found: &str) -> Option<String> {
        if found == "=" && self.expects(Rule::op_eq) {
            return Some(
                "to compare, write `==`; to change a variable, write `set name = value`".into(),
            );
        }
        if found == "'" {
            return Some("strings are written in double quotes: `\"...\"`".into());
        }
        if found == "else"
            && self
                .positives
                .iter()
                .any(|r| describe::starts_statement(*r))
        {
            return Some("`else` goes right after the `}` of an `if`".into());
        }
        if self.expects(Rule::duration) && found.chars().all(|c| c.is_ascii_digit()) {
            return Some(format!(
                "add a unit: `{found}s`, `{found}m`, `{found}h` or `{found}d`"
            ));
        }
        if self.expects(Rule::day_set) || self.expects(Rule::weekday) {
            return Some("weekdays are `mon`, `tue`, `wed`, `thu`, `fri`, `sat` and `sun`".into());
        }
        if self.expects(Rule::ident) && found.starts_with('"') {
            return Some("a name is written without quotes".into());
        }
        if self.expects(Rule::fat_arrow) {
            return Some("an arm's pattern and what it does are joined by `=>`".into());
        }
        if self.expects(Rule::branch) {
            return Some(
                "say what the arm does after `=>`: a statement such as `goto financeiro`, \
                 or a `{ block }`"
                    .into(),
            );
        }
        if found == "{"
            && [Rule::kw_choice, Rule::kw_confirm]
                .iter()
                .all(|r| self.expects(*r))
        {
            return Some(
                "say what kind of question it is: `ask \"...\" choice { \"<option>\" => ... }`, \
                 `ask \"...\" confirm { yes => ... no => ... }` or `ask \"...\" input <type> as <name>`"
                    .into(),
            );
        }
        if found == "(" {
            let before = self.chunk[..self.pos].trim_end();
            let (_, word) = word_around(before, before.len().checked_sub(1)?)?;
            if STATEMENT_STARTS.contains(&word) {
                return Some(format!(
                    "`{word}` starts a statement and is not called with parentheses; \
                     `fluxo cards` shows how each statement is written"
                ));
            }
        }
        self.misspelt_keyword(found)
            .map(|keyword| format!("did you mean `{keyword}`?"))
    }

    /// The keyword among those expected that `found` is likely a slip for: the expected
    /// rules whose plain-words name is one keyword in backticks.
    fn misspelt_keyword(&self, found: &str) -> Option<&'static str> {
        if !is_word(found) {
            return None;
        }
        let keywords: Vec<&'static str> = self
            .positives
            .iter()
            .filter_map(|r| {
                let word = describe(*r).strip_prefix('`')?.strip_suffix('`')?;
                is_word(word).then_some(word)
            })
            .collect();
        did_you_mean(found, &keywords)
    }

    /// "a, b or c", with statements, items and operators folded into one phrase each.
    fn expected(&self) -> String {
        let positives = &self.positives;
        let n_statement_rules = positives
            .iter()
            .filter(|r| describe::starts_statement(**r))
            .count();
        let n_item_rules = positives
            .iter()
            .filter(|r| describe::starts_item(**r))
            .count();
        let n_operators = positives
            .iter()
            .filter(|r| describe::is_operator(**r))
            .count();
        let drop_operators = positives.contains(&Rule::comma);
        let mut words: Vec<&str> = Vec::new();
        for rule in positives {
            let word = if n_statement_rules >= 3 && describe::starts_statement(*rule) {
                STATEMENT
            } else if n_item_rules >= 3 && describe::starts_item(*rule) {
                ITEM
            } else if describe::is_operator(*rule) && drop_operators {
                continue;
            } else if describe::is_operator(*rule) && n_operators >= 3 {
                OPERATOR
            } else {
                describe(*rule)
            };
            if !words.contains(&word) {
                words.push(word);
            }
        }
        match words.as_slice() {
            [] => "something else".to_string(),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} or {}", init.join(", "), last),
        }
    }
}

/// Whether `rule` may be the first thing on a line: a statement, an item, an arm, a
/// period rule, a closing brace.
fn starts_line(rule: Rule) -> bool {
    describe::starts_statement(rule)
        || describe::starts_item(rule)
        || matches!(
            rule,
            Rule::close_brace
                | Rule::arm
                | Rule::pattern
                | Rule::attr
                | Rule::day_set
                | Rule::day_range
                | Rule::weekday
                | Rule::holiday_rule
                | Rule::kw_holiday
                | Rule::period_rule
                | Rule::hours_rule
                | Rule::record_field
                | Rule::EOI
        )
}

/// The token at `pos`: a word, a number, a string, one punctuation character, or nothing
/// at the end.
fn found_at(chunk: &str, pos: usize) -> (String, usize) {
    let rest = &chunk[pos..];
    let Some(first) = rest.chars().next() else {
        return (String::new(), 0);
    };
    if first.is_alphanumeric() || first == '_' {
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        return (rest[..len].to_string(), len);
    }
    if first == '"' {
        let line = rest.find('\n').unwrap_or(rest.len());
        let len = rest[1..line].find('"').map_or(1, |n| n + 2);
        return (rest[..len].to_string(), len);
    }
    (first.to_string(), first.len_utf8())
}

/// The word (letters, digits, `_`, accented letters too) that covers `pos`.
fn word_around(chunk: &str, pos: usize) -> Option<(usize, &str)> {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    let pos = floor_char_boundary(chunk, pos);
    let start = chunk[..pos]
        .rfind(|c: char| !is_word_char(c))
        .map_or(0, |n| {
            n + chunk[n..].chars().next().map_or(1, char::len_utf8)
        });
    let end = chunk[pos..]
        .find(|c: char| !is_word_char(c))
        .map_or(chunk.len(), |n| pos + n);
    let word = &chunk[start..end];
    let valid_start = word.starts_with(|c: char| c.is_alphabetic() || c == '_');
    (valid_start && end > pos).then_some((start, word))
}

fn is_word(text: &str) -> bool {
    text.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// Where the code before `pos` ends: whitespace and `//` comments skipped backwards.
fn code_end(chunk: &str, pos: usize) -> usize {
    let mut end = pos;
    loop {
        let line_start = chunk[..end].rfind('\n').map_or(0, |n| n + 1);
        let line = &chunk[line_start..end];
        let code = strip_comment(line).trim_end();
        if !code.is_empty() || line_start == 0 {
            return line_start + code.len();
        }
        end = line_start - 1;
    }
}

/// The line without its `//` comment, if it has one outside a string.
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '/' if !in_string && line[i..].starts_with("//") => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The last token before `end`: a word, a string, or one character.
fn last_token(chunk: &str, end: usize) -> (usize, usize) {
    let before = &chunk[..end];
    if before.ends_with('"') {
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        if let Some(open) = before[line_start..end - 1].rfind('"') {
            return (line_start + open, end - line_start - open);
        }
    }
    match before.char_indices().next_back() {
        Some((_, c)) if c.is_alphanumeric() || c == '_' => {
            let start = before
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |n| {
                    n + before[n..].chars().next().map_or(1, char::len_utf8)
                });
            (start, end - start)
        }
        Some((i, c)) => (i, c.len_utf8()),
        None => (0, 0),
    }
}

/// The offset of the last `open` left unclosed in `text` (strings and comments skipped).
fn unmatched(text: &str, open: char, close: char) -> Option<usize> {
    let mut stack = Vec::new();
    let mut lex = <lexer::Tok as logos::Logos>::lexer_with_extras(text, Vec::new());
    while let Some(tok) = lex.next() {
        let slice = lex.slice();
        match tok {
            Ok(lexer::Tok::LBrace) if open == '{' => stack.push(lex.span().start),
            Ok(lexer::Tok::RBrace) if close == '}' => {
                stack.pop();
            }
            Err(()) if slice.starts_with(open) => stack.push(lex.span().start),
            Err(()) if slice.starts_with(close) => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

fn floor_char_boundary(text: &str, pos: usize) -> usize {
    (0..=pos.min(text.len()))
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0)
}

/// The keyword `word` is likely a slip for, if there is one.
fn did_you_mean<'k>(word: &str, keywords: &[&'k str]) -> Option<&'k str> {
    crate::suggest::closest(word, keywords.iter().copied())
}

fn unaccent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

//! The text layout a graph cannot hold: the comments and blank lines of a formatted file,
//! as gaps between the tokens of each item, and the way back from a syntax tree and those
//! gaps to the same formatted text.
//!
//! A formatted file and the bare formatting of its syntax tree (no comments, no source)
//! have the same tokens once commas are left aside (the formatter adds trailing commas
//! when it breaks arguments over lines); they differ only in the whitespace, commas and
//! comments between tokens. So a gap is recorded by the index of the token it precedes
//! inside its item, and import puts it back between the same two tokens of the bare text
//! and formats the result: the formatter decides everything else from the tree and the
//! comments' places exactly as it did for the original.

use fluxo_grammar::ast::{File, Item};
use fluxo_grammar::{format, parse, FileId};

use super::schema::GapDto;

/// A token's byte range; between two tokens lie only whitespace, commas and comments.
#[derive(Clone, Copy, Debug)]
struct Token {
    start: usize,
    end: usize,
}

/// The tokens of `src`. Strings are one token each; words and numbers are runs of
/// letters, digits and `_`; anything else is one character. Only the count and the places
/// matter, so this does not have to match the grammar's own token boundaries.
fn tokens(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let c = bytes[pos];
        let start = pos;
        if c.is_ascii_whitespace() || c == b',' {
            pos += 1;
            continue;
        }
        if src[pos..].starts_with("//") {
            pos = src[pos..].find('\n').map_or(bytes.len(), |n| pos + n);
            continue;
        }
        if src[pos..].starts_with("\"\"\"") {
            pos = src[pos + 3..]
                .find("\"\"\"")
                .map_or(bytes.len(), |n| pos + 3 + n + 3);
        } else if c == b'"' {
            pos += 1;
            while pos < bytes.len() && bytes[pos] != b'"' && bytes[pos] != b'\n' {
                pos += if bytes[pos] == b'\\' { 2 } else { 1 };
            }
            pos = (pos + 1).min(bytes.len());
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            while pos < bytes.len() && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'_') {
                pos += 1;
            }
        } else {
            pos += src[pos..].chars().next().map_or(1, char::len_utf8);
        }
        out.push(Token { start, end: pos });
    }
    out
}

/// Which tokens belong to attributes (`@name` and its parenthesised arguments).
fn attribute_flags(src: &str, toks: &[Token]) -> Vec<bool> {
    let text = |i: usize| toks.get(i).map_or("", |t| &src[t.start..t.end]);
    let mut flags = vec![false; toks.len()];
    let mut i = 0;
    while i < toks.len() {
        if text(i) != "@" {
            i += 1;
            continue;
        }
        // `@` and the name.
        for flag in flags.iter_mut().skip(i).take(2) {
            *flag = true;
        }
        i += 2;
        if text(i) == "(" {
            let mut depth = 0usize;
            while let Some(flag) = flags.get_mut(i) {
                *flag = true;
                match text(i) {
                    "(" => depth += 1,
                    ")" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                i += 1;
                if depth == 0 {
                    break;
                }
            }
        }
    }
    flags
}

/// A token's place in its item: how many tokens outside attributes come before it, and
/// how many attribute tokens since the last of those. The editor adds and drops
/// attributes (`@id`, `@pos`), so a comment keeps its place among the other tokens.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    core: usize,
    attr: usize,
}

impl Place {
    fn step(&mut self, is_attr: bool) {
        if is_attr {
            self.attr += 1;
        } else {
            self.core += 1;
            self.attr = 0;
        }
    }
}

/// The gap `src[start..end]` without its commas (comments keep theirs).
fn without_commas(gap: &str) -> String {
    let mut out = String::new();
    for line in gap.split_inclusive('\n') {
        match line.find("//") {
            Some(cut) => {
                out.extend(line[..cut].chars().filter(|&c| c != ','));
                out.push_str(&line[cut..]);
            }
            None => out.extend(line.chars().filter(|&c| c != ',')),
        }
    }
    out
}

/// Only the commas of a gap.
fn commas(gap: &str) -> String {
    let code = match gap.find("//") {
        Some(cut) => &gap[..cut],
        None => gap,
    };
    code.chars().filter(|&c| c == ',').collect()
}

/// Whether a gap holds something the bare formatting would not write: a comment or an
/// empty line.
fn is_layout(gap: &str) -> bool {
    gap.contains("//") || {
        let mut lines = gap.split('\n');
        lines.next();
        let mut inner: Vec<&str> = lines.collect();
        inner.pop();
        inner.iter().any(|line| line.trim().is_empty())
    }
}

/// The layout of one item of a formatted file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemLayout {
    /// The item's tokens outside attributes (an edit in the editor changes the count).
    pub tokens: usize,
    pub gaps: Vec<GapDto>,
}

/// The layout of every item of `formatted` (a formatted file, which `file` was parsed
/// from), and the text after the last token of the file.
pub fn of_file(formatted: &str, file: &File) -> (Vec<ItemLayout>, String) {
    let toks = tokens(formatted);
    let attrs = attribute_flags(formatted, &toks);
    let starts: Vec<usize> = file.items.iter().map(item_start).collect();
    let mut layouts = vec![ItemLayout::default(); file.items.len()];
    let mut item = 0;
    let mut place = Place::default();
    let mut previous_end = 0;
    for (tok, &is_attr) in toks.iter().zip(&attrs) {
        while item + 1 < starts.len() && tok.start >= starts[item + 1] {
            item += 1;
            place = Place::default();
        }
        let Some(layout) = layouts.get_mut(item) else {
            break;
        };
        let gap = &formatted[previous_end..tok.start];
        if is_layout(gap) {
            layout.gaps.push(GapDto {
                antes: place.core,
                atributo: place.attr,
                texto: without_commas(gap),
            });
        }
        place.step(is_attr);
        layout.tokens = place.core;
        previous_end = tok.end;
    }
    let end = without_commas(&formatted[previous_end.min(formatted.len())..]);
    (layouts, end)
}

/// Where an item starts: its first attribute, or its keyword.
fn item_start(item: &Item) -> usize {
    let own = item.span.start as usize;
    item.attrs
        .first()
        .map_or(own, |a| (a.span.start as usize).min(own))
}

/// Rebuilds a formatted file from its items and their layouts (in file order) and the
/// text after its last token, with the indices of the items whose tokens are not those
/// recorded (edited since). `None` when the result does not parse, which only a
/// document edited by hand can cause; the caller then formats the items bare.
pub fn rebuild(items: &[(&Item, Option<&ItemLayout>)], end: &str) -> Option<(String, Vec<usize>)> {
    let mut src = String::new();
    let mut moved = Vec::new();
    for (i, (item, layout)) in items.iter().enumerate() {
        let bare = format(
            &File {
                items: vec![(*item).clone()],
            },
            &[],
            "",
        );
        let toks = tokens(&bare);
        let attrs = attribute_flags(&bare, &toks);
        let core = attrs.iter().filter(|a| !**a).count();
        if layout.is_some_and(|l| l.tokens != core) {
            moved.push(i);
        }
        let gaps = layout.map_or(&[][..], |l| &l.gaps[..]);
        let mut next_gap = gaps.iter().peekable();
        let mut place = Place::default();
        let mut previous_end = 0;
        for (k, (tok, &is_attr)) in toks.iter().zip(&attrs).enumerate() {
            let bare_gap = &bare[previous_end..tok.start];
            let mut recorded = String::new();
            while let Some(gap) = next_gap.next_if(|g| {
                Place {
                    core: g.antes,
                    attr: g.atributo,
                } <= place
            }) {
                recorded.push_str(&gap.texto);
            }
            place.step(is_attr);
            if !recorded.is_empty() {
                src.push_str(&commas(bare_gap));
                src.push_str(&recorded);
            } else if k == 0 && !src.is_empty() {
                src.push('\n');
            } else {
                src.push_str(bare_gap);
            }
            src.push_str(&bare[tok.start..tok.end]);
            previous_end = tok.end;
        }
        // Gaps past the item's last token (it lost tokens in the editor) close it.
        for gap in next_gap {
            src.push_str(&gap.texto);
        }
    }
    src.push_str(if end.is_empty() { "\n" } else { end });
    let parsed = parse(FileId(0), &src);
    if parsed.diagnostics.iter().any(|d| d.is_error()) {
        return None;
    }
    Some((format(&parsed.file, &parsed.comments, &src), moved))
}

/// Parses and formats a file's text: the form both directions compare and record.
pub fn formatted(src: &str) -> Result<(String, File), String> {
    let parsed = parse(FileId(0), src);
    if let Some(d) = parsed.diagnostics.iter().find(|d| d.is_error()) {
        return Err(d.message.clone());
    }
    let text = format(&parsed.file, &parsed.comments, src);
    let again = parse(FileId(0), &text).file;
    Ok((text, again))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_skip_commas_and_comments_and_keep_strings_whole() {
        let src = "flow a \"x, // y\" { // c\n    send(text: \"\"\"a\nb\"\"\", n: 1) }";
        let texts: Vec<&str> = tokens(src).iter().map(|t| &src[t.start..t.end]).collect();
        assert_eq!(
            texts,
            [
                "flow",
                "a",
                "\"x, // y\"",
                "{",
                "send",
                "(",
                "text",
                ":",
                "\"\"\"a\nb\"\"\"",
                "n",
                ":",
                "1",
                ")",
                "}"
            ]
        );
    }

    #[test]
    fn commas_in_comments_stay() {
        assert_eq!(without_commas(", // a, b\n  "), " // a, b\n  ");
        assert_eq!(commas(", // a, b\n"), ",");
    }
}

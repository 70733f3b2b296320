//! A fast hand-written parser for valid source: one logos pass makes the tokens, and a
//! recursive descent over them builds exactly the [`File`] the pest path builds, spans
//! included. `flow.pest` stays the grammar of record; this is a second reading of it,
//! made for speed on the files people actually compile (most of them are valid).
//!
//! It never reports anything. At the first thing it does not fully understand, or that
//! pest would reject or report (a bad date, a number too large, nesting too deep), it
//! returns `None` and the caller parses the file with pest, which owns the diagnostics
//! and the recovery. The differential test (`tests/differential.rs`) and the `parse`
//! fuzz target hold the two parsers to the same answers.

mod cursor;
mod expr;
mod item;
mod stmt;
mod token;

use crate::ast::{File, Item};
use crate::lexer;

use cursor::Parser;

/// Why the fast parser left a file to pest.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GaveUp {
    /// The text holds something pest rejects or reports, or that it may read otherwise.
    Text,
    /// Blocks, arms or expressions nest deeper than the fast parser goes; pest may well
    /// accept the file.
    TooDeep,
}

/// The tree of a valid file, or `None` to leave the file to pest.
pub(crate) fn parse_file(src: &str, item_starts: &[usize]) -> Option<File> {
    read_file(src, item_starts).ok()
}

fn read_file(src: &str, item_starts: &[usize]) -> Result<File, GaveUp> {
    let tokens = token::tokenize(src).ok_or(GaveUp::Text)?;
    let mut parser = Parser::new(src, tokens);
    match items(&mut parser, item_starts) {
        Some(items) => Ok(File { items }),
        None if parser.too_deep => Err(GaveUp::TooDeep),
        None => Err(GaveUp::Text),
    }
}

/// `file = { SOI ~ item* ~ EOI }`, item by item.
///
/// `item_starts` are the lexer's item boundaries: pest parses each stretch between two
/// of them on its own, so an item that would straddle one (an attribute line, then a
/// line that does not start an item, then `flow`) fails there and must fail here.
fn items(parser: &mut Parser, item_starts: &[usize]) -> Option<Vec<Item>> {
    let mut bounds = item_starts.iter().copied().peekable();
    let mut items = Vec::new();
    while !parser.at_end() {
        let item = parser.item()?;
        let (start, end) = (item.span.start as usize, item.span.end as usize);
        while bounds.next_if(|&bound| bound <= start).is_some() {}
        if bounds.peek().is_some_and(|&bound| bound < end) {
            return None;
        }
        items.push(item);
    }
    Some(items)
}

/// For the differential test and the fuzz target only: what the fast parser makes of
/// `src` on its own (lexical issues send a file to pest too).
#[doc(hidden)]
pub fn parse_fast_only(src: &str) -> Result<File, GaveUp> {
    let scan = lexer::scan(src);
    if !scan.issues.is_empty() {
        return Err(GaveUp::Text);
    }
    read_file(src, &scan.item_starts)
}

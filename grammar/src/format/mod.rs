//! The canonical formatter: one way to write every program.
//!
//! Four spaces per level, one statement per line, one blank line around flows, periods
//! and multi-line scripts, the author's blank lines elsewhere collapsed to one, `=>`
//! aligned within each block of arms, arguments on one line unless that line would pass
//! [`MAX_WIDTH`] columns, strings re-escaped, numbers canonical, attributes on their own
//! line before what they annotate, and every comment kept (see `printer.rs`).
//!
//! It promises three things, which the property tests and the fuzzer check: formatting
//! is idempotent, keeps the meaning (`parse(format(x)).file == parse(x).file`), and keeps
//! every comment in order. It knows nothing about names, types or cards.

mod items;
mod printer;
mod stmts;
mod text;

use crate::ast::File;
use crate::diagnostic::{Diagnostic, FileId};
use crate::lexer::Comment;
use printer::Printer;

/// Lines longer than this put their arguments one per line.
pub const MAX_WIDTH: usize = 100;

/// Formats a parsed file. `comments` and `src` are what [`crate::parse`] read the tree
/// from: comments are placed by their position, and blank lines are kept where the source
/// has them. A tree built by hand can be formatted with `&[]` and `""`.
pub fn format(file: &File, comments: &[Comment], src: &str) -> String {
    let mut formatter = Formatter {
        p: Printer::new(src, comments),
    };
    formatter.file(file);
    formatter.p.finish()
}

/// Parses and formats `src`, or returns the diagnostics if it has syntax errors: a file
/// that does not parse is never rewritten.
pub fn format_source(file_id: FileId, src: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = crate::parse(file_id, src);
    if parsed.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(parsed.diagnostics);
    }
    Ok(format(&parsed.file, &parsed.comments, src))
}

/// Walks the tree and feeds the printer; `items.rs` and `stmts.rs` hold its methods.
struct Formatter<'a> {
    p: Printer<'a>,
}

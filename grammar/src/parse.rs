//! The entry point: text to [`ast::File`](crate::ast::File), by whichever of the two
//! parsers can answer.
//!
//! Most files are valid, so the fast hand-written parser (`descent`) goes first; it
//! builds the tree or gives up without a word. Every file it gives up on, and so every
//! file with errors, takes the pest path (`pest_path`), which owns the diagnostics and
//! the recovery. Parsing never fails: it returns the items it could read and the errors
//! it found. This module is where the two roads meet, and nothing else.

use crate::ast::{File, Span};
use crate::diagnostic::{Diagnostic, FileId};
use crate::lexer::{self, Comment};
use crate::{descent, pest_path};

/// What parsing one file produced.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub file: File,
    /// Every `//` comment, in source order, for the formatter.
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
    /// What the recovery could not read (blanked lines, items dropped whole), in source
    /// order: a checker should not report what these may have said (a variable assigned
    /// there, a flow only they reach).
    pub damaged: Vec<Span>,
}

/// The tree of `src` as far as it could be read, its comments, and its syntax errors.
pub fn parse(file_id: FileId, src: &str) -> Parsed {
    let scan = lexer::scan(src);
    if scan.issues.is_empty() {
        if let Some(file) = descent::parse_file(src, &scan.item_starts) {
            return Parsed {
                file,
                comments: scan.comments,
                diagnostics: Vec::new(),
                damaged: Vec::new(),
            };
        }
    }
    pest_path::parse_with_pest(file_id, src, scan)
}

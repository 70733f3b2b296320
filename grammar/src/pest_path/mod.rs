//! The pest path: `flow.pest` run through pest, for every file the fast parser gives up
//! on, and so for every file with errors. It owns every syntax diagnostic and the
//! recovery; the fast path (`descent`) reports nothing and never calls in here.
//!
//! - `recovery`, the driver: the source cut at items, broken lines blanked and parsed again;
//! - `delimiters`: a `{` left open, reported where it opens and closed where its block ends;
//! - `nesting`: the bound on nesting, checked before a tree is built;
//! - `builder`: pest's pairs to the syntax tree, spans included;
//! - `failure`: a pest failure put into plain words;
//! - `describe`: plain-words names for the grammar's rules, and the rule lists those words
//!   and the builder need;
//! - `tests`: the grammar and those rule lists held to the keyword table.
//!
//! The grammar file stays at `src/flow.pest`, where `pest_derive` and the docs find it.

mod builder;
mod delimiters;
mod describe;
mod failure;
mod nesting;
mod recovery;

use crate::diagnostic::FileId;
use crate::lexer;
use crate::parse::Parsed;

pub(crate) use recovery::parse_with_pest;

#[derive(pest_derive::Parser)]
#[grammar = "flow.pest"]
pub(crate) struct FlowParser;

/// For the differential test, the benches and the fuzz target only: the pest path on its
/// own, with its diagnostics, as [`crate::parse`] runs it when the fast parser gives up.
#[doc(hidden)]
pub fn parse_with_pest_only(file_id: FileId, src: &str) -> Parsed {
    parse_with_pest(file_id, src, lexer::scan(src))
}

#[cfg(test)]
mod tests;

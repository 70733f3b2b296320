//! The promise that keeps the two parsers in step, as one check shared by the
//! differential test and the `parse` fuzz target (which include this file by path):
//! the fast parser builds a tree exactly when pest parses the file without a single
//! diagnostic, and then the very same tree, spans included.

use fluxo_grammar::descent::{parse_fast_only, GaveUp};
use fluxo_grammar::pest_path::parse_with_pest_only;
use fluxo_grammar::FileId;

/// What the two parsers agreed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreed {
    /// Both built the same tree.
    Valid,
    /// pest reported something and the fast parser gave up.
    Invalid,
    /// pest parsed the file cleanly, and the fast parser gave up on its nesting depth
    /// only, which it must do before pest's own stack guard could stop pest.
    TooDeep,
}

/// Runs both parsers on `src`; `Err` says how they disagree.
pub fn check_differential(src: &str) -> Result<Agreed, String> {
    let fast = parse_fast_only(src);
    let pest = parse_with_pest_only(FileId(0), src);
    match (fast, pest.diagnostics.first()) {
        (Ok(file), None) => {
            // `Span`'s equality ignores positions; its `Debug` prints them.
            let (fast, pest) = (format!("{file:?}"), format!("{:?}", pest.file));
            if fast == pest {
                Ok(Agreed::Valid)
            } else {
                Err(format!(
                    "the parsers built different trees for\n{src}\n--- fast\n{fast}\n--- pest\n{pest}"
                ))
            }
        }
        (Err(_), Some(_)) => Ok(Agreed::Invalid),
        (Err(GaveUp::TooDeep), None) => Ok(Agreed::TooDeep),
        (Ok(_), Some(diag)) => Err(format!(
            "the fast parser accepted a file pest reports ({} {} at {}):\n{src}",
            diag.code, diag.message, diag.primary.span.start
        )),
        (Err(GaveUp::Text), None) => Err(format!(
            "the fast parser gave up on a file pest parses cleanly:\n{src}"
        )),
    }
}

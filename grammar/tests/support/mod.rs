//! The formatter's promises as one check, shared by the property tests, the regression
//! tests and the fuzz target (which includes this file by path).

use fluxo_grammar::{format, parse, FileId};

/// Formats `src` and checks that the result parses to the same tree, keeps every comment
/// in order, and formats to itself. `Ok(None)` when `src` has syntax errors (nothing to
/// check), `Ok(Some(formatted))` when every promise holds, `Err` saying which one broke.
pub fn check_round_trip(src: &str) -> Result<Option<String>, String> {
    let parsed = parse(FileId(0), src);
    if parsed.diagnostics.iter().any(|d| d.is_error()) {
        return Ok(None);
    }
    let once = format(&parsed.file, &parsed.comments, src);
    let reparsed = parse(FileId(0), &once);
    if let Some(diag) = reparsed.diagnostics.first() {
        return Err(format!(
            "formatted text does not parse: {} {}\n{once}",
            diag.code, diag.message
        ));
    }
    if reparsed.file != parsed.file {
        return Err(format!(
            "formatting changed the tree:\n{once}\nwas {:#?}\nnow {:#?}",
            parsed.file, reparsed.file
        ));
    }
    let texts = |comments: &[fluxo_grammar::Comment]| {
        comments.iter().map(|c| c.text.clone()).collect::<Vec<_>>()
    };
    if texts(&reparsed.comments) != texts(&parsed.comments) {
        return Err(format!(
            "formatting lost or reordered comments:\n{once}\nwas {:?}\nnow {:?}",
            texts(&parsed.comments),
            texts(&reparsed.comments)
        ));
    }
    let twice = format(&reparsed.file, &reparsed.comments, &once);
    if twice != once {
        return Err(format!(
            "formatting is not idempotent:\n--- once\n{once}\n--- twice\n{twice}"
        ));
    }
    Ok(Some(once))
}

//! Inputs that once broke the formatter's promises (found by hand or by `cargo fuzz`),
//! kept so they stay fixed: every `tests/regressions/*.flow` must parse cleanly and
//! round-trip (same tree, same comments, idempotent).

mod support;

#[test]
fn regressions_round_trip() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions");
    let mut n_cases = 0;
    for entry in std::fs::read_dir(dir).expect("the regressions folder") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "flow") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("a UTF-8 case");
        match support::check_round_trip(&src) {
            Ok(Some(_)) => n_cases += 1,
            Ok(None) => panic!("{} does not parse", path.display()),
            Err(broken) => panic!("{}: {broken}", path.display()),
        }
    }
    assert!(n_cases > 0);
}

/// Pest lets a rule that ends in `x?` swallow the comment after it; the arm's span once
/// covered `// arm trail`, and the formatter moved the comment to its own line.
#[test]
fn trailing_comment_after_an_arm_stays_on_its_line() {
    let src = "flow a {\n    ask \"q\" choice {\n        \"a\" => end // arm trail\n    }\n}\n";
    assert_eq!(support::check_round_trip(src), Ok(Some(src.to_string())));
}

/// A comment inside an expression moves to the end of the statement's line.
#[test]
fn comment_inside_an_expression_ends_the_line() {
    let src = "flow a {\n    set x = 1 + // weird\n        2\n}\n";
    let want = "flow a {\n    set x = 1 + 2 // weird\n}\n";
    assert_eq!(support::check_round_trip(src), Ok(Some(want.to_string())));
}

/// A comment between `(` and the first argument once left the arguments on one line and
/// moved to the next line, one level out; formatting again moved it back in.
#[test]
fn comment_before_the_first_argument_breaks_the_arguments() {
    let src = "flow a {\n    if x {\n        erp.second_copy( // a\n            // b\n            retries: 3,\n        )\n    }\n}\n";
    assert_eq!(support::check_round_trip(src), Ok(Some(src.to_string())));
}

//! Syntax error snapshots: every `tests/data/diagnostics/syntax/*.flow` is checked as
//! `fluxo check` checks it (parser and checker) and its diagnostics rendered as the CLI
//! prints them (without colour). Adding a file adds a case; `cargo insta review` accepts
//! new output.
//!
//! Each case is one mistake in an otherwise valid program, so it must give exactly one
//! error (warnings aside): a second one is a recovery cascade. A case with several
//! mistakes says how many errors it expects on a line `// errors: N`.

use std::path::Path;

use fluxo_compiler::{render, Sources};

const CASES: &str = "tests/data/diagnostics/syntax";

fn rendered(path: &Path) -> (String, Vec<&'static str>) {
    let src = std::fs::read_to_string(path).expect("a readable case");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut sources = Sources::new();
    sources.add(name, src.clone());
    let checked = fluxo_compiler::check(&sources);
    let codes = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    let text = render::render_text(&sources, &checked.diagnostics, false);
    (
        format!("----- SOURCE\n{src}----- DIAGNOSTICS\n{text}"),
        codes,
    )
}

/// How many errors a case expects: its `// errors: N` line, or one.
fn expected_errors(path: &Path) -> usize {
    let src = std::fs::read_to_string(path).unwrap_or_default();
    src.lines()
        .find_map(|line| line.trim().strip_prefix("// errors: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

#[test]
fn syntax_diagnostics() {
    insta::with_settings!({
        snapshot_path => "data/diagnostics/syntax/snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::glob!("data/diagnostics/syntax/*.flow", |path| {
            let (text, codes) = rendered(path);
            insta::assert_snapshot!(text);
            assert!(
                codes.iter().any(|code| code.starts_with("E01")),
                "{} has no syntax error",
                path.display()
            );
            assert_eq!(
                codes.len(),
                expected_errors(path),
                "{}: one error per mistake, but it reports {codes:?}:\n{text}",
                path.display()
            );
        });
    });
}

/// Every syntax code has a case (named after it) that produces it, and a section in the
/// diagnostics reference.
#[test]
fn every_syntax_code_has_a_case_and_docs() {
    let docs = std::fs::read_to_string("docs/diagnostics.md").expect("docs/diagnostics.md");
    let cases: Vec<_> = std::fs::read_dir(CASES)
        .expect("the cases folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "flow"))
        .collect();
    for (code, _) in fluxo_grammar::SYNTAX_CODES {
        let prefix = code.to_lowercase();
        let produced = cases.iter().any(|path| {
            let named = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix));
            named && rendered(path).1.contains(code)
        });
        assert!(
            produced,
            "no case `{prefix}_*.flow` in {CASES} produces {code}"
        );
        assert!(
            docs.contains(&format!("\n## {code}:")) || docs.contains(&format!("\n## {code}\n")),
            "docs/diagnostics.md has no `## {code}` section"
        );
    }
}

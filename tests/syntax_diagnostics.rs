//! Syntax error snapshots: every `tests/data/diagnostics/syntax/*.flow` is parsed and its
//! diagnostics rendered as the CLI prints them (without colour). Adding a file adds a
//! case; `cargo insta review` accepts new output.

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
    let id = sources.add(name, src.clone());
    let parsed = fluxo_grammar::parse(id, &src);
    let codes = parsed.diagnostics.iter().map(|d| d.code).collect();
    let text = render::render_text(&sources, &parsed.diagnostics, false);
    (
        format!("----- SOURCE\n{src}----- DIAGNOSTICS\n{text}"),
        codes,
    )
}

#[test]
fn syntax_diagnostics() {
    insta::with_settings!({
        snapshot_path => "data/diagnostics/syntax/snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::glob!("data/diagnostics/syntax/*.flow", |path| {
            let (text, codes) = rendered(path);
            assert!(!codes.is_empty(), "{} has no syntax error", path.display());
            insta::assert_snapshot!(text);
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

//! The checker's diagnostics as data: every `tests/data/diagnostics/<area>/*.flow` is a
//! snapshot (source, then the rendered diagnostics without colour), every
//! `tests/data/check/ok/*.flow` must check without a diagnostic (the Low Code scripts a
//! case names are loaded as the CLI loads them), and every code of the
//! registry must have one example of each kind. `docs/diagnostics.md` is generated from
//! the registry and must be in step with it.

use std::path::Path;

use fluxo_compiler::{codes, render, Checked, Sources};

fn check_file(path: &Path) -> (Sources, Checked) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let name = path
        .strip_prefix(&data)
        .unwrap_or(path)
        .display()
        .to_string();
    let mut sources = Sources::new();
    sources.add(name, text);
    fluxo::files::load_scripts(&mut sources, |script| {
        std::fs::read_to_string(data.join(script))
    });
    let checked = fluxo_compiler::check(&sources);
    (sources, checked)
}

#[test]
fn diagnostics_snapshots() {
    insta::glob!(
        "data/diagnostics/{resolve,types,cards,flow}/*.flow",
        |path| {
            let (sources, checked) = check_file(path);
            let text = sources
                .iter()
                .next()
                .map(|it| it.text.clone())
                .unwrap_or_default();
            let rendered = render::render_text(&sources, &checked.diagnostics, false);
            assert!(
                !checked.diagnostics.is_empty(),
                "{} checks clean",
                path.display()
            );
            insta::assert_snapshot!(format!("----- SOURCE\n{text}----- DIAGNOSTICS\n{rendered}"));
        }
    );
}

#[test]
fn ok_programs_check_clean() {
    insta::glob!("data/check/ok/*.flow", |path| {
        let (sources, checked) = check_file(path);
        let rendered = render::render_text(&sources, &checked.diagnostics, false);
        assert!(
            checked.diagnostics.is_empty(),
            "{}:\n{rendered}",
            path.display()
        );
    });
}

/// Every checker code has a failing example that produces it and a passing example.
#[test]
fn every_code_has_a_failing_and_a_passing_example() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut missing = Vec::new();
    for entry in codes::all() {
        let Some(rule) = entry.rule else {
            continue;
        };
        let failing = data.join(format!("diagnostics/{}/{rule}.flow", entry.area()));
        if failing.exists() {
            let (_, checked) = check_file(&failing);
            if !checked.diagnostics.iter().any(|d| d.code == entry.code) {
                missing.push(format!(
                    "{}: {} does not report it",
                    entry.code,
                    failing.display()
                ));
            }
        } else {
            missing.push(format!(
                "{}: no failing example {}",
                entry.code,
                failing.display()
            ));
        }
        let passing = data.join(format!("check/ok/{rule}.flow"));
        if !passing.exists() {
            missing.push(format!(
                "{}: no passing example {}",
                entry.code,
                passing.display()
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn docs_diagnostics_md_is_generated_from_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let expected = codes::markdown();
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual != expected && std::env::var_os("FLUXO_BLESS").is_some_and(|it| it == "1") {
        std::fs::write(&path, &expected).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    assert!(
        actual == expected,
        "docs/diagnostics.md is stale: regenerate it with `./bless` (or `cargo run -- explain --all > docs/diagnostics.md`)"
    );
}

#[test]
fn every_diagnostic_has_a_registered_code() {
    insta::glob!(
        "data/diagnostics/{resolve,types,cards,flow}/*.flow",
        |path| {
            let (_, checked) = check_file(path);
            for diag in &checked.diagnostics {
                assert!(
                    codes::lookup(diag.code).is_some(),
                    "{} is not in the registry",
                    diag.code
                );
            }
        }
    );
}

//! Embeds the diagnostic examples of the test data in the `fluxo` binary, so that
//! `fluxo explain CODE` shows the code that fails and the code that passes: the same
//! files the checker's tests run (`tests/data/diagnostics/<area>/<rule>.flow` fails,
//! `tests/data/check/ok/<rule>.flow` passes), so an example cannot go stale.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let data = Path::new(&root).join("tests/data");
    let mut table = String::from("&[\n");
    for (folder, area) in [
        ("diagnostics/syntax", "syntax"),
        ("diagnostics/resolve", "resolve"),
        ("diagnostics/types", "types"),
        ("diagnostics/cards", "cards"),
        ("diagnostics/flow", "flow"),
        ("check/ok", "ok"),
    ] {
        let dir = data.join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|it| it.path())
            .filter(|it| it.extension().is_some_and(|ext| ext == "flow"))
            .collect();
        files.sort();
        for file in files {
            let stem = file.file_stem().and_then(|it| it.to_str()).unwrap_or("");
            let _ = writeln!(
                table,
                "    ({area:?}, {stem:?}, {:?}, include_str!({:?})),",
                format!("tests/data/{folder}/{stem}.flow"),
                file.display().to_string()
            );
        }
    }
    table.push_str("]\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("examples.rs");
    if let Err(err) = std::fs::write(&out, table) {
        panic!("cannot write {}: {err}", out.display());
    }
}

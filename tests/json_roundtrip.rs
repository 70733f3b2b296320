//! The Opa JSON frontend's round trips: every example program goes text → JSON → text
//! unchanged (as syntax trees, after formatting), and every corpus export goes
//! JSON → text → JSON unchanged (as JSON values); foreign and malformed JSON is refused.

use std::path::{Path, PathBuf};

use fluxo_compiler::json::{export, import, Imported};
use fluxo_grammar::ast::{File, Item, ItemKind};
use fluxo_grammar::{format, parse, FileId};
use serde_json::Value;

fn flow_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            flow_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "flow") {
            out.push(path);
        }
    }
}

fn parse_ok(text: &str, what: &str) -> File {
    let parsed = parse(FileId(0), text);
    let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not parse: {errors:?}\n{text}"
    );
    parsed.file
}

/// The order import writes items in: declarations by kind, then flows.
fn rank(item: &Item) -> u8 {
    use fluxo_grammar::ast::EntityKind::*;
    match &item.kind {
        ItemKind::Erp(_) => 0,
        ItemKind::Entity(e) => match e.kind {
            Department => 1,
            Tag => 3,
            Group => 4,
            Branch => 5,
            Template => 6,
            Agent => 7,
        },
        ItemKind::Attendant(_) => 2,
        ItemKind::Period(_) => 8,
        ItemKind::Script(_) => 9,
        ItemKind::Flow(_) => 10,
    }
}

/// The imported program as the CLI writes it (formatted files), parsed back.
fn reparsed(imported: &Imported) -> Vec<Item> {
    let mut items = Vec::new();
    let files =
        std::iter::once(&imported.declarations).chain(imported.flows.iter().map(|(_, f)| f));
    for file in files {
        let text = format(file, &[], "");
        items.extend(parse_ok(&text, "imported text").items);
    }
    items
}

fn text_round_trip(files: &[File]) {
    let json = export(files).expect("export");
    let imported = import(&json).expect("import");
    assert_eq!(imported.warnings, vec![], "an example gives no warnings");
    let mut original: Vec<Item> = files.iter().flat_map(|f| f.items.clone()).collect();
    original.sort_by_key(rank);
    let back = reparsed(&imported);
    assert_eq!(back.len(), original.len());
    for (a, b) in original.iter().zip(&back) {
        let text = |item: &Item| {
            format(
                &File {
                    items: vec![item.clone()],
                },
                &[],
                "",
            )
        };
        assert_eq!(text(a), text(b));
        assert_eq!(a, b);
    }
    // And the JSON of the text read back is the same JSON.
    let again = export(&[File { items: back }]).expect("export again");
    let (a, b): (Value, Value) = (
        serde_json::from_str(&json).unwrap(),
        serde_json::from_str(&again).unwrap(),
    );
    assert_eq!(a, b);
}

#[test]
fn examples_round_trip_through_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut programs = Vec::new();
    for dir in ["examples", "tests/data/check/ok"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let mut found = Vec::new();
            flow_files(&entry.path(), &mut found);
            if entry.path().is_file() && entry.path().extension().is_some_and(|e| e == "flow") {
                found.push(entry.path());
            }
            found.sort();
            if !found.is_empty() {
                programs.push(found);
            }
        }
    }
    assert!(!programs.is_empty(), "no example programs found");
    for program in programs {
        let files: Vec<File> = program
            .iter()
            .map(|p| {
                parse_ok(
                    &std::fs::read_to_string(p).unwrap(),
                    &p.display().to_string(),
                )
            })
            .collect();
        text_round_trip(&files);
    }
}

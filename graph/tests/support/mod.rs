//! Loading the programs the tests draw: the example and the small cases under
//! `tests/data`, checked as `fluxo graph` checks them (scripts included).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use fluxo_compiler::Sources;
use fluxo_graph::Graph;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The program in `dir` (every `.flow` file in it, sorted), or the one file `path`,
/// named relative to the repository so that pictures do not depend on where it is.
pub fn load(path: &Path) -> Sources {
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|it| it.unwrap().path())
            .filter(|it| it.extension().is_some_and(|ext| ext == "flow"))
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    let mut sources = Sources::new();
    for file in &files {
        let name = file.strip_prefix(root()).unwrap_or(file);
        sources.add(
            name.display().to_string(),
            std::fs::read_to_string(file).unwrap(),
        );
    }
    for wanted in fluxo_compiler::wanted_scripts(&sources) {
        let text = std::fs::read_to_string(root().join(&wanted.resolved)).unwrap();
        let name = wanted.resolved.display().to_string();
        sources.add_script(wanted.from, &wanted.path, name, text);
    }
    sources
}

/// The graph of the program at `path` (relative to the repository).
pub fn graph(path: &str) -> Graph {
    let sources = load(&root().join(path));
    let checked = fluxo_compiler::check(&sources);
    fluxo_graph::graph(&checked, &sources)
}

/// The example's flows by name.
pub fn provedor() -> Graph {
    graph("examples/provedor")
}

/// The small cases, by file stem.
pub const CASES: &[&str] = &[
    "menu",
    "confirm",
    "when_arms",
    "fail_paths",
    "goto_flows",
    "dead_end",
    "unreachable",
    "waitless_loop",
];

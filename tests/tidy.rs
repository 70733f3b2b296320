//! The code map checks itself: ARCHITECTURE.md's crate boundaries and house rules,
//! as tests, so that one line in a `Cargo.toml` cannot pull an HTTP stack into the
//! pure compiler unnoticed (it once did).
//!
//! - each crate depends only on the crates of ours it may (normal dependencies; tests
//!   and benches may use more), and the pure crates pull in no I/O stack at any depth;
//! - every Rust source file opens with a `//!` doc saying what it owns;
//! - no source file is longer than [`MAX_LINES`] unless [`LONG_FILES`] says why;
//! - the core crates' code outside tests has no `.unwrap()` or `.expect(`: a panic there
//!   is a crash on a customer's message (clippy's `unwrap_used`/`expect_used` say the
//!   same to whoever runs clippy; this test is what CI enforces).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Which crates of ours each crate may depend on (normal dependencies).
const ALLOWED_EDGES: &[(&str, &[&str])] = &[
    ("fluxo-grammar", &[]),
    ("fluxo-stdlib", &[]),
    ("fluxo-lowcode", &[]),
    // It reads files and knows nothing of the language.
    ("fluxo-files", &[]),
    ("fluxo-runtime", &["fluxo-stdlib"]),
    (
        "fluxo-compiler",
        &[
            "fluxo-grammar",
            "fluxo-stdlib",
            "fluxo-runtime",
            "fluxo-lowcode",
        ],
    ),
    (
        "fluxo-host",
        &["fluxo-stdlib", "fluxo-runtime", "fluxo-lowcode"],
    ),
    (
        "fluxo-server",
        &["fluxo-stdlib", "fluxo-runtime", "fluxo-host"],
    ),
    (
        "fluxo-bench",
        &[
            "fluxo-grammar",
            "fluxo-stdlib",
            "fluxo-compiler",
            "fluxo-runtime",
        ],
    ),
    // The language server reads the front end only: never the host, the server or tokio.
    // Its workspace's files are read as the CLI reads them (`fluxo-files`).
    (
        "fluxo-lsp",
        &[
            "fluxo-grammar",
            "fluxo-stdlib",
            "fluxo-compiler",
            "fluxo-files",
        ],
    ),
    // It drives `fluxo serve` and `fluxo run` as processes, through HTTP and pipes;
    // the stdlib's validator makes its fixture's documents.
    ("fluxo-loadtest", &["fluxo-stdlib"]),
    // It draws checked programs: the compiler's results and the catalogue's cards.
    (
        "fluxo-graph",
        &["fluxo-grammar", "fluxo-stdlib", "fluxo-compiler"],
    ),
    (
        "fluxo",
        &[
            "fluxo-grammar",
            "fluxo-stdlib",
            "fluxo-compiler",
            "fluxo-runtime",
            "fluxo-lowcode",
            "fluxo-host",
            "fluxo-server",
            "fluxo-lsp",
            "fluxo-graph",
            "fluxo-files",
        ],
    ),
];

/// Packages that do I/O (an async runtime, HTTP, TLS) or run scripts or parse HTML.
const IO_STACK: &[&str] = &[
    "tokio",
    "mio",
    "hyper",
    "reqwest",
    "rustls",
    "ring",
    "h2",
    "rhai",
    "html5ever",
    "scraper",
];

/// Crates that must not reach [`IO_STACK`] at any depth, with what they may keep.
/// The compiler checks a Low Code script's syntax with Rhai's parser (`fluxo-lowcode`).
const PURE: &[(&str, &[&str])] = &[
    ("fluxo-grammar", &[]),
    // Blocking reads of local files only: no async runtime, no network.
    ("fluxo-files", &[]),
    ("fluxo-stdlib", &[]),
    ("fluxo-runtime", &[]),
    ("fluxo-lowcode", &["rhai"]),
    ("fluxo-compiler", &["rhai"]),
    ("fluxo-lsp", &["rhai"]),
    ("fluxo-graph", &["rhai"]),
];

/// The crates whose code outside tests may not unwrap.
const CORE_SOURCES: &[&str] = &[
    "grammar/src",
    "stdlib/src",
    "lowcode/src",
    "runtime/src",
    "compiler/src",
    "lsp/src",
    "host/src",
    "server/src",
    "loadtest/src",
    "graph/src",
    "files/src",
];

/// Where the Rust sources of the repository are.
const SOURCE_DIRS: &[&str] = &[
    "grammar", "stdlib", "lowcode", "runtime", "compiler", "host", "server", "src", "tests",
    "benches", "bench", "fuzz", "loadtest", "graph", "files",
];

const MAX_LINES: usize = 600;

/// Files allowed past [`MAX_LINES`], and why splitting them would not help a reader.
const LONG_FILES: &[(&str, &str)] = &[
    (
        "compiler/src/json/fields.rs",
        "how every part of a card's syntax travels in Opa JSON, both ways; each pair of \
         directions is read together",
    ),
    (
        "compiler/src/json/import.rs",
        "the import walk over the Opa graph; its stages share one state",
    ),
    (
        "grammar/src/ast.rs",
        "the whole syntax tree in one file, the reference every pass reads",
    ),
    (
        "host/tests/erp_simulated.rs",
        "one scenario per action of the simulated ERP against one fixture",
    ),
];

/// Module fences inside a crate: no file below the folder may name these paths. They
/// keep data flowing one way where the compiler would accept a cycle.
const FENCES: &[(&str, &[&str], &str)] = &[
    (
        "runtime/src/session",
        &["crate::vm"],
        "a session is plain data; the VM runs it (vm/turn.rs defines start and resume)",
    ),
    (
        "runtime/src/bytecode",
        &["crate::vm", "crate::session"],
        "the bytecode format knows nothing of running it",
    ),
    (
        "runtime/src/erp",
        &["crate::vm", "crate::session", "crate::bytecode"],
        "the ERP vocabulary is plain data the host shares",
    ),
    (
        "grammar/src/descent",
        &["crate::pest_path", "crate::parse"],
        "the fast parser shares only literal decoding and keywords with the pest path",
    ),
    (
        "grammar/src/pest_path",
        &["crate::descent"],
        "the pest path does not lean on the fast parser it checks",
    ),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The platform the tests run on, as `rustc -vV` names it.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

/// `cargo metadata`: the workspace's packages and resolved dependency graph, for this
/// platform only: offline, it can describe only packages that `cargo test` downloaded.
fn metadata() -> Value {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &host_triple()])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

/// Each package's name and its normal dependencies (by package id), by package id.
struct Graph {
    names: BTreeMap<String, String>,
    normal: BTreeMap<String, Vec<String>>,
    members: Vec<String>,
}

impl Graph {
    fn load() -> Graph {
        let meta = metadata();
        let mut names = BTreeMap::new();
        for package in meta["packages"].as_array().expect("packages") {
            let id = package["id"].as_str().expect("id").to_string();
            names.insert(id, package["name"].as_str().expect("name").to_string());
        }
        let mut normal = BTreeMap::new();
        for node in meta["resolve"]["nodes"].as_array().expect("resolve") {
            let deps = node["deps"].as_array().expect("deps");
            let ids = deps
                .iter()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .expect("dep_kinds")
                        .iter()
                        .any(|kind| kind["kind"].is_null())
                })
                .map(|dep| dep["pkg"].as_str().expect("pkg").to_string())
                .collect();
            normal.insert(node["id"].as_str().expect("id").to_string(), ids);
        }
        let members = meta["workspace_members"]
            .as_array()
            .expect("members")
            .iter()
            .map(|it| it.as_str().expect("member").to_string())
            .collect();
        Graph {
            names,
            normal,
            members,
        }
    }

    fn id(&self, name: &str) -> &str {
        self.members
            .iter()
            .find(|id| self.names[*id] == name)
            .unwrap_or_else(|| panic!("{name} is not a workspace member"))
    }

    fn direct(&self, id: &str) -> BTreeSet<&str> {
        self.normal[id]
            .iter()
            .map(|dep| self.names[dep].as_str())
            .collect()
    }

    /// Every package `id` needs to build, by name, with the path it is reached by.
    fn closure(&self, id: &str) -> BTreeMap<&str, Vec<&str>> {
        let mut seen: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut stack = vec![(id, vec![self.names[id].as_str()])];
        let mut visited = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            if !visited.insert(at) {
                continue;
            }
            for dep in &self.normal[at] {
                let name = self.names[dep].as_str();
                let mut next = path.clone();
                next.push(name);
                seen.entry(name).or_insert_with(|| next.clone());
                stack.push((dep.as_str(), next));
            }
        }
        seen
    }
}

/// The problems of the dependency graph: edges between our crates that the code map
/// does not allow, and I/O packages reached by a pure crate.
fn dependency_problems(graph: &Graph) -> Vec<String> {
    let mut problems = Vec::new();
    for member in &graph.members {
        let name = graph.names[member].as_str();
        let Some((_, allowed)) = ALLOWED_EDGES.iter().find(|(it, _)| *it == name) else {
            problems.push(format!("{name}: a new crate; add it to ALLOWED_EDGES"));
            continue;
        };
        for dep in graph.direct(member) {
            let ours = graph.members.iter().any(|id| graph.names[id] == dep);
            if ours && !allowed.contains(&dep) {
                problems.push(format!("{name} may not depend on {dep}"));
            }
        }
    }
    for (name, keep) in PURE {
        for (dep, path) in graph.closure(graph.id(name)) {
            if IO_STACK.contains(&dep) && !keep.contains(&dep) {
                problems.push(format!(
                    "{name} is pure but reaches {dep}: {}",
                    path.join(" -> ")
                ));
            }
        }
    }
    problems
}

#[test]
fn crates_depend_only_as_the_code_map_allows() {
    let graph = Graph::load();
    let problems = dependency_problems(&graph);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `.rs` file below the source folders, relative to the root, skipping build
/// output.
fn rust_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != "corpus" && name != "artifacts" {
                    walk(&path, found);
                }
            } else if path.extension().is_some_and(|it| it == "rs") {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    for dir in SOURCE_DIRS {
        walk(&root().join(dir), &mut found);
    }
    found.sort();
    found
        .into_iter()
        .map(|it| it.strip_prefix(root()).map(Path::to_path_buf).unwrap_or(it))
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let undocumented: Vec<String> = rust_files()
        .into_iter()
        .filter(|path| !read(path).starts_with("//!"))
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        undocumented.is_empty(),
        "these files do not open with a `//!` doc saying what they own:\n{}",
        undocumented.join("\n")
    );
}

#[test]
fn source_files_stay_short_or_say_why() {
    let mut problems = Vec::new();
    let files = rust_files();
    for path in &files {
        let lines = read(path).lines().count();
        let key = path.to_string_lossy().replace('\\', "/");
        let excepted = LONG_FILES.iter().any(|(it, _)| *it == key);
        if lines > MAX_LINES && !excepted {
            problems.push(format!(
                "{key}: {lines} lines (at most {MAX_LINES}; split it, or add it to LONG_FILES with the reason)"
            ));
        }
        if lines <= MAX_LINES && excepted {
            problems.push(format!("{key}: {lines} lines; remove it from LONG_FILES"));
        }
    }
    for (listed, _) in LONG_FILES {
        if !files
            .iter()
            .any(|it| it.to_string_lossy().replace('\\', "/") == *listed)
        {
            problems.push(format!("{listed}: listed in LONG_FILES but gone"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The lines of `text` before its tests (`#[cfg(test)]` starts the test module, which
/// comes last in a file) that unwrap, with their line numbers.
fn unwraps(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .filter(|(_, line)| {
            let code = line.trim_start();
            !code.starts_with("//") && (code.contains(".unwrap()") || code.contains(".expect("))
        })
        .map(|(n, line)| (n + 1, line.trim()))
        .collect()
}

#[test]
fn core_crates_do_not_unwrap_outside_tests() {
    let mut problems = Vec::new();
    for path in rust_files() {
        let key = path.to_string_lossy().replace('\\', "/");
        // A `tests.rs` is a test module (`#[cfg(test)] mod tests;`) in a file of its own.
        let test_module = path.file_name().is_some_and(|it| it == "tests.rs");
        if test_module || !CORE_SOURCES.iter().any(|dir| key.starts_with(dir)) {
            continue;
        }
        let text = read(&path);
        for (line, code) in unwraps(&text) {
            problems.push(format!("{key}:{line}: {code}"));
        }
    }
    assert!(
        problems.is_empty(),
        "a panic here is a crash on a customer's message; handle the error:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_unwrap_scan_sees_code_and_skips_tests_and_comments() {
    let text = "fn a() { x.unwrap() }\n// y.unwrap()\nfn b() { z.expect(\"no\") }\n\
                #[cfg(test)]\nmod tests { fn c() { w.unwrap() } }\n";
    assert_eq!(
        unwraps(text),
        [
            (1, "fn a() { x.unwrap() }"),
            (3, "fn b() { z.expect(\"no\") }")
        ]
    );
}

#[test]
fn modules_stay_inside_their_fences() {
    let mut problems = Vec::new();
    for path in rust_files() {
        let key = path.to_string_lossy().replace('\\', "/");
        for (folder, forbidden, why) in FENCES {
            if !key.starts_with(folder) {
                continue;
            }
            for (n, line) in read(&path).lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                if let Some(name) = forbidden.iter().find(|it| code.contains(*it)) {
                    problems.push(format!("{key}:{}: names {name} ({why})", n + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

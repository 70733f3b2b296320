//! The VS Code extension (`editors/vscode/`) built as its users build it: `npm ci` in a
//! copy under the target directory, the TextMate grammar's own tests
//! (`vscode-tmgrammar-test`, tokens of every construct), and `vsce package`.
//!
//! It needs Node.js and npm (and the npm registry). Without them it fails and says how
//! to install them; `FLUXO_SKIP_EDITOR_TESTS=1` skips it explicitly, never silently.

use std::path::{Path, PathBuf};
use std::process::Command;

const SKIP: &str = "FLUXO_SKIP_EDITOR_TESTS";

#[test]
fn the_vscode_extension_builds_tests_and_packages() {
    if std::env::var_os(SKIP).is_some_and(|it| it == "1") {
        eprintln!("{SKIP}=1: the VS Code extension is not built or tested");
        return;
    }
    let npm = Command::new("npm").arg("--version").output();
    if !npm.is_ok_and(|it| it.status.success()) {
        panic!(
            "npm is not installed: the editor tests need Node.js 20 and npm \
             (Debian: `apt-get install -y nodejs npm`), or set {SKIP}=1 to skip them"
        );
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let copy = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("editors-vscode");
    let _ = std::fs::remove_dir_all(&copy);
    copy_tree(&source, &copy);
    run(&copy, "npm", &["ci", "--no-audit", "--no-fund"]);
    let tested = run(&copy, "npm", &["test"]);
    for file in ["items.test.flow", "flows.test.flow"] {
        assert!(
            tested.contains(&format!("✓ test/{file}")),
            "{file} ran: {tested}"
        );
    }
    run(&copy, "npx", &["vsce", "package", "--out", "fluxo.vsix"]);
    let vsix = std::fs::read(copy.join("fluxo.vsix")).expect("vsce wrote fluxo.vsix");
    // A .vsix is a zip archive holding the grammar and the client.
    assert!(vsix.starts_with(b"PK"));
    for name in [
        "extension/syntaxes/fluxo.tmLanguage.json",
        "extension/extension.js",
    ] {
        let found = vsix.windows(name.len()).any(|it| it == name.as_bytes());
        assert!(found, "{name} is in the package");
    }
}

/// Runs `program` in `dir`; its standard output, or a failure with all it printed.
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} {args:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Copies the extension's sources, not what a local `npm install` left beside them.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "node_modules" || name.to_string_lossy().ends_with(".vsix") {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

//! `fluxo graph` driven as a process: the format from `--format` or `-o`'s extension,
//! one flow or all, `--diff OLD NEW`, and its exit codes (a picture is drawn even for a
//! program with errors, which exits 1; usage errors exit 2).

use std::path::PathBuf;
use std::process::Output;

#[path = "support/process.rs"]
mod process;
use process::fluxo_in;

fn fluxo(args: &[&str]) -> Output {
    fluxo_in(&PathBuf::from(env!("CARGO_MANIFEST_DIR")), args, "")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxo-graph-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

#[test]
fn one_flow_as_mermaid_on_stdout() {
    let out = fluxo(&[
        "graph",
        "examples/provedor",
        "--flow",
        "main",
        "--format",
        "mermaid",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mermaid = text(&out.stdout);
    assert!(mermaid.starts_with("flowchart TD\n"), "{mermaid}");
    assert!(mermaid.contains("Como podemos ajudar?") && mermaid.contains("|\"Financeiro\"|"));
    assert!(!mermaid.contains("flow suporte"), "only the flow asked for");
}

#[test]
fn the_format_follows_the_output_file_extension() {
    let dir = scratch("formats");
    for (file, starts) in [
        ("all.svg", &b"<svg"[..]),
        ("all.png", &b"\x89PNG"[..]),
        ("all.dot", &b"digraph fluxo"[..]),
        ("all.mmd", &b"flowchart TD"[..]),
    ] {
        let path = dir.join(file);
        let out = fluxo(&["graph", "examples/provedor", "-o", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out.stderr));
        let bytes = std::fs::read(&path).expect("the picture is written");
        assert!(bytes.starts_with(starts), "{file}");
    }
}

#[test]
fn an_unknown_flow_or_a_diff_without_two_programs_is_a_usage_error() {
    let out = fluxo(&["graph", "examples/provedor", "--flow", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("there is no flow `nope`; the flows are: comercial, contas,"),
        "{}",
        text(&out.stderr)
    );
    let out = fluxo(&["graph", "--diff", "examples/provedor"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--diff takes two programs"));
}

#[test]
fn a_diff_colours_what_changed() {
    let out = fluxo(&[
        "graph",
        "--diff",
        "graph/tests/data/diff/old",
        "graph/tests/data/diff/new",
        "--format",
        "dot",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    for change in ["+ added", "~ changed", "− removed"] {
        assert!(dot.contains(change), "{change} in {dot}");
    }
}

#[test]
fn a_program_with_errors_is_drawn_with_its_marks_and_exits_1() {
    let out = fluxo(&[
        "graph",
        "graph/tests/data/waitless_loop.flow",
        "--format",
        "mermaid",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("|\"⚠ goto inicio\"|"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("1 error, 0 warnings"),
        "{}",
        text(&out.stderr)
    );
}

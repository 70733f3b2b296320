//! The formatter end to end: golden files (`tests/data/fmt/<case>.unformatted` must
//! format to `<case>.flow`, which must format to itself) and the `fluxo fmt` command's
//! behaviour (rewriting, `--check`, files with syntax errors, exit codes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fluxo_grammar::{format_source, FileId};

const CASES: &str = "tests/data/fmt";

#[test]
fn golden_files() {
    let mut n_cases = 0;
    for entry in std::fs::read_dir(CASES).expect("the fmt cases folder") {
        let input = entry.expect("a directory entry").path();
        if input.extension().is_none_or(|e| e != "unformatted") {
            continue;
        }
        let expected_path = input.with_extension("flow");
        let src = std::fs::read_to_string(&input).expect("a readable input");
        let expected =
            std::fs::read_to_string(&expected_path).expect("the expected output beside the input");
        let formatted = format_source(FileId(0), &src).expect("the input parses");
        assert_eq!(
            formatted,
            expected,
            "{} formats differently from {}",
            input.display(),
            expected_path.display()
        );
        let again = format_source(FileId(0), &expected).expect("the output parses");
        assert_eq!(again, expected, "{} is not stable", expected_path.display());
        n_cases += 1;
    }
    assert!(n_cases >= 2);
}

/// A scratch folder of its own for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxo-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nested")).expect("a scratch folder");
    dir
}

fn fluxo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("fluxo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(path: &Path, content: &str) {
    std::fs::write(path, content).expect("a writable scratch file");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("a readable scratch file")
}

const MESSY: &str = "flow main {\nsay \"Olá\"\n  end }\n";
const TIDY: &str = "flow main {\n    say \"Olá\"\n    end\n}\n";

#[test]
fn check_lists_files_that_differ_and_rewrites_nothing() {
    let dir = scratch("check");
    let messy = dir.join("nested/messy.flow");
    let tidy = dir.join("tidy.flow");
    write(&messy, MESSY);
    write(&tidy, TIDY);
    let out = fluxo(&["fmt", "--check", dir.to_str().expect("a UTF-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let listed = text(&out.stdout);
    assert!(
        listed.contains("messy.flow") && !listed.contains("tidy.flow"),
        "{listed}"
    );
    assert_eq!(read(&messy), MESSY);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_rewrites_in_place_then_check_passes() {
    let dir = scratch("rewrite");
    let messy = dir.join("nested/messy.flow");
    write(&messy, MESSY);
    let out = fluxo(&["fmt", dir.to_str().expect("a UTF-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(read(&messy), TIDY);
    let out = fluxo(&["fmt", "--check", messy.to_str().expect("a UTF-8 path")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_with_syntax_errors_is_reported_and_left_alone() {
    let dir = scratch("broken");
    let broken = dir.join("broken.flow");
    let messy = dir.join("messy.flow");
    let src = "flow main {\n  say \"Olá\n}\n";
    write(&broken, src);
    write(&messy, MESSY);
    let out = fluxo(&["fmt", dir.to_str().expect("a UTF-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let errors = text(&out.stderr);
    assert!(
        errors.contains("error[E0102]") && errors.contains("broken.flow:2:"),
        "{errors}"
    );
    assert_eq!(read(&broken), src);
    assert_eq!(read(&messy), TIDY, "the good file is still formatted");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn io_and_usage_errors_exit_with_2() {
    let out = fluxo(&["fmt", "/no/such/place.flow"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no such file or directory"));
    let out = fluxo(&["fmt", "--no-such-flag", "x.flow"]);
    assert_eq!(out.status.code(), Some(2));
    let out = fluxo(&["fmt", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("--check"));
}

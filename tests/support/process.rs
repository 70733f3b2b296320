//! Running the `fluxo` binary as a user does, for the CLI tests: arguments, a folder,
//! standard input, no colour.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `fluxo` in `dir` with `stdin`, without colour.
pub fn fluxo_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fluxo runs");
    let mut input = child.stdin.take().expect("a stdin pipe");
    input.write_all(stdin.as_bytes()).expect("stdin is written");
    drop(input);
    child.wait_with_output().expect("fluxo ends")
}

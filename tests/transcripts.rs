//! Runs every `.chat` transcript of the example and of `tests/data/flows/` through
//! `fluxo test`, and checks that a transcript that does not match fails with a diff.

use std::path::Path;
use std::process::Command;

fn fluxo_test(paths: &[&Path]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("test")
        .args(paths)
        .output()
        .expect("the fluxo binary runs");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn every_transcript_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (ok, text) = fluxo_test(&[
        &root.join("examples/provedor"),
        &root.join("tests/data/flows"),
    ]);
    assert!(ok, "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

#[test]
fn a_mismatch_fails_with_a_diff() {
    let dir = std::env::temp_dir().join(format!("fluxo-transcripts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("oi.flow"),
        "flow main {\n    say \"Olá!\"\n    end\n}\n",
    )
    .expect("flow");
    std::fs::write(dir.join("errado.chat"), "< Oi!\n= end\n").expect("chat");
    let (ok, text) = fluxo_test(&[&dir.join("errado.chat")]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(!ok, "{text}");
    assert!(
        text.contains("- < Oi!") && text.contains("+ < Olá!"),
        "{text}"
    );
    assert!(text.contains("0 passed, 1 failed"), "{text}");
}

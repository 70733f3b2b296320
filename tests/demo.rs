//! The demo a newcomer runs first, `fluxo run examples/provedor`, driven as a process
//! through a pipe: the banner, the Low Code path answered by the simulated world with
//! no setup, runtime notes kept off the conversation, untrusted text sanitised, a
//! missing fixture refused, and the session written as a transcript (piped output and
//! `--record`) that `fluxo test` replays.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/process.rs"]
mod process;
use process::fluxo_in;

fn fluxo(args: &[&str], stdin: &str) -> Output {
    fluxo_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, stdin)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxo-demo-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// The example's program (flows and scripts), without its fixtures.
fn copy_program(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor");
    for entry in std::fs::read_dir(&from).expect("the example") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|it| it == "flow") {
            std::fs::copy(&path, to.join(path.file_name().expect("a name"))).expect("copy");
        }
    }
    std::fs::create_dir_all(to.join("scripts")).expect("a folder");
    std::fs::copy(
        from.join("scripts/sinal.rhai"),
        to.join("scripts/sinal.rhai"),
    )
    .expect("copy");
}

/// Opt in, support, the first contract, "no connection": the signal is read by the
/// Low Code script.
const TO_THE_SIGNAL: &str = "1\n2\n1\n1\n";

#[test]
fn the_demo_opens_with_a_banner_and_reads_the_signal_with_no_setup() {
    let out = fluxo(&["run", "examples/provedor"], TO_THE_SIGNAL);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Piped, the banner goes to stderr: stdout holds only the conversation.
    let banner: Vec<&str> = stderr
        .lines()
        .take_while(|it| it.starts_with("//"))
        .collect();
    let banner = banner.join("\n");
    for part in [
        "contact: Ana (+5548999990000)",
        "channel: whatsapp",
        "clock: 2026-11-23T10:00:00-03:00",
        "ERP: simulated, fixture examples/provedor/erp-demo.json",
        "Low Code: simulated world, fixture examples/provedor/lowcode-demo.json",
        "Ctrl-D",
    ] {
        assert!(
            banner.contains(part),
            "`{part}` not in the banner:\n{banner}"
        );
    }
    assert!(
        stdout.contains("= lowcode sinal\n< Seu sinal está bom (-19,5 dBm)."),
        "{stdout}"
    );
    assert!(!stderr.contains("not a valid URL"), "{stderr}");
}

#[test]
fn piped_output_and_record_are_transcripts_that_test_replays() {
    let dir = scratch("record");
    let recorded = dir.join("sessao.chat");
    let out = fluxo(
        &[
            "run",
            "examples/provedor",
            "--record",
            recorded.to_str().expect("a UTF-8 path"),
        ],
        TO_THE_SIGNAL,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor");
    let piped = dir.join("piped.chat");
    let header = format!("@program \"{}\"\n", program.display());
    std::fs::write(&piped, header + &text(&out.stdout)).expect("write");
    let test = fluxo(
        &[
            "test",
            recorded.to_str().expect("a UTF-8 path"),
            piped.to_str().expect("a UTF-8 path"),
        ],
        "",
    );
    assert_eq!(test.status.code(), Some(0), "{}", text(&test.stdout));
    assert!(text(&test.stdout).contains("2 passed, 0 failed"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn control_and_escape_characters_do_not_reach_the_terminal() {
    let out = fluxo(
        &["run", "examples/provedor"],
        "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}oi\n",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'));
    assert!(
        stdout.contains("> \\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{202e}oi"),
        "{stdout}"
    );
}

#[test]
fn a_missing_fixture_is_an_error_and_notes_stay_off_the_conversation() {
    let dir = scratch("fixture");
    copy_program(&dir);
    let path = dir.to_str().expect("a UTF-8 path");
    let out = fluxo(&["run", path], TO_THE_SIGNAL);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the program calls an ERP but there is no fixture"),
        "{}",
        text(&out.stderr)
    );
    let missing = fluxo(&["run", path, "--fixture", "nowhere.json"], "");
    assert_eq!(missing.status.code(), Some(2));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor/erp-demo.json");
    std::fs::copy(fixture, dir.join("erp-demo.json")).expect("copy");
    std::fs::write(
        dir.join("lowcode-demo.json"),
        r#"{"scripts": {"sinal": [{"error": "portal fora do ar"}]}}"#,
    )
    .expect("write");
    let out = fluxo(&["run", path], TO_THE_SIGNAL);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("note: lowcode `sinal` (simulated): portal fora do ar"),
        "{stderr}"
    );
    assert!(!stdout.contains("portal fora do ar"), "{stdout}");
    assert!(
        stdout.contains("< Não conseguimos consultar o sinal agora."),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), the prompt is a line
/// editor with history: the up arrow brings back the last message.
#[test]
fn on_a_terminal_the_prompt_has_history() {
    let keys = "(sleep 3; printf '1\\r'; sleep 3; printf '\\033[A\\r'; sleep 3; printf '\\004')";
    let command = format!(
        "{keys} | script -qfec '{} run examples/provedor' /dev/null",
        env!("CARGO_BIN_EXE_fluxo")
    );
    let out = Command::new("sh")
        .args(["-c", &command])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("sh runs");
    let screen = text(&out.stdout);
    assert!(
        screen.contains("O que você precisa?"),
        "the recalled `1` did not choose Financeiro:\n{screen}"
    );
    assert!(
        screen.contains("\u{1b}[1;32m┃"),
        "no message blocks:\n{screen}"
    );
}

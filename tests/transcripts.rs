//! Runs every `.chat` transcript of the example and of `tests/data/flows/` through
//! `fluxo test`, checks that a transcript that does not match fails with a diff, and
//! that every card of the catalogue is in the program of some transcript.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use fluxo_compiler::{compile as compile_sources, CompileOptions, Sources};
use fluxo_runtime::bytecode::{Op, Program};
use fluxo_stdlib::catalogue::cards;

fn fluxo_test(paths: &[&Path]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("test")
        .args(paths)
        .output()
        .expect("the fluxo binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn every_transcript_passes() {
    let roots = transcript_roots();
    let roots: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let (ok, text) = fluxo_test(&roots);
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

/// The folders whose `.chat` transcripts `every_transcript_passes` runs.
fn transcript_roots() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![
        root.join("examples/provedor"),
        root.join("tests/data/flows"),
    ]
}

/// The `.chat` files under `dir`, recursively.
fn chats(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a transcript folder")
        .map(|it| it.expect("a folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            chats(&path, out);
        } else if path.extension().is_some_and(|it| it == "chat") {
            out.push(path);
        }
    }
}

/// The program a transcript runs: its `@program` header, else its folder.
fn program_of(chat: &Path) -> PathBuf {
    let dir = chat.parent().expect("a transcript has a folder");
    let text = std::fs::read_to_string(chat).expect("a readable transcript");
    let header = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("@program "));
    match header {
        Some(path) => dir.join(path.split("//").next().unwrap_or("").trim()),
        None => dir.to_path_buf(),
    }
}

/// The compiled program of a `.flow` file or a folder of them.
fn compile(path: &Path) -> Program {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .expect("a program folder")
            .map(|it| it.expect("a folder entry").path())
            .filter(|it| it.extension().is_some_and(|ext| ext == "flow"))
            .collect();
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut sources = Sources::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a readable flow file");
        sources.add(file.display().to_string(), text);
    }
    let compiled = compile_sources(&sources, &CompileOptions::default());
    compiled
        .program
        .unwrap_or_else(|| panic!("{} does not compile", path.display()))
}

/// The catalogue names of the cards a program's code uses: statement cards by their
/// instruction, call cards by their catalogue index.
fn cards_used(program: &Program) -> BTreeSet<&'static str> {
    let mut used = BTreeSet::new();
    let mut pc = 0u32;
    while (pc as usize) < program.code.len() {
        let (op, after) = program.op_at(pc).expect("a valid instruction");
        let name = match op {
            Op::Card { card, .. } => cards()
                .get(card as usize)
                .map(|it| it.name)
                .expect("a catalogue card"),
            Op::Choice { .. } => "ask_choice",
            Op::Confirm { .. } => "ask_confirm",
            Op::Input { .. } => "ask_input",
            Op::Switch { .. } => "when",
            Op::JumpIfFalse { .. } => "if",
            other => other.name(),
        };
        used.insert(name);
        pc = after;
    }
    used
}

#[test]
fn every_catalogue_card_is_in_some_transcripts_program() {
    let mut transcripts = Vec::new();
    for root in transcript_roots() {
        chats(&root, &mut transcripts);
    }
    let programs: BTreeSet<PathBuf> = transcripts.iter().map(|it| program_of(it)).collect();
    let mut used = BTreeSet::new();
    for program in &programs {
        used.extend(cards_used(&compile(program)));
    }
    let missing: Vec<&str> = cards()
        .iter()
        .map(|it| it.name)
        .filter(|name| !used.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "cards that no transcript's program uses: {missing:?}"
    );
}

//! The command line as a newcomer meets it, the binary driven as a process: one flag
//! vocabulary, `-` for standard input and output, exit codes 0/1/2, `.fxb` programs
//! where sources go, `build`'s default output, `cards NAME`, `explain`'s examples,
//! `test`'s usage errors, diffs and `--bless`, and the example being formatted and
//! clean. The demo (`fluxo run`) has its own file, `tests/demo.rs`.

use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "support/process.rs"]
mod process;
use process::fluxo_in;

fn fluxo(args: &[&str]) -> Output {
    fluxo_in(&root(), args, "")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scratch folder of its own for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxo-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("a folder");
    }
    std::fs::write(path, text).expect("a writable scratch file");
}

const HELLO: &str = "flow main {\n    say \"Olá!\"\n    end\n}\n";
const BROKEN: &str = "flow main {\n    goto nowhere\n}\n";

#[test]
fn check_takes_several_paths_and_stdin_with_exit_codes_0_1_2() {
    let dir = scratch("check");
    write(&dir.join("a/main.flow"), HELLO);
    write(&dir.join("b/main.flow"), BROKEN);
    let ok = fluxo_in(&dir, &["check", "a"], "");
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let both = fluxo_in(&dir, &["check", "a", "b"], "");
    assert_eq!(both.status.code(), Some(1));
    assert!(stderr(&both).contains("check ok") && stderr(&both).contains("E0201"));
    let piped = fluxo_in(&dir, &["check", "-"], BROKEN);
    assert_eq!(piped.status.code(), Some(1));
    assert!(stderr(&piped).contains("<stdin>:2:"), "{}", stderr(&piped));
    let missing = fluxo_in(&dir, &["check", "a", "nowhere"], "");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("nowhere: no such file or directory"));
    let usage = fluxo_in(&dir, &["check", "--no-such-flag", "a"], "");
    assert_eq!(usage.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn entry_is_the_flag_everywhere_and_flow_still_works_for_run() {
    let dir = scratch("entry");
    let program = "flow main {\n    say \"main\"\n    end\n}\n\nflow outro {\n    say \"outro\"\n    end\n}\n";
    write(&dir.join("p.flow"), program);
    for flag in ["--entry", "--flow"] {
        let out = fluxo_in(&dir, &["run", "p.flow", flag, "outro"], "");
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", stderr(&out));
        assert!(stdout(&out).contains("< outro"), "{flag}: {}", stdout(&out));
    }
    let help = fluxo_in(&dir, &["run", "--help"], "");
    assert!(stdout(&help).contains("--entry") && !stdout(&help).contains("--flow"));
    for command in ["check", "build"] {
        let out = fluxo_in(&dir, &[command, "p.flow", "--entry", "outro"], "");
        assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn build_writes_under_target_never_into_the_sources_and_dash_is_stdout() {
    let dir = scratch("build");
    write(&dir.join("bot/main.flow"), HELLO);
    let out = fluxo_in(&dir, &["build", "bot"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("target/fluxo/bot.fxb").is_file());
    assert!(stderr(&out).contains("target/fluxo/bot.fxb"));
    let in_sources: Vec<_> = std::fs::read_dir(dir.join("bot"))
        .expect("the source folder")
        .map(|it| it.expect("an entry").file_name())
        .collect();
    assert_eq!(in_sources, ["main.flow"]);
    let piped = fluxo_in(&dir, &["build", "bot", "-o", "-"], "");
    assert_eq!(piped.status.code(), Some(0));
    let file = std::fs::read(dir.join("target/fluxo/bot.fxb")).expect("the program");
    assert_eq!(piped.stdout, file);
    assert!(!dir.join("-").exists());
    let disasm = fluxo_in(&dir, &["disasm", "-"], "");
    assert_eq!(disasm.status.code(), Some(1), "empty stdin is no program");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_and_test_take_a_compiled_program() {
    let dir = scratch("fxb");
    write(&dir.join("src/main.flow"), HELLO);
    let out = fluxo_in(&dir, &["build", "src", "-o", "hello.fxb"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = fluxo_in(&dir, &["run", "hello.fxb"], "");
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stdout(&run).contains("< Olá!\n= end\n"), "{}", stdout(&run));
    write(
        &dir.join("hello.chat"),
        "@program hello.fxb\n< Olá!\n= end\n",
    );
    let test = fluxo_in(&dir, &["test", "hello.chat"], "");
    assert_eq!(test.status.code(), Some(0), "{}", stdout(&test));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn test_refuses_what_is_not_a_transcript_with_exit_2() {
    let dir = scratch("test-usage");
    write(&dir.join("bot.flow"), HELLO);
    std::fs::create_dir_all(dir.join("empty")).expect("a folder");
    let flow = fluxo_in(&dir, &["test", "bot.flow"], "");
    assert_eq!(flow.status.code(), Some(2));
    assert!(stderr(&flow).contains("bot.flow: not a .chat file"));
    let empty = fluxo_in(&dir, &["test", "empty"], "");
    assert_eq!(empty.status.code(), Some(2));
    assert!(stderr(&empty).contains("no .chat files in empty"));
    let missing = fluxo_in(&dir, &["test", "nowhere.chat"], "");
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn test_without_program_reads_only_the_flows_beside_the_transcript() {
    let dir = scratch("beside");
    write(&dir.join("main.flow"), HELLO);
    // A subfolder's flow would clash (a second `main`) if it were picked up.
    write(&dir.join("old/main.flow"), HELLO);
    write(&dir.join("hello.chat"), "< Olá!\n= end\n");
    let out = fluxo_in(&dir, &["test", "hello.chat"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failing_transcript_shows_numbered_lines_minus_before_plus_and_bless_fixes_it() {
    let dir = scratch("bless");
    write(&dir.join("main.flow"), HELLO);
    let chat = dir.join("hello.chat");
    write(&chat, "// Greets.\n@channel whatsapp\n< Oi!\n= end\n");
    let out = fluxo_in(&dir, &["test", "hello.chat"], "");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let minus = text
        .find("    3 - < Oi!")
        .expect("the expected line, numbered");
    let plus = text.find("      + < Olá!").expect("the actual line");
    assert!(minus < plus, "{text}");
    assert!(
        text.contains("@@ line 3 @@") && text.contains("    4   = end"),
        "{text}"
    );
    let bless = fluxo_in(&dir, &["test", "--bless", "hello.chat"], "");
    assert_eq!(bless.status.code(), Some(0), "{}", stdout(&bless));
    assert!(stdout(&bless).contains("0 passed, 1 blessed, 0 failed"));
    assert_eq!(
        std::fs::read_to_string(&chat).expect("the transcript"),
        "// Greets.\n@channel whatsapp\n< Olá!\n= end\n"
    );
    let again = fluxo_in(&dir, &["test", "hello.chat"], "");
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_reads_stdin_and_check_prints_a_unified_diff() {
    let messy = "flow main {\nsay \"Olá\"\n  end }\n";
    let out = fluxo(&["fmt", "-"]);
    assert_eq!(out.status.code(), Some(0));
    let out = fluxo_in(&root(), &["fmt", "-"], messy);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "flow main {\n    say \"Olá\"\n    end\n}\n");
    let check = fluxo_in(&root(), &["fmt", "--check", "-"], messy);
    assert_eq!(check.status.code(), Some(1));
    let diff = stdout(&check);
    assert!(
        diff.starts_with("--- <stdin>\n+++ <stdin> (formatted)\n@@ -1,3 +1,4 @@\n"),
        "{diff}"
    );
    assert!(diff.contains("-say \"Olá\"\n") && diff.contains("+    say \"Olá\"\n"));
    let broken = fluxo_in(&root(), &["fmt", "-"], "flow main {\n  say \"Olá\n}\n");
    assert_eq!(broken.status.code(), Some(1));
    assert!(stdout(&broken).is_empty() && stderr(&broken).contains("E0102"));
}

#[test]
fn cards_lists_the_catalogue_and_renders_one_card_for_the_terminal() {
    let all = fluxo(&["cards"]);
    assert_eq!(all.status.code(), Some(0));
    let text = stdout(&all);
    assert!(text.starts_with("Statement cards\n"), "{text}");
    assert!(text.contains("\n  say ") && text.contains("\n  erp.second_copy "));
    assert!(text.lines().count() < 120, "an index, not the reference");
    let say = fluxo(&["cards", "say"]);
    assert_eq!(say.status.code(), Some(0), "{}", stderr(&say));
    let text = stdout(&say);
    assert!(text.starts_with("`say`\n"), "{text}");
    for raw in ["<!--", "|---", "](#", "```"] {
        assert!(!text.contains(raw), "raw Markdown `{raw}` in\n{text}");
    }
    assert!(text.contains("  Opa card "), "{text}");
    let erp = fluxo(&["cards", "erp.second_copy"]);
    assert_eq!(erp.status.code(), Some(0));
    let unknown = fluxo(&["cards", "sey"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown card `sey`"));
}

#[test]
fn explain_shows_the_wrong_and_the_fixed_program() {
    let out = fluxo(&["explain", "E0201"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let wrong = text.find("This gets E0201").expect("a failing example");
    let fixed = text.find("Fixed (").expect("a fixed example");
    assert!(wrong < fixed, "{text}");
    assert!(text.contains("    goto suprote") && text.contains("    goto atendimento"));
    let syntax = stdout(&fluxo(&["explain", "e0102"]));
    assert!(syntax.contains("This gets E0102"), "{syntax}");
    assert_eq!(fluxo(&["explain", "E9999"]).status.code(), Some(2));
}

#[test]
fn the_examples_are_formatted_and_check_clean() {
    let fmt = fluxo(&["fmt", "--check", "examples"]);
    assert_eq!(fmt.status.code(), Some(0), "{}", stdout(&fmt));
    let check = fluxo(&["check", "--deny-warnings", "examples/provedor"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

/// The design pages the docs were first written from; they are not in the repository.
const OUTSIDE_PAGES: &[&str] = &[
    "LANGUAGE.md",
    "CARDS.md",
    "ERP-APIS.md",
    "STYLE.md",
    "SERVER.md",
    "research-server.md",
    "shared/",
    "seeds/",
];

#[test]
fn the_docs_are_self_contained() {
    let mut pages = vec![root().join("README.md"), root().join("ARCHITECTURE.md")];
    for entry in std::fs::read_dir(root().join("docs")).expect("docs/") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|it| it == "md") {
            pages.push(path);
        }
    }
    for page in &pages {
        let text = std::fs::read_to_string(page).expect("a page");
        for outside in OUTSIDE_PAGES {
            assert!(
                !text.contains(outside),
                "{} refers to `{outside}`, which is not in the repository",
                page.display()
            );
        }
        let dir = page.parent().expect("a folder");
        for link in text.split("](").skip(1) {
            let target = link.split([')', '#']).next().unwrap_or("");
            if target.is_empty() || target.contains("://") {
                continue;
            }
            assert!(
                dir.join(target).exists(),
                "{} links to {target}, which does not exist",
                page.display()
            );
        }
    }
}

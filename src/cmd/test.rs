//! `fluxo test PATH...`: runs `.chat` transcripts (docs/transcripts.md) against their
//! programs with the offline host, prints a diff for each mismatch and `N passed, M
//! failed`; exit 1 when any failed. `--bless` rewrites the transcripts that differ
//! with what the bot now says.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fluxo_runtime::session::{Event, Session, Wait};
use fluxo_stdlib::types::Literal;

use crate::chat::format::{self, Line};
use crate::chat::{diff, host, setup};
use crate::files::{self, CliError, CliResult};

/// Run conversation transcripts (`.chat` files).
///
/// Exit status: 0 when every transcript passes (or was blessed), 1 when one fails,
/// 2 when a path is missing, is not a .chat file, or a folder holds none.
#[derive(clap::Args)]
pub struct Args {
    /// `.chat` files or folders of them (searched recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Rewrite each transcript that does not match with what the bot says now
    /// (its headers and the comments above the first event line are kept).
    #[arg(long)]
    bless: bool,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let chats = transcripts(&args.paths)?;
    let (mut passed, mut failed, mut blessed) = (0, 0, 0);
    for chat in &chats {
        match check(chat).unwrap_or_else(|err| Outcome::Fail(err.to_string())) {
            Outcome::Pass => {
                passed += 1;
                println!("ok    {}", chat.display());
            }
            Outcome::Differs { text, actual } if args.bless => {
                files::write(chat, &blessed_text(&text, &actual))?;
                blessed += 1;
                println!("bless {}", chat.display());
            }
            Outcome::Differs { text, actual } => {
                failed += 1;
                println!("FAIL  {}", chat.display());
                let (expected, numbers) = expected_lines(&text);
                let actual: Vec<String> = actual.iter().map(ToString::to_string).collect();
                for line in diff::diff(&expected, &numbers, &actual) {
                    println!("      {line}");
                }
            }
            Outcome::Fail(err) => {
                failed += 1;
                println!("FAIL  {}: {err}", chat.display());
            }
        }
    }
    if args.bless {
        println!("{passed} passed, {blessed} blessed, {failed} failed");
    } else {
        println!("{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The transcripts the paths name, sorted; a usage error (exit 2) when a path is
/// missing or not a transcript, or when there is none at all.
fn transcripts(paths: &[PathBuf]) -> CliResult<Vec<PathBuf>> {
    let mut chats = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|err| files::io_error(path, &err))?;
        if meta.is_dir() {
            let before = chats.len();
            files::collect(path, "chat", &mut chats)?;
            if chats.len() == before {
                return Err(CliError(format!("no .chat files in {}", path.display())));
            }
        } else if path.extension().is_some_and(|it| it == "chat") {
            chats.push(path.clone());
        } else {
            return Err(CliError(format!(
                "{}: not a .chat file (`fluxo test` runs transcripts; `fluxo check` checks flows)",
                path.display()
            )));
        }
    }
    chats.sort();
    Ok(chats)
}

pub enum Outcome {
    Pass,
    /// The file's text and the lines the conversation produced.
    Differs {
        text: String,
        actual: Vec<Line>,
    },
    /// The transcript could not be run (a format error, a program that does not
    /// compile, a missing fixture).
    Fail(String),
}

/// The transcript's event lines as text, with their 1-based line numbers.
fn expected_lines(text: &str) -> (Vec<String>, Vec<usize>) {
    let mut lines = Vec::new();
    let mut numbers = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with(['<', '>', '=']) {
            let parsed = format::parse(line)
                .ok()
                .and_then(|it| it.lines.into_iter().next());
            lines.push(parsed.map_or_else(|| line.trim_end().to_string(), |it| it.to_string()));
            numbers.push(index + 1);
        }
    }
    (lines, numbers)
}

/// The transcript's text up to its first event line, then the `actual` lines.
fn blessed_text(text: &str, actual: &[Line]) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with(['<', '>', '=']) {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    for line in actual {
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// Runs one transcript: reads it, compiles its program, sets its host up and compares
/// the conversation with it. The `chat` fuzz target drives this very function.
pub fn check(chat: &Path) -> CliResult<Outcome> {
    let text = files::read(chat)?;
    let transcript = match format::parse(&text) {
        Ok(transcript) => transcript,
        Err(err) => return Ok(Outcome::Fail(err.to_string())),
    };
    let dir = chat
        .parent()
        .filter(|it| !it.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let loaded = match &transcript.headers.program {
        Some(path) => setup::compile(&dir.join(path))?,
        None => setup::compile_beside(dir)?,
    };
    let ctx = setup::context(&transcript.headers)?;
    let fixture = transcript.headers.erp.as_ref().map(|it| dir.join(it));
    let world = setup::World {
        erp_fixture: fixture.as_deref(),
        erp_required: false,
        real_lowcode: false,
        canned: &transcript.headers.lowcode,
    };
    let mut host = setup::host(&loaded, &world)?;
    if let Some(reply) = &transcript.headers.agent {
        host.agent_reply = reply.clone();
    }
    let inputs = transcript.lines.iter().filter_map(|line| match line {
        Line::Customer(text) => Some(text.clone()),
        _ => None,
    });
    let actual = converse(
        &loaded.program,
        transcript.headers.flow.as_deref(),
        ctx,
        &host,
        inputs,
    )?;
    if transcript.lines == actual {
        Ok(Outcome::Pass)
    } else {
        Ok(Outcome::Differs { text, actual })
    }
}

/// Runs a conversation, feeding `inputs` whenever the bot waits for the customer,
/// until the inputs run out or the conversation ends. A runtime error becomes a
/// `! runtime error` line, so it shows in the diff.
fn converse(
    program: &fluxo_runtime::bytecode::Program,
    flow: Option<&str>,
    ctx: fluxo_runtime::session::Context,
    host: &host::Host,
    mut inputs: impl Iterator<Item = String>,
) -> CliResult<Vec<Line>> {
    let mut lines = Vec::new();
    let mut session = Session::new(program, flow, ctx).map_err(|err| CliError(err.to_string()))?;
    let mut turn = session.start(program);
    loop {
        let current = match turn {
            Ok(current) => current,
            Err(err) => {
                lines.push(Line::Effect(format!("! runtime error: {err}")));
                return Ok(lines);
            }
        };
        for output in &current.outputs {
            for (mark, text) in host::output_lines(output) {
                lines.push(if mark == '<' {
                    Line::Bot(text)
                } else {
                    Line::Effect(text)
                });
            }
        }
        let event = match current.wait {
            Wait::Customer => match inputs.next() {
                Some(text) => {
                    lines.push(Line::Customer(text.clone()));
                    setup::customer_event(&text)
                }
                None => return Ok(lines),
            },
            Wait::Host(call) => {
                lines.push(Line::Effect(host::call_line(&call)));
                Event::HostResult(host.answer(&call, session.now()).0)
            }
            Wait::Timer { secs } => {
                lines.push(Line::Effect(format!(
                    "wait {}",
                    Literal::Duration(secs).to_source()
                )));
                Event::TimerFired
            }
            Wait::Done(_) => {
                for extra in inputs {
                    lines.push(Line::Effect(format!(
                        "! the conversation is over; `> {extra}` was not read"
                    )));
                }
                return Ok(lines);
            }
        };
        turn = session.resume(program, event);
    }
}

//! `fluxo test PATH...`: runs `.chat` transcripts (LANGUAGE.md §8, docs/runtime.md)
//! against their programs with the offline host, prints a diff for each mismatch and
//! `N passed, M failed`; exit 1 when any failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fluxo_runtime::session::{Event, Session, Wait};
use fluxo_stdlib::types::Literal;

use crate::chat::format::{self, Line};
use crate::chat::{diff, host, setup};
use crate::files::{self, CliError, CliResult};

/// Run conversation transcripts (`.chat` files).
#[derive(clap::Args)]
pub struct Args {
    /// `.chat` files or folders of them (searched recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let mut chats = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            files::collect(path, "chat", &mut chats)?;
        } else {
            chats.push(path.clone());
        }
    }
    chats.sort();
    let (mut passed, mut failed) = (0, 0);
    for chat in &chats {
        match check(chat) {
            Ok(None) => {
                passed += 1;
                println!("ok    {}", chat.display());
            }
            Ok(Some(report)) => {
                failed += 1;
                println!("FAIL  {}", chat.display());
                for line in report {
                    println!("      {line}");
                }
            }
            Err(err) => {
                failed += 1;
                println!("FAIL  {}: {err}", chat.display());
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `None` when the transcript passes, else the diff to print.
fn check(chat: &Path) -> CliResult<Option<Vec<String>>> {
    let text = files::read(chat)?;
    let transcript = format::parse(&text).map_err(|err| CliError(err.to_string()))?;
    let dir = chat
        .parent()
        .filter(|it| !it.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let program_path = match &transcript.headers.program {
        Some(path) => dir.join(path),
        None => dir.to_path_buf(),
    };
    let loaded = setup::compile(&program_path)?;
    let ctx = setup::context(&transcript.headers)?;
    let fixture = transcript.headers.erp.as_ref().map(|it| dir.join(it));
    let mut host = setup::host(fixture.as_deref(), &loaded, &transcript.headers.lowcode)?;
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
    let expected: Vec<String> = transcript.lines.iter().map(ToString::to_string).collect();
    let actual: Vec<String> = actual.iter().map(ToString::to_string).collect();
    if expected == actual {
        Ok(None)
    } else {
        Ok(Some(diff::diff(&expected, &actual)))
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
                Event::HostResult(host.answer(&call, session.now()))
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

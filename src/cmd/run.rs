//! `fluxo run PATH`: chat with a program in the terminal. The world is simulated by
//! default (the ERP fixture and the Low Code world next to the program), or real with
//! `--erp NAME --config fluxo.toml` and `--config`'s `[lowcode]` table. On a terminal
//! it opens with a banner, edits lines with history (rustyline) and shows messages as
//! blocks; piped, it reads one customer message per line and writes a transcript.
//! Timers fire at once. `--record FILE.chat` saves the session as a transcript that
//! `fluxo test` replays.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use fluxo_host::erp::config;
use fluxo_runtime::session::{Ending, Event, Session, Wait};
use fluxo_stdlib::erp::ErpSystem;
use fluxo_stdlib::types::Literal;
use rustyline::error::ReadlineError;

use crate::chat::format::{self, Line};
use crate::chat::terminal::{self, Screen};
use crate::chat::{host, record, setup};
use crate::files::{self, CliError, CliResult};

/// Chat with a program in the terminal (simulated ERP and Low Code world by default).
#[derive(clap::Args)]
pub struct Args {
    /// A .flow file, a folder of them, or a compiled .fxb.
    path: PathBuf,
    /// The flow the conversation starts in (default: the program's entry, `main`).
    #[arg(long, alias = "flow", value_name = "FLOW")]
    entry: Option<String>,
    /// The channel: whatsapp telegram facebook instagram telephony webchat.
    #[arg(long)]
    channel: Option<String>,
    /// The simulated ERP's fixture (default: erp-demo.json next to the program; a
    /// program that calls an ERP and has none is an error).
    #[arg(long)]
    fixture: Option<PathBuf>,
    /// The clock, RFC 3339 (default 2026-11-23T10:00:00-03:00).
    #[arg(long)]
    now: Option<String>,
    /// The contact, as in transcripts: `name="Ana" phone="+5548999990000"`.
    #[arg(long)]
    contact: Option<String>,
    /// Use the real ERP the `[erp]` table of `--config` configures, which must be
    /// this one (ixc hubsoft sgp mksolutions mkauth synsuite ...); its secrets come
    /// from the environment variables the file names.
    #[arg(long, requires = "config")]
    erp: Option<String>,
    /// A fluxo.toml pointing at real systems: its `[lowcode]` table (hosts scripts may
    /// reach; scripts then run for real instead of the simulated world) and, with
    /// `--erp`, its `[erp]` table.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Also write the session to this file as a `.chat` transcript.
    #[arg(long, value_name = "FILE.chat")]
    record: Option<PathBuf>,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let mut header_text = String::new();
    if let Some(contact) = &args.contact {
        header_text.push_str(&format!("@contact {contact}\n"));
    }
    let mut headers = format::parse(&header_text)
        .map_err(|err| CliError(format!("--contact: {}", err.message)))?
        .headers;
    headers.channel = args.channel.clone();
    headers.now = args.now.clone();
    headers.flow = args.entry.clone();
    let loaded = setup::compile(&args.path)?;
    let ctx = setup::context(&headers)?;
    let world = setup::World {
        erp_fixture: args.fixture.as_deref(),
        erp_required: args.erp.is_none(),
        real_lowcode: args.config.is_some(),
        canned: &[],
    };
    let mut host = setup::host(&loaded, &world)?;
    configure(&mut host, &args)?;
    let piped = !std::io::stdout().is_terminal();
    let styled = !piped && std::env::var_os("NO_COLOR").is_none_or(|it| it.is_empty());
    let mut screen = Screen {
        out: std::io::stdout().lock(),
        styled,
    };
    for line in banner(&args, &loaded, &host, &ctx) {
        comment(&mut screen, piped, &line);
    }
    let mut input = Input::open()?;
    let mut lines = Vec::new();
    let program = &loaded.program;
    let mut session = Session::new(program, args.entry.as_deref(), ctx)
        .map_err(|err| CliError(err.to_string()))?;
    let mut turn = session.start(program);
    let ending = loop {
        let current = turn.map_err(|err| CliError(format!("runtime error: {err}")))?;
        for output in &current.outputs {
            let mut message = Vec::new();
            for (mark, text) in host::output_lines(output) {
                if mark == '<' {
                    message.push(text.clone());
                    lines.push(Line::Bot(text));
                } else {
                    screen.effect(&text);
                    lines.push(Line::Effect(text));
                }
            }
            if !message.is_empty() {
                screen.message(&message);
            }
        }
        let event = match current.wait {
            Wait::Customer => {
                screen.flush();
                let Some(text) = input.line()? else {
                    break None;
                };
                screen.customer(&text);
                lines.push(Line::Customer(text.clone()));
                setup::customer_event(&text)
            }
            Wait::Host(call) => {
                let line = host::call_line(&call);
                screen.effect(&line);
                lines.push(Line::Effect(line));
                let (result, notes) = host.answer(&call, session.now());
                screen.flush();
                for note in notes {
                    terminal::note(&note, styled);
                }
                Event::HostResult(result)
            }
            Wait::Timer { secs } => {
                let line = format!("wait {}", Literal::Duration(secs).to_source());
                screen.effect(&line);
                lines.push(Line::Effect(line));
                Event::TimerFired
            }
            Wait::Done(ending) => break Some(ending),
        };
        turn = session.resume(program, event);
    };
    let ending = match ending {
        None => "the chat ended before the conversation did",
        Some(Ending::Closed) => "the conversation is closed",
        Some(Ending::Transferred) => "the conversation was transferred to people",
        Some(Ending::OptedOut) => "the contact opted out",
        Some(Ending::Forwarded) => "the call was forwarded",
    };
    comment(&mut screen, piped, ending);
    screen.flush();
    if let Some(file) = &args.record {
        let transcript = record::transcript(file, &args.path, &headers, &world, &lines);
        files::write(file, &transcript)?;
        eprintln!("recorded {} line(s) in {}", lines.len(), file.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Comment lines that say what world the conversation runs in and how to leave it.
fn banner(
    args: &Args,
    loaded: &setup::Loaded,
    host: &host::Host,
    ctx: &fluxo_runtime::session::Context,
) -> Vec<String> {
    let erp = match (&args.erp, &host.erp) {
        (Some(name), _) if host.real_erp.is_some() => format!("real {name} (from --config)"),
        (_, Some(_)) => match &args.fixture {
            Some(path) => format!("simulated, fixture {}", path.display()),
            None => format!(
                "simulated, fixture {}",
                loaded.dir.join(setup::DEFAULT_FIXTURE).display()
            ),
        },
        _ => "none (the program calls no ERP)".to_string(),
    };
    let lowcode = if loaded.program.entities.scripts.is_empty() {
        "no scripts".to_string()
    } else if host.simulated_lowcode.is_some() {
        format!(
            "simulated world, fixture {}",
            loaded.dir.join(setup::LOWCODE_FIXTURE).display()
        )
    } else {
        "scripts run for real (hosts allowed by [lowcode] of fluxo.toml)".to_string()
    };
    vec![
        format!("fluxo run {}", args.path.display()),
        format!(
            "contact: {} ({}) · channel: {} · clock: {}",
            ctx.user_name,
            ctx.contact_phone,
            ctx.channel.name(),
            args.now.as_deref().unwrap_or(setup::DEFAULT_NOW)
        ),
        format!("ERP: {erp}"),
        format!("Low Code: {lowcode}"),
        "type one message per line; `[reply ID]` taps an option; Ctrl-D or Ctrl-C ends the chat"
            .to_string(),
    ]
}

/// Where customer messages come from: a line editor with history on a terminal,
/// else one message per line of stdin.
enum Input {
    Editor(Box<rustyline::DefaultEditor>),
    Lines(std::io::StdinLock<'static>),
}

impl Input {
    fn open() -> CliResult<Input> {
        if std::io::stdin().is_terminal() {
            let editor = rustyline::DefaultEditor::new()
                .map_err(|err| CliError(format!("cannot open the line editor: {err}")))?;
            return Ok(Input::Editor(Box::new(editor)));
        }
        Ok(Input::Lines(std::io::stdin().lock()))
    }

    /// The next message; `None` at the end of input (Ctrl-D, Ctrl-C).
    fn line(&mut self) -> CliResult<Option<String>> {
        match self {
            Input::Editor(editor) => match editor.readline("> ") {
                Ok(line) => {
                    let _ = editor.add_history_entry(line.as_str());
                    Ok(Some(line))
                }
                Err(ReadlineError::Eof | ReadlineError::Interrupted) => Ok(None),
                Err(err) => Err(CliError(format!("reading the terminal: {err}"))),
            },
            Input::Lines(stdin) => {
                let mut line = String::new();
                let read = stdin
                    .read_line(&mut line)
                    .map_err(|err| CliError(format!("reading stdin: {err}")))?;
                Ok((read > 0).then(|| line.trim_end_matches(['\n', '\r']).to_string()))
            }
        }
    }
}

/// Applies `--config`: its Low Code settings, and with `--erp` the ERP it configures
/// (a real one, or the simulated one when the table names a fixture).
fn configure(host: &mut host::Host, args: &Args) -> CliResult<()> {
    let Some(path) = &args.config else {
        return Ok(());
    };
    host.lowcode_config = setup::lowcode_config(path)?;
    let Some(name) = &args.erp else {
        return Ok(());
    };
    let wanted = ErpSystem::from_name(name)
        .ok_or_else(|| CliError(format!("--erp: unknown ERP `{name}`")))?;
    let in_file = |err: &dyn std::fmt::Display| CliError(format!("{}: {err}", path.display()));
    let erp = config::parse(&files::read_config(path)?)
        .map_err(|err| in_file(&err))?
        .ok_or_else(|| in_file(&"there is no [erp] table"))?;
    if erp.system != wanted {
        return Err(in_file(&format!(
            "the [erp] table configures `{}`, not `{name}`",
            erp.system.name()
        )));
    }
    setup::use_erp(host, path, &erp)
}

/// The banner and the ending: on a terminal, dim `//` lines beside the chat; piped, on
/// stderr, so that stdout holds exactly the conversation's lines, as the server's
/// transcript endpoint gives them (`fluxo serve`'s contract).
fn comment(screen: &mut Screen<impl std::io::Write>, piped: bool, line: &str) {
    if piped {
        eprintln!("// {}", terminal::sanitize(line));
    } else {
        screen.comment(line);
    }
}

//! `fluxo run PATH`: chat with a flow in the terminal, with the simulated ERP, or a
//! real one with `--erp NAME --config fluxo.toml`; Low Code scripts run for real. Bot
//! messages print as they are; effects and host calls as `= ...` lines, dim cyan on a
//! terminal (never with `NO_COLOR` set or when piped). Reads one customer message per
//! line of stdin; end of input ends the chat. Timers fire at once.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use fluxo_host::erp::config;
use fluxo_runtime::session::{Ending, Event, Session, Wait};
use fluxo_stdlib::erp::ErpSystem;
use fluxo_stdlib::types::Literal;

use crate::chat::format;
use crate::chat::{host, setup};
use crate::files::{self, CliError, CliResult};

/// Chat with a flow in the terminal (simulated ERP, offline intent classifier).
#[derive(clap::Args)]
pub struct Args {
    /// A .flow file or a folder of them.
    path: PathBuf,
    /// The flow to start in (default: `main`, or the program's entry).
    #[arg(long)]
    flow: Option<String>,
    /// The channel: whatsapp telegram facebook instagram telephony webchat.
    #[arg(long)]
    channel: Option<String>,
    /// The simulated ERP's fixture (default: erp-demo.json next to the program).
    #[arg(long)]
    fixture: Option<PathBuf>,
    /// The clock, RFC 3339 (default 2026-11-23T10:00:00-03:00).
    #[arg(long)]
    now: Option<String>,
    /// The contact, as in transcripts: `name="Ana" phone="+5548999990000"`.
    #[arg(long)]
    contact: Option<String>,
    /// Use the ERP the `[erp]` table of `--config` configures, which must be this one
    /// (ixc hubsoft sgp mksolutions mkauth synsuite ...); its secrets come from the
    /// environment variables the file names.
    #[arg(long, requires = "config")]
    erp: Option<String>,
    /// A fluxo.toml: its `[lowcode]` table (hosts scripts may reach) and, with `--erp`,
    /// its `[erp]` table (default: fluxo.toml next to the program, `[lowcode]` only).
    #[arg(long)]
    config: Option<PathBuf>,
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
    let loaded = setup::compile(&args.path)?;
    let ctx = setup::context(&headers)?;
    let mut host = setup::host(args.fixture.as_deref(), &loaded, &[])?;
    configure(&mut host, &args)?;
    let program = &loaded.program;
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|it| it.is_empty());
    let mut out = std::io::stdout().lock();
    let mut stdin = std::io::stdin().lock();
    let mut session = Session::new(program, args.flow.as_deref(), ctx)
        .map_err(|err| CliError(err.to_string()))?;
    let mut turn = session.start(program);
    loop {
        let current = turn.map_err(|err| CliError(format!("runtime error: {err}")))?;
        for output in &current.outputs {
            for (mark, text) in host::output_lines(output) {
                print_line(&mut out, mark, &text, colour);
            }
        }
        let event = match current.wait {
            Wait::Customer => {
                if colour {
                    let _ = write!(out, "> ");
                    let _ = out.flush();
                }
                let mut line = String::new();
                let read = stdin
                    .read_line(&mut line)
                    .map_err(|err| CliError(format!("reading stdin: {err}")))?;
                if read == 0 {
                    return Ok(ExitCode::SUCCESS);
                }
                let text = line.trim_end_matches(['\n', '\r']);
                if !colour {
                    print_line(&mut out, '>', text, false);
                }
                setup::customer_event(text)
            }
            Wait::Host(call) => {
                print_line(&mut out, '=', &host::call_line(&call), colour);
                Event::HostResult(host.answer(&call, session.now()))
            }
            Wait::Timer { secs } => {
                print_line(
                    &mut out,
                    '=',
                    &format!("wait {}", Literal::Duration(secs).to_source()),
                    colour,
                );
                Event::TimerFired
            }
            Wait::Done(ending) => {
                let why = match ending {
                    Ending::Closed => "the conversation is closed",
                    Ending::Transferred => "the conversation was transferred to people",
                    Ending::OptedOut => "the contact opted out",
                    Ending::Forwarded => "the call was forwarded",
                };
                if colour {
                    let _ = writeln!(out, "\x1b[2m({why})\x1b[0m");
                }
                return Ok(ExitCode::SUCCESS);
            }
        };
        turn = session.resume(program, event);
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
    let erp = config::parse(&files::read(path)?)
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

fn print_line(out: &mut impl Write, mark: char, text: &str, colour: bool) {
    let _ = match (mark, colour) {
        ('=', true) => writeln!(out, "\x1b[2;36m= {text}\x1b[0m"),
        ('<', true) => writeln!(out, "{text}"),
        _ => writeln!(out, "{}", fluxo_host::transcript::line(mark, text)),
    };
}

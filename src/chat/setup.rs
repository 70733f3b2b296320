//! Setting a conversation up: compiling the program, the context from transcript
//! headers (or `fluxo run` flags) with their documented defaults, and the host.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fluxo_host::driver::{lowcode_settings, BlockingHost, Hosts, Scripts};
use fluxo_host::erp::config::ErpConfig;
use fluxo_host::erp::SimulatedErp;
use fluxo_host::lowcode::LowcodeConfig;
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock;
use fluxo_runtime::session::{Context, Event, Media, Message};
use fluxo_stdlib::types::Channel;

use super::format::Headers;
use super::host::Host;
use crate::files::{self, CliError, CliResult};

/// The header defaults (docs/runtime.md): the conversation of LANGUAGE.md §8.
pub const DEFAULT_NOW: &str = "2026-11-23T10:00:00-03:00";
pub const DEFAULT_NAME: &str = "Ana";
pub const DEFAULT_PHONE: &str = "+5548999990000";
pub const DEFAULT_COMPANY: &str = "Provedor Exemplo";
pub const DEFAULT_PROTOCOL: &str = "20261123000001";
/// The fixture looked for next to the program when no `@erp` names one.
pub const DEFAULT_FIXTURE: &str = "erp-demo.json";
/// The deployment settings looked for next to the program (its `[lowcode]` table).
pub const CONFIG_FILE: &str = "fluxo.toml";

/// A compiled program and where it came from.
pub struct Loaded {
    pub program: Program,
    /// The folder the program's files are in (for the default fixture).
    pub dir: PathBuf,
}

/// Compiles the `.flow` file or folder at `path`; diagnostics go to stderr and make
/// it an error.
pub fn compile(path: &Path) -> CliResult<Loaded> {
    let sources = files::load_program(path)?;
    let compiled = fluxo_compiler::compile(&sources, &fluxo_compiler::CompileOptions::default());
    let errors: Vec<_> = compiled
        .diagnostics
        .iter()
        .filter(|it| it.is_error())
        .collect();
    let program = match compiled.program {
        Some(program) if errors.is_empty() => program,
        _ => {
            crate::report::print(&sources, &compiled.diagnostics, crate::report::Format::Text);
            return Err(CliError(format!("{} does not compile", path.display())));
        }
    };
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    Ok(Loaded { program, dir })
}

/// The conversation's context from headers, with the defaults for absent ones.
pub fn context(headers: &Headers) -> CliResult<Context> {
    let now_text = headers.now.as_deref().unwrap_or(DEFAULT_NOW);
    let now = clock::parse_rfc3339(now_text).ok_or_else(|| {
        CliError(format!(
            "`{now_text}` is not an RFC 3339 instant (2026-11-23T10:00:00-03:00)"
        ))
    })?;
    let mut ctx = Context::new(now);
    if let Some(name) = &headers.channel {
        ctx.channel = Channel::from_name(name).ok_or_else(|| {
            CliError(format!(
                "unknown channel `{name}` (whatsapp telegram facebook instagram telephony webchat)"
            ))
        })?;
    }
    ctx.user_name = headers
        .contact_name
        .clone()
        .unwrap_or_else(|| DEFAULT_NAME.into());
    ctx.contact_phone = headers
        .contact_phone
        .clone()
        .unwrap_or_else(|| DEFAULT_PHONE.into());
    ctx.company_name = headers
        .company
        .clone()
        .unwrap_or_else(|| DEFAULT_COMPANY.into());
    ctx.protocol = headers
        .protocol
        .clone()
        .unwrap_or_else(|| DEFAULT_PROTOCOL.into());
    ctx.attendant_name = headers.attendant.clone().unwrap_or_default();
    ctx.from_ad = match headers.origin.as_deref() {
        None | Some("organic") => false,
        Some("ad") => true,
        Some(other) => {
            return Err(CliError(format!(
                "`@origin` is `ad` or `organic`, not `{other}`"
            )))
        }
    };
    ctx.branch = headers.branch.clone();
    ctx.tags = headers.tags.clone();
    ctx.opening_message = headers.message.clone();
    Ok(ctx)
}

/// The host: the fixture (`fixture`, else `erp-demo.json` in the program's folder
/// when present), the canned Low Code results, and the program's scripts, which may
/// reach the hosts the `[lowcode]` table of `fluxo.toml` in the program's folder allows.
pub fn host(
    fixture: Option<&Path>,
    loaded: &Loaded,
    lowcode: &[(String, Result<String, String>)],
) -> CliResult<Host> {
    let fixture = match fixture {
        Some(path) => Some(path.to_path_buf()),
        None => Some(loaded.dir.join(DEFAULT_FIXTURE)).filter(|it| it.is_file()),
    };
    let erp = match fixture {
        Some(path) => {
            let text = files::read(&path)?;
            Some(
                SimulatedErp::from_json(&text)
                    .map_err(|err| CliError(format!("{}: {err}", path.display())))?,
            )
        }
        None => None,
    };
    let mut canned = HashMap::new();
    for (script, outcome) in lowcode {
        let outcome = match outcome {
            Ok(json) => Ok(serde_json::from_str(json).map_err(|err| {
                CliError(format!("`@lowcode {script}`: not a JSON object: {err}"))
            })?),
            Err(why) => Err(why.clone()),
        };
        canned.insert(script.clone(), outcome);
    }
    let mut host = Host::new(erp, canned);
    host.scripts = Scripts::load(&loaded.program, &mut |path| {
        std::fs::read_to_string(loaded.dir.join(path))
            .map_err(|err| format!("cannot read it: {err}"))
    })
    .map_err(|err| CliError(err.to_string()))?;
    let config = loaded.dir.join(CONFIG_FILE);
    if config.is_file() {
        host.lowcode_config = lowcode_config(&config)?;
    }
    Ok(host)
}

/// The `[lowcode]` settings of a `fluxo.toml`.
pub fn lowcode_config(path: &Path) -> CliResult<LowcodeConfig> {
    lowcode_settings(&files::read(path)?)
        .map_err(|err| CliError(format!("{}: {err}", path.display())))
}

/// A customer line as an event: `[reply <id>]` taps an interactive option,
/// `[<kind> <url>]` sends media (`image`, `audio`, `video`, `document`, `sticker`),
/// anything else is text.
pub fn customer_event(line: &str) -> Event {
    if let Some(inner) = line.strip_prefix('[').and_then(|it| it.strip_suffix(']')) {
        let (kind, rest) = inner.split_once(' ').unwrap_or((inner, ""));
        match kind {
            "reply" => {
                return Event::Message(Message {
                    text: String::new(),
                    reply_id: Some(rest.trim().to_string()),
                    media: None,
                })
            }
            "image" | "audio" | "video" | "document" | "sticker" => {
                return Event::Message(Message {
                    text: String::new(),
                    reply_id: None,
                    media: Some(Media {
                        kind: kind.to_string(),
                        url: rest.trim().to_string(),
                    }),
                })
            }
            _ => {}
        }
    }
    Event::text(line)
}

/// Makes `host` answer ERP calls with the ERP `erp` (the `[erp]` table of the config
/// at `path`) configures: the simulated one when it names a fixture (relative to the
/// config file), else the real one, its secrets read from the environment.
pub fn use_erp(host: &mut Host, path: &Path, erp: &ErpConfig) -> CliResult<()> {
    let in_file = |err: &dyn std::fmt::Display| CliError(format!("{}: {err}", path.display()));
    match &erp.fixture {
        Some(fixture) => {
            let fixture = path.parent().unwrap_or(Path::new(".")).join(fixture);
            let simulated = SimulatedErp::from_json(&files::read(&fixture)?)
                .map_err(|err| CliError(format!("{}: {err}", fixture.display())))?;
            host.erp = Some(simulated.for_system(erp.system));
        }
        None => {
            let adapter = erp
                .build(&|var| std::env::var(var).ok())
                .map_err(|err| in_file(&err))?;
            let real = BlockingHost::new(Hosts::new(Arc::from(adapter)))
                .map_err(|err| CliError(format!("cannot start the ERP client: {err}")))?;
            host.real_erp = Some(real);
        }
    }
    Ok(())
}

//! Setting a conversation up: compiling the program, the context from transcript
//! headers (or `fluxo run` flags) with their documented defaults, and the host.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fluxo_host::driver::{lowcode_settings, BlockingHost, Hosts, Scripts};
use fluxo_host::erp::config::ErpConfig;
use fluxo_host::erp::SimulatedErp;
use fluxo_host::lowcode::{LowcodeConfig, SimulatedLowcode};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock;
use fluxo_runtime::session::{Context, Event, Media, Message};
use fluxo_stdlib::types::Channel;

use super::format::Headers;
use super::host::Host;
use crate::files::{self, CliError, CliResult};

/// The header defaults (docs/transcripts.md).
pub const DEFAULT_NOW: &str = "2026-11-23T10:00:00-03:00";
pub const DEFAULT_NAME: &str = "Ana";
pub const DEFAULT_PHONE: &str = "+5548999990000";
pub const DEFAULT_COMPANY: &str = "Provedor Exemplo";
pub const DEFAULT_PROTOCOL: &str = "20261123000001";
/// The fixture looked for next to the program when no `@erp` names one.
pub const DEFAULT_FIXTURE: &str = "erp-demo.json";
/// The simulated Low Code world looked for next to the program.
pub const LOWCODE_FIXTURE: &str = "lowcode-demo.json";
/// The deployment settings looked for next to the program (its `[lowcode]` table).
pub const CONFIG_FILE: &str = "fluxo.toml";

/// A compiled program and where it came from.
pub struct Loaded {
    pub program: Program,
    /// The folder the program's files are in (for the default fixture).
    pub dir: PathBuf,
}

/// Loads the program at `path`: a compiled `.fxb` (verified on load), or a `.flow`
/// file or folder compiled here; diagnostics go to stderr and make it an error.
pub fn compile(path: &Path) -> CliResult<Loaded> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    if path.extension().is_some_and(|it| it == "fxb") {
        let bytes = files::read_bytes(path)?;
        let program = Program::from_bytes(&bytes)
            .map_err(|err| CliError(format!("{}: {err}", path.display())))?;
        return Ok(Loaded { program, dir });
    }
    finish(files::load_parsed(path)?, path, dir)
}

/// Compiles the `.flow` files directly in `dir` (not in its subfolders).
pub fn compile_beside(dir: &Path) -> CliResult<Loaded> {
    let program = files::load_parsed_files(&files::flow_files_beside(dir)?)?;
    finish(program, dir, dir.to_path_buf())
}

fn finish(program: files::ParsedProgram, path: &Path, dir: PathBuf) -> CliResult<Loaded> {
    let (sources, compiled) = program.compile(&fluxo_compiler::CompileOptions::default());
    let errors = compiled.diagnostics.iter().any(|it| it.is_error());
    match compiled.program {
        Some(program) if !errors => Ok(Loaded { program, dir }),
        _ => {
            crate::report::print(&sources, &compiled.diagnostics, crate::report::Format::Text);
            Err(CliError(format!("{} does not compile", path.display())))
        }
    }
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

/// Where a conversation's simulated world comes from.
#[derive(Default)]
pub struct World<'a> {
    /// The ERP fixture named by `@erp` or `--fixture`; else `erp-demo.json` next to
    /// the program is used when present.
    pub erp_fixture: Option<&'a Path>,
    /// A program that calls an ERP needs a fixture (`fluxo run` without `--erp`): its
    /// absence is an error rather than an ERP that answers nothing.
    pub erp_required: bool,
    /// Scripts run for real (`fluxo run --config`): no simulated Low Code world.
    pub real_lowcode: bool,
    /// `@lowcode` records, which answer before the simulated world and the scripts.
    pub canned: &'a [(String, Result<String, String>)],
}

/// The host: the ERP fixture, the canned Low Code results, the simulated Low Code
/// world (`lowcode-demo.json` next to the program), and the program's scripts, which
/// may reach the hosts the `[lowcode]` table of `fluxo.toml` in the program's folder
/// allows.
pub fn host(loaded: &Loaded, world: &World) -> CliResult<Host> {
    let fixture = match world.erp_fixture {
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
        None if world.erp_required && loaded.program.erp.is_some() => {
            return Err(CliError(format!(
                "the program calls an ERP but there is no fixture: put {DEFAULT_FIXTURE} in {}, \
                 or pass --fixture FILE, or --erp NAME --config fluxo.toml for a real one",
                loaded.dir.display()
            )))
        }
        None => None,
    };
    let mut canned = HashMap::new();
    for (script, outcome) in world.canned {
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
        files::read_text(&loaded.dir.join(path), files::INPUT)
            .map_err(|err| format!("cannot read it: {err}"))
    })
    .map_err(|err| CliError(err.to_string()))?;
    let lowcode_fixture = loaded.dir.join(LOWCODE_FIXTURE);
    if !world.real_lowcode && lowcode_fixture.is_file() {
        let text = files::read(&lowcode_fixture)?;
        host.simulated_lowcode = Some(
            SimulatedLowcode::from_json(&text)
                .map_err(|err| CliError(format!("{}: {err}", lowcode_fixture.display())))?,
        );
    }
    let config = loaded.dir.join(CONFIG_FILE);
    if config.is_file() {
        host.lowcode_config = lowcode_config(&config)?;
    }
    Ok(host)
}

/// The `[lowcode]` settings of a `fluxo.toml`.
pub fn lowcode_config(path: &Path) -> CliResult<LowcodeConfig> {
    lowcode_settings(&files::read_config(path)?)
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

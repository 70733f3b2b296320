//! `fluxo serve PATH`: the production runtime. Loads the program (flow sources are
//! compiled; a `.fxb` is verified), builds the world its host calls reach (the
//! simulated ERP of `erp-demo.json` next to the program unless `--config` configures
//! another, the program's Low Code scripts, the offline intent classifier: the same
//! host `fluxo run` and `fluxo test` use, so served transcripts equal theirs) and hands
//! both to `fluxo-server`. The first line on stdout is `listening on http://ADDR`.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, RwLock};

use fluxo_host::erp::config;
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock::{self, Timestamp};
use fluxo_runtime::session::{HostCall, HostResult};
use fluxo_server::config::ServerConfig;
use fluxo_server::store::Spec;
use fluxo_server::{Options, Settings, World};

use crate::chat::format::Headers;
use crate::chat::host::Host;
use crate::chat::setup::{self, Loaded};
use crate::files::{self, CliError, CliResult};

/// Serve a program over HTTP, durably (docs/server.md).
#[derive(clap::Args)]
pub struct Args {
    /// A .flow file, a folder of them, or a built .fxb.
    path: PathBuf,
    /// The address to listen on (default: `listen` of [server], else 127.0.0.1:8080);
    /// port 0 takes a free port. Off loopback the config must name an API token.
    #[arg(long)]
    listen: Option<String>,
    /// The data folder, holding the SQLite store (default: `data` of [server], else
    /// ./.fluxo).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The store: a PostgreSQL URL, postgres://user@host/database, that several
    /// `fluxo serve` processes share (default: `store` of [server], else the data
    /// folder's SQLite file).
    #[arg(long)]
    store: Option<String>,
    /// The opening clock of every new conversation, RFC 3339; it then advances with
    /// real time (default: the wall clock).
    #[arg(long)]
    now: Option<String>,
    /// A fluxo.toml: its [server] table, its [handoff] table (url, notify_url), its
    /// [channels.whatsapp] and [channels.telegram] tables (docs/server.md lists every
    /// key), its [lowcode] table and its [erp] table (a real ERP, or the simulated one
    /// with a fixture). Secrets come from the environment variables it names.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The simulated ERP's fixture (default: erp-demo.json next to the program).
    #[arg(long)]
    fixture: Option<PathBuf>,
}

pub fn run(args: Args) -> CliResult<ExitCode> {
    let server = match &args.config {
        Some(path) => ServerConfig::parse(&files::read_config(path)?)
            .map_err(|err| CliError(format!("{}: {err}", path.display())))?,
        None => ServerConfig::default(),
    };
    let mut settings = Settings::new(setup::context(&Headers::default())?);
    if let Some(path) = &args.config {
        server
            .apply(&mut settings, &|var| std::env::var(var).ok())
            .map_err(|err| CliError(format!("{}: {err}", path.display())))?;
    }
    if let Some(now) = &args.now {
        settings.now = Some(clock::parse_rfc3339(now).ok_or_else(|| {
            CliError(format!(
                "--now: `{now}` is not an RFC 3339 instant (2026-11-23T10:00:00-03:00)"
            ))
        })?);
    }
    let listen_text = args
        .listen
        .clone()
        .or(server.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listen: SocketAddr = listen_text.parse().map_err(|_| {
        CliError(format!(
            "--listen: `{listen_text}` is not an address with a port (127.0.0.1:8080)"
        ))
    })?;
    let data = args
        .data
        .clone()
        .or(server.data.as_ref().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(".fluxo"));
    let store = args.store.clone().or(server.store.clone());
    if let Some(url) = &store {
        // A SQLite store is the data folder's (one server per folder, locked).
        if !matches!(Spec::parse(url), Ok(Spec::Postgres(_))) {
            return Err(CliError(format!(
                "--store: `{}` is not a PostgreSQL URL (postgres://user@host/database)",
                fluxo_server::store::postgres::without_password(url)
            )));
        }
    }
    let loaded = if files::is_fxb(&args.path) {
        let dir = args
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Loaded {
            program: files::load_fxb(&args.path)?,
            dir,
        }
    } else {
        setup::compile(&args.path)?
    };
    let world = CliWorld {
        dir: loaded.dir.clone(),
        fixture: args.fixture.clone(),
        config: args.config.clone(),
        hosts: RwLock::new(HashMap::new()),
    };
    // Fail now, with the CLI's message, rather than inside the server.
    world.host_for(&loaded.program)?;
    let options = Options {
        listen,
        data,
        store,
        program: loaded.program.to_bytes(),
        settings,
    };
    fluxo_server::run(options, Arc::new(world), |bound| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{bound}");
        let _ = out.flush();
    })
    .map_err(|err| CliError(err.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

/// The CLI's host (`chat::host::Host`), one per program version, as the server's world.
struct CliWorld {
    dir: PathBuf,
    fixture: Option<PathBuf>,
    config: Option<PathBuf>,
    hosts: RwLock<HashMap<u64, Arc<Host>>>,
}

impl CliWorld {
    /// A host for `program`: its scripts (read beside the program), the fixture, and
    /// what the config file configures.
    fn host_for(&self, program: &Program) -> CliResult<Arc<Host>> {
        let loaded = Loaded {
            program: program.clone(),
            dir: self.dir.clone(),
        };
        // As `fluxo run`: the simulated world unless the config names real systems.
        let world = setup::World {
            erp_fixture: self.fixture.as_deref(),
            erp_required: self.config.is_none(),
            real_lowcode: self.config.is_some(),
            canned: &[],
        };
        let mut host = setup::host(&loaded, &world)?;
        if let Some(path) = &self.config {
            host.lowcode_config = setup::lowcode_config(path)?;
            let erp = config::parse(&files::read_config(path)?)
                .map_err(|err| CliError(format!("{}: {err}", path.display())))?;
            if let Some(erp) = erp {
                setup::use_erp(&mut host, path, &erp)?;
            }
        }
        Ok(Arc::new(host))
    }
}

impl World for CliWorld {
    fn load(&self, hash: u64, program: &Program) -> Result<(), String> {
        let host = self.host_for(program).map_err(|err| err.to_string())?;
        self.hosts
            .write()
            .unwrap_or_else(|it| it.into_inner())
            .insert(hash, host);
        Ok(())
    }

    fn answer(&self, hash: u64, call: &HostCall, now: Timestamp) -> (HostResult, Vec<String>) {
        let host = self
            .hosts
            .read()
            .unwrap_or_else(|it| it.into_inner())
            .get(&hash)
            .cloned();
        match host {
            // `fluxo run` shows the notes (a script's log, why it failed) beside the
            // chat; a server has no chat, so they go to its log.
            Some(host) => host.answer(call, now),
            None => (
                HostResult::Erp(Err(fluxo_host::erp::ErpError::Unavailable {
                    detail: "the program version was not loaded".into(),
                })),
                Vec::new(),
            ),
        }
    }
}

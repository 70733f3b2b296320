//! `fluxo serve`: the production runtime. Conversations arrive over HTTP (the generic
//! channel, `http`), are stored durably before they are acknowledged (`store`, through
//! the group committer `commit`), and run one turn per commit with strictly ordered
//! turns per conversation (`engine`); timers, outbound deliveries, recovery sweeps and
//! retention run as background loops (`loops`). What operators watch is counted from
//! each turn's committed stats: `/metrics` (`metrics`) and the report of a period read
//! from the store (`report`). docs/server.md is the user's guide and
//! lists the guarantees and the tests that hold them.
//!
//! The server runs compiled programs and never compiles: the CLI hands it a `.fxb`,
//! and a [`World`] that answers host calls (the simulated ERP by default).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod channels;
pub mod commit;
pub mod config;
pub mod engine;
pub mod http;
pub mod log;
pub mod loops;
pub mod metrics;
pub mod report;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock::Timestamp;
use fluxo_runtime::session::{Context, HostCall, HostResult};

use crate::engine::Engine;
use crate::metrics::Metrics;

/// What answers a conversation's host calls (ERP, Low Code, intent, agent). Blocking:
/// the server calls it from its worker threads, never from an async one.
pub trait World: Send + Sync + 'static {
    /// Gets ready for the program with source hash `hash` (say, compiles its Low Code
    /// scripts). Called once per program version, before its first conversation.
    fn load(&self, hash: u64, program: &Program) -> Result<(), String>;
    /// Answers `call` for a conversation on program `hash`, whose clock reads `now`,
    /// with the notes the answer leaves for the log (a script's log lines, why it or an
    /// ERP call failed): the server logs them under the conversation, masked, in its
    /// `log_format`.
    fn answer(&self, hash: u64, call: &HostCall, now: Timestamp) -> (HostResult, Vec<String>);
}

/// How the server behaves; `config::ServerConfig` and the CLI's flags fill it in.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The context of every new conversation before its message says more (company,
    /// default contact, protocol).
    pub context: Context,
    /// `--now`: the opening clock of every new conversation (it then advances with
    /// real time); the wall clock when `None`.
    pub now: Option<Timestamp>,
    /// A customer who does not answer for this long ends the conversation.
    pub inactivity_secs: u64,
    /// Where the bot's outputs are POSTed (the outbox); none: only `?wait=true` and
    /// the transcript give them.
    pub webhook: Option<String>,
    /// Where a hand-off record is POSTed on every `transfer` (`[handoff] url`).
    pub handoff: Option<String>,
    /// Where a `notify` card's message is POSTed (`[handoff] notify_url`).
    pub notify: Option<String>,
    /// `[channels.whatsapp]`, when configured.
    pub whatsapp: Option<channels::WhatsAppSettings>,
    /// `[channels.telegram]`, when configured.
    pub telegram: Option<channels::TelegramSettings>,
    /// Per HTTP call to the webhook, the hand-off URL or a platform.
    pub webhook_timeout_secs: u64,
    /// How long `?wait=true` waits for the turn.
    pub wait_timeout_secs: u64,
    /// Inbound messages per conversation per minute; more are refused with 429.
    pub messages_per_minute: u32,
    pub max_body_bytes: usize,
    /// Finished conversations are deleted after this long.
    pub retention_secs: u64,
    /// The bearer token of the generic API; `None`: no token (loopback only).
    pub api_token: Option<String>,
    /// The bearer token of the admin API; `None`: the admin API is off.
    pub admin_token: Option<String>,
    pub json_logs: bool,
}

impl Settings {
    /// The defaults of docs/server.md around `context`.
    pub fn new(context: Context) -> Settings {
        Settings {
            context,
            now: None,
            inactivity_secs: 24 * 3600,
            webhook: None,
            handoff: None,
            notify: None,
            whatsapp: None,
            telegram: None,
            webhook_timeout_secs: 10,
            wait_timeout_secs: 30,
            messages_per_minute: 120,
            max_body_bytes: 64 * 1024,
            retention_secs: 30 * 24 * 3600,
            api_token: None,
            admin_token: None,
            json_logs: false,
        }
    }
}

/// Why the server did not start or stopped; in English, one line.
#[derive(Debug)]
pub struct ServerError(pub String);

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServerError {}

/// What to serve, where.
pub struct Options {
    pub listen: SocketAddr,
    /// The data folder (the SQLite file is `fluxo.db` in it).
    pub data: PathBuf,
    /// A store URL (`store::Spec::parse`), in practice PostgreSQL's: the store several
    /// processes share, instead of the data folder's SQLite file (the data folder is
    /// then not used).
    pub store: Option<String>,
    /// The program to serve, as `.fxb` bytes: stored as a version and made the newest.
    pub program: Vec<u8>,
    pub settings: Settings,
}

/// Runs the server until Ctrl-C (or SIGTERM). `ready` is called with the bound address
/// once the server accepts connections; a caller prints it.
pub async fn serve(
    options: Options,
    world: Arc<dyn World>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let Options {
        listen,
        data,
        store,
        program,
        settings,
    } = options;
    if !listen.ip().is_loopback() && settings.api_token.is_none() {
        return Err(ServerError(format!(
            "{listen} is not a loopback address: the API needs a token there; set \
             `api_token_env` in the [server] table of the config to the name of the \
             environment variable that holds it"
        )));
    }
    // One server per data folder: two would both run its conversations. Held until
    // this function returns; the system drops it when the process dies. PostgreSQL
    // takes several: claims on conversations keep their turns apart.
    let (spec, _lock) = match store {
        Some(url) => (
            store::Spec::parse(&url).map_err(|e| ServerError(e.to_string()))?,
            None,
        ),
        None => {
            std::fs::create_dir_all(&data)
                .map_err(|e| ServerError(format!("{}: cannot create it: {e}", data.display())))?;
            (
                store::Spec::Sqlite(data.join("fluxo.db")),
                Some(lock(&data)?),
            )
        }
    };
    let engine = tokio::task::spawn_blocking(move || -> Result<Arc<Engine>, ServerError> {
        let store = store::open(&spec).map_err(|e| ServerError(e.to_string()))?;
        let engine = Engine::new(store, world, settings, Arc::new(Metrics::default()))
            .map_err(|e| ServerError(e.to_string()))?;
        engine
            .publish(&program)
            .map_err(|e| ServerError(e.to_string()))?;
        Ok(engine)
    })
    .await
    .map_err(|e| ServerError(format!("the server could not start: {e}")))??;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| ServerError(format!("cannot listen on {listen}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| ServerError(format!("cannot listen on {listen}: {e}")))?;
    loops::start(&engine);
    ready(bound);
    engine.log.info(None, &format!("serving on http://{bound}"));
    axum::serve(listener, http::router(Arc::clone(&engine)))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| ServerError(format!("the HTTP server failed: {e}")))
}

fn lock(data: &std::path::Path) -> Result<std::fs::File, ServerError> {
    let path = data.join("fluxo.lock");
    let file = std::fs::File::create(&path)
        .map_err(|e| ServerError(format!("{}: {e}", path.display())))?;
    file.try_lock().map_err(|_| {
        ServerError(format!(
            "{}: another fluxo serve is using this data folder",
            data.display()
        ))
    })?;
    Ok(file)
}

/// [`serve`] on a runtime of its own, for a synchronous caller (the CLI).
pub fn run(
    options: Options,
    world: Arc<dyn World>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServerError(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(serve(options, world, ready))
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

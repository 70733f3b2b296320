//! Executing a session's host call: the ERP request, the Low Code script, the intent
//! classification. One async function does it for the driver; `BlockingHost` wraps the
//! same function for synchronous hosts (`fluxo run`, `fluxo test`), so both answer a
//! call identically.
//!
//! Every failure becomes the `HostResult` error the VM turns into the card's fail path,
//! plus one log line saying why. This module knows nothing about conversations'
//! scheduling or the VM's internals.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::log::{Level, LogRecord, LogSink};
use super::scripts::{LoadedScript, Scripts};
use super::ConversationId;
use crate::erp::{ErpAdapter, ErpError, Request};
use crate::intent::{IntentClassifier, IntentOption, OfflineClassifier};
use crate::lowcode::{self, LowcodeConfig};
use fluxo_runtime::clock::{self, Timestamp};
use fluxo_runtime::session::{HostCall, HostResult};

/// The world a program's host calls reach. Cheap to clone (shared parts are `Arc`s).
#[derive(Clone)]
pub struct Hosts {
    pub erp: Arc<dyn ErpAdapter>,
    /// Classifies free text for `intent` and AI-assisted choices. When it fails (an
    /// AI service down), the offline classifier answers instead.
    pub intent: Arc<dyn IntentClassifier>,
    /// The deployment's Low Code settings; `today` is set per run from the
    /// conversation clock.
    pub lowcode: Arc<LowcodeConfig>,
    pub scripts: Arc<Scripts>,
}

impl Hosts {
    /// `erp` with the offline intent classifier, no script and the default Low Code
    /// settings (which allow no host).
    pub fn new(erp: Arc<dyn ErpAdapter>) -> Hosts {
        Hosts {
            erp,
            intent: Arc::new(OfflineClassifier::default()),
            lowcode: Arc::new(LowcodeConfig::default()),
            scripts: Arc::new(Scripts::default()),
        }
    }

    pub fn with_intent(self, intent: Arc<dyn IntentClassifier>) -> Hosts {
        Hosts { intent, ..self }
    }

    pub fn with_lowcode(self, lowcode: LowcodeConfig) -> Hosts {
        Hosts {
            lowcode: Arc::new(lowcode),
            ..self
        }
    }

    pub fn with_scripts(self, scripts: Scripts) -> Hosts {
        Hosts {
            scripts: Arc::new(scripts),
            ..self
        }
    }
}

/// Executes `call` for the conversation `id`, whose clock reads `now`. Never fails:
/// a failure is the result's error, logged once through `log`.
pub async fn execute(
    call: &HostCall,
    hosts: &Hosts,
    now: Timestamp,
    id: &ConversationId,
    log: &dyn LogSink,
) -> HostResult {
    match call {
        HostCall::Erp { request } => HostResult::Erp(erp(hosts, request, now, id, log).await),
        HostCall::Lowcode {
            script,
            input,
            timeout_secs,
            ..
        } => {
            HostResult::Lowcode(script_run(hosts, script, input, *timeout_secs, now, id, log).await)
        }
        HostCall::Intent { text, intents, .. } => {
            HostResult::Intent(intent(hosts, text, intents, id, log).await)
        }
        HostCall::Agent { agent, .. } => {
            // No virtual-agent client yet: the answer counts as a wrong one.
            log.record(LogRecord::new(
                id,
                Level::Info,
                format!(
                    "agent `{agent}`: no virtual agent is configured; the answer is a wrong one"
                ),
            ));
            HostResult::Agent(None)
        }
    }
}

/// Runs on the conversation's day, so dates an adapter fills in (an unlock's end) come
/// from the conversation's clock (`--now`, a transcript's `@now`), not the wall clock.
async fn erp(
    hosts: &Hosts,
    request: &Request,
    now: Timestamp,
    id: &ConversationId,
    log: &dyn LogSink,
) -> Result<crate::erp::Response, ErpError> {
    let today = fluxo_runtime::clock::local(now).date;
    let result = crate::erp::on_conversation_day(today, hosts.erp.call(request.clone())).await;
    if let Err(error) = &result {
        let (level, consequence) = if error.is_infrastructure() {
            (Level::Warn, "; the card takes its fail path")
        } else {
            (Level::Info, "")
        };
        let message = format!(
            "erp {} ({}): {error}{consequence}",
            request.op(),
            hosts.erp.system().name()
        );
        log.record(LogRecord::new(id, level, message));
    }
    result
}

async fn script_run(
    hosts: &Hosts,
    name: &str,
    input: &Map<String, Value>,
    timeout_secs: u64,
    now: Timestamp,
    id: &ConversationId,
    log: &dyn LogSink,
) -> Result<Map<String, Value>, String> {
    let report = match hosts.scripts.get(name) {
        Some(script) => {
            let script = script.clone();
            let config = Arc::clone(&hosts.lowcode);
            let input = input.clone();
            let run = move || run_script(&script, input, timeout_secs, now, &config);
            tokio::task::spawn_blocking(run)
                .await
                .unwrap_or_else(|error| ScriptReport {
                    result: Err(format!("the script's thread failed: {error}")),
                    log: Vec::new(),
                })
        }
        None => ScriptReport {
            result: Err("the script was not loaded with the program".into()),
            log: Vec::new(),
        },
    };
    for line in &report.log {
        log.record(LogRecord::new(
            id,
            Level::Info,
            format!("lowcode `{name}`: {line}"),
        ));
    }
    if let Err(reason) = &report.result {
        log.record(LogRecord::new(
            id,
            Level::Warn,
            format!("lowcode `{name}`: {reason}; the card takes its fail path"),
        ));
    }
    report.result
}

/// What one script run produced, as the `lowcode` card's host result wants it.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptReport {
    /// The record, checked against the script's declaration, or why the card fails.
    pub result: Result<Map<String, Value>, String>,
    /// What the script printed, in order.
    pub log: Vec<String>,
}

/// Runs `script` with the conversation's variables as `input`, under `config`'s limits
/// and within `timeout_secs`, with `today()` reading the conversation clock `now`, and
/// checks the record it returns. Blocking: async code calls it through
/// `spawn_blocking` (as `execute` does); the CLI calls it directly.
pub fn run_script(
    script: &LoadedScript,
    input: Map<String, Value>,
    timeout_secs: u64,
    now: Timestamp,
    config: &LowcodeConfig,
) -> ScriptReport {
    let mut config = config.clone();
    config.today = Some(clock::local(now).date);
    let outcome = lowcode::run(
        &script.compiled,
        input,
        Duration::from_secs(timeout_secs),
        &config,
    );
    let result = outcome.result.and_then(|record| {
        lowcode::validate_record(&record, &script.fields)?;
        Ok(record)
    });
    ScriptReport {
        result: result.map_err(|error| error.to_string()),
        log: outcome.log,
    }
}

async fn intent(
    hosts: &Hosts,
    text: &str,
    intents: &[String],
    id: &ConversationId,
    log: &dyn LogSink,
) -> Option<usize> {
    let options: Vec<IntentOption> = intents.iter().map(IntentOption::new).collect();
    match hosts.intent.classify(text, &options).await {
        Ok(answer) => answer.choice,
        Err(error) => {
            log.record(LogRecord::new(
                id,
                Level::Warn,
                format!("intent: the classifier failed ({error}); the offline classifier answers"),
            ));
            OfflineClassifier::default()
                .classify_now(text, &options)
                .choice
        }
    }
}

/// Host calls for a synchronous host: the CLI's `run` and `test` loops. Owns a small
/// tokio runtime to drive the same `execute` the async driver uses.
pub struct BlockingHost {
    runtime: tokio::runtime::Runtime,
    hosts: Hosts,
}

impl BlockingHost {
    pub fn new(hosts: Hosts) -> std::io::Result<BlockingHost> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(BlockingHost { runtime, hosts })
    }

    pub fn hosts(&self) -> &Hosts {
        &self.hosts
    }

    /// Executes `call` and returns its result; blocks until it is done. Must not be
    /// called from inside an async runtime.
    pub fn execute(
        &self,
        call: &HostCall,
        now: Timestamp,
        id: &ConversationId,
        log: &dyn LogSink,
    ) -> HostResult {
        self.runtime
            .block_on(execute(call, &self.hosts, now, id, log))
    }
}

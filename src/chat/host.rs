//! The host `fluxo run` and `fluxo test` answer a session's host calls with: the
//! simulated ERP (from a fixture) or, with `fluxo run --erp`, a real one; canned Low
//! Code records, else the program's scripts run for real; and the offline intent
//! classifier. How outputs and host calls read as transcript lines is
//! `fluxo_host::transcript`, shared with `fluxo serve`.

use std::collections::HashMap;

use fluxo_host::driver::{self, BlockingHost, ConversationId, Scripts, StderrLog};
use fluxo_host::erp::{ErpError, SimulatedErp};
use fluxo_host::intent::{IntentOption, OfflineClassifier};
use fluxo_host::lowcode::LowcodeConfig;
use fluxo_runtime::clock;
use fluxo_runtime::session::{HostCall, HostResult};
use serde_json::{Map, Value};

/// Answers host calls; without a real ERP, only scripts reach the network.
pub struct Host {
    pub erp: Option<SimulatedErp>,
    /// A real ERP (`fluxo run --erp`), answering ERP calls instead of `erp`.
    pub real_erp: Option<BlockingHost>,
    /// Script name → the record it returns or why it fails.
    pub lowcode: HashMap<String, Result<Map<String, Value>, String>>,
    /// The program's scripts, run for real when no canned record is given.
    pub scripts: Scripts,
    /// Where scripts may connect (`[lowcode]` of `fluxo.toml`; nowhere by default).
    pub lowcode_config: LowcodeConfig,
    /// What the AI virtual agent replies (`@agent`); `None`: it has no reply.
    pub agent_reply: Option<String>,
    classifier: OfflineClassifier,
}

/// The offline virtual agent's reply when no `@agent` header gives one.
pub const OFFLINE_AGENT_REPLY: &str = "Sou o assistente virtual e ainda não sei responder a isso por aqui. Escolha uma das opções abaixo, por favor.";

impl Host {
    pub fn new(
        erp: Option<SimulatedErp>,
        lowcode: HashMap<String, Result<Map<String, Value>, String>>,
    ) -> Host {
        Host {
            erp,
            real_erp: None,
            lowcode,
            scripts: Scripts::default(),
            lowcode_config: LowcodeConfig::default(),
            agent_reply: Some(OFFLINE_AGENT_REPLY.to_string()),
            classifier: OfflineClassifier::default(),
        }
    }

    /// The result of `call`, with the conversation clock at `now`.
    pub fn answer(&self, call: &HostCall, now: clock::Timestamp) -> HostResult {
        match call {
            HostCall::Erp { request } => match &self.real_erp {
                // Failures are logged on stderr, CPF/CNPJ masked.
                Some(real) => real.execute(call, now, &ConversationId::from("cli"), &StderrLog),
                None => HostResult::Erp(match &self.erp {
                    Some(erp) => erp.handle(request, clock::today(now)),
                    None => Err(ErpError::Unavailable {
                        detail: "no ERP fixture (use @erp or --fixture)".into(),
                    }),
                }),
            },
            HostCall::Lowcode {
                script,
                input,
                timeout_secs,
                ..
            } => HostResult::Lowcode(match (self.lowcode.get(script), self.scripts.get(script)) {
                (Some(canned), _) => canned.clone(),
                (None, Some(loaded)) => {
                    let report = driver::run_script(
                        loaded,
                        input.clone(),
                        *timeout_secs,
                        now,
                        &self.lowcode_config,
                    );
                    for line in report.log.iter().chain(report.result.as_ref().err()) {
                        eprintln!("lowcode `{script}`: {}", driver::mask_documents(line));
                    }
                    report.result
                }
                (None, None) => Err(format!(
                    "the script `{script}` was not loaded (use @lowcode)"
                )),
            }),
            HostCall::Intent { text, intents, .. } => {
                let options: Vec<IntentOption> = intents.iter().map(IntentOption::new).collect();
                HostResult::Intent(self.classifier.classify_now(text, &options).choice)
            }
            HostCall::Agent { .. } => HostResult::Agent(self.agent_reply.clone()),
        }
    }
}

pub use fluxo_host::transcript::{call_line, output_lines};

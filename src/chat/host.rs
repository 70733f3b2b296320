//! The host `fluxo run` and `fluxo test` answer a session's host calls with: the
//! simulated ERP (from a fixture) or, with `fluxo run --erp`, a real one; canned Low
//! Code records, else the simulated Low Code world (from a fixture), else the
//! program's scripts run for real; and the offline intent classifier. How outputs and
//! host calls read as transcript lines is `fluxo_host::transcript`, shared with
//! `fluxo serve`.

use std::collections::HashMap;

use fluxo_host::driver::{self, BlockingHost, ConversationId, MemoryLog, Scripts};
use fluxo_host::erp::{ErpError, SimulatedErp};
use fluxo_host::intent::{IntentOption, OfflineClassifier};
use fluxo_host::lowcode::{LowcodeConfig, SimulatedLowcode};
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
    /// What scripts read from the systems they scrape, when no canned record is given.
    pub simulated_lowcode: Option<SimulatedLowcode>,
    /// The program's scripts, run for real when neither of the above answers.
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
            simulated_lowcode: None,
            scripts: Scripts::default(),
            lowcode_config: LowcodeConfig::default(),
            agent_reply: Some(OFFLINE_AGENT_REPLY.to_string()),
            classifier: OfflineClassifier::default(),
        }
    }

    /// The result of `call`, with the conversation clock at `now`, and what the host has
    /// to say besides the conversation (a script's log and failure, a real ERP's failed
    /// call), for the caller to show apart from the bot's messages. They are returned,
    /// not kept, so that conversations sharing a host (`fluxo serve`) each get their own.
    pub fn answer(&self, call: &HostCall, now: clock::Timestamp) -> (HostResult, Vec<String>) {
        let mut notes = Vec::new();
        let result = match call {
            HostCall::Erp { request } => match &self.real_erp {
                Some(real) => {
                    let log = MemoryLog::default();
                    let result = real.execute(call, now, &ConversationId::from("cli"), &log);
                    notes.extend(log.take().iter().map(|record| record.message.clone()));
                    result
                }
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
            } => HostResult::Lowcode(self.lowcode_answer(
                script,
                input,
                *timeout_secs,
                now,
                &mut notes,
            )),
            HostCall::Intent { text, intents, .. } => {
                let options: Vec<IntentOption> = intents.iter().map(IntentOption::new).collect();
                HostResult::Intent(self.classifier.classify_now(text, &options).choice)
            }
            HostCall::Agent { .. } => HostResult::Agent(self.agent_reply.clone()),
        };
        (result, notes)
    }
}

pub use fluxo_host::transcript::{call_line, output_lines};

impl Host {
    fn lowcode_answer(
        &self,
        script: &str,
        input: &Map<String, Value>,
        timeout_secs: u64,
        now: clock::Timestamp,
        notes: &mut Vec<String>,
    ) -> Result<Map<String, Value>, String> {
        if let Some(canned) = self.lowcode.get(script) {
            return canned.clone();
        }
        let Some(loaded) = self.scripts.get(script) else {
            return Err(format!(
                "the script `{script}` was not loaded (use @lowcode)"
            ));
        };
        let simulated = self.simulated_lowcode.as_ref();
        if let Some(answer) = simulated.and_then(|it| it.answer(script, input, &loaded.fields)) {
            if let Err(why) = &answer {
                notes.push(format!("lowcode `{script}` (simulated): {why}"));
            }
            return answer;
        }
        let report = driver::run_script(
            loaded,
            input.clone(),
            timeout_secs,
            now,
            &self.lowcode_config,
        );
        for line in report.log.iter().chain(report.result.as_ref().err()) {
            notes.push(format!(
                "lowcode `{script}`: {}",
                fluxo_stdlib::mask::mask(line)
            ));
        }
        report.result
    }
}

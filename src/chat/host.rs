//! The host `fluxo run` and `fluxo test` answer a session's host calls with: the
//! simulated ERP (from a fixture) or, with `fluxo run --erp`, a real one; canned Low
//! Code records, else the program's scripts run for real; and the offline intent
//! classifier. Also how effects and host calls read as transcript `=` lines.

use std::collections::HashMap;

use fluxo_host::driver::{self, BlockingHost, ConversationId, Scripts, StderrLog};
use fluxo_host::erp::{ErpError, Request, SimulatedErp};
use fluxo_host::intent::{IntentOption, OfflineClassifier};
use fluxo_host::lowcode::LowcodeConfig;
use fluxo_runtime::clock;
use fluxo_runtime::session::{Effect, HostCall, HostResult, Output};
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
                        eprintln!("lowcode `{script}`: {}", fluxo_stdlib::mask::mask(line));
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

/// A transcript's lines for one output: a text's lines as `<`, anything else as `=`.
pub fn output_lines(output: &Output) -> Vec<(char, String)> {
    match output {
        Output::Text { text } => text
            .split('\n')
            .map(|line| ('<', line.to_string()))
            .collect(),
        Output::File { url, caption: None } => vec![('=', format!("file {url}"))],
        Output::File {
            url,
            caption: Some(caption),
        } => vec![('=', format!("file {url} caption: {caption}"))],
        Output::Audio { file } => vec![('=', format!("audio {file}"))],
        Output::Effect { effect } => vec![('=', effect_line(effect))],
    }
}

fn effect_line(effect: &Effect) -> String {
    match effect {
        Effect::Tag { tag } => format!("tag {tag}"),
        Effect::Transfer {
            department,
            attendant: None,
        } => format!("transfer {department}"),
        Effect::Transfer {
            department,
            attendant: Some(attendant),
        } => format!("transfer {department} attendant {attendant}"),
        Effect::Notify { group, text } => format!("notify {group}: {text}"),
        Effect::OptOut => "optout".into(),
        Effect::End => "end".into(),
        Effect::Describe { text } => format!("describe {text}"),
        Effect::Link {
            customer_id, name, ..
        } => format!("link {customer_id} {name}"),
        Effect::Template { template } => format!("template {template}"),
        Effect::ForwardCall {
            number,
            route: None,
        } => format!("forward_call {number}"),
        Effect::ForwardCall {
            number,
            route: Some(route),
        } => format!("forward_call {number} route {route}"),
        Effect::Rating { target, value } => format!("rating {target} {value}"),
    }
}

/// The `=` line of a host call: `erp <op> <args>`, `lowcode <script>`, `intent <text>`.
pub fn call_line(call: &HostCall) -> String {
    match call {
        HostCall::Erp { request } => {
            let args = match request {
                Request::FindCustomerByDocument { document } => vec![document.clone()],
                Request::FindCustomerByPhone { phone } => vec![phone.clone()],
                Request::ListContracts { customer_id } => vec![customer_id.clone()],
                Request::SecondCopy { contract_id }
                | Request::Invoice { contract_id }
                | Request::TrustUnlock { contract_id }
                | Request::ReleaseSpeed { contract_id }
                | Request::Diagnose { contract_id } => vec![contract_id.clone()],
                Request::ContractDocument { contract_id, phone }
                | Request::SignContract { contract_id, phone } => {
                    vec![contract_id.clone(), phone.clone()]
                }
                Request::ListTicketOptions => Vec::new(),
                Request::OpenTicket {
                    contract_id,
                    department,
                    subject,
                    ..
                } => vec![contract_id.clone(), department.clone(), subject.clone()],
                Request::Authenticate {
                    document, login, ..
                } => vec![document.clone(), login.clone(), "***".into()],
                Request::WifiPassword { contract_id, .. } => {
                    vec![contract_id.clone(), "***".into()]
                }
            };
            let mut line = format!("erp {}", request.op());
            for arg in args {
                line.push(' ');
                line.push_str(&arg);
            }
            line
        }
        HostCall::Lowcode { script, .. } => format!("lowcode {script}"),
        HostCall::Intent { text, .. } => format!("intent {text}"),
        HostCall::Agent { agent, text, .. } => format!("agent {agent} {text}"),
    }
}

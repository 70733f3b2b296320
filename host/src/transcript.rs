//! How a conversation reads as `.chat` transcript lines: each output as `<` (bot text)
//! or `=` (files, effects) lines, each host call as one `=` line, and a line as it is
//! printed when not on a terminal. `fluxo run`, `fluxo test` and `fluxo serve`'s
//! transcript endpoint all use these, so a served conversation's transcript is the
//! text `fluxo run` prints for the same messages.

use crate::erp::Request;
use fluxo_runtime::session::{Effect, HostCall, Output};

/// One transcript line as `fluxo run` prints it off a terminal: `mark text`, or the
/// mark alone for an empty text.
pub fn line(mark: char, text: &str) -> String {
    if text.is_empty() {
        mark.to_string()
    } else {
        format!("{mark} {text}")
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

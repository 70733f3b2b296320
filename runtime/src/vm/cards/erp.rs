//! The `erp.*` cards as small dialogues built from `erp::Request` host calls: identify
//! the customer (the CPF/CNPJ is asked unless the conversation is linked; one the ERP
//! does not know is a wrong answer), pick the contract (a menu when there are several),
//! then the action, which `erp_actions` hands to the card's own file.
//!
//! The card's sub-state is `CardState { phase, texts }`; the phases are the constants
//! below. Wrong answers count against the card's `retries`; an ERP that errs or does not
//! answer counts as the last try used up (`fail_message`, then `fail_flow`).

use fluxo_stdlib::builtins::{self, DOCUMENT_PROMPT};
use fluxo_stdlib::erp::{Diagnosis, ErpAction};
use fluxo_stdlib::validate;

use super::erp_texts as texts;
use super::menus::menu_text;
use super::registration::{customer_link, link_to};
use super::{host_result, message, Call, Cx};
use crate::erp::{ErpError, Missing, Refusal, Request, Response, Secret};
use crate::session::{HostCall, HostResult, Link, Output, Wait};
use crate::vm::answers::pick;
use crate::vm::{Input, Next};
use crate::{RuntimeError, Value};

pub(super) const START: u8 = 0;
pub(super) const ASKED_DOCUMENT: u8 = 1;
pub(super) const FINDING: u8 = 2;
pub(super) const LISTING: u8 = 3;
pub(super) const ASKED_CONTRACT: u8 = 4;
pub(super) const ACTING: u8 = 5;
pub(super) const ASKED_CONFIRM_1: u8 = 10;
pub(super) const ASKED_CONFIRM_2: u8 = 11;
pub(super) const SIGNING: u8 = 12;
pub(super) const ASKED_DEPARTMENT: u8 = 20;
pub(super) const ASKED_SUBJECT: u8 = 21;
pub(super) const OPENING: u8 = 22;
pub(super) const ASKED_WIFI: u8 = 30;
pub(super) const CHANGING_WIFI: u8 = 31;
pub(super) const ASKED_LOGIN: u8 = 40;
pub(super) const ASKED_PASSWORD: u8 = 41;
pub(super) const AUTHENTICATING: u8 = 42;

/// Runs the `erp.*` card `call.card`, whose action its catalogue entry names.
pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let action = call
        .card
        .spec()
        .erp_action
        .ok_or_else(|| cx.error(format!("`{}` is not an ERP card", call.card.name())))?;
    let phase = cx.s.card.phase;
    if let Some(HostResult::Erp(result)) = host_result(input) {
        if let Err(err) = result {
            if err.is_infrastructure() || matches!(err, ErpError::Unsupported { .. }) {
                return cx.fail_with(cx.fail(call.card, call.args)?);
            }
        }
        return match phase {
            FINDING => found_customer(cx, call, action, result),
            LISTING => listed_contracts(cx, call, action, result),
            ACTING | SIGNING | OPENING | CHANGING_WIFI | AUTHENTICATING => {
                super::erp_actions::result(cx, call, action, phase, result)
            }
            _ => Err(cx.error("an ERP result the card did not ask for")),
        };
    }
    let answer = message(cx, input);
    match (phase, answer) {
        (START, _) if action == ErpAction::Authenticate => {
            ask_document(cx, call, action)?;
            Ok(Next::Customer)
        }
        (START, _) => match cx.s.ctx.link.clone() {
            None => {
                ask_document(cx, call, action)?;
                Ok(Next::Customer)
            }
            Some(link) => with_customer(cx, call, action, &link),
        },
        (ASKED_DOCUMENT, Some(answer)) => match validate::document(&answer.text) {
            Ok(document) => {
                cx.s.card = crate::session::CardState {
                    phase: FINDING,
                    texts: vec![document.clone()],
                };
                Ok(erp_call(Request::FindCustomerByDocument { document }))
            }
            Err(_) => cx.wrong_answer(cx.retry(call.card, call.args)?, |cx| {
                ask_document(cx, call, action)
            }),
        },
        (ASKED_CONTRACT, Some(answer)) => {
            let (ids, labels) = split_pairs(&cx.s.card.texts);
            match pick(answer, &labels) {
                Some(idx) => {
                    let id = ids[idx].clone();
                    if action != ErpAction::SignContract {
                        remember_contract(cx, &id);
                    }
                    super::erp_actions::act(cx, call, action, id)
                }
                None => cx.wrong_answer(cx.retry(call.card, call.args)?, |cx| {
                    cx.say(menu_text(texts::CONTRACT_PROMPT, &labels));
                    Ok(())
                }),
            }
        }
        (
            ASKED_CONFIRM_1 | ASKED_CONFIRM_2 | ASKED_DEPARTMENT | ASKED_SUBJECT | ASKED_WIFI
            | ASKED_LOGIN | ASKED_PASSWORD,
            Some(answer),
        ) => super::erp_actions::answer(cx, call, action, phase, answer),
        _ => Err(cx.error("the ERP card was resumed with an event it does not wait for")),
    }
}

/// Asks for the CPF/CNPJ (the authenticate card's own first-phase text).
fn ask_document(cx: &mut Cx, call: Call, action: ErpAction) -> Result<(), RuntimeError> {
    let text = if action == ErpAction::Authenticate {
        cx.arg_text(call.card, call.args, "first_phase")?
            .unwrap_or_else(|| builtins::AUTH_FIRST_PHASE.to_string())
    } else {
        DOCUMENT_PROMPT.to_string()
    };
    cx.say(text);
    cx.s.card.phase = ASKED_DOCUMENT;
    cx.s.card.texts.clear();
    Ok(())
}

pub(crate) fn erp_call(request: Request) -> Next {
    Next::wait(Wait::Host(HostCall::Erp { request }))
}

fn found_customer(
    cx: &mut Cx,
    call: Call,
    action: ErpAction,
    result: &Result<Response, ErpError>,
) -> Result<Next, RuntimeError> {
    match result {
        Ok(Response::Customer(customer)) => {
            if action == ErpAction::Authenticate {
                cx.s.card.texts = vec![
                    customer.document.clone(),
                    customer.id.clone(),
                    customer.name.clone(),
                ];
                let text = cx
                    .arg_text(call.card, call.args, "second_phase")?
                    .unwrap_or_else(|| builtins::AUTH_SECOND_PHASE.to_string());
                cx.say(text);
                cx.s.card.phase = ASKED_LOGIN;
                return Ok(Next::Customer);
            }
            let link = customer_link(customer);
            link_to(cx, link.clone());
            with_customer(cx, call, action, &link)
        }
        Err(ErpError::NotFound { .. }) => {
            cx.s.card.phase = ASKED_DOCUMENT;
            cx.wrong_answer(cx.retry(call.card, call.args)?, |cx| {
                ask_document(cx, call, action)
            })
        }
        _ => cx.fail_with(cx.fail(call.card, call.args)?),
    }
}

/// The customer is known: act on the known contract, or list the contracts.
fn with_customer(
    cx: &mut Cx,
    call: Call,
    action: ErpAction,
    link: &Link,
) -> Result<Next, RuntimeError> {
    match (&link.contract_id, action) {
        (Some(contract), _) if action != ErpAction::SignContract => {
            super::erp_actions::act(cx, call, action, contract.clone())
        }
        _ => {
            cx.s.card.phase = LISTING;
            Ok(erp_call(Request::ListContracts {
                customer_id: link.customer_id.clone(),
            }))
        }
    }
}

fn listed_contracts(
    cx: &mut Cx,
    call: Call,
    action: ErpAction,
    result: &Result<Response, ErpError>,
) -> Result<Next, RuntimeError> {
    let contracts = match result {
        Ok(Response::Contracts { contracts }) => contracts.clone(),
        Err(ErpError::NotFound { .. }) => {
            cx.say(texts::NO_CONTRACT);
            return cx.fail_with(cx.fail(call.card, call.args)?);
        }
        _ => return cx.fail_with(cx.fail(call.card, call.args)?),
    };
    let contracts: Vec<_> = if action == ErpAction::SignContract {
        contracts
            .into_iter()
            .filter(|it| it.status == Diagnosis::AwaitingSignature)
            .collect()
    } else {
        contracts
    };
    match contracts.as_slice() {
        [] => {
            cx.say(texts::NOT_AWAITING);
            cx.bind(call.bind, Value::Bool(false))?;
            Ok(Next::Go(call.after))
        }
        [only] => {
            if action != ErpAction::SignContract {
                remember_contract(cx, &only.id);
            }
            super::erp_actions::act(cx, call, action, only.id.clone())
        }
        several => {
            let labels: Vec<String> = several.iter().map(texts::contract_label).collect();
            cx.say(menu_text(texts::CONTRACT_PROMPT, &labels));
            cx.s.card.phase = ASKED_CONTRACT;
            cx.s.card.texts = several
                .iter()
                .zip(&labels)
                .flat_map(|(contract, label)| [contract.id.clone(), label.clone()])
                .collect();
            Ok(Next::Customer)
        }
    }
}

/// Later ERP cards of the conversation act on this contract without asking again.
pub(crate) fn remember_contract(cx: &mut Cx, id: &str) {
    if let Some(link) = &mut cx.s.ctx.link {
        link.contract_id = Some(id.to_string());
    }
}

/// `[id, label, id, label, ...]` into ids and labels.
pub(crate) fn split_pairs(texts: &[String]) -> (Vec<String>, Vec<String>) {
    let ids = texts.iter().step_by(2).cloned().collect();
    let labels = texts.iter().skip(1).step_by(2).cloned().collect();
    (ids, labels)
}

pub(crate) fn secret(text: &str) -> Secret {
    Secret::new(text.to_string())
}

pub(crate) fn file(cx: &mut Cx, url: &str, caption: Option<String>) {
    cx.out.push(Output::File {
        url: url.to_string(),
        caption,
    });
}

pub(crate) fn refusal(err: &ErpError) -> Option<(Refusal, Option<time::Date>)> {
    match err {
        ErpError::Refused {
            reason,
            next_allowed,
            ..
        } => Some((*reason, *next_allowed)),
        _ => None,
    }
}

pub(crate) fn missing(err: &ErpError) -> Option<Missing> {
    match err {
        ErpError::NotFound { what } => Some(*what),
        _ => None,
    }
}

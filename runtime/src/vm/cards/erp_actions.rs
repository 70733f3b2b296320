//! The action part of each `erp.*` dialogue, once the customer and the contract are
//! known, routed to the card's own file (`erp_<action>.rs`): the request on the contract
//! (matched on `ErpAction`, so an action without one does not compile), the answers to
//! the card's own questions, and the messages each ERP answer becomes. The refusals,
//! which any action can meet, are handled here.

use fluxo_stdlib::builtins;
use fluxo_stdlib::erp::ErpAction;

use super::erp::{
    missing, refusal, ACTING, ASKED_LOGIN, ASKED_WIFI, AUTHENTICATING, CHANGING_WIFI,
};
use super::erp_texts as texts;
use super::{
    erp_authenticate, erp_diagnose, erp_invoice, erp_open_ticket, erp_release_speed,
    erp_second_copy, erp_sign_contract, erp_trust_unlock, erp_wifi_password, Call, Cx,
};
use crate::erp::{ErpError, Missing, Refusal, Response};
use crate::session::Message;
use crate::vm::Next;
use crate::{RuntimeError, Value};

/// Starts the action on `contract`; the contract id is kept as the first card text.
pub(super) fn act(
    cx: &mut Cx,
    call: Call,
    action: ErpAction,
    contract: String,
) -> Result<Next, RuntimeError> {
    cx.s.card.phase = ACTING;
    cx.s.card.texts = vec![contract.clone()];
    let contract_id = contract;
    match action {
        ErpAction::SecondCopy => Ok(erp_second_copy::request(contract_id)),
        ErpAction::Invoice => Ok(erp_invoice::request(contract_id)),
        ErpAction::TrustUnlock => Ok(erp_trust_unlock::request(contract_id)),
        ErpAction::ReleaseSpeed => Ok(erp_release_speed::request(contract_id)),
        ErpAction::Diagnose => Ok(erp_diagnose::request(contract_id)),
        ErpAction::SignContract => Ok(erp_sign_contract::request(cx, contract_id)),
        ErpAction::OpenTicket => Ok(erp_open_ticket::request()),
        ErpAction::WifiPassword => erp_wifi_password::ask(cx, call),
        // The dialogue authenticates once the customer is found (`erp.rs`, `ASKED_LOGIN`)
        // and never reaches a contract.
        ErpAction::Authenticate => Err(cx.error("`erp.authenticate` has no action on a contract")),
    }
}

/// A customer's answer to one of the action's own questions, asked in `phase`.
pub(super) fn answer(
    cx: &mut Cx,
    call: Call,
    action: ErpAction,
    phase: u8,
    answer: &Message,
) -> Result<Next, RuntimeError> {
    match action {
        ErpAction::SignContract => erp_sign_contract::answer(cx, call, phase, answer),
        ErpAction::OpenTicket => erp_open_ticket::answer(cx, call, phase, answer),
        ErpAction::WifiPassword => erp_wifi_password::answer(cx, call, answer),
        ErpAction::Authenticate => Ok(erp_authenticate::answer(cx, phase, answer)),
        // These ask nothing once the contract is known.
        ErpAction::SecondCopy
        | ErpAction::Invoice
        | ErpAction::TrustUnlock
        | ErpAction::ReleaseSpeed
        | ErpAction::Diagnose => {
            Err(cx.error("the ERP card was resumed with an event it does not wait for"))
        }
    }
}

/// What the ERP answered to the action's request, by the kind of answer.
pub(super) fn result(
    cx: &mut Cx,
    call: Call,
    action: ErpAction,
    phase: u8,
    result: &Result<Response, ErpError>,
) -> Result<Next, RuntimeError> {
    match result {
        Ok(Response::Bills { bills }) => erp_second_copy::bills(cx, call, bills),
        Ok(Response::Invoice(invoice)) => erp_invoice::invoice(cx, call, invoice),
        Ok(Response::Unlocked { until }) => erp_trust_unlock::unlocked(cx, call, *until),
        Ok(Response::SpeedReleased) => erp_release_speed::released(cx, call),
        Ok(Response::Diagnosis { diagnosis }) => erp_diagnose::diagnosed(cx, call, *diagnosis),
        Ok(Response::ContractDocument { document }) => {
            erp_sign_contract::document(cx, call, document)
        }
        Ok(Response::Signed) => erp_sign_contract::signed(cx, call),
        Ok(Response::TicketOptions {
            departments,
            subjects,
        }) => erp_open_ticket::options(cx, call, departments, subjects),
        Ok(Response::TicketOpened { protocol }) => erp_open_ticket::opened(cx, call, protocol),
        Ok(Response::WifiChanged) => erp_wifi_password::changed(cx, call),
        Ok(Response::Authenticated { customer_id }) => {
            erp_authenticate::authenticated(cx, call, customer_id)
        }
        Ok(_) => Err(cx.error(format!(
            "the ERP answered `erp.{}` with an unexpected response",
            action.name()
        ))),
        Err(err) => refused(cx, call, phase, err),
    }
}

/// The card is done: binds `value`, if any, and goes on after it.
pub(super) fn done(cx: &mut Cx, call: Call, value: Option<Value>) -> Result<Next, RuntimeError> {
    if let Some(value) = value {
        cx.bind(call.bind, value)?;
    }
    Ok(Next::Go(call.after))
}

/// A business refusal or a missing item: tell the customer and go on (a `false`
/// binding), or count a wrong answer where the customer's input was at fault.
fn refused(cx: &mut Cx, call: Call, phase: u8, err: &ErpError) -> Result<Next, RuntimeError> {
    let retry = cx.retry(call.card, call.args)?;
    let text = match (refusal(err), missing(err)) {
        (Some((Refusal::WrongCredentials, _)), _) if phase == AUTHENTICATING => {
            return ask_again(
                cx,
                call,
                retry,
                "second_phase",
                builtins::AUTH_SECOND_PHASE,
                ASKED_LOGIN,
            );
        }
        (Some((Refusal::InvalidPassword, _)), _) if phase == CHANGING_WIFI => {
            return ask_again(
                cx,
                call,
                retry,
                "password_prompt",
                builtins::WIFI_PASSWORD_PROMPT,
                ASKED_WIFI,
            );
        }
        (Some((Refusal::TrustUnlockUsed, next)), _) => texts::unlock_used(next),
        (Some((Refusal::NotBlocked, _)), _) => texts::NOT_BLOCKED.to_string(),
        (Some((Refusal::NotReduced, _)), _) => texts::NOT_REDUCED.to_string(),
        (Some((Refusal::ContractInactive, _)), _) => texts::INACTIVE.to_string(),
        (Some((Refusal::PhoneNotRegistered, _)), _) => texts::WRONG_PHONE.to_string(),
        (Some((Refusal::NotAwaitingSignature, _)), _) => texts::NOT_AWAITING.to_string(),
        (_, Some(Missing::OpenBill)) => texts::NO_OPEN_BILL.to_string(),
        (_, Some(Missing::Invoice)) => texts::NO_INVOICE.to_string(),
        (_, Some(Missing::Contract | Missing::Customer)) => texts::NO_CONTRACT.to_string(),
        // A ticket option the ERP does not have is the flow's mistake, not the
        // customer's: the fail path. Every other refusal, whatever its reason, is told.
        (_, Some(Missing::TicketOption)) => return cx.fail_with(retry.fail),
        _ => texts::DECLINED.to_string(),
    };
    cx.say(text);
    cx.bind(call.bind, Value::Bool(false))
        .or_else(|_| cx.bind(call.bind, Value::Text(String::new())))?;
    Ok(Next::Go(call.after))
}

/// A wrong answer to an action question: the invalid message and the card's own text.
pub(super) fn ask_again(
    cx: &mut Cx,
    call: Call,
    retry: crate::vm::cx::Retry,
    name: &str,
    default: &str,
    phase: u8,
) -> Result<Next, RuntimeError> {
    let text = param(cx, call, name, default)?;
    cx.s.card.phase = phase;
    cx.wrong_answer(retry, |cx| {
        cx.say(text);
        Ok(())
    })
}

pub(super) fn param(
    cx: &Cx,
    call: Call,
    name: &str,
    default: &str,
) -> Result<String, RuntimeError> {
    Ok(cx
        .arg_text(call.card, call.args, name)?
        .unwrap_or_else(|| cx.default_text(default)))
}

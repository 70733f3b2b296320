//! The cards that link the conversation to ERP registrations: `validate_document`
//! (ask a CPF/CNPJ that must exist), `auto_link` (by the contact's phone, never asks),
//! `account_add` (link another registration) and `account_switch` (pick among them).

use fluxo_stdlib::builtins::{ACCOUNT_ADD_PROMPT, ACCOUNT_SWITCH_PROMPT, DOCUMENT_PROMPT};
use fluxo_stdlib::validate;

use super::erp::{erp_call, link_to};
use super::{host_result, menu_text, message, Call, Cx};
use crate::erp::{ErpError, Request, Response};
use crate::session::{HostResult, Link};
use crate::vm::answers::pick;
use crate::vm::{Input, Next, RuntimeError, Value};

const FINDING: u8 = 1;

pub(super) fn validate_document(
    cx: &mut Cx,
    call: Call,
    input: Input,
) -> Result<Next, RuntimeError> {
    let question = cx
        .arg_text(call.card, call.args, "question")?
        .unwrap_or_else(|| DOCUMENT_PROMPT.to_string());
    ask_registration(cx, call, input, question)
}

pub(super) fn account_add(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    ask_registration(cx, call, input, ACCOUNT_ADD_PROMPT.to_string())
}

/// Asks for a CPF/CNPJ, looks it up and links the conversation to it; the previous
/// registration stays among the contact's accounts.
fn ask_registration(
    cx: &mut Cx,
    call: Call,
    input: Input,
    question: String,
) -> Result<Next, RuntimeError> {
    if let Some(HostResult::Erp(result)) = host_result(input) {
        return match result {
            Ok(Response::Customer(customer)) => {
                let link = Link {
                    customer_id: customer.id.clone(),
                    name: customer.name.clone(),
                    document: customer.document.clone(),
                    contract_id: None,
                    supplier: false,
                };
                // The registration linked before stays one of the contact's accounts,
                // and the one found is no longer among the others.
                let link = match cx.s.ctx.link.take() {
                    Some(previous) if previous.customer_id == link.customer_id => previous,
                    Some(previous) => {
                        cx.s.accounts.push(previous);
                        link
                    }
                    None => link,
                };
                cx.s.accounts
                    .retain(|it| it.customer_id != link.customer_id);
                link_to(cx, link);
                cx.bind(call.bind, Value::Text(customer.document.clone()))?;
                Ok(Next::Go(call.after))
            }
            Err(ErpError::NotFound { .. }) => {
                cx.s.card.phase = 0;
                cx.wrong_answer(cx.retry(call.card, call.args)?, |cx| {
                    cx.say(question);
                    Ok(())
                })
            }
            _ => cx.fail_with(cx.fail(call.card, call.args)?),
        };
    }
    let Some(answer) = message(cx, input) else {
        cx.say(question);
        return Ok(Next::Customer);
    };
    match validate::document(&answer.text) {
        Ok(document) => {
            cx.s.card.phase = FINDING;
            Ok(erp_call(Request::FindCustomerByDocument { document }))
        }
        Err(_) => cx.wrong_answer(cx.retry(call.card, call.args)?, |cx| {
            cx.say(question);
            Ok(())
        }),
    }
}

pub(super) fn auto_link(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    if let Some(HostResult::Erp(result)) = host_result(input) {
        if let Ok(Response::Customer(customer)) = result {
            link_to(
                cx,
                Link {
                    customer_id: customer.id.clone(),
                    name: customer.name.clone(),
                    document: customer.document.clone(),
                    contract_id: None,
                    supplier: false,
                },
            );
        }
        return Ok(Next::Go(call.after));
    }
    if cx.s.ctx.link.is_some() || cx.s.ctx.contact_phone().is_empty() {
        return Ok(Next::Go(call.after));
    }
    Ok(erp_call(Request::FindCustomerByPhone {
        phone: cx.s.ctx.contact_phone().to_string(),
    }))
}

pub(super) fn account_switch(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let mut all: Vec<Link> = cx.s.ctx.link.iter().cloned().collect();
    all.extend(cx.s.accounts.iter().cloned());
    if all.len() < 2 {
        return Ok(Next::Go(call.after));
    }
    let names: Vec<String> = all.iter().map(|it| it.name.clone()).collect();
    let Some(answer) = message(cx, input) else {
        cx.say(menu_text(ACCOUNT_SWITCH_PROMPT, &names));
        return Ok(Next::Customer);
    };
    if let Some(idx) = pick(answer, &names) {
        if idx > 0 {
            let chosen = all.remove(idx);
            cx.s.accounts = all;
            link_to(cx, chosen);
        }
    }
    Ok(Next::Go(call.after))
}

//! Linking the conversation to a registration (a customer of the ERP): the CPF/CNPJ
//! question `validate_document` and `account_add` share, and the link itself, which the
//! `erp.*` cards and `auto_link` make too. A linked conversation has `client_name`, and
//! ERP cards no longer ask for the document.

use fluxo_stdlib::validate;

use super::erp::erp_call;
use super::{host_result, message, Call, Cx};
use crate::erp::{Customer, ErpError, Request, Response};
use crate::session::{Effect, HostResult, Link};
use crate::vm::{Input, Next};
use crate::{RuntimeError, Value};

/// Phase while the registration is looked up.
const FINDING: u8 = 1;

/// Asks for a CPF/CNPJ, looks it up and links the conversation to it; the previous
/// registration stays among the contact's accounts.
pub(super) fn ask_registration(
    cx: &mut Cx,
    call: Call,
    input: Input,
    question: String,
) -> Result<Next, RuntimeError> {
    if let Some(HostResult::Erp(result)) = host_result(input) {
        return match result {
            Ok(Response::Customer(customer)) => {
                let link = customer_link(customer);
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

/// Links the conversation to a registration and says so to the platform.
pub(super) fn link_to(cx: &mut Cx, link: Link) {
    cx.effect(Effect::Link {
        customer_id: link.customer_id.clone(),
        name: link.name.clone(),
        contract_id: link.contract_id.clone(),
    });
    cx.s.ctx.link = Some(link);
}

/// The link to a registration the ERP found, before any contract is chosen.
pub(super) fn customer_link(customer: &Customer) -> Link {
    Link {
        customer_id: customer.id.clone(),
        name: customer.name.clone(),
        document: customer.document.clone(),
        contract_id: None,
        supplier: false,
    }
}

//! `erp.authenticate`: two-phase authentication. The shared dialogue (`erp.rs`) asks for
//! the CPF/CNPJ even for a linked contact and finds the registration; this file reads
//! the subscriber-central login and password, one message each, and links the
//! conversation once the ERP accepts them. It never acts on a contract.

use super::erp::{erp_call, secret, ASKED_LOGIN, ASKED_PASSWORD, AUTHENTICATING};
use super::erp_actions::done;
use super::registration::link_to;
use super::{Call, Cx};
use crate::erp::Request;
use crate::session::{Link, Message};
use crate::vm::Next;
use crate::RuntimeError;

/// The card texts while authenticating: the document, the customer id and name the ERP
/// found, then the login.
const LOGIN: usize = 3;

/// The login (`ASKED_LOGIN`), then the password.
pub(super) fn answer(cx: &mut Cx, phase: u8, answer: &Message) -> Next {
    if phase == ASKED_LOGIN {
        cx.s.card.texts.truncate(LOGIN);
        cx.s.card.texts.push(answer.text.trim().to_string());
        cx.s.card.phase = ASKED_PASSWORD;
        return Next::Customer;
    }
    let document = cx.s.card.texts.first().cloned().unwrap_or_default();
    let login = cx.s.card.texts.get(LOGIN).cloned().unwrap_or_default();
    cx.s.card.phase = AUTHENTICATING;
    erp_call(Request::Authenticate {
        document,
        login,
        password: secret(answer.text.trim()),
    })
}

pub(super) fn authenticated(
    cx: &mut Cx,
    call: Call,
    customer_id: &str,
) -> Result<Next, RuntimeError> {
    let texts = &cx.s.card.texts;
    // Confirming the linked registration keeps the contract already chosen.
    let contract_id =
        cx.s.ctx
            .link
            .as_ref()
            .filter(|it| it.customer_id == customer_id)
            .and_then(|it| it.contract_id.clone());
    let link = Link {
        customer_id: customer_id.to_string(),
        name: texts.get(2).cloned().unwrap_or_default(),
        document: texts.first().cloned().unwrap_or_default(),
        contract_id,
        supplier: false,
    };
    link_to(cx, link);
    done(cx, call, None)
}

//! `erp.sign_contract`: electronic acceptance of a contract awaiting signature. Sends
//! the help text with the contract's PDF, then two yes/no confirmations; the second yes
//! signs. A no ends the card unsigned (`as` binds `false`).

use fluxo_stdlib::builtins;

use super::erp::{erp_call, file, ASKED_CONFIRM_1, ASKED_CONFIRM_2, SIGNING};
use super::erp_actions::{done, param};
use super::menus::yes_no_text;
use super::{Call, Cx};
use crate::erp::{Attachment, Request};
use crate::session::Message;
use crate::vm::answers::read_yes_no;
use crate::vm::Next;
use crate::{RuntimeError, Value};

/// Asks for the contract's document; the acceptance is valid only from the contact's
/// phone, which the ERP checks.
pub(super) fn request(cx: &Cx, contract_id: String) -> Next {
    erp_call(Request::ContractDocument {
        contract_id,
        phone: cx.s.ctx.contact_phone().to_string(),
    })
}

pub(super) fn document(
    cx: &mut Cx,
    call: Call,
    document: &Attachment,
) -> Result<Next, RuntimeError> {
    let help = param(cx, call, "help_text", builtins::SIGN_HELP_TEXT)?;
    cx.say(help);
    file(cx, document.label(), None);
    let question = param(cx, call, "confirmation_1", builtins::SIGN_CONFIRMATION_1)?;
    Ok(yes_no(cx, question, ASKED_CONFIRM_1))
}

/// The answer to confirmation `phase` (`ASKED_CONFIRM_1` or `ASKED_CONFIRM_2`).
pub(super) fn answer(
    cx: &mut Cx,
    call: Call,
    phase: u8,
    answer: &Message,
) -> Result<Next, RuntimeError> {
    let contract = cx.s.card.texts.first().cloned().unwrap_or_default();
    let phone = cx.s.ctx.contact_phone().to_string();
    let retry = cx.retry(call.card, call.args)?;
    match read_yes_no(answer) {
        Some(true) if phase == ASKED_CONFIRM_1 => {
            let text = param(cx, call, "confirmation_2", builtins::SIGN_CONFIRMATION_2)?;
            Ok(yes_no(cx, text, ASKED_CONFIRM_2))
        }
        Some(true) => {
            cx.s.card.phase = SIGNING;
            Ok(erp_call(Request::SignContract {
                contract_id: contract,
                phone,
            }))
        }
        Some(false) => {
            cx.bind(call.bind, Value::Bool(false))?;
            Ok(Next::Go(call.after))
        }
        None => {
            let (name, default) = if phase == ASKED_CONFIRM_1 {
                ("confirmation_1", builtins::SIGN_CONFIRMATION_1)
            } else {
                ("confirmation_2", builtins::SIGN_CONFIRMATION_2)
            };
            let text = param(cx, call, name, default)?;
            cx.wrong_answer(retry, |cx| {
                yes_no(cx, text, phase);
                Ok(())
            })
        }
    }
}

pub(super) fn signed(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let text = param(cx, call, "success_message", builtins::SIGN_SUCCESS)?;
    cx.say(text);
    done(cx, call, Some(Value::Bool(true)))
}

/// Asks a confirmation and waits for it in `phase`.
fn yes_no(cx: &mut Cx, question: String, phase: u8) -> Next {
    cx.say(yes_no_text(&question));
    cx.s.card.phase = phase;
    Next::Customer
}

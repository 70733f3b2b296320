//! `erp.wifi_password`: asks for the new Wi-Fi password, checks it as the router will
//! (`validate::wifi_password`) and changes it through the ERP's ACS.

use fluxo_stdlib::builtins;
use fluxo_stdlib::validate;

use super::erp::{erp_call, secret, ASKED_WIFI, CHANGING_WIFI};
use super::erp_actions::{ask_again, done, param};
use super::{Call, Cx};
use crate::erp::Request;
use crate::session::Message;
use crate::vm::Next;
use crate::RuntimeError;

/// Asks for the new password; the request waits for the answer.
pub(super) fn ask(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let text = cx
        .arg_text(call.card, call.args, "password_prompt")?
        .unwrap_or_else(|| builtins::WIFI_PASSWORD_PROMPT.to_string());
    cx.say(text);
    cx.s.card.phase = ASKED_WIFI;
    Ok(Next::Customer)
}

pub(super) fn answer(cx: &mut Cx, call: Call, answer: &Message) -> Result<Next, RuntimeError> {
    let contract = cx.s.card.texts.first().cloned().unwrap_or_default();
    let retry = cx.retry(call.card, call.args)?;
    match validate::wifi_password(&answer.text) {
        Ok(_) => {
            cx.s.card.phase = CHANGING_WIFI;
            Ok(erp_call(Request::WifiPassword {
                contract_id: contract,
                password: secret(&answer.text),
            }))
        }
        Err(_) => ask_again(
            cx,
            call,
            retry,
            "password_prompt",
            builtins::WIFI_PASSWORD_PROMPT,
            ASKED_WIFI,
        ),
    }
}

pub(super) fn changed(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let text = param(cx, call, "success_message", builtins::WIFI_PASSWORD_SUCCESS)?;
    cx.say(text);
    done(cx, call, None)
}

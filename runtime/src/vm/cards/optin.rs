//! `optin()`: WhatsApp consent before anything else. On WhatsApp it asks a yes/no
//! question of its own; elsewhere it only remembers the opt-out text for `/bloquear`.

use fluxo_stdlib::types::Channel;

use super::menus::yes_no_text;
use super::{message, Call, Cx};
use crate::session::{Effect, Ending};
use crate::vm::answers::read_yes_no;
use crate::vm::{Input, Next};
use crate::RuntimeError;

/// Consent on WhatsApp; nothing on other channels. No try limit: consent cannot be
/// assumed.
pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    if matches!(input, Input::Enter) && cx.s.optout_message.is_some() {
        // Consent was given earlier in this conversation (a refusal would have ended it).
        return Ok(Next::Go(call.after));
    }
    let optout = cx
        .arg_text(call.card, call.args, "optout_message")?
        .unwrap_or_else(|| cx.default_text(fluxo_stdlib::builtins::OPTOUT_MESSAGE));
    cx.s.optout_message = Some(optout.clone());
    if cx.s.ctx.channel != Channel::Whatsapp {
        return Ok(Next::Go(call.after));
    }
    let question = yes_no_text(
        &cx.arg_text(call.card, call.args, "message")?
            .unwrap_or_else(|| cx.default_text(fluxo_stdlib::builtins::OPTIN_MESSAGE)),
    );
    let Some(answer) = message(cx, input) else {
        cx.say(question);
        return Ok(Next::Customer);
    };
    match read_yes_no(answer) {
        Some(true) => Ok(Next::Go(call.after)),
        Some(false) => {
            cx.say(optout);
            cx.effect(Effect::OptOut);
            Ok(Next::End(Ending::OptedOut))
        }
        None => {
            cx.say(fluxo_stdlib::builtins::INVALID_MESSAGE);
            cx.say(question);
            Ok(Next::Customer)
        }
    }
}

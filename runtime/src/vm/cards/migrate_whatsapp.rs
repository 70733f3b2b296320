//! `migrate_whatsapp(template:, message:)`: during a call, says `message` and sends the
//! WhatsApp template to the caller; the call itself goes on.

use super::{Call, Cx};
use crate::session::Effect;
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    if let Some(text) = cx.arg_text(call.card, call.args, "message")? {
        cx.say(text);
    }
    let template = match cx.arg_item(call.card, call.args, "template") {
        Some((kind, idx)) => cx.entity_name(kind, idx)?,
        None => return Err(cx.error("`migrate_whatsapp` without a template")),
    };
    cx.effect(Effect::Template { template });
    Ok(Next::Go(call.after))
}

//! `notify(group:, message:)`: a message to an internal group of attendants; the
//! customer sees nothing.

use super::{Call, Cx};
use crate::session::Effect;
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let group = match cx.arg_item(call.card, call.args, "group") {
        Some((kind, idx)) => cx.entity_name(kind, idx)?,
        None => return Err(cx.error("`notify` without a group")),
    };
    let text = cx
        .arg_text(call.card, call.args, "message")?
        .unwrap_or_default();
    cx.effect(Effect::Notify { group, text });
    Ok(Next::Go(call.after))
}

//! `forward_call(number:, route:)`: the call leaves the bot for another number, so the
//! conversation's part here ends.

use super::{Call, Cx};
use crate::session::{Effect, Ending};
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let number = cx
        .arg_text(call.card, call.args, "number")?
        .unwrap_or_default();
    let route = cx.arg_text(call.card, call.args, "route")?;
    cx.effect(Effect::ForwardCall { number, route });
    Ok(Next::End(Ending::Forwarded))
}

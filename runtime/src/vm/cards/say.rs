//! `say "<text>"`: sends the message, interpolated now, and goes on.

use super::Cx;
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, msg: u32, after: u32) -> Result<Next, RuntimeError> {
    let text = cx.message(msg)?;
    cx.say(text);
    Ok(Next::Go(after))
}

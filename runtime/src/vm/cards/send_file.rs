//! `send_file(file:, caption:)`: sends the file with its optional caption and goes on.

use super::{Call, Cx};
use crate::session::Output;
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let url = cx
        .arg_text(call.card, call.args, "file")?
        .ok_or_else(|| cx.error("`send_file` without a file"))?;
    let caption = cx.arg_text(call.card, call.args, "caption")?;
    cx.out.push(Output::File { url, caption });
    Ok(Next::Go(call.after))
}

//! `say audio "<file.mp3>"`: sends the recorded audio and goes on; the channel plays it.

use super::Cx;
use crate::session::Output;
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, file: u32, after: u32) -> Result<Next, RuntimeError> {
    let file = cx.string(file)?;
    cx.out.push(Output::Audio { file });
    Ok(Next::Go(after))
}

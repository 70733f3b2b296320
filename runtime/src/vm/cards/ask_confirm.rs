//! `ask ... confirm`: a yes/no question with both arms; anything but a yes or a no is a
//! wrong answer.

use fluxo_stdlib::catalogue::CardId;

use super::menus::{question_text, YES_NO};
use super::{message, Cx};
use crate::session::Event;
use crate::vm::answers::read_yes_no;
use crate::vm::{Input, Next};
use crate::RuntimeError;

pub(super) fn run(
    cx: &mut Cx,
    prompt: u32,
    args: u32,
    yes: u32,
    no: u32,
    input: Input,
) -> Result<Next, RuntimeError> {
    if let Some(answer) = message(cx, input) {
        match read_yes_no(answer) {
            Some(true) => return Ok(Next::Go(yes)),
            Some(false) => return Ok(Next::Go(no)),
            None => {}
        }
    }
    let question = question_text(cx, prompt, YES_NO)?;
    if matches!(input, Input::Event(Event::Message(_))) {
        return cx.wrong_answer(cx.retry(CardId::AskConfirm, args)?, |cx| {
            cx.say(question);
            Ok(())
        });
    }
    cx.say(question);
    Ok(Next::Customer)
}

//! `describe(...)`: takes the customer's next text as the conversation's description,
//! which attendants see and `erp.open_ticket` uses by default.

use super::{message, Call, Cx};
use crate::session::Effect;
use crate::vm::{Input, Next};
use crate::{RuntimeError, Value};

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let question = cx
        .arg_text(call.card, call.args, "question")?
        .unwrap_or_else(|| fluxo_stdlib::builtins::DESCRIBE_QUESTION.to_string());
    let Some(answer) = message(cx, input) else {
        cx.say(question);
        return Ok(Next::Customer);
    };
    let text = answer.text.trim();
    if text.is_empty() {
        return cx.wrong_answer(cx.retry(call.card, call.args)?, |cx| {
            cx.say(question);
            Ok(())
        });
    }
    cx.s.description = text.to_string();
    cx.effect(Effect::Describe {
        text: text.to_string(),
    });
    cx.bind(call.bind, Value::Text(text.to_string()))?;
    Ok(Next::Go(call.after))
}

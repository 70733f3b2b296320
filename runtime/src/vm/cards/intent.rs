//! `intent(...)`: the AI classifies what the customer wrote into one of the arms' intents;
//! without a question it classifies the message that opened the conversation, when no
//! card has read it yet.

use super::menus::{call_menu, labels};
use super::{host_result, message, Call, Cx};
use crate::session::{HostCall, HostResult, Wait};
use crate::vm::{Input, Next};
use crate::{RuntimeError, Value};

/// Phase while the AI classifies the customer's message.
const CLASSIFYING: u8 = 1;

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let table = call_menu(cx, call)?;
    let intents: Vec<String> = labels(cx, table)?.into_iter().map(str::to_string).collect();
    let question = cx.arg_text(call.card, call.args, "question")?;
    let agent = match cx.arg_item(call.card, call.args, "agent") {
        Some((kind, idx)) => Some(cx.entity_name(kind, idx)?),
        None => None,
    };
    let reask = |cx: &mut Cx| {
        if let Some(text) = &question {
            cx.say(text.clone());
        }
        Ok(())
    };
    if let Some(HostResult::Intent(found)) = host_result(input) {
        return match found.and_then(|idx| table.options.get(idx).map(|it| (idx, it))) {
            Some((idx, option)) => {
                cx.bind(call.bind, Value::Text(intents[idx].clone()))?;
                Ok(Next::Go(option.target))
            }
            None => cx.wrong_answer(cx.retry(call.card, call.args)?, reask),
        };
    }
    let classify = |cx: &mut Cx, text: String| {
        cx.s.card.phase = CLASSIFYING;
        Next::wait(Wait::Host(HostCall::Intent {
            text,
            intents: intents.clone(),
            agent: agent.clone(),
        }))
    };
    let Some(answer) = message(cx, input) else {
        if let Some(text) = &question {
            cx.say(text.clone());
        } else if !cx.s.read_message {
            if let Some(opening) = cx.s.ctx.opening_message().map(str::to_string) {
                cx.s.read_message = true;
                return Ok(classify(cx, opening));
            }
        }
        return Ok(Next::Customer);
    };
    if answer.text.trim().is_empty() {
        return cx.wrong_answer(cx.retry(call.card, call.args)?, reask);
    }
    Ok(classify(cx, answer.text.clone()))
}

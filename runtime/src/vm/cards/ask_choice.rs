//! `ask ... choice`: a question with numbered options, each with its branch. An answer
//! that matches no option may go to the AI (`ai: true`, classified into one of the
//! options) or to a virtual agent (`agent`, whose reply is sent before asking again).

use fluxo_stdlib::catalogue::CardId;

use super::menus::{labels, menu_table, question_text};
use super::{host_result, message, Cx};
use crate::session::{HostCall, HostResult, Wait};
use crate::vm::answers::pick_in_menu;
use crate::vm::{Input, Next};
use crate::{RuntimeError, Value};

/// Phase while the AI classifies a free-text answer.
const CLASSIFYING: u8 = 1;
/// Phase while the virtual agent answers a free-text answer.
const CONSULTING: u8 = 2;

pub(super) fn run(
    cx: &mut Cx,
    prompt: u32,
    args: u32,
    menu: u32,
    input: Input,
) -> Result<Next, RuntimeError> {
    let table = menu_table(cx, menu)?;
    // A label out of the string table is an error whatever the answer.
    for option in &table.options {
        cx.str(option.label)?;
    }
    let answer = message(cx, input);
    let picked = answer.and_then(|it| pick_in_menu(cx.p, menu, table.options.len(), it));
    if let Some(option) = picked.and_then(|idx| table.options.get(idx)) {
        return Ok(Next::Go(option.target));
    }
    let shown = table.options.iter().map(|it| cx.p.string(it.label));
    let question = question_text(cx, prompt, shown.map(Option::unwrap_or_default))?;
    match host_result(input) {
        Some(HostResult::Intent(found)) => {
            return match found.and_then(|idx| table.options.get(idx)) {
                Some(option) => Ok(Next::Go(option.target)),
                None => cx.wrong_answer(cx.retry(CardId::AskChoice, args)?, |cx| {
                    cx.say(question);
                    Ok(())
                }),
            };
        }
        Some(HostResult::Agent(reply)) => {
            return match reply.as_deref().map(str::trim).filter(|it| !it.is_empty()) {
                // The agent answered a question of the customer's: no try is used.
                Some(reply) => {
                    cx.say(reply);
                    cx.say(question);
                    cx.s.card.phase = 0;
                    Ok(Next::Customer)
                }
                None => cx.wrong_answer(cx.retry(CardId::AskChoice, args)?, |cx| {
                    cx.say(question);
                    Ok(())
                }),
            };
        }
        _ => {}
    }
    let Some(answer) = answer else {
        cx.say(question);
        return Ok(Next::Customer);
    };
    // Free text goes to the AI; a number that is no option is just a wrong answer.
    let text = answer.text.trim();
    if !text.is_empty() && text.parse::<i64>().is_err() {
        if matches!(
            cx.arg_const(CardId::AskChoice, args, "ai")?,
            Some(Value::Bool(true))
        ) {
            cx.s.card.phase = CLASSIFYING;
            return Ok(Next::wait(Wait::Host(HostCall::Intent {
                text: answer.text.clone(),
                intents: labels(cx, table)?.into_iter().map(str::to_string).collect(),
                agent: None,
            })));
        }
        if let Some((kind, idx)) = cx.arg_item(CardId::AskChoice, args, "agent") {
            cx.s.card.phase = CONSULTING;
            return Ok(Next::wait(Wait::Host(HostCall::Agent {
                agent: cx.entity_name(kind, idx)?,
                question,
                text: answer.text.clone(),
            })));
        }
    }
    cx.wrong_answer(cx.retry(CardId::AskChoice, args)?, |cx| {
        cx.say(question);
        Ok(())
    })
}

//! `ask ... input <type> as <var>`: validates the answer with the input type's validator
//! and stores the normalized value (a number or a date as such, the rest as text).

use fluxo_stdlib::catalogue::CardId;
use fluxo_stdlib::types::InputType;
use fluxo_stdlib::validate::validate;

use super::{message, Cx};
use crate::vm::{Input, Next};
use crate::{RuntimeError, Value};

pub(super) fn run(
    cx: &mut Cx,
    prompt: u32,
    ty: u32,
    var: u32,
    args: u32,
    after: u32,
    input: Input,
) -> Result<Next, RuntimeError> {
    let ty = *InputType::ALL
        .get(ty as usize)
        .ok_or_else(|| cx.error("input type out of range"))?;
    let Some(answer) = message(cx, input) else {
        let question = cx.message(prompt)?;
        cx.say(question);
        return Ok(Next::Customer);
    };
    match validate(ty, &answer.text) {
        Ok(normal) => {
            let value = match ty {
                InputType::Number => Value::Number(normal.parse().unwrap_or(0.0)),
                InputType::Date => date_value(&normal).unwrap_or(Value::Text(normal)),
                _ => Value::Text(normal),
            };
            cx.store(var, value)?;
            Ok(Next::Go(after))
        }
        Err(_) => {
            let question = cx.message(prompt)?;
            cx.wrong_answer(cx.retry(CardId::AskInput, args)?, |cx| {
                cx.say(question);
                Ok(())
            })
        }
    }
}

/// `dd/mm/aaaa` as a date value.
fn date_value(text: &str) -> Option<Value> {
    let mut parts = text.split('/');
    let day = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let year = parts.next()?.parse().ok()?;
    Some(Value::Date { year, month, day })
}

//! `survey(...)`: asks for a rating on a scale, listed ascending or descending with
//! optional labels, and records it for the company's and/or the attendant's metrics.

use std::fmt::Write;

use fluxo_stdlib::answers::fold;

use super::{message, Call, Cx};
use crate::session::Effect;
use crate::vm::{Input, Next};
use crate::{RuntimeError, Value};

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let (low, high) = match cx.arg_const(call.card, call.args, "scale")? {
        Some(Value::Range(low, high)) if low <= high && high - low < 100 => (low, high),
        _ => (1, 5),
    };
    let labels = cx
        .arg_texts(call.card, call.args, "labels")?
        .unwrap_or_default();
    let descending = matches!(
        cx.arg_const(call.card, call.args, "order")?,
        Some(Value::Pattern { kind, index }) if kind.patterns().get(index as usize).is_some_and(|it| it.name == "descending")
    );
    let question = cx
        .arg_text(call.card, call.args, "question")?
        .unwrap_or_else(|| fluxo_stdlib::builtins::SURVEY_QUESTION.to_string());
    let label_of = |value: i64| labels.get((value - low) as usize).cloned();
    let mut values: Vec<i64> = (low..=high).collect();
    if descending {
        values.reverse();
    }
    let mut text = question;
    for value in &values {
        match label_of(*value) {
            // Writing into a String cannot fail.
            Some(label) => {
                let _ = write!(text, "\n  {value}) {label}");
            }
            None => {
                let _ = write!(text, "\n  {value}");
            }
        }
    }
    let Some(answer) = message(cx, input) else {
        cx.say(text);
        return Ok(Next::Customer);
    };
    let folded = fold(&answer.text);
    let picked = folded
        .parse::<i64>()
        .ok()
        .filter(|it| (low..=high).contains(it))
        .or_else(|| {
            values
                .iter()
                .copied()
                .find(|it| label_of(*it).is_some_and(|label| fold(&label) == folded))
        });
    match picked {
        Some(value) => {
            let target = match cx.arg_const(call.card, call.args, "target")? {
                Some(pattern @ Value::Pattern { .. }) => pattern_name(&pattern),
                _ => "both".to_string(),
            };
            cx.effect(Effect::Rating { target, value });
            cx.bind(call.bind, Value::Number(value as f64))?;
            Ok(Next::Go(call.after))
        }
        None => cx.wrong_answer(cx.retry(call.card, call.args)?, |cx| {
            cx.say(text);
            Ok(())
        }),
    }
}

fn pattern_name(value: &Value) -> String {
    match value {
        Value::Pattern { kind, index } => kind
            .patterns()
            .get(*index as usize)
            .map_or("", |it| it.name)
            .to_string(),
        _ => String::new(),
    }
}

//! The cards answered by the host's helpers: `intent` (the AI classifies a free-text
//! message into one of the arms), `lowcode` (a sandboxed script returns a record) and
//! `interactive_template` (a template whose buttons branch).

use fluxo_stdlib::types::Channel;
use serde_json::Map;

use super::ask::labels;
use super::{host_result, message, Call, Cx};
use crate::bytecode::program::{EntityRef, Menu, ValueType};
use crate::session::{Effect, HostCall, HostResult, Wait};
use crate::vm::answers::pick;
use crate::vm::{read_var, Input, Next, RuntimeError, Value};

const CLASSIFYING: u8 = 1;

fn menu<'p>(cx: &Cx<'p>, call: Call) -> Result<&'p Menu, RuntimeError> {
    call.menu
        .checked_sub(1)
        .and_then(|idx| cx.p.menus.get(idx as usize))
        .ok_or_else(|| cx.error("the card has no menu"))
}

pub(super) fn intent(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let table = menu(cx, call)?;
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

pub(super) fn lowcode(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let (kind, idx) = cx
        .arg_item(call.card, call.args, "script")
        .filter(|(kind, _)| *kind == EntityRef::Script)
        .ok_or_else(|| cx.error("`lowcode` without a script"))?;
    let script =
        cx.p.entities
            .scripts
            .get(idx as usize)
            .ok_or_else(|| cx.error("script index out of range"))?;
    if let Some(HostResult::Lowcode(result)) = host_result(input) {
        return match result {
            Ok(record) => {
                let mut fields = Vec::new();
                for field in &script.fields {
                    let name = cx.string(field.name)?;
                    let value = record.get(&name).and_then(|it| json_value(it, field.ty));
                    match value {
                        Some(value) => fields.push((name, value)),
                        None => return cx.fail_with(cx.fail(call.card, call.args)?),
                    }
                }
                cx.bind(call.bind, Value::Record(fields))?;
                Ok(Next::Go(call.after))
            }
            Err(_) => cx.fail_with(cx.fail(call.card, call.args)?),
        };
    }
    let timeout_secs = match cx.arg_const(call.card, call.args, "timeout")? {
        Some(Value::Duration(secs)) => secs,
        _ => 10,
    };
    let mut input_map = Map::new();
    for (var, info) in cx.p.vars.iter().enumerate() {
        if let Ok(value) = read_var(cx.s, cx.p, var as u32) {
            if let Some(name) = cx.p.string(info.name) {
                input_map.insert(name.to_string(), value.to_json());
            }
        }
    }
    Ok(Next::wait(Wait::Host(HostCall::Lowcode {
        script: cx.entity_name(kind, idx)?,
        path: cx.string(script.path)?,
        input: input_map,
        timeout_secs,
    })))
}

/// A record field as the script declares it; `None` when the JSON has another type.
fn json_value(json: &serde_json::Value, ty: ValueType) -> Option<Value> {
    match (ty, json) {
        (ValueType::Number, serde_json::Value::Number(n)) => n.as_f64().map(Value::Number),
        (ValueType::Bool, serde_json::Value::Bool(b)) => Some(Value::Bool(*b)),
        (ValueType::Text | ValueType::Input(_), serde_json::Value::String(s)) => {
            Some(Value::Text(s.clone()))
        }
        (ValueType::Number, serde_json::Value::String(s)) => s.parse().ok().map(Value::Number),
        (ValueType::Text, other) if !other.is_null() => Some(Value::Text(other.to_string())),
        _ => None,
    }
}

pub(super) fn interactive_template(
    cx: &mut Cx,
    call: Call,
    input: Input,
) -> Result<Next, RuntimeError> {
    let table = menu(cx, call)?;
    let options = labels(cx, table)?;
    let Some(answer) = message(cx, input) else {
        let template = match cx.arg_item(call.card, call.args, "template") {
            Some((kind, idx)) => cx.entity_name(kind, idx)?,
            None => return Err(cx.error("`interactive_template` without a template")),
        };
        cx.effect(Effect::Template { template });
        if cx.s.ctx.channel != Channel::Whatsapp {
            let lines: Vec<String> = options
                .iter()
                .enumerate()
                .map(|(idx, option)| format!("  {}) {option}", idx + 1))
                .collect();
            cx.say(lines.join("\n"));
        }
        return Ok(Next::Customer);
    };
    match pick(answer, &options) {
        Some(idx) => {
            cx.bind(call.bind, Value::Text(options[idx].to_string()))?;
            Ok(Next::Go(table.options[idx].target))
        }
        None => {
            cx.bind(call.bind, Value::Text(answer.text.trim().to_string()))?;
            Ok(Next::Go(table.otherwise.unwrap_or(call.after)))
        }
    }
}

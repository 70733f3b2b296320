//! `lowcode(script:, timeout:)`: the host runs the sandboxed script with the
//! conversation's variables and the card binds the record it returns, checked against
//! the script's declared fields (a field of the wrong type fails the card).

use serde_json::Map;

use super::{host_result, Call, Cx};
use crate::bytecode::program::{EntityRef, ValueType};
use crate::session::{HostCall, HostResult, Wait};
use crate::vm::{read_var, Input, Next};
use crate::{RuntimeError, Value};

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
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

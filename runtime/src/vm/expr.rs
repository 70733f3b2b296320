//! The expression instructions of `if` and `set`: a small stack machine over `Value`s.
//! Type errors here mean the bytecode did not come from the checker; they are runtime
//! errors with a position, never panics.

use std::cmp::Ordering;

use super::cx::{read_var, Cx};
use crate::bytecode::Op;
use crate::{RuntimeError, Value};

pub(super) fn exec(cx: &mut Cx, op: Op, stack: &mut Vec<Value>) -> Result<(), RuntimeError> {
    let value = match op {
        Op::PushConst { value } => cx.constant(value)?,
        Op::PushMessage { msg } => Value::Text(cx.message(msg)?),
        Op::Load { var } => read_var(cx.s, cx.p, var).map_err(|why| cx.error(why))?,
        Op::LoadField { field } => {
            let name = cx.string(field)?;
            let record = pop(cx, stack)?;
            record.field(&name).cloned().ok_or_else(|| {
                cx.error(format!("the {} has no field `{name}`", record.type_name()))
            })?
        }
        Op::Not {} => Value::Bool(!bool_of(cx, pop(cx, stack)?)?),
        Op::Neg {} => Value::Number(-number_of(cx, pop(cx, stack)?)?),
        Op::Add {} | Op::Sub {} | Op::Mul {} | Op::Div {} => {
            let b = number_of(cx, pop(cx, stack)?)?;
            let a = number_of(cx, pop(cx, stack)?)?;
            Value::Number(match op {
                Op::Add {} => a + b,
                Op::Sub {} => a - b,
                Op::Mul {} => a * b,
                _ if b == 0.0 => return Err(cx.error("division by zero")),
                _ => a / b,
            })
        }
        Op::Eq {} | Op::Ne {} => {
            let b = pop(cx, stack)?;
            let a = pop(cx, stack)?;
            let equal = a.compare(&b) == Some(Ordering::Equal) || a == b;
            Value::Bool(equal == matches!(op, Op::Eq {}))
        }
        Op::Lt {} | Op::Le {} | Op::Gt {} | Op::Ge {} => {
            let b = pop(cx, stack)?;
            let a = pop(cx, stack)?;
            let order = a.compare(&b).ok_or_else(|| {
                cx.error(format!(
                    "cannot compare {} with {}",
                    a.type_name(),
                    b.type_name()
                ))
            })?;
            Value::Bool(match op {
                Op::Lt {} => order == Ordering::Less,
                Op::Le {} => order != Ordering::Greater,
                Op::Gt {} => order == Ordering::Greater,
                _ => order != Ordering::Less,
            })
        }
        Op::And {} | Op::Or {} => {
            let b = bool_of(cx, pop(cx, stack)?)?;
            let a = bool_of(cx, pop(cx, stack)?)?;
            Value::Bool(if matches!(op, Op::And {}) {
                a && b
            } else {
                a || b
            })
        }
        other => {
            return Err(cx.error(format!(
                "`{}` is not an expression instruction",
                other.name()
            )))
        }
    };
    stack.push(value);
    Ok(())
}

fn pop(cx: &Cx, stack: &mut Vec<Value>) -> Result<Value, RuntimeError> {
    stack
        .pop()
        .ok_or_else(|| cx.error("expression stack underflow"))
}

fn bool_of(cx: &Cx, value: Value) -> Result<bool, RuntimeError> {
    match value {
        Value::Bool(b) => Ok(b),
        other => Err(cx.error(format!("expected a bool, found {}", other.type_name()))),
    }
}

fn number_of(cx: &Cx, value: Value) -> Result<f64, RuntimeError> {
    match value {
        Value::Number(n) => Ok(n),
        other => Err(cx.error(format!("expected a number, found {}", other.type_name()))),
    }
}

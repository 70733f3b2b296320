//! Lowering expressions to the stack machine, and card arguments to argument records
//! (defaults from the catalogue filled in, so the runtime reads every value from the
//! record and never from the catalogue's defaults).

use fluxo_grammar::ast::{self, Arg, BinaryOp, Expr, ExprKind, UnaryOp};
use fluxo_runtime::bytecode::op::Op;
use fluxo_runtime::bytecode::program::{ArgEntry, ArgValue, ArgsRecord, Const, ValueType};
use fluxo_stdlib::catalogue::{CardSpec, ParamDefault, Place};
use fluxo_stdlib::types::{EnumKind, ItemKind, Literal, Ty};

use super::emit::{Emitter, Pos};
use super::tables::{entity_ref, Tables};
use super::LowerError;
use crate::check::ProgramInfo;

/// Emits the code that pushes the value of `expr`.
pub(crate) fn expr(
    t: &mut Tables,
    em: &mut Emitter,
    expr_: &Expr,
    pos: Pos,
) -> Result<(), LowerError> {
    match &expr_.kind {
        ExprKind::Paren(inner) => return expr(t, em, inner, pos),
        ExprKind::Unary(UnaryOp::Neg, inner)
            if matches!(literal_const(inner), Ok(Const::Number(_))) =>
        {
            let value = t.constant(literal_const(expr_)?)?;
            em.op(Op::PushConst { value }, pos);
        }
        ExprKind::Unary(op, inner) => {
            expr(t, em, inner, pos)?;
            em.op(
                if *op == UnaryOp::Not {
                    Op::Not {}
                } else {
                    Op::Neg {}
                },
                pos,
            );
        }
        ExprKind::Binary(op, lhs, rhs) => {
            let enum_kind = enum_of(t, lhs).or_else(|| enum_of(t, rhs));
            operand(t, em, lhs, enum_kind, pos)?;
            operand(t, em, rhs, enum_kind, pos)?;
            em.op(binary(*op), pos);
        }
        ExprKind::Path(path) => load(t, em, path, pos)?,
        ExprKind::Str(text) => match super::tables::plain_text(text) {
            Some(plain) => {
                let value = t.text_const(&plain)?;
                em.op(Op::PushConst { value }, pos);
            }
            None => {
                let msg = t.message(&text.parts)?;
                em.op(Op::PushMessage { msg }, pos);
            }
        },
        _ => {
            let value = t.constant(literal_const(expr_)?)?;
            em.op(Op::PushConst { value }, pos);
        }
    }
    Ok(())
}

/// One side of a comparison: a bare name that is no variable is a pattern of the enum the
/// other side has (`channel == telephony`).
fn operand(
    t: &mut Tables,
    em: &mut Emitter,
    side: &Expr,
    kind: Option<EnumKind>,
    pos: Pos,
) -> Result<(), LowerError> {
    if let (Some(name), Some(kind)) = (bare_name(side), kind) {
        if !t.is_var(name) {
            let index = pattern_index(kind, name)?;
            let value = t.constant(Const::Pattern { kind, index })?;
            em.op(Op::PushConst { value }, pos);
            return Ok(());
        }
    }
    expr(t, em, side, pos)
}

fn bare_name(expr_: &Expr) -> Option<&str> {
    match &expr_.kind {
        ExprKind::Path(path) if path.segments.len() == 1 => path.root().map(|it| it.name.as_str()),
        ExprKind::Paren(inner) => bare_name(inner),
        _ => None,
    }
}

fn enum_of(t: &Tables, expr_: &Expr) -> Option<EnumKind> {
    match t.var_type(bare_name(expr_)?)? {
        ValueType::Enum(kind) => Some(kind),
        _ => None,
    }
}

pub(crate) fn pattern_index(kind: EnumKind, name: &str) -> Result<u32, LowerError> {
    let pos = kind.patterns().iter().position(|it| it.name == name);
    pos.and_then(|it| u32::try_from(it).ok())
        .ok_or_else(|| LowerError::new(format!("`{name}` is not a {} pattern", kind.name())))
}

fn load(t: &mut Tables, em: &mut Emitter, path: &ast::Path, pos: Pos) -> Result<(), LowerError> {
    let root = path
        .root()
        .ok_or_else(|| LowerError::new("an empty path"))?;
    em.op(
        Op::Load {
            var: t.var(&root.name)?,
        },
        pos,
    );
    for field in &path.segments[1..] {
        em.op(
            Op::LoadField {
                field: t.string(&field.name)?,
            },
            pos,
        );
    }
    Ok(())
}

fn binary(op: BinaryOp) -> Op {
    match op {
        BinaryOp::Or => Op::Or {},
        BinaryOp::And => Op::And {},
        BinaryOp::Eq => Op::Eq {},
        BinaryOp::Ne => Op::Ne {},
        BinaryOp::Lt => Op::Lt {},
        BinaryOp::Le => Op::Le {},
        BinaryOp::Gt => Op::Gt {},
        BinaryOp::Ge => Op::Ge {},
        BinaryOp::Add => Op::Add {},
        BinaryOp::Sub => Op::Sub {},
        BinaryOp::Mul => Op::Mul {},
        BinaryOp::Div => Op::Div {},
    }
}

/// A literal as a constant; `-27` (negation of a literal) folds to a number.
fn literal_const(expr_: &Expr) -> Result<Const, LowerError> {
    Ok(match &expr_.kind {
        ExprKind::Number(number) => Const::Number(*number),
        ExprKind::Unary(UnaryOp::Neg, inner) => match literal_const(inner)? {
            Const::Number(number) => Const::Number(-number),
            _ => return Err(LowerError::new("negation of a non-number literal")),
        },
        ExprKind::Paren(inner) => literal_const(inner)?,
        ExprKind::Bool(flag) => Const::Bool(*flag),
        ExprKind::Duration(duration) => Const::Duration(duration.as_secs()),
        ExprKind::Time(time) => Const::Time(time.minutes()),
        ExprKind::Date(date) => Const::Date {
            year: date.year,
            month: date.month,
            day: date.day,
        },
        ExprKind::Range { from, to } => Const::Range(i64::from(*from), i64::from(*to)),
        _ => {
            return Err(LowerError::new(
                "an expression where a literal was expected",
            ))
        }
    })
}

/// The argument record of `card`: each `name: value` argument given, else its default.
/// Parameters written in the statement's own syntax are operands, not arguments.
pub(crate) fn args_record(
    t: &mut Tables,
    info: &ProgramInfo,
    card: &CardSpec,
    args: &[Arg],
) -> Result<u32, LowerError> {
    let mut values = Vec::new();
    for (param_idx, param) in card.params().enumerate() {
        if param.place != Place::Arg {
            continue;
        }
        let value = match args.iter().find(|it| it.name.name == param.name) {
            Some(arg) => Some(arg_value(t, info, param.ty, &arg.value)?),
            None => match param.default {
                ParamDefault::Value(literal) => Some(default_value(t, param.ty, literal)?),
                ParamDefault::Optional => None,
                ParamDefault::Required => {
                    return Err(LowerError::new(format!(
                        "`{}` lacks `{}`",
                        card.name, param.name
                    )));
                }
            },
        };
        if let Some(value) = value {
            let param =
                u32::try_from(param_idx).map_err(|_| LowerError::new("too many parameters"))?;
            values.push(ArgEntry { param, value });
        }
    }
    if let Some(arg) = args
        .iter()
        .find(|arg| card.args().all(|it| it.name != arg.name.name))
    {
        return Err(LowerError::new(format!(
            "`{}` takes no `{}`",
            card.name, arg.name.name
        )));
    }
    t.args(ArgsRecord { values })
}

fn arg_value(
    t: &mut Tables,
    info: &ProgramInfo,
    ty: Ty,
    value: &Expr,
) -> Result<ArgValue, LowerError> {
    Ok(match ty {
        Ty::Text | Ty::Input(_) => match &value.kind {
            ExprKind::Str(text) => ArgValue::Message(t.message(&text.parts)?),
            ExprKind::Path(path) => ArgValue::Message(t.path_message(path)?),
            _ => return Err(LowerError::new("a text argument that is not a string")),
        },
        Ty::File(_) => match &value.kind {
            ExprKind::Str(text) => {
                let plain = super::tables::plain(text)?;
                ArgValue::Const(t.text_const(&plain)?)
            }
            _ => return Err(LowerError::new("a file argument that is not a string")),
        },
        Ty::Enum(kind) => {
            let name = bare_name(value)
                .ok_or_else(|| LowerError::new("an enum argument that is not a name"))?;
            let index = pattern_index(kind, name)?;
            ArgValue::Const(t.constant(Const::Pattern { kind, index })?)
        }
        Ty::Ref(ItemKind::Flow) => {
            let name = bare_name(value)
                .ok_or_else(|| LowerError::new("a flow argument that is not a name"))?;
            // Lowering numbers the flows as the checker does.
            let flow = info
                .flow(name)
                .ok_or_else(|| LowerError::new(format!("unknown flow `{name}`")))?;
            ArgValue::Flow(u32::try_from(flow).map_err(|_| LowerError::new("too many flows"))?)
        }
        Ty::Ref(kind) => {
            let name = bare_name(value)
                .ok_or_else(|| LowerError::new("an item argument that is not a name"))?;
            let kind =
                entity_ref(kind).ok_or_else(|| LowerError::new("an unexpected item kind"))?;
            ArgValue::Item {
                kind,
                index: t.entity(kind, name)?,
            }
        }
        Ty::List(item) => match &value.kind {
            ExprKind::List(items) => ArgValue::List(
                items
                    .iter()
                    .map(|it| arg_value(t, info, *item, it))
                    .collect::<Result<_, _>>()?,
            ),
            _ => ArgValue::List(vec![arg_value(t, info, *item, value)?]),
        },
        _ => ArgValue::Const(t.constant(literal_const(value)?)?),
    })
}

fn default_value(t: &mut Tables, ty: Ty, literal: Literal) -> Result<ArgValue, LowerError> {
    let value = match (literal, ty) {
        (Literal::Text(text), _) => return Ok(ArgValue::Message(t.default_message(text)?)),
        (Literal::Number(number), _) => Const::Number(number as f64),
        (Literal::Bool(flag), _) => Const::Bool(flag),
        (Literal::Duration(secs), _) => Const::Duration(secs),
        (Literal::Range(low, high), _) => Const::Range(low, high),
        (Literal::Pattern(name), Ty::Enum(kind)) => Const::Pattern {
            kind,
            index: pattern_index(kind, name)?,
        },
        (Literal::Pattern(name), _) => {
            return Err(LowerError::new(format!(
                "default pattern `{name}` for a parameter of type {ty}"
            )));
        }
    };
    Ok(ArgValue::Const(t.constant(value)?))
}

//! Argument values and expressions between the syntax tree and JSON.
//!
//! A card field holds what the editor would show for the parameter's type: a number, a
//! message, a duration `"5m"`, an enum's Portuguese label, an entity's `_id`. A value the
//! editor could not show that way (an expression, a name nothing declares) travels as
//! `{"expr": <tree>}`, the same tree `if` conditions and `set` values use, so nothing is
//! lost. The parameter types come from the stdlib catalogue.

use fluxo_grammar::ast::{
    BinaryOp, Date, Duration, DurationUnit, Expr, ExprKind, Ident, Path, Span, Time, UnaryOp,
};
use fluxo_stdlib::types::Ty;
use serde_json::{json, Number, Value};

use super::names::Names;
use super::text::{path_from, str_from_json, str_to_json};

const EXPR: &str = "expr";

/// The JSON of argument `expr` for a parameter of type `ty`.
pub fn encode(expr: &Expr, ty: Ty, names: &Names) -> Value {
    natural(expr, ty, names).unwrap_or_else(|| json!({ EXPR: tree(expr) }))
}

/// The argument a card field holds, for a parameter of type `ty`.
pub fn decode(value: &Value, ty: Ty, names: &Names) -> Result<Expr, String> {
    if let Some(inner) = single(value, EXPR) {
        return from_tree(inner);
    }
    let kind = match (ty.base(), value) {
        (Ty::Text, _) => str_from_json(value).map(ExprKind::Str),
        (Ty::Number, Value::Number(n)) => return number(n),
        (Ty::Bool, Value::Bool(b)) => Some(ExprKind::Bool(*b)),
        (Ty::Duration, Value::String(s)) => duration(s).map(ExprKind::Duration),
        (Ty::Range, Value::Object(map)) => {
            let end = |key: &str| map.get(key)?.as_u64().and_then(|n| u32::try_from(n).ok());
            match (end("de"), end("ate"), map.len()) {
                (Some(from), Some(to), 2) => Some(ExprKind::Range { from, to }),
                _ => None,
            }
        }
        (Ty::Enum(kind), Value::String(label)) => {
            let found = kind.patterns().iter().find(|p| p.opa_label == label);
            match found {
                // The catalogue's own names, some of them keywords (`attendant`): the
                // grammar reads those as values too, so no identifier check applies.
                Some(p) => Some(ExprKind::Path(Path {
                    segments: vec![Ident {
                        name: p.name.to_string(),
                        span: Span::default(),
                    }],
                    span: Span::default(),
                })),
                None => {
                    return Err(format!(
                        "`{label}` is not one of the {} options",
                        kind.name()
                    ))
                }
            }
        }
        (Ty::Ref(kind), Value::String(id)) => match names.name(kind, id) {
            Some(name) => path_from(name).map(ExprKind::Path),
            None => return Err(format!("no {} has `_id` \"{id}\"", kind.keyword())),
        },
        (Ty::List(item), Value::Array(items)) => {
            let items: Result<Vec<Expr>, String> =
                items.iter().map(|it| decode(it, *item, names)).collect();
            Some(ExprKind::List(items?))
        }
        _ => None,
    };
    kind.map(expr)
        .ok_or_else(|| format!("expected {} for a parameter of type {ty}", describe(ty)))
}

fn describe(ty: Ty) -> &'static str {
    match ty.base() {
        Ty::Text => "a message (string)",
        Ty::Number => "a number",
        Ty::Bool => "true or false",
        Ty::Duration => "a duration such as \"30s\"",
        Ty::Range => "{\"de\": n, \"ate\": m}",
        Ty::Enum(_) => "an option label",
        Ty::Ref(_) => "an `_id`",
        Ty::List(_) => "an array",
        _ => "{\"expr\": ...}",
    }
}

fn natural(e: &Expr, ty: Ty, names: &Names) -> Option<Value> {
    match (ty.base(), &e.kind) {
        (Ty::Text, ExprKind::Str(s)) => Some(str_to_json(s)),
        (Ty::Number, ExprKind::Number(n)) => number_json(*n),
        (Ty::Number, ExprKind::Unary(UnaryOp::Neg, inner)) => match inner.kind {
            ExprKind::Number(n) if n > 0.0 => number_json(-n),
            _ => None,
        },
        (Ty::Bool, ExprKind::Bool(b)) => Some(Value::Bool(*b)),
        (Ty::Duration, ExprKind::Duration(d)) => Some(Value::String(duration_text(*d))),
        (Ty::Range, ExprKind::Range { from, to }) => Some(json!({ "de": from, "ate": to })),
        (Ty::Enum(kind), ExprKind::Path(path)) => {
            let name = single_name(path)?;
            Some(Value::String(kind.pattern(name)?.opa_label.to_string()))
        }
        (Ty::Ref(kind), ExprKind::Path(path)) => Some(Value::String(
            names.id(kind, single_name(path)?)?.to_string(),
        )),
        (Ty::List(item), ExprKind::List(items)) => {
            let items: Option<Vec<Value>> =
                items.iter().map(|it| natural(it, *item, names)).collect();
            Some(Value::Array(items?))
        }
        _ => None,
    }
}

fn single_name(path: &Path) -> Option<&str> {
    match path.segments.as_slice() {
        [only] => Some(&only.name),
        _ => None,
    }
}

/// Whole numbers as JSON integers, so `3` stays `3` and not `3.0`.
fn number_json(n: f64) -> Option<Value> {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        Some(Value::Number(Number::from(n as i64)))
    } else {
        Number::from_f64(n).map(Value::Number)
    }
}

fn number(n: &Number) -> Result<Expr, String> {
    let value = n
        .as_f64()
        .filter(|v| v.is_finite())
        .ok_or("the number is out of range")?;
    if value < 0.0 {
        let inner = expr(ExprKind::Number(-value));
        Ok(expr(ExprKind::Unary(UnaryOp::Neg, Box::new(inner))))
    } else {
        Ok(expr(ExprKind::Number(value)))
    }
}

fn expr(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

pub fn duration_text(d: Duration) -> String {
    format!("{}{}", d.value, d.unit.suffix())
}

pub fn duration(text: &str) -> Option<Duration> {
    let unit = match text.chars().last()? {
        's' => DurationUnit::Seconds,
        'm' => DurationUnit::Minutes,
        'h' => DurationUnit::Hours,
        'd' => DurationUnit::Days,
        _ => return None,
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Duration {
        value: digits.parse().ok()?,
        unit,
        span: Span::default(),
    })
}

pub fn time_text(t: Time) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

pub fn time(text: &str) -> Option<Time> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (hour, minute): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (hour <= 24 && minute <= 59).then_some(Time {
        hour,
        minute,
        span: Span::default(),
    })
}

pub fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

pub fn date(text: &str) -> Option<Date> {
    let mut it = text.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day): (u16, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let days = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    (day >= 1 && day <= days).then_some(Date {
        year,
        month,
        day,
        span: Span::default(),
    })
}

/// The generic tree of an expression.
pub fn tree(e: &Expr) -> Value {
    match &e.kind {
        ExprKind::Str(s) => json!({ "texto": str_to_json(s) }),
        ExprKind::Number(n) => json!({ "numero": number_json(*n).unwrap_or(Value::Null) }),
        ExprKind::Bool(b) => json!({ "logico": b }),
        ExprKind::Duration(d) => json!({ "duracao": duration_text(*d) }),
        ExprKind::Time(t) => json!({ "hora": time_text(*t) }),
        ExprKind::Date(d) => json!({ "data": date_text(*d) }),
        ExprKind::Range { from, to } => json!({ "intervalo": [from, to] }),
        ExprKind::List(items) => json!({ "lista": items.iter().map(tree).collect::<Vec<_>>() }),
        ExprKind::Path(path) => json!({ "variavel": path.dotted() }),
        ExprKind::Unary(UnaryOp::Not, inner) => json!({ "nao": tree(inner) }),
        ExprKind::Unary(UnaryOp::Neg, inner) => json!({ "negativo": tree(inner) }),
        ExprKind::Binary(op, a, b) => json!({ "op": op.symbol(), "a": tree(a), "b": tree(b) }),
        ExprKind::Paren(inner) => json!({ "parenteses": tree(inner) }),
    }
}

/// The expression of a generic tree.
pub fn from_tree(value: &Value) -> Result<Expr, String> {
    let bad = || format!("not an expression: {}", short(value));
    let map = value.as_object().ok_or_else(bad)?;
    if map.len() == 3 {
        let op = map
            .get("op")
            .and_then(Value::as_str)
            .and_then(binary_op)
            .ok_or_else(bad)?;
        let a = from_tree(map.get("a").ok_or_else(bad)?)?;
        let b = from_tree(map.get("b").ok_or_else(bad)?)?;
        return Ok(expr(ExprKind::Binary(op, Box::new(a), Box::new(b))));
    }
    let (key, inner) = match map.iter().next() {
        Some(entry) if map.len() == 1 => entry,
        _ => return Err(bad()),
    };
    let kind = match (key.as_str(), inner) {
        ("texto", _) => str_from_json(inner).map(ExprKind::Str),
        ("numero", Value::Number(n)) => n
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(ExprKind::Number),
        ("logico", Value::Bool(b)) => Some(ExprKind::Bool(*b)),
        ("duracao", Value::String(s)) => duration(s).map(ExprKind::Duration),
        ("hora", Value::String(s)) => time(s).map(ExprKind::Time),
        ("data", Value::String(s)) => date(s).map(ExprKind::Date),
        ("intervalo", Value::Array(ends)) => match ends.as_slice() {
            [a, b] => {
                let end = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
                end(a)
                    .zip(end(b))
                    .map(|(from, to)| ExprKind::Range { from, to })
            }
            _ => None,
        },
        ("lista", Value::Array(items)) => {
            let items: Result<Vec<Expr>, String> = items.iter().map(from_tree).collect();
            Some(ExprKind::List(items?))
        }
        ("variavel", Value::String(s)) => path_from(s).map(ExprKind::Path),
        ("nao", _) => Some(ExprKind::Unary(UnaryOp::Not, Box::new(from_tree(inner)?))),
        ("negativo", _) => Some(ExprKind::Unary(UnaryOp::Neg, Box::new(from_tree(inner)?))),
        ("parenteses", _) => Some(ExprKind::Paren(Box::new(from_tree(inner)?))),
        _ => None,
    };
    kind.map(expr).ok_or_else(bad)
}

fn binary_op(symbol: &str) -> Option<BinaryOp> {
    use BinaryOp::*;
    [Or, And, Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Mul, Div]
        .into_iter()
        .find(|op| op.symbol() == symbol)
}

/// `value` when it is an object whose only key is `key`.
fn single<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) if map.len() == 1 => map.get(key),
        _ => None,
    }
}

/// A JSON value cut short for an error message.
pub fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

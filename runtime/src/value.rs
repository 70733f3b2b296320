//! The values a conversation holds in its variables and expressions, how they read in
//! messages to customers (Brazilian Portuguese conventions), and how they compare.
//!
//! This module knows the program's constants (to turn them into values) and nothing
//! about cards or sessions.

use std::cmp::Ordering;
use std::fmt::{self, Write};

use fluxo_stdlib::types::EnumKind;

use crate::bytecode::program::{Const, Program};

/// A runtime value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
    /// Seconds.
    Duration(u64),
    /// Minutes since midnight.
    Time(u16),
    Date {
        year: u16,
        month: u8,
        day: u8,
    },
    /// The `index`th pattern of `kind`: a channel, a diagnosis, ...
    Pattern {
        kind: EnumKind,
        index: u32,
    },
    /// A Low Code record: fields in declaration (or arrival) order.
    Record(Vec<(String, Value)>),
    Range(i64, i64),
}

impl Value {
    /// The value of a program constant; `None` for a text index out of bounds.
    pub fn from_const(program: &Program, constant: &Const) -> Option<Value> {
        Some(match *constant {
            Const::Text(idx) => Value::Text(program.string(idx)?.to_string()),
            Const::Number(n) => Value::Number(n),
            Const::Bool(b) => Value::Bool(b),
            Const::Duration(secs) => Value::Duration(secs),
            Const::Time(minutes) => Value::Time(minutes),
            Const::Date { year, month, day } => Value::Date { year, month, day },
            Const::Range(low, high) => Value::Range(low, high),
            Const::Pattern { kind, index } => Value::Pattern { kind, index },
        })
    }

    /// A pattern by name (`Value::pattern(EnumKind::Diagnosis, "overdue")`).
    pub fn pattern(kind: EnumKind, name: &str) -> Option<Value> {
        let index = kind.patterns().iter().position(|it| it.name == name)?;
        Some(Value::Pattern {
            kind,
            index: u32::try_from(index).ok()?,
        })
    }

    /// The name of the type, for runtime errors.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Text(_) => "text",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::Duration(_) => "duration",
            Value::Time(_) => "time",
            Value::Date { .. } => "date",
            Value::Pattern { .. } => "enum",
            Value::Record(_) => "record",
            Value::Range(..) => "range",
        }
    }

    /// The field `name` of a record.
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Record(fields) => fields
                .iter()
                .find(|(it, _)| it == name)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// How the value reads inside a message to a customer: numbers with a decimal
    /// comma (`-24,5`), dates `dd/mm/aaaa`, times `HH:MM`, booleans `sim`/`não`,
    /// patterns by their Portuguese label (`WhatsApp`), durations as `2m`.
    pub fn display(&self) -> String {
        let mut out = String::new();
        self.write_display(&mut out);
        out
    }

    /// Appends `display()` to `out` (messages are built in one buffer).
    pub fn write_display(&self, out: &mut String) {
        // Writing into a String cannot fail.
        let _ = match self {
            Value::Text(text) => {
                out.push_str(text);
                Ok(())
            }
            Value::Number(n) => write_number(out, *n),
            Value::Bool(true) => {
                out.push_str("sim");
                Ok(())
            }
            Value::Bool(false) => {
                out.push_str("não");
                Ok(())
            }
            Value::Duration(secs) => {
                out.push_str(&fluxo_stdlib::types::Literal::Duration(*secs).to_source());
                Ok(())
            }
            Value::Time(minutes) => write!(out, "{:02}:{:02}", minutes / 60, minutes % 60),
            Value::Date { year, month, day } => write!(out, "{day:02}/{month:02}/{year:04}"),
            Value::Pattern { kind, index } => {
                if let Some(pattern) = kind.patterns().get(*index as usize) {
                    out.push_str(pattern.opa_label);
                }
                Ok(())
            }
            Value::Record(fields) => {
                for (idx, (name, value)) in fields.iter().enumerate() {
                    if idx > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(name);
                    out.push_str(": ");
                    value.write_display(out);
                }
                Ok(())
            }
            Value::Range(low, high) => write!(out, "{low} a {high}"),
        };
    }

    /// The value as JSON, for a Low Code script's input.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(text) => text.clone().into(),
            Value::Number(n) => {
                serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, Into::into)
            }
            Value::Bool(b) => (*b).into(),
            Value::Duration(secs) => (*secs).into(),
            Value::Pattern { kind, index } => kind
                .patterns()
                .get(*index as usize)
                .map_or(serde_json::Value::Null, |it| it.name.into()),
            Value::Record(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(name, value)| (name.clone(), value.to_json()))
                    .collect(),
            ),
            Value::Time(_) | Value::Date { .. } | Value::Range(..) => self.display().into(),
        }
    }

    /// Compares two values of one type; `None` when they are not comparable.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
            (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
            (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
            (
                Value::Date { year, month, day },
                Value::Date {
                    year: y2,
                    month: m2,
                    day: d2,
                },
            ) => Some((year, month, day).cmp(&(y2, m2, d2))),
            (
                Value::Pattern { kind, index },
                Value::Pattern {
                    kind: k2,
                    index: i2,
                },
            ) if kind == k2 => Some(index.cmp(i2)),
            _ => None,
        }
    }
}

/// A number as Brazilians write it: no decimals when whole, else a decimal comma.
pub fn number_text(n: f64) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_number(&mut out, n);
    out
}

fn write_number(out: &mut String, n: f64) -> fmt::Result {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        write!(out, "{}", n as i64)
    } else {
        let start = out.len();
        write!(out, "{n}")?;
        if let Some(dot) = out[start..].find('.') {
            out.replace_range(start + dot..start + dot + 1, ",");
        }
        Ok(())
    }
}

/// Money in cents as `R$ 1.234,56`.
pub fn money_text(cents: u64) -> String {
    let reais = (cents / 100).to_string();
    let mut grouped = String::new();
    for (idx, ch) in reais.chars().enumerate() {
        if idx > 0 && (reais.len() - idx).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("R$ {grouped},{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_brazilian_portuguese() {
        assert_eq!(Value::Number(-24.5).display(), "-24,5");
        assert_eq!(Value::Number(3.0).display(), "3");
        assert_eq!(Value::Time(8 * 60 + 5).display(), "08:05");
        assert_eq!(
            Value::Date {
                year: 2026,
                month: 12,
                day: 1
            }
            .display(),
            "01/12/2026"
        );
        assert_eq!(Value::Bool(false).display(), "não");
        assert_eq!(
            Value::pattern(EnumKind::Channel, "whatsapp")
                .unwrap()
                .display(),
            "WhatsApp"
        );
        assert_eq!(money_text(12990), "R$ 129,90");
        assert_eq!(money_text(123456789), "R$ 1.234.567,89");
        assert_eq!(money_text(5), "R$ 0,05");
    }

    #[test]
    fn compares_within_a_type() {
        assert_eq!(
            Value::Number(1.0).compare(&Value::Number(2.0)),
            Some(Ordering::Less)
        );
        assert_eq!(Value::Number(1.0).compare(&Value::Text("1".into())), None);
        assert_eq!(Value::Number(f64::NAN).compare(&Value::Number(1.0)), None);
    }
}

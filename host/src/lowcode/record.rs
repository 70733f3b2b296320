//! The border between flow values and script values: the input map going in,
//! the record coming out, and checking that record against the field types
//! the flow's `script` item declares.

use std::fmt;

use rhai::Dynamic;
use serde_json::{Map, Value};

use super::error::{LimitKind, LowcodeError};
use super::{nested, Limits};

/// The type of one field of a script's record, as declared by
/// `script <id> "<path>" -> { <field>: <type>, ... }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    Text,
    Number,
    Bool,
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldType::Text => "a text",
            FieldType::Number => "a number",
            FieldType::Bool => "a bool",
        })
    }
}

/// Checks that `record` has every declared field with its declared type.
/// Extra fields are allowed (a script may return more than one flow uses).
/// All problems are reported together, in declaration order.
pub fn validate_record(
    record: &Map<String, Value>,
    fields: &[(String, FieldType)],
) -> Result<(), LowcodeError> {
    let problems: Vec<String> = fields
        .iter()
        .filter_map(|(name, expected)| match record.get(name) {
            None => Some(format!(
                "the field `{name}` is missing (expected {expected})"
            )),
            Some(value) if !has_type(value, *expected) => Some(format!(
                "the field `{name}` should be {expected}, but it is {}",
                describe(value)
            )),
            Some(_) => None,
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(LowcodeError::BadResult(problems.join("; ")))
    }
}

fn has_type(value: &Value, expected: FieldType) -> bool {
    matches!(
        (value, expected),
        (Value::String(_), FieldType::Text)
            | (Value::Number(_), FieldType::Number)
            | (Value::Bool(_), FieldType::Bool)
    )
}

/// A short English description of a value for error messages.
fn describe(value: &Value) -> String {
    const SHOWN_CHARS: usize = 40;
    match value {
        Value::Null => "nothing (`()`)".to_string(),
        Value::Bool(flag) => format!("the bool {flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) if text.chars().count() > SHOWN_CHARS => {
            let head: String = text.chars().take(SHOWN_CHARS).collect();
            format!("the text {:?}", head + "…")
        }
        Value::String(text) => format!("the text {text:?}"),
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(map) => format!("a map of {} fields", map.len()),
    }
}

pub(crate) fn to_script(input: Map<String, Value>) -> Result<Dynamic, LowcodeError> {
    rhai::serde::to_dynamic(Value::Object(input))
        .map_err(|err| LowcodeError::BadInput(err.to_string()))
}

pub(crate) fn from_script(
    value: Dynamic,
    limits: &Limits,
) -> Result<Map<String, Value>, LowcodeError> {
    if nested::too_deep(&value) {
        return Err(LowcodeError::BadResult(format!(
            "the script's result nests more than {} levels deep",
            nested::MAX_DEPTH
        )));
    }
    if !value.is_map() {
        return Err(LowcodeError::BadResult(format!(
            "the script must end with a map such as `#{{ dbm: -24.5 }}`, but it returned {}",
            describe_script_value(&value)
        )));
    }
    let map = match rhai::serde::from_dynamic::<Value>(&value) {
        Ok(Value::Object(map)) => map,
        Ok(other) => {
            return Err(LowcodeError::BadResult(format!(
                "expected a map, got {}",
                describe(&other)
            )))
        }
        Err(err) => return Err(LowcodeError::BadResult(err.to_string())),
    };
    check_sizes(&map, limits)?;
    Ok(map)
}

/// Rhai measures a map when it is passed, assigned through a property or
/// returned from a function, but not when `m[key] = value` adds a key, so a
/// map returned right after such a loop is measured here. Sizes add up over
/// nesting, as Rhai counts them.
fn check_sizes(record: &Map<String, Value>, limits: &Limits) -> Result<(), LowcodeError> {
    struct Totals {
        n_array_items: usize,
        n_map_entries: usize,
    }
    fn visit(value: &Value, totals: &mut Totals, limits: &Limits) -> Result<(), LimitKind> {
        match value {
            Value::String(text) if text.len() > limits.max_string_size.max(1) => {
                return Err(LimitKind::StringSize)
            }
            Value::Array(items) => {
                totals.n_array_items += items.len();
                items
                    .iter()
                    .try_for_each(|item| visit(item, totals, limits))?;
            }
            Value::Object(map) => {
                totals.n_map_entries += map.len();
                map.values()
                    .try_for_each(|item| visit(item, totals, limits))?;
            }
            _ => {}
        }
        if totals.n_array_items > limits.max_array_size.max(1) {
            Err(LimitKind::ArraySize)
        } else if totals.n_map_entries > limits.max_map_size.max(1) {
            Err(LimitKind::MapSize)
        } else {
            Ok(())
        }
    }
    let mut totals = Totals {
        n_array_items: 0,
        n_map_entries: record.len(),
    };
    record
        .values()
        .try_for_each(|value| visit(value, &mut totals, limits))
        .map_err(LowcodeError::Limit)
}

fn describe_script_value(value: &Dynamic) -> String {
    if value.is_unit() {
        "nothing (`()`)".to_string()
    } else {
        match rhai::serde::from_dynamic::<Value>(value) {
            Ok(json) => describe(&json),
            Err(_) => format!("a value of type {}", value.type_name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(list: &[(&str, FieldType)]) -> Vec<(String, FieldType)> {
        list.iter()
            .map(|(name, kind)| (name.to_string(), *kind))
            .collect()
    }

    fn record(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn accepts_declared_fields_and_ignores_extras() {
        let rec = record(json!({"dbm": -24.5, "olt": "OLT-01", "ok": true, "extra": [1]}));
        let declared = fields(&[
            ("dbm", FieldType::Number),
            ("olt", FieldType::Text),
            ("ok", FieldType::Bool),
        ]);
        assert_eq!(validate_record(&rec, &declared), Ok(()));
    }

    #[test]
    fn reports_every_missing_or_mistyped_field() {
        let rec = record(json!({"dbm": "-24,5"}));
        let declared = fields(&[("dbm", FieldType::Number), ("olt", FieldType::Text)]);
        let err = validate_record(&rec, &declared).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the script's result is invalid: the field `dbm` should be a number, but it is the \
             text \"-24,5\"; the field `olt` is missing (expected a text)"
        );
    }

    #[test]
    fn a_non_map_result_is_a_bad_result() {
        let err = from_script(Dynamic::from(3_i64), &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("returned the number 3"), "{err}");
        let err = from_script(Dynamic::UNIT, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("returned nothing"), "{err}");
    }

    #[test]
    fn round_trips_flow_values() {
        let input = record(json!({"login": "ana", "n": 3, "x": 1.5, "flag": false, "list": ["a"]}));
        let value = to_script(input.clone()).unwrap();
        assert_eq!(from_script(value, &Limits::default()).unwrap(), input);
    }

    #[test]
    fn an_oversized_result_hits_the_limits() {
        let limits = Limits {
            max_map_size: 2,
            max_array_size: 2,
            ..Limits::default()
        };
        let nested = to_script(record(json!({"a": {"b": 1, "c": 2}}))).unwrap();
        assert_eq!(
            from_script(nested, &limits),
            Err(LowcodeError::Limit(LimitKind::MapSize))
        );
        let long = to_script(record(json!({"a": [1], "b": [2, 3]}))).unwrap();
        assert_eq!(
            from_script(long, &limits),
            Err(LowcodeError::Limit(LimitKind::ArraySize))
        );
        let fits = to_script(record(json!({"a": [1, 2]}))).unwrap();
        assert!(from_script(fits, &limits).is_ok());
    }
}

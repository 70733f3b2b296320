//! Reading the loosely typed JSON Brazilian ERPs send: numbers as strings, money as
//! `"129.90"`, `129.9` or `"1.234,56"`, dates as `2026-11-10` or `10/11/2026`, and
//! fields that are absent, `null` or `""` interchangeably.

use fluxo_stdlib::validate;
use serde_json::Value;
use time::{Date, Month};

use crate::erp::boleto;

/// A field as text: strings trimmed, numbers and booleans printed; `None` when absent,
/// `null` or blank.
pub(crate) fn text(value: &Value, key: &str) -> Option<String> {
    scalar(value.get(key)?)
}

/// The value at a JSON pointer, as text (see [`text`]).
pub(crate) fn text_at(value: &Value, pointer: &str) -> Option<String> {
    scalar(value.pointer(pointer)?)
}

pub(crate) fn scalar(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.trim().to_string(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The first present field among `keys`.
pub(crate) fn first_text(value: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| text(value, key))
}

/// An array field; empty when absent or not an array.
pub(crate) fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Money in cents from a JSON number or a decimal string with `.` or `,` decimals.
pub(crate) fn cents(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => {
            let amount = number.as_f64()?;
            (amount.is_finite() && amount >= 0.0).then(|| (amount * 100.0).round() as u64)
        }
        Value::String(text) => cents_of_text(text),
        _ => None,
    }
}

pub(crate) fn cents_field(value: &Value, key: &str) -> Option<u64> {
    cents(value.get(key)?)
}

/// `129.90`, `129,9`, `1.234,56`, `1,234.56`, `R$ 99`: the last `.` or `,` followed by
/// one or two digits is the decimal mark; the other separators group thousands.
fn cents_of_text(text: &str) -> Option<u64> {
    let cleaned: String = text
        .trim()
        .trim_start_matches("R$")
        .chars()
        .filter(|it| !it.is_whitespace())
        .collect();
    if cleaned.is_empty() || cleaned.starts_with('-') {
        return None;
    }
    let decimal_at = cleaned
        .rfind(['.', ','])
        .filter(|at| (1..=2).contains(&(cleaned.len() - at - 1)));
    let (units, decimals) = match decimal_at {
        Some(at) => (&cleaned[..at], &cleaned[at + 1..]),
        None => (cleaned.as_str(), ""),
    };
    let units: String = units
        .chars()
        .filter(|it| *it != '.' && *it != ',')
        .collect();
    if !units
        .bytes()
        .chain(decimals.bytes())
        .all(|it| it.is_ascii_digit())
    {
        return None;
    }
    let units: u64 = if units.is_empty() {
        0
    } else {
        units.parse().ok()?
    };
    let decimals: u64 = format!("{decimals:0<2}").parse().ok()?;
    units.checked_mul(100)?.checked_add(decimals)
}

/// A calendar date from `YYYY-MM-DD` or `DD/MM/YYYY`, ignoring a time after it.
pub(crate) fn date(text: &str) -> Option<Date> {
    let day_part = text.trim().split([' ', 'T']).next()?;
    let parts: Vec<&str> = day_part.split(['-', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

pub(crate) fn date_field(value: &Value, key: &str) -> Option<Date> {
    date(&text(value, key)?)
}

/// The last `DD/MM/YYYY` date in a sentence. ERPs put the date a customer needs
/// last: "desbloqueado em 23/11/2026 até 26/11/2026", "utilizado em 23/11/2026.
/// Disponível novamente a partir de 01/12/2026".
pub(crate) fn date_in(sentence: &str) -> Option<Date> {
    dates_in(sentence).last().copied()
}

/// Every `DD/MM/YYYY` date in a sentence, in order.
fn dates_in(sentence: &str) -> Vec<Date> {
    let bytes = sentence.as_bytes();
    (0..bytes.len().saturating_sub(9))
        .filter_map(|at| {
            let candidate = sentence.get(at..at + 10)?;
            let shaped = candidate.bytes().enumerate().all(|(idx, byte)| match idx {
                2 | 5 => byte == b'/',
                _ => byte.is_ascii_digit(),
            });
            shaped.then(|| date(candidate)).flatten()
        })
        .collect()
}

/// A phone as the vocabulary carries it: E.164 when it reads as a Brazilian number.
pub(crate) fn phone(raw: &str) -> String {
    validate::phone(raw).unwrap_or_else(|_| raw.trim().to_string())
}

/// Collects the non-blank phone fields among `keys`, normalised and without repeats.
pub(crate) fn phones(value: &Value, keys: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        let found: Vec<String> = match value.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|it| {
                    scalar(it).or_else(|| first_text(it, &["numero", "number", "telefone"]))
                })
                .collect(),
            Some(other) => scalar(other).into_iter().collect(),
            None => Vec::new(),
        };
        for raw in found {
            let normalised = phone(&raw);
            if !out.contains(&normalised) {
                out.push(normalised);
            }
        }
    }
    out
}

/// Whether two phone numbers are the same line: equal national numbers, allowing
/// for a mobile registered before the ninth digit was added.
pub(crate) fn same_phone(a: &str, b: &str) -> bool {
    let (Some(a), Some(b)) = (national(a), national(b)) else {
        return false;
    };
    let without_ninth = |it: &str| -> String {
        if it.len() == 11 && it.as_bytes()[2] == b'9' {
            format!("{}{}", &it[..2], &it[3..])
        } else {
            it.to_string()
        }
    };
    a == b || without_ninth(&a) == without_ninth(&b)
}

/// The national number (area code and subscriber, 10 or 11 digits) of a phone as
/// ERPs store it: looser than `validate::phone`, since registrations keep numbers
/// from before the ninth digit.
pub(crate) fn national(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix('0').unwrap_or(&digits);
    let digits = match digits.len() {
        12 | 13 => digits.strip_prefix("55")?,
        _ => digits,
    };
    matches!(digits.len(), 10 | 11).then(|| digits.to_string())
}

/// A linha digitável as bare digits, when the text has exactly 47 or 48 of them.
pub(crate) fn linha(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        47 => boleto::check_linha(&digits).ok().map(|it| it.digits),
        48 => Some(digits),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::date;

    use super::*;

    #[test]
    fn reads_brazilian_money() {
        assert_eq!(cents(&json!(132.5)), Some(13250));
        assert_eq!(cents(&json!("129.90")), Some(12990));
        assert_eq!(cents(&json!("129,9")), Some(12990));
        assert_eq!(cents(&json!("1.234,56")), Some(123_456));
        assert_eq!(cents(&json!("1,234.56")), Some(123_456));
        assert_eq!(cents(&json!("R$ 99")), Some(9900));
        assert_eq!(cents(&json!("-5")), None);
        assert_eq!(cents(&json!("abc")), None);
        assert_eq!(cents(&json!(null)), None);
    }

    #[test]
    fn reads_dates_both_ways() {
        assert_eq!(date("2026-11-10"), Some(date!(2026 - 11 - 10)));
        assert_eq!(date("10/11/2026"), Some(date!(2026 - 11 - 10)));
        assert_eq!(date("2026-11-10 14:00:00"), Some(date!(2026 - 11 - 10)));
        assert_eq!(date("31/02/2026"), None);
        assert_eq!(date("0000-00-00"), None);
        assert_eq!(
            date_in("Desbloqueio realizado com sucesso até a data 26/11/2018"),
            Some(date!(2018 - 11 - 26))
        );
        assert_eq!(
            date_in("utilizado em 23/11/2026. Disponível novamente a partir de 01/12/2026"),
            Some(date!(2026 - 12 - 01))
        );
        assert_eq!(date_in("sem data"), None);
    }

    #[test]
    fn compares_phones_loosely() {
        assert!(same_phone("+5548999990000", "(48) 99999-0000"));
        assert!(same_phone("48 9999-0000", "+55 48 99999-0000"));
        assert!(!same_phone("+5548999990000", "+5548999990001"));
        assert!(!same_phone("oi", "oi"));
    }

    #[test]
    fn texts_of_any_scalar() {
        let value = json!({"a": " x ", "b": 12, "c": "", "d": null});
        assert_eq!(text(&value, "a").as_deref(), Some("x"));
        assert_eq!(text(&value, "b").as_deref(), Some("12"));
        assert_eq!(text(&value, "c"), None);
        assert_eq!(first_text(&value, &["d", "c", "b"]).as_deref(), Some("12"));
    }
}

//! Small pure string, number and date functions for scripts, shaped for
//! Brazilian portals: decimal commas, `dd/mm/aaaa` dates. Dates travel as ISO
//! `YYYY-MM-DD` texts; nothing here reads the clock (`today()` comes from the
//! run's config, see the engine).

use rhai::{
    EvalAltResult, FuncRegistration, ImmutableString, Module, NativeCallContext, FLOAT, INT,
};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::Date;

use super::error::{abort, script_error, LimitKind, LowcodeError};

type Fallible<T> = Result<T, Box<EvalAltResult>>;

const ISO_DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");
const BR_DATE: &[BorrowedFormatItem<'_>] = format_description!("[day]/[month]/[year]");

pub(crate) fn register(module: &mut Module) {
    // `trim` and `replace` replace Rhai's versions, which change the string in
    // place and return nothing (an easy trap: `let t = s.trim();` is `()`).
    FuncRegistration::new("trim")
        .set_into_module(module, |s: ImmutableString| s.trim().to_string());
    FuncRegistration::new("lower").set_into_module(module, |s: ImmutableString| s.to_lowercase());
    FuncRegistration::new("upper").set_into_module(module, |s: ImmutableString| s.to_uppercase());
    FuncRegistration::new("replace").set_into_module(module, replace);
    FuncRegistration::new("url_encode")
        .set_into_module(module, |s: ImmutableString| url_encode(&s));
    FuncRegistration::new("parse_number").set_into_module(module, parse_number);
    FuncRegistration::new("format_date_br").set_into_module(module, format_date_br);
    FuncRegistration::new("parse_date_br").set_into_module(module, parse_date_br);
    FuncRegistration::new("add_days").set_into_module(module, add_days);
}

/// Every `from` in `s` replaced by `to`; an empty `from` matches between every two
/// characters. The result's size is known before it is built, and refused when it is
/// larger than a string may be: Rhai checks a function's result only after it
/// returns, too late for `replace(s, "", t)` on two 1 MiB strings (1 TiB).
fn replace(
    ctx: NativeCallContext,
    s: ImmutableString,
    from: ImmutableString,
    to: ImmutableString,
) -> Fallible<String> {
    let n_matches = if from.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(from.as_str()).count()
    };
    let size = n_matches
        .checked_mul(to.len())
        .and_then(|added| (s.len() - n_matches * from.len()).checked_add(added));
    match size {
        Some(size) if size <= ctx.engine().max_string_size().max(1) => {
            Ok(s.replace(from.as_str(), &to))
        }
        _ => Err(too_large()),
    }
}

/// The error of a result that would be larger than a string may be.
pub(crate) fn too_large() -> Box<EvalAltResult> {
    abort(LowcodeError::Limit(LimitKind::StringSize))
}

pub(crate) fn iso_date(date: Date) -> String {
    date.format(ISO_DATE).unwrap_or_default()
}

/// Percent-encodes everything but the URL-unreserved characters, for query
/// parameters and path segments.
fn url_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The first number in `text`, read the Brazilian way: "R$ 1.234,56" is
/// 1234.56 and "-24,50 dBm" is -24.5. Without a comma a single dot is a
/// decimal point ("-24.5"), several dots separate thousands ("1.234.567").
fn parse_number(text: ImmutableString) -> Fallible<FLOAT> {
    let no_number = || script_error(format!("parse_number: no number in {:?}", text.as_str()));
    let literal = number_literal(&text).ok_or_else(no_number)?;
    let normalised = if literal.contains(',') {
        if literal.matches(',').count() > 1 {
            return Err(no_number());
        }
        literal.replace('.', "").replace(',', ".")
    } else if literal.matches('.').count() > 1 {
        literal.replace('.', "")
    } else {
        literal
    };
    normalised.parse::<FLOAT>().map_err(|_| no_number())
}

/// The first run of digits, dots and commas, with a sign just before it
/// ("-", "+" or the Unicode minus that some pages use) and without trailing
/// separators (the full stop ending "vale 3.").
fn number_literal(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let start = chars.iter().position(char::is_ascii_digit)?;
    let run_len = chars[start..]
        .iter()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .count();
    let run: String = chars[start..start + run_len].iter().collect();
    let run = run.trim_end_matches(['.', ',']);
    let negative = start > 0 && matches!(chars[start - 1], '-' | '\u{2212}');
    Some(if negative {
        format!("-{run}")
    } else {
        run.to_string()
    })
}

/// "2026-11-23" → "23/11/2026".
fn format_date_br(iso: ImmutableString) -> Fallible<String> {
    let date = parse_date("format_date_br", &iso, ISO_DATE, "YYYY-MM-DD")?;
    Ok(date.format(BR_DATE).unwrap_or_default())
}

/// "23/11/2026" → "2026-11-23".
fn parse_date_br(br: ImmutableString) -> Fallible<String> {
    let date = parse_date("parse_date_br", br.trim(), BR_DATE, "dd/mm/aaaa")?;
    Ok(iso_date(date))
}

/// `add_days("2026-11-23", 10)` → "2026-12-03"; negative days go back.
fn add_days(iso: ImmutableString, days: INT) -> Fallible<String> {
    let date = parse_date("add_days", &iso, ISO_DATE, "YYYY-MM-DD")?;
    let moved = i64::from(date.to_julian_day())
        .checked_add(days)
        .and_then(|day| i32::try_from(day).ok())
        .and_then(|day| Date::from_julian_day(day).ok())
        .ok_or_else(|| script_error(format!("add_days: {iso} plus {days} days is out of range")))?;
    Ok(iso_date(moved))
}

fn parse_date(
    function: &str,
    text: &str,
    format: &[BorrowedFormatItem<'_>],
    shape: &str,
) -> Fallible<Date> {
    Date::parse(text, format).map_err(|_| {
        script_error(format!(
            "{function}: {text:?} is not a date of the form {shape}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Option<FLOAT> {
        parse_number(text.into()).ok()
    }

    #[test]
    fn numbers_the_brazilian_way() {
        assert_eq!(number("-24,50 dBm"), Some(-24.5));
        assert_eq!(number("Sinal RX: −27,1"), Some(-27.1));
        assert_eq!(number("R$ 1.234,56"), Some(1234.56));
        assert_eq!(number("1.234.567"), Some(1_234_567.0));
        assert_eq!(number("-24.5dBm"), Some(-24.5));
        assert_eq!(number("vale 3."), Some(3.0));
        assert_eq!(number("+5"), Some(5.0));
        assert_eq!(number("1,2,3"), None);
        assert_eq!(number("sem sinal"), None);
        assert_eq!(number(""), None);
    }

    #[test]
    fn dates() {
        assert_eq!(format_date_br("2026-11-23".into()).unwrap(), "23/11/2026");
        assert_eq!(parse_date_br(" 05/01/2027 ".into()).unwrap(), "2027-01-05");
        assert_eq!(add_days("2026-11-23".into(), 10).unwrap(), "2026-12-03");
        assert_eq!(add_days("2026-03-01".into(), -1).unwrap(), "2026-02-28");
        assert!(parse_date_br("31/02/2026".into()).is_err());
        assert!(add_days("2026-11-23".into(), INT::MAX).is_err());
        assert!(format_date_br("23/11/2026".into()).is_err());
    }

    #[test]
    fn url_encoding() {
        assert_eq!(
            url_encode("ana.souza@fibra net/ç"),
            "ana.souza%40fibra%20net%2F%C3%A7"
        );
    }
}

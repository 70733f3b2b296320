//! Numbers as Brazilians type them: a decimal comma, dots grouping thousands.

use super::Invalid;

/// A number, returned with a decimal point and no grouping, without leading zeros or
/// trailing fractional zeros (`1.234,50` gives `1234.5`), so that `str::parse::<f64>`
/// reads it.
///
/// With a comma, the comma is the decimal separator and dots may only group thousands.
/// Without one, dots that group thousands correctly are grouping (`1.500` is fifteen
/// hundred, the Brazilian reading) and a single other dot is a decimal point (`3.5`).
pub fn number(input: &str) -> Result<String, Invalid> {
    let trimmed = input.trim();
    let (negative, body) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if body.is_empty() {
        return Err(Invalid::Empty);
    }
    if let Some(bad) = body
        .chars()
        .find(|it| !it.is_ascii_digit() && *it != ',' && *it != '.')
    {
        return Err(Invalid::BadCharacter(bad));
    }
    let (int, frac) = match body.split_once(',') {
        Some((int, frac)) => {
            if frac.is_empty() || !frac.bytes().all(|it| it.is_ascii_digit()) {
                return Err(Invalid::Malformed("digits follow the decimal comma"));
            }
            (
                ungroup(int).ok_or(Invalid::Malformed("dots group thousands in threes"))?,
                frac,
            )
        }
        None => match ungroup(body) {
            Some(int) if !int.is_empty() => (int, ""),
            _ => match body.split_once('.') {
                Some((int, frac)) if !frac.is_empty() && !frac.contains('.') && !int.is_empty() => {
                    (int.to_string(), frac)
                }
                _ => return Err(Invalid::Malformed("dots group thousands in threes")),
            },
        },
    };
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let mut out = String::with_capacity(int.len() + frac.len() + 3);
    if negative && !(int.is_empty() && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Ok(out)
}

/// The digits of an integer part with its thousands dots removed, if the dots group it
/// correctly (`1.234.567`) or there are none. An integer part may be empty (`,5`). A
/// leading group of `0` is no grouping (`0.500`).
fn ungroup(int: &str) -> Option<String> {
    let mut groups = int.split('.');
    let first = groups.next()?;
    let mut digits = first.to_string();
    let mut grouped = false;
    for group in groups {
        grouped = true;
        if group.len() != 3 {
            return None;
        }
        digits.push_str(group);
    }
    if grouped && (first.is_empty() || first.len() > 3 || first == "0") {
        return None;
    }
    Some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_brazilian_numbers() {
        assert_eq!(number("42").as_deref(), Ok("42"));
        assert_eq!(number(" -27 ").as_deref(), Ok("-27"));
        assert_eq!(number("+3").as_deref(), Ok("3"));
        assert_eq!(number("3,5").as_deref(), Ok("3.5"));
        assert_eq!(number("1.234,50").as_deref(), Ok("1234.5"));
        assert_eq!(number("1.234.567").as_deref(), Ok("1234567"));
        assert_eq!(number("1.500").as_deref(), Ok("1500"));
        assert_eq!(number("0,75").as_deref(), Ok("0.75"));
        assert_eq!(number(",5").as_deref(), Ok("0.5"));
        assert_eq!(number("007").as_deref(), Ok("7"));
        assert_eq!(number("10,00").as_deref(), Ok("10"));
        assert_eq!(number("-0").as_deref(), Ok("0"));
        assert_eq!(number("-0,0").as_deref(), Ok("0"));
    }

    #[test]
    fn reads_a_lone_dot_as_a_decimal_point() {
        assert_eq!(number("3.5").as_deref(), Ok("3.5"));
        assert_eq!(number("1.50").as_deref(), Ok("1.5"));
        assert_eq!(number("0.500").as_deref(), Ok("0.5"));
        assert_eq!(number("1234.5678").as_deref(), Ok("1234.5678"));
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        assert_eq!(number(""), Err(Invalid::Empty));
        assert_eq!(number("-"), Err(Invalid::Empty));
        assert_eq!(number("dez"), Err(Invalid::BadCharacter('d')));
        assert_eq!(number("R$ 10"), Err(Invalid::BadCharacter('R')));
        assert_eq!(number("1 000"), Err(Invalid::BadCharacter(' ')));
        assert_eq!(
            number("1,2,3"),
            Err(Invalid::Malformed("digits follow the decimal comma"))
        );
        assert_eq!(
            number("1,"),
            Err(Invalid::Malformed("digits follow the decimal comma"))
        );
        assert_eq!(
            number("1.23,5"),
            Err(Invalid::Malformed("dots group thousands in threes"))
        );
        assert_eq!(
            number("1.2.3"),
            Err(Invalid::Malformed("dots group thousands in threes"))
        );
        assert_eq!(
            number("."),
            Err(Invalid::Malformed("dots group thousands in threes"))
        );
        assert_eq!(
            number("5."),
            Err(Invalid::Malformed("dots group thousands in threes"))
        );
        assert_eq!(
            number(".5"),
            Err(Invalid::Malformed("dots group thousands in threes"))
        );
        assert_eq!(number("--5"), Err(Invalid::BadCharacter('-')));
    }
}

//! Calendar dates as Brazilians type them, `dd/mm/aaaa`, checked against the real
//! calendar (month lengths, leap years).

use super::Invalid;

/// The years a customer plausibly means; anything else is a typo.
const YEARS: std::ops::RangeInclusive<u32> = 1900..=2100;

/// A real date, returned as `dd/mm/aaaa`. Accepts `/`, `-` or `.` between the parts,
/// one- or two-digit day and month (`5/3/1990`), eight bare digits (`05031990`) and the
/// ISO order `aaaa-mm-dd`. The year has four digits: `05/03/90` is refused rather than
/// guessed.
pub fn date(input: &str) -> Result<String, Invalid> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Invalid::Empty);
    }
    if let Some(bad) = trimmed
        .chars()
        .find(|it| !it.is_ascii_digit() && !matches!(it, '/' | '-' | '.'))
    {
        return Err(Invalid::BadCharacter(bad));
    }
    let parts: Vec<&str> = trimmed.split(['/', '-', '.']).collect();
    let (day, month, year) = match parts.as_slice() {
        [whole] if whole.len() == 8 => (&whole[..2], &whole[2..4], &whole[4..]),
        [year, month, day] if year.len() == 4 => (*day, *month, *year),
        [day, month, year] => (*day, *month, *year),
        _ => return Err(Invalid::Malformed("a date is day/month/year")),
    };
    if !(1..=2).contains(&day.len()) || !(1..=2).contains(&month.len()) {
        return Err(Invalid::Malformed("day and month have one or two digits"));
    }
    if year.len() != 4 {
        return Err(Invalid::Malformed("the year has four digits"));
    }
    let (day, month, year) = (number(day)?, number(month)?, number(year)?);
    if !YEARS.contains(&year) {
        return Err(Invalid::Malformed("the year is between 1900 and 2100"));
    }
    if !(1..=12).contains(&month) {
        return Err(Invalid::Malformed("the month is between 1 and 12"));
    }
    if day == 0 || day > days_in_month(month, year) {
        return Err(Invalid::NoSuchDay);
    }
    Ok(format!("{day:02}/{month:02}/{year:04}"))
}

/// `digits` is 1 to 4 ASCII digits.
fn number(digits: &str) -> Result<u32, Invalid> {
    digits
        .parse()
        .map_err(|_| Invalid::Malformed("a date is day/month/year"))
}

fn days_in_month(month: u32, year: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dates_as_typed() {
        assert_eq!(date("25/12/2026").as_deref(), Ok("25/12/2026"));
        assert_eq!(date(" 5/3/1990 ").as_deref(), Ok("05/03/1990"));
        assert_eq!(date("05-03-1990").as_deref(), Ok("05/03/1990"));
        assert_eq!(date("05.03.1990").as_deref(), Ok("05/03/1990"));
        assert_eq!(date("05031990").as_deref(), Ok("05/03/1990"));
        assert_eq!(date("1990-03-05").as_deref(), Ok("05/03/1990"));
        assert_eq!(date("31/01/2026").as_deref(), Ok("31/01/2026"));
    }

    #[test]
    fn follows_the_calendar() {
        assert_eq!(date("29/02/2024").as_deref(), Ok("29/02/2024"));
        assert_eq!(date("29/02/2000").as_deref(), Ok("29/02/2000"));
        assert_eq!(date("29/02/2025"), Err(Invalid::NoSuchDay));
        assert_eq!(date("29/02/1900"), Err(Invalid::NoSuchDay));
        assert_eq!(date("31/04/2026"), Err(Invalid::NoSuchDay));
        assert_eq!(date("30/04/2026").as_deref(), Ok("30/04/2026"));
        assert_eq!(date("00/04/2026"), Err(Invalid::NoSuchDay));
        assert_eq!(
            date("12/13/2026"),
            Err(Invalid::Malformed("the month is between 1 and 12"))
        );
        assert_eq!(
            date("12/00/2026"),
            Err(Invalid::Malformed("the month is between 1 and 12"))
        );
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        assert_eq!(date(""), Err(Invalid::Empty));
        assert_eq!(
            date("05/03/90"),
            Err(Invalid::Malformed("the year has four digits"))
        );
        assert_eq!(
            date("05/03"),
            Err(Invalid::Malformed("a date is day/month/year"))
        );
        assert_eq!(date("5 de março"), Err(Invalid::BadCharacter(' ')));
        assert_eq!(
            date("05//1990"),
            Err(Invalid::Malformed("day and month have one or two digits"))
        );
        assert_eq!(
            date("005/03/1990"),
            Err(Invalid::Malformed("day and month have one or two digits"))
        );
        assert_eq!(
            date("05/03/1850"),
            Err(Invalid::Malformed("the year is between 1900 and 2100"))
        );
        assert_eq!(
            date("0503199"),
            Err(Invalid::Malformed("a date is day/month/year"))
        );
        assert_eq!(
            date("05/03/1990/1"),
            Err(Invalid::Malformed("a date is day/month/year"))
        );
    }
}

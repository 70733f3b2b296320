//! Brazilian phone numbers: an optional `+55` (or `55`, or the trunk `0`), the area
//! code (DDD), then a 9-digit mobile number starting with 9 or an 8-digit landline
//! starting with 2 to 5.

use super::Invalid;

/// The area codes (DDD) ANATEL has assigned.
const AREA_CODES: [u8; 67] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, //
    21, 22, 24, 27, 28, //
    31, 32, 33, 34, 35, 37, 38, //
    41, 42, 43, 44, 45, 46, 47, 48, 49, //
    51, 53, 54, 55, //
    61, 62, 63, 64, 65, 66, 67, 68, 69, //
    71, 73, 74, 75, 77, 79, //
    81, 82, 83, 84, 85, 86, 87, 88, 89, //
    91, 92, 93, 94, 95, 96, 97, 98, 99,
];

/// A Brazilian phone number in E.164 form, `+5548999990000`. The area code is
/// required: without it the number cannot be dialled from a bot's side. Spaces,
/// parentheses, hyphens and dots are accepted anywhere, `+` only in front.
pub fn phone(input: &str) -> Result<String, Invalid> {
    let trimmed = input.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for ch in rest.chars() {
        match ch {
            '0'..='9' => digits.push(ch),
            '(' | ')' | '-' | '.' => {}
            _ if ch.is_whitespace() => {}
            _ => return Err(Invalid::BadCharacter(ch)),
        }
    }
    if digits.is_empty() {
        return Err(Invalid::Empty);
    }
    let national = if plus {
        digits.strip_prefix("55").ok_or(Invalid::CountryCode)?
    } else if let Some(rest) = digits.strip_prefix('0') {
        // The trunk prefix of a long-distance call typed from habit: `048 ...`.
        rest
    } else if digits.len() > 11 {
        digits.strip_prefix("55").ok_or(Invalid::CountryCode)?
    } else {
        &digits
    };
    if national.len() != 10 && national.len() != 11 {
        return Err(Invalid::Length {
            expected: "10 or 11 digits with the area code",
            found: national.len(),
        });
    }
    let (area, subscriber) = national.split_at(2);
    let area_code: u8 = area
        .parse()
        .map_err(|_| Invalid::Malformed("the area code is two digits"))?;
    if !AREA_CODES.contains(&area_code) {
        return Err(Invalid::AreaCode(area_code));
    }
    let first = subscriber.as_bytes()[0];
    let valid = match subscriber.len() {
        9 => first == b'9',
        _ => (b'2'..=b'5').contains(&first),
    };
    if !valid {
        return Err(Invalid::SubscriberNumber);
    }
    Ok(format!("+55{national}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_numbers_as_people_type_them() {
        let mobile = Ok("+5548999990000".to_string());
        assert_eq!(phone("+55 (48) 99999-0000"), mobile);
        assert_eq!(phone("+5548999990000"), mobile);
        assert_eq!(phone("5548999990000"), mobile);
        assert_eq!(phone("(48) 99999-0000"), mobile);
        assert_eq!(phone("48 9 9999 0000"), mobile);
        assert_eq!(phone("048 99999.0000"), mobile);
        assert_eq!(phone(" 48999990000 "), mobile);
        assert_eq!(phone("(11) 3333-4444").as_deref(), Ok("+551133334444"));
        assert_eq!(phone("+55 11 3333 4444").as_deref(), Ok("+551133334444"));
        // DDD 55 exists (Santa Maria, RS) and must not be read as the country code.
        assert_eq!(phone("(55) 99999-1234").as_deref(), Ok("+5555999991234"));
        assert_eq!(phone("55 55 99999 1234").as_deref(), Ok("+5555999991234"));
    }

    #[test]
    fn refuses_what_is_not_a_brazilian_number() {
        assert_eq!(phone("+1 415 555 0100"), Err(Invalid::CountryCode));
        assert_eq!(
            phone("99999-0000"),
            Err(Invalid::Length {
                expected: "10 or 11 digits with the area code",
                found: 9,
            })
        );
        assert_eq!(phone("(20) 99999-0000"), Err(Invalid::AreaCode(20)));
        assert_eq!(phone("(10) 3333-4444"), Err(Invalid::AreaCode(10)));
        // An 8-digit mobile number from before the ninth digit.
        assert_eq!(phone("(48) 9999-0000"), Err(Invalid::SubscriberNumber));
        // A 9-digit number that is not a mobile.
        assert_eq!(phone("(48) 39999-0000"), Err(Invalid::SubscriberNumber));
        assert_eq!(
            phone("48 99999 0000 ramal 2"),
            Err(Invalid::BadCharacter('r'))
        );
        assert_eq!(phone("48+999990000"), Err(Invalid::BadCharacter('+')));
        assert_eq!(phone("+"), Err(Invalid::Empty));
        assert_eq!(phone("()"), Err(Invalid::Empty));
        assert_eq!(
            phone("+55 48 99999 00001"),
            Err(Invalid::Length {
                expected: "10 or 11 digits with the area code",
                found: 12,
            })
        );
    }
}

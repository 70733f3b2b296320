//! Validators for what customers type: each takes the raw answer, accepts the
//! punctuation and spaces people use, and returns the normalized value or why the
//! answer is not one.
//!
//! The runtime calls these for `ask ... input <type>`, `validate_document` and the ERP
//! cards; the checker may call them on literals. They are pure and never panic. The
//! reasons are English, for logs and engineers: the customer sees the card's
//! `invalid_message`, never a reason.

mod cep;
mod date;
mod document;
mod email;
mod number;
mod phone;
mod wifi;

use std::fmt;

pub use cep::cep;
pub use date::date;
pub use document::{cnpj, cpf, document};
pub use email::email;
pub use number::number;
pub use phone::phone;
pub use wifi::wifi_password;

use crate::types::InputType;

/// Why an answer was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Nothing but spaces (or punctuation).
    Empty,
    /// A character this kind of answer never contains.
    BadCharacter(char),
    /// The answer has the wrong number of digits or characters.
    Length {
        expected: &'static str,
        found: usize,
    },
    /// A CPF or CNPJ whose check digits do not match the rest.
    CheckDigits,
    /// A CPF or CNPJ made of one repeated digit, which passes the check digits but is
    /// never issued.
    RepeatedDigits,
    /// A phone number with a country code other than Brazil's.
    CountryCode,
    /// A phone number whose area code (DDD) does not exist.
    AreaCode(u8),
    /// A phone number that is neither a mobile (9 digits starting with 9) nor a
    /// landline (8 digits starting with 2 to 5).
    SubscriberNumber,
    /// A day that does not exist in that month and year (31/04, 29/02/2025).
    NoSuchDay,
    /// The answer's shape is wrong; the text says how.
    Malformed(&'static str),
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Empty => f.write_str("the answer is empty"),
            Invalid::BadCharacter(ch) => write!(f, "unexpected character {ch:?}"),
            Invalid::Length { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            Invalid::CheckDigits => f.write_str("the check digits do not match"),
            Invalid::RepeatedDigits => f.write_str("a single repeated digit is never issued"),
            Invalid::CountryCode => f.write_str("not a Brazilian (+55) phone number"),
            Invalid::AreaCode(ddd) => write!(f, "{ddd} is not a Brazilian area code (DDD)"),
            Invalid::SubscriberNumber => f.write_str(
                "neither a mobile number (9 digits starting with 9) nor a landline (8 digits starting with 2 to 5)",
            ),
            Invalid::NoSuchDay => f.write_str("that day does not exist in that month"),
            Invalid::Malformed(how) => f.write_str(how),
        }
    }
}

impl std::error::Error for Invalid {}

/// Validates `input` as `input_type` and returns the normalized value the variable
/// holds: CPF, CNPJ and CEP as bare digits (a CNPJ's letters upper-cased), phones in
/// E.164 (`+5548999990000`), dates as `dd/mm/aaaa`, numbers with a decimal point and no
/// grouping (`1234.5`), e-mails with a lower-case domain, text trimmed.
pub fn validate(input_type: InputType, input: &str) -> Result<String, Invalid> {
    match input_type {
        InputType::Text => text(input),
        InputType::Number => number(input),
        InputType::Cpf => cpf(input),
        InputType::Cnpj => cnpj(input),
        InputType::Document => document(input),
        InputType::Email => email(input),
        InputType::Phone => phone(input),
        InputType::Date => date(input),
        InputType::Cep => cep(input),
    }
}

/// Any text that is not blank, trimmed.
pub fn text(input: &str) -> Result<String, Invalid> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Invalid::Empty);
    }
    Ok(trimmed.to_string())
}

/// The characters of an identifier typed with the usual separators (`.`, `-`, `/` and
/// spaces) left out; letters are upper-cased and kept only if `letters` is set.
fn identifier_chars(input: &str, letters: bool) -> Result<String, Invalid> {
    let mut out = String::with_capacity(input.len());
    for ch in input.chars() {
        match ch {
            '0'..='9' => out.push(ch),
            'a'..='z' | 'A'..='Z' if letters => out.push(ch.to_ascii_uppercase()),
            '.' | '-' | '/' => {}
            _ if ch.is_whitespace() => {}
            _ => return Err(Invalid::BadCharacter(ch)),
        }
    }
    if out.is_empty() {
        return Err(Invalid::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_on_the_input_type() {
        assert_eq!(
            validate(InputType::Cpf, "529.982.247-25").as_deref(),
            Ok("52998224725")
        );
        assert_eq!(
            validate(InputType::Cep, "88015-600").as_deref(),
            Ok("88015600")
        );
        assert_eq!(validate(InputType::Number, "3,5").as_deref(), Ok("3.5"));
        assert_eq!(validate(InputType::Text, "  oi  ").as_deref(), Ok("oi"));
        assert_eq!(validate(InputType::Text, " \n "), Err(Invalid::Empty));
        for input_type in InputType::ALL {
            assert!(
                validate(input_type, "").is_err(),
                "{input_type:?} accepts nothing"
            );
        }
    }

    #[test]
    fn identifiers_drop_separators_only() {
        assert_eq!(
            identifier_chars(" 12.ab-3/4 ", true).as_deref(),
            Ok("12AB34")
        );
        assert_eq!(
            identifier_chars("12a", false),
            Err(Invalid::BadCharacter('a'))
        );
        assert_eq!(
            identifier_chars("12_3", true),
            Err(Invalid::BadCharacter('_'))
        );
        assert_eq!(identifier_chars(" .-/ ", true), Err(Invalid::Empty));
    }

    #[test]
    fn reasons_read_as_english() {
        let reason = Invalid::Length {
            expected: "11 digits",
            found: 10,
        };
        assert_eq!(reason.to_string(), "expected 11 digits, found 10");
        assert_eq!(
            Invalid::AreaCode(20).to_string(),
            "20 is not a Brazilian area code (DDD)"
        );
    }
}

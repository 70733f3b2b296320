//! Boleto bancário (cobrança) numbers: the 44-digit barcode, the 47-digit linha
//! digitável, their check digits and the due-date factor (FEBRABAN rules, as in
//! ERP-APIS.md section 3).
//!
//! The simulated ERP builds linhas from a bill's bank, due date and amount and checks
//! the ones a fixture gives; tests check what adapters return. Arrecadação (48-digit,
//! starting with 8) lines are out of scope.

use std::fmt;

use time::macros::date;
use time::Date;

/// Day zero of the due-date factor.
const FACTOR_BASE: Date = date!(1997 - 10 - 07);

/// Why a number is not a valid boleto.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoletoError {
    /// A character that is not a digit (separators `.` and spaces aside).
    NonDigit(char),
    Length {
        expected: usize,
        found: usize,
    },
    /// The currency code is not `9` (real).
    Currency,
    /// The mod-10 check digit of field 1, 2 or 3 of the linha is wrong.
    FieldCheckDigit(u8),
    /// The barcode's mod-11 general check digit is wrong.
    GeneralCheckDigit,
    /// A due date before the factor's range (2000-07-03) or an amount above
    /// 99,999,999.99, which the 10-digit field cannot hold.
    OutOfRange(&'static str),
}

impl fmt::Display for BoletoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoletoError::NonDigit(ch) => write!(f, "unexpected character {ch:?}"),
            BoletoError::Length { expected, found } => {
                write!(f, "expected {expected} digits, found {found}")
            }
            BoletoError::Currency => f.write_str("the currency code is not 9 (real)"),
            BoletoError::FieldCheckDigit(field) => {
                write!(f, "the check digit of field {field} is wrong")
            }
            BoletoError::GeneralCheckDigit => f.write_str("the general check digit is wrong"),
            BoletoError::OutOfRange(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for BoletoError {}

/// What a valid linha digitável says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linha {
    /// Bare digits.
    pub digits: String,
    pub bank: String,
    pub due_factor: u16,
    pub amount_cents: u64,
}

/// The due-date factor: days since 1997-10-07, restarting at 1000 after 9999
/// (2025-02-22 is 1000 again). `None` before 2000-07-03 (factor 1000).
pub fn due_factor(due: Date) -> Option<u16> {
    let days = (due - FACTOR_BASE).whole_days();
    let factor = if days < 1000 {
        return None;
    } else if days <= 9999 {
        days
    } else {
        (days - 10_000) % 9000 + 1000
    };
    u16::try_from(factor).ok()
}

/// Builds the 47-digit linha digitável of a boleto. `bank` is the 3-digit bank code,
/// `free_field` the bank's 25-digit campo livre (agency, account, nosso número).
pub fn linha_digitavel(
    bank: &str,
    due: Date,
    amount_cents: u64,
    free_field: &str,
) -> Result<String, BoletoError> {
    let bank = digits(bank, 3)?;
    let free_field = digits(free_field, 25)?;
    let factor = due_factor(due).ok_or(BoletoError::OutOfRange(
        "due dates before 2000-07-03 have no due-date factor",
    ))?;
    if amount_cents > 9_999_999_999 {
        return Err(BoletoError::OutOfRange(
            "the amount does not fit the 10-digit field",
        ));
    }
    let without_dv = format!("{bank}9{factor:04}{amount_cents:010}{free_field}");
    let dv = general_check_digit(&without_dv);
    let barcode = format!("{}{dv}{}", &without_dv[..4], &without_dv[4..]);
    Ok(linha_of_barcode(&barcode))
}

/// Checks a linha digitável (separators allowed) and reads it.
pub fn check_linha(linha: &str) -> Result<Linha, BoletoError> {
    let linha = digits(linha, 47)?;
    let fields = [
        (&linha[0..9], &linha[9..10]),
        (&linha[10..20], &linha[20..21]),
        (&linha[21..31], &linha[31..32]),
    ];
    for (idx, (body, dv)) in fields.iter().enumerate() {
        if mod10(body).to_string() != *dv {
            return Err(BoletoError::FieldCheckDigit(idx as u8 + 1));
        }
    }
    if &linha[3..4] != "9" {
        return Err(BoletoError::Currency);
    }
    let barcode = barcode_of_linha(&linha).ok_or(BoletoError::Length {
        expected: 47,
        found: linha.len(),
    })?;
    let without_dv = format!("{}{}", &barcode[..4], &barcode[5..]);
    if general_check_digit(&without_dv).to_string() != barcode[4..5] {
        return Err(BoletoError::GeneralCheckDigit);
    }
    Ok(Linha {
        bank: linha[0..3].to_string(),
        due_factor: linha[33..37].parse().unwrap_or(0),
        amount_cents: linha[37..47].parse().unwrap_or(0),
        digits: linha,
    })
}

/// The linha in its printed form: `75691.31662 01006.726101 27210.000017 7 73380000001000`.
pub fn format_linha(digits: &str) -> String {
    if digits.len() != 47 || !digits.bytes().all(|it| it.is_ascii_digit()) {
        return digits.to_string();
    }
    format!(
        "{}.{} {}.{} {}.{} {} {}",
        &digits[0..5],
        &digits[5..10],
        &digits[10..15],
        &digits[15..21],
        &digits[21..26],
        &digits[26..32],
        &digits[32..33],
        &digits[33..47]
    )
}

/// The barcode (44 digits) a 47-digit linha encodes; `None` for anything else.
pub fn barcode_of_linha(linha: &str) -> Option<String> {
    if linha.len() != 47 || !linha.bytes().all(|it| it.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "{}{}{}{}{}{}",
        &linha[0..4],
        &linha[32..33],
        &linha[33..47],
        &linha[4..9],
        &linha[10..20],
        &linha[21..31]
    ))
}

fn linha_of_barcode(barcode: &str) -> String {
    let free = &barcode[19..44];
    let field1 = format!("{}{}", &barcode[0..4], &free[0..5]);
    let field2 = &free[5..15];
    let field3 = &free[15..25];
    format!(
        "{field1}{}{field2}{}{field3}{}{}{}",
        mod10(&field1),
        mod10(field2),
        mod10(field3),
        &barcode[4..5],
        &barcode[5..19]
    )
}

/// Keeps the digits of `text`, skipping the separators people print (`.`, spaces),
/// and checks there are `len` of them.
fn digits(text: &str, len: usize) -> Result<String, BoletoError> {
    let mut out = String::with_capacity(len);
    for ch in text.chars() {
        match ch {
            '0'..='9' => out.push(ch),
            '.' | ' ' => {}
            _ => return Err(BoletoError::NonDigit(ch)),
        }
    }
    if out.len() != len {
        return Err(BoletoError::Length {
            expected: len,
            found: out.len(),
        });
    }
    Ok(out)
}

/// Mod 10 with weights 2, 1, 2, ... from the right; two-digit products add their digits.
fn mod10(digits: &str) -> u32 {
    let mut sum = 0;
    for (idx, byte) in digits.bytes().rev().enumerate() {
        let product = u32::from(byte - b'0') * if idx % 2 == 0 { 2 } else { 1 };
        sum += product / 10 + product % 10;
    }
    (10 - sum % 10) % 10
}

/// Mod 11 with weights 2..9 from the right over the 43 digits without the check
/// digit; 0, 10 and 11 become 1.
fn general_check_digit(digits: &str) -> u32 {
    let mut sum = 0;
    for (idx, byte) in digits.bytes().rev().enumerate() {
        sum += u32::from(byte - b'0') * (idx as u32 % 8 + 2);
    }
    match 11 - sum % 11 {
        0 | 10 | 11 => 1,
        dv => dv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HUBSOFT_SAMPLE: &str = "75691.31662 01006.726101 27210.000017 7 73380000001000";

    #[test]
    fn reads_the_hubsoft_sample() {
        let linha = check_linha(HUBSOFT_SAMPLE).unwrap();
        assert_eq!(linha.bank, "756");
        assert_eq!(linha.due_factor, 7338);
        assert_eq!(linha.amount_cents, 1000);
        assert_eq!(
            barcode_of_linha(&linha.digits).as_deref(),
            Some("75697733800000010001316601006726102721000001")
        );
        assert_eq!(barcode_of_linha("7569"), None);
        assert_eq!(format_linha(&linha.digits), HUBSOFT_SAMPLE);
        assert_eq!(due_factor(date!(2017 - 11 - 09)), Some(7338));
    }

    #[test]
    fn builds_what_it_checks() {
        let built = linha_digitavel(
            "756",
            date!(2017 - 11 - 09),
            1000,
            "1316601006726102721000001",
        )
        .unwrap();
        assert_eq!(format_linha(&built), HUBSOFT_SAMPLE);
        let built = linha_digitavel(
            "341",
            date!(2026 - 12 - 10),
            12_990,
            "1090000012345678000123456",
        )
        .unwrap();
        let linha = check_linha(&built).unwrap();
        assert_eq!(linha.amount_cents, 12_990);
        assert_eq!(Some(linha.due_factor), due_factor(date!(2026 - 12 - 10)));
    }

    #[test]
    fn the_factor_restarts_in_2025() {
        assert_eq!(due_factor(date!(2025 - 02 - 21)), Some(9999));
        assert_eq!(due_factor(date!(2025 - 02 - 22)), Some(1000));
        assert_eq!(due_factor(date!(2000 - 07 - 03)), Some(1000));
        assert_eq!(due_factor(date!(2000 - 07 - 02)), None);
    }

    #[test]
    fn refuses_wrong_digits() {
        let mut wrong = HUBSOFT_SAMPLE.replace([' ', '.'], "");
        wrong.replace_range(0..1, "8");
        assert_eq!(check_linha(&wrong), Err(BoletoError::FieldCheckDigit(1)));
        let general = HUBSOFT_SAMPLE.replace(" 7 ", " 6 ");
        assert_eq!(check_linha(&general), Err(BoletoError::GeneralCheckDigit));
        let amount = HUBSOFT_SAMPLE.replace("73380000001000", "73380000001001");
        assert_eq!(check_linha(&amount), Err(BoletoError::GeneralCheckDigit));
        assert_eq!(
            check_linha("1234"),
            Err(BoletoError::Length {
                expected: 47,
                found: 4
            })
        );
        assert_eq!(check_linha("7569x"), Err(BoletoError::NonDigit('x')));
    }
}

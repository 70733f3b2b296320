//! CPF and CNPJ (numeric and, from July 2026, alphanumeric) with their mod-11 check
//! digits.

use super::{identifier_chars, Invalid};

/// An individual's CPF: 11 digits, the last two check digits.
pub fn cpf(input: &str) -> Result<String, Invalid> {
    let chars = identifier_chars(input, false)?;
    check_cpf(&chars)?;
    Ok(chars)
}

/// A company's CNPJ: 12 characters `0-9A-Z` (letters only in the alphanumeric CNPJ the
/// Receita Federal issues from July 2026; lower case is accepted and upper-cased), then
/// two numeric check digits. Numeric CNPJs are the special case with no letters, and
/// the same rule checks both.
pub fn cnpj(input: &str) -> Result<String, Invalid> {
    let chars = identifier_chars(input, true)?;
    check_cnpj(&chars)?;
    Ok(chars)
}

/// A CPF or a CNPJ, told apart by length.
pub fn document(input: &str) -> Result<String, Invalid> {
    let chars = identifier_chars(input, true)?;
    match chars.len() {
        11 => match chars.chars().find(|it| !it.is_ascii_digit()) {
            Some(letter) => Err(Invalid::BadCharacter(letter)),
            None => check_cpf(&chars),
        },
        14 => check_cnpj(&chars),
        found => Err(Invalid::Length {
            expected: "11 (CPF) or 14 (CNPJ) characters",
            found,
        }),
    }?;
    Ok(chars)
}

/// `digits` holds only ASCII digits.
fn check_cpf(digits: &str) -> Result<(), Invalid> {
    if digits.len() != 11 {
        return Err(Invalid::Length {
            expected: "11 digits",
            found: digits.len(),
        });
    }
    let values: Vec<u32> = digits.bytes().map(|it| u32::from(it - b'0')).collect();
    check_digits(&values, u32::MAX)
}

/// `chars` holds only ASCII digits and upper-case letters.
fn check_cnpj(chars: &str) -> Result<(), Invalid> {
    if chars.len() != 14 {
        return Err(Invalid::Length {
            expected: "14 characters",
            found: chars.len(),
        });
    }
    if !chars.bytes().skip(12).all(|it| it.is_ascii_digit()) {
        return Err(Invalid::Malformed(
            "the last two characters of a CNPJ are digits",
        ));
    }
    // The Receita's rule: each character is worth its ASCII code minus 48, so digits
    // keep their value and `A` is 17.
    let values: Vec<u32> = chars.bytes().map(|it| u32::from(it - b'0')).collect();
    check_digits(&values, 9)
}

/// Checks the last two of `values` as mod-11 check digits of those before them. Weights
/// run from 2 at the rightmost position up to `max_weight`, then start again at 2 (CNPJ:
/// 9; CPF: never). A remainder below 2 gives the digit 0, otherwise 11 minus it.
fn check_digits(values: &[u32], max_weight: u32) -> Result<(), Invalid> {
    if values.iter().all(|it| *it == values[0]) {
        return Err(Invalid::RepeatedDigits);
    }
    let body_len = values.len() - 2;
    for len in [body_len, body_len + 1] {
        if check_digit(&values[..len], max_weight) != values[len] {
            return Err(Invalid::CheckDigits);
        }
    }
    Ok(())
}

fn check_digit(values: &[u32], max_weight: u32) -> u32 {
    let mut weight = 2;
    let mut sum = 0;
    for value in values.iter().rev() {
        sum += value * weight;
        weight = if weight == max_weight { 2 } else { weight + 1 };
    }
    match sum % 11 {
        0 | 1 => 0,
        rest => 11 - rest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_cpfs_as_typed() {
        assert_eq!(cpf("529.982.247-25").as_deref(), Ok("52998224725"));
        assert_eq!(cpf("52998224725").as_deref(), Ok("52998224725"));
        assert_eq!(cpf(" 111 444 777 35 ").as_deref(), Ok("11144477735"));
        // The first check digit comes from a remainder below 2, so it is 0.
        assert_eq!(cpf("123.456.789-09").as_deref(), Ok("12345678909"));
        assert_eq!(cpf("000.000.001-91").as_deref(), Ok("00000000191"));
    }

    #[test]
    fn refuses_invalid_cpfs() {
        assert_eq!(cpf("529.982.247-24"), Err(Invalid::CheckDigits));
        assert_eq!(cpf("529.982.247-15"), Err(Invalid::CheckDigits));
        assert_eq!(cpf("111.111.111-11"), Err(Invalid::RepeatedDigits));
        assert_eq!(cpf("000.000.000-00"), Err(Invalid::RepeatedDigits));
        assert_eq!(
            cpf("5299822472"),
            Err(Invalid::Length {
                expected: "11 digits",
                found: 10
            })
        );
        assert_eq!(cpf("529.982.247-2x"), Err(Invalid::BadCharacter('x')));
        assert_eq!(cpf("529,982,247-25"), Err(Invalid::BadCharacter(',')));
        assert_eq!(cpf(""), Err(Invalid::Empty));
    }

    #[test]
    fn accepts_valid_numeric_cnpjs() {
        assert_eq!(cnpj("11.222.333/0001-81").as_deref(), Ok("11222333000181"));
        assert_eq!(cnpj("11444777000161").as_deref(), Ok("11444777000161"));
        // Banco do Brasil's head office.
        assert_eq!(cnpj("00.000.000/0001-91").as_deref(), Ok("00000000000191"));
    }

    #[test]
    fn accepts_the_official_alphanumeric_example() {
        assert_eq!(cnpj("12.ABC.345/01DE-35").as_deref(), Ok("12ABC34501DE35"));
        assert_eq!(cnpj("12abc34501de35").as_deref(), Ok("12ABC34501DE35"));
        assert_eq!(cnpj("12.ABC.345/01DE-36"), Err(Invalid::CheckDigits));
        assert_eq!(cnpj("12.ABD.345/01DE-35"), Err(Invalid::CheckDigits));
    }

    #[test]
    fn refuses_invalid_cnpjs() {
        assert_eq!(cnpj("11.222.333/0001-82"), Err(Invalid::CheckDigits));
        assert_eq!(cnpj("00.000.000/0000-00"), Err(Invalid::RepeatedDigits));
        assert_eq!(
            cnpj("AAAAAAAAAAAAAA"),
            Err(Invalid::Malformed(
                "the last two characters of a CNPJ are digits"
            ))
        );
        assert_eq!(
            cnpj("12.ABC.345/01DE-3A"),
            Err(Invalid::Malformed(
                "the last two characters of a CNPJ are digits"
            ))
        );
        assert_eq!(
            cnpj("11.222.333/0001-8"),
            Err(Invalid::Length {
                expected: "14 characters",
                found: 13
            })
        );
        assert_eq!(cnpj("11.222.333/0001-81!"), Err(Invalid::BadCharacter('!')));
        assert_eq!(cnpj("12.ÁBC.345/01DE-35"), Err(Invalid::BadCharacter('Á')));
    }

    #[test]
    fn documents_are_told_apart_by_length() {
        assert_eq!(document("529.982.247-25").as_deref(), Ok("52998224725"));
        assert_eq!(
            document("11.222.333/0001-81").as_deref(),
            Ok("11222333000181")
        );
        assert_eq!(
            document("12.ABC.345/01DE-35").as_deref(),
            Ok("12ABC34501DE35")
        );
        assert_eq!(document("529.982.247-24"), Err(Invalid::CheckDigits));
        assert_eq!(document("529.98A.247-25"), Err(Invalid::BadCharacter('A')));
        assert_eq!(
            document("1234567"),
            Err(Invalid::Length {
                expected: "11 (CPF) or 14 (CNPJ) characters",
                found: 7
            })
        );
    }
}

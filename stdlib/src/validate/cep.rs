//! CEP, the Brazilian postal code: eight digits, usually written `88015-600`.

use super::{identifier_chars, Invalid};

/// A CEP, returned as its eight bare digits. Accepts the hyphen and the older dotted
/// form (`88.015-600`). `00000-000` is refused: CEPs start at `01000-000`.
pub fn cep(input: &str) -> Result<String, Invalid> {
    let digits = identifier_chars(input, false)?;
    if digits.len() != 8 {
        return Err(Invalid::Length {
            expected: "8 digits",
            found: digits.len(),
        });
    }
    if digits.bytes().all(|it| it == b'0') {
        return Err(Invalid::RepeatedDigits);
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ceps_as_typed() {
        assert_eq!(cep("88015-600").as_deref(), Ok("88015600"));
        assert_eq!(cep("88015600").as_deref(), Ok("88015600"));
        assert_eq!(cep(" 88.015-600 ").as_deref(), Ok("88015600"));
        assert_eq!(cep("01310-100").as_deref(), Ok("01310100"));
        // Separators are dropped wherever they stand.
        assert_eq!(cep("8801-5600").as_deref(), Ok("88015600"));
    }

    #[test]
    fn refuses_what_is_not_a_cep() {
        assert_eq!(
            cep("88015-60"),
            Err(Invalid::Length {
                expected: "8 digits",
                found: 7
            })
        );
        assert_eq!(
            cep("880156000"),
            Err(Invalid::Length {
                expected: "8 digits",
                found: 9
            })
        );
        assert_eq!(cep("00000-000"), Err(Invalid::RepeatedDigits));
        assert_eq!(cep("88015-6OO"), Err(Invalid::BadCharacter('O')));
        assert_eq!(cep(""), Err(Invalid::Empty));
    }
}

//! What must never reach a log: credentials (`Secret`) and customers' documents and
//! phone numbers (the `mask_*` helpers every ERP log line goes through).
//!
//! `Secret` still serialises its value, because a session snapshot waiting on an
//! `Authenticate` request must be able to resume it; snapshots are stored, never logged.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A credential or password. Its `Debug` and `Display` print `***`; only
/// [`Secret::expose`] gives the value, at the one place that sends it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A CPF or CNPJ as logs may show it: the first three and the last two characters
/// kept, the rest starred, in the usual mask (`123.***.***-09`,
/// `11.2**.***/****-81`). Anything that is neither is starred whole but for its
/// length, so a typo in a document never leaks either.
pub fn mask_document(document: &str) -> String {
    let chars: Vec<char> = document
        .chars()
        .filter(|it| it.is_ascii_alphanumeric())
        .collect();
    let shown = |idx: usize| -> char {
        if idx < 3 || idx + 2 >= chars.len() {
            chars[idx]
        } else {
            '*'
        }
    };
    let pattern: &[usize] = match chars.len() {
        11 => &[3, 3, 3, 2],
        14 => &[2, 3, 3, 4, 2],
        _ => return "*".repeat(chars.len()),
    };
    let separators: &[char] = if chars.len() == 11 {
        &['.', '.', '-']
    } else {
        &['.', '.', '/', '-']
    };
    let mut out = String::with_capacity(chars.len() + separators.len());
    let mut idx = 0;
    for (group_idx, group_len) in pattern.iter().enumerate() {
        if group_idx > 0 {
            out.push(separators[group_idx - 1]);
        }
        for _ in 0..*group_len {
            out.push(shown(idx));
            idx += 1;
        }
    }
    out
}

/// A phone number as logs may show it: only the last four digits (`*******0000`).
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().saturating_sub(4);
    digits
        .iter()
        .enumerate()
        .map(|(idx, ch)| if idx < keep { '*' } else { *ch })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter22");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(secret.to_string(), "***");
        assert_eq!(secret.expose(), "hunter22");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"hunter22\"");
    }

    #[test]
    fn documents_are_masked() {
        assert_eq!(mask_document("123.456.789-09"), "123.***.***-09");
        assert_eq!(mask_document("12345678909"), "123.***.***-09");
        assert_eq!(mask_document("11.222.333/0001-81"), "11.2**.***/****-81");
        assert_eq!(mask_document("12abc"), "*****");
    }

    #[test]
    fn phones_keep_four_digits() {
        assert_eq!(mask_phone("+55 (48) 99999-0000"), "*********0000");
        assert_eq!(mask_phone("12"), "12");
    }
}

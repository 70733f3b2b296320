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

// The masks live in the stdlib beside the one function that masks log text.
pub use fluxo_stdlib::mask::{mask_document, mask_phone};

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

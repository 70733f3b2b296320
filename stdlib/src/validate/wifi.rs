//! New Wi-Fi passwords for `erp.wifi_password`: the ERP integration takes only
//! passwords longer than 8 characters, and WPA2 takes at most 63 printable ASCII ones.

use super::Invalid;

/// A Wi-Fi password of 9 to 63 printable ASCII characters (spaces included), returned
/// without the spaces around it, which are typing accidents far more often than meant.
pub fn wifi_password(input: &str) -> Result<String, Invalid> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Invalid::Empty);
    }
    if let Some(bad) = trimmed.chars().find(|it| !(' '..='~').contains(it)) {
        return Err(Invalid::BadCharacter(bad));
    }
    if !(9..=63).contains(&trimmed.len()) {
        return Err(Invalid::Length {
            expected: "9 to 63 characters",
            found: trimmed.len(),
        });
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_passwords_longer_than_eight() {
        assert_eq!(wifi_password("casa2026!").as_deref(), Ok("casa2026!"));
        assert_eq!(
            wifi_password("  minha senha forte ").as_deref(),
            Ok("minha senha forte")
        );
        let longest = "x".repeat(63);
        assert_eq!(wifi_password(&longest), Ok(longest.clone()));
    }

    #[test]
    fn refuses_short_long_and_non_ascii_passwords() {
        assert_eq!(
            wifi_password("12345678"),
            Err(Invalid::Length {
                expected: "9 to 63 characters",
                found: 8
            })
        );
        assert_eq!(
            wifi_password(&"x".repeat(64)),
            Err(Invalid::Length {
                expected: "9 to 63 characters",
                found: 64
            })
        );
        assert_eq!(wifi_password("coração123"), Err(Invalid::BadCharacter('ç')));
        assert_eq!(
            wifi_password("tab\there12"),
            Err(Invalid::BadCharacter('\t'))
        );
        assert_eq!(wifi_password("   "), Err(Invalid::Empty));
    }
}

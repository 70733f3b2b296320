//! E-mail addresses, checked the way mail providers accept them in practice (a dotted
//! ASCII local part, an `@`, a domain of DNS labels ending in an alphabetic top-level
//! domain), not the full RFC 5322 grammar with quotes and comments that no customer
//! types.

use super::Invalid;

/// The characters RFC 5322 allows unquoted in a local part, besides letters, digits
/// and dots.
const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

/// An e-mail address, trimmed, with its domain lower-cased (the local part keeps its
/// case: some servers honour it). Internationalised addresses are refused.
pub fn email(input: &str) -> Result<String, Invalid> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Invalid::Empty);
    }
    if let Some(bad) = trimmed.chars().find(|it| !it.is_ascii_graphic()) {
        return Err(Invalid::BadCharacter(bad));
    }
    if trimmed.len() > 254 {
        return Err(Invalid::Length {
            expected: "at most 254 characters",
            found: trimmed.len(),
        });
    }
    let (local, domain) = match trimmed.split_once('@') {
        Some((local, domain)) if !domain.contains('@') => (local, domain),
        Some(_) => return Err(Invalid::Malformed("an e-mail address has one @")),
        None => return Err(Invalid::Malformed("an e-mail address needs an @")),
    };
    check_local(local)?;
    let domain = domain.to_ascii_lowercase();
    check_domain(&domain)?;
    Ok(format!("{local}@{domain}"))
}

fn check_local(local: &str) -> Result<(), Invalid> {
    if local.is_empty() || local.len() > 64 {
        return Err(Invalid::Malformed(
            "the part before @ has 1 to 64 characters",
        ));
    }
    if let Some(bad) = local
        .chars()
        .find(|it| !it.is_ascii_alphanumeric() && *it != '.' && !LOCAL_SPECIALS.contains(*it))
    {
        return Err(Invalid::BadCharacter(bad));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(Invalid::Malformed(
            "dots in the part before @ must separate words",
        ));
    }
    Ok(())
}

/// `domain` is lower case.
fn check_domain(domain: &str) -> Result<(), Invalid> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(Invalid::Malformed(
            "the domain needs a dot, as in exemplo.com.br",
        ));
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err(Invalid::Malformed(
                "each part of the domain has 1 to 63 characters",
            ));
        }
        if let Some(bad) = label
            .chars()
            .find(|it| !it.is_ascii_alphanumeric() && *it != '-')
        {
            return Err(Invalid::BadCharacter(bad));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(Invalid::Malformed(
                "a part of the domain cannot start or end with -",
            ));
        }
    }
    let top = labels[labels.len() - 1];
    if top.len() < 2 || !top.chars().all(|it| it.is_ascii_alphabetic()) {
        return Err(Invalid::Malformed(
            "the domain ends in a top-level domain of letters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_addresses() {
        assert_eq!(
            email("ana@exemplo.com.br").as_deref(),
            Ok("ana@exemplo.com.br")
        );
        assert_eq!(
            email("  Ana.Souza@Exemplo.COM.br ").as_deref(),
            Ok("Ana.Souza@exemplo.com.br")
        );
        assert_eq!(
            email("joao+boletos@mail.provedor-net.com").as_deref(),
            Ok("joao+boletos@mail.provedor-net.com")
        );
        assert_eq!(email("o'neil_2@x.io").as_deref(), Ok("o'neil_2@x.io"));
    }

    #[test]
    fn refuses_malformed_addresses() {
        assert_eq!(email(""), Err(Invalid::Empty));
        assert_eq!(
            email("ana.exemplo.com"),
            Err(Invalid::Malformed("an e-mail address needs an @"))
        );
        assert_eq!(
            email("ana@@exemplo.com"),
            Err(Invalid::Malformed("an e-mail address has one @"))
        );
        assert_eq!(
            email("ana@exemplo"),
            Err(Invalid::Malformed(
                "the domain needs a dot, as in exemplo.com.br"
            ))
        );
        assert_eq!(email("ana @exemplo.com"), Err(Invalid::BadCharacter(' ')));
        assert_eq!(email("joão@exemplo.com"), Err(Invalid::BadCharacter('ã')));
        assert!(email(".ana@exemplo.com").is_err());
        assert!(email("ana..souza@exemplo.com").is_err());
        assert!(email("@exemplo.com").is_err());
        assert!(email("ana@exemplo..com").is_err());
        assert!(email("ana@-exemplo.com").is_err());
        assert!(email("ana@exemplo.c").is_err());
        assert!(email("ana@exemplo.123").is_err());
        assert_eq!(email("ana@exem_plo.com"), Err(Invalid::BadCharacter('_')));
        assert_eq!(email("ana(x)@exemplo.com"), Err(Invalid::BadCharacter('(')));
        let long_local = format!("{}@exemplo.com", "a".repeat(65));
        assert!(email(&long_local).is_err());
    }
}

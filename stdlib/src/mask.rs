//! Masking personal data and secrets out of log text: the one function every log line
//! that can hold customer or ERP text goes through ([`mask`]), and the masks of single
//! values it uses ([`mask_document`], [`mask_phone`]).
//!
//! Log text is anything: an ERP's error body echoing our request and its headers, a
//! script's `print`, a URL with credentials. [`mask`] looks for what must not be
//! kept, however it is spelled, and checks what it can so that ordinary numbers
//! (protocols, amounts, timestamps) stay readable:
//! - CPF and CNPJ, bare, punctuated, spaced or glued to a word (`cpf52998224725`,
//!   `doc_52998224725`, `529 982 247 25`, `11.222.333/0001-81`), masked only when
//!   their check digits are right; the alphanumeric CNPJ issued from July 2026 too
//!   (`12.ABC.345/01DE-35`, `12abc34501de35`, `cnpj12ABC34501DE35`);
//! - Brazilian phone numbers (with a real area code) and any number written after `+`;
//! - e-mail addresses (the local part);
//! - a URL's user and password, and the values of secret-looking parameters
//!   (`token=`, `senha=`, `api_key=`, ...) in queries, forms and JSON;
//! - the credentials after `Basic` and `Bearer` (an `Authorization` header).
//!
//! It is pure, linear in the text's length, and never panics.

use crate::validate;

/// `text` with every CPF, CNPJ, phone number, e-mail address, URL credential and
/// secret parameter masked.
///
/// ```
/// use fluxo_stdlib::mask::mask;
/// assert_eq!(mask("cpf52998224725 ok"), "cpf529.***.***-25 ok");
/// assert_eq!(mask("ligar +55 48 99999-0000"), "ligar *********0000");
/// assert_eq!(
///     mask("GET http://admin:S3CRET@10.0.0.1/api?token=abc&page=2"),
///     "GET http://***@10.0.0.1/api?token=***&page=2"
/// );
/// assert_eq!(mask("protocolo 2026112300001234, R$ 1.234,56"), "protocolo 2026112300001234, R$ 1.234,56");
/// ```
pub fn mask(text: &str) -> String {
    let text = mask_secrets(text);
    let text = mask_userinfo(&text);
    let text = mask_emails(&text);
    let text = mask_alphanumeric_cnpjs(&text);
    // Documents first: `3 529 982 247 25` holds a phone-shaped `3529982247` too.
    let text = mask_numbers(&text, as_document);
    mask_numbers(&text, as_phone)
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
    let (pattern, separators): (&[usize], &[char]) = match chars.len() {
        11 => (&[3, 3, 3, 2], &['.', '.', '-']),
        14 => (&[2, 3, 3, 4, 2], &['.', '.', '/', '-']),
        _ => return "*".repeat(chars.len()),
    };
    let mut out = String::with_capacity(chars.len() + separators.len());
    let mut shown = chars.iter().enumerate().map(|(idx, ch)| {
        if idx < 3 || idx + 2 >= chars.len() {
            *ch
        } else {
            '*'
        }
    });
    for (group_idx, group_len) in pattern.iter().enumerate() {
        if let Some(separator) = group_idx.checked_sub(1).and_then(|it| separators.get(it)) {
            out.push(*separator);
        }
        out.extend(shown.by_ref().take(*group_len));
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

/// Parameter names whose values are secrets, matched as a suffix of the name in lower
/// case (`access_token`, `x-api-key`, `senha_hotsite`... contain one).
const SECRET_NAMES: [&str; 13] = [
    "token",
    "key",
    "secret",
    "pass",
    "passwd",
    "password",
    "senha",
    "auth",
    "sig",
    "signature",
    "session",
    "sessao",
    "credential",
];

fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|secret| name.contains(secret))
}

fn is_name_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.')
}

/// Where a secret value ends: at a separator of queries, forms, JSON or prose.
fn ends_value(ch: char) -> bool {
    ch.is_whitespace()
        || matches!(
            ch,
            '&' | '"' | '\'' | ',' | ';' | ')' | '>' | '<' | '}' | ']'
        )
}

/// Masks `name=value`, `"name": "value"` and `name: value` when `name` looks secret,
/// and the word after `Basic` or `Bearer`.
fn mask_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['=', ':', ' ']) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let mut chars = after.chars();
        let sep = chars.next().unwrap_or(' ');
        out.push(sep);
        let after = chars.as_str();
        // A JSON key's closing quote is not part of its name.
        let named = before.trim_end_matches(['"', '\'']);
        let name_start = named.rfind(|ch: char| !is_name_char(ch)).map_or(0, |idx| {
            idx + named[idx..].chars().next().map_or(1, char::len_utf8)
        });
        let name = &named[name_start..];
        let is_scheme = sep == ' '
            && (name.eq_ignore_ascii_case("basic") || name.eq_ignore_ascii_case("bearer"));
        let is_param = sep != ' ' && is_secret_name(name) && !after.starts_with("//");
        if !(is_scheme || is_param) {
            rest = after;
            continue;
        }
        // `"senha": "x"`, `senha: x`: the value may be quoted and follow spaces; an
        // `Authorization: Basic x` keeps its scheme word.
        let mut lead_len = after.len() - after.trim_start_matches([' ', '"', '\'']).len();
        let quote = after[..lead_len].chars().last().filter(|ch| *ch != ' ');
        if is_param && quote.is_none() {
            for scheme in ["basic ", "bearer "] {
                let word = after.get(lead_len..lead_len + scheme.len());
                if word.is_some_and(|word| word.eq_ignore_ascii_case(scheme)) {
                    lead_len += scheme.len();
                }
            }
        }
        let (lead, value) = after.split_at(lead_len);
        let value_len = match quote {
            Some(quote) => value.find(quote),
            None => value.find(ends_value),
        }
        .unwrap_or(value.len());
        out.push_str(lead);
        if value_len > 0 {
            out.push_str("***");
        }
        rest = &value[value_len..];
    }
    out.push_str(rest);
    out
}

/// `scheme://user:password@host` → `scheme://***@host`.
fn mask_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_len = after
            .find(|ch: char| matches!(ch, '/' | '?' | '#') || ch.is_whitespace())
            .unwrap_or(after.len());
        match after[..authority_len].rfind('@') {
            Some(user_len) => {
                out.push_str("***");
                rest = &after[user_len..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

fn is_local_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '%' | '+' | '-')
}

/// `ana.souza@fibra.net` → `a***@fibra.net`: the domain says which system, the local
/// part who. A `@` not between an address's two halves is left alone.
fn mask_emails(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let (before, after) = rest.split_at(at);
        let local_start = before
            .char_indices()
            .rev()
            .take_while(|(_, ch)| is_local_char(*ch))
            .last()
            .map_or(before.len(), |(idx, _)| idx);
        let domain_len = after[1..]
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-')))
            .unwrap_or(after.len() - 1);
        let domain = after[1..1 + domain_len].trim_end_matches('.');
        let is_address = local_start < before.len()
            && domain.contains('.')
            && domain.rsplit('.').next().is_some_and(|tld| {
                tld.len() >= 2 && tld.chars().all(|ch| ch.is_ascii_alphabetic())
            });
        if is_address {
            out.push_str(&before[..local_start]);
            out.push_str(&before[local_start..local_start + 1]);
            out.push_str("***@");
        } else {
            out.push_str(before);
            out.push('@');
        }
        rest = &after[1..];
    }
    out.push_str(rest);
    out
}

/// A run of the bytes a pass looks for, and whether the one before it joins it (only a
/// separator the pass accepts lies between them).
struct Run {
    start: usize,
    end: usize,
    joined: bool,
}

/// The runs of `member` bytes in `text`, each joined to the one before when `joins`
/// accepts the bytes between them.
fn runs(text: &str, member: fn(&u8) -> bool, joins: fn(&[u8]) -> bool) -> Vec<Run> {
    let bytes = text.as_bytes();
    let mut out: Vec<Run> = Vec::new();
    let mut idx = 0;
    while idx < bytes.len() {
        if !member(&bytes[idx]) {
            idx += 1;
            continue;
        }
        let start = idx;
        while idx < bytes.len() && member(&bytes[idx]) {
            idx += 1;
        }
        let joined = out
            .last()
            .is_some_and(|prev| joins(&bytes[prev.end..start]));
        out.push(Run {
            start,
            end: idx,
            joined,
        });
    }
    out
}

/// Runs of ASCII letters and digits, joined by a single `.`, `/`, `-` or space.
fn words(text: &str) -> Vec<Run> {
    runs(text, u8::is_ascii_alphanumeric, |gap| {
        matches!(gap, [b'.' | b'/' | b'-' | b' '])
    })
}

/// Masks alphanumeric CNPJs (`12.ABC.345/01DE-35`): 14 characters with at least one
/// letter (the all-digit ones are left to the numeric pass, which keeps long digit runs
/// whole) and right check digits, made of joined words. The first word may carry a
/// glued prefix of letters (`cnpj12ABC...`); the CNPJ must end where a word ends.
fn mask_alphanumeric_cnpjs(text: &str) -> String {
    const LEN: usize = 14;
    let words = words(text);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut first = 0;
    while first < words.len() {
        let head = &text[words[first].start..words[first].end];
        let mut chars = String::new();
        let mut found = None;
        let mut last = first;
        while last < words.len() && (last == first || words[last].joined) {
            chars.push_str(&text[words[last].start..words[last].end]);
            // How much of the first word is a glued prefix, when the CNPJ ends here.
            let Some(prefix) = chars.len().checked_sub(LEN) else {
                last += 1;
                continue;
            };
            if prefix >= head.len() {
                break;
            }
            let candidate = &chars[prefix..];
            let is_cnpj = head[..prefix].bytes().all(|it| it.is_ascii_alphabetic())
                && candidate.bytes().any(|it| it.is_ascii_alphabetic())
                && validate::cnpj(candidate).is_ok();
            if is_cnpj {
                found = Some((last, words[first].start + prefix));
                break;
            }
            last += 1;
        }
        match found {
            Some((last, start)) => {
                out.push_str(&text[copied..start]);
                out.push_str(&mask_document(&text[start..words[last].end]));
                copied = words[last].end;
                first = last + 1;
            }
            None => first += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Runs of digits, joined by a single `.`, `-`, `/` or space, or the `(`/`)` of an area
/// code.
fn groups(text: &str) -> Vec<Run> {
    runs(text, u8::is_ascii_digit, |gap| {
        matches!(
            gap,
            [b'.' | b'-' | b'/' | b' ' | b'(' | b')'] | [b')', b' '] | [b' ', b'(']
        )
    })
}

/// The mask of a span of digit groups that is a CPF or CNPJ (check digits right).
fn as_document(digits: &str, _after_plus: bool) -> Option<String> {
    let valid = match digits.len() {
        11 => validate::cpf(digits).is_ok(),
        14 => validate::cnpj(digits).is_ok(),
        _ => false,
    };
    valid.then(|| mask_document(digits))
}

/// The mask of a span of digit groups that is a Brazilian phone number (real area
/// code, mobile or landline shape) or any number written after `+`.
fn as_phone(digits: &str, after_plus: bool) -> Option<String> {
    let phone_like = match digits.len() {
        8..=15 if after_plus => true,
        10..=13 => validate::phone(digits).is_ok(),
        _ => false,
    };
    phone_like.then(|| mask_phone(digits))
}

/// Masks the numbers `classify` recognises. Digit groups joined by a separator are
/// tried as one number, the longest match from each group, so that `item 3 529 982
/// 247 25` still finds the CPF; a long run of digits is never searched inside (a
/// protocol number that happens to contain a valid CPF stays as it is).
fn mask_numbers(text: &str, classify: fn(&str, bool) -> Option<String>) -> String {
    const LONGEST: usize = 15;
    let groups = groups(text);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut first = 0;
    while first < groups.len() {
        let mut found = None;
        let mut digits = String::new();
        let mut last = first;
        while last < groups.len() && (last == first || groups[last].joined) {
            digits.push_str(&text[groups[last].start..groups[last].end]);
            if digits.len() > LONGEST {
                break;
            }
            let start = groups[first].start;
            let before = start.checked_sub(1).map(|idx| text.as_bytes()[idx]);
            let after_plus = before == Some(b'+');
            if let Some(masked) = classify(&digits, after_plus) {
                // A `+` or the `(` of an area code goes with the number.
                let lead = usize::from(matches!(before, Some(b'+' | b'(')));
                found = Some((last, masked, start - lead));
            }
            last += 1;
        }
        match found {
            Some((last, masked, start)) => {
                out.push_str(&text[copied..start]);
                out.push_str(&masked);
                copied = groups[last].end;
                first = last + 1;
            }
            None => first += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_in_any_spelling() {
        for spelling in [
            "52998224725",
            "529.982.247-25",
            "529 982 247 25",
            "529-982-247-25",
            "529982247-25",
        ] {
            assert_eq!(mask(spelling), "529.***.***-25", "{spelling}");
        }
        assert_eq!(mask("cpf52998224725"), "cpf529.***.***-25");
        assert_eq!(mask("doc_52998224725!"), "doc_529.***.***-25!");
        assert_eq!(mask("item 3 529 982 247 25"), "item 3 529.***.***-25");
        assert_eq!(
            mask("CNPJ 11.222.333/0001-81 recusado"),
            "CNPJ 11.2**.***/****-81 recusado"
        );
        assert_eq!(mask("11222333000181"), "11.2**.***/****-81");
    }

    #[test]
    fn alphanumeric_cnpjs() {
        for spelling in [
            "12.ABC.345/01DE-35",
            "12ABC34501DE35",
            "12abc34501de35",
            "12 ABC 345 01DE 35",
        ] {
            assert_eq!(
                mask(spelling).to_ascii_uppercase(),
                "12.A**.***/****-35",
                "{spelling}"
            );
        }
        assert_eq!(
            mask("cnpj12ABC34501DE35, recusado"),
            "cnpj12.A**.***/****-35, recusado"
        );
        assert_eq!(mask("doc=12.ABC.345/01DE-35;"), "doc=12.A**.***/****-35;");
        // Wrong check digits, a longer word and a digit prefix are not CNPJs.
        for text in [
            "12.ABC.345/01DE-36",
            "12ABC34501DE35X",
            "912ABC34501DE35",
            "request ABCDEFGHIJKL12 ok",
        ] {
            assert_eq!(mask(text), text);
        }
    }

    #[test]
    fn ordinary_numbers_stay() {
        for text in [
            "protocol 2026112300001234",
            "timeout after 5000 ms",
            "R$ 1.234,56 due 23/11/2026",
            "12345678901 is not a CPF",
            "11111111111",
            "at 10.0.0.1:8080",
        ] {
            assert_eq!(mask(text), text);
        }
    }

    #[test]
    fn phones() {
        assert_eq!(mask("+5548999990000"), "*********0000");
        assert_eq!(mask("fone (48) 99999-0000."), "fone *******0000.");
        assert_eq!(mask("48 3333-0000"), "******0000");
        assert_eq!(mask("tel +1 202 555 0100"), "tel *******0100");
    }

    #[test]
    fn emails_urls_and_secrets() {
        assert_eq!(mask("to ana.souza@fibra.net."), "to a***@fibra.net.");
        assert_eq!(mask("login ana.souza@fibra"), "login ana.souza@fibra");
        assert_eq!(
            mask("http://admin:S3CRETPW@127.0.0.1:1/api?token=abc123&x=1"),
            "http://***@127.0.0.1:1/api?token=***&x=1"
        );
        assert_eq!(
            mask(r#"{"senha": "s3nh@ forte", "user": "ana"}"#),
            r#"{"senha": "***", "user": "ana"}"#
        );
        assert_eq!(
            mask("echo: Authorization: Basic YWRtaW46czNjcmV0 done"),
            "echo: Authorization: Basic *** done"
        );
        assert_eq!(mask("authorization=Bearer abc"), "authorization=Bearer ***");
        assert_eq!(mask("Bearer eyJhbGciOi.x.y"), "Bearer ***");
        assert_eq!(
            mask("api_key=k&SenhaHotsite=p"),
            "api_key=***&SenhaHotsite=***"
        );
        assert_eq!(mask("keyboard layout: abnt"), "keyboard layout: abnt");
    }

    #[test]
    fn any_text_is_safe() {
        for text in [
            "",
            "@",
            "://",
            "a@",
            "@b.c",
            "+",
            "(",
            "é@ü.çom",
            "x://@",
            "token=",
            "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6",
        ] {
            let _ = mask(text);
        }
        assert_eq!(mask("senha="), "senha=");
    }
}

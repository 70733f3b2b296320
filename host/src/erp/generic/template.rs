//! `{placeholder}` templates of the generic HTTP adapter: which names each operation
//! can fill, checking a template against them when the configuration loads, and
//! filling it (percent-encoded in paths, JSON-escaped in bodies).

use crate::erp::http::path_segment;

/// Every placeholder name a template may use.
pub(crate) const NAMES: &[&str] = &[
    "document",
    "document_masked",
    "phone",
    "customer_id",
    "contract_id",
    "department",
    "subject",
    "description",
    "login",
    "password",
    "today",
];

/// The placeholder names in `template`, in order; `{` not followed by a lower-case
/// name and `}` is plain text (JSON braces).
pub(crate) fn placeholders(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        let name_len = rest
            .bytes()
            .take_while(|it| it.is_ascii_lowercase() || *it == b'_')
            .count();
        if name_len > 0 && rest.as_bytes().get(name_len) == Some(&b'}') {
            found.push(&rest[..name_len]);
            rest = &rest[name_len + 1..];
        }
    }
    found
}

/// The placeholder values of one call; each operation adds the fields it has.
#[derive(Clone, Debug)]
pub(crate) struct Values(Vec<(&'static str, String)>);

impl Values {
    /// `today` (`YYYY-MM-DD`) is available to every operation.
    pub fn new(today: &str) -> Values {
        Values(vec![("today", today.to_string())])
    }

    pub fn with(mut self, name: &'static str, value: &str) -> Values {
        self.0.push((name, value.to_string()));
        self
    }

    /// A CPF/CNPJ as `document` (bare) and `document_masked`, since ERPs store either.
    pub fn with_document(self, document: &str) -> Values {
        let bare: String = document
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|it| it.to_ascii_uppercase())
            .collect();
        let groups: &[(usize, char)] = match bare.len() {
            11 => &[(3, '.'), (6, '.'), (9, '-')],
            14 => &[(2, '.'), (5, '.'), (8, '/'), (12, '-')],
            _ => &[],
        };
        let mut masked = String::with_capacity(bare.len() + 4);
        for (idx, ch) in bare.chars().enumerate() {
            if let Some((_, sep)) = groups.iter().find(|(at, _)| *at == idx) {
                masked.push(*sep);
            }
            masked.push(ch);
        }
        self.with("document", &bare)
            .with("document_masked", &masked)
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(it, _)| *it == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_default()
    }
}

/// The names the operation `op` gives (see `actions`).
pub(crate) fn names_for(op: &str) -> &'static [&'static str] {
    match op {
        "find_customer_by_document" => &["today", "document", "document_masked"],
        "find_customer_by_phone" => &["today", "phone"],
        "list_contracts" => &["today", "customer_id"],
        "contract_document" | "sign_contract" => &["today", "contract_id", "phone"],
        "open_ticket" => &[
            "today",
            "contract_id",
            "department",
            "subject",
            "description",
        ],
        "authenticate" => &["today", "document", "document_masked", "login", "password"],
        "wifi_password" => &["today", "contract_id", "password"],
        "ticket_departments" | "ticket_subjects" => &["today"],
        _ => &["today", "contract_id"],
    }
}

/// Where a filled value goes, which decides its escaping.
#[derive(Clone, Copy)]
pub(crate) enum Target {
    Path,
    Json,
}

/// Fills `template`; names without a value stay empty (the configuration check has
/// made sure every name is one the operation gives).
pub(crate) fn fill(template: &str, values: &Values, target: Target) -> String {
    let mut out = template.to_string();
    for name in placeholders(template) {
        let value = values.get(name);
        let escaped = match target {
            Target::Path => path_segment(value),
            Target::Json => {
                let quoted = serde_json::Value::String(value.to_string()).to_string();
                quoted[1..quoted.len() - 1].to_string()
            }
        };
        out = out.replacen(&format!("{{{name}}}"), &escaped, 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_among_json_braces() {
        assert_eq!(
            placeholders(r#"{"cpf": "{document}", "x": {}, "y": "{today}"}"#),
            vec!["document", "today"]
        );
        assert_eq!(placeholders("/a/{Not}/{ok}"), vec!["ok"]);
    }

    #[test]
    fn fills_with_the_right_escaping() {
        let values = Values::new("2026-11-23").with_document("529.982.247-25");
        assert_eq!(
            fill("/c/{document}?m={document_masked}", &values, Target::Path),
            "/c/52998224725?m=529.982.247-25"
        );
        let values = Values::new("2026-11-23").with("description", "diz \"oi\"");
        assert_eq!(
            fill(r#"{"d": "{description}"}"#, &values, Target::Json),
            r#"{"d": "diz \"oi\""}"#
        );
    }
}

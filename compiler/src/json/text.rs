//! Strings and names between the syntax tree and JSON: messages with `{var}`
//! interpolations, and the identifiers JSON hands back as names.
//!
//! A message travels as the JSON string the editor would show (`"Olá, {user_name}!"`).
//! The rare message whose literal braces would read back as an interpolation travels
//! as `{"partes": [{"texto": ...}, {"variavel": ...}]}` instead, so nothing is lost.

use std::cell::RefCell;
use std::collections::HashMap;

use fluxo_grammar::ast::{Ident, Path, Span, Str, StrPart};
use serde_json::{json, Map, Value};

/// The JSON form of a string literal.
pub fn str_to_json(s: &Str) -> Value {
    let flat = flatten(s);
    if parse_interpolated(&flat) == s.parts {
        return Value::String(flat);
    }
    let parts: Vec<Value> = s
        .parts
        .iter()
        .map(|part| match part {
            StrPart::Text(text) => json!({ "texto": text }),
            StrPart::Var(path) => json!({ "variavel": path.dotted() }),
        })
        .collect();
    json!({ "partes": parts })
}

/// The string literal of a JSON message; `None` when `value` is no message.
pub fn str_from_json(value: &Value) -> Option<Str> {
    let parts = match value {
        Value::String(text) => parse_interpolated(text),
        Value::Object(map) => parts_from(map)?,
        _ => return None,
    };
    let triple = parts
        .iter()
        .any(|p| matches!(p, StrPart::Text(t) if t.contains('\n')));
    Some(Str {
        parts,
        triple,
        span: Span::default(),
    })
}

fn parts_from(map: &Map<String, Value>) -> Option<Vec<StrPart>> {
    if map.len() != 1 {
        return None;
    }
    let mut parts: Vec<StrPart> = Vec::new();
    for part in map.get("partes")?.as_array()? {
        let part = part.as_object()?;
        if let Some(text) = part.get("texto").and_then(Value::as_str) {
            push_text(&mut parts, text);
        } else {
            parts.push(StrPart::Var(path_from(part.get("variavel")?.as_str()?)?));
        }
    }
    Some(parts)
}

fn flatten(s: &Str) -> String {
    let mut out = String::new();
    for part in &s.parts {
        match part {
            StrPart::Text(text) => out.push_str(text),
            StrPart::Var(path) => {
                out.push('{');
                out.push_str(&path.dotted());
                out.push('}');
            }
        }
    }
    out
}

/// Splits `text` at `{name}` / `{name.field}`; any other brace is literal text.
fn parse_interpolated(text: &str) -> Vec<StrPart> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let var = after
            .find('}')
            .and_then(|close| Some((path_from(&after[..close])?, close)));
        match var {
            Some((path, close)) => {
                push_text(&mut parts, &rest[..open]);
                parts.push(StrPart::Var(path));
                rest = &after[close + 1..];
            }
            None => {
                push_text(&mut parts, &rest[..=open]);
                rest = after;
            }
        }
    }
    push_text(&mut parts, rest);
    parts
}

fn push_text(parts: &mut Vec<StrPart>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(StrPart::Text(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(StrPart::Text(text.to_string()));
    }
}

/// `a.b.c` as a path of identifiers, if every segment is one.
pub fn path_from(dotted: &str) -> Option<Path> {
    let segments: Option<Vec<Ident>> = dotted.split('.').map(ident).collect();
    Some(Path {
        segments: segments?,
        span: Span::default(),
    })
}

/// `name` as an identifier of the language: `[a-z_][a-z0-9_]*` and not a reserved word.
pub fn ident(name: &str) -> Option<Ident> {
    let mut chars = name.chars();
    let first = chars.next()?;
    let ok = (first.is_ascii_lowercase() || first == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !is_reserved(name);
    ok.then(|| Ident {
        name: name.to_string(),
        span: Span::default(),
    })
}

/// Asks the parser itself, so the reserved words stay defined once, in the grammar.
///
/// A parse per name made import of a large project spend most of its time here; the
/// answers are remembered per thread (a project repeats few short names), and the memory
/// is dropped when it grows past a bound, so hostile input cannot make it grow forever.
fn is_reserved(name: &str) -> bool {
    const REMEMBERED: usize = 4096;
    thread_local! {
        static KNOWN: RefCell<HashMap<String, bool>> = RefCell::new(HashMap::new());
    }
    // No reserved word is longer than `department`.
    if name.len() > 10 {
        return false;
    }
    if let Some(known) = KNOWN.with(|k| k.borrow().get(name).copied()) {
        return known;
    }
    let probe = format!("flow {name} {{}}");
    let parsed = fluxo_grammar::parse(fluxo_grammar::FileId(0), &probe);
    let reserved = !parsed.diagnostics.is_empty();
    KNOWN.with(|k| {
        let mut known = k.borrow_mut();
        if known.len() >= REMEMBERED {
            known.clear();
        }
        known.insert(name.to_string(), reserved);
    });
    reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> Value {
        str_to_json(&str_from_json(&Value::String(text.into())).unwrap())
    }

    #[test]
    fn plain_messages_stay_strings() {
        for text in [
            "Olá, {user_name}!",
            "a { b",
            "{end}",
            "x {a.b} y",
            "{",
            "}{}",
        ] {
            assert_eq!(round(text), Value::String(text.into()), "{text}");
        }
    }

    #[test]
    fn literal_braces_that_look_like_variables_use_parts() {
        let s = Str {
            parts: vec![StrPart::Text("{protocol}".into())],
            triple: false,
            span: Span::default(),
        };
        let value = str_to_json(&s);
        assert!(value.is_object());
        assert_eq!(str_from_json(&value), Some(s));
    }

    #[test]
    fn identifiers_refuse_reserved_words() {
        assert!(ident("suporte").is_some());
        assert!(ident("end").is_none());
        assert!(ident("Suporte").is_none());
        assert!(ident("").is_none());
        assert!(ident("9a").is_none());
    }
}

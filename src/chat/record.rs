//! `fluxo run --record FILE.chat`: a session written as a transcript that `fluxo test`
//! replays to the same lines. The headers pin what the session depended on (the
//! program, entry, channel, clock, contact, fixture), with paths relative to the
//! transcript's folder as `@program` and `@erp` read them.

use std::path::{Component, Path, PathBuf};

use super::format::{Headers, Line};
use super::setup::World;

/// The text of the transcript of a session with these `lines`.
pub fn transcript(
    file: &Path,
    program: &Path,
    headers: &Headers,
    world: &World,
    lines: &[Line],
) -> String {
    let dir = file
        .parent()
        .filter(|it| !it.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut out = String::from("// Recorded by `fluxo run --record`.\n");
    out.push_str(&format!("@program {}\n", quote(&relative(dir, program))));
    let plain = [
        ("flow", &headers.flow),
        ("channel", &headers.channel),
        ("now", &headers.now),
    ];
    for (name, value) in plain {
        if let Some(value) = value {
            out.push_str(&format!("@{name} {}\n", quote(value)));
        }
    }
    let mut contact = Vec::new();
    if let Some(name) = &headers.contact_name {
        contact.push(format!("name={}", always_quoted(name)));
    }
    if let Some(phone) = &headers.contact_phone {
        contact.push(format!("phone={}", always_quoted(phone)));
    }
    if !contact.is_empty() {
        out.push_str(&format!("@contact {}\n", contact.join(" ")));
    }
    if let Some(fixture) = world.erp_fixture {
        out.push_str(&format!("@erp {}\n", quote(&relative(dir, fixture))));
    }
    for line in lines {
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// `to` as seen from the folder `from`; absolute when the two share no root.
fn relative(from: &Path, to: &Path) -> String {
    let (Ok(from), Ok(to)) = (from.canonicalize(), to.canonicalize()) else {
        return to.display().to_string();
    };
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.display().to_string();
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        ".".to_string()
    } else {
        out.display().to_string()
    }
}

/// A header value: bare when it is one plain word, else quoted.
fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && !value.starts_with('"')
        && !value.contains(char::is_whitespace)
        && !value.contains("//");
    if plain {
        value.to_string()
    } else {
        always_quoted(value)
    }
}

fn always_quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

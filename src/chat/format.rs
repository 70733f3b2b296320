//! The `.chat` transcript format (docs/transcripts.md): headers, then one
//! event per line. This module only reads text into a `Transcript`; it knows nothing
//! about running a program.

use std::fmt;

/// A parsed `.chat` file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transcript {
    pub headers: Headers,
    /// The conversation, in order, without comments and blank lines.
    pub lines: Vec<Line>,
}

/// The `@` headers; `None` means "absent, take the default".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Headers {
    pub program: Option<String>,
    pub flow: Option<String>,
    pub channel: Option<String>,
    pub now: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub company: Option<String>,
    pub protocol: Option<String>,
    pub erp: Option<String>,
    /// `@origin ad|organic`.
    pub origin: Option<String>,
    /// `@branch <branch>`.
    pub branch: Option<String>,
    /// `@tags a, b`: tags already on the contact.
    pub tags: Vec<String>,
    /// `@attendant "<name>"`: the attendant responsible.
    pub attendant: Option<String>,
    /// `@message "<text>"`: the customer's opening message.
    pub message: Option<String>,
    /// `@lowcode <script> <json>`: the record a Low Code script returns; `@lowcode
    /// <script> error "<why>"` makes it fail.
    pub lowcode: Vec<(String, Result<String, String>)>,
    /// `@agent "<reply>"`: what the AI virtual agent replies; `@agent none`: it has
    /// no reply. Absent: the offline host's canned reply.
    pub agent: Option<Option<String>>,
}

/// One event line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// `< text`: one line the bot sends.
    Bot(String),
    /// `> text`: the customer's message.
    Customer(String),
    /// `= effect`: any other effect.
    Effect(String),
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mark, text) = match self {
            Line::Bot(text) => ('<', text),
            Line::Customer(text) => ('>', text),
            Line::Effect(text) => ('=', text),
        };
        if text.is_empty() {
            write!(f, "{mark}")
        } else {
            write!(f, "{mark} {text}")
        }
    }
}

/// A line the format does not allow, with its 1-based number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads a transcript. Headers may appear only before the first event line. A
/// leading byte-order mark (what some Windows editors write) is not part of the text.
pub fn parse(text: &str) -> Result<Transcript, FormatError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Transcript::default();
    for (idx, raw) in text.lines().enumerate() {
        let number = idx + 1;
        let line = raw.trim_end();
        let err = |message: String| FormatError {
            line: number,
            message,
        };
        if line.trim_start().is_empty() || line.trim_start().starts_with("//") {
            continue;
        }
        // The mark is a character, not a byte: a line may start with any letter.
        let mut chars = line.chars();
        let mark = chars.next().unwrap_or(' ');
        let rest = chars.as_str();
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        match mark {
            '<' => out.lines.push(Line::Bot(rest.to_string())),
            '>' => out.lines.push(Line::Customer(rest.to_string())),
            '=' => out.lines.push(Line::Effect(rest.trim().to_string())),
            '@' if out.lines.is_empty() => {
                header(&mut out.headers, strip_comment(rest)).map_err(err)?
            }
            '@' => return Err(err("headers must come before the conversation".into())),
            _ => {
                return Err(err(format!(
                    "expected `<`, `>`, `=`, `@` or `//` at the start of the line, found {mark:?}"
                )))
            }
        }
    }
    Ok(out)
}

/// A header line's text without a trailing ` // comment`.
fn strip_comment(text: &str) -> &str {
    let mut in_quotes = false;
    let bytes = text.as_bytes();
    for (idx, ch) in text.char_indices() {
        match ch {
            '"' => in_quotes = !in_quotes,
            '/' if !in_quotes
                && bytes.get(idx + 1) == Some(&b'/')
                && (idx == 0 || bytes[idx - 1] == b' ') =>
            {
                return text[..idx].trim_end();
            }
            _ => {}
        }
    }
    text.trim_end()
}

fn header(headers: &mut Headers, text: &str) -> Result<(), String> {
    let (name, value) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("header `@{name}` needs a value"));
    }
    let slot = match name {
        "program" => &mut headers.program,
        "flow" => &mut headers.flow,
        "channel" => &mut headers.channel,
        "now" => &mut headers.now,
        "company" => &mut headers.company,
        "protocol" => &mut headers.protocol,
        "erp" => &mut headers.erp,
        "origin" => &mut headers.origin,
        "branch" => &mut headers.branch,
        "attendant" => &mut headers.attendant,
        "message" => &mut headers.message,
        "contact" => return contact(headers, value),
        "tags" => {
            headers.tags.extend(
                value
                    .split(',')
                    .map(|it| it.trim().to_string())
                    .filter(|it| !it.is_empty()),
            );
            return Ok(());
        }
        "lowcode" => return lowcode(headers, value),
        "agent" => {
            headers.agent = Some(match value {
                "none" => None,
                quoted => Some(unquote(quoted)?),
            });
            return Ok(());
        }
        _ => return Err(format!("unknown header `@{name}`")),
    };
    *slot = Some(unquote(value)?);
    Ok(())
}

/// `name="Ana" phone="+5548999990000"`, either part optional.
fn contact(headers: &mut Headers, mut rest: &str) -> Result<(), String> {
    while !rest.is_empty() {
        let (key, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("expected `key=\"value\"` in `@contact`, found `{rest}`"))?;
        let (value, after) = quoted_prefix(after.trim_start())?;
        match key.trim() {
            "name" => headers.contact_name = Some(value),
            "phone" => headers.contact_phone = Some(value),
            other => {
                return Err(format!(
                    "`@contact` takes `name` and `phone`, not `{other}`"
                ))
            }
        }
        rest = after.trim_start();
    }
    Ok(())
}

/// `sinal {"dbm": -24.5}` or `sinal error "portal fora do ar"`.
fn lowcode(headers: &mut Headers, value: &str) -> Result<(), String> {
    let (script, result) = value
        .split_once(char::is_whitespace)
        .ok_or("`@lowcode` needs a script name and a JSON record (or `error \"...\"`)")?;
    let result = result.trim();
    let outcome = match result.strip_prefix("error") {
        Some(why) if why.starts_with(char::is_whitespace) => Err(unquote(why.trim())?),
        _ => Ok(result.to_string()),
    };
    headers.lowcode.push((script.to_string(), outcome));
    Ok(())
}

/// A header value: a `"quoted"` string (with `\"` and `\\` escapes) or a bare word.
fn unquote(value: &str) -> Result<String, String> {
    if !value.starts_with('"') {
        return Ok(value.to_string());
    }
    let (text, rest) = quoted_prefix(value)?;
    if !rest.trim().is_empty() {
        return Err(format!(
            "unexpected `{}` after the quoted value",
            rest.trim()
        ));
    }
    Ok(text)
}

/// The quoted string at the start of `text` and what follows it.
fn quoted_prefix(text: &str) -> Result<(String, &str), String> {
    let body = text
        .strip_prefix('"')
        .ok_or_else(|| format!("expected a quoted value, found `{text}`"))?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((idx, ch)) = chars.next() {
        match ch {
            '"' => return Ok((out, &body[idx + 1..])),
            '\\' => match chars.next() {
                Some((_, next)) => out.push(next),
                None => break,
            },
            other => out.push(other),
        }
    }
    Err("unterminated quoted value".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_and_lines() {
        let text = r#"// A comment.
@program provedor/                  // optional headers: program,
@flow main
@contact name="Ana" phone="+5548999990000"
@company "Provedor Exemplo"         //   company name,
@lowcode sinal {"dbm": -24.5, "olt": "OLT-01"}
@lowcode outro error "fora do ar"
@agent "Nosso horário é das 8h às 18h."
< Olá, Ana!
<   1) Financeiro
<
> 1
= tag cobranca
// trailing comment
"#;
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.headers.program.as_deref(), Some("provedor/"));
        assert_eq!(
            parsed.headers.agent,
            Some(Some("Nosso horário é das 8h às 18h.".to_string()))
        );
        assert_eq!(parse("@agent none\n").unwrap().headers.agent, Some(None));
        assert_eq!(parsed.headers.contact_name.as_deref(), Some("Ana"));
        assert_eq!(
            parsed.headers.contact_phone.as_deref(),
            Some("+5548999990000")
        );
        assert_eq!(parsed.headers.company.as_deref(), Some("Provedor Exemplo"));
        assert_eq!(
            parsed.headers.lowcode,
            vec![
                (
                    "sinal".to_string(),
                    Ok(r#"{"dbm": -24.5, "olt": "OLT-01"}"#.to_string())
                ),
                ("outro".to_string(), Err("fora do ar".to_string())),
            ]
        );
        assert_eq!(
            parsed.lines,
            vec![
                Line::Bot("Olá, Ana!".into()),
                Line::Bot("  1) Financeiro".into()),
                Line::Bot(String::new()),
                Line::Customer("1".into()),
                Line::Effect("tag cobranca".into()),
            ]
        );
        assert_eq!(parsed.lines[1].to_string(), "<   1) Financeiro");
        assert_eq!(parsed.lines[2].to_string(), "<");
    }

    #[test]
    fn keeps_urls_in_messages() {
        let parsed = parse("< Veja https://provedor.example/a // b\n").unwrap();
        assert_eq!(
            parsed.lines,
            vec![Line::Bot("Veja https://provedor.example/a // b".into())]
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse("oi\n").unwrap_err().line, 1);
        assert!(parse("< oi\n@flow main\n").is_err());
        assert!(parse("@colour blue\n").is_err());
        assert!(parse("@contact name=Ana\n").is_err());
        assert!(parse("@company \"unterminated\n").is_err());
        assert!(parse("@flow\n").is_err());
    }

    #[test]
    fn a_line_may_start_with_any_character() {
        let err = parse("< oi\nólá\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: expected `<`, `>`, `=`, `@` or `//` at the start of the line, found 'ó'"
        );
        let err = parse("\u{feff}\u{feff}< oi\n").unwrap_err();
        assert_eq!(err.line, 1);
        let parsed = parse("\u{feff}@flow main\n> oi\n").unwrap();
        assert_eq!(parsed.headers.flow.as_deref(), Some("main"));
        assert_eq!(parsed.lines, vec![Line::Customer("oi".into())]);
    }
}

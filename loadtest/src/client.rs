//! The generic channel API of SERVER.md §6, as a client: post a customer message
//! (acknowledged with 202, or answered with 200 and the turn's outputs with
//! `?wait=true`) and read a conversation's transcript.

use std::time::Duration;

use serde_json::{json, Value};

/// One customer message.
#[derive(Clone, Debug)]
pub struct Message<'a> {
    pub key: &'a str,
    /// The dedupe key: the same id again must change nothing.
    pub id: &'a str,
    pub text: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
}

/// What an acknowledged message came back with.
#[derive(Clone, Debug, PartialEq)]
pub enum Ack {
    /// 202: durably stored.
    Stored,
    /// 200 (`?wait=true`): the texts the turn sent and what the conversation waits for.
    Replied { texts: Vec<String>, wait: String },
}

/// Why a message was not acknowledged.
#[derive(Clone, Debug, PartialEq)]
pub enum SendError {
    /// No answer (refused, reset, timed out): the message may or may not be stored,
    /// so the sender repeats it with the same id.
    NoAnswer(String),
    /// An answer that is not an acknowledgement.
    Status(u16, String),
}

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
}

impl Api {
    pub fn new(timeout: Duration) -> crate::Result<Api> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
        Ok(Api { http })
    }

    pub async fn send(
        &self,
        base: &str,
        message: &Message<'_>,
        wait: bool,
    ) -> Result<Ack, SendError> {
        let url = format!(
            "{base}/v1/conversations/{}/messages{}",
            message.key,
            if wait { "?wait=true" } else { "" }
        );
        let mut body = json!({
            "id": message.id,
            "contact": {"name": message.name, "phone": message.phone},
            "channel": "whatsapp",
        });
        let (field, value) = content(message.text);
        body[field] = value;
        let request = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string());
        let (status, text) = exchange(request).await?;
        match (status, wait) {
            (202, false) => Ok(Ack::Stored),
            (200, true) => reply(&text).ok_or(SendError::Status(status, text)),
            _ => Err(SendError::Status(status, text)),
        }
    }

    /// The transcript lines, or why there are none.
    pub async fn transcript(&self, base: &str, key: &str) -> Result<Vec<String>, SendError> {
        let request = self
            .http
            .get(format!("{base}/v1/conversations/{key}/transcript"));
        let (status, text) = exchange(request).await?;
        if status != 200 {
            return Err(SendError::Status(status, text));
        }
        Ok(text
            .lines()
            .filter(|it| !it.is_empty())
            .map(str::to_string)
            .collect())
    }
}

/// The status and body of a request; no answer (or no whole body) is `NoAnswer`.
async fn exchange(request: reqwest::RequestBuilder) -> Result<(u16, String), SendError> {
    let no_answer = |err: reqwest::Error| SendError::NoAnswer(err.to_string());
    let response = request.send().await.map_err(no_answer)?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(no_answer)?;
    Ok((status, text))
}

/// A transcript's customer line as the API's message content, read as `fluxo run`
/// reads it: `[reply <id>]` taps an interactive option, `[<kind> <url>]` sends media
/// (image, audio, video, document, sticker), anything else is text.
fn content(line: &str) -> (&'static str, Value) {
    if let Some(inner) = line.strip_prefix('[').and_then(|it| it.strip_suffix(']')) {
        let (kind, rest) = inner.split_once(' ').unwrap_or((inner, ""));
        match kind {
            "reply" => return ("reply_id", Value::String(rest.trim().to_string())),
            "image" | "audio" | "video" | "document" | "sticker" => {
                return ("media", json!({"kind": kind, "url": rest.trim()}))
            }
            _ => {}
        }
    }
    ("text", Value::String(line.to_string()))
}

/// `{"outputs": [{"type": "text", "text": ...}, ...], "wait": ...}`.
fn reply(body: &str) -> Option<Ack> {
    let value: Value = serde_json::from_str(body).ok()?;
    let texts = value
        .get("outputs")?
        .as_array()?
        .iter()
        .filter(|it| it.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|it| it.get("text").and_then(Value::as_str).map(str::to_string))
        .collect();
    let wait = value.get("wait")?.as_str()?.to_string();
    Some(Ack::Replied { texts, wait })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_notation_becomes_replies_and_media() {
        assert_eq!(content("1"), ("text", json!("1")));
        assert_eq!(
            content("[reply Quero contratar]"),
            ("reply_id", json!("Quero contratar"))
        );
        assert_eq!(
            content("[image https://cdn.example/a.jpg]"),
            (
                "media",
                json!({"kind": "image", "url": "https://cdn.example/a.jpg"})
            )
        );
        assert_eq!(content("[oi]"), ("text", json!("[oi]")));
    }

    #[test]
    fn a_reply_body_gives_its_texts_and_wait() {
        let body = r#"{"outputs": [{"type": "text", "text": "Olá"}, {"type": "file", "url": "u"},
            {"type": "text", "text": "Menu\n  1) Sim"}], "wait": "customer"}"#;
        assert_eq!(
            reply(body),
            Some(Ack::Replied {
                texts: vec!["Olá".into(), "Menu\n  1) Sim".into()],
                wait: "customer".into()
            })
        );
        assert_eq!(reply(r#"{"outputs": []}"#), None);
        assert_eq!(reply("not json"), None);
    }
}

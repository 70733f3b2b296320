//! The WhatsApp Business Cloud API channel. Inbound: `GET /v1/channels/whatsapp/webhook`
//! is Meta's verification handshake; `POST` carries batches of messages and status
//! callbacks, each checked against `X-Hub-Signature-256` (HMAC-SHA256 of the raw body
//! with the app secret) before anything is read: a bad signature is 401 and nothing is
//! stored. Conversations are keyed `whatsapp:<wa_id>`, contacts by `+<wa_id>` (so a
//! contact's state is shared with other channels that know the phone).
//!
//! Outbound (`send`): text; a menu of up to 3 options as reply buttons, up to 10 as a
//! list, more as its numbered text; files and audio by link; templates. The 24-hour
//! customer-service window runs from the last time the contact wrote: a free-form
//! message after it is not sent and the conversation ends (as when Meta answers
//! 131047); rate limits (130429, 131056) are retried later; sends to the API are
//! spaced to `messages_per_second`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    admit, call, clip, failure, menu, same_secret, store, Channel, Delivery, Sending, Sent,
    MAX_CAPTION,
};
use crate::engine::inbound::{Inbound, InboundContact, InboundMedia};
use crate::engine::{now_ms, Engine};
use crate::http::{error, App};
use fluxo_runtime::session::{Effect, Output};

/// How long after the contact last wrote a free-form message may be sent.
const WINDOW_MS: i64 = 24 * 3600 * 1000;
/// Meta's "re-engagement message" error: the window is closed.
const WINDOW_CLOSED: i64 = 131047;
/// Too many messages from the number (throughput), and to one user (pair rate).
const THROUGHPUT: i64 = 130429;
const PAIR_RATE: i64 = 131056;
/// Meta's pair rate: about one message every 6 s to one user.
const PAIR_RATE_WAIT_MS: i64 = 6000;
const MEDIA_KINDS: [&str; 5] = ["image", "audio", "video", "document", "sticker"];

/// `[channels.whatsapp]` with its secrets read.
#[derive(Clone)]
pub struct WhatsAppSettings {
    pub phone_number_id: String,
    pub graph_url: String,
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
    pub messages_per_second: u32,
    pub template_language: String,
}

impl std::fmt::Debug for WhatsAppSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsAppSettings")
            .field("phone_number_id", &self.phone_number_id)
            .field("graph_url", &self.graph_url)
            .finish_non_exhaustive()
    }
}

pub struct WhatsApp {
    settings: WhatsAppSettings,
    client: reqwest::Client,
    /// When the next call to the API may start (`messages_per_second`).
    next: Mutex<Instant>,
}

impl WhatsApp {
    pub fn new(settings: WhatsAppSettings, client: reqwest::Client) -> WhatsApp {
        WhatsApp {
            settings,
            client,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this call's turn under the number's throughput limit.
    async fn throttle(&self) {
        let gap = Duration::from_secs(1) / self.settings.messages_per_second.max(1);
        let start = {
            let mut next = self.next.lock().unwrap_or_else(|it| it.into_inner());
            let start = (*next).max(Instant::now());
            *next = start + gap;
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }

    async fn deliver(&self, engine: &Arc<Engine>, delivery: &Delivery) -> Sent {
        let free_form = !matches!(
            delivery.output,
            Output::Effect {
                effect: Effect::Template { .. }
            }
        );
        let Some(mut body) = message(&delivery.output, &self.settings.template_language) else {
            return Sent::Delivered; // An effect the customer does not see.
        };
        if free_form {
            let (engine, contact) = (Arc::clone(engine), delivery.contact.clone());
            let last = tokio::task::spawn_blocking(move || engine.store.contact(&contact))
                .await
                .ok()
                .and_then(Result::ok)
                .flatten();
            if let Some(last) = last.and_then(|it| it.last_wrote) {
                if now_ms() - last > WINDOW_MS {
                    return Sent::End {
                        reason: "the WhatsApp 24-hour window closed (the contact last wrote \
                                 more than 24 hours ago): free-form messages cannot be sent"
                            .into(),
                    };
                }
            }
        }
        body["messaging_product"] = json!("whatsapp");
        body["recipient_type"] = json!("individual");
        body["to"] = json!(delivery.chat);
        // Meta echoes it in the status callbacks of this message.
        body["biz_opaque_callback_data"] = json!(delivery.idempotency_key);
        self.throttle().await;
        let url = format!(
            "{}/{}/messages",
            self.settings.graph_url.trim_end_matches('/'),
            self.settings.phone_number_id
        );
        let request = self
            .client
            .post(url)
            .bearer_auth(&self.settings.access_token);
        let (status, answer) = match call(request, delivery, &body).await {
            Ok(()) => return Sent::Delivered,
            Err(Ok(answered)) => answered,
            Err(Err(sent)) => return sent,
        };
        let code = answer["error"]["code"].as_i64().unwrap_or(0);
        let detail = format!(
            "error {code}: {}",
            answer["error"]["message"].as_str().unwrap_or("no message")
        );
        match code {
            WINDOW_CLOSED => Sent::End {
                reason: format!(
                    "WhatsApp refused a free-form message outside the 24-hour window ({detail})"
                ),
            },
            THROUGHPUT => Sent::Retry {
                error: detail,
                after_ms: None,
            },
            PAIR_RATE => Sent::Retry {
                error: detail,
                after_ms: Some(PAIR_RATE_WAIT_MS),
            },
            _ => failure(Some(status), &detail),
        }
    }
}

impl Channel for WhatsApp {
    fn name(&self) -> &'static str {
        "whatsapp"
    }

    fn send<'a>(&'a self, engine: &'a Arc<Engine>, delivery: &'a Delivery) -> Sending<'a> {
        Box::pin(self.deliver(engine, delivery))
    }
}

/// An output in Meta's message shape (without the envelope); `None` for effects the
/// customer does not see.
pub fn message(output: &Output, language: &str) -> Option<Value> {
    Some(match output {
        Output::Text { text } => match menu(text) {
            Some(menu) if interactive(&menu.question, &menu.options) => {
                let body = json!({"text": menu.question});
                let numbered = menu.options.iter().enumerate();
                if menu.options.len() <= 3 && menu.options.iter().all(|it| fits(it, 20)) {
                    let buttons: Vec<Value> = numbered
                        .map(|(idx, label)| {
                            json!({"type": "reply", "reply": {"id": (idx + 1).to_string(),
                                   "title": label}})
                        })
                        .collect();
                    json!({"type": "interactive", "interactive": {"type": "button",
                           "body": body, "action": {"buttons": buttons}}})
                } else {
                    let rows: Vec<Value> = numbered
                        .map(|(idx, label)| {
                            let mut row = json!({"id": (idx + 1).to_string(),
                                                 "title": clip(label, 24)});
                            if !fits(label, 24) {
                                row["description"] = json!(clip(label, 72));
                            }
                            row
                        })
                        .collect();
                    json!({"type": "interactive", "interactive": {"type": "list",
                           "body": body, "action": {"button": "Ver opções",
                           "sections": [{"title": "Opções", "rows": rows}]}}})
                }
            }
            _ => json!({"type": "text", "text": {"preview_url": false, "body": text}}),
        },
        Output::File { url, caption } => {
            let mut document = json!({"link": url});
            if let Some(name) = url.rsplit('/').next().filter(|it| !it.is_empty()) {
                document["filename"] = json!(name);
            }
            if let Some(caption) = caption {
                document["caption"] = json!(clip(caption, MAX_CAPTION));
            }
            json!({"type": "document", "document": document})
        }
        Output::Audio { file } => json!({"type": "audio", "audio": {"link": file}}),
        Output::Effect {
            effect: Effect::Template { template },
        } => json!({"type": "template", "template": {"name": template,
                    "language": {"code": language, "policy": "deterministic"}}}),
        Output::Effect { .. } => return None,
    })
}

fn fits(text: &str, max: usize) -> bool {
    text.chars().count() <= max
}

/// Whether a menu can be interactive: at most 10 options, a question of 1 to 1,024
/// characters.
fn interactive(question: &str, options: &[&str]) -> bool {
    options.len() <= 10 && !question.trim().is_empty() && fits(question, 1024)
}

#[derive(Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode", default)]
    mode: String,
    #[serde(rename = "hub.verify_token", default)]
    verify_token: String,
    #[serde(rename = "hub.challenge", default)]
    challenge: String,
}

pub fn routes() -> Router<Arc<App>> {
    Router::new().route(
        "/v1/channels/whatsapp/webhook",
        get(handshake).post(webhook),
    )
}

fn off() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "the WhatsApp channel is off: configure [channels.whatsapp]",
    )
}

async fn handshake(State(app): State<Arc<App>>, Query(query): Query<Handshake>) -> Response {
    let Some(settings) = &app.engine.settings.whatsapp else {
        return off();
    };
    if query.mode == "subscribe"
        && same_secret(
            query.verify_token.as_bytes(),
            settings.verify_token.as_bytes(),
        )
    {
        (StatusCode::OK, query.challenge).into_response()
    } else {
        error(StatusCode::FORBIDDEN, "the verify token does not match")
    }
}

/// Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`.
pub fn signed(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex) = header.and_then(|it| it.strip_prefix("sha256=")) else {
        return false;
    };
    let Some(given) = unhex(hex) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

async fn webhook(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let engine = &app.engine;
    let Some(settings) = &engine.settings.whatsapp else {
        return off();
    };
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|it| it.to_str().ok());
    let authentic = signed(&settings.app_secret, &body, signature)
        .then_some(())
        .ok_or("X-Hub-Signature-256 is missing or does not match the body");
    let payload = match admit(engine, "whatsapp", authentic, &body) {
        Ok(payload) => payload,
        Err(response) => return *response,
    };
    let messages = read(engine, settings, &payload);
    match store(engine, "whatsapp", messages).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(reason) => error(StatusCode::SERVICE_UNAVAILABLE, reason),
    }
}

/// The messages of a webhook payload, keyed by conversation, in their order; status
/// callbacks and errors are counted and logged.
fn read(
    engine: &Arc<Engine>,
    settings: &WhatsAppSettings,
    payload: &Value,
) -> Vec<(String, Inbound)> {
    let mut messages = Vec::new();
    let list = |value: &Value| value.as_array().cloned().unwrap_or_default();
    for entry in list(&payload["entry"]) {
        for change in list(&entry["changes"]) {
            let value = &change["value"];
            let number = value["metadata"]["phone_number_id"].as_str().unwrap_or("");
            if number != settings.phone_number_id {
                engine.log.warn(
                    None,
                    &format!("whatsapp: a change for number {number}, not this one; ignored"),
                );
                continue;
            }
            for status in list(&value["statuses"]) {
                self::status(engine, &status);
            }
            for problem in list(&value["errors"]) {
                engine
                    .log
                    .warn(None, &format!("whatsapp: the platform reports {problem}"));
            }
            let contacts = list(&value["contacts"]);
            for message in list(&value["messages"]) {
                if let Some(found) = inbound(&message, &contacts) {
                    messages.push(found);
                } else {
                    let kind = message["type"].as_str().unwrap_or("?");
                    engine.log.info(
                        None,
                        &format!("whatsapp: a `{kind}` message has nothing for a flow; ignored"),
                    );
                }
            }
        }
    }
    messages
}

/// A status callback: counted; a failure logged, and a closed window ends the
/// conversation the message belonged to.
fn status(engine: &Arc<Engine>, status: &Value) {
    let name = match status["status"].as_str().unwrap_or("") {
        "sent" => "platform_sent",
        "delivered" => "platform_delivered",
        "read" => "platform_read",
        "failed" => "platform_failed",
        _ => "platform_other",
    };
    engine.metrics.outbound(name);
    if name != "platform_failed" {
        return;
    }
    let key = format!("whatsapp:{}", status["recipient_id"].as_str().unwrap_or(""));
    let errors = status["errors"].as_array().cloned().unwrap_or_default();
    engine.log.warn(
        Some(&key),
        &format!(
            "whatsapp: message {} failed: {}",
            status["biz_opaque_callback_data"].as_str().unwrap_or("?"),
            Value::Array(errors.clone())
        ),
    );
    if errors
        .iter()
        .any(|it| it["code"].as_i64() == Some(WINDOW_CLOSED))
    {
        let reason =
            "WhatsApp refused a free-form message outside the 24-hour window (error 131047)";
        engine.end_soon(&key, reason.into());
    }
}

/// One platform message as the engine's inbound message, under its conversation key.
fn inbound(message: &Value, contacts: &[Value]) -> Option<(String, Inbound)> {
    let from = message["from"].as_str()?;
    let id = message["id"].as_str()?;
    let kind = message["type"].as_str().unwrap_or("");
    let mut inbound = Inbound {
        id: id.to_string(),
        channel: Some("whatsapp".into()),
        ..Inbound::default()
    };
    match kind {
        "text" => inbound.text = Some(message["text"]["body"].as_str()?.to_string()),
        "interactive" => {
            let reply = &message["interactive"];
            let reply = &reply[reply["type"].as_str()?];
            inbound.reply_id = Some(reply["id"].as_str()?.to_string());
            inbound.text = reply["title"].as_str().map(str::to_string);
        }
        // A template's quick-reply button.
        "button" => {
            inbound.reply_id = message["button"]["payload"].as_str().map(str::to_string);
            inbound.text = Some(message["button"]["text"].as_str()?.to_string());
        }
        kind if MEDIA_KINDS.contains(&kind) => {
            let media = &message[kind];
            inbound.media = Some(InboundMedia {
                kind: kind.to_string(),
                // The media id: the host fetches it from the Graph API when it needs it.
                url: format!("whatsapp-media:{}", media["id"].as_str()?),
            });
            inbound.text = media["caption"].as_str().map(str::to_string);
        }
        _ => return None,
    }
    let name = contacts
        .iter()
        .find(|it| it["wa_id"].as_str() == Some(from))
        .and_then(|it| it["profile"]["name"].as_str());
    inbound.contact = Some(InboundContact {
        name: name.map(str::to_string),
        phone: Some(format!("+{from}")),
    });
    inbound.at = message["timestamp"]
        .as_str()
        .and_then(|it| it.parse::<i64>().ok())
        .map(|secs| secs.saturating_mul(1000));
    Some((format!("whatsapp:{from}"), inbound))
}

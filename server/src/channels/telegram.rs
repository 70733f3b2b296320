//! The Telegram Bot API channel. Inbound: `POST /v1/channels/telegram/webhook` with one
//! `Update`, checked against `X-Telegram-Bot-Api-Secret-Token` (401 otherwise) and
//! deduplicated by `update_id`; a `message` (text, caption, document, audio, voice,
//! photo) or a `callback_query` (an inline-keyboard button tapped: its `callback_data`
//! is the reply id), the latter answered at once with `answerCallbackQuery` so the
//! customer's spinner stops. Conversations are keyed `telegram:<chat id>`.
//!
//! Outbound (`send`): `sendMessage` (a menu as an inline keyboard, one button per
//! option with its number as `callback_data`), `sendDocument`, `sendAudio`; a 429's
//! `parameters.retry_after` is honoured.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use super::{
    admit, call, clip, failure, menu, same_secret, store, Channel, Delivery, Sending, Sent,
    MAX_CAPTION,
};
use crate::engine::inbound::{Inbound, InboundContact, InboundMedia};
use crate::engine::Engine;
use crate::http::{error, App};
use fluxo_runtime::session::Output;

/// `[channels.telegram]` with its secrets read.
#[derive(Clone)]
pub struct TelegramSettings {
    pub api_url: String,
    pub bot_token: String,
    pub secret_token: String,
}

impl std::fmt::Debug for TelegramSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramSettings")
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

pub struct Telegram {
    settings: TelegramSettings,
    client: reqwest::Client,
}

impl Telegram {
    pub fn new(settings: TelegramSettings, client: reqwest::Client) -> Telegram {
        Telegram { settings, client }
    }

    fn url(&self, method: &str) -> String {
        format!(
            "{}/bot{}/{method}",
            self.settings.api_url.trim_end_matches('/'),
            self.settings.bot_token
        )
    }

    async fn deliver(&self, delivery: &Delivery) -> Sent {
        let Some((method, mut body)) = request(&delivery.output) else {
            return Sent::Delivered; // Nothing the customer sees on Telegram.
        };
        body["chat_id"] = json!(delivery.chat);
        let request = self.client.post(self.url(method));
        let (status, answer) = match call(request, delivery, &body).await {
            Ok(()) => return Sent::Delivered,
            Err(Ok(answered)) => answered,
            Err(Err(sent)) => return sent,
        };
        let detail = answer["description"]
            .as_str()
            .unwrap_or("no description")
            .to_string();
        match answer["parameters"]["retry_after"].as_i64() {
            Some(secs) if status.as_u16() == 429 => Sent::Retry {
                error: format!("too many requests: {detail}"),
                after_ms: Some(secs.max(1).saturating_mul(1000)),
            },
            _ => failure(Some(status), &detail),
        }
    }

    /// Stops the spinner of a tapped button; a failure only costs the spinner.
    async fn answer_callback(&self, engine: &Engine, id: String) {
        let answer = self
            .client
            .post(self.url("answerCallbackQuery"))
            .json(&json!({"callback_query_id": id}))
            .send()
            .await;
        if let Err(error) = answer.and_then(|it| it.error_for_status()) {
            engine.log.warn(
                None,
                &format!("telegram: answerCallbackQuery failed: {error}"),
            );
        }
    }
}

impl Channel for Telegram {
    fn name(&self) -> &'static str {
        "telegram"
    }

    fn send<'a>(&'a self, _engine: &'a Arc<Engine>, delivery: &'a Delivery) -> Sending<'a> {
        Box::pin(self.deliver(delivery))
    }
}

/// An output as a Bot API method and its body (without `chat_id`); `None` for
/// effects the customer does not see (templates are WhatsApp's).
pub fn request(output: &Output) -> Option<(&'static str, Value)> {
    Some(match output {
        Output::Text { text } => match menu(text) {
            Some(menu) if !menu.question.trim().is_empty() => {
                let keyboard: Vec<Value> = menu
                    .options
                    .iter()
                    .enumerate()
                    .map(|(idx, label)| {
                        json!([{"text": label, "callback_data": (idx + 1).to_string()}])
                    })
                    .collect();
                (
                    "sendMessage",
                    json!({"text": menu.question,
                           "reply_markup": {"inline_keyboard": keyboard}}),
                )
            }
            _ => ("sendMessage", json!({"text": text})),
        },
        Output::File { url, caption } => {
            let mut body = json!({"document": url});
            if let Some(caption) = caption {
                body["caption"] = json!(clip(caption, MAX_CAPTION));
            }
            ("sendDocument", body)
        }
        Output::Audio { file } => ("sendAudio", json!({"audio": file})),
        Output::Effect { .. } => return None,
    })
}

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/v1/channels/telegram/webhook", post(webhook))
}

async fn webhook(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let engine = &app.engine;
    let (Some(settings), Some(telegram)) = (&engine.settings.telegram, &engine.channels.telegram)
    else {
        return error(
            StatusCode::NOT_FOUND,
            "the Telegram channel is off: configure [channels.telegram]",
        );
    };
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .map(|it| it.as_bytes())
        .unwrap_or_default();
    let authentic = same_secret(given, settings.secret_token.as_bytes())
        .then_some(())
        .ok_or("X-Telegram-Bot-Api-Secret-Token is missing or wrong");
    let update = match admit(engine, "telegram", authentic, &body) {
        Ok(update) => update,
        Err(response) => return *response,
    };
    let Some((key, inbound)) = inbound(&update) else {
        // An update kind flows do not read (an edit, a member change): acknowledged.
        return StatusCode::OK.into_response();
    };
    let new = match store(engine, "telegram", vec![(key, inbound)]).await {
        Ok(new) => new,
        Err(reason) => return error(StatusCode::SERVICE_UNAVAILABLE, reason),
    };
    // A repeated update's query was answered when it first came.
    if let Some(id) = update["callback_query"]["id"].as_str().filter(|_| new > 0) {
        let telegram = Arc::clone(telegram);
        let engine = Arc::clone(engine);
        let id = id.to_string();
        tokio::spawn(async move { telegram.answer_callback(&engine, id).await });
    }
    StatusCode::OK.into_response()
}

/// An update as the engine's inbound message under its conversation key; `None` for
/// kinds flows do not read.
fn inbound(update: &Value) -> Option<(String, Inbound)> {
    let update_id = update["update_id"].as_i64()?;
    let mut inbound = Inbound {
        id: format!("update-{update_id}"),
        channel: Some("telegram".into()),
        ..Inbound::default()
    };
    let (chat, from) = if let Some(query) = update.get("callback_query") {
        inbound.reply_id = Some(query["data"].as_str()?.to_string());
        (&query["message"]["chat"]["id"], &query["from"])
    } else {
        let message = update.get("message")?;
        inbound.text = message["text"]
            .as_str()
            .or_else(|| message["caption"].as_str())
            .map(str::to_string);
        let media = [
            ("document", &message["document"]),
            ("audio", &message["audio"]),
            ("audio", &message["voice"]),
            (
                "image",
                message["photo"]
                    .as_array()
                    .and_then(|it| it.last())
                    .unwrap_or(&Value::Null),
            ),
        ];
        inbound.media = media.into_iter().find_map(|(kind, it)| {
            Some(InboundMedia {
                kind: kind.to_string(),
                url: format!("telegram-file:{}", it["file_id"].as_str()?),
            })
        });
        if inbound.text.is_none() && inbound.media.is_none() {
            return None;
        }
        (&message["chat"]["id"], &message["from"])
    };
    let chat = chat.as_i64()?;
    inbound.contact = Some(InboundContact {
        name: from["first_name"].as_str().map(str::to_string),
        phone: None,
    });
    Some((format!("telegram:{chat}"), inbound))
}

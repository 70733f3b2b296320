//! The generic channel (docs/server.md, "API"): `POST .../messages` stores a message
//! and answers 202 once it is durable, or with `?wait=true` 200 and the turn's reply;
//! `GET` a conversation's state and its transcript in the `.chat` line format.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{error, unavailable, ApiCaller, Shared};
use crate::engine::inbound::Inbound;
use crate::engine::now_ms;
use crate::log::mask;
use crate::store::{NewMessage, Outcome, Write};
use fluxo_runtime::session::Session;
use fluxo_stdlib::types::Channel;

const MAX_KEY: usize = 200;
/// How often a caller waiting for a reply (`?wait=true`) looks in the store, where a
/// reply from another process sharing it lands.
const REPLY_POLL: Duration = Duration::from_millis(100);
/// This API's name in the inbound metrics (the WhatsApp and Telegram webhooks are
/// channels of their own).
const CHANNEL: &str = "generic";
const MEDIA_KINDS: [&str; 5] = ["image", "audio", "video", "document", "sticker"];

#[derive(Deserialize)]
pub struct MessageQuery {
    #[serde(default)]
    wait: bool,
}

/// Why a body is not a message, in the words the 400 answer gives.
fn validate(key: &str, body: &[u8]) -> Result<Inbound, String> {
    if key.is_empty() || key.len() > MAX_KEY {
        return Err(format!(
            "the conversation key must have 1 to {MAX_KEY} bytes"
        ));
    }
    let inbound: Inbound =
        serde_json::from_slice(body).map_err(|e| format!("the body is not a message: {e}"))?;
    if inbound.id.is_empty() || inbound.id.len() > MAX_KEY {
        return Err(format!("`id` must have 1 to {MAX_KEY} bytes"));
    }
    if inbound.text.is_none() && inbound.reply_id.is_none() && inbound.media.is_none() {
        return Err("a message needs `text`, `reply_id` or `media`".into());
    }
    if let Some(channel) = &inbound.channel {
        if Channel::from_name(channel).is_none() {
            return Err(format!(
                "unknown channel `{channel}` (whatsapp telegram facebook instagram telephony webchat)"
            ));
        }
    }
    if let Some(media) = &inbound.media {
        if !MEDIA_KINDS.contains(&media.kind.as_str()) {
            return Err(format!(
                "unknown media kind `{}` (image audio video document sticker)",
                media.kind
            ));
        }
    }
    Ok(inbound)
}

pub async fn post_message(
    _: ApiCaller,
    State(app): State<Shared>,
    Path(key): Path<String>,
    Query(query): Query<MessageQuery>,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let inbound = match validate(&key, &body) {
        Ok(inbound) => inbound,
        Err(reason) => {
            app.engine.metrics.inbound(CHANNEL, "rejected");
            return error(StatusCode::BAD_REQUEST, reason);
        }
    };
    if !app.within_rate(&key) {
        app.engine.metrics.inbound(CHANNEL, "rejected");
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "more than {} messages in a minute for this conversation",
                app.engine.settings.messages_per_minute
            ),
        );
    }
    let message_id = inbound.id.clone();
    let write = Write::Message(NewMessage {
        conversation: key.clone(),
        message_id: message_id.clone(),
        body: serde_json::to_string(&inbound).unwrap_or_default(),
        received: now_ms(),
    });
    let (seq, duplicate) = match app.engine.committer.commit(write).await {
        Ok(Outcome::Stored { seq }) => (seq, false),
        Ok(Outcome::Duplicate { seq }) => (seq, true),
        Ok(Outcome::Done | Outcome::Stale) => {
            return unavailable(&app, "storing the message", "no outcome")
        }
        Err(reason) => return unavailable(&app, "storing the message", reason),
    };
    app.engine.metrics.ack(started.elapsed());
    app.engine
        .metrics
        .inbound(CHANNEL, if duplicate { "duplicate" } else { "accepted" });
    if !duplicate {
        app.engine.wake(&key, None);
    }
    if !query.wait {
        return (
            StatusCode::ACCEPTED,
            axum::Json(json!({"id": message_id, "duplicate": duplicate})),
        )
            .into_response();
    }
    let reply = app.engine.wait_reply(seq, &key, &message_id);
    let limit = Duration::from_secs(app.engine.settings.wait_timeout_secs);
    let waited = wait_for_reply(&app, reply, &key, &message_id, limit).await;
    app.engine.forget_reply(seq);
    let text = match waited {
        Ok(Some(text)) => text,
        Ok(None) => {
            return error(
                StatusCode::GATEWAY_TIMEOUT,
                "the message is stored but its turn did not finish in time; its \
                 outputs will be in the transcript",
            )
        }
        Err(response) => return response,
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}

/// The final reply to the stored message, from this process's turn (`reply`) or read
/// from the store: at once, and every `REPLY_POLL` after, since a process sharing the
/// store may run the turn (its notice through the store only saves the wait).
/// `Ok(None)` when `limit` passes first. The caller forgets the registration.
async fn wait_for_reply(
    app: &Shared,
    mut reply: tokio::sync::oneshot::Receiver<String>,
    key: &str,
    message_id: &str,
    limit: Duration,
) -> Result<Option<String>, Response> {
    let deadline = tokio::time::Instant::now() + limit;
    let mut heard = true;
    loop {
        let (key, message_id) = (key.to_string(), message_id.to_string());
        let stored = match app
            .blocking(move |e| e.store.message(&key, &message_id))
            .await?
        {
            Ok(found) => found.and_then(|it| it.reply),
            Err(reason) => return Err(unavailable(app, "reading the reply", reason)),
        };
        if stored.is_some() {
            return Ok(stored);
        }
        let tick = (tokio::time::Instant::now() + REPLY_POLL).min(deadline);
        if heard {
            tokio::select! {
                got = &mut reply => match got {
                    Ok(text) => return Ok(Some(text)),
                    // Dropped unanswered: only the store can tell from now on.
                    Err(_) => heard = false,
                },
                _ = tokio::time::sleep_until(tick) => {}
            }
        } else {
            tokio::time::sleep_until(tick).await;
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
    }
}

pub async fn get_conversation(
    _: ApiCaller,
    State(app): State<Shared>,
    Path(key): Path<String>,
) -> Response {
    let found = app
        .blocking(move |e| -> Result<Option<serde_json::Value>, String> {
            let Some(c) = e.store.conversation(&key).map_err(|it| it.to_string())? else {
                return Ok(None);
            };
            let mut state = json!({
                "key": c.key,
                "wait": c.status.name(),
                "program": format!("{:016x}", c.program),
                "version": c.version,
                "channel": c.channel,
                "contact": mask(&c.contact),
            });
            if !c.ending.is_empty() {
                state["ending"] = json!(mask(&c.ending));
            }
            if !c.status.is_final() {
                let program = e.program(c.program).map_err(|it| it.to_string())?;
                if let Ok(session) = Session::restore(&c.snapshot, &program) {
                    let pc = session.pc();
                    if let Some(flow) = program
                        .flow_at(pc)
                        .and_then(|idx| program.flows.get(idx as usize))
                        .and_then(|flow| program.string(flow.name))
                    {
                        state["flow"] = json!(flow);
                    }
                    if let Some(location) = program.location(pc) {
                        state["file"] = json!(location.file);
                        state["line"] = json!(location.line);
                    }
                    let mut variables = serde_json::Map::new();
                    for var in program.vars.iter().filter(|it| !it.builtin) {
                        let Some(name) = program.string(var.name) else {
                            continue;
                        };
                        if let Some(value) = session.var(&program, name) {
                            variables.insert(name.to_string(), json!(mask(&value.display())));
                        }
                    }
                    state["variables"] = serde_json::Value::Object(variables);
                }
            }
            Ok(Some(state))
        })
        .await;
    match found {
        Ok(Ok(Some(state))) => axum::Json(state).into_response(),
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, "no such conversation"),
        Ok(Err(reason)) => unavailable(&app, "reading the conversation", reason),
        Err(response) => response,
    }
}

pub async fn get_transcript(
    _: ApiCaller,
    State(app): State<Shared>,
    Path(key): Path<String>,
) -> Response {
    let found = app
        .blocking(move |e| -> Result<Option<Vec<String>>, String> {
            let lines = e.store.transcript(&key).map_err(|it| it.to_string())?;
            if lines.is_empty()
                && e.store
                    .conversation(&key)
                    .map_err(|it| it.to_string())?
                    .is_none()
            {
                let pending = e.store.pending(&key).map_err(|it| it.to_string())?;
                if pending.is_empty() {
                    return Ok(None);
                }
            }
            Ok(Some(lines))
        })
        .await;
    match found {
        Ok(Ok(Some(lines))) => {
            let mut text = lines.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
        }
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, "no such conversation"),
        Ok(Err(reason)) => unavailable(&app, "reading the transcript", reason),
        Err(response) => response,
    }
}

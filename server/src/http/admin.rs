//! The admin API, behind its own bearer token (`[server] admin_token_env`; without
//! one it answers 404 as if absent): publish a program version (`.fxb` bytes), list
//! conversations, end one, erase a contact with every stored message, snapshot,
//! transcript line, delivery and stat of theirs (LGPD), and the operator report of a
//! period.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{error, unavailable, AdminCaller, Shared};
use crate::engine::now_ms;
use crate::report::{parse_instant, Report};
use crate::store::Status;

pub async fn publish(_: AdminCaller, State(app): State<Shared>, body: Bytes) -> Response {
    match app.blocking(move |e| e.publish(&body)).await {
        Ok(Ok(hash)) => {
            app.engine
                .log
                .info(None, &format!("published program {hash:016x}"));
            (
                StatusCode::CREATED,
                axum::Json(json!({"program": format!("{hash:016x}")})),
            )
                .into_response()
        }
        Ok(Err(reason)) => error(StatusCode::BAD_REQUEST, reason.to_string()),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

pub async fn list(
    _: AdminCaller,
    State(app): State<Shared>,
    Query(query): Query<ListQuery>,
) -> Response {
    let status = match query.status.as_deref().map(Status::from_name) {
        None => None,
        Some(Some(status)) => Some(status),
        Some(None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "`status` is one of customer timer write done failed",
            )
        }
    };
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let after = query.after;
    let found = app
        .blocking(move |e| e.store.conversations(status, after.as_deref(), limit))
        .await;
    match found {
        Ok(Ok(rows)) => {
            let rows: Vec<_> = rows
                .into_iter()
                .map(|it| {
                    json!({
                        "key": it.key,
                        "wait": it.status.name(),
                        "program": format!("{:016x}", it.program),
                        "channel": it.channel,
                        "updated": it.updated,
                    })
                })
                .collect();
            axum::Json(json!({"conversations": rows})).into_response()
        }
        Ok(Err(reason)) => unavailable(&app, "listing conversations", reason),
        Err(response) => response,
    }
}

/// How long an operator's ending waits for the conversation's worker: past it, another
/// process still holds the conversation (a turn on a slow ERP, say).
const END_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn end(_: AdminCaller, State(app): State<Shared>, Path(key): Path<String>) -> Response {
    let what = "ending the conversation";
    match tokio::time::timeout(END_WAIT, app.engine.end_by_operator(&key)).await {
        Ok(Ok(Ok(true))) => axum::Json(json!({"ended": true})).into_response(),
        Ok(Ok(Ok(false))) => error(StatusCode::NOT_FOUND, "no live conversation with this key"),
        Ok(Ok(Err(reason))) => unavailable(&app, what, reason),
        Ok(Err(_)) => unavailable(&app, what, "its worker stopped on an earlier failure"),
        Err(_) => unavailable(
            &app,
            what,
            "another process still runs the conversation; the ending stays queued here",
        ),
    }
}

pub async fn erase(
    _: AdminCaller,
    State(app): State<Shared>,
    Path(contact): Path<String>,
) -> Response {
    match app.blocking(move |e| e.store.erase_contact(&contact)).await {
        Ok(Ok(n)) => {
            app.engine
                .log
                .info(None, &format!("erased a contact and {n} conversations"));
            axum::Json(json!({"erased_conversations": n})).into_response()
        }
        Ok(Err(reason)) => unavailable(&app, "erasing the contact", reason),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
pub struct ReportQuery {
    since: Option<String>,
    until: Option<String>,
}

pub async fn report(
    _: AdminCaller,
    State(app): State<Shared>,
    Query(query): Query<ReportQuery>,
) -> Response {
    let instant = |given: Option<String>, default: i64| match given {
        None => Ok(default),
        Some(text) => parse_instant(&text).ok_or(text),
    };
    let (since, until) = match (instant(query.since, 0), instant(query.until, now_ms())) {
        (Ok(since), Ok(until)) => (since, until),
        (Err(text), _) | (_, Err(text)) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("`{text}` is neither an RFC 3339 instant nor a date (2026-11-23)"),
            )
        }
    };
    match app
        .blocking(move |e| Report::read(e.store.as_ref(), since, until))
        .await
    {
        Ok(Ok(report)) => axum::Json(report).into_response(),
        Ok(Err(reason)) => unavailable(&app, "reading the report", reason),
        Err(response) => response,
    }
}

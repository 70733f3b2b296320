//! The HTTP surface: the generic channel (`api`), the admin API (`admin`), and
//! health, readiness, metrics and the OpenAPI document (`ops`); the platform channels'
//! webhooks are `crate::channels`' routes, merged in here. This module builds the
//! router and owns what the handlers share: bearer-token checks, JSON errors, the
//! per-conversation rate limit and running blocking store calls off the async threads.

mod admin;
mod api;
mod ops;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::json;

use crate::engine::Engine;

/// What every handler gets.
pub struct App {
    pub engine: Arc<Engine>,
    /// Conversation key → (minute, messages in it), for `messages_per_minute`.
    rate: Mutex<HashMap<String, (i64, u32)>>,
}

type Shared = Arc<App>;

pub fn router(engine: Arc<Engine>) -> Router {
    let limit = engine.settings.max_body_bytes;
    let app = Arc::new(App {
        engine,
        rate: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/v1/conversations/{key}/messages", post(api::post_message))
        .route("/v1/conversations/{key}", get(api::get_conversation))
        .route(
            "/v1/conversations/{key}/transcript",
            get(api::get_transcript),
        )
        .route("/v1/openapi.json", get(ops::openapi))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/v1/admin/programs", post(admin::publish))
        .route("/v1/admin/conversations", get(admin::list))
        .route("/v1/admin/conversations/{key}/end", post(admin::end))
        .route("/v1/admin/contacts/{contact}", delete(admin::erase))
        .merge(crate::channels::whatsapp::routes())
        .merge(crate::channels::telegram::routes())
        .route("/v1/admin/report", get(admin::report))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app)
}

/// A JSON error body `{"error": message}` with `status`.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

/// Whether the request carries `Authorization: Bearer <token>`; always true without
/// a token. The comparison takes the same time wherever the strings differ.
fn authorized(headers: &HeaderMap, token: Option<&str>) -> bool {
    let Some(token) = token else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|it| it.to_str().ok())
        .and_then(|it| it.strip_prefix("Bearer "))
        .unwrap_or("");
    constant_time_eq(given.as_bytes(), token.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A request that carried the generic API's token, or needed none: an extractor,
/// so a handler without it cannot be written by mistake.
pub struct ApiCaller;

impl FromRequestParts<Shared> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Self, Response> {
        if authorized(&parts.headers, app.engine.settings.api_token.as_deref()) {
            Ok(ApiCaller)
        } else {
            Err(unauthorized())
        }
    }
}

/// A request that carried the admin token. Without an admin token configured the
/// admin API answers 404.
pub struct AdminCaller;

impl FromRequestParts<Shared> for AdminCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Self, Response> {
        let Some(token) = app.engine.settings.admin_token.as_deref() else {
            return Err(error(
                StatusCode::NOT_FOUND,
                "the admin API is off: set `admin_token_env` in the [server] table",
            ));
        };
        if authorized(&parts.headers, Some(token)) {
            Ok(AdminCaller)
        } else {
            Err(unauthorized())
        }
    }
}

fn unauthorized() -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, "a valid bearer token is required");
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

impl App {
    /// Counts a message for `key`; false when it is over the minute's limit.
    fn within_rate(&self, key: &str) -> bool {
        let minute = crate::engine::now_ms() / 60_000;
        let limit = self.engine.settings.messages_per_minute;
        let mut rate = self.rate.lock().unwrap_or_else(|it| it.into_inner());
        if rate.len() > 100_000 {
            rate.retain(|_, (at, _)| *at == minute);
        }
        let entry = rate.entry(key.to_string()).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }

    /// Runs a blocking call (the store, the engine) off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Engine) -> T + Send + 'static,
    ) -> Result<T, Response> {
        let engine = Arc::clone(&self.engine);
        tokio::task::spawn_blocking(move || f(&engine))
            .await
            .map_err(|e| {
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the task failed: {e}"),
                )
            })
    }
}

/// A store failure as a 503 (the client may retry), logged.
fn unavailable(app: &App, what: &str, reason: impl std::fmt::Display) -> Response {
    app.engine.log.error(None, &format!("{what}: {reason}"));
    error(StatusCode::SERVICE_UNAVAILABLE, format!("{what}: {reason}"))
}

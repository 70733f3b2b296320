//! Health (`/healthz`: the process answers), readiness (`/readyz`: the store answers),
//! `/metrics` in the Prometheus text format, and the OpenAPI document that is the
//! generic API's contract.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{error, Shared};

/// The generic and admin APIs' contract; the tests validate responses against it.
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(app): State<Shared>) -> Response {
    match app.blocking(|e| e.store.waiting()).await {
        Ok(Ok(_)) => "ready\n".into_response(),
        Ok(Err(reason)) => error(StatusCode::SERVICE_UNAVAILABLE, reason.to_string()),
        Err(response) => response,
    }
}

pub async fn metrics(State(app): State<Shared>) -> Response {
    let waiting = match app.blocking(|e| e.store.waiting()).await {
        Ok(Ok(n)) => n,
        _ => 0,
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.engine.metrics.render(waiting),
    )
        .into_response()
}

//! OAuth 2 bearer tokens from a token endpoint (RFC 6749 sections 4.3 and 4.4), for
//! the ERPs that issue them: Hubsoft (password grant, JSON body) and Synsuite
//! (client-credentials grant, form body). The grant's parameters differ per ERP; the
//! exchange, the reading of the answer and the token's lifetime do not, so they live
//! here once, on top of `TokenCache`.

use std::future::Future;
use std::time::Duration;

use fluxo_stdlib::erp::ErpSystem;
use reqwest::Method;
use serde_json::{Map, Value};

use crate::erp::http::json::{first_text, text};
use crate::erp::http::{short_message, Http, Reply, TokenCache};
use crate::erp::{ErpError, Secret};

/// How the grant's parameters travel: the RFC says form-encoded, some ERPs want JSON.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Encoding {
    Json,
    Form,
}

/// One ERP's token endpoint and grant, with the token it issued last.
pub(crate) struct OAuth {
    system: ErpSystem,
    /// A path under the ERP's base URL, or an absolute URL on another port or host.
    url: String,
    encoding: Encoding,
    /// `grant_type` and the credentials it needs; all wrapped, since most are secret.
    grant: Vec<(&'static str, Secret)>,
    tokens: TokenCache,
}

impl OAuth {
    pub fn new(
        system: ErpSystem,
        url: impl Into<String>,
        encoding: Encoding,
        grant: Vec<(&'static str, Secret)>,
    ) -> OAuth {
        OAuth {
            system,
            url: url.into(),
            encoding,
            grant,
            tokens: TokenCache::default(),
        }
    }

    /// Runs `op` with the bearer token, logging in first when there is none or it
    /// expired, and once more when the ERP refuses it (`ErpError::Auth`).
    pub async fn with_token<T, O, OF>(&self, http: &Http, op: O) -> Result<T, ErpError>
    where
        O: Fn(Secret) -> OF,
        OF: Future<Output = Result<T, ErpError>>,
    {
        self.tokens.with_token(|| self.login(http), op).await
    }

    async fn login(&self, http: &Http) -> Result<(Secret, Option<Duration>), ErpError> {
        let builder = http.request(Method::POST, &self.url);
        let builder = match self.encoding {
            Encoding::Json => {
                let body: Map<String, Value> = self
                    .grant
                    .iter()
                    .map(|(key, value)| ((*key).to_string(), Value::from(value.expose())))
                    .collect();
                builder.json(&body)
            }
            Encoding::Form => {
                let form: Vec<(&str, &str)> = self
                    .grant
                    .iter()
                    .map(|(key, value)| (*key, value.expose()))
                    .collect();
                builder.form(&form)
            }
        };
        let (status, body) = http.exchange(builder).await?;
        let value = match status {
            200..=299 => Reply { body }.json()?,
            _ => return Err(refused_grant(status, &body)),
        };
        let token = text(&value, "access_token").ok_or_else(|| ErpError::Auth {
            detail: first_text(&value, &["error_description", "message", "error"])
                .unwrap_or_else(|| format!("{} issued no access_token", self.system.title())),
        })?;
        let lifetime = value
            .get("expires_in")
            .and_then(Value::as_u64)
            .map(Duration::from_secs);
        Ok((Secret::new(token), lifetime))
    }
}

/// A token endpoint's refusal. RFC 6749 section 5.2 answers a wrong client or
/// password with HTTP 400 (401 for some client failures) and an `error` code: the
/// credential codes are `Auth`. A 400 without one (a malformed request, a route that
/// moved) says nothing about the credentials and stays `Http`, like any other status.
fn refused_grant(status: u16, body: &[u8]) -> ErpError {
    let code = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|value| text(&value, "error"));
    let credentials = matches!(
        code.as_deref(),
        Some("invalid_grant" | "invalid_client" | "unauthorized_client")
    );
    let detail = short_message(body).trim_start_matches(": ").to_string();
    if matches!(status, 401 | 403) || (status == 400 && credentials) {
        ErpError::Auth {
            detail: format!("HTTP {status}: {detail}"),
        }
    } else {
        ErpError::Http { status, detail }
    }
}

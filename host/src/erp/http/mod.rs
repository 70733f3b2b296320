//! What every HTTP ERP client shares: building the reqwest client from
//! `HttpSettings`, sending a request and turning transport failures and HTTP
//! statuses into `ErpError`s, reading JSON bodies, a cache for tokens that
//! expire, and OAuth token endpoints on top of it.
//!
//! It knows nothing of any one ERP's routes or body shapes; those live in the
//! adapter modules, which detect business errors inside HTTP 200 bodies themselves.

pub(crate) mod json;
mod oauth;
mod token;

use std::time::Duration;

use base64::Engine;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;

pub(crate) use oauth::{Encoding, OAuth};
pub(crate) use token::TokenCache;

use crate::erp::Contract;
use crate::erp::{ErpError, Missing, Response};

/// How to reach an ERP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    /// The tenant's base URL, `https://erp.provedor.com.br` (a path prefix is kept).
    pub base_url: String,
    /// The limit for one HTTP exchange, connection included.
    pub timeout: Duration,
    /// For on-premises ERPs with self-signed certificates (IXC's own clients offer
    /// this switch). Off by default.
    pub accept_invalid_certs: bool,
}

impl HttpSettings {
    pub fn new(base_url: impl Into<String>) -> HttpSettings {
        HttpSettings {
            base_url: base_url.into(),
            timeout: Duration::from_secs(10),
            accept_invalid_certs: false,
        }
    }
}

/// An HTTP client bound to one ERP's base URL.
pub(crate) struct Http {
    client: reqwest::Client,
    base_url: String,
    timeout: Duration,
}

/// A received answer with a success (2xx) status.
pub(crate) struct Reply {
    pub body: Vec<u8>,
}

impl Http {
    pub fn new(settings: &HttpSettings) -> Result<Http, ErpError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .cookie_store(true)
            .danger_accept_invalid_certs(settings.accept_invalid_certs)
            .user_agent(concat!("fluxo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ErpError::Unavailable {
                detail: format!("cannot build the HTTP client: {error}"),
            })?;
        Ok(Http {
            client,
            base_url: settings.base_url.trim_end_matches('/').to_string(),
            timeout: settings.timeout,
        })
    }

    /// `path` is joined to the base URL; an absolute `http(s)://` URL is used as is.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}/{}", self.base_url, path.trim_start_matches('/'))
        };
        self.client.request(method, url)
    }

    /// Sends and returns the status and body, whatever the status; only a transport
    /// failure is an error.
    pub async fn exchange(&self, builder: RequestBuilder) -> Result<(u16, Vec<u8>), ErpError> {
        let response = builder
            .send()
            .await
            .map_err(|error| self.transport(&error))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|error| self.transport(&error))?
            .to_vec();
        Ok((status, body))
    }

    /// Sends and checks the status: 401 and 403 are `Auth`, other non-2xx `Http`.
    pub async fn send(&self, builder: RequestBuilder) -> Result<Reply, ErpError> {
        let (status, body) = self.exchange(builder).await?;
        match status {
            200..=299 => Ok(Reply { body }),
            401 | 403 => Err(ErpError::Auth {
                detail: format!("HTTP {status}{}", short_message(&body)),
            }),
            _ => Err(ErpError::Http {
                status,
                detail: short_message(&body).trim_start_matches(": ").to_string(),
            }),
        }
    }

    /// Sends and reads the body as JSON.
    pub async fn json(&self, builder: RequestBuilder) -> Result<Value, ErpError> {
        self.send(builder).await?.json()
    }

    fn transport(&self, error: &reqwest::Error) -> ErpError {
        if error.is_timeout() {
            ErpError::Timeout {
                after_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            }
        } else if error.is_connect() {
            ErpError::Unavailable {
                detail: "cannot connect to the ERP".into(),
            }
        } else {
            ErpError::Unavailable {
                detail: format!("HTTP exchange failed: {}", without_url(error)),
            }
        }
    }
}

impl Reply {
    pub fn json(&self) -> Result<Value, ErpError> {
        serde_json::from_slice(&self.body).map_err(|error| {
            ErpError::malformed(format!(
                "expected JSON, got {} bytes that are not ({error})",
                self.body.len()
            ))
        })
    }

    /// A document returned in the body: raw PDF bytes (`%PDF`), or base64 text
    /// (possibly a JSON string), as ERPs do when asked for `base64`. Returns base64.
    pub fn document_base64(&self) -> Option<String> {
        let engine = &base64::engine::general_purpose::STANDARD;
        if self.body.starts_with(b"%PDF") {
            return Some(engine.encode(&self.body));
        }
        let text = std::str::from_utf8(&self.body).ok()?.trim();
        let text = serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_string());
        let compact: String = text.chars().filter(|it| !it.is_whitespace()).collect();
        let decoded = engine.decode(compact.as_bytes()).ok()?;
        decoded
            .starts_with(b"%PDF")
            .then(|| engine.encode(&decoded))
    }
}

/// The contracts an ERP listed for a customer. `Response::Contracts` is never empty:
/// a customer without one is `not_found`, which the card treats like a wrong document.
pub(crate) fn contracts_found(contracts: Vec<Contract>) -> Result<Response, ErpError> {
    if contracts.is_empty() {
        return Err(ErpError::not_found(Missing::Contract));
    }
    Ok(Response::Contracts { contracts })
}

/// A value that goes into a URL path: anything but letters, digits, `.`, `_` and
/// `-` is percent-encoded.
pub(crate) fn path_segment(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'_' | b'-' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// The first words of an error body, for diagnostics: the `message`/`msg`/`mensagem`
/// of a JSON body when there is one, never the raw body (it may hold personal data).
pub(crate) fn short_message(body: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return String::new();
    };
    [
        "message",
        "msg",
        "mensagem",
        "Mensagem",
        "error_description",
        "error",
    ]
    .iter()
    .find_map(|key| value.get(key).and_then(Value::as_str))
    .map(|it| format!(": {}", it.chars().take(200).collect::<String>()))
    .unwrap_or_default()
}

/// reqwest's error text without the URL, which may carry credentials in its query.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "<url>");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_path_segments() {
        assert_eq!(path_segment("ana.souza"), "ana.souza");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }
}

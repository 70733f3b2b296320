//! The generic HTTP adapter, for ERPs with no public API Fluxo knows (Beesweb, ERP
//! Adapter, Controllr, RouterBox's missing services, Sami): each operation is mapped,
//! in `fluxo.toml`, to an endpoint (method, path template, body template) and its
//! answer to fields by JSON pointers, with conditions that recognise "not found" and
//! "refused" bodies. No code per ERP; docs/erp.md documents the format.

mod actions;
mod template;

use std::collections::BTreeMap;

use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use self::actions::Call;
use self::template::{fill, names_for, placeholders, Target, NAMES};
use crate::erp::adapter::unsupported;
use crate::erp::http::json::{date, date_in, scalar, text_at};
use crate::erp::http::Http;
use crate::erp::Named;
use crate::erp::{ErpError, HttpSettings, Refusal, Secret};

/// The `[erp.generic]` table.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenericConfig {
    /// A condition on any answer that marks it as the ERP's own error.
    #[serde(default)]
    pub error: Option<Condition>,
    /// The ERP's status words → diagnosis names (`"Bloqueado" = "blocked"`).
    #[serde(default)]
    pub statuses: BTreeMap<String, String>,
    /// Operation name (`second_copy`, ...) → endpoint.
    #[serde(default)]
    pub endpoints: BTreeMap<String, GenericEndpoint>,
}

/// One operation's HTTP call and how to read its answer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenericEndpoint {
    #[serde(default = "default_method")]
    pub method: String,
    /// Joined to the base URL; `{placeholders}` are percent-encoded.
    pub path: String,
    /// A JSON body template; `{placeholders}` are JSON-escaped (write the quotes).
    #[serde(default)]
    pub body: Option<String>,
    /// Sends the body (a flat JSON object once filled) form-encoded instead of JSON.
    #[serde(default)]
    pub form: bool,
    /// JSON pointer to the array of results, for operations that read lists (and,
    /// optionally, lookups that answer a list of one).
    #[serde(default)]
    pub items: Option<String>,
    /// Output field → JSON pointer, relative to each item (or to the answer).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub not_found_when: Option<Condition>,
    #[serde(default)]
    pub refused_when: Option<Condition>,
}

impl GenericEndpoint {
    /// The text of output field `name` in `item`, when configured and present.
    fn field(&self, item: &Value, name: &str) -> Option<String> {
        self.fields
            .get(name)
            .and_then(|pointer| text_at(item, pointer))
    }

    /// The raw value of output field `name`, for fields that are not text (amounts,
    /// phone lists).
    fn value<'a>(&self, item: &'a Value, name: &str) -> Option<&'a Value> {
        self.fields
            .get(name)
            .and_then(|pointer| item.pointer(pointer))
    }
}

fn default_method() -> String {
    "GET".into()
}

/// A test on an answer: the value at `pointer` equals one of `equals`, or, with no
/// `equals`, is present and neither `null`, `false`, `0` nor `""`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub pointer: String,
    #[serde(default)]
    pub equals: Vec<String>,
    /// Pointer to the ERP's message, kept as the error's detail.
    #[serde(default)]
    pub message: Option<String>,
    /// For `refused_when`: the refusal's name (`trust_unlock_used`, ...); `other`
    /// when absent.
    #[serde(default)]
    pub reason: Option<String>,
    /// For `refused_when`: pointer to the next allowed date (else one is looked for in
    /// the message).
    #[serde(default)]
    pub next_allowed: Option<String>,
}

/// Credentials of the generic adapter, resolved from the environment.
#[derive(Clone, Debug)]
pub enum GenericAuth {
    None,
    Bearer(Secret),
    Basic { user: String, password: Secret },
    Header { name: String, value: Secret },
    Query { name: String, value: Secret },
}

/// Which output fields each operation needs (the rest are optional).
const REQUIRED: &[(&str, &[&str])] = &[
    ("find_customer_by_document", &["id"]),
    ("find_customer_by_phone", &["id"]),
    ("list_contracts", &["id"]),
    ("second_copy", &["id", "due_date", "amount"]),
    ("invoice", &["number", "pdf_url"]),
    ("trust_unlock", &[]),
    ("release_speed", &[]),
    ("diagnose", &["status"]),
    ("contract_document", &["pdf_url"]),
    ("sign_contract", &[]),
    ("ticket_departments", &["id", "name"]),
    ("ticket_subjects", &["id", "name"]),
    ("open_ticket", &["protocol"]),
    ("authenticate", &[]),
    ("wifi_password", &[]),
];

pub struct GenericHttpErp {
    http: Http,
    system: ErpSystem,
    config: GenericConfig,
    auth: GenericAuth,
    statuses: Vec<(String, Diagnosis)>,
    unlock_days: u8,
}

impl GenericHttpErp {
    /// Checks the configuration (operation names, required fields, placeholders,
    /// methods, status names) and builds the adapter. The error text names the
    /// offending key.
    pub fn new(
        settings: &HttpSettings,
        system: ErpSystem,
        config: GenericConfig,
        auth: GenericAuth,
        unlock_days: u8,
    ) -> Result<GenericHttpErp, String> {
        for (op, endpoint) in &config.endpoints {
            let required = REQUIRED
                .iter()
                .find(|(name, _)| name == op)
                .map(|(_, fields)| *fields)
                .ok_or_else(|| {
                    let known: Vec<&str> = REQUIRED.iter().map(|(name, _)| *name).collect();
                    format!(
                        "endpoints.{op}: unknown operation; known: {}",
                        known.join(", ")
                    )
                })?;
            for field in required {
                if !endpoint.fields.contains_key(*field) {
                    return Err(format!("endpoints.{op}.fields: `{field}` is required"));
                }
            }
            let templates = std::iter::once(&endpoint.path).chain(endpoint.body.as_ref());
            for name in templates.flat_map(|it| placeholders(it)) {
                if !names_for(op).contains(&name) {
                    let hint = if NAMES.contains(&name) {
                        "not available to this operation"
                    } else {
                        "unknown"
                    };
                    return Err(format!("endpoints.{op}: placeholder {{{name}}} is {hint}"));
                }
            }
            method(&endpoint.method).ok_or_else(|| {
                format!(
                    "endpoints.{op}.method: unknown HTTP method {:?}",
                    endpoint.method
                )
            })?;
            if let Some(name) = endpoint
                .refused_when
                .as_ref()
                .and_then(|it| it.reason.as_deref())
            {
                refusal(name).ok_or_else(|| {
                    format!("endpoints.{op}.refused_when.reason: {name:?} is not a refusal")
                })?;
            }
            for pointer in endpoint.fields.values().chain(endpoint.items.as_ref()) {
                if !pointer.is_empty() && !pointer.starts_with('/') {
                    return Err(format!(
                        "endpoints.{op}: {pointer:?} is not a JSON pointer (they start with /)"
                    ));
                }
            }
        }
        let mut statuses = Vec::with_capacity(config.statuses.len());
        for (word, name) in &config.statuses {
            let diagnosis = Diagnosis::from_name(name)
                .ok_or_else(|| format!("statuses.{word:?}: {name:?} is not a diagnosis"))?;
            statuses.push((word.clone(), diagnosis));
        }
        let http = Http::new(settings).map_err(|error| error.to_string())?;
        Ok(GenericHttpErp {
            http,
            system,
            config,
            auth,
            statuses,
            unlock_days,
        })
    }

    /// Sends the call to its configured endpoint (`key`, the operation's name but
    /// for the two lists behind `list_ticket_options`); an operation without one is
    /// `unsupported`.
    async fn answer(&self, key: &str, call: &Call) -> Result<(&GenericEndpoint, Value), ErpError> {
        let endpoint = self
            .config
            .endpoints
            .get(key)
            .ok_or_else(|| unsupported(self.system, call.operation))?;
        let answer = self.exchange(endpoint, call).await?;
        Ok((endpoint, answer))
    }

    async fn named_list(&self, key: &str, call: &Call) -> Result<Vec<Named>, ErpError> {
        let (endpoint, answer) = self.answer(key, call).await?;
        Ok(self
            .items(endpoint, &answer)?
            .iter()
            .filter_map(|item| {
                Some(Named {
                    id: endpoint.field(item, "id")?,
                    name: endpoint.field(item, "name")?,
                })
            })
            .collect())
    }

    /// Sends the filled request and applies the error, not-found and refusal tests.
    async fn exchange(&self, endpoint: &GenericEndpoint, call: &Call) -> Result<Value, ErpError> {
        let values = &call.values;
        let path = fill(&endpoint.path, values, Target::Path);
        let method = method(&endpoint.method).unwrap_or(Method::GET);
        let mut builder = self.http.request(method, &path);
        builder = match &self.auth {
            GenericAuth::None => builder,
            GenericAuth::Bearer(token) => builder.bearer_auth(token.expose()),
            GenericAuth::Basic { user, password } => {
                builder.basic_auth(user, Some(password.expose()))
            }
            GenericAuth::Header { name, value } => builder.header(name.as_str(), value.expose()),
            GenericAuth::Query { name, value } => builder.query(&[(name.as_str(), value.expose())]),
        };
        if let Some(body) = &endpoint.body {
            let filled = fill(body, values, Target::Json);
            let body: Value = serde_json::from_str(&filled).map_err(|error| {
                ErpError::failed(format!(
                    "the configured body of {} is not JSON once filled: {error}",
                    call.operation
                ))
            })?;
            builder = if endpoint.form {
                let fields: Vec<(String, String)> = body
                    .as_object()
                    .map(|map| {
                        map.iter()
                            .map(|(key, value)| (key.clone(), scalar(value).unwrap_or_default()))
                            .collect()
                    })
                    .unwrap_or_default();
                builder.form(&fields)
            } else {
                builder.json(&body)
            };
        }
        let reply = self.http.send(builder).await?;
        let answer = if reply.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            reply.json()?
        };
        if let Some(error) = &self.config.error {
            if holds(error, &answer) {
                return Err(ErpError::failed(message(error, &answer)));
            }
        }
        if let Some(condition) = &endpoint.not_found_when {
            if holds(condition, &answer) {
                return Err(ErpError::not_found(call.missing));
            }
        }
        if let Some(condition) = &endpoint.refused_when {
            if holds(condition, &answer) {
                let detail = message(condition, &answer);
                let next_allowed = condition
                    .next_allowed
                    .as_ref()
                    .and_then(|pointer| text_at(&answer, pointer))
                    .and_then(|it| date(&it))
                    .or_else(|| date_in(&detail));
                return Err(ErpError::Refused {
                    reason: condition
                        .reason
                        .as_deref()
                        .and_then(refusal)
                        .unwrap_or(Refusal::Other),
                    detail,
                    next_allowed,
                });
            }
        }
        Ok(answer)
    }

    fn items<'a>(
        &self,
        endpoint: &GenericEndpoint,
        answer: &'a Value,
    ) -> Result<&'a [Value], ErpError> {
        let list = match &endpoint.items {
            Some(pointer) => answer.pointer(pointer),
            None => Some(answer),
        };
        match list {
            Some(Value::Array(items)) => Ok(items),
            None | Some(Value::Null) => Ok(&[]),
            Some(_) => Err(ErpError::malformed(
                "the configured items pointer does not lead to an array",
            )),
        }
    }

    fn first_item<'a>(&self, endpoint: &GenericEndpoint, answer: &'a Value) -> Option<&'a Value> {
        match &endpoint.items {
            Some(pointer) => answer.pointer(pointer)?.as_array()?.first(),
            None => (!answer.is_null()).then_some(answer),
        }
    }

    fn status(&self, word: Option<String>) -> Result<Diagnosis, ErpError> {
        let word = word.unwrap_or_default();
        self.statuses
            .iter()
            .find(|(it, _)| *it == word)
            .or_else(|| {
                self.statuses
                    .iter()
                    .find(|(it, _)| it.eq_ignore_ascii_case(&word))
            })
            .map(|(_, diagnosis)| *diagnosis)
            .ok_or_else(|| {
                ErpError::malformed(format!("status {word:?} is not in the configured statuses"))
            })
    }
}

fn method(name: &str) -> Option<Method> {
    match name.to_ascii_uppercase().as_str() {
        "GET" => Some(Method::GET),
        "POST" => Some(Method::POST),
        "PUT" => Some(Method::PUT),
        "PATCH" => Some(Method::PATCH),
        "DELETE" => Some(Method::DELETE),
        _ => None,
    }
}

fn holds(condition: &Condition, answer: &Value) -> bool {
    let Some(value) = answer.pointer(&condition.pointer) else {
        return false;
    };
    if condition.equals.is_empty() {
        return match value {
            Value::Null | Value::Bool(false) => false,
            Value::String(text) => !text.is_empty(),
            Value::Number(number) => number.as_f64() != Some(0.0),
            _ => true,
        };
    }
    scalar(value).is_some_and(|it| condition.equals.contains(&it))
}

fn message(condition: &Condition, answer: &Value) -> String {
    condition
        .message
        .as_ref()
        .and_then(|pointer| text_at(answer, pointer))
        .unwrap_or_default()
}

/// A refusal by its serialised name (`trust_unlock_used`, ...).
fn refusal(name: &str) -> Option<Refusal> {
    serde_json::from_value(Value::String(name.to_string())).ok()
}

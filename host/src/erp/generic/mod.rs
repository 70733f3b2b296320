//! The generic HTTP adapter, for ERPs with no public API Fluxo knows (Beesweb, ERP
//! Adapter, Controllr, RouterBox's missing services, Sami): each operation is mapped,
//! in `fluxo.toml`, to an endpoint (method, path template, body template) and its
//! answer to fields by JSON pointers, with conditions that recognise "not found" and
//! "refused" bodies. No code per ERP; docs/erp.md documents the format.

mod template;

use std::collections::BTreeMap;

use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use time::Duration;

use self::template::{fill, names_for, placeholders, values, Target, NAMES};
use crate::erp::http::json::{cents, date, date_in, linha, phone, scalar, text_at};
use crate::erp::http::Http;
use crate::erp::{
    ensure_offered, today_in_brasilia, unsupported, wire, ErpAdapter, ErpError, ErpFuture,
    HttpSettings, Missing, Refusal, Request, Response, Secret,
};
use crate::erp::{Attachment, Bill, Contract, Customer, Invoice, Named};

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

    async fn dispatch(&self, request: Request) -> Result<Response, ErpError> {
        ensure_offered(self.system, &request)?;
        if let Request::ListTicketOptions = request {
            let departments = self.named_list("ticket_departments", &request).await?;
            let subjects = self.named_list("ticket_subjects", &request).await?;
            return Ok(Response::TicketOptions {
                departments,
                subjects,
            });
        }
        let op = request.op();
        let endpoint = self.endpoint(op, &request)?;
        let answer = self.exchange(endpoint, &request).await?;
        let missing = missing_of(&request);
        let field = |item: &Value, name: &str| -> Option<String> {
            endpoint
                .fields
                .get(name)
                .and_then(|pointer| text_at(item, pointer))
        };
        match &request {
            Request::FindCustomerByDocument { .. } | Request::FindCustomerByPhone { .. } => {
                let item = self
                    .first_item(endpoint, &answer)
                    .ok_or(ErpError::not_found(missing))?;
                let id = field(item, "id").ok_or(ErpError::not_found(missing))?;
                let phones = endpoint
                    .fields
                    .get("phones")
                    .and_then(|pointer| item.pointer(pointer))
                    .map(|value| match value {
                        Value::Array(items) => items
                            .iter()
                            .filter_map(scalar)
                            .map(|it| phone(&it))
                            .collect(),
                        other => scalar(other).map(|it| vec![phone(&it)]).unwrap_or_default(),
                    })
                    .unwrap_or_default();
                Ok(Response::Customer(Customer {
                    id,
                    name: field(item, "name").unwrap_or_default(),
                    document: field(item, "document")
                        .map(|it| it.chars().filter(char::is_ascii_alphanumeric).collect())
                        .unwrap_or_default(),
                    phones,
                }))
            }
            Request::ListContracts { .. } => {
                let mut contracts = Vec::new();
                for item in self.items(endpoint, &answer)? {
                    let Some(id) = field(item, "id") else {
                        continue;
                    };
                    contracts.push(Contract {
                        plan: field(item, "plan").unwrap_or_else(|| format!("Contrato {id}")),
                        address: field(item, "address").unwrap_or_default(),
                        status: self.status(field(item, "status"))?,
                        id,
                    });
                }
                if contracts.is_empty() {
                    return Err(ErpError::not_found(missing));
                }
                Ok(Response::Contracts { contracts })
            }
            Request::SecondCopy { .. } => {
                let mut bills = Vec::new();
                for item in self.items(endpoint, &answer)? {
                    let id = field(item, "id").ok_or(ErpError::malformed("a bill without id"))?;
                    bills.push(Bill {
                        due_date: field(item, "due_date")
                            .and_then(|it| date(&it))
                            .ok_or_else(|| {
                                ErpError::malformed(format!("bill {id}: no readable due_date"))
                            })?,
                        amount_cents: endpoint
                            .fields
                            .get("amount")
                            .and_then(|pointer| item.pointer(pointer))
                            .and_then(cents)
                            .ok_or_else(|| {
                                ErpError::malformed(format!("bill {id}: no readable amount"))
                            })?,
                        linha_digitavel: field(item, "linha_digitavel").and_then(|it| linha(&it)),
                        pix_copia_e_cola: field(item, "pix"),
                        pdf: field(item, "pdf_url").map(|url| Attachment::Url { url }),
                        id,
                    });
                }
                if bills.is_empty() {
                    return Err(ErpError::not_found(missing));
                }
                bills.sort_by_key(|it| it.due_date);
                Ok(Response::Bills { bills })
            }
            Request::Invoice { .. } => {
                let item = self
                    .first_item(endpoint, &answer)
                    .ok_or(ErpError::not_found(missing))?;
                let number = field(item, "number").ok_or(ErpError::not_found(missing))?;
                let url = field(item, "pdf_url")
                    .ok_or(ErpError::malformed("a nota fiscal without pdf_url"))?;
                Ok(Response::Invoice(Invoice {
                    number,
                    issued_on: field(item, "issued_on").and_then(|it| date(&it)),
                    amount_cents: endpoint
                        .fields
                        .get("amount")
                        .and_then(|pointer| item.pointer(pointer))
                        .and_then(cents),
                    pdf: Attachment::Url { url },
                }))
            }
            Request::TrustUnlock { .. } => {
                let until = field(&answer, "until")
                    .and_then(|it| date(&it).or_else(|| date_in(&it)))
                    .unwrap_or_else(|| {
                        today_in_brasilia() + Duration::days(i64::from(self.unlock_days))
                    });
                Ok(Response::Unlocked { until })
            }
            Request::ReleaseSpeed { .. } => Ok(Response::SpeedReleased),
            Request::Diagnose { .. } => Ok(Response::Diagnosis {
                diagnosis: self.status(field(&answer, "status"))?,
            }),
            Request::ContractDocument { .. } => {
                let url = field(&answer, "pdf_url")
                    .ok_or(ErpError::malformed("no pdf_url in the answer"))?;
                Ok(Response::ContractDocument {
                    document: Attachment::Url { url },
                })
            }
            Request::SignContract { .. } => Ok(Response::Signed),
            Request::OpenTicket { .. } => Ok(Response::TicketOpened {
                protocol: field(&answer, "protocol")
                    .ok_or(ErpError::malformed("no protocol in the answer"))?,
            }),
            Request::Authenticate { .. } => Ok(Response::Authenticated {
                customer_id: field(&answer, "customer_id").unwrap_or_default(),
            }),
            Request::WifiPassword { .. } => Ok(Response::WifiChanged),
            Request::ListTicketOptions => Err(unsupported(self.system, &request)),
        }
    }

    fn endpoint(&self, op: &str, request: &Request) -> Result<&GenericEndpoint, ErpError> {
        self.config
            .endpoints
            .get(op)
            .ok_or_else(|| unsupported(self.system, request))
    }

    async fn named_list(&self, op: &str, request: &Request) -> Result<Vec<Named>, ErpError> {
        let endpoint = self.endpoint(op, request)?;
        let answer = self.exchange(endpoint, request).await?;
        let field = |item: &Value, name: &str| {
            endpoint
                .fields
                .get(name)
                .and_then(|pointer| text_at(item, pointer))
        };
        Ok(self
            .items(endpoint, &answer)?
            .iter()
            .filter_map(|item| {
                Some(Named {
                    id: field(item, "id")?,
                    name: field(item, "name")?,
                })
            })
            .collect())
    }

    /// Sends the filled request and applies the error, not-found and refusal tests.
    async fn exchange(
        &self,
        endpoint: &GenericEndpoint,
        request: &Request,
    ) -> Result<Value, ErpError> {
        let today = wire::iso_date(today_in_brasilia());
        let values = values(request, &today);
        let path = fill(&endpoint.path, &values, Target::Path);
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
            let filled = fill(body, &values, Target::Json);
            let body: Value = serde_json::from_str(&filled).map_err(|error| {
                ErpError::failed(format!(
                    "the configured body of {} is not JSON once filled: {error}",
                    request.op()
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
                return Err(ErpError::not_found(missing_of(request)));
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

impl ErpAdapter for GenericHttpErp {
    fn system(&self) -> ErpSystem {
        self.system
    }

    fn call(&self, request: Request) -> ErpFuture<'_> {
        Box::pin(self.dispatch(request))
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

fn missing_of(request: &Request) -> Missing {
    match request {
        Request::FindCustomerByDocument { .. }
        | Request::FindCustomerByPhone { .. }
        | Request::Authenticate { .. } => Missing::Customer,
        Request::SecondCopy { .. } => Missing::OpenBill,
        Request::Invoice { .. } => Missing::Invoice,
        Request::ListTicketOptions | Request::OpenTicket { .. } => Missing::TicketOption,
        _ => Missing::Contract,
    }
}

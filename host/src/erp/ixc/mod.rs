//! IXC Provedor (IXCsoft) over its "webservice v1" (docs/erp.md): one
//! URL per form, HTTP Basic with the `userId:hash` token, `ixcsoft: listar` lists
//! whose numbers come back as strings, and business errors inside HTTP 200 bodies.
//!
//! IXC offers every card action. This file holds the client and its `ErpApi`
//! methods, each a call into `customers` (registrations and contracts), `billing`
//! (bills and notas fiscais) or `service` (the actions that change something).

mod billing;
mod customers;
mod service;

use base64::Engine;
use fluxo_stdlib::erp::ErpSystem;
use reqwest::Method;
use serde_json::{json, Value};

use crate::erp::config::TicketOptions;
use crate::erp::http::json::text;
use crate::erp::http::{Http, Reply};
use crate::erp::{ErpApi, ErpError, HttpSettings, Named, Response, Secret};

/// The path every form lives under.
const WEBSERVICE: &str = "webservice/v1";

/// An IXC Provedor client.
pub struct Ixc {
    http: Http,
    /// `Basic base64(userId:hash)`, built once.
    authorization: Secret,
    /// How long a trust unlock lasts when IXC's answer does not say.
    unlock_days: u8,
    /// Ticket departments and subjects from the configuration, for tokens that may
    /// not list `su_ticket_setor`/`su_oss_assunto` (forms IXC's public collection does not document).
    tickets: Option<(Vec<Named>, Vec<Named>)>,
}

impl Ixc {
    /// `token` is the API user's `userId:hash`. `settings.base_url` is the host
    /// (`https://erp.provedor.com.br`); one that already ends in `/webservice/v1` is
    /// taken as the same place.
    pub fn new(settings: &HttpSettings, token: Secret, unlock_days: u8) -> Result<Ixc, ErpError> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(token.expose());
        let trimmed = settings.base_url.trim_end_matches('/');
        let settings = HttpSettings {
            base_url: trimmed
                .strip_suffix(WEBSERVICE)
                .unwrap_or(trimmed)
                .to_string(),
            ..settings.clone()
        };
        Ok(Ixc {
            http: Http::new(&settings)?,
            authorization: Secret::new(format!("Basic {encoded}")),
            unlock_days,
            tickets: None,
        })
    }

    /// Offers these departments and subjects instead of listing them from IXC.
    pub fn with_ticket_options(self, options: &TicketOptions) -> Ixc {
        let named = |items: &[crate::erp::config::TicketOption]| -> Vec<Named> {
            items
                .iter()
                .map(|it| Named {
                    id: it.id.clone(),
                    name: it.name.clone(),
                })
                .collect()
        };
        Ixc {
            tickets: Some((named(&options.departments), named(&options.subjects))),
            ..self
        }
    }

    /// Whether a token has IXC's `userId:hash` shape; one without the user part is
    /// otherwise only discovered as 401s on every call.
    pub fn token_is_well_formed(token: &Secret) -> bool {
        token.expose().split_once(':').is_some_and(|(user, hash)| {
            !user.is_empty()
                && user.bytes().all(|it| it.is_ascii_digit())
                && !hash.trim().is_empty()
        })
    }

    /// Lists `form` filtered by `qtype oper query`, with optional extra `grid_param`
    /// conditions (`{TB, OP, P}`), sorted by `sort` ascending or descending.
    async fn list(&self, form: &str, filter: Filter<'_>) -> Result<Vec<Value>, ErpError> {
        let mut body = json!({
            "qtype": filter.qtype,
            "query": filter.query,
            "oper": filter.oper,
            "page": "1",
            "rp": "100",
            "sortname": filter.sort.unwrap_or(filter.qtype),
            "sortorder": if filter.descending { "desc" } else { "asc" },
        });
        if !filter.grid.is_empty() {
            body["grid_param"] = Value::String(Value::Array(filter.grid).to_string());
        }
        let reply = self
            .http
            .send(
                self.form(Method::POST, form)
                    .header("ixcsoft", "listar")
                    .json(&body),
            )
            .await?;
        let value = reply.json()?;
        check_type(&value)?;
        match value.get("registros") {
            Some(Value::Array(records)) => Ok(records.clone()),
            // An empty page comes back without `registros` (`{"page":"1","total":"0"}`).
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(_) => Err(ErpError::malformed(format!(
                "IXC list of {form}: registros is not an array"
            ))),
        }
    }

    /// The one record of `form` with this id.
    async fn record(&self, form: &str, id: &str) -> Result<Option<Value>, ErpError> {
        let qtype = format!("{form}.id");
        let records = self.list(form, Filter::eq(&qtype, id)).await?;
        Ok(records
            .into_iter()
            .find(|it| text(it, "id").as_deref() == Some(id)))
    }

    /// POSTs a JSON body to a form and returns the raw reply (a JSON envelope or a
    /// document, depending on the form).
    async fn post(&self, form: &str, body: Value) -> Result<Reply, ErpError> {
        self.http
            .send(self.form(Method::POST, form).json(&body))
            .await
    }

    fn form(&self, method: Method, form: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, &format!("{WEBSERVICE}/{form}"))
            .header("Authorization", self.authorization.expose())
    }
}

impl ErpApi for Ixc {
    fn system(&self) -> ErpSystem {
        ErpSystem::Ixc
    }

    async fn find_customer_by_document(&self, document: &str) -> Result<Response, ErpError> {
        self.find_by_document(document).await
    }

    async fn find_customer_by_phone(&self, phone: &str) -> Result<Response, ErpError> {
        self.find_by_phone(phone).await
    }

    async fn list_contracts(&self, customer_id: &str) -> Result<Response, ErpError> {
        self.contracts_of(customer_id).await
    }

    async fn second_copy(&self, contract_id: &str) -> Result<Response, ErpError> {
        self.open_bills(contract_id).await
    }

    async fn invoice(&self, contract_id: &str) -> Result<Response, ErpError> {
        self.latest_invoice(contract_id).await
    }

    async fn trust_unlock(&self, contract_id: &str) -> Result<Response, ErpError> {
        self.unlock_in_trust(contract_id).await
    }

    async fn release_speed(&self, contract_id: &str) -> Result<Response, ErpError> {
        self.release_reduction(contract_id).await
    }

    async fn diagnose(&self, contract_id: &str) -> Result<Response, ErpError> {
        self.diagnosis_of(contract_id).await
    }

    async fn contract_document(
        &self,
        contract_id: &str,
        phone: &str,
    ) -> Result<Response, ErpError> {
        self.contract_pdf(contract_id, phone).await
    }

    async fn sign_contract(&self, contract_id: &str, phone: &str) -> Result<Response, ErpError> {
        self.accept_contract(contract_id, phone).await
    }

    async fn list_ticket_options(&self) -> Result<Response, ErpError> {
        self.ticket_options().await
    }

    async fn open_ticket(
        &self,
        contract_id: &str,
        department: &str,
        subject: &str,
        description: &str,
    ) -> Result<Response, ErpError> {
        self.create_ticket(contract_id, department, subject, description)
            .await
    }

    async fn authenticate(
        &self,
        document: &str,
        login: &str,
        password: &Secret,
    ) -> Result<Response, ErpError> {
        self.check_central_login(document, login, password).await
    }

    async fn wifi_password(
        &self,
        contract_id: &str,
        password: &Secret,
    ) -> Result<Response, ErpError> {
        self.change_wifi_password(contract_id, password).await
    }
}

/// A list filter.
struct Filter<'a> {
    qtype: &'a str,
    query: &'a str,
    oper: &'a str,
    sort: Option<&'a str>,
    descending: bool,
    grid: Vec<Value>,
}

impl<'a> Filter<'a> {
    fn eq(qtype: &'a str, query: &'a str) -> Filter<'a> {
        Filter {
            qtype,
            query,
            oper: "=",
            sort: None,
            descending: false,
            grid: Vec::new(),
        }
    }

    /// Every record: ids above 0.
    fn above(qtype: &'a str) -> Filter<'a> {
        Filter {
            oper: ">",
            ..Filter::eq(qtype, "0")
        }
    }

    fn like(qtype: &'a str, query: &'a str) -> Filter<'a> {
        Filter {
            oper: "L",
            ..Filter::eq(qtype, query)
        }
    }
}

/// IXC answers HTTP 200 with `{"type":"error","message":...}` when a list or write
/// fails, including for a form the token may not use ("Formulário ... não encontrado
/// ou sem permissão de acesso"). That is `Failed`, not `Auth`: the credentials are
/// good (a wrong token is HTTP 401) and the other forms still work.
fn check_type(value: &Value) -> Result<(), ErpError> {
    if text(value, "type").as_deref() != Some("error") {
        return Ok(());
    }
    Err(ErpError::failed(
        text(value, "message").unwrap_or_else(|| "IXC answered type: error".into()),
    ))
}

/// Whether IXC refused a form to this token (or does not have it), rather than
/// failing on the data: the cue to take a documented way round.
fn form_denied(error: &ErpError) -> bool {
    let ErpError::Failed { detail } = error else {
        return false;
    };
    let lowered = detail.to_lowercase();
    lowered.contains("permiss") || (lowered.contains("formul") && lowered.contains("encontrad"))
}

/// A successful write: `type` (or `tipo`) says success; the message otherwise.
fn write_outcome(value: &Value) -> Result<(), String> {
    let kind = text(value, "type")
        .or_else(|| text(value, "tipo"))
        .unwrap_or_default();
    if matches!(kind.as_str(), "success" | "sucesso") {
        Ok(())
    } else {
        Err(text(value, "message")
            .or_else(|| text(value, "mensagem"))
            .unwrap_or_else(|| "IXC did not confirm the operation".into()))
    }
}

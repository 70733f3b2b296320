//! Synsuite (Voalle) over its third-party integration routes (docs/erp.md):
//! an OAuth client-credentials token from the auth port (45700), API calls on
//! the API port (45715) under `/external/integrations/thirdparty/`, and the envelope
//! `{success, messages[], response}` whose `success: false` arrives with HTTP 200.
//! The matrix gives Synsuite second copy and trust unlock.
//!
//! Voalle finds people and titles by CPF/CNPJ (`txid`), so the customer id is the
//! bare document and contract ids are `txid/contractNumber`.

use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use fluxo_stdlib::validate;
use reqwest::Method;
use serde_json::{json, Value};

use crate::erp::http::json::{
    array, cents, date_field, date_in, first_text, linha, phones, text, text_at,
};
use crate::erp::http::{contracts_found, path_segment, Encoding, Http, OAuth};
use crate::erp::{today, ErpApi, ErpError, HttpSettings, Missing, Refusal, Response, Secret};
use crate::erp::{Attachment, Bill, Contract, Customer};

const ROUTES: &str = "external/integrations/thirdparty";

/// At most this many open bills are sent, oldest first: each needs one more call.
const MAX_BILLS: usize = 3;

/// The integration client, the tenant's `syndata`, and the token endpoint's base
/// (`https://<host>:45700`).
#[derive(Clone, Debug)]
pub struct SynsuiteCredentials {
    pub client_id: String,
    pub client_secret: Secret,
    pub syndata: Secret,
    pub auth_url: String,
}

pub struct Synsuite {
    http: Http,
    oauth: OAuth,
    unlock_days: u8,
}

impl Synsuite {
    pub fn new(
        settings: &HttpSettings,
        credentials: SynsuiteCredentials,
        unlock_days: u8,
    ) -> Result<Synsuite, ErpError> {
        let url = format!(
            "{}/connect/token",
            credentials.auth_url.trim_end_matches('/')
        );
        let grant = vec![
            ("grant_type", Secret::new("client_credentials")),
            ("scope", Secret::new("syngw")),
            ("client_id", Secret::new(credentials.client_id)),
            ("client_secret", credentials.client_secret),
            ("syndata", credentials.syndata),
        ];
        Ok(Synsuite {
            http: Http::new(settings)?,
            oauth: OAuth::new(ErpSystem::Synsuite, url, Encoding::Form, grant),
            unlock_days,
        })
    }

    /// Calls a route with the bearer token (renewed once on 401) and opens the
    /// envelope: `success: false` becomes `NotFound` when the messages say nothing
    /// was found, `Failed` otherwise.
    async fn call_api(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ErpError> {
        let envelope = self
            .oauth
            .with_token(&self.http, |token| {
                let method = method.clone();
                let body = body.clone();
                async move {
                    let mut builder = self.http.request(method, path).bearer_auth(token.expose());
                    if let Some(body) = body {
                        builder = builder.json(&body);
                    }
                    self.http.json(builder).await
                }
            })
            .await?;
        if envelope.get("success").and_then(Value::as_bool) == Some(true) {
            return Ok(envelope.get("response").cloned().unwrap_or(Value::Null));
        }
        let message = array(&envelope, "messages")
            .iter()
            .filter_map(|it| text(it, "message"))
            .collect::<Vec<_>>()
            .join("; ");
        let lowered = message.to_lowercase();
        Err(
            if lowered.contains("não encontrad")
                || lowered.contains("nao encontrad")
                || lowered.contains("not found")
            {
                ErpError::not_found(Missing::Customer)
            } else if envelope.get("success").is_none() {
                ErpError::malformed("Synsuite answer without the success envelope")
            } else {
                ErpError::failed(message)
            },
        )
    }
}

impl ErpApi for Synsuite {
    fn system(&self) -> ErpSystem {
        ErpSystem::Synsuite
    }

    async fn find_customer_by_document(&self, document: &str) -> Result<Response, ErpError> {
        let bare =
            validate::document(document).map_err(|_| ErpError::not_found(Missing::Customer))?;
        let response = self
            .call_api(
                Method::GET,
                &format!("{ROUTES}/people/txid/{}", path_segment(&bare)),
                None,
            )
            .await?;
        let person = match &response {
            Value::Array(items) => items
                .first()
                .ok_or(ErpError::not_found(Missing::Customer))?,
            Value::Null => return Err(ErpError::not_found(Missing::Customer)),
            other => other,
        };
        Ok(Response::Customer(Customer {
            id: bare.clone(),
            name: first_text(person, &["name", "nome"]).unwrap_or_default(),
            document: bare,
            phones: phones(person, &["cellPhone1", "cellPhone2", "phone", "phones"]),
        }))
    }

    async fn list_contracts(&self, customer_id: &str) -> Result<Response, ErpError> {
        let body =
            json!({"txId": customer_id, "onlyActiveContracts": false, "page": 1, "pageSize": 50});
        let response = self
            .call_api(
                Method::POST,
                &format!("{ROUTES}/contract/getpaged"),
                Some(body),
            )
            .await?;
        let contracts: Vec<Contract> = array(&response, "data")
            .iter()
            .filter_map(|it| contract(customer_id, it))
            .collect();
        contracts_found(contracts)
    }

    async fn second_copy(&self, contract_id: &str) -> Result<Response, ErpError> {
        let (txid, contract_number) = split_id(contract_id)?;
        let response = self
            .call_api(
                Method::GET,
                &format!("{ROUTES}/getopentitlesbytxid/{}", path_segment(txid)),
                None,
            )
            .await?;
        let titles: Vec<&Value> = match &response {
            Value::Array(items) => items.iter().collect(),
            other => array(other, "data").iter().collect(),
        };
        let mut candidates: Vec<(&Value, Bill)> = Vec::new();
        for title in titles {
            // A title names its contract when it has one; titles without it belong to
            // the whole customer.
            let of_contract = first_text(title, &["contractNumber", "contractId", "contract"])
                .is_none_or(|it| it == contract_number);
            if of_contract {
                candidates.push((title, bill(title)?));
            }
        }
        candidates.sort_by_key(|(_, bill)| bill.due_date);
        let mut bills = Vec::new();
        for (_, mut bill) in candidates.into_iter().take(MAX_BILLS) {
            let link = self
                .call_api(
                    Method::GET,
                    &format!("{ROUTES}/GetBilletLink/{}", path_segment(&bill.id)),
                    None,
                )
                .await?;
            bill.pdf = match &link {
                Value::String(url) if !url.is_empty() => Some(url.clone()),
                other => text(other, "link"),
            }
            .map(|url| Attachment::Url { url });
            bills.push(bill);
        }
        if bills.is_empty() {
            return Err(ErpError::not_found(Missing::OpenBill));
        }
        Ok(Response::Bills { bills })
    }

    async fn trust_unlock(&self, contract_id: &str) -> Result<Response, ErpError> {
        let (_, contract_number) = split_id(contract_id)?;
        let path = format!(
            "{ROUTES}/contracts/unlock/{}",
            path_segment(contract_number)
        );
        match self.call_api(Method::POST, &path, Some(json!({}))).await {
            Ok(response) => {
                let said =
                    first_text(&response, &["message", "unlockUntil", "until"]).unwrap_or_default();
                let until = date_in(&said)
                    .or_else(|| date_field(&response, "unlockUntil"))
                    .unwrap_or_else(|| today() + time::Duration::days(i64::from(self.unlock_days)));
                Ok(Response::Unlocked { until })
            }
            Err(ErpError::Failed { detail }) => {
                let lowered = detail.to_lowercase();
                Err(if let Some(date) = date_in(&detail) {
                    ErpError::Refused {
                        reason: Refusal::TrustUnlockUsed,
                        detail,
                        next_allowed: Some(date),
                    }
                } else if lowered.contains("não está bloqueado")
                    || lowered.contains("nao esta bloqueado")
                {
                    ErpError::refused(Refusal::NotBlocked, detail)
                } else {
                    ErpError::refused(Refusal::Other, detail)
                })
            }
            Err(other) => Err(other),
        }
    }
}

fn split_id(contract_id: &str) -> Result<(&str, &str), ErpError> {
    contract_id
        .split_once('/')
        .ok_or(ErpError::not_found(Missing::Contract))
}

/// A title's `billet{typefulLine, pixQRCode, expirationDate, amount{value, finalValue}}`.
fn bill(title: &Value) -> Result<Bill, ErpError> {
    let id = text(title, "id").ok_or(ErpError::malformed("Synsuite title without id"))?;
    let billet = title.get("billet").unwrap_or(title);
    let due_date = date_field(billet, "expirationDate")
        .or_else(|| date_field(title, "expirationDate"))
        .ok_or_else(|| {
            ErpError::malformed(format!("Synsuite title {id} without expirationDate"))
        })?;
    let amount_cents = ["/amount/finalValue", "/amount/value", "/amount"]
        .iter()
        .find_map(|pointer| {
            billet
                .pointer(pointer)
                .or_else(|| title.pointer(pointer))
                .and_then(cents)
        })
        .ok_or_else(|| ErpError::malformed(format!("Synsuite title {id} without an amount")))?;
    Ok(Bill {
        linha_digitavel: text_at(billet, "/typefulLine").and_then(|it| linha(&it)),
        pix_copia_e_cola: text_at(billet, "/pixQRCode"),
        pdf: None,
        id,
        due_date,
        amount_cents,
    })
}

fn contract(txid: &str, record: &Value) -> Option<Contract> {
    let number = text(record, "contractNumber")?;
    let status =
        first_text(record, &["status", "v_status", "stageDescription"]).unwrap_or_default();
    Some(Contract {
        id: format!("{txid}/{number}"),
        plan: first_text(
            record,
            &["description", "planDescription", "serviceProduct"],
        )
        .unwrap_or_else(|| format!("Contrato {number}")),
        address: first_text(record, &["address", "installationAddress"]).unwrap_or_default(),
        status: diagnosis(&status),
    })
}

/// Voalle's contract status words, matched by their stems.
fn diagnosis(status: &str) -> Diagnosis {
    let status = status.to_lowercase();
    let has = |stem: &str| status.contains(stem);
    if has("cancel") || has("encerr") || has("inativ") {
        Diagnosis::Inactive
    } else if has("assinatura") {
        Diagnosis::AwaitingSignature
    } else if has("confian") {
        Diagnosis::TrustUnlocked
    } else if has("reduz") {
        Diagnosis::Reduced
    } else if has("bloq") || has("suspens") {
        Diagnosis::Blocked
    } else {
        Diagnosis::Active
    }
}

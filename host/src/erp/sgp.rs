//! SGP (TSMX) over its URA routes (docs/erp.md): `token` and `app` go
//! in every body (form-encoded; JSON for `liberacaopromessa`), customers come back
//! as their contracts, and the matrix gives SGP second copy and trust unlock.
//!
//! SGP's URA routes look customers up by CPF/CNPJ, so a customer's id here is its
//! bare document; contract ids are SGP's `contratoId`.

use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use fluxo_stdlib::validate;
use reqwest::Method;
use serde_json::{json, Value};
use time::Duration;

use crate::erp::http::json::{
    array, cents_field, date_field, date_in, first_text, linha, national, phones, text,
};
use crate::erp::http::{contracts_found, Http};
use crate::erp::{today, ErpApi, ErpError, HttpSettings, Missing, Refusal, Response, Secret};
use crate::erp::{Attachment, Bill, Contract, Customer};

/// SGP's integration token and the app name it was issued for.
#[derive(Clone, Debug)]
pub struct SgpCredentials {
    pub token: Secret,
    pub app: String,
}

pub struct Sgp {
    http: Http,
    credentials: SgpCredentials,
}

impl Sgp {
    pub fn new(settings: &HttpSettings, credentials: SgpCredentials) -> Result<Sgp, ErpError> {
        Ok(Sgp {
            http: Http::new(settings)?,
            credentials,
        })
    }

    async fn find_customer(&self, by: &str, term: &str) -> Result<Response, ErpError> {
        let contracts = self.contracts(by, term).await?;
        let first = contracts
            .first()
            .ok_or(ErpError::not_found(Missing::Customer))?;
        let document: String = text(first, "cpfCnpj")
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        if document.is_empty() {
            return Err(ErpError::malformed("SGP contract without cpfCnpj"));
        }
        Ok(Response::Customer(Customer {
            id: document.clone(),
            name: text(first, "razaoSocial").unwrap_or_default(),
            document,
            phones: phones(first, &["telefones"]),
        }))
    }

    async fn contracts(&self, by: &str, term: &str) -> Result<Vec<Value>, ErpError> {
        let value = self.form("api/ura/consultacliente/", &[(by, term)]).await?;
        Ok(array(&value, "contratos").to_vec())
    }

    /// A form-encoded POST with the credentials.
    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Result<Value, ErpError> {
        let mut form = vec![
            ("token", self.credentials.token.expose()),
            ("app", self.credentials.app.as_str()),
        ];
        form.extend_from_slice(fields);
        let value = self
            .http
            .json(self.http.request(Method::POST, path).form(&form))
            .await?;
        check(&value)?;
        Ok(value)
    }
}

impl ErpApi for Sgp {
    fn system(&self) -> ErpSystem {
        ErpSystem::Sgp
    }

    async fn find_customer_by_document(&self, document: &str) -> Result<Response, ErpError> {
        let bare =
            validate::document(document).map_err(|_| ErpError::not_found(Missing::Customer))?;
        self.find_customer("cpfcnpj", &bare).await
    }

    async fn find_customer_by_phone(&self, phone: &str) -> Result<Response, ErpError> {
        let national = national(phone).ok_or(ErpError::not_found(Missing::Customer))?;
        self.find_customer("telefone", &national).await
    }

    async fn list_contracts(&self, customer_id: &str) -> Result<Response, ErpError> {
        let contracts: Vec<Contract> = self
            .contracts("cpfcnpj", customer_id)
            .await?
            .iter()
            .filter_map(contract)
            .collect();
        contracts_found(contracts)
    }

    /// Open titles (`statusid` 1) of the contract, from `titulos`.
    async fn second_copy(&self, contract_id: &str) -> Result<Response, ErpError> {
        let value = self
            .form("api/ura/titulos/", &[("contrato", contract_id)])
            .await?;
        let records = ["titulos", "faturas", "links"]
            .iter()
            .map(|key| array(&value, key))
            .find(|it| !it.is_empty())
            .unwrap_or(&[]);
        let mut bills = Vec::new();
        for record in records {
            if text(record, "statusid").is_some_and(|it| it != "1") {
                continue;
            }
            let id = first_text(record, &["id", "fatura", "numero_documento"])
                .ok_or(ErpError::malformed("SGP title without id"))?;
            let due_date = date_field(record, "vencimento_atualizado")
                .or_else(|| date_field(record, "vencimento"))
                .ok_or_else(|| ErpError::malformed(format!("SGP title {id} without a due date")))?;
            let amount_cents = cents_field(record, "valorcorrigido")
                .or_else(|| cents_field(record, "valor"))
                .ok_or_else(|| ErpError::malformed(format!("SGP title {id} without an amount")))?;
            bills.push(Bill {
                id,
                due_date,
                amount_cents,
                linha_digitavel: text(record, "linhadigitavel").and_then(|it| linha(&it)),
                pix_copia_e_cola: text(record, "codigopix"),
                pdf: text(record, "link").map(|url| Attachment::Url { url }),
            });
        }
        if bills.is_empty() {
            return Err(ErpError::not_found(Missing::OpenBill));
        }
        bills.sort_by_key(|it| it.due_date);
        Ok(Response::Bills { bills })
    }

    /// `liberacaopromessa` (JSON): `{status: 1, liberado: true, liberado_dias, msg}` on
    /// success; otherwise `msg` says why, with the next allowed date when the
    /// promise was already used.
    async fn trust_unlock(&self, contract_id: &str) -> Result<Response, ErpError> {
        let body = json!({
            "token": self.credentials.token.expose(),
            "app": self.credentials.app,
            "contrato": contract_id,
        });
        let value = self
            .http
            .json(
                self.http
                    .request(Method::POST, "api/ura/liberacaopromessa/")
                    .json(&body),
            )
            .await?;
        check(&value)?;
        let message = text(&value, "msg").unwrap_or_default();
        let unlocked = value.get("liberado").and_then(Value::as_bool) == Some(true);
        if unlocked {
            let days = value
                .get("liberado_dias")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            return Ok(Response::Unlocked {
                until: date_in(&message).unwrap_or_else(|| today() + Duration::days(days)),
            });
        }
        let lowered = message.to_lowercase();
        Err(if let Some(date) = date_in(&message) {
            ErpError::Refused {
                reason: Refusal::TrustUnlockUsed,
                detail: message,
                next_allowed: Some(date),
            }
        } else if lowered.contains("não encontrad") || lowered.contains("nao encontrad") {
            ErpError::not_found(Missing::Contract)
        } else if lowered.contains("não está")
            && (lowered.contains("suspens") || lowered.contains("bloque"))
        {
            ErpError::refused(Refusal::NotBlocked, message)
        } else {
            ErpError::refused(Refusal::Other, message)
        })
    }
}

/// SGP refuses a wrong token or app with a message about them (HTTP 200 or 401).
fn check(value: &Value) -> Result<(), ErpError> {
    let message = text(value, "msg")
        .or_else(|| text(value, "detail"))
        .unwrap_or_default();
    let lowered = message.to_lowercase();
    let about_credentials =
        lowered.contains("token") || lowered.contains("app ") || lowered.ends_with("app");
    if about_credentials && !lowered.contains("sucesso") {
        return Err(ErpError::Auth { detail: message });
    }
    Ok(())
}

fn contract(record: &Value) -> Option<Contract> {
    let id = text(record, "contratoId")?;
    let address: Vec<String> = [
        "endereco_logradouro",
        "endereco_numero",
        "endereco_bairro",
        "endereco_cidade",
    ]
    .iter()
    .filter_map(|key| text(record, key))
    .collect();
    Some(Contract {
        plan: text(record, "planointernet").unwrap_or_else(|| format!("Contrato {id}")),
        address: address.join(", "),
        status: diagnosis(
            text(record, "contratoStatus")
                .as_deref()
                .unwrap_or_default(),
        ),
        id,
    })
}

/// `contratoStatus`: 1 ativo, 2 inativo, 3 cancelado, 4 suspenso, 5 inviabilidade
/// técnica, 6 novo, 7 ativo com velocidade reduzida.
fn diagnosis(status: &str) -> Diagnosis {
    match status {
        "1" => Diagnosis::Active,
        "4" => Diagnosis::Blocked,
        "7" => Diagnosis::Reduced,
        _ => Diagnosis::Inactive,
    }
}

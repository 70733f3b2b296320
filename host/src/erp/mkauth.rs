//! MK-Auth (docs/erp.md): `GET /api/` with Basic
//! `client_id:client_secret` returns a short-lived JWT, sent as a bearer token and
//! renewed before its `exp` or on 401. MK-Auth has one connection per customer
//! login, so the login is both the customer id and the contract id. The matrix gives
//! MK-Auth second copy only.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use fluxo_stdlib::validate;
use reqwest::Method;
use serde_json::Value;

use crate::erp::http::json::{array, cents_field, date_field, first_text, linha, phones, text};
use crate::erp::http::{path_segment, Http, TokenCache};
use crate::erp::{Attachment, Bill, Contract, Customer};
use crate::erp::{ErpApi, ErpError, HttpSettings, Missing, Response, Secret};

/// At most this many open bills are sent, oldest first: each needs one more call.
const MAX_BILLS: usize = 3;

/// The API client MK-Auth issues (Basic auth for the token route).
#[derive(Clone, Debug)]
pub struct MkAuthCredentials {
    pub client_id: String,
    pub client_secret: Secret,
}

pub struct MkAuth {
    http: Http,
    credentials: MkAuthCredentials,
    tokens: TokenCache,
}

impl MkAuth {
    pub fn new(
        settings: &HttpSettings,
        credentials: MkAuthCredentials,
    ) -> Result<MkAuth, ErpError> {
        Ok(MkAuth {
            http: Http::new(settings)?,
            credentials,
            tokens: TokenCache::default(),
        })
    }

    async fn get(&self, path: &str) -> Result<Value, ErpError> {
        let value = self
            .tokens
            .with_token(
                || self.login(),
                |token| async move {
                    self.http
                        .json(
                            self.http
                                .request(Method::GET, path)
                                .bearer_auth(token.expose()),
                        )
                        .await
                },
            )
            .await?;
        if let Some(error) = first_text(&value, &["error", "erro"]) {
            let lowered = error.to_lowercase();
            return Err(if lowered.contains("token") {
                ErpError::Auth { detail: error }
            } else if lowered.contains("encontrad") {
                ErpError::not_found(Missing::Customer)
            } else {
                ErpError::failed(error)
            });
        }
        Ok(value)
    }

    /// The token route answers the JWT as a bare string (sometimes JSON-quoted).
    async fn login(&self) -> Result<(Secret, Option<Duration>), ErpError> {
        let builder = self.http.request(Method::GET, "api/").basic_auth(
            &self.credentials.client_id,
            Some(self.credentials.client_secret.expose()),
        );
        let reply = self.http.send(builder).await?;
        let body = String::from_utf8_lossy(&reply.body)
            .trim()
            .trim_matches('"')
            .to_string();
        if body.split('.').count() != 3 {
            return Err(ErpError::Auth {
                detail: "MK-Auth did not answer with a token".into(),
            });
        }
        let lifetime = jwt_lifetime(&body);
        Ok((Secret::new(body), lifetime))
    }
}

impl ErpApi for MkAuth {
    fn system(&self) -> ErpSystem {
        ErpSystem::Mkauth
    }

    async fn find_customer_by_document(&self, document: &str) -> Result<Response, ErpError> {
        let bare =
            validate::document(document).map_err(|_| ErpError::not_found(Missing::Customer))?;
        let value = self
            .get(&format!("api/cliente/listar/cpf_cnpj={bare}"))
            .await?;
        let record = array(&value, "clientes")
            .first()
            .ok_or(ErpError::not_found(Missing::Customer))?;
        let login =
            text(record, "login").ok_or(ErpError::malformed("MK-Auth customer without login"))?;
        Ok(Response::Customer(Customer {
            id: login,
            name: text(record, "nome").unwrap_or_default(),
            document: bare,
            phones: phones(record, &["celular", "fone", "telefone"]),
        }))
    }

    async fn list_contracts(&self, customer_id: &str) -> Result<Response, ErpError> {
        let value = self
            .get(&format!("api/cliente/show/{}", path_segment(customer_id)))
            .await?;
        let record =
            unwrap_record(&value, "cliente").ok_or(ErpError::not_found(Missing::Customer))?;
        let address: Vec<String> = ["endereco", "numero", "bairro", "cidade"]
            .iter()
            .filter_map(|key| text(record, key))
            .collect();
        let status = if text(record, "cli_ativado").as_deref() == Some("n") {
            Diagnosis::Inactive
        } else if text(record, "bloqueado").as_deref() == Some("sim") {
            Diagnosis::Blocked
        } else {
            Diagnosis::Active
        };
        Ok(Response::Contracts {
            contracts: vec![Contract {
                id: customer_id.to_string(),
                plan: text(record, "plano").unwrap_or_else(|| customer_id.to_string()),
                address: address.join(", "),
                status,
            }],
        })
    }

    /// The contract id is the customer's login: MK-Auth has one connection per login.
    async fn second_copy(&self, contract_id: &str) -> Result<Response, ErpError> {
        let login = contract_id;
        let value = self
            .get(&format!("api/titulo/aberto/{}", path_segment(login)))
            .await?;
        let mut titles: Vec<&Value> = match &value {
            Value::Array(items) => items.iter().collect(),
            other => array(other, "titulos").iter().collect(),
        };
        titles.sort_by_key(|it| date_field(it, "datavenc"));
        let mut bills = Vec::new();
        for title in titles.into_iter().take(MAX_BILLS) {
            let uuid = text(title, "uuid_lanc")
                .ok_or(ErpError::malformed("MK-Auth title without uuid_lanc"))?;
            let detail = self
                .get(&format!("api/titulo/show/{}", path_segment(&uuid)))
                .await?;
            let detail = unwrap_record(&detail, "titulo").unwrap_or(title);
            bills.push(Bill {
                due_date: date_field(detail, "datavenc").ok_or_else(|| {
                    ErpError::malformed(format!("MK-Auth title {uuid} without datavenc"))
                })?,
                amount_cents: cents_field(detail, "valor").ok_or_else(|| {
                    ErpError::malformed(format!("MK-Auth title {uuid} without valor"))
                })?,
                linha_digitavel: text(detail, "linhadig").and_then(|it| linha(&it)),
                pix_copia_e_cola: text(detail, "pix"),
                pdf: first_text(detail, &["url", "pix_link"]).map(|url| Attachment::Url { url }),
                id: uuid,
            });
        }
        if bills.is_empty() {
            return Err(ErpError::not_found(Missing::OpenBill));
        }
        Ok(Response::Bills { bills })
    }
}

/// How long a JWT has left, from its `exp` claim (seconds since the epoch).
fn jwt_lifetime(jwt: &str) -> Option<Duration> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_u64()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(exp.saturating_sub(now)))
}

/// A record that may come bare or wrapped under `key`.
fn unwrap_record<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value.get(key) {
        Some(Value::Object(_)) => value.get(key),
        Some(Value::Array(items)) => items.first(),
        _ => value
            .is_object()
            .then_some(value)
            .filter(|it| it.as_object().is_some_and(|map| !map.is_empty())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_jwt_expiry() {
        let far = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600;
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{{\"exp\":{far}}}"));
        let lifetime = jwt_lifetime(&format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig")).unwrap();
        assert!(lifetime.as_secs() > 3500 && lifetime.as_secs() <= 3600);
        assert_eq!(jwt_lifetime("not-a-jwt"), None);
    }
}

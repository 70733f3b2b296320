//! Hubsoft over its integration API (docs/erp.md): an OAuth password
//! grant whose token lasts 30 days and is renewed on 401, customers with their
//! services (`id_cliente_servico` is the contract), and open bills from
//! `cliente/financeiro`. The matrix gives Hubsoft second copy and diagnosis.
//!
//! Contract ids are `codigo_cliente/id_cliente_servico`: Hubsoft finds services only
//! through their customer.

use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use fluxo_stdlib::validate;
use reqwest::Method;
use serde_json::Value;

use crate::erp::http::json::{
    array, cents_field, date_field, first_text, linha, national, phones, text,
};
use crate::erp::http::{contracts_found, Encoding, Http, OAuth};
use crate::erp::{Attachment, Bill, Contract, Customer};
use crate::erp::{ErpApi, ErpError, HttpSettings, Missing, Response, Secret};

/// The API user and OAuth client Hubsoft issues per integration.
#[derive(Clone, Debug)]
pub struct HubsoftCredentials {
    pub client_id: String,
    pub client_secret: Secret,
    pub username: String,
    pub password: Secret,
}

pub struct Hubsoft {
    http: Http,
    oauth: OAuth,
}

impl Hubsoft {
    pub fn new(
        settings: &HttpSettings,
        credentials: HubsoftCredentials,
    ) -> Result<Hubsoft, ErpError> {
        let grant = vec![
            ("grant_type", Secret::new("password")),
            ("client_id", Secret::new(credentials.client_id)),
            ("client_secret", credentials.client_secret),
            ("username", Secret::new(credentials.username)),
            ("password", credentials.password),
        ];
        Ok(Hubsoft {
            http: Http::new(settings)?,
            oauth: OAuth::new(ErpSystem::Hubsoft, "oauth/token", Encoding::Json, grant),
        })
    }

    async fn find_customer(&self, by: &str, term: &str) -> Result<Response, ErpError> {
        let record = self.customer_record(by, term).await?;
        let id = text(&record, "codigo_cliente").ok_or(ErpError::malformed(
            "Hubsoft customer without codigo_cliente",
        ))?;
        let document = text(&record, "cpf_cnpj")
            .map(|it| it.chars().filter(char::is_ascii_alphanumeric).collect())
            .unwrap_or_default();
        Ok(Response::Customer(Customer {
            id,
            name: first_text(&record, &["nome_razaosocial", "nome_fantasia"]).unwrap_or_default(),
            document,
            phones: phones(
                &record,
                &[
                    "telefone_primario",
                    "telefone_secundario",
                    "telefone_terciario",
                ],
            ),
        }))
    }

    async fn customer_record(&self, by: &str, term: &str) -> Result<Value, ErpError> {
        let query = [("busca", by), ("termo_busca", term), ("cancelado", "nao")];
        let value = self.get("api/v1/integracao/cliente", &query).await?;
        array(&value, "clientes")
            .first()
            .cloned()
            .ok_or(ErpError::not_found(Missing::Customer))
    }

    /// A GET with the bearer token, renewed once on 401; `status: error` bodies are
    /// business errors.
    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, ErpError> {
        let value = self
            .oauth
            .with_token(&self.http, |token| async move {
                let builder = self
                    .http
                    .request(Method::GET, path)
                    .query(query)
                    .bearer_auth(token.expose());
                self.http.json(builder).await
            })
            .await?;
        let status = text(&value, "status").unwrap_or_default();
        if matches!(status.as_str(), "error" | "erro" | "fail") {
            let message = text(&value, "msg").unwrap_or_default();
            return Err(if message.to_lowercase().contains("não encontrad") {
                ErpError::not_found(Missing::Customer)
            } else {
                ErpError::failed(message)
            });
        }
        Ok(value)
    }
}

impl ErpApi for Hubsoft {
    fn system(&self) -> ErpSystem {
        ErpSystem::Hubsoft
    }

    async fn find_customer_by_document(&self, document: &str) -> Result<Response, ErpError> {
        let bare =
            validate::document(document).map_err(|_| ErpError::not_found(Missing::Customer))?;
        self.find_customer("cpf_cnpj", &bare).await
    }

    async fn find_customer_by_phone(&self, phone: &str) -> Result<Response, ErpError> {
        let national = national(phone).ok_or(ErpError::not_found(Missing::Customer))?;
        self.find_customer("telefone", &national).await
    }

    async fn list_contracts(&self, customer_id: &str) -> Result<Response, ErpError> {
        let customer = self.customer_record("codigo_cliente", customer_id).await?;
        let contracts: Vec<Contract> = array(&customer, "servicos")
            .iter()
            .filter_map(|it| contract(customer_id, it))
            .collect();
        contracts_found(contracts)
    }

    async fn diagnose(&self, contract_id: &str) -> Result<Response, ErpError> {
        let (customer_id, service_id) = split_id(contract_id)?;
        let customer = self.customer_record("codigo_cliente", customer_id).await?;
        let service = array(&customer, "servicos")
            .iter()
            .find(|it| text(it, "id_cliente_servico").as_deref() == Some(service_id))
            .ok_or(ErpError::not_found(Missing::Contract))?;
        let prefix = text(service, "status_prefixo").unwrap_or_default();
        let diagnosis = diagnosis(&prefix).ok_or_else(|| {
            ErpError::malformed(format!("unknown Hubsoft service status {prefix:?}"))
        })?;
        Ok(Response::Diagnosis { diagnosis })
    }

    async fn second_copy(&self, contract_id: &str) -> Result<Response, ErpError> {
        let (_, service_id) = split_id(contract_id)?;
        let query = [
            ("busca", "id_cliente_servico"),
            ("termo_busca", service_id),
            ("apenas_pendente", "sim"),
            ("order_by", "data_vencimento"),
            ("order_type", "asc"),
        ];
        let value = self
            .get("api/v1/integracao/cliente/financeiro", &query)
            .await?;
        let mut bills = Vec::new();
        for record in array(&value, "faturas") {
            if text(record, "data_pagamento").is_some() {
                continue;
            }
            let id = text(record, "id_fatura")
                .ok_or(ErpError::malformed("Hubsoft bill without id_fatura"))?;
            bills.push(Bill {
                due_date: date_field(record, "data_vencimento").ok_or_else(|| {
                    ErpError::malformed(format!("Hubsoft bill {id} without a due date"))
                })?,
                amount_cents: cents_field(record, "valor").ok_or_else(|| {
                    ErpError::malformed(format!("Hubsoft bill {id} without an amount"))
                })?,
                linha_digitavel: text(record, "linha_digitavel").and_then(|it| linha(&it)),
                pix_copia_e_cola: text(record, "pix_copia_cola"),
                pdf: text(record, "link").map(|url| Attachment::Url { url }),
                id,
            });
        }
        if bills.is_empty() {
            return Err(ErpError::not_found(Missing::OpenBill));
        }
        bills.sort_by_key(|it| it.due_date);
        Ok(Response::Bills { bills })
    }
}

fn contract(customer_id: &str, service: &Value) -> Option<Contract> {
    let service_id = text(service, "id_cliente_servico")?;
    let address = service
        .get("endereco_instalacao")
        .map(|it| {
            ["endereco", "numero", "bairro", "cidade"]
                .iter()
                .filter_map(|key| text(it, key))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let prefix = text(service, "status_prefixo").unwrap_or_default();
    Some(Contract {
        id: format!("{customer_id}/{service_id}"),
        plan: first_text(service, &["nome", "numero_plano"])
            .unwrap_or_else(|| format!("Serviço {service_id}")),
        address,
        status: diagnosis(&prefix).unwrap_or(Diagnosis::Inactive),
    })
}

fn split_id(contract_id: &str) -> Result<(&str, &str), ErpError> {
    contract_id
        .split_once('/')
        .ok_or(ErpError::not_found(Missing::Contract))
}

/// Reads `status_prefixo`. Seen: `servico_habilitado`, `cancelado`,
/// `aguardando_migracao`; the other words are matched by their stems
/// (suspenso/bloqueado, débito, reduzida, confiança, assinatura, cancelado).
fn diagnosis(prefix: &str) -> Option<Diagnosis> {
    let prefix = prefix.to_lowercase();
    let has = |stem: &str| prefix.contains(stem);
    Some(if has("confian") {
        Diagnosis::TrustUnlocked
    } else if has("assinatura") {
        Diagnosis::AwaitingSignature
    } else if has("cancel") || has("desabilitado") || has("aguardando") || has("inativ") {
        Diagnosis::Inactive
    } else if has("reduz") {
        Diagnosis::Reduced
    } else if has("debito") || has("financeiro") {
        Diagnosis::Overdue
    } else if has("suspens") || has("bloque") {
        Diagnosis::Blocked
    } else if has("habilitado") || has("ativo") {
        Diagnosis::Active
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_service_statuses() {
        assert_eq!(diagnosis("servico_habilitado"), Some(Diagnosis::Active));
        assert_eq!(diagnosis("cancelado"), Some(Diagnosis::Inactive));
        assert_eq!(diagnosis("aguardando_migracao"), Some(Diagnosis::Inactive));
        assert_eq!(diagnosis("suspenso_debito"), Some(Diagnosis::Overdue));
        assert_eq!(diagnosis("bloqueio_manual"), Some(Diagnosis::Blocked));
        assert_eq!(diagnosis("velocidade_reduzida"), Some(Diagnosis::Reduced));
        assert_eq!(diagnosis("???"), None);
    }
}

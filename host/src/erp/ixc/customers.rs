//! IXC registrations (`cliente`) and contracts (`cliente_contrato`): lookups by
//! document and phone, the contract list, the diagnosis read from a contract's
//! statuses, and the subscriber-central check.

use fluxo_stdlib::erp::Diagnosis;
use fluxo_stdlib::validate;
use md5::{Digest, Md5};
use serde_json::Value;

use super::{Filter, Ixc};
use crate::erp::http::contracts_found;
use crate::erp::http::json::{first_text, national, phones, same_phone, text};
use crate::erp::{Contract, Customer};
use crate::erp::{ErpError, Missing, Refusal, Response, Secret};

impl Ixc {
    pub(super) async fn find_by_document(&self, document: &str) -> Result<Response, ErpError> {
        let record = self.customer_record_by_document(document).await?;
        Ok(Response::Customer(customer(&record)?))
    }

    /// IXC usually stores the document masked, so the bare digits are tried first and
    /// then the mask (what goixc does).
    pub(super) async fn customer_record_by_document(
        &self,
        document: &str,
    ) -> Result<Value, ErpError> {
        let bare =
            validate::document(document).map_err(|_| ErpError::not_found(Missing::Customer))?;
        for query in [bare.clone(), masked(&bare)] {
            let records = self
                .list("cliente", Filter::eq("cliente.cnpj_cpf", &query))
                .await?;
            if let Some(record) = records.into_iter().next() {
                return Ok(record);
            }
        }
        Err(ErpError::not_found(Missing::Customer))
    }

    /// Searches the mobile and WhatsApp fields by the last eight digits, raw and
    /// masked (`9999-0000`), then keeps the record whose number really matches.
    pub(super) async fn find_by_phone(&self, phone: &str) -> Result<Response, ErpError> {
        let wanted = national(phone).ok_or(ErpError::not_found(Missing::Customer))?;
        let tail = &wanted[wanted.len() - 8..];
        let masked_tail = format!("{}-{}", &tail[..4], &tail[4..]);
        for field in [
            "cliente.telefone_celular",
            "cliente.whatsapp",
            "cliente.fone",
        ] {
            for query in [tail, masked_tail.as_str()] {
                let records = self.list("cliente", Filter::like(field, query)).await?;
                let found = records.iter().find(|record| {
                    ["telefone_celular", "whatsapp", "fone"]
                        .iter()
                        .filter_map(|key| text(record, key))
                        .any(|it| same_phone(&it, &wanted))
                });
                if let Some(record) = found {
                    return Ok(Response::Customer(customer(record)?));
                }
            }
        }
        Err(ErpError::not_found(Missing::Customer))
    }

    pub(super) async fn contracts_of(&self, customer_id: &str) -> Result<Response, ErpError> {
        let records = self
            .list(
                "cliente_contrato",
                Filter::eq("cliente_contrato.id_cliente", customer_id),
            )
            .await?;
        let contracts: Vec<Contract> = records.iter().filter_map(contract).collect();
        contracts_found(contracts)
    }

    pub(super) async fn diagnosis_of(&self, contract_id: &str) -> Result<Response, ErpError> {
        let record = self.contract_record(contract_id).await?;
        Ok(Response::Diagnosis {
            diagnosis: diagnosis(&record),
        })
    }

    pub(super) async fn contract_record(&self, contract_id: &str) -> Result<Value, ErpError> {
        self.record("cliente_contrato", contract_id)
            .await?
            .ok_or(ErpError::not_found(Missing::Contract))
    }

    /// Whether `phone` is one of the numbers of the contract's owner.
    pub(super) async fn phone_registered(
        &self,
        contract: &Value,
        phone: &str,
    ) -> Result<bool, ErpError> {
        let customer_id = text(contract, "id_cliente")
            .ok_or(ErpError::malformed("IXC contract without id_cliente"))?;
        let Some(owner) = self.record("cliente", &customer_id).await? else {
            return Ok(false);
        };
        Ok(phones(&owner, &["telefone_celular", "whatsapp", "fone"])
            .iter()
            .any(|it| same_phone(it, phone)))
    }

    /// IXC has no authentication form: the subscriber-central login is the
    /// registration's `hotsite_acesso` (in IXC data it holds the central login, not a
    /// flag), its `hotsite_email`, or its document, checked against `senha`, which is
    /// an MD5 digest when `senha_hotsite_md5` is `S`.
    pub(super) async fn check_central_login(
        &self,
        document: &str,
        login: &str,
        password: &Secret,
    ) -> Result<Response, ErpError> {
        let record = self.customer_record_by_document(document).await?;
        let login = login.trim();
        let login_matches = ["hotsite_acesso", "hotsite_email"]
            .iter()
            .filter_map(|key| text(&record, key))
            .any(|it| it.eq_ignore_ascii_case(login))
            || validate::document(login).ok()
                == validate::document(&text(&record, "cnpj_cpf").unwrap_or_default()).ok();
        let stored = text(&record, "senha").unwrap_or_default();
        let password_matches = if text(&record, "senha_hotsite_md5").as_deref() == Some("S") {
            let digest = Md5::digest(password.expose().as_bytes());
            let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
            stored.eq_ignore_ascii_case(&hex)
        } else {
            !stored.is_empty() && stored == password.expose()
        };
        if login_matches && password_matches {
            let customer_id =
                text(&record, "id").ok_or(ErpError::malformed("IXC customer without id"))?;
            Ok(Response::Authenticated { customer_id })
        } else {
            Err(ErpError::refused(Refusal::WrongCredentials, ""))
        }
    }
}

fn customer(record: &Value) -> Result<Customer, ErpError> {
    let id = text(record, "id").ok_or(ErpError::malformed("IXC customer without id"))?;
    let document: String = text(record, "cnpj_cpf")
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|it| it.to_ascii_uppercase())
        .collect();
    Ok(Customer {
        id,
        name: first_text(record, &["razao", "fantasia"]).unwrap_or_default(),
        document,
        phones: phones(record, &["telefone_celular", "whatsapp", "fone"]),
    })
}

fn contract(record: &Value) -> Option<Contract> {
    let id = text(record, "id")?;
    let address: Vec<String> = ["endereco", "numero", "bairro"]
        .iter()
        .filter_map(|key| text(record, key))
        .collect();
    Some(Contract {
        plan: text(record, "contrato").unwrap_or_else(|| format!("Contrato {id}")),
        address: address.join(", "),
        status: diagnosis(record),
        id,
    })
}

/// Reads a contract's statuses: `status` (A, I, P), `status_internet` (A liberado, D
/// desativado, CM bloqueio manual, CA bloqueio automático, CE cancelado, FA financeiro
/// em atraso, AA aguardando assinatura), `desbloqueio_confianca_ativo` and
/// `status_velocidade` (N normal, R reduzida).
pub(super) fn diagnosis(record: &Value) -> Diagnosis {
    let status = text(record, "status").unwrap_or_default();
    let internet = text(record, "status_internet").unwrap_or_default();
    if status == "I" || matches!(internet.as_str(), "D" | "CE") {
        Diagnosis::Inactive
    } else if internet == "AA" {
        Diagnosis::AwaitingSignature
    } else if text(record, "desbloqueio_confianca_ativo").as_deref() == Some("S") {
        Diagnosis::TrustUnlocked
    } else if internet == "FA" {
        Diagnosis::Overdue
    } else if matches!(internet.as_str(), "CA" | "CM") {
        Diagnosis::Blocked
    } else if text(record, "status_velocidade").as_deref() == Some("R") {
        Diagnosis::Reduced
    } else {
        Diagnosis::Active
    }
}

/// `52998224725` → `529.982.247-25`; a CNPJ → `11.222.333/0001-81`.
fn masked(bare: &str) -> String {
    let groups: &[(usize, &str)] = if bare.len() == 11 {
        &[(3, "."), (6, "."), (9, "-")]
    } else {
        &[(2, "."), (5, "."), (8, "/"), (12, "-")]
    };
    let mut out = String::with_capacity(bare.len() + 4);
    for (idx, ch) in bare.chars().enumerate() {
        if let Some((_, sep)) = groups.iter().find(|(at, _)| *at == idx) {
            out.push_str(sep);
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn masks_documents_as_ixc_stores_them() {
        assert_eq!(masked("52998224725"), "529.982.247-25");
        assert_eq!(masked("11222333000181"), "11.222.333/0001-81");
    }

    #[test]
    fn reads_contract_statuses() {
        let read = |record: Value| diagnosis(&record);
        assert_eq!(
            read(json!({"status": "A", "status_internet": "A"})),
            Diagnosis::Active
        );
        assert_eq!(
            read(json!({"status": "A", "status_internet": "FA"})),
            Diagnosis::Overdue
        );
        assert_eq!(
            read(json!({"status": "A", "status_internet": "CM"})),
            Diagnosis::Blocked
        );
        assert_eq!(
            read(json!({"status": "A", "status_internet": "AA"})),
            Diagnosis::AwaitingSignature
        );
        assert_eq!(
            read(json!({"status": "I", "status_internet": "A"})),
            Diagnosis::Inactive
        );
        assert_eq!(
            read(json!({"status": "A", "status_internet": "A", "status_velocidade": "R"})),
            Diagnosis::Reduced
        );
        assert_eq!(
            read(
                json!({"status": "A", "status_internet": "FA", "desbloqueio_confianca_ativo": "S"})
            ),
            Diagnosis::TrustUnlocked
        );
    }
}

//! IXC actions that change something: trust unlock, reduced-speed release, the
//! contract acceptance, tickets and the Wi-Fi password (ACS).

use fluxo_stdlib::erp::Diagnosis;
use fluxo_stdlib::validate;
use reqwest::Method;
use serde_json::{json, Value};
use time::Duration;

use super::customers::diagnosis;
use super::{check_type, write_outcome, Filter, Ixc};
use crate::erp::http::json::{date_in, text};
use crate::erp::{today_in_brasilia, ErpError, Missing, Refusal, Response, Secret};
use crate::erp::{Attachment, Named};

impl Ixc {
    /// `desbloqueio_confianca` answers `{tipo, codigo, mensagem}`: 106 the contract does
    /// not exist, 107 it is already unlocked, 109 it cannot be unlocked (the period's
    /// unlock was used, or the contract's status does not allow it).
    pub(super) async fn unlock_in_trust(&self, contract_id: &str) -> Result<Response, ErpError> {
        let value = self
            .post("desbloqueio_confianca", json!({"id": contract_id}))
            .await?
            .json()?;
        let message = text(&value, "mensagem").unwrap_or_default();
        if text(&value, "tipo").as_deref() == Some("sucesso") {
            let until = date_in(&message).unwrap_or_else(|| {
                today_in_brasilia() + Duration::days(i64::from(self.unlock_days))
            });
            return Ok(Response::Unlocked { until });
        }
        match text(&value, "codigo").as_deref() {
            Some("106") => Err(ErpError::not_found(Missing::Contract)),
            Some("107") => Err(ErpError::Refused {
                reason: Refusal::TrustUnlockUsed,
                detail: message,
                next_allowed: None,
            }),
            Some("109") => Err(match date_in(&message) {
                Some(date) => ErpError::Refused {
                    reason: Refusal::TrustUnlockUsed,
                    detail: message,
                    next_allowed: Some(date),
                },
                None => ErpError::refused(Refusal::Other, message),
            }),
            _ => {
                check_type(&value)?;
                Err(ErpError::refused(Refusal::Other, message))
            }
        }
    }

    pub(super) async fn release_reduction(&self, contract_id: &str) -> Result<Response, ErpError> {
        let contract = self.contract_record(contract_id).await?;
        if text(&contract, "status_velocidade").as_deref() != Some("R") {
            return Err(ErpError::refused(Refusal::NotReduced, ""));
        }
        let value = self
            .post(
                "liberacao_reducao_contrato_29157",
                json!({"get_id": contract_id}),
            )
            .await?
            .json()?;
        write_outcome(&value).map_err(|message| ErpError::refused(Refusal::Other, message))?;
        Ok(Response::SpeedReleased)
    }

    pub(super) async fn contract_pdf(
        &self,
        contract_id: &str,
        phone: &str,
    ) -> Result<Response, ErpError> {
        self.signable(contract_id, phone).await?;
        let reply = self
            .post(
                "cliente_contrato_imprimir_contrato_17678",
                json!({"id": contract_id}),
            )
            .await?;
        match reply.document_base64() {
            Some(base64) => Ok(Response::ContractDocument {
                document: Attachment::Inline {
                    file_name: format!("contrato-{contract_id}.pdf"),
                    base64,
                },
            }),
            None => {
                check_type(&reply.json()?)?;
                Err(ErpError::malformed("IXC returned no contract PDF"))
            }
        }
    }

    /// Records the acceptance by releasing the contract (`cliente_contrato_15464`,
    /// "Liberar manualmente"), which activates the contract and its connection.
    pub(super) async fn accept_contract(
        &self,
        contract_id: &str,
        phone: &str,
    ) -> Result<Response, ErpError> {
        self.signable(contract_id, phone).await?;
        let value = self
            .post(
                "cliente_contrato_15464",
                json!({"id_contrato": contract_id}),
            )
            .await?
            .json()?;
        write_outcome(&value).map_err(|message| ErpError::refused(Refusal::Other, message))?;
        Ok(Response::Signed)
    }

    /// A contract awaiting signature (`status_internet` AA), asked about from a number
    /// registered to its owner.
    async fn signable(&self, contract_id: &str, phone: &str) -> Result<Value, ErpError> {
        let contract = self.contract_record(contract_id).await?;
        if !self.phone_registered(&contract, phone).await? {
            return Err(ErpError::refused(Refusal::PhoneNotRegistered, ""));
        }
        if diagnosis(&contract) != Diagnosis::AwaitingSignature {
            return Err(ErpError::refused(Refusal::NotAwaitingSignature, ""));
        }
        Ok(contract)
    }

    /// Active departments (`su_ticket_setor`) that provide external service, and
    /// active subjects (`su_oss_assunto`).
    pub(super) async fn ticket_options(&self) -> Result<Response, ErpError> {
        let departments = self
            .list(
                "su_ticket_setor",
                Filter {
                    oper: ">",
                    ..Filter::eq("su_ticket_setor.id", "0")
                },
            )
            .await?
            .iter()
            .filter(|it| text(it, "ativo").as_deref() != Some("N"))
            .filter(|it| text(it, "presta_atendimento").as_deref() == Some("S"))
            .filter_map(|it| named(it, "setor"))
            .collect();
        let subjects = self
            .list(
                "su_oss_assunto",
                Filter {
                    oper: ">",
                    ..Filter::eq("su_oss_assunto.id", "0")
                },
            )
            .await?
            .iter()
            .filter(|it| text(it, "ativo").as_deref() != Some("N"))
            .filter_map(|it| named(it, "assunto"))
            .collect();
        Ok(Response::TicketOptions {
            departments,
            subjects,
        })
    }

    /// `su_ticket` needs the customer, so the contract is read first; the protocol is
    /// read back from the new ticket.
    pub(super) async fn create_ticket(
        &self,
        contract_id: &str,
        department: &str,
        subject: &str,
        description: &str,
    ) -> Result<Response, ErpError> {
        let contract = self.contract_record(contract_id).await?;
        let customer_id = text(&contract, "id_cliente")
            .ok_or(ErpError::malformed("IXC contract without id_cliente"))?;
        let title: String = description
            .lines()
            .next()
            .filter(|it| !it.trim().is_empty())
            .unwrap_or("Atendimento aberto pelo chatbot")
            .chars()
            .take(80)
            .collect();
        let body = json!({
            "tipo": "C",
            "id_cliente": customer_id,
            "id_contrato": contract_id,
            "id_assunto": subject,
            "titulo": title,
            "id_ticket_setor": department,
            "prioridade": "B",
            "menssagem": description,
            "su_status": "N",
        });
        let value = self.post("su_ticket", body).await?.json()?;
        write_outcome(&value).map_err(|message| {
            let lowered = message.to_lowercase();
            if lowered.contains("assunto") || lowered.contains("setor") {
                ErpError::not_found(Missing::TicketOption)
            } else {
                ErpError::failed(message)
            }
        })?;
        let ticket_id =
            text(&value, "id").ok_or(ErpError::malformed("IXC su_ticket answer without id"))?;
        let protocol = self
            .record("su_ticket", &ticket_id)
            .await?
            .and_then(|it| text(&it, "protocolo"))
            .unwrap_or(ticket_id);
        Ok(Response::TicketOpened { protocol })
    }

    /// The Wi-Fi password lives on the contract's login (`radusuarios`): the record is
    /// written back whole with the new password (IXC's PUT replaces the record), then
    /// `botaoAjax_30774` ("Enviar dados acs wifi") pushes it to the router.
    pub(super) async fn change_wifi_password(
        &self,
        contract_id: &str,
        password: &Secret,
    ) -> Result<Response, ErpError> {
        let password = validate::wifi_password(password.expose())
            .map_err(|why| ErpError::refused(Refusal::InvalidPassword, why.to_string()))?;
        let logins = self
            .list(
                "radusuarios",
                Filter::eq("radusuarios.id_contrato", contract_id),
            )
            .await?;
        let mut login = logins.into_iter().next().ok_or(ErpError::refused(
            Refusal::Other,
            "the contract has no login (radusuarios) whose router could be changed",
        ))?;
        let login_id = text(&login, "id").ok_or(ErpError::malformed("IXC login without id"))?;
        login["senha_rede_sem_fio"] = Value::String(password.clone());
        if text(&login, "ssid_router_wifi_5ghz").is_some() {
            login["senha_rede_sem_fio_5ghz"] = Value::String(password);
        }
        let reply = self
            .http
            .send(
                self.form(Method::PUT, &format!("radusuarios/{login_id}"))
                    .json(&login),
            )
            .await?;
        write_outcome(&reply.json()?).map_err(ErpError::failed)?;
        let pushed = self
            .post("botaoAjax_30774", json!({"id": login_id}))
            .await?
            .json()?;
        write_outcome(&pushed).map_err(ErpError::failed)?;
        Ok(Response::WifiChanged)
    }
}

fn named(record: &Value, name_key: &str) -> Option<Named> {
    Some(Named {
        id: text(record, "id")?,
        name: text(record, name_key)?,
    })
}

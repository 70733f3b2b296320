//! IXC actions that change something: trust unlock, reduced-speed release, the
//! contract acceptance, tickets and the Wi-Fi password (ACS).

use fluxo_stdlib::erp::Diagnosis;
use fluxo_stdlib::validate;
use reqwest::Method;
use serde_json::{json, Value};
use time::Duration;

use super::customers::diagnosis;
use super::{check_type, form_denied, write_outcome, Filter, Ixc};
use crate::erp::http::json::{date_in, text};
use crate::erp::{today, ErpError, Missing, Refusal, Response, Secret};
use crate::erp::{Attachment, Named};

impl Ixc {
    /// `desbloqueio_confianca` answers `{tipo, codigo, mensagem}`: 106 the contract does
    /// not exist, 107 it is already unlocked (nothing to unlock: goixc takes it as
    /// done), 109 it cannot be unlocked (the period's unlock was used, "utilizado em
    /// 23/11/2026. Disponível novamente a partir de 01/12/2026": the LAST date is the
    /// next allowed one, or the contract's status does not allow it).
    pub(super) async fn unlock_in_trust(&self, contract_id: &str) -> Result<Response, ErpError> {
        let value = self
            .post("desbloqueio_confianca", json!({"id": contract_id}))
            .await?
            .json()?;
        let message = text(&value, "mensagem").unwrap_or_default();
        if text(&value, "tipo").as_deref() == Some("sucesso") {
            let until = date_in(&message)
                .unwrap_or_else(|| today() + Duration::days(i64::from(self.unlock_days)));
            return Ok(Response::Unlocked { until });
        }
        match text(&value, "codigo").as_deref() {
            Some("106") => Err(ErpError::not_found(Missing::Contract)),
            Some("107") => Err(ErpError::refused(Refusal::NotBlocked, message)),
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

    /// The departments and subjects of the configuration (`[erp.tickets]`) when it
    /// has them; else active departments (`su_ticket_setor`) that provide external
    /// service and active subjects (`su_oss_assunto`), forms IXC's public collection does not
    /// document and many tokens may not use.
    pub(super) async fn ticket_options(&self) -> Result<Response, ErpError> {
        if let Some((departments, subjects)) = &self.tickets {
            return Ok(Response::TicketOptions {
                departments: departments.clone(),
                subjects: subjects.clone(),
            });
        }
        let unlisted = |error: ErpError| {
            if form_denied(&error) {
                ErpError::failed(format!(
                    "IXC does not let this token list ticket departments and subjects ({error}); list them in [erp.tickets] of fluxo.toml"
                ))
            } else {
                error
            }
        };
        let departments = self
            .list("su_ticket_setor", Filter::above("su_ticket_setor.id"))
            .await
            .map_err(unlisted)?
            .iter()
            .filter(|it| text(it, "ativo").as_deref() != Some("N"))
            .filter(|it| text(it, "presta_atendimento").as_deref() == Some("S"))
            .filter_map(|it| named(it, "setor"))
            .collect();
        let subjects = self
            .list("su_oss_assunto", Filter::above("su_oss_assunto.id"))
            .await
            .map_err(unlisted)?
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
        // The ticket exists now: a protocol that cannot be read back is not a reason
        // to tell the customer it failed. Its id identifies it in IXC as well.
        let protocol = match self.record("su_ticket", &ticket_id).await {
            Ok(record) => record.and_then(|it| text(&it, "protocolo")),
            Err(_) => None,
        }
        .unwrap_or(ticket_id);
        Ok(Response::TicketOpened { protocol })
    }

    /// The Wi-Fi password lives on the contract's login (`radusuarios`): the record is
    /// written back whole with the new password (IXC's PUT replaces the record), then
    /// `botaoAjax_30774` ("Enviar dados acs wifi") pushes it to the router.
    ///
    /// Everything that can be checked is checked before the write: the password, a
    /// login on the contract, the login active (IXC's push fails on an inactive one).
    /// When the push still fails, the previous passwords are written back, so that
    /// IXC and the router agree again; the error says which state is left.
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
        let before = logins.into_iter().next().ok_or(ErpError::refused(
            Refusal::Other,
            "the contract has no login (radusuarios) whose router could be changed",
        ))?;
        if text(&before, "ativo").as_deref() == Some("N") {
            return Err(ErpError::refused(
                Refusal::Other,
                "the contract's login (radusuarios) is inactive: IXC cannot push to its router",
            ));
        }
        let login_id = text(&before, "id").ok_or(ErpError::malformed("IXC login without id"))?;
        let mut after = before.clone();
        after["senha_rede_sem_fio"] = Value::String(password.clone());
        if text(&after, "ssid_router_wifi_5ghz").is_some() {
            after["senha_rede_sem_fio_5ghz"] = Value::String(password);
        }
        self.put_login(&login_id, &after).await?;
        let pushed = match self.post("botaoAjax_30774", json!({"id": login_id})).await {
            Ok(reply) => reply
                .json()
                .and_then(|value| write_outcome(&value).map_err(ErpError::failed)),
            Err(error) => Err(error),
        };
        let Err(error) = pushed else {
            return Ok(Response::WifiChanged);
        };
        let state = match self.put_login(&login_id, &before).await {
            Ok(()) => "the router was not changed and IXC keeps the old password",
            Err(_) => "IXC holds the new password but the router still has the old one",
        };
        Err(ErpError::failed(format!(
            "IXC could not send the Wi-Fi password to the router ({error}); {state}"
        )))
    }

    async fn put_login(&self, login_id: &str, record: &Value) -> Result<(), ErpError> {
        let reply = self
            .http
            .send(
                self.form(Method::PUT, &format!("radusuarios/{login_id}"))
                    .json(record),
            )
            .await?;
        write_outcome(&reply.json()?).map_err(ErpError::failed)
    }
}

fn named(record: &Value, name_key: &str) -> Option<Named> {
    Some(Named {
        id: text(record, "id")?,
        name: text(record, name_key)?,
    })
}

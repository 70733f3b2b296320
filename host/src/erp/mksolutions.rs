//! MK Solutions (MK30, "mk web services") (docs/erp.md): every call is a
//! `GET /mk/<Service>.rule?sys=MK0&token=...`, the session token comes from
//! `WSAutenticacao` and is renewed when MK answers "token expirado/inválido", and
//! errors are `{status: "ERRO", Mensagem, "Num. ERRO"}` inside HTTP 200. The matrix
//! gives MK Solutions second copy, trust unlock and diagnosis.
//!
//! The unit MK acts on is the connection, so contract ids are
//! `cd_cliente/codconexao/contrato`.

use std::time::Duration;

use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use fluxo_stdlib::validate;
use reqwest::Method;
use serde_json::Value;

use crate::erp::http::json::{
    array, cents_field, date_field, date_in, first_text, linha, phones, text,
};
use crate::erp::http::{contracts_found, Http, TokenCache};
use crate::erp::{today, ErpApi, ErpError, HttpSettings, Missing, Refusal, Response, Secret};
use crate::erp::{Attachment, Bill, Contract, Customer};

/// At most this many open bills are sent, oldest first: each needs one more call.
const MAX_BILLS: usize = 3;

/// The user token and the webservice profile's counter-password.
#[derive(Clone, Debug)]
pub struct MkSolutionsCredentials {
    pub token: Secret,
    pub password: Secret,
}

pub struct MkSolutions {
    http: Http,
    credentials: MkSolutionsCredentials,
    tokens: TokenCache,
    unlock_days: u8,
}

impl MkSolutions {
    pub fn new(
        settings: &HttpSettings,
        credentials: MkSolutionsCredentials,
        unlock_days: u8,
    ) -> Result<MkSolutions, ErpError> {
        Ok(MkSolutions {
            http: Http::new(settings)?,
            credentials,
            tokens: TokenCache::default(),
            unlock_days,
        })
    }

    async fn connections(&self, customer_id: &str) -> Result<Vec<Value>, ErpError> {
        let value = self
            .rule("WSMKConexoesPorCliente", &[("cd_cliente", customer_id)])
            .await?;
        Ok(array(&value, "Conexoes").to_vec())
    }

    /// Calls a rule with the session token; "token" errors (001, 999) renew it once,
    /// 002/003 (document invalid or not found) are `NotFound`, other `ERRO`s `Failed`.
    async fn rule(&self, service: &str, params: &[(&str, &str)]) -> Result<Value, ErpError> {
        let path = format!("mk/{service}.rule");
        self.tokens
            .with_token(
                || self.login(),
                |token| {
                    let path = path.clone();
                    async move {
                        let mut query = vec![("sys", "MK0"), ("token", token.expose())];
                        query.extend_from_slice(params);
                        let value = self
                            .http
                            .json(self.http.request(Method::GET, &path).query(&query))
                            .await?;
                        check(value)
                    }
                },
            )
            .await
    }

    async fn login(&self) -> Result<(Secret, Option<Duration>), ErpError> {
        let query = [
            ("sys", "MK0"),
            ("token", self.credentials.token.expose()),
            ("password", self.credentials.password.expose()),
            ("cd_servico", "9999"),
        ];
        let value = self
            .http
            .json(
                self.http
                    .request(Method::GET, "mk/WSAutenticacao.rule")
                    .query(&query),
            )
            .await?;
        if text(&value, "status").as_deref() != Some("OK") {
            return Err(ErpError::Auth {
                detail: first_text(&value, &["Mensagem", "Message"])
                    .unwrap_or_else(|| "MK refused the login".into()),
            });
        }
        let token = text(&value, "Token").ok_or(ErpError::Auth {
            detail: "MK issued no Token".into(),
        })?;
        // `Expire` is a local time without a zone; the session is renewed when MK says
        // it expired instead of guessing the clock.
        Ok((Secret::new(token), None))
    }
}

impl ErpApi for MkSolutions {
    fn system(&self) -> ErpSystem {
        ErpSystem::Mksolutions
    }

    async fn find_customer_by_document(&self, document: &str) -> Result<Response, ErpError> {
        let bare =
            validate::document(document).map_err(|_| ErpError::not_found(Missing::Customer))?;
        let value = self.rule("WSMKConsultaDoc", &[("doc", &bare)]).await?;
        let id = text(&value, "CodigoPessoa")
            .ok_or(ErpError::malformed("MK answer without CodigoPessoa"))?;
        Ok(Response::Customer(Customer {
            id,
            name: text(&value, "Nome").unwrap_or_default(),
            document: bare,
            phones: phones(&value, &["Fone"]),
        }))
    }

    async fn list_contracts(&self, customer_id: &str) -> Result<Response, ErpError> {
        let contracts: Vec<Contract> = self
            .connections(customer_id)
            .await?
            .iter()
            .filter_map(|it| contract(customer_id, it))
            .collect();
        contracts_found(contracts)
    }

    async fn diagnose(&self, contract_id: &str) -> Result<Response, ErpError> {
        let id = ContractId::parse(contract_id)?;
        let connections = self.connections(id.customer).await?;
        let connection = connections
            .iter()
            .find(|it| text(it, "codconexao").as_deref() == Some(id.connection))
            .ok_or(ErpError::not_found(Missing::Contract))?;
        Ok(Response::Diagnosis {
            diagnosis: diagnosis(connection),
        })
    }

    async fn second_copy(&self, contract_id: &str) -> Result<Response, ErpError> {
        let id = ContractId::parse(contract_id)?;
        let value = self
            .rule("WSMKFaturasPendentes", &[("cd_cliente", id.customer)])
            .await?;
        let mut pending: Vec<&Value> = array(&value, "FaturasPendentes")
            .iter()
            .filter(|it| {
                // `contratos` lists the contracts a bill covers; a bill without it
                // belongs to the whole customer.
                text(it, "contratos").is_none_or(|list| {
                    list.split([',', ';', ' '])
                        .any(|it| it.trim() == id.contract)
                })
            })
            .collect();
        pending.sort_by_key(|it| date_field(it, "data_vencimento"));
        let mut bills = Vec::new();
        for record in pending.into_iter().take(MAX_BILLS) {
            let bill_id = text(record, "codfatura")
                .ok_or(ErpError::malformed("MK bill without codfatura"))?;
            let copy = self
                .rule("WSMKSegundaViaCobranca", &[("cd_fatura", &bill_id)])
                .await?;
            bills.push(Bill {
                due_date: date_field(record, "data_vencimento").ok_or_else(|| {
                    ErpError::malformed(format!("MK bill {bill_id} without a due date"))
                })?,
                amount_cents: cents_field(record, "valor_total").ok_or_else(|| {
                    ErpError::malformed(format!("MK bill {bill_id} without an amount"))
                })?,
                linha_digitavel: first_text(
                    &copy,
                    &["LinhaDigitavel", "linha_digitavel", "linhadigitavel"],
                )
                .and_then(|it| linha(&it)),
                pix_copia_e_cola: first_text(
                    &copy,
                    &["PixCopiaECola", "pix_copia_cola", "CodigoPix", "pix"],
                ),
                pdf: first_text(&copy, &["UrlBoleto", "url_boleto", "LinkBoleto", "url"])
                    .map(|url| Attachment::Url { url }),
                id: bill_id,
            });
        }
        if bills.is_empty() {
            return Err(ErpError::not_found(Missing::OpenBill));
        }
        Ok(Response::Bills { bills })
    }

    /// `WSMKAutoDesbloqueio`: `status: OK`, or `ERRO` with "Status na conexão
    /// incompatível para auto-desbloqueio." (not blocked) or "Operação indisponível
    /// para esta conexão." (the period's unlock was used).
    async fn trust_unlock(&self, contract_id: &str) -> Result<Response, ErpError> {
        let connection = ContractId::parse(contract_id)?.connection;
        match self
            .rule("WSMKAutoDesbloqueio", &[("cd_conexao", connection)])
            .await
        {
            Ok(value) => {
                let message = first_text(&value, &["Mensagem", "mensagem"]).unwrap_or_default();
                let until = date_in(&message)
                    .unwrap_or_else(|| today() + time::Duration::days(i64::from(self.unlock_days)));
                Ok(Response::Unlocked { until })
            }
            Err(ErpError::Failed { detail }) => {
                let lowered = detail.to_lowercase();
                Err(if lowered.contains("incompat") {
                    ErpError::refused(Refusal::NotBlocked, detail)
                } else if lowered.contains("indispon") {
                    ErpError::Refused {
                        reason: Refusal::TrustUnlockUsed,
                        next_allowed: date_in(&detail),
                        detail,
                    }
                } else {
                    ErpError::refused(Refusal::Other, detail)
                })
            }
            Err(other) => Err(other),
        }
    }
}

fn check(value: Value) -> Result<Value, ErpError> {
    if text(&value, "status").as_deref() != Some("ERRO") {
        return Ok(value);
    }
    let message = first_text(&value, &["Mensagem", "Message", "mensagem"]).unwrap_or_default();
    let code = text(&value, "Num. ERRO").unwrap_or_default();
    Err(match code.as_str() {
        "001" | "999" => ErpError::Auth { detail: message },
        "002" | "003" => ErpError::not_found(Missing::Customer),
        _ => ErpError::failed(message),
    })
}

struct ContractId<'a> {
    customer: &'a str,
    connection: &'a str,
    contract: &'a str,
}

impl<'a> ContractId<'a> {
    fn parse(id: &'a str) -> Result<ContractId<'a>, ErpError> {
        let mut parts = id.splitn(3, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(customer), Some(connection), Some(contract)) => Ok(ContractId {
                customer,
                connection,
                contract,
            }),
            _ => Err(ErpError::not_found(Missing::Contract)),
        }
    }
}

fn contract(customer_id: &str, connection: &Value) -> Option<Contract> {
    let connection_id = text(connection, "codconexao")?;
    let contract_number = text(connection, "contrato").unwrap_or_default();
    let plan = first_text(connection, &["plano", "descricao_plano", "username"])
        .unwrap_or_else(|| format!("Conexão {connection_id}"));
    Some(Contract {
        id: format!("{customer_id}/{connection_id}/{contract_number}"),
        plan,
        address: first_text(connection, &["endereco", "Endereco"]).unwrap_or_default(),
        status: diagnosis(connection),
    })
}

/// `bloqueada` (Sim/Não) with `motivo_bloqueio`, and `esta_reduzida` (Sim/Não).
fn diagnosis(connection: &Value) -> Diagnosis {
    let yes = |key: &str| text(connection, key).is_some_and(|it| it.eq_ignore_ascii_case("sim"));
    if yes("bloqueada") {
        let reason = text(connection, "motivo_bloqueio")
            .unwrap_or_default()
            .to_lowercase();
        if reason.contains("financ")
            || reason.contains("débito")
            || reason.contains("debito")
            || reason.contains("atraso")
        {
            Diagnosis::Overdue
        } else {
            Diagnosis::Blocked
        }
    } else if yes("esta_reduzida") {
        Diagnosis::Reduced
    } else {
        Diagnosis::Active
    }
}

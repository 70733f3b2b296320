//! The generic adapter's `ErpApi` methods: each names its configured endpoint, the
//! placeholder values it fills and what "not found" means for it, and reads the
//! answer into the `Response` of its operation through the configured fields.
//!
//! Every method is written, because which ones exist is configuration, not code: an
//! operation without an endpoint is `unsupported` at call time, and the dispatch has
//! already applied the system's row of the matrix.

use fluxo_stdlib::erp::ErpSystem;
use serde_json::Value;
use time::Duration;

use super::template::Values;
use super::GenericHttpErp;
use crate::erp::http::contracts_found;
use crate::erp::http::json::{cents, date, date_in, linha, phone, scalar};
use crate::erp::{today, wire, ErpApi, ErpError, Missing, Response, Secret};
use crate::erp::{Attachment, Bill, Contract, Customer, Invoice};

/// One operation's call: its name (for errors), the values its templates may use,
/// and what a `not_found_when` answer did not find.
pub(super) struct Call {
    pub operation: &'static str,
    pub values: Values,
    pub missing: Missing,
}

impl Call {
    fn new(operation: &'static str, missing: Missing) -> Call {
        Call {
            operation,
            values: Values::new(&wire::iso_date(today())),
            missing,
        }
    }

    fn with(self, name: &'static str, value: &str) -> Call {
        Call {
            values: self.values.with(name, value),
            ..self
        }
    }

    fn with_document(self, document: &str) -> Call {
        Call {
            values: self.values.with_document(document),
            ..self
        }
    }
}

impl GenericHttpErp {
    /// Both lookups read a customer the same way.
    async fn customer(&self, call: Call) -> Result<Response, ErpError> {
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        let item = self
            .first_item(endpoint, &answer)
            .ok_or(ErpError::not_found(call.missing))?;
        let id = endpoint
            .field(item, "id")
            .ok_or(ErpError::not_found(call.missing))?;
        let phones = endpoint
            .value(item, "phones")
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
            name: endpoint.field(item, "name").unwrap_or_default(),
            document: endpoint
                .field(item, "document")
                .map(|it| it.chars().filter(char::is_ascii_alphanumeric).collect())
                .unwrap_or_default(),
            phones,
        }))
    }

    /// A call whose answer says nothing the card needs beyond success.
    async fn done(&self, call: Call, response: Response) -> Result<Response, ErpError> {
        self.answer(call.operation, &call).await?;
        Ok(response)
    }
}

impl ErpApi for GenericHttpErp {
    fn system(&self) -> ErpSystem {
        self.system
    }

    async fn find_customer_by_document(&self, document: &str) -> Result<Response, ErpError> {
        let call = Call::new("find_customer_by_document", Missing::Customer);
        self.customer(call.with_document(document)).await
    }

    async fn find_customer_by_phone(&self, phone: &str) -> Result<Response, ErpError> {
        let call = Call::new("find_customer_by_phone", Missing::Customer);
        self.customer(call.with("phone", phone)).await
    }

    async fn list_contracts(&self, customer_id: &str) -> Result<Response, ErpError> {
        let call = Call::new("list_contracts", Missing::Contract).with("customer_id", customer_id);
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        let mut contracts = Vec::new();
        for item in self.items(endpoint, &answer)? {
            let Some(id) = endpoint.field(item, "id") else {
                continue;
            };
            contracts.push(Contract {
                plan: endpoint
                    .field(item, "plan")
                    .unwrap_or_else(|| format!("Contrato {id}")),
                address: endpoint.field(item, "address").unwrap_or_default(),
                status: self.status(endpoint.field(item, "status"))?,
                id,
            });
        }
        contracts_found(contracts)
    }

    async fn second_copy(&self, contract_id: &str) -> Result<Response, ErpError> {
        let call = Call::new("second_copy", Missing::OpenBill).with("contract_id", contract_id);
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        let mut bills = Vec::new();
        for item in self.items(endpoint, &answer)? {
            let id = endpoint
                .field(item, "id")
                .ok_or(ErpError::malformed("a bill without id"))?;
            bills.push(Bill {
                due_date: endpoint
                    .field(item, "due_date")
                    .and_then(|it| date(&it))
                    .ok_or_else(|| {
                        ErpError::malformed(format!("bill {id}: no readable due_date"))
                    })?,
                amount_cents: endpoint
                    .value(item, "amount")
                    .and_then(cents)
                    .ok_or_else(|| ErpError::malformed(format!("bill {id}: no readable amount")))?,
                linha_digitavel: endpoint
                    .field(item, "linha_digitavel")
                    .and_then(|it| linha(&it)),
                pix_copia_e_cola: endpoint.field(item, "pix"),
                pdf: endpoint
                    .field(item, "pdf_url")
                    .map(|url| Attachment::Url { url }),
                id,
            });
        }
        if bills.is_empty() {
            return Err(ErpError::not_found(call.missing));
        }
        bills.sort_by_key(|it| it.due_date);
        Ok(Response::Bills { bills })
    }

    async fn invoice(&self, contract_id: &str) -> Result<Response, ErpError> {
        let call = Call::new("invoice", Missing::Invoice).with("contract_id", contract_id);
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        let item = self
            .first_item(endpoint, &answer)
            .ok_or(ErpError::not_found(call.missing))?;
        let number = endpoint
            .field(item, "number")
            .ok_or(ErpError::not_found(call.missing))?;
        let url = endpoint
            .field(item, "pdf_url")
            .ok_or(ErpError::malformed("a nota fiscal without pdf_url"))?;
        Ok(Response::Invoice(Invoice {
            number,
            issued_on: endpoint.field(item, "issued_on").and_then(|it| date(&it)),
            amount_cents: endpoint.value(item, "amount").and_then(cents),
            pdf: Attachment::Url { url },
        }))
    }

    async fn trust_unlock(&self, contract_id: &str) -> Result<Response, ErpError> {
        let call = Call::new("trust_unlock", Missing::Contract).with("contract_id", contract_id);
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        let until = endpoint
            .field(&answer, "until")
            .and_then(|it| date(&it).or_else(|| date_in(&it)))
            .unwrap_or_else(|| today() + Duration::days(i64::from(self.unlock_days)));
        Ok(Response::Unlocked { until })
    }

    async fn release_speed(&self, contract_id: &str) -> Result<Response, ErpError> {
        let call = Call::new("release_speed", Missing::Contract).with("contract_id", contract_id);
        self.done(call, Response::SpeedReleased).await
    }

    async fn diagnose(&self, contract_id: &str) -> Result<Response, ErpError> {
        let call = Call::new("diagnose", Missing::Contract).with("contract_id", contract_id);
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        Ok(Response::Diagnosis {
            diagnosis: self.status(endpoint.field(&answer, "status"))?,
        })
    }

    async fn contract_document(
        &self,
        contract_id: &str,
        phone: &str,
    ) -> Result<Response, ErpError> {
        let call = Call::new("contract_document", Missing::Contract)
            .with("contract_id", contract_id)
            .with("phone", phone);
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        let url = endpoint
            .field(&answer, "pdf_url")
            .ok_or(ErpError::malformed("no pdf_url in the answer"))?;
        Ok(Response::ContractDocument {
            document: Attachment::Url { url },
        })
    }

    async fn sign_contract(&self, contract_id: &str, phone: &str) -> Result<Response, ErpError> {
        let call = Call::new("sign_contract", Missing::Contract)
            .with("contract_id", contract_id)
            .with("phone", phone);
        self.done(call, Response::Signed).await
    }

    /// Two configured lists, `ticket_departments` and `ticket_subjects`.
    async fn list_ticket_options(&self) -> Result<Response, ErpError> {
        let call = Call::new("list_ticket_options", Missing::TicketOption);
        let departments = self.named_list("ticket_departments", &call).await?;
        let subjects = self.named_list("ticket_subjects", &call).await?;
        Ok(Response::TicketOptions {
            departments,
            subjects,
        })
    }

    async fn open_ticket(
        &self,
        contract_id: &str,
        department: &str,
        subject: &str,
        description: &str,
    ) -> Result<Response, ErpError> {
        let call = Call::new("open_ticket", Missing::TicketOption)
            .with("contract_id", contract_id)
            .with("department", department)
            .with("subject", subject)
            .with("description", description);
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        Ok(Response::TicketOpened {
            protocol: endpoint
                .field(&answer, "protocol")
                .ok_or(ErpError::malformed("no protocol in the answer"))?,
        })
    }

    async fn authenticate(
        &self,
        document: &str,
        login: &str,
        password: &Secret,
    ) -> Result<Response, ErpError> {
        let call = Call::new("authenticate", Missing::Customer)
            .with_document(document)
            .with("login", login)
            .with("password", password.expose());
        let (endpoint, answer) = self.answer(call.operation, &call).await?;
        Ok(Response::Authenticated {
            customer_id: endpoint.field(&answer, "customer_id").unwrap_or_default(),
        })
    }

    async fn wifi_password(
        &self,
        contract_id: &str,
        password: &Secret,
    ) -> Result<Response, ErpError> {
        let call = Call::new("wifi_password", Missing::Contract)
            .with("contract_id", contract_id)
            .with("password", password.expose());
        self.done(call, Response::WifiChanged).await
    }
}

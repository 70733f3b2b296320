//! What the ERP answers: one `Response` variant per kind of data the `erp.*`
//! dialogues show or branch on, normalised across ERPs.
//!
//! Money is integer cents, dates are calendar dates, statuses are the stdlib's
//! `Diagnosis`. Nothing here knows how an ERP spells these on the wire.

use fluxo_stdlib::erp::Diagnosis;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::erp::wire;

/// The answer to a successful `Request`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    /// `FindCustomerByDocument`, `FindCustomerByPhone`.
    Customer(Customer),
    /// `ListContracts`: never empty (a customer without contracts is `NotFound`).
    Contracts { contracts: Vec<Contract> },
    /// `SecondCopy`: the contract's open bills, oldest due date first, never empty.
    Bills { bills: Vec<Bill> },
    /// `Invoice`: the contract's latest nota fiscal.
    Invoice(Invoice),
    /// `TrustUnlock`: the connection is unlocked through `until` (inclusive).
    Unlocked {
        #[serde(with = "wire::date")]
        until: Date,
    },
    /// `ReleaseSpeed`.
    SpeedReleased,
    /// `Diagnose`.
    Diagnosis {
        #[serde(with = "wire::diagnosis")]
        diagnosis: Diagnosis,
    },
    /// `ContractDocument`: the contract to show before asking for the acceptance.
    ContractDocument { document: Attachment },
    /// `SignContract`: accepted; the contract and its connection are active.
    Signed,
    /// `ListTicketOptions`.
    TicketOptions {
        departments: Vec<Named>,
        subjects: Vec<Named>,
    },
    /// `OpenTicket`: the ERP's protocol (ticket number) to tell the customer.
    TicketOpened { protocol: String },
    /// `Authenticate`: the credentials are right for this registration.
    Authenticated { customer_id: String },
    /// `WifiPassword`: the router has the new password.
    WifiChanged,
}

/// A registration (cliente) in the ERP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Opaque; pass it back in `ListContracts`.
    pub id: String,
    /// Name or company name, as registered.
    pub name: String,
    /// CPF or CNPJ, bare characters (`52998224725`).
    pub document: String,
    /// Registered phones, E.164 when the ERP's value could be read as a Brazilian number
    /// (`+5548999990000`), otherwise as the ERP holds them.
    pub phones: Vec<String>,
}

/// A contract (or service, or connection: whatever unit the ERP acts on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// Opaque; pass it back in contract-level requests.
    pub id: String,
    /// The plan's name, to tell contracts apart in a menu.
    pub plan: String,
    /// The installation address, when the ERP gives one (empty otherwise).
    pub address: String,
    #[serde(with = "wire::diagnosis")]
    pub status: Diagnosis,
}

/// An open bill (fatura / boleto).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    pub id: String,
    #[serde(with = "wire::date")]
    pub due_date: Date,
    pub amount_cents: u64,
    /// The 47-digit linha digitável, digits only, when the bill is a boleto.
    pub linha_digitavel: Option<String>,
    /// The Pix copia-e-cola (BR Code), when the bank offers it on this boleto.
    pub pix_copia_e_cola: Option<String>,
    /// The boleto's PDF, when the ERP gives one.
    pub pdf: Option<Attachment>,
}

/// A nota fiscal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub number: String,
    #[serde(with = "wire::option_date")]
    pub issued_on: Option<Date>,
    pub amount_cents: Option<u64>,
    pub pdf: Attachment,
}

/// A file to send to the customer: a link, or the bytes themselves (base64) when the
/// ERP returns the PDF in its answer. The Opa message API takes both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Attachment {
    Url { url: String },
    Inline { file_name: String, base64: String },
}

impl Attachment {
    /// What a transcript line shows: the URL, or the file name.
    pub fn label(&self) -> &str {
        match self {
            Attachment::Url { url } => url,
            Attachment::Inline { file_name, .. } => file_name,
        }
    }
}

/// An id with the name a customer picks it by (ticket departments and subjects).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn round_trips_through_json() {
        let responses = [
            Response::Unlocked {
                until: date!(2026 - 11 - 26),
            },
            Response::Diagnosis {
                diagnosis: Diagnosis::Overdue,
            },
            Response::Contracts {
                contracts: vec![Contract {
                    id: "12".into(),
                    plan: "FIBRA 500M".into(),
                    address: "Rua A, 1".into(),
                    status: Diagnosis::AwaitingSignature,
                }],
            },
            Response::ContractDocument {
                document: Attachment::Inline {
                    file_name: "contrato.pdf".into(),
                    base64: "JVBERi0=".into(),
                },
            },
        ];
        for response in responses {
            let json = serde_json::to_string(&response).unwrap();
            let back: Response = serde_json::from_str(&json).unwrap();
            assert_eq!(back, response, "{json}");
        }
        let json = serde_json::to_value(Response::Unlocked {
            until: date!(2026 - 11 - 26),
        })
        .unwrap();
        assert_eq!(json["until"], "2026-11-26");
        assert_eq!(json["kind"], "unlocked");
    }
}

//! What an ERP card asks of the ERP: one primitive data operation per `Request`.
//!
//! The VM's `erp.*` dialogues are built from these (find the customer, list the
//! contracts, then act on the chosen one). This module knows nothing of HTTP or of
//! any particular ERP; ids are opaque strings that an adapter hands out in a
//! `Response` and gets back in a later `Request`.

use fluxo_stdlib::erp::ErpAction;
use serde::{Deserialize, Serialize};

use crate::erp::secret::Secret;

/// One operation on the ERP. Serialisable so that a suspended session's snapshot can
/// hold the request it is waiting on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// The registration of a CPF or CNPJ, typed with or without punctuation.
    FindCustomerByDocument { document: String },
    /// The registration a phone number belongs to (the `auto_link` card). Any common
    /// Brazilian form is accepted: `+5548999990000`, `(48) 99999-0000`.
    FindCustomerByPhone { phone: String },
    /// The contracts of a customer found by one of the two calls above.
    ListContracts { customer_id: String },
    /// The open bills of a contract (`erp.second_copy`).
    SecondCopy { contract_id: String },
    /// The latest nota fiscal of a contract (`erp.invoice`).
    Invoice { contract_id: String },
    /// Desbloqueio de confiança (`erp.trust_unlock`).
    TrustUnlock { contract_id: String },
    /// Lifts a reduced-speed restriction (`erp.release_speed`).
    ReleaseSpeed { contract_id: String },
    /// The state of a contract's connection (`erp.diagnose`).
    Diagnose { contract_id: String },
    /// The PDF of a contract awaiting signature, to show before the acceptance
    /// (`erp.sign_contract`). `phone` is the contact's number: the acceptance is valid
    /// only from a number registered to the contract's owner.
    ContractDocument { contract_id: String, phone: String },
    /// Records the electronic acceptance and activates the contract and its connection.
    SignContract { contract_id: String, phone: String },
    /// The departments and subjects a ticket may be opened under (`erp.open_ticket`).
    ListTicketOptions,
    /// Opens a ticket; `department` and `subject` are ids from `ListTicketOptions`.
    OpenTicket {
        contract_id: String,
        department: String,
        subject: String,
        description: String,
    },
    /// Checks the subscriber-central login and password of a registration
    /// (`erp.authenticate`).
    Authenticate {
        document: String,
        login: String,
        password: Secret,
    },
    /// Changes the router's Wi-Fi password through the ERP's ACS (`erp.wifi_password`).
    WifiPassword {
        contract_id: String,
        password: Secret,
    },
}

impl Request {
    /// The card action this request serves, or `None` for the lookups every action
    /// shares. An adapter refuses a request whose action its ERP does not offer.
    pub fn action(&self) -> Option<ErpAction> {
        match self {
            Request::FindCustomerByDocument { .. }
            | Request::FindCustomerByPhone { .. }
            | Request::ListContracts { .. } => None,
            Request::SecondCopy { .. } => Some(ErpAction::SecondCopy),
            Request::Invoice { .. } => Some(ErpAction::Invoice),
            Request::TrustUnlock { .. } => Some(ErpAction::TrustUnlock),
            Request::ReleaseSpeed { .. } => Some(ErpAction::ReleaseSpeed),
            Request::Diagnose { .. } => Some(ErpAction::Diagnose),
            Request::ContractDocument { .. } | Request::SignContract { .. } => {
                Some(ErpAction::SignContract)
            }
            Request::ListTicketOptions | Request::OpenTicket { .. } => Some(ErpAction::OpenTicket),
            Request::Authenticate { .. } => Some(ErpAction::Authenticate),
            Request::WifiPassword { .. } => Some(ErpAction::WifiPassword),
        }
    }

    /// The operation's name, as in the serialised form (`find_customer_by_document`).
    pub fn op(&self) -> &'static str {
        match self {
            Request::FindCustomerByDocument { .. } => "find_customer_by_document",
            Request::FindCustomerByPhone { .. } => "find_customer_by_phone",
            Request::ListContracts { .. } => "list_contracts",
            Request::SecondCopy { .. } => "second_copy",
            Request::Invoice { .. } => "invoice",
            Request::TrustUnlock { .. } => "trust_unlock",
            Request::ReleaseSpeed { .. } => "release_speed",
            Request::Diagnose { .. } => "diagnose",
            Request::ContractDocument { .. } => "contract_document",
            Request::SignContract { .. } => "sign_contract",
            Request::ListTicketOptions => "list_ticket_options",
            Request::OpenTicket { .. } => "open_ticket",
            Request::Authenticate { .. } => "authenticate",
            Request::WifiPassword { .. } => "wifi_password",
        }
    }

    /// Whether the request only reads. Only reads may be retried: repeating an unlock,
    /// a signature, a ticket or a password change could do it twice.
    pub fn is_read(&self) -> bool {
        match self {
            Request::FindCustomerByDocument { .. }
            | Request::FindCustomerByPhone { .. }
            | Request::ListContracts { .. }
            | Request::SecondCopy { .. }
            | Request::Invoice { .. }
            | Request::Diagnose { .. }
            | Request::ContractDocument { .. }
            | Request::ListTicketOptions
            | Request::Authenticate { .. } => true,
            Request::TrustUnlock { .. }
            | Request::ReleaseSpeed { .. }
            | Request::SignContract { .. }
            | Request::OpenTicket { .. }
            | Request::WifiPassword { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_an_op_tag() {
        let request = Request::OpenTicket {
            contract_id: "7".into(),
            department: "2".into(),
            subject: "15".into(),
            description: "Sem sinal".into(),
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["op"], "open_ticket");
        assert_eq!(json["op"], request.op());
        let back: Request = serde_json::from_value(json).unwrap();
        assert_eq!(back, request);
        let bare: Request = serde_json::from_str(r#"{"op":"list_ticket_options"}"#).unwrap();
        assert_eq!(bare, Request::ListTicketOptions);
    }

    #[test]
    fn only_reads_are_reads() {
        let unlock = Request::TrustUnlock {
            contract_id: "1".into(),
        };
        assert!(!unlock.is_read());
        assert_eq!(unlock.action(), Some(ErpAction::TrustUnlock));
        let find = Request::FindCustomerByPhone {
            phone: "48999990000".into(),
        };
        assert!(find.is_read());
        assert_eq!(find.action(), None);
    }
}

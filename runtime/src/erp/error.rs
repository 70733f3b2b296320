//! Why an ERP request did not succeed, split the way an `erp.*` card reacts:
//! the customer's input was wrong (`NotFound`: ask again), the ERP said no for a
//! business reason (`Refused`: tell the customer, maybe hand to a human), the ERP
//! lacks the operation (`Unsupported`: a configuration mistake), or the
//! infrastructure failed (the card's fail path).

use std::fmt;

use fluxo_stdlib::erp::ErpSystem;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::erp::wire;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ErpError {
    /// Nothing matches what the customer gave: a wrong CPF/CNPJ is an invalid answer,
    /// asked again within the card's retries.
    NotFound { what: Missing },
    /// The ERP declined the operation. `detail` is the ERP's own message when it sent
    /// one (often Portuguese), for logs and attendants.
    Refused {
        reason: Refusal,
        detail: String,
        /// For a trust unlock already used: the first day it may be used again.
        #[serde(with = "wire::option_date", default)]
        next_allowed: Option<Date>,
    },
    /// The ERP (or this adapter's configuration of it) does not offer the operation.
    Unsupported {
        #[serde(with = "wire::system")]
        system: ErpSystem,
        operation: String,
    },
    /// The ERP could not be reached, or the circuit breaker is open.
    Unavailable { detail: String },
    /// No answer within the configured time.
    Timeout { after_ms: u64 },
    /// An HTTP status that is neither success nor an authentication failure.
    Http { status: u16, detail: String },
    /// The ERP refused Fluxo's own credentials (not the customer's).
    Auth { detail: String },
    /// The answer could not be read as the ERP's documented shape.
    Malformed { detail: String },
    /// The ERP reported an error of its own (a missing permission, an internal
    /// failure) rather than a decision about the customer.
    Failed { detail: String },
}

/// What `NotFound` did not find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    Customer,
    Contract,
    /// The contract has no open bill.
    OpenBill,
    Invoice,
    /// A ticket department or subject id the ERP does not have.
    TicketOption,
}

/// Why the ERP declined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The trust unlock was already used in this period (`next_allowed` says when).
    TrustUnlockUsed,
    /// A trust unlock on a connection that is not blocked.
    NotBlocked,
    /// A speed release on a contract without a reduced-speed restriction.
    NotReduced,
    /// An acceptance for a contract that is not awaiting signature.
    NotAwaitingSignature,
    /// An acceptance from a number that is not registered to the contract's owner.
    PhoneNotRegistered,
    /// A Wi-Fi password the ERP does not take (it needs more than 8 characters).
    InvalidPassword,
    /// Wrong subscriber-central login or password.
    WrongCredentials,
    /// The contract is cancelled or inactive.
    ContractInactive,
    /// Any other business refusal; `detail` has the ERP's words.
    Other,
}

impl ErpError {
    /// Failures of the ERP or the network rather than answers about the customer:
    /// these count towards the circuit breaker and send the card to its fail path.
    pub fn is_infrastructure(&self) -> bool {
        match self {
            ErpError::NotFound { .. } | ErpError::Refused { .. } | ErpError::Unsupported { .. } => {
                false
            }
            ErpError::Unavailable { .. }
            | ErpError::Timeout { .. }
            | ErpError::Http { .. }
            | ErpError::Auth { .. }
            | ErpError::Malformed { .. }
            | ErpError::Failed { .. } => true,
        }
    }

    /// Infrastructure failures that a second attempt may not meet: the ERP was
    /// unreachable, slow, overloaded or failing inside (5xx, 429).
    pub fn is_transient(&self) -> bool {
        match self {
            ErpError::Unavailable { .. } | ErpError::Timeout { .. } => true,
            ErpError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    pub fn refused(reason: Refusal, detail: impl Into<String>) -> ErpError {
        ErpError::Refused {
            reason,
            detail: detail.into(),
            next_allowed: None,
        }
    }

    pub fn malformed(detail: impl Into<String>) -> ErpError {
        ErpError::Malformed {
            detail: detail.into(),
        }
    }

    pub fn failed(detail: impl Into<String>) -> ErpError {
        ErpError::Failed {
            detail: detail.into(),
        }
    }

    pub fn not_found(what: Missing) -> ErpError {
        ErpError::NotFound { what }
    }
}

impl fmt::Display for ErpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErpError::NotFound { what } => write!(f, "the ERP has no {what}"),
            ErpError::Refused {
                reason,
                detail,
                next_allowed,
            } => {
                write!(f, "the ERP refused: {reason}")?;
                if let Some(date) = next_allowed {
                    write!(f, "; next allowed on {}", wire::iso_date(*date))?;
                }
                if !detail.is_empty() {
                    write!(f, " ({detail})")?;
                }
                Ok(())
            }
            ErpError::Unsupported { system, operation } => {
                write!(f, "{} does not offer {operation}", system.title())
            }
            ErpError::Unavailable { detail } => write!(f, "the ERP is unavailable: {detail}"),
            ErpError::Timeout { after_ms } => {
                write!(f, "the ERP did not answer within {after_ms} ms")
            }
            ErpError::Http { status, detail } => {
                write!(f, "the ERP answered HTTP {status}")?;
                if !detail.is_empty() {
                    write!(f, ": {detail}")?;
                }
                Ok(())
            }
            ErpError::Auth { detail } => {
                write!(f, "the ERP refused Fluxo's credentials: {detail}")
            }
            ErpError::Malformed { detail } => {
                write!(f, "the ERP's answer could not be read: {detail}")
            }
            ErpError::Failed { detail } => write!(f, "the ERP reported an error: {detail}"),
        }
    }
}

impl std::error::Error for ErpError {}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Missing::Customer => "customer with that document or phone",
            Missing::Contract => "such contract",
            Missing::OpenBill => "open bill for this contract",
            Missing::Invoice => "nota fiscal for this contract",
            Missing::TicketOption => "such ticket department or subject",
        })
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::TrustUnlockUsed => "the trust unlock was already used this month",
            Refusal::NotBlocked => "the connection is not blocked",
            Refusal::NotReduced => "the contract has no reduced-speed restriction",
            Refusal::NotAwaitingSignature => "the contract is not awaiting signature",
            Refusal::PhoneNotRegistered => {
                "the contact's phone is not registered to the contract's owner"
            }
            Refusal::InvalidPassword => "the Wi-Fi password must have 9 to 63 printable characters",
            Refusal::WrongCredentials => "wrong subscriber-central login or password",
            Refusal::ContractInactive => "the contract is inactive",
            Refusal::Other => "the operation was declined",
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn messages_read_as_english() {
        let used = ErpError::Refused {
            reason: Refusal::TrustUnlockUsed,
            detail: String::new(),
            next_allowed: Some(date!(2026 - 12 - 01)),
        };
        assert_eq!(
            used.to_string(),
            "the ERP refused: the trust unlock was already used this month; next allowed on 2026-12-01"
        );
        assert_eq!(
            ErpError::not_found(Missing::Customer).to_string(),
            "the ERP has no customer with that document or phone"
        );
        let unsupported = ErpError::Unsupported {
            system: ErpSystem::Sgp,
            operation: "diagnose".into(),
        };
        assert_eq!(unsupported.to_string(), "SGP does not offer diagnose");
        assert_eq!(
            ErpError::Timeout { after_ms: 8000 }.to_string(),
            "the ERP did not answer within 8000 ms"
        );
    }

    #[test]
    fn infrastructure_and_business_are_apart() {
        assert!(ErpError::Timeout { after_ms: 1 }.is_infrastructure());
        assert!(!ErpError::not_found(Missing::Contract).is_infrastructure());
        assert!(ErpError::Http {
            status: 503,
            detail: String::new()
        }
        .is_transient());
        assert!(!ErpError::Http {
            status: 404,
            detail: String::new()
        }
        .is_transient());
        assert!(!ErpError::Auth {
            detail: String::new()
        }
        .is_transient());
    }

    #[test]
    fn round_trips_through_json() {
        let error = ErpError::Unsupported {
            system: ErpSystem::Mkauth,
            operation: "trust_unlock".into(),
        };
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(
            json,
            r#"{"error":"unsupported","system":"mkauth","operation":"trust_unlock"}"#
        );
        assert_eq!(serde_json::from_str::<ErpError>(&json).unwrap(), error);
    }
}

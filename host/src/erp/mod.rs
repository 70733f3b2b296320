//! What answers the VM's ERP host calls: the `ErpAdapter` trait the driver calls, and
//! the adapters: the deterministic simulated ERP, HTTP clients for the ERPs with a public
//! API, a configurable generic HTTP adapter for those without, and a resilience
//! wrapper (timeout, retries of reads, circuit breaker).
//!
//! The VM never sees HTTP: it yields a `Request` and is resumed with
//! `Result<Response, ErpError>`, the vocabulary `fluxo_runtime::erp` owns and this
//! module re-exports. Which actions an ERP offers is the stdlib's
//! capability matrix; every adapter refuses the rest with `ErpError::Unsupported`.
//! Nothing here reads files or the environment: the CLI hands in fixture text and an
//! environment lookup.
//!
//! ```
//! use fluxo_host::erp::{Request, Response, SimulatedErp};
//! use time::macros::date;
//!
//! let fixture = r#"{"customers": [{"id": "1", "name": "Ana", "document": "529.982.247-25",
//!     "phones": ["+5548999990000"], "contracts": [{"id": "10", "plan": "Fibra 300M",
//!     "status": "active"}]}]}"#;
//! let erp = SimulatedErp::from_json(fixture).unwrap();
//! let found = erp.handle(&Request::FindCustomerByPhone { phone: "(48) 99999-0000".into() },
//!     date!(2026 - 11 - 23));
//! assert!(matches!(found, Ok(Response::Customer(c)) if c.id == "1"));
//! ```

pub mod boleto;
pub mod config;
mod generic;
mod http;
mod hubsoft;
mod ixc;
mod mkauth;
mod mksolutions;
pub mod pix;
mod resilience;
mod sgp;
mod simulated;
mod synsuite;

use std::future::Future;
use std::pin::Pin;

use fluxo_stdlib::erp::ErpSystem;
use time::{Date, OffsetDateTime, UtcOffset};

pub use fluxo_runtime::erp::{
    mask_document, mask_phone, wire, Attachment, Bill, Contract, Customer, ErpError, Invoice,
    Missing, Named, Refusal, Request, Response, Secret,
};
pub use generic::{Condition, GenericAuth, GenericConfig, GenericEndpoint, GenericHttpErp};
pub use http::HttpSettings;
pub use hubsoft::{Hubsoft, HubsoftCredentials};
pub use ixc::Ixc;
pub use mkauth::{MkAuth, MkAuthCredentials};
pub use mksolutions::{MkSolutions, MkSolutionsCredentials};
pub use resilience::{Resilience, Resilient};
pub use sgp::{Sgp, SgpCredentials};
pub use simulated::{FixtureError, SimulatedErp};
pub use synsuite::{Synsuite, SynsuiteCredentials};

/// The future an adapter's `call` returns.
pub type ErpFuture<'a> = Pin<Box<dyn Future<Output = Result<Response, ErpError>> + Send + 'a>>;

/// Something that executes ERP requests: a real ERP over HTTP, the simulated ERP, or a
/// wrapper around another adapter.
pub trait ErpAdapter: Send + Sync {
    fn system(&self) -> ErpSystem;

    /// Executes one request. A request whose action `system()` does not offer (the
    /// capability matrix) fails with `ErpError::Unsupported` without any I/O.
    fn call(&self, request: Request) -> ErpFuture<'_>;
}

/// Refuses a request whose card action `system` does not offer.
pub(crate) fn ensure_offered(system: ErpSystem, request: &Request) -> Result<(), ErpError> {
    match request.action() {
        Some(action) if !system.offers(action) => Err(unsupported(system, request)),
        _ => Ok(()),
    }
}

/// Today in Brasília, which has kept UTC-3 all year since 2019: the date real ERPs
/// reason in, for answers that leave the end of a trust unlock implicit.
pub(crate) fn today_in_brasilia() -> Date {
    let brasilia = UtcOffset::from_hms(-3, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::now_utc().to_offset(brasilia).date()
}

pub(crate) fn unsupported(system: ErpSystem, request: &Request) -> ErpError {
    ErpError::Unsupported {
        system,
        operation: request.op().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use fluxo_stdlib::erp::ErpAction;

    use super::*;

    #[test]
    fn the_matrix_guards_every_action() {
        let unlock = Request::TrustUnlock {
            contract_id: "1".into(),
        };
        assert!(ensure_offered(ErpSystem::Sgp, &unlock).is_ok());
        assert_eq!(
            ensure_offered(ErpSystem::Hubsoft, &unlock),
            Err(ErpError::Unsupported {
                system: ErpSystem::Hubsoft,
                operation: "trust_unlock".into()
            })
        );
        let lookup = Request::ListContracts {
            customer_id: "1".into(),
        };
        for system in ErpSystem::ALL {
            assert!(ensure_offered(system, &lookup).is_ok());
            assert!(system.offers(ErpAction::SecondCopy));
        }
    }
}

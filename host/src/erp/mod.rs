//! What answers the VM's ERP host calls: the `ErpAdapter` trait the driver calls and
//! the per-action `ErpApi` trait adapters implement (`adapter`), and the adapters:
//! the deterministic simulated ERP, HTTP clients for the ERPs with a public API, a
//! configurable generic HTTP adapter for those without, and a resilience wrapper
//! (timeout, retries of reads, circuit breaker).
//!
//! The VM never sees HTTP: it yields a `Request` and is resumed with
//! `Result<Response, ErpError>`, the vocabulary `fluxo_runtime::erp` owns and this
//! module re-exports. Which actions an ERP offers is the stdlib's
//! capability matrix; the one dispatch in `adapter` refuses the rest with
//! `ErpError::Unsupported` before any adapter code runs.
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

mod adapter;
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

use time::{Date, OffsetDateTime, UtcOffset};

pub use adapter::{ErpAdapter, ErpApi, ErpFuture};
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

tokio::task_local! {
    static CONVERSATION_DAY: Date;
}

/// Runs `call` (an adapter's `call`) with the conversation's date, so that dates an
/// adapter computes (the end of a trust unlock when the ERP's answer does not say it,
/// the generic adapter's `{today}`) follow the conversation's clock (`--now`, a
/// replayed transcript) rather than the wall clock.
pub async fn on_conversation_day<F: std::future::Future>(today: Date, call: F) -> F::Output {
    CONVERSATION_DAY.scope(today, call).await
}

/// The conversation's date when the caller gave one (`on_conversation_day`), else
/// today in Brasília.
pub(crate) fn today() -> Date {
    CONVERSATION_DAY
        .try_with(|day| *day)
        .unwrap_or_else(|_| today_in_brasilia())
}

/// Today in Brasília, which has kept UTC-3 all year since 2019: the date real ERPs
/// reason in, for answers that leave the end of a trust unlock implicit.
fn today_in_brasilia() -> Date {
    let brasilia = UtcOffset::from_hms(-3, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::now_utc().to_offset(brasilia).date()
}

//! The ERP host-call vocabulary: what the VM's `erp.*` cards ask (`Request`), what
//! they are answered (`Response`, `ErpError`), and the `Secret` that keeps passwords
//! out of logs and snapshots.
//!
//! It lives in the runtime, not with the adapters, because a suspended session's
//! snapshot holds the request it waits on and the VM reads the answer: both must be
//! plain data the runtime owns. Executing a request (HTTP, the simulated ERP, retries)
//! is the host's business (`fluxo-host`); nothing here does I/O.

mod error;
mod request;
mod response;
mod secret;
pub mod wire;

pub use error::{ErpError, Missing, Refusal};
pub use request::Request;
pub use response::{Attachment, Bill, Contract, Customer, Invoice, Named, Response};
pub use secret::{mask_document, mask_phone, Secret};

//! How an ERP is called: `ErpAdapter`, the whole-request interface the driver and
//! the resilience wrapper hold (`Arc<dyn ErpAdapter>`), and `ErpApi`, the one-method-
//! per-`Request` trait an ERP client implements, with the single dispatch between
//! them.
//!
//! The dispatch owns the capability matrix: it refuses an action the ERP's row of
//! `fluxo_stdlib::erp::ErpSystem::actions` lacks before any adapter code runs, then
//! routes the request to its method. An `ErpApi` implementation therefore writes only
//! the actions it offers; every other method keeps the default, which answers
//! `ErpError::Unsupported` without I/O. One exhaustive `match` over `Request` lives
//! here, so a new request variant is a compile error until it has a method.

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use fluxo_stdlib::erp::ErpSystem;

use crate::erp::{ErpError, Request, Response, Secret};

/// The future an adapter's `call` returns.
pub type ErpFuture<'a> = Pin<Box<dyn Future<Output = Result<Response, ErpError>> + Send + 'a>>;

/// Something that executes ERP requests: a real ERP over HTTP, the simulated ERP, or a
/// wrapper around another adapter. Every `ErpApi` is one; implement this directly only
/// for something that works on whole requests (a wrapper, a test double).
pub trait ErpAdapter: Send + Sync {
    fn system(&self) -> ErpSystem;

    /// Executes one request. A request whose action `system()` does not offer (the
    /// capability matrix) fails with `ErpError::Unsupported` without any I/O.
    fn call(&self, request: Request) -> ErpFuture<'_>;
}

/// An ERP client, one method per `Request` variant, named after its `op` and taking
/// its fields (`Request` says what each means). The defaults answer "not offered", so
/// that an adapter spells out exactly the operations its ERP has; the dispatch has
/// already refused the actions outside the matrix when a method runs.
///
/// The futures are `Send` because `call` boxes them into an `ErpFuture`, which the
/// driver may poll on any thread; an `async fn` in an implementation satisfies that
/// when it holds no `!Send` value (a `std` mutex guard) across an `.await`.
pub trait ErpApi: Send + Sync {
    /// The ERP whose row of the capability matrix applies.
    fn system(&self) -> ErpSystem;

    /// A last word on a whole request the matrix admitted, before it is routed. Only
    /// the simulated ERP uses it, for the outages its fixture scripts; an ERP client
    /// has nothing to add.
    fn admit(&self, _request: &Request) -> Result<(), ErpError> {
        Ok(())
    }

    fn find_customer_by_document(
        &self,
        _document: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "find_customer_by_document")
    }

    fn find_customer_by_phone(
        &self,
        _phone: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "find_customer_by_phone")
    }

    fn list_contracts(
        &self,
        _customer_id: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "list_contracts")
    }

    fn second_copy(
        &self,
        _contract_id: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "second_copy")
    }

    fn invoice(
        &self,
        _contract_id: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "invoice")
    }

    fn trust_unlock(
        &self,
        _contract_id: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "trust_unlock")
    }

    fn release_speed(
        &self,
        _contract_id: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "release_speed")
    }

    fn diagnose(
        &self,
        _contract_id: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "diagnose")
    }

    fn contract_document(
        &self,
        _contract_id: &str,
        _phone: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "contract_document")
    }

    fn sign_contract(
        &self,
        _contract_id: &str,
        _phone: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "sign_contract")
    }

    fn list_ticket_options(&self) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "list_ticket_options")
    }

    fn open_ticket(
        &self,
        _contract_id: &str,
        _department: &str,
        _subject: &str,
        _description: &str,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "open_ticket")
    }

    fn authenticate(
        &self,
        _document: &str,
        _login: &str,
        _password: &Secret,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "authenticate")
    }

    fn wifi_password(
        &self,
        _contract_id: &str,
        _password: &Secret,
    ) -> impl Future<Output = Result<Response, ErpError>> + Send {
        not_offered(self.system(), "wifi_password")
    }
}

impl<A: ErpApi> ErpAdapter for A {
    fn system(&self) -> ErpSystem {
        ErpApi::system(self)
    }

    fn call(&self, request: Request) -> ErpFuture<'_> {
        Box::pin(async move { dispatch(self, &request).await })
    }
}

/// The one place a `Request` meets an adapter: the matrix, the adapter's own
/// admission, then the request's method.
pub(crate) async fn dispatch<A: ErpApi>(api: &A, request: &Request) -> Result<Response, ErpError> {
    ensure_offered(api.system(), request)?;
    api.admit(request)?;
    match request {
        Request::FindCustomerByDocument { document } => {
            api.find_customer_by_document(document).await
        }
        Request::FindCustomerByPhone { phone } => api.find_customer_by_phone(phone).await,
        Request::ListContracts { customer_id } => api.list_contracts(customer_id).await,
        Request::SecondCopy { contract_id } => api.second_copy(contract_id).await,
        Request::Invoice { contract_id } => api.invoice(contract_id).await,
        Request::TrustUnlock { contract_id } => api.trust_unlock(contract_id).await,
        Request::ReleaseSpeed { contract_id } => api.release_speed(contract_id).await,
        Request::Diagnose { contract_id } => api.diagnose(contract_id).await,
        Request::ContractDocument { contract_id, phone } => {
            api.contract_document(contract_id, phone).await
        }
        Request::SignContract { contract_id, phone } => api.sign_contract(contract_id, phone).await,
        Request::ListTicketOptions => api.list_ticket_options().await,
        Request::OpenTicket {
            contract_id,
            department,
            subject,
            description,
        } => {
            api.open_ticket(contract_id, department, subject, description)
                .await
        }
        Request::Authenticate {
            document,
            login,
            password,
        } => api.authenticate(document, login, password).await,
        Request::WifiPassword {
            contract_id,
            password,
        } => api.wifi_password(contract_id, password).await,
    }
}

/// Refuses a request whose card action `system` does not offer.
pub(crate) fn ensure_offered(system: ErpSystem, request: &Request) -> Result<(), ErpError> {
    match request.action() {
        Some(action) if !system.offers(action) => Err(unsupported(system, request.op())),
        _ => Ok(()),
    }
}

/// The error for an operation (`Request::op`) that `system` lacks.
pub(crate) fn unsupported(system: ErpSystem, operation: &str) -> ErpError {
    ErpError::Unsupported {
        system,
        operation: operation.to_string(),
    }
}

/// A default method's answer: ready at once, since refusing needs no I/O.
fn not_offered(system: ErpSystem, operation: &str) -> Ready<Result<Response, ErpError>> {
    ready(Err(unsupported(system, operation)))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use fluxo_stdlib::erp::ErpAction;

    use super::*;

    /// An ERP client that writes two methods, counting the calls that reach them,
    /// and refuses one request in `admit`.
    struct Eager {
        system: ErpSystem,
        reached: AtomicU32,
    }

    impl ErpApi for Eager {
        fn system(&self) -> ErpSystem {
            self.system
        }

        fn admit(&self, request: &Request) -> Result<(), ErpError> {
            match request {
                Request::ListTicketOptions => Err(ErpError::failed("scripted")),
                _ => Ok(()),
            }
        }

        async fn trust_unlock(&self, _contract_id: &str) -> Result<Response, ErpError> {
            self.reached.fetch_add(1, Ordering::SeqCst);
            Ok(Response::SpeedReleased)
        }

        async fn list_ticket_options(&self) -> Result<Response, ErpError> {
            self.reached.fetch_add(1, Ordering::SeqCst);
            Ok(Response::SpeedReleased)
        }
    }

    #[tokio::test]
    async fn the_matrix_and_admission_come_before_the_method() {
        let hubsoft = Eager {
            system: ErpSystem::Hubsoft,
            reached: AtomicU32::new(0),
        };
        let unlock = Request::TrustUnlock {
            contract_id: "1".into(),
        };
        assert_eq!(
            hubsoft.call(unlock.clone()).await,
            Err(ErpError::Unsupported {
                system: ErpSystem::Hubsoft,
                operation: "trust_unlock".into()
            })
        );
        assert_eq!(hubsoft.reached.load(Ordering::SeqCst), 0);
        let ixc = Eager {
            system: ErpSystem::Ixc,
            reached: AtomicU32::new(0),
        };
        assert_eq!(ixc.call(unlock).await, Ok(Response::SpeedReleased));
        assert_eq!(
            ixc.call(Request::ListTicketOptions).await,
            Err(ErpError::failed("scripted"))
        );
        assert_eq!(ixc.reached.load(Ordering::SeqCst), 1);
    }

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

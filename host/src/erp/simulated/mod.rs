//! The simulated ERP: the embedded, deterministic default of `fluxo run` and
//! `fluxo test`. It answers from a fixture (see `fixture`) and behaves like a real
//! ISP ERP: one trust unlock per calendar month (with the date of the next), e-sign
//! only from a registered number, Wi-Fi passwords longer than 8 characters, and state
//! that changes (an unlocked contract diagnoses as `trust_unlocked`).
//!
//! It takes "today" from its caller and never reads a clock, except through the
//! `ErpAdapter` path, which uses the fixture's `today` or, failing that, the date in
//! Brasília.

mod fixture;
mod locate;

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use fluxo_stdlib::validate;
use time::{Date, Duration, Month};

pub use fixture::FixtureError;

use self::fixture::{Book, BookContract, BookCustomer};
use crate::erp::adapter::dispatch;
use crate::erp::{
    today, ErpAdapter, ErpApi, ErpError, ErpFuture, Missing, Refusal, Request, Response, Secret,
};
use crate::erp::{Contract, Customer};

/// A simulated ISP ERP answering from a JSON fixture.
pub struct SimulatedErp {
    book: Book,
    system: ErpSystem,
    state: Mutex<State>,
}

/// What changed since the fixture was loaded.
#[derive(Default)]
struct State {
    /// Unlocks done in this run: contract id → `(on, until)`.
    unlocks: HashMap<String, Vec<(Date, Date)>>,
    /// Contracts whose stored status changed (speed released, contract signed).
    statuses: HashMap<String, Diagnosis>,
    tickets_opened: u32,
}

impl SimulatedErp {
    /// Loads a fixture. The simulation offers every action (as IXC does) until
    /// [`SimulatedErp::for_system`] narrows it to one ERP's row of the matrix.
    pub fn from_json(text: &str) -> Result<SimulatedErp, FixtureError> {
        Ok(SimulatedErp {
            book: fixture::load(text)?,
            system: ErpSystem::Ixc,
            state: Mutex::new(State::default()),
        })
    }

    /// Simulates `system`: requests for actions it does not offer are `Unsupported`,
    /// as they would be against the real ERP.
    pub fn for_system(self, system: ErpSystem) -> SimulatedErp {
        SimulatedErp { system, ..self }
    }

    /// The fixture's pinned date, if it has one.
    pub fn today(&self) -> Option<Date> {
        self.book.today
    }

    /// Executes a request as of `today`. Synchronous, for the single-threaded CLI.
    pub fn handle(&self, request: &Request, today: Date) -> Result<Response, ErpError> {
        finished(dispatch(&OnDay { erp: self, today }, request))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-changed: every
        // change is a single insert. So a poisoned lock is still good to use.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn customer_where(
        &self,
        matches: impl Fn(&BookCustomer) -> bool,
    ) -> Result<Response, ErpError> {
        let customer = self
            .book
            .customers
            .iter()
            .find(|it| matches(it))
            .ok_or(ErpError::not_found(Missing::Customer))?;
        Ok(Response::Customer(Customer {
            id: customer.id.clone(),
            name: customer.name.clone(),
            document: customer.document.clone(),
            phones: customer.phones.clone(),
        }))
    }

    fn contract(&self, contract_id: &str) -> Result<(&BookCustomer, &BookContract), ErpError> {
        self.book
            .customers
            .iter()
            .flat_map(|customer| customer.contracts.iter().map(move |it| (customer, it)))
            .find(|(_, it)| it.id == contract_id)
            .ok_or(ErpError::not_found(Missing::Contract))
    }

    /// Once per calendar month, on a blocked or overdue connection.
    fn trust_unlock(&self, contract_id: &str, today: Date) -> Result<Response, ErpError> {
        let (_, contract) = self.contract(contract_id)?;
        let mut state = self.state();
        let status = state.status(contract, today);
        if status == Diagnosis::Inactive {
            return Err(inactive());
        }
        let used_this_month = state
            .unlocks_of(contract)
            .any(|(on, _)| on.year() == today.year() && on.month() == today.month());
        if used_this_month {
            return Err(ErpError::Refused {
                reason: Refusal::TrustUnlockUsed,
                detail: String::new(),
                next_allowed: Some(first_of_next_month(today)),
            });
        }
        if !matches!(status, Diagnosis::Blocked | Diagnosis::Overdue) {
            return Err(ErpError::refused(Refusal::NotBlocked, ""));
        }
        let until = today + Duration::days(i64::from(self.book.unlock_days));
        state
            .unlocks
            .entry(contract.id.clone())
            .or_default()
            .push((today, until));
        Ok(Response::Unlocked { until })
    }

    /// A contract awaiting signature, asked about from one of its owner's numbers.
    fn signable(
        &self,
        contract_id: &str,
        phone: &str,
        today: Date,
    ) -> Result<&BookContract, ErpError> {
        let (customer, contract) = self.contract(contract_id)?;
        let registered = validate::phone(phone)
            .map(|it| customer.phones.contains(&it))
            .unwrap_or(false);
        if !registered {
            return Err(ErpError::refused(Refusal::PhoneNotRegistered, ""));
        }
        if self.state().status(contract, today) != Diagnosis::AwaitingSignature {
            return Err(ErpError::refused(Refusal::NotAwaitingSignature, ""));
        }
        Ok(contract)
    }
}

impl State {
    fn unlocks_of<'a>(
        &'a self,
        contract: &'a BookContract,
    ) -> impl Iterator<Item = (Date, Date)> + 'a {
        let done = self.unlocks.get(&contract.id).into_iter().flatten();
        contract.unlocks.iter().chain(done).copied()
    }

    /// The contract's status today: its stored status, unless a trust unlock covers
    /// today.
    fn status(&self, contract: &BookContract, today: Date) -> Diagnosis {
        let stored = self
            .statuses
            .get(&contract.id)
            .copied()
            .unwrap_or(contract.status);
        let unlocked = self
            .unlocks_of(contract)
            .any(|(on, until)| on <= today && today <= until);
        if unlocked && matches!(stored, Diagnosis::Blocked | Diagnosis::Overdue) {
            Diagnosis::TrustUnlocked
        } else {
            stored
        }
    }
}

/// The simulated ERP on one day: the `ErpApi` behind both `handle` and `call`.
struct OnDay<'a> {
    erp: &'a SimulatedErp,
    today: Date,
}

impl ErpApi for OnDay<'_> {
    fn system(&self) -> ErpSystem {
        self.erp.system
    }

    /// The fixture's scripted outages, after the matrix as against a real ERP.
    fn admit(&self, request: &Request) -> Result<(), ErpError> {
        let op = request.op();
        if self
            .erp
            .book
            .unavailable
            .iter()
            .any(|it| it == "all" || it == op)
        {
            return Err(ErpError::Unavailable {
                detail: format!("the fixture makes `{op}` unavailable"),
            });
        }
        Ok(())
    }

    async fn find_customer_by_document(&self, document: &str) -> Result<Response, ErpError> {
        let wanted =
            validate::document(document).map_err(|_| ErpError::not_found(Missing::Customer))?;
        self.erp.customer_where(|it| it.document == wanted)
    }

    async fn find_customer_by_phone(&self, phone: &str) -> Result<Response, ErpError> {
        let wanted = validate::phone(phone).map_err(|_| ErpError::not_found(Missing::Customer))?;
        self.erp.customer_where(|it| it.phones.contains(&wanted))
    }

    async fn list_contracts(&self, customer_id: &str) -> Result<Response, ErpError> {
        let customer = self
            .erp
            .book
            .customers
            .iter()
            .find(|it| it.id == *customer_id)
            .ok_or(ErpError::not_found(Missing::Customer))?;
        if customer.contracts.is_empty() {
            return Err(ErpError::not_found(Missing::Contract));
        }
        let state = self.erp.state();
        let contracts = customer
            .contracts
            .iter()
            .map(|it| Contract {
                id: it.id.clone(),
                plan: it.plan.clone(),
                address: it.address.clone(),
                status: state.status(it, self.today),
            })
            .collect();
        Ok(Response::Contracts { contracts })
    }

    async fn second_copy(&self, contract_id: &str) -> Result<Response, ErpError> {
        let (_, contract) = self.erp.contract(contract_id)?;
        if contract.open_bills.is_empty() {
            return Err(ErpError::not_found(Missing::OpenBill));
        }
        Ok(Response::Bills {
            bills: contract.open_bills.clone(),
        })
    }

    async fn invoice(&self, contract_id: &str) -> Result<Response, ErpError> {
        let (_, contract) = self.erp.contract(contract_id)?;
        let latest = contract
            .invoices
            .first()
            .ok_or(ErpError::not_found(Missing::Invoice))?;
        Ok(Response::Invoice(latest.clone()))
    }

    async fn trust_unlock(&self, contract_id: &str) -> Result<Response, ErpError> {
        self.erp.trust_unlock(contract_id, self.today)
    }

    async fn release_speed(&self, contract_id: &str) -> Result<Response, ErpError> {
        let (_, contract) = self.erp.contract(contract_id)?;
        let mut state = self.erp.state();
        match state.status(contract, self.today) {
            Diagnosis::Reduced => {
                state
                    .statuses
                    .insert(contract.id.clone(), Diagnosis::Active);
                Ok(Response::SpeedReleased)
            }
            Diagnosis::Inactive => Err(inactive()),
            _ => Err(ErpError::refused(Refusal::NotReduced, "")),
        }
    }

    async fn diagnose(&self, contract_id: &str) -> Result<Response, ErpError> {
        let (_, contract) = self.erp.contract(contract_id)?;
        Ok(Response::Diagnosis {
            diagnosis: self.erp.state().status(contract, self.today),
        })
    }

    async fn contract_document(
        &self,
        contract_id: &str,
        phone: &str,
    ) -> Result<Response, ErpError> {
        let contract = self.erp.signable(contract_id, phone, self.today)?;
        let url = contract.contract_pdf.clone().unwrap_or_default();
        Ok(Response::ContractDocument {
            document: crate::erp::Attachment::Url { url },
        })
    }

    async fn sign_contract(&self, contract_id: &str, phone: &str) -> Result<Response, ErpError> {
        let contract = self.erp.signable(contract_id, phone, self.today)?;
        self.erp
            .state()
            .statuses
            .insert(contract.id.clone(), Diagnosis::Active);
        Ok(Response::Signed)
    }

    async fn list_ticket_options(&self) -> Result<Response, ErpError> {
        Ok(Response::TicketOptions {
            departments: self.erp.book.departments.clone(),
            subjects: self.erp.book.subjects.clone(),
        })
    }

    async fn open_ticket(
        &self,
        contract_id: &str,
        department: &str,
        subject: &str,
        _description: &str,
    ) -> Result<Response, ErpError> {
        self.erp.contract(contract_id)?;
        let known = |list: &[crate::erp::Named], id: &str| list.iter().any(|it| it.id == id);
        if !known(&self.erp.book.departments, department)
            || !known(&self.erp.book.subjects, subject)
        {
            return Err(ErpError::not_found(Missing::TicketOption));
        }
        let mut state = self.erp.state();
        state.tickets_opened += 1;
        let protocol = format!(
            "{}{:04}{:02}{:02}{:04}",
            self.erp.book.ticket_prefix,
            self.today.year(),
            u8::from(self.today.month()),
            self.today.day(),
            state.tickets_opened
        );
        Ok(Response::TicketOpened { protocol })
    }

    async fn authenticate(
        &self,
        document: &str,
        login: &str,
        password: &Secret,
    ) -> Result<Response, ErpError> {
        let wanted =
            validate::document(document).map_err(|_| ErpError::not_found(Missing::Customer))?;
        let customer = self
            .erp
            .book
            .customers
            .iter()
            .find(|it| it.document == wanted)
            .ok_or(ErpError::not_found(Missing::Customer))?;
        match &customer.central {
            Some(central)
                if central.login.eq_ignore_ascii_case(login.trim())
                    && central.password == password.expose() =>
            {
                Ok(Response::Authenticated {
                    customer_id: customer.id.clone(),
                })
            }
            _ => Err(ErpError::refused(Refusal::WrongCredentials, "")),
        }
    }

    async fn wifi_password(
        &self,
        contract_id: &str,
        password: &Secret,
    ) -> Result<Response, ErpError> {
        let (_, contract) = self.erp.contract(contract_id)?;
        if self.erp.state().status(contract, self.today) == Diagnosis::Inactive {
            return Err(inactive());
        }
        validate::wifi_password(password.expose())
            .map_err(|why| ErpError::refused(Refusal::InvalidPassword, why.to_string()))?;
        Ok(Response::WifiChanged)
    }
}

/// Runs one of the simulation's futures to its end. They never wait (no I/O, no
/// timer), so the first poll finishes them and the CLI needs no async runtime.
fn finished(
    future: impl Future<Output = Result<Response, ErpError>>,
) -> Result<Response, ErpError> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(outcome) => outcome,
        Poll::Pending => Err(ErpError::Unavailable {
            detail: "the simulated ERP waited, which it never should".into(),
        }),
    }
}

fn inactive() -> ErpError {
    ErpError::refused(Refusal::ContractInactive, "")
}

fn first_of_next_month(today: Date) -> Date {
    let (year, month) = match today.month() {
        Month::December => (today.year() + 1, Month::January),
        month => (today.year(), month.next()),
    };
    Date::from_calendar_date(year, month, 1).unwrap_or(today)
}

impl ErpAdapter for SimulatedErp {
    fn system(&self) -> ErpSystem {
        self.system
    }

    fn call(&self, request: Request) -> ErpFuture<'_> {
        let today = self.book.today.unwrap_or_else(today);
        let result = self.handle(&request, today);
        Box::pin(async move { result })
    }
}

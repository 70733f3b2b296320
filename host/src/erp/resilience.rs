//! A wrapper that makes any `ErpAdapter` resilient: a budget for a whole request
//! (every HTTP call and retry of one card operation; each HTTP call has its own,
//! shorter limit in the HTTP client), retries with exponential backoff for reads only
//! (an unlock, a signature, a ticket or a password change is never repeated), and a
//! circuit breaker that stops calling an ERP after consecutive transport failures or
//! 5xx answers and probes it again after a cooldown.

use std::sync::Mutex;
use std::time::Duration;

use fluxo_stdlib::erp::ErpSystem;
use tokio::time::Instant;

use crate::erp::{ErpAdapter, ErpError, ErpFuture, Request, Response};

/// The policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resilience {
    /// Limit for a whole request: all the HTTP calls of one card operation (up to
    /// five or six for some ERPs) and its retries. Past it the request fails with
    /// `Timeout` and is not retried. Each HTTP call has its own limit
    /// (`HttpSettings::timeout`), so one slow call fails without eating the budget.
    pub budget: Duration,
    /// Extra attempts for a read that failed transiently (see
    /// `ErpError::is_transient`).
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Consecutive transport failures or 5xx answers that open the breaker.
    pub breaker_failures: u32,
    /// How long the breaker stays open before one probe call is let through.
    pub breaker_cooldown: Duration,
}

impl Default for Resilience {
    fn default() -> Resilience {
        Resilience {
            budget: Duration::from_secs(30),
            retries: 2,
            backoff: Duration::from_millis(200),
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

/// `inner` behind the policy.
pub struct Resilient<A> {
    inner: A,
    policy: Resilience,
    breaker: Mutex<Breaker>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Breaker {
    Closed {
        failures: u32,
    },
    /// Calls are refused until `until`; the first call after it is the half-open
    /// probe, admitted alone: admitting it moves `until` one cooldown on, so a probe
    /// that never returns cannot keep the breaker shut for good.
    Open {
        until: Instant,
    },
}

impl<A: ErpAdapter> Resilient<A> {
    pub fn new(inner: A, policy: Resilience) -> Resilient<A> {
        Resilient {
            inner,
            policy,
            breaker: Mutex::new(Breaker::Closed { failures: 0 }),
        }
    }

    /// The wrapped adapter.
    pub fn get_ref(&self) -> &A {
        &self.inner
    }

    async fn run(&self, request: Request) -> Result<Response, ErpError> {
        let attempts = if request.is_read() {
            self.policy.retries + 1
        } else {
            1
        };
        let deadline = Instant::now() + self.policy.budget;
        let over_budget = || ErpError::Timeout {
            after_ms: u64::try_from(self.policy.budget.as_millis()).unwrap_or(u64::MAX),
        };
        let mut backoff = self.policy.backoff;
        let mut attempt = 1;
        loop {
            self.admit()?;
            let outcome =
                match tokio::time::timeout_at(deadline, self.inner.call(request.clone())).await {
                    Ok(outcome) => outcome,
                    // The budget is spent: another attempt could not finish either.
                    Err(_) => {
                        let error = over_budget();
                        self.record(&Err(error.clone()));
                        return Err(error);
                    }
                };
            self.record(&outcome);
            match outcome {
                Err(error)
                    if error.is_transient()
                        && attempt < attempts
                        && Instant::now() + backoff < deadline =>
                {
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Lets a call through, or refuses it while the breaker is open.
    fn admit(&self) -> Result<(), ErpError> {
        let mut breaker = self.breaker();
        match *breaker {
            Breaker::Closed { .. } => Ok(()),
            Breaker::Open { until } if Instant::now() >= until => {
                *breaker = Breaker::Open {
                    until: Instant::now() + self.policy.breaker_cooldown,
                };
                Ok(())
            }
            Breaker::Open { .. } => Err(ErpError::Unavailable {
                detail: format!(
                    "circuit breaker open after {} consecutive failures of {}",
                    self.policy.breaker_failures,
                    self.inner.system().title()
                ),
            }),
        }
    }

    fn record(&self, outcome: &Result<Response, ErpError>) {
        let failed = matches!(outcome, Err(error) if opens_breaker(error));
        let mut breaker = self.breaker();
        *breaker = match (*breaker, failed) {
            (_, false) => Breaker::Closed { failures: 0 },
            (Breaker::Closed { failures }, true) if failures + 1 < self.policy.breaker_failures => {
                Breaker::Closed {
                    failures: failures + 1,
                }
            }
            (_, true) => Breaker::Open {
                until: Instant::now() + self.policy.breaker_cooldown,
            },
        };
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        // Every update is one assignment, so a poisoned lock holds a whole state.
        self.breaker
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether a failure says the ERP is unreachable or failing inside: a transport
/// failure (no connection, no answer in time) or a 5xx. Any other answer, business
/// errors inside HTTP 200 bodies (a form the token may not use, a refusal), 4xx,
/// refused credentials or an unreadable body, shows the ERP up and answering: it
/// resets the count, so a misconfigured action cannot shut the others out.
fn opens_breaker(error: &ErpError) -> bool {
    match error {
        ErpError::Unavailable { .. } | ErpError::Timeout { .. } => true,
        ErpError::Http { status, .. } => *status >= 500,
        ErpError::NotFound { .. }
        | ErpError::Refused { .. }
        | ErpError::Unsupported { .. }
        | ErpError::Auth { .. }
        | ErpError::Malformed { .. }
        | ErpError::Failed { .. } => false,
    }
}

impl<A: ErpAdapter> ErpAdapter for Resilient<A> {
    fn system(&self) -> ErpSystem {
        self.inner.system()
    }

    fn call(&self, request: Request) -> ErpFuture<'_> {
        Box::pin(self.run(request))
    }
}

//! The resilience wrapper with a scripted in-memory adapter and a paused clock: the
//! budget of a whole request, retries with exponential backoff for reads only, and
//! the circuit breaker opening on transport failures and 5xx only, refusing, probing
//! after the cooldown and closing again.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use fluxo_host::erp::{
    ErpAdapter, ErpError, ErpFuture, Missing, Request, Resilience, Resilient, Response,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use tokio::time::Instant;

/// One scripted outcome: an answer after some time.
struct Step {
    after: Duration,
    result: Result<Response, ErpError>,
}

/// Plays its script in order, and records when each call started.
#[derive(Default)]
struct Scripted {
    script: Mutex<VecDeque<Step>>,
    calls: Mutex<Vec<Instant>>,
}

impl Scripted {
    fn then(self, after_ms: u64, result: Result<Response, ErpError>) -> Scripted {
        self.script.lock().unwrap().push_back(Step {
            after: Duration::from_millis(after_ms),
            result,
        });
        self
    }

    fn calls(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

impl ErpAdapter for Scripted {
    fn system(&self) -> ErpSystem {
        ErpSystem::Sgp
    }

    fn call(&self, _request: Request) -> ErpFuture<'_> {
        self.calls.lock().unwrap().push(Instant::now());
        let step = self.script.lock().unwrap().pop_front().unwrap_or(Step {
            after: Duration::ZERO,
            result: Ok(ok()),
        });
        Box::pin(async move {
            tokio::time::sleep(step.after).await;
            step.result
        })
    }
}

fn ok() -> Response {
    Response::Diagnosis {
        diagnosis: Diagnosis::Active,
    }
}

fn down() -> Result<Response, ErpError> {
    Err(ErpError::Unavailable {
        detail: "connection refused".into(),
    })
}

fn read() -> Request {
    Request::SecondCopy {
        contract_id: "1".into(),
    }
}

fn write() -> Request {
    Request::TrustUnlock {
        contract_id: "1".into(),
    }
}

fn policy() -> Resilience {
    Resilience {
        budget: Duration::from_millis(500),
        retries: 2,
        backoff: Duration::from_millis(100),
        breaker_failures: 3,
        breaker_cooldown: Duration::from_secs(10),
    }
}

/// `scripted` behind the policy, each request tried once.
fn without_retries(scripted: Scripted) -> Resilient<Scripted> {
    Resilient::new(
        scripted,
        Resilience {
            retries: 0,
            ..policy()
        },
    )
}

fn gaps(adapter: &Scripted) -> Vec<u128> {
    let calls = adapter.calls.lock().unwrap();
    calls
        .windows(2)
        .map(|it| (it[1] - it[0]).as_millis())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_request_past_its_budget_times_out_and_is_not_retried() {
    let resilient = Resilient::new(Scripted::default().then(2_000, Ok(ok())), policy());
    assert_eq!(
        resilient.call(read()).await,
        Err(ErpError::Timeout { after_ms: 500 })
    );
    assert_eq!(
        resilient.inner_calls(),
        1,
        "another attempt could not finish in the budget either"
    );
}

#[tokio::test(start_paused = true)]
async fn no_retry_starts_that_the_budget_cannot_cover() {
    let scripted = Scripted::default().then(350, down()).then(0, Ok(ok()));
    let resilient = Resilient::new(
        scripted,
        Resilience {
            backoff: Duration::from_millis(200),
            ..policy()
        },
    );
    assert_eq!(resilient.call(read()).await, down());
    assert_eq!(resilient.inner_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn reads_are_retried_with_exponential_backoff() {
    let scripted = Scripted::default()
        .then(0, down())
        // One HTTP call past its own limit: the client's `Timeout`, retried.
        .then(0, Err(ErpError::Timeout { after_ms: 100 }))
        .then(0, Ok(ok()));
    let resilient = Resilient::new(scripted, policy());
    assert_eq!(resilient.call(read()).await, Ok(ok()));
    assert_eq!(resilient.inner_calls(), 3);
    // First retry after the backoff; the second after twice the backoff.
    assert_eq!(gaps(resilient.inner()), vec![100, 200]);
}

#[tokio::test(start_paused = true)]
async fn writes_are_never_retried() {
    let resilient = Resilient::new(
        Scripted::default().then(0, down()).then(0, Ok(ok())),
        policy(),
    );
    assert_eq!(resilient.call(write()).await, down());
    assert_eq!(resilient.inner_calls(), 1);
    let timed_out = Resilient::new(Scripted::default().then(5_000, Ok(ok())), policy());
    assert_eq!(
        timed_out.call(write()).await,
        Err(ErpError::Timeout { after_ms: 500 })
    );
    assert_eq!(timed_out.inner_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn business_answers_are_not_retried() {
    let resilient = Resilient::new(
        Scripted::default().then(
            0,
            Err(ErpError::NotFound {
                what: Missing::Customer,
            }),
        ),
        policy(),
    );
    assert_eq!(
        resilient.call(read()).await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
    assert_eq!(resilient.inner_calls(), 1);
    let auth = Resilient::new(
        Scripted::default().then(
            0,
            Err(ErpError::Auth {
                detail: "HTTP 401".into(),
            }),
        ),
        policy(),
    );
    assert!(matches!(
        auth.call(read()).await,
        Err(ErpError::Auth { .. })
    ));
    assert_eq!(
        auth.inner_calls(),
        1,
        "a refused credential does not get better by retrying"
    );
}

#[tokio::test(start_paused = true)]
async fn the_breaker_opens_probes_and_closes() {
    let scripted = Scripted::default()
        .then(0, down())
        .then(0, down())
        .then(0, down())
        // The probe after the first cooldown fails: open again.
        .then(0, down())
        // The probe after the second cooldown succeeds: closed.
        .then(0, Ok(ok()));
    let resilient = without_retries(scripted);
    for _ in 0..3 {
        assert_eq!(resilient.call(write()).await, down());
    }
    let refused = resilient.call(write()).await;
    assert!(
        matches!(&refused, Err(ErpError::Unavailable { detail }) if detail.contains("circuit breaker open")),
        "{refused:?}"
    );
    assert_eq!(
        resilient.inner_calls(),
        3,
        "an open breaker does not call the ERP"
    );
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(
        resilient.call(write()).await,
        down(),
        "the half-open probe reaches the ERP"
    );
    assert!(
        matches!(resilient.call(write()).await, Err(ErpError::Unavailable { detail }) if detail.contains("breaker"))
    );
    assert_eq!(resilient.inner_calls(), 4);
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(resilient.call(write()).await, Ok(ok()));
    assert_eq!(resilient.call(write()).await, Ok(ok()), "closed again");
    assert_eq!(resilient.inner_calls(), 6);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_when_the_breaker_opens() {
    let scripted = Scripted::default()
        .then(0, down())
        .then(0, down())
        .then(0, down());
    let resilient = Resilient::new(
        scripted,
        Resilience {
            retries: 5,
            breaker_failures: 2,
            ..policy()
        },
    );
    let result = resilient.call(read()).await;
    assert!(
        matches!(&result, Err(ErpError::Unavailable { detail }) if detail.contains("breaker")),
        "{result:?}"
    );
    assert_eq!(resilient.inner_calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn business_errors_reset_the_failure_count() {
    let scripted = Scripted::default()
        .then(0, down())
        .then(0, down())
        .then(
            0,
            Err(ErpError::NotFound {
                what: Missing::Contract,
            }),
        )
        .then(0, down())
        .then(0, down());
    let resilient = without_retries(scripted);
    for _ in 0..5 {
        let _ = resilient.call(write()).await;
    }
    assert_eq!(
        resilient.call(write()).await,
        Ok(ok()),
        "never three failures in a row"
    );
}

#[tokio::test(start_paused = true)]
async fn only_transport_failures_and_5xx_count_towards_the_breaker() {
    let answered = [
        ErpError::Failed {
            detail: "Formulário vd_saida não encontrado ou sem permissão de acesso".into(),
        },
        ErpError::Auth {
            detail: "HTTP 401".into(),
        },
        ErpError::Http {
            status: 404,
            detail: String::new(),
        },
        ErpError::Malformed {
            detail: "not JSON".into(),
        },
    ];
    let mut scripted = Scripted::default();
    for error in answered.iter().chain(answered.iter()) {
        scripted = scripted.then(0, Err(error.clone()));
    }
    let scripted = scripted
        .then(
            0,
            Err(ErpError::Http {
                status: 502,
                detail: String::new(),
            }),
        )
        .then(0, Err(ErpError::Timeout { after_ms: 100 }))
        .then(0, down());
    let resilient = without_retries(scripted);
    for _ in 0..8 {
        let answer = resilient.call(write()).await;
        assert!(
            !matches!(&answer, Err(ErpError::Unavailable { .. })),
            "{answer:?}"
        );
    }
    for _ in 0..3 {
        let _ = resilient.call(write()).await;
    }
    let open = resilient.call(write()).await;
    assert!(
        matches!(&open, Err(ErpError::Unavailable { detail }) if detail.contains("circuit breaker open")),
        "{open:?}"
    );
    assert_eq!(resilient.inner_calls(), 11);
}

/// Test-only views of the wrapped adapter.
trait Inner {
    fn inner(&self) -> &Scripted;
    fn inner_calls(&self) -> usize {
        self.inner().calls()
    }
}

impl Inner for Resilient<Scripted> {
    fn inner(&self) -> &Scripted {
        self.get_ref()
    }
}

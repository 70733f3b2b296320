//! The IXC failure modes found by driving the adapter against a fake built only from
//! the documented shapes: forms a token may not use, bills tied through
//! `id_contrato_avulso`, trust-unlock codes 107 and 109, dates from the
//! conversation's day, per-call timeouts with a slow fake, the breaker's rules, the
//! Wi-Fi write order, and mistakes in the token and the base URL.

mod erp_support;

use std::time::Duration;

use erp_support::ixc::{client, ixc, queries, TOKEN};
use erp_support::{Answer, FakeErp};
use fluxo_host::erp::config;
use fluxo_host::erp::{
    on_conversation_day, ErpAdapter, ErpError, HttpSettings, Ixc, Refusal, Request, Resilience,
    Resilient, Response, Secret,
};
use fluxo_stdlib::erp::Diagnosis;
use serde_json::json;
use time::macros::date;

#[tokio::test]
async fn a_bill_tied_only_through_id_contrato_avulso_is_sent() {
    let (fake, ixc) = client().await;
    match ixc
        .call(Request::SecondCopy {
            contract_id: "5003".into(),
        })
        .await
    {
        Ok(Response::Bills { bills }) => {
            assert_eq!(bills.len(), 1);
            assert_eq!(bills[0].id, "145600");
            assert_eq!(bills[0].amount_cents, 35000);
            assert_eq!(bills[0].due_date, date!(2026 - 12 - 01));
        }
        other => panic!("{other:?}"),
    }
    let keys: Vec<String> = fake
        .seen()
        .iter()
        .filter(|it| it.path.ends_with("/fn_areceber"))
        .map(|it| it.json()["qtype"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        keys,
        vec!["fn_areceber.id_contrato", "fn_areceber.id_contrato_avulso"]
    );
}

#[tokio::test]
async fn a_company_is_found_by_its_masked_cnpj() {
    let (fake, ixc) = client().await;
    let found = ixc
        .call(Request::FindCustomerByDocument {
            document: "11222333000181".into(),
        })
        .await;
    assert!(
        matches!(&found, Ok(Response::Customer(it)) if it.id == "43" && it.document == "11222333000181" && it.name == "Padaria Exemplo LTDA"),
        "{found:?}"
    );
    let queries = queries(&fake);
    assert_eq!(queries, vec!["11222333000181", "11.222.333/0001-81"]);
}

#[tokio::test]
async fn the_nota_fiscal_comes_from_the_titles_without_undocumented_forms() {
    let (fake, ixc) = client().await;
    let invoice = ixc
        .call(Request::Invoice {
            contract_id: "5001".into(),
        })
        .await;
    assert!(
        matches!(&invoice, Ok(Response::Invoice(it)) if it.number == "1234"),
        "{invoice:?}"
    );
    let forms: Vec<String> = fake.paths();
    assert!(
        forms
            .iter()
            .all(|it| it.ends_with("/fn_areceber") || it.ends_with("/imprimir_nota")),
        "{forms:?}"
    );
}

#[tokio::test]
async fn code_107_is_not_blocked_and_109_gives_the_next_allowed_date() {
    let (_fake, ixc) = client().await;
    let unlock = |id: &str| Request::TrustUnlock {
        contract_id: id.into(),
    };
    let already = ixc.call(unlock("5004")).await;
    assert!(
        matches!(
            &already,
            Err(ErpError::Refused {
                reason: Refusal::NotBlocked,
                ..
            })
        ),
        "{already:?}"
    );
    match ixc.call(unlock("5001")).await {
        Err(ErpError::Refused {
            reason: Refusal::TrustUnlockUsed,
            next_allowed,
            ..
        }) => assert_eq!(
            next_allowed,
            Some(date!(2026 - 12 - 01)),
            "not the date it was used (23/11)"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unlock_without_a_date_lasts_from_the_conversations_day() {
    let (_fake, ixc) = client().await;
    let unlocked = on_conversation_day(
        date!(2026 - 11 - 23),
        ixc.call(Request::TrustUnlock {
            contract_id: "5005".into(),
        }),
    )
    .await;
    assert_eq!(
        unlocked,
        Ok(Response::Unlocked {
            until: date!(2026 - 11 - 26)
        })
    );
}

fn policy(budget_ms: u64) -> Resilience {
    Resilience {
        budget: Duration::from_millis(budget_ms),
        retries: 0,
        backoff: Duration::from_millis(10),
        breaker_failures: 2,
        breaker_cooldown: Duration::from_secs(60),
    }
}

/// The fake IXC answering every call after `delay_ms`, behind the adapter
/// `fluxo.toml` builds with `timeout_ms`.
async fn slow(delay_ms: u64, timeout_ms: u64) -> (FakeErp, Box<dyn ErpAdapter>) {
    let fake = FakeErp::start(move |seen| ixc(seen).slow(Duration::from_millis(delay_ms))).await;
    let text = format!(
        "[erp]\nsystem = \"ixc\"\nbase_url = \"{}\"\ntimeout_ms = {timeout_ms}\n[erp.credentials]\ntoken_env = \"IXC_TOKEN\"\n[erp.resilience]\nretries = 0\n",
        fake.url
    );
    let adapter = config::parse(&text)
        .unwrap()
        .unwrap()
        .build(&|_| Some(TOKEN.to_string()))
        .unwrap();
    (fake, adapter)
}

#[tokio::test]
async fn the_timeout_bounds_each_call_not_the_whole_operation() {
    // Five calls (two title lists, two Pix, one boleto) of 300 ms each: every one is
    // under `timeout_ms = 1000`, together they are over it.
    let (fake, ixc) = slow(300, 1_000).await;
    let bills = ixc
        .call(Request::SecondCopy {
            contract_id: "5001".into(),
        })
        .await;
    assert!(
        matches!(&bills, Ok(Response::Bills { bills }) if bills.len() == 2),
        "{bills:?}"
    );
    assert_eq!(fake.seen().len(), 5);
    let (_fake, ixc) = slow(1_500, 1_000).await;
    assert_eq!(
        ixc.call(Request::Diagnose {
            contract_id: "5001".into()
        })
        .await,
        Err(ErpError::Timeout { after_ms: 1_000 })
    );
}

#[tokio::test]
async fn business_errors_never_open_the_breaker() {
    let fake = FakeErp::start(ixc).await;
    let adapter = Ixc::new(&fake.settings(), Secret::new(TOKEN), 3).unwrap();
    let ixc = Resilient::new(adapter, policy(10_000));
    for _ in 0..5 {
        let denied = ixc.call(Request::ListTicketOptions).await;
        assert!(matches!(denied, Err(ErpError::Failed { .. })), "{denied:?}");
    }
    assert_eq!(
        ixc.call(Request::Diagnose {
            contract_id: "5001".into()
        })
        .await,
        Ok(Response::Diagnosis {
            diagnosis: Diagnosis::Active
        }),
        "a healthy ERP stays reachable"
    );
    // A wrong token is refused credentials, not an outage either.
    let wrong = Resilient::new(
        Ixc::new(&fake.settings(), Secret::new("7:wrong"), 3).unwrap(),
        policy(10_000),
    );
    for _ in 0..3 {
        let refused = wrong.call(Request::ListTicketOptions).await;
        assert!(matches!(refused, Err(ErpError::Auth { .. })), "{refused:?}");
    }
}

#[tokio::test]
async fn transport_failures_and_5xx_open_the_breaker() {
    let failing = FakeErp::start(|_| Answer::status(503, json!({"message": "manutenção"}))).await;
    let ixc = Resilient::new(
        Ixc::new(&failing.settings(), Secret::new(TOKEN), 3).unwrap(),
        policy(10_000),
    );
    let diagnose = || Request::Diagnose {
        contract_id: "5001".into(),
    };
    for _ in 0..2 {
        let failed = ixc.call(diagnose()).await;
        assert!(
            matches!(failed, Err(ErpError::Http { status: 503, .. })),
            "{failed:?}"
        );
    }
    let open = ixc.call(diagnose()).await;
    assert!(
        matches!(&open, Err(ErpError::Unavailable { detail }) if detail.contains("circuit breaker open")),
        "{open:?}"
    );
    assert_eq!(failing.seen().len(), 2);
    // Nothing listens on a port taken and released: a transport failure.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let nowhere = HttpSettings::new(format!("http://{port}"));
    let ixc = Resilient::new(
        Ixc::new(&nowhere, Secret::new(TOKEN), 3).unwrap(),
        policy(10_000),
    );
    for _ in 0..2 {
        let down = ixc.call(diagnose()).await;
        assert!(
            matches!(down, Err(ErpError::Unavailable { .. })),
            "{down:?}"
        );
    }
    let open = ixc.call(diagnose()).await;
    assert!(
        matches!(&open, Err(ErpError::Unavailable { detail }) if detail.contains("circuit breaker open")),
        "{open:?}"
    );
}

#[tokio::test]
async fn wifi_checks_the_login_before_writing_and_restores_after_a_failed_push() {
    let (fake, ixc) = client().await;
    let change = |id: &str| Request::WifiPassword {
        contract_id: id.into(),
        password: Secret::new("nova-senha-2026"),
    };
    let inactive = ixc.call(change("5002")).await;
    assert!(
        matches!(&inactive, Err(ErpError::Refused { reason: Refusal::Other, detail, .. }) if detail.contains("inactive")),
        "{inactive:?}"
    );
    assert!(
        fake.seen().iter().all(|it| it.method != "PUT"),
        "nothing is written for an inactive login"
    );
    let unpushed = ixc.call(change("5004")).await;
    assert!(
        matches!(&unpushed, Err(ErpError::Failed { detail }) if detail.contains("keeps the old password")),
        "{unpushed:?}"
    );
    let puts: Vec<String> = fake
        .seen()
        .iter()
        .filter(|it| it.method == "PUT")
        .map(|it| {
            it.json()["senha_rede_sem_fio"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(puts, vec!["nova-senha-2026", "antiga123"]);
}

fn ixc_config(base_url: &str) -> config::ErpConfig {
    let text = format!(
        "[erp]\nsystem = \"ixc\"\nbase_url = \"{base_url}\"\n[erp.credentials]\ntoken_env = \"IXC_TOKEN\"\n"
    );
    config::parse(&text).unwrap().unwrap()
}

#[tokio::test]
async fn a_base_url_with_the_webservice_path_is_the_same_place() {
    let fake = FakeErp::start(ixc).await;
    let adapter = ixc_config(&format!("{}/webservice/v1/", fake.url))
        .build(&|name| (name == "IXC_TOKEN").then(|| TOKEN.to_string()))
        .unwrap();
    let found = adapter
        .call(Request::Diagnose {
            contract_id: "5001".into(),
        })
        .await;
    assert!(matches!(found, Ok(Response::Diagnosis { .. })), "{found:?}");
    assert_eq!(fake.paths(), vec!["/webservice/v1/cliente_contrato"]);
}

#[test]
fn token_mistakes_are_told_without_the_secret() {
    let pasted = config::parse(
        "[erp]\nsystem = \"ixc\"\nbase_url = \"https://erp\"\n[erp.credentials]\ntoken_env = \"12:0a1b2c3d\"\n",
    )
    .unwrap()
    .unwrap();
    let error = pasted.build(&|_| None).err().unwrap().to_string();
    assert!(!error.contains("0a1b2c3d"), "{error}");
    assert!(error.contains("NAME of an environment variable"), "{error}");
    let without_user = ixc_config("https://erp")
        .build(&|_| Some("0a1b2c3d4e5f".into()))
        .err()
        .unwrap()
        .to_string();
    assert!(without_user.contains("userId:hash"), "{without_user}");
    assert!(!without_user.contains("0a1b2c3d4e5f"), "{without_user}");
}

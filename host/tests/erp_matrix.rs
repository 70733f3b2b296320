//! The capability matrix against the adapters: every ERP offers exactly its row of
//! `ErpSystem::actions`, for every action.
//!
//! The matrix (stdlib data) and the `ErpApi` methods an adapter writes (code) can
//! disagree two ways: a method missing from an action in the row would answer
//! `unsupported` to a flow the checker accepted, and a method written for an action
//! outside the row would be dead code behind the dispatch. Both are checked by
//! calling each client's methods directly, past the dispatch. Through `call`, as the
//! driver uses it, every system built from a `fluxo.toml` and the simulated ERP
//! narrowed to it must refuse what the row lacks without any I/O, and send everything
//! else on to the ERP. The fake ERP answers 503 to everything: only whether a
//! request reached it matters here.

mod erp_support;

use erp_support::{Answer, FakeErp};
use fluxo_host::erp::{
    config, ErpAdapter, ErpApi, ErpError, Hubsoft, HubsoftCredentials, Ixc, MkAuth,
    MkAuthCredentials, MkSolutions, MkSolutionsCredentials, Request, Response, Secret, Sgp,
    SgpCredentials, SimulatedErp, Synsuite, SynsuiteCredentials,
};
use fluxo_stdlib::erp::{ErpAction, ErpSystem};
use serde_json::json;

/// A contract id every client can take apart (`a/b/c` for MK Solutions, `a/b`
/// for Hubsoft and Synsuite), so that offered actions get as far as the ERP.
const CONTRACT: &str = "1/2/3";
const DOCUMENT: &str = "529.982.247-25";
const PHONE: &str = "+5548999990000";

/// One request of each variant.
fn every_request() -> Vec<Request> {
    let contract_id = || CONTRACT.to_string();
    vec![
        Request::FindCustomerByDocument {
            document: DOCUMENT.into(),
        },
        Request::FindCustomerByPhone {
            phone: PHONE.into(),
        },
        Request::ListContracts {
            customer_id: "1".into(),
        },
        Request::SecondCopy {
            contract_id: contract_id(),
        },
        Request::Invoice {
            contract_id: contract_id(),
        },
        Request::TrustUnlock {
            contract_id: contract_id(),
        },
        Request::ReleaseSpeed {
            contract_id: contract_id(),
        },
        Request::Diagnose {
            contract_id: contract_id(),
        },
        Request::ContractDocument {
            contract_id: contract_id(),
            phone: PHONE.into(),
        },
        Request::SignContract {
            contract_id: contract_id(),
            phone: PHONE.into(),
        },
        Request::ListTicketOptions,
        Request::OpenTicket {
            contract_id: contract_id(),
            department: "1".into(),
            subject: "1".into(),
            description: "Sem sinal".into(),
        },
        Request::Authenticate {
            document: DOCUMENT.into(),
            login: "ana".into(),
            password: Secret::new("Ana@2026"),
        },
        Request::WifiPassword {
            contract_id: contract_id(),
            password: Secret::new("segredo123"),
        },
    ]
}

/// ERPs with a client of their own; the others go through the generic adapter.
const CLIENTS: [ErpSystem; 6] = [
    ErpSystem::Ixc,
    ErpSystem::Hubsoft,
    ErpSystem::Sgp,
    ErpSystem::Mksolutions,
    ErpSystem::Mkauth,
    ErpSystem::Synsuite,
];

/// Whether `system`'s adapter can look a customer up by phone: the clients of ERPs
/// without a documented phone search (docs/erp.md) cannot; the generic adapter can,
/// since this test configures every endpoint.
fn finds_by_phone(system: ErpSystem) -> bool {
    !matches!(
        system,
        ErpSystem::Mksolutions | ErpSystem::Mkauth | ErpSystem::Synsuite
    )
}

/// What `system`'s adapter should do with `request`: `true` to send it to the ERP,
/// `false` to refuse it without I/O.
fn offered(system: ErpSystem, request: &Request) -> bool {
    match (request, request.action()) {
        (Request::FindCustomerByPhone { .. }, _) => finds_by_phone(system),
        (_, Some(action)) => system.offers(action),
        (_, None) => true,
    }
}

fn unsupported(result: &Result<Response, ErpError>) -> bool {
    matches!(result, Err(ErpError::Unsupported { .. }))
}

async fn fake_erp() -> FakeErp {
    FakeErp::start(|_| Answer::status(503, json!({"message": "down for the test"}))).await
}

/// A `fluxo.toml` for `system` at `url`: no retries and a breaker that never opens,
/// so every call reaches the fake; for the ERPs without a client, an endpoint for
/// every operation with every output field any of them requires.
fn fluxo_toml(system: ErpSystem, url: &str) -> String {
    let mut text = format!(
        r#"
[erp]
system = "{name}"
base_url = "{url}"
timeout_ms = 2000

[erp.credentials]
token_env = "SECRET"
password_env = "SECRET"
username_env = "SECRET"
client_id_env = "SECRET"
client_secret_env = "SECRET"
syndata_env = "SECRET"
app = "fluxo"
auth_url = "{url}"

[erp.resilience]
retries = 0
breaker_failures = 1000
"#,
        name = system.name()
    );
    if !CLIENTS.contains(&system) {
        let fields = r#"{ id = "/id", name = "/name", due_date = "/due", amount = "/amount", number = "/number", pdf_url = "/pdf", status = "/status", protocol = "/protocol" }"#;
        let ops = every_request().into_iter().flat_map(|it| match it.op() {
            "list_ticket_options" => vec!["ticket_departments", "ticket_subjects"],
            op => vec![op],
        });
        for op in ops {
            text.push_str(&format!(
                "\n[erp.generic.endpoints.{op}]\npath = \"/{op}\"\nfields = {fields}\n"
            ));
        }
    }
    text
}

/// Calls, past the dispatch and its matrix, the methods `action` needs, and says
/// whether the adapter wrote them (a default answers `unsupported` without I/O).
async fn writes(api: &impl ErpApi, action: ErpAction) -> bool {
    let outcomes = match action {
        ErpAction::SecondCopy => vec![api.second_copy(CONTRACT).await],
        ErpAction::Invoice => vec![api.invoice(CONTRACT).await],
        ErpAction::TrustUnlock => vec![api.trust_unlock(CONTRACT).await],
        ErpAction::ReleaseSpeed => vec![api.release_speed(CONTRACT).await],
        ErpAction::Diagnose => vec![api.diagnose(CONTRACT).await],
        ErpAction::SignContract => vec![
            api.contract_document(CONTRACT, PHONE).await,
            api.sign_contract(CONTRACT, PHONE).await,
        ],
        ErpAction::OpenTicket => vec![
            api.list_ticket_options().await,
            api.open_ticket(CONTRACT, "1", "1", "Sem sinal").await,
        ],
        ErpAction::Authenticate => vec![
            api.authenticate(DOCUMENT, "ana", &Secret::new("Ana@2026"))
                .await,
        ],
        ErpAction::WifiPassword => vec![
            api.wifi_password(CONTRACT, &Secret::new("segredo123"))
                .await,
        ],
    };
    let written: Vec<bool> = outcomes.iter().map(|it| !unsupported(it)).collect();
    assert!(
        written.iter().all(|it| *it == written[0]),
        "{action:?}: one of its methods is written, another is not: {outcomes:?}"
    );
    written[0]
}

/// `api`, the client of `system`, writes the lookups it can do and the methods of
/// exactly the actions in its row.
async fn check_methods(api: &impl ErpApi, system: ErpSystem) {
    assert!(!unsupported(&api.find_customer_by_document(DOCUMENT).await));
    assert!(!unsupported(&api.list_contracts("1").await));
    assert_eq!(
        !unsupported(&api.find_customer_by_phone(PHONE).await),
        finds_by_phone(system),
        "{system:?}: find_customer_by_phone"
    );
    for action in ErpAction::ALL {
        assert_eq!(
            writes(api, action).await,
            system.offers(action),
            "{system:?} and {action:?}: the methods written are not the matrix's row"
        );
    }
}

#[tokio::test]
async fn every_client_writes_the_methods_of_its_row_and_no_other() {
    let fake = fake_erp().await;
    let settings = fake.settings();
    let secret = || Secret::new("s3cr3t");
    check_methods(&Ixc::new(&settings, secret(), 3).unwrap(), ErpSystem::Ixc).await;
    let hubsoft = HubsoftCredentials {
        client_id: "1".into(),
        client_secret: secret(),
        username: "api".into(),
        password: secret(),
    };
    check_methods(
        &Hubsoft::new(&settings, hubsoft).unwrap(),
        ErpSystem::Hubsoft,
    )
    .await;
    let sgp = SgpCredentials {
        token: secret(),
        app: "fluxo".into(),
    };
    check_methods(&Sgp::new(&settings, sgp).unwrap(), ErpSystem::Sgp).await;
    let mk = MkSolutionsCredentials {
        token: secret(),
        password: secret(),
    };
    check_methods(
        &MkSolutions::new(&settings, mk, 3).unwrap(),
        ErpSystem::Mksolutions,
    )
    .await;
    let mkauth = MkAuthCredentials {
        client_id: "1".into(),
        client_secret: secret(),
    };
    check_methods(&MkAuth::new(&settings, mkauth).unwrap(), ErpSystem::Mkauth).await;
    let synsuite = SynsuiteCredentials {
        client_id: "1".into(),
        client_secret: secret(),
        syndata: secret(),
        auth_url: fake.url.clone(),
    };
    check_methods(
        &Synsuite::new(&settings, synsuite, 3).unwrap(),
        ErpSystem::Synsuite,
    )
    .await;
}

#[tokio::test]
async fn every_configured_erp_refuses_what_its_row_lacks_without_io() {
    // IXC wants `userId:hash`; the other ERPs take any text.
    let env = |_: &str| Some("7:s3cr3t".to_string());
    for system in ErpSystem::ALL {
        let fake = fake_erp().await;
        let adapter = config::parse(&fluxo_toml(system, &fake.url))
            .unwrap()
            .unwrap()
            .build(&env)
            .unwrap();
        assert_eq!(adapter.system(), system);
        for request in every_request() {
            let before = fake.seen().len();
            let result = adapter.call(request.clone()).await;
            let reached = fake.seen().len() > before;
            if offered(system, &request) {
                assert!(
                    reached && !unsupported(&result),
                    "{system:?} did not send {request:?} on: {result:?}"
                );
            } else {
                assert_eq!(
                    result,
                    Err(ErpError::Unsupported {
                        system,
                        operation: request.op().into()
                    }),
                    "{system:?}: {request:?}"
                );
                assert!(!reached, "{system:?} called the ERP for {request:?}");
            }
        }
    }
}

#[tokio::test]
async fn the_simulated_erp_offers_each_systems_row() {
    let fixture = include_str!("../../examples/provedor/erp-demo.json");
    for system in ErpSystem::ALL {
        let erp = SimulatedErp::from_json(fixture).unwrap().for_system(system);
        for request in every_request() {
            let result = erp.call(request.clone()).await;
            // The simulation answers every lookup, whatever the ERP it stands for.
            let expected = request.action().is_none_or(|it| system.offers(it));
            assert_eq!(
                !unsupported(&result),
                expected,
                "{system:?}: {request:?} answered {result:?}"
            );
        }
    }
}

/// An adapter that writes no method.
struct Bare;

impl ErpApi for Bare {
    fn system(&self) -> ErpSystem {
        ErpSystem::Ixc
    }
}

#[tokio::test]
async fn every_default_names_the_operation_of_its_request() {
    // IXC's row has every action, so each request reaches its method's default.
    for request in every_request() {
        assert_eq!(
            Bare.call(request.clone()).await,
            Err(ErpError::Unsupported {
                system: ErpSystem::Ixc,
                operation: request.op().into()
            })
        );
    }
}

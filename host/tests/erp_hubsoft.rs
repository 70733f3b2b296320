//! The Hubsoft adapter against a fake Hubsoft (docs/erp.md): OAuth login
//! and renewal of an expired token, customers and services, diagnosis, open bills,
//! business errors inside HTTP 200, and the actions the matrix does not give it.

mod erp_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use erp_support::{Answer, FakeErp, Seen};
use fluxo_host::erp::{
    Attachment, ErpAdapter, ErpError, Hubsoft, HubsoftCredentials, Missing, Request, Response,
    Secret,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use serde_json::json;
use time::macros::date;

/// The fake's state: how many tokens it issued, and the only one it accepts.
#[derive(Default)]
struct Tokens {
    issued: AtomicU32,
    valid: AtomicU32,
}

fn customer() -> serde_json::Value {
    json!({
        "id_cliente": 1, "codigo_cliente": 1099, "nome_razaosocial": "Ana Souza", "cpf_cnpj": "529.982.247-25",
        "telefone_primario": "(48) 99999-0000", "tipo_pessoa": "pf",
        "servicos": [
            {"id_cliente_servico": 11000, "nome": "FIBRA 500M", "status_prefixo": "servico_habilitado",
             "endereco_instalacao": {"endereco": "Rua A", "numero": "10", "bairro": "Centro", "cidade": "Florianópolis"}},
            {"id_cliente_servico": 11001, "nome": "FIBRA 300M", "status_prefixo": "suspenso_debito"}
        ]
    })
}

fn hubsoft(tokens: &Tokens, seen: &Seen) -> Answer {
    if seen.path == "/oauth/token" {
        let body = seen.json();
        assert_eq!(body["grant_type"], "password");
        if body["client_secret"] != "s3cr3t" || body["password"] != "pw" {
            return Answer::status(
                401,
                json!({"error": "invalid_client", "message": "Client authentication failed"}),
            );
        }
        let n = tokens.issued.fetch_add(1, Ordering::SeqCst) + 1;
        return Answer::json(
            json!({"token_type": "Bearer", "expires_in": 2_592_000, "access_token": format!("tok-{n}")}),
        );
    }
    let valid = format!("Bearer tok-{}", tokens.valid.load(Ordering::SeqCst));
    if seen.header("authorization") != Some(valid.as_str()) {
        return Answer::status(401, json!({"message": "Unauthenticated."}));
    }
    match (
        seen.path.as_str(),
        seen.query("busca"),
        seen.query("termo_busca"),
    ) {
        ("/api/v1/integracao/cliente", Some("cpf_cnpj"), Some("52998224725"))
        | ("/api/v1/integracao/cliente", Some("telefone"), Some("48999990000"))
        | ("/api/v1/integracao/cliente", Some("codigo_cliente"), Some("1099")) => Answer::json(
            json!({"status": "success", "msg": "Dados consultados com sucesso", "clientes": [customer()]}),
        ),
        ("/api/v1/integracao/cliente", Some("cpf_cnpj"), Some("11144477735")) => {
            Answer::json(json!({"status": "error", "msg": "Erro ao consultar o banco de dados"}))
        }
        ("/api/v1/integracao/cliente", _, _) => Answer::json(
            json!({"status": "success", "msg": "Nenhum cliente encontrado", "clientes": []}),
        ),
        ("/api/v1/integracao/cliente/financeiro", Some("id_cliente_servico"), Some("11000")) => {
            assert_eq!(seen.query("apenas_pendente"), Some("sim"));
            Answer::json(
                json!({"status": "suscess", "msg": "Dados consultados com sucesso", "faturas": [
                    {"id_fatura": 36398, "linha_digitavel": null, "tipo_cobranca": "boleto_bancario", "valor": 132.5,
                     "data_vencimento": "10/10/2026", "data_pagamento": "09/10/2026"},
                    {"id_fatura": 44612, "nosso_numero": "274764", "linha_digitavel": "75691.31662 01006.726101 27476.400018 2 76380000001023",
                     "tipo_cobranca": "boleto_bancario", "valor": 10.23, "data_vencimento": "10/12/2026", "data_pagamento": null,
                     "link": "https://hub.example.com/boleto/44612.pdf", "pix_copia_cola": "00020126PIX"},
                    {"id_fatura": 43625, "linha_digitavel": null, "tipo_cobranca": "debito_conta_corrente", "valor": "12.50",
                     "data_vencimento": "10/11/2026", "data_pagamento": null}
                ]}),
            )
        }
        ("/api/v1/integracao/cliente/financeiro", _, _) => Answer::json(
            json!({"status": "success", "msg": "Dados consultados com sucesso", "faturas": []}),
        ),
        _ => Answer::status(404, json!({"message": "Not found"})),
    }
}

async fn client() -> (FakeErp, Hubsoft, Arc<Tokens>) {
    let tokens = Arc::new(Tokens::default());
    tokens.valid.store(1, Ordering::SeqCst);
    let state = Arc::clone(&tokens);
    let fake = FakeErp::start(move |seen: &Seen| hubsoft(&state, seen)).await;
    let adapter = hubsoft_with(&fake, "s3cr3t");
    (fake, adapter, tokens)
}

/// A client of `fake` whose client secret is `secret`.
fn hubsoft_with(fake: &FakeErp, secret: &str) -> Hubsoft {
    let credentials = HubsoftCredentials {
        client_id: "12".into(),
        client_secret: Secret::new(secret),
        username: "api@provedor".into(),
        password: Secret::new("pw"),
    };
    Hubsoft::new(&fake.settings(), credentials).unwrap()
}

/// Any call that needs a token.
fn contracts() -> Request {
    Request::ListContracts {
        customer_id: "1099".into(),
    }
}

#[tokio::test]
async fn logs_in_once_and_renews_an_expired_token() {
    let (fake, hubsoft, tokens) = client().await;
    let found = hubsoft
        .call(Request::FindCustomerByDocument {
            document: "529.982.247-25".into(),
        })
        .await;
    assert!(
        matches!(&found, Ok(Response::Customer(c)) if c.id == "1099" && c.name == "Ana Souza"),
        "{found:?}"
    );
    let again = hubsoft
        .call(Request::FindCustomerByPhone {
            phone: "+5548999990000".into(),
        })
        .await;
    assert!(
        matches!(&again, Ok(Response::Customer(c)) if c.phones == vec!["+5548999990000".to_string()]),
        "{again:?}"
    );
    assert_eq!(
        fake.paths()
            .iter()
            .filter(|it| *it == "/oauth/token")
            .count(),
        1
    );
    // The server now wants a newer token: the adapter gets a 401, logs in again and
    // repeats the call.
    tokens.valid.store(2, Ordering::SeqCst);
    let renewed = hubsoft
        .call(Request::ListContracts {
            customer_id: "1099".into(),
        })
        .await;
    assert!(
        matches!(renewed, Ok(Response::Contracts { .. })),
        "{renewed:?}"
    );
    let paths = fake.paths();
    assert_eq!(paths.iter().filter(|it| *it == "/oauth/token").count(), 2);
    assert_eq!(
        &paths[paths.len() - 3..],
        [
            "/api/v1/integracao/cliente",
            "/oauth/token",
            "/api/v1/integracao/cliente"
        ]
    );
}

#[tokio::test]
async fn wrong_client_credentials_are_an_auth_error() {
    let (fake, _, _) = client().await;
    let result = hubsoft_with(&fake, "wrong").call(contracts()).await;
    assert!(
        matches!(&result, Err(ErpError::Auth { detail }) if detail.contains("Client authentication failed")),
        "{result:?}"
    );
}

/// RFC 6749 section 5.2: a refused grant is HTTP 400 with an `error` code; only the
/// credential codes say the credentials are wrong. Another 400 (Laravel's validation
/// answer, a moved route) is an HTTP error, not a credentials one.
#[tokio::test]
async fn a_token_endpoint_400_is_auth_only_for_a_refused_grant() {
    for (body, expect_auth) in [
        (
            json!({"error": "invalid_grant", "error_description": "The user credentials were incorrect.",
                   "message": "The user credentials were incorrect."}),
            true,
        ),
        (
            json!({"message": "The given data was invalid.", "errors": {"username": ["required"]}}),
            false,
        ),
    ] {
        let fake = FakeErp::start(move |_: &Seen| Answer::status(400, body.clone())).await;
        let result = hubsoft_with(&fake, "s3cr3t").call(contracts()).await;
        if expect_auth {
            assert!(
                matches!(&result, Err(ErpError::Auth { detail }) if detail.contains("credentials were incorrect")),
                "{result:?}"
            );
        } else {
            assert!(
                matches!(&result, Err(ErpError::Http { status: 400, detail }) if detail.contains("invalid")),
                "{result:?}"
            );
        }
        assert_eq!(fake.paths(), vec!["/oauth/token"], "one login, no retry");
    }
}

#[tokio::test]
async fn contracts_and_diagnosis_come_from_services() {
    let (_fake, hubsoft, _) = client().await;
    match hubsoft
        .call(Request::ListContracts {
            customer_id: "1099".into(),
        })
        .await
    {
        Ok(Response::Contracts { contracts }) => {
            assert_eq!(contracts[0].id, "1099/11000");
            assert_eq!(contracts[0].plan, "FIBRA 500M");
            assert_eq!(contracts[0].address, "Rua A, 10, Centro, Florianópolis");
            assert_eq!(contracts[0].status, Diagnosis::Active);
            assert_eq!(contracts[1].status, Diagnosis::Overdue);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        hubsoft
            .call(Request::Diagnose {
                contract_id: "1099/11001".into()
            })
            .await,
        Ok(Response::Diagnosis {
            diagnosis: Diagnosis::Overdue
        })
    );
    assert_eq!(
        hubsoft
            .call(Request::Diagnose {
                contract_id: "1099/999".into()
            })
            .await,
        Err(ErpError::NotFound {
            what: Missing::Contract
        })
    );
}

#[tokio::test]
async fn second_copy_reads_pending_bills() {
    let (_fake, hubsoft, _) = client().await;
    let Ok(Response::Bills { bills }) = hubsoft
        .call(Request::SecondCopy {
            contract_id: "1099/11000".into(),
        })
        .await
    else {
        panic!("bills expected");
    };
    let ids: Vec<&str> = bills.iter().map(|it| it.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["43625", "44612"],
        "the paid bill is left out, the rest oldest first"
    );
    assert_eq!(bills[0].amount_cents, 1250);
    assert_eq!(bills[0].linha_digitavel, None);
    assert_eq!(bills[1].due_date, date!(2026 - 12 - 10));
    assert_eq!(bills[1].amount_cents, 1023);
    assert_eq!(
        bills[1].linha_digitavel.as_deref(),
        Some("75691316620100672610127476400018276380000001023")
    );
    assert_eq!(bills[1].pix_copia_e_cola.as_deref(), Some("00020126PIX"));
    assert_eq!(
        bills[1].pdf,
        Some(Attachment::Url {
            url: "https://hub.example.com/boleto/44612.pdf".into()
        })
    );
    assert_eq!(
        hubsoft
            .call(Request::SecondCopy {
                contract_id: "1099/11001".into()
            })
            .await,
        Err(ErpError::NotFound {
            what: Missing::OpenBill
        })
    );
}

#[tokio::test]
async fn business_errors_inside_http_200() {
    let (_fake, hubsoft, _) = client().await;
    assert_eq!(
        hubsoft
            .call(Request::FindCustomerByDocument {
                document: "314.159.265-90".into()
            })
            .await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
    let failed = hubsoft
        .call(Request::FindCustomerByDocument {
            document: "111.444.777-35".into(),
        })
        .await;
    assert!(
        matches!(&failed, Err(ErpError::Failed { detail }) if detail.contains("banco de dados")),
        "{failed:?}"
    );
}

#[tokio::test]
async fn refuses_what_the_matrix_does_not_give_hubsoft() {
    let (fake, hubsoft, _) = client().await;
    for request in [
        Request::TrustUnlock {
            contract_id: "1099/11000".into(),
        },
        Request::Invoice {
            contract_id: "1099/11000".into(),
        },
        Request::ListTicketOptions,
    ] {
        let op = request.op().to_string();
        assert_eq!(
            hubsoft.call(request).await,
            Err(ErpError::Unsupported {
                system: ErpSystem::Hubsoft,
                operation: op
            })
        );
    }
    assert!(fake.seen().is_empty(), "refused without any request");
}

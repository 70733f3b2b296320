//! The MK-Auth adapter against a fake MK-Auth API (docs/erp.md): a JWT
//! from `GET /api/` with Basic auth, renewed on 401, the customer by CPF, its login
//! as the one contract, open titles with their detail, an error inside HTTP 200, and
//! what the matrix leaves out.

mod erp_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use erp_support::{Answer, FakeErp, Seen};
use fluxo_host::erp::{
    Attachment, ErpAdapter, ErpError, Missing, MkAuth, MkAuthCredentials, Request, Response, Secret,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use serde_json::json;
use time::macros::date;

#[derive(Default)]
struct Jwts {
    issued: AtomicU32,
    valid: AtomicU32,
}

fn jwt(n: u32) -> String {
    let engine = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    format!(
        "{}.{}.sig{n}",
        engine.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        engine.encode(format!(r#"{{"n":{n},"exp":{exp}}}"#))
    )
}

fn mkauth(jwts: &Jwts, seen: &Seen) -> Answer {
    if seen.path == "/api/" {
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("client-1:secret-1")
        );
        if seen.header("authorization") != Some(basic.as_str()) {
            return Answer::status(401, json!({"error": "Credenciais inválidas"}));
        }
        let n = jwts.issued.fetch_add(1, Ordering::SeqCst) + 1;
        return Answer::text(&jwt(n));
    }
    let valid = format!("Bearer {}", jwt(jwts.valid.load(Ordering::SeqCst)));
    let sent = seen.header("authorization").unwrap_or_default();
    // Compare without the expiry claim, which depends on the clock.
    let signature = |it: &str| it.rsplit('.').next().unwrap_or_default().to_string();
    if signature(sent) != signature(&valid) {
        return Answer::status(401, json!({"error": "Token expirado"}));
    }
    match seen.path.as_str() {
        "/api/cliente/listar/cpf_cnpj=52998224725" => {
            Answer::json(json!({"total_registros": 1, "clientes": [
                {"login": "ana.souza", "nome": "Ana Souza", "cpf_cnpj": "529.982.247-25", "celular": "48999990000",
                 "uuid_cliente": "u-1", "bloqueado": "nao"}
            ]}))
        }
        "/api/cliente/listar/cpf_cnpj=11144477735" => {
            Answer::json(json!({"error": "Falha ao consultar a base"}))
        }
        path if path.starts_with("/api/cliente/listar/") => {
            Answer::json(json!({"total_registros": 0, "clientes": []}))
        }
        "/api/cliente/show/ana.souza" => Answer::json(
            json!({"login": "ana.souza", "nome": "Ana Souza", "plano": "FIBRA_300M",
            "endereco": "Rua A", "numero": "10", "bairro": "Centro", "bloqueado": "sim", "cli_ativado": "s"}),
        ),
        "/api/titulo/aberto/ana.souza" => Answer::json(json!({"titulos": [
            {"uuid_lanc": "t-2", "datavenc": "2026-12-10", "valor": "129.90"},
            {"uuid_lanc": "t-1", "datavenc": "2026-11-10", "valor": "129.90"}
        ]})),
        "/api/titulo/show/t-1" | "/api/titulo/show/t-2" => {
            let uuid = seen.path.rsplit('/').next().unwrap_or_default();
            let due = if uuid == "t-1" {
                "2026-11-10"
            } else {
                "2026-12-10"
            };
            Answer::json(
                json!({"titulo": {"uuid_lanc": uuid, "datavenc": due, "valor": "129.90",
                "linhadig": "00190.00009 02837.465000 00001.101179 7 16560000012990", "pix": "000201MKAUTHPIX",
                "url": format!("https://mkauth.example.com/boleto/{uuid}")}}),
            )
        }
        "/api/titulo/aberto/carla" => Answer::json(json!([])),
        _ => Answer::status(404, json!({"error": "rota inexistente"})),
    }
}

async fn client() -> (FakeErp, MkAuth, Arc<Jwts>) {
    let jwts = Arc::new(Jwts::default());
    jwts.valid.store(1, Ordering::SeqCst);
    let state = Arc::clone(&jwts);
    let fake = FakeErp::start(move |seen: &Seen| mkauth(&state, seen)).await;
    let credentials = MkAuthCredentials {
        client_id: "client-1".into(),
        client_secret: Secret::new("secret-1"),
    };
    let adapter = MkAuth::new(&fake.settings(), credentials).unwrap();
    (fake, adapter, jwts)
}

#[tokio::test]
async fn finds_the_customer_and_renews_the_jwt_on_401() {
    let (fake, mkauth, jwts) = client().await;
    let found = mkauth
        .call(Request::FindCustomerByDocument {
            document: "529.982.247-25".into(),
        })
        .await;
    match found {
        Ok(Response::Customer(customer)) => {
            assert_eq!(customer.id, "ana.souza");
            assert_eq!(customer.document, "52998224725");
            assert_eq!(customer.phones, vec!["+5548999990000".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    jwts.valid.store(2, Ordering::SeqCst);
    let contracts = mkauth
        .call(Request::ListContracts {
            customer_id: "ana.souza".into(),
        })
        .await;
    match contracts {
        Ok(Response::Contracts { contracts }) => {
            assert_eq!(contracts.len(), 1);
            assert_eq!(contracts[0].id, "ana.souza");
            assert_eq!(contracts[0].plan, "FIBRA_300M");
            assert_eq!(contracts[0].status, Diagnosis::Blocked);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.paths().iter().filter(|it| *it == "/api/").count(), 2);
    assert_eq!(
        mkauth
            .call(Request::FindCustomerByDocument {
                document: "314.159.265-90".into()
            })
            .await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
}

#[tokio::test]
async fn second_copy_reads_each_title() {
    let (_fake, mkauth, _) = client().await;
    match mkauth
        .call(Request::SecondCopy {
            contract_id: "ana.souza".into(),
        })
        .await
    {
        Ok(Response::Bills { bills }) => {
            let ids: Vec<&str> = bills.iter().map(|it| it.id.as_str()).collect();
            assert_eq!(ids, vec!["t-1", "t-2"]);
            assert_eq!(bills[0].due_date, date!(2026 - 11 - 10));
            assert_eq!(bills[0].amount_cents, 12990);
            assert_eq!(
                bills[0].pix_copia_e_cola.as_deref(),
                Some("000201MKAUTHPIX")
            );
            assert_eq!(
                bills[0].pdf,
                Some(Attachment::Url {
                    url: "https://mkauth.example.com/boleto/t-1".into()
                })
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        mkauth
            .call(Request::SecondCopy {
                contract_id: "carla".into()
            })
            .await,
        Err(ErpError::NotFound {
            what: Missing::OpenBill
        })
    );
}

#[tokio::test]
async fn errors_inside_http_200_and_bad_client_credentials() {
    let (fake, mkauth, _) = client().await;
    let failed = mkauth
        .call(Request::FindCustomerByDocument {
            document: "111.444.777-35".into(),
        })
        .await;
    assert!(
        matches!(&failed, Err(ErpError::Failed { detail }) if detail.contains("Falha")),
        "{failed:?}"
    );
    let credentials = MkAuthCredentials {
        client_id: "client-1".into(),
        client_secret: Secret::new("wrong"),
    };
    let stranger = MkAuth::new(&fake.settings(), credentials).unwrap();
    let denied = stranger
        .call(Request::SecondCopy {
            contract_id: "ana.souza".into(),
        })
        .await;
    assert!(matches!(denied, Err(ErpError::Auth { .. })), "{denied:?}");
}

#[tokio::test]
async fn offers_second_copy_only() {
    let (fake, mkauth, _) = client().await;
    for request in [
        Request::TrustUnlock {
            contract_id: "ana.souza".into(),
        },
        Request::Diagnose {
            contract_id: "ana.souza".into(),
        },
        Request::FindCustomerByPhone {
            phone: "+5548999990000".into(),
        },
    ] {
        let op = request.op().to_string();
        assert_eq!(
            mkauth.call(request).await,
            Err(ErpError::Unsupported {
                system: ErpSystem::Mkauth,
                operation: op
            })
        );
    }
    assert!(fake.seen().is_empty());
}

//! The SGP adapter against a fake SGP URA (docs/erp.md): token and app
//! in every body, customers as contracts, open titles, the promise-of-payment unlock
//! with its refusals, a wrong token reported inside HTTP 200, and the actions the
//! matrix does not give SGP.

mod erp_support;

use erp_support::{Answer, FakeErp, Seen};
use fluxo_host::erp::{
    Attachment, ErpAdapter, ErpError, Missing, Refusal, Request, Response, Secret, Sgp,
    SgpCredentials,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use serde_json::json;
use time::macros::date;

fn contracts() -> serde_json::Value {
    json!({"contratos": [
        {"contratoId": 301, "clienteId": 77, "razaoSocial": "Ana Souza", "cpfCnpj": "529.982.247-25",
         "telefones": ["48999990000"], "contratoStatus": 1, "contratoStatusDisplay": "Ativo",
         "planointernet": "FIBRA 400M", "endereco_logradouro": "Rua A", "endereco_numero": "10"},
        {"contratoId": 302, "clienteId": 77, "razaoSocial": "Ana Souza", "cpfCnpj": "529.982.247-25",
         "telefones": ["48999990000"], "contratoStatus": 7, "contratoStatusDisplay": "Ativo V. Reduzida",
         "planointernet": "FIBRA 100M"},
        {"contratoId": 303, "clienteId": 77, "razaoSocial": "Ana Souza", "cpfCnpj": "529.982.247-25",
         "contratoStatus": 4, "contratoStatusDisplay": "Suspenso", "planointernet": "FIBRA 50M"}
    ]})
}

fn sgp(seen: &Seen) -> Answer {
    if seen.field("token").as_deref() != Some("tk-123")
        || seen.field("app").as_deref() != Some("fluxo")
    {
        return Answer::json(json!({"status": 0, "msg": "Token ou app inválido"}));
    }
    match seen.path.as_str() {
        "/api/ura/consultacliente/" => {
            assert_eq!(
                seen.header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
            let known = seen.form("cpfcnpj").as_deref() == Some("52998224725")
                || seen.form("telefone").as_deref() == Some("48999990000");
            if known {
                Answer::json(contracts())
            } else {
                Answer::json(json!({"contratos": [], "msg": "Cliente não encontrado"}))
            }
        }
        "/api/ura/titulos/" => match seen.form("contrato").as_deref() {
            Some("301") => Answer::json(json!({"titulos": [
                {"id": 9001, "numero_documento": "9001", "vencimento": "2026-12-10", "vencimento_atualizado": "2026-12-10",
                 "valor": "129.90", "valorcorrigido": "129.90", "status": "Aberto", "statusid": 1,
                 "linhadigitavel": "00190.00009 02837.465000 00001.101179 7 16560000012990", "codigopix": "000201SGPPIX",
                 "link": "https://sgp.example.com/boleto/9001"},
                {"id": 8990, "vencimento": "2026-10-10", "valor": "129.90", "status": "Pago", "statusid": 2}
            ], "paginacao": {"offset": 0, "limit": 100, "parcial": 2, "total": 2}})),
            _ => Answer::json(
                json!({"titulos": [], "paginacao": {"offset": 0, "limit": 100, "parcial": 0, "total": 0}}),
            ),
        },
        "/api/ura/liberacaopromessa/" => {
            assert_eq!(
                seen.header("content-type"),
                Some("application/json"),
                "this route wants JSON"
            );
            match seen.json()["contrato"].as_str() {
                Some("303") => {
                    Answer::json(json!({"status": 1, "liberado": true, "liberado_dias": 3,
                    "protocolo": "20261123001", "msg": "Contrato liberado", "contratoId": 303}))
                }
                Some("302") => Answer::json(json!({"status": 0, "liberado": false,
                    "msg": "Promessa de pagamento já utilizada. Nova liberação a partir de 01/12/2026"})),
                _ => Answer::json(
                    json!({"status": 0, "liberado": false, "msg": "Contrato não está suspenso"}),
                ),
            }
        }
        _ => Answer::status(404, json!({"detail": "Not found."})),
    }
}

async fn client(token: &str) -> (FakeErp, Sgp) {
    let fake = FakeErp::start(sgp).await;
    let credentials = SgpCredentials {
        token: Secret::new(token),
        app: "fluxo".into(),
    };
    let adapter = Sgp::new(&fake.settings(), credentials).unwrap();
    (fake, adapter)
}

#[tokio::test]
async fn finds_customers_and_lists_their_contracts() {
    let (_fake, sgp) = client("tk-123").await;
    let found = sgp
        .call(Request::FindCustomerByDocument {
            document: "529.982.247-25".into(),
        })
        .await;
    match found {
        Ok(Response::Customer(customer)) => {
            assert_eq!(customer.id, "52998224725");
            assert_eq!(customer.name, "Ana Souza");
            assert_eq!(customer.phones, vec!["+5548999990000".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let by_phone = sgp
        .call(Request::FindCustomerByPhone {
            phone: "(48) 99999-0000".into(),
        })
        .await;
    assert!(
        matches!(&by_phone, Ok(Response::Customer(c)) if c.id == "52998224725"),
        "{by_phone:?}"
    );
    match sgp
        .call(Request::ListContracts {
            customer_id: "52998224725".into(),
        })
        .await
    {
        Ok(Response::Contracts { contracts }) => {
            let statuses: Vec<(&str, Diagnosis)> = contracts
                .iter()
                .map(|it| (it.id.as_str(), it.status))
                .collect();
            assert_eq!(
                statuses,
                vec![
                    ("301", Diagnosis::Active),
                    ("302", Diagnosis::Reduced),
                    ("303", Diagnosis::Blocked)
                ]
            );
            assert_eq!(contracts[0].address, "Rua A, 10");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sgp.call(Request::FindCustomerByDocument {
            document: "111.444.777-35".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
}

#[tokio::test]
async fn second_copy_keeps_open_titles() {
    let (_fake, sgp) = client("tk-123").await;
    match sgp
        .call(Request::SecondCopy {
            contract_id: "301".into(),
        })
        .await
    {
        Ok(Response::Bills { bills }) => {
            assert_eq!(bills.len(), 1);
            assert_eq!(bills[0].id, "9001");
            assert_eq!(bills[0].due_date, date!(2026 - 12 - 10));
            assert_eq!(bills[0].amount_cents, 12990);
            assert_eq!(bills[0].pix_copia_e_cola.as_deref(), Some("000201SGPPIX"));
            assert!(bills[0].linha_digitavel.is_some());
            assert_eq!(
                bills[0].pdf,
                Some(Attachment::Url {
                    url: "https://sgp.example.com/boleto/9001".into()
                })
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sgp.call(Request::SecondCopy {
            contract_id: "302".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::OpenBill
        })
    );
}

#[tokio::test]
async fn trust_unlock_with_its_refusals() {
    let (_fake, sgp) = client("tk-123").await;
    match sgp
        .call(Request::TrustUnlock {
            contract_id: "303".into(),
        })
        .await
    {
        Ok(Response::Unlocked { until }) => assert!(until > date!(2026 - 01 - 01)),
        other => panic!("{other:?}"),
    }
    match sgp
        .call(Request::TrustUnlock {
            contract_id: "302".into(),
        })
        .await
    {
        Err(ErpError::Refused {
            reason,
            next_allowed,
            ..
        }) => {
            assert_eq!(reason, Refusal::TrustUnlockUsed);
            assert_eq!(next_allowed, Some(date!(2026 - 12 - 01)));
        }
        other => panic!("{other:?}"),
    }
    let active = sgp
        .call(Request::TrustUnlock {
            contract_id: "301".into(),
        })
        .await;
    assert!(
        matches!(
            active,
            Err(ErpError::Refused {
                reason: Refusal::NotBlocked,
                ..
            })
        ),
        "{active:?}"
    );
}

#[tokio::test]
async fn a_wrong_token_inside_http_200_is_an_auth_error() {
    let (_fake, sgp) = client("expired").await;
    let result = sgp
        .call(Request::SecondCopy {
            contract_id: "301".into(),
        })
        .await;
    assert!(
        matches!(&result, Err(ErpError::Auth { detail }) if detail.contains("Token")),
        "{result:?}"
    );
    let unlock = sgp
        .call(Request::TrustUnlock {
            contract_id: "303".into(),
        })
        .await;
    assert!(matches!(unlock, Err(ErpError::Auth { .. })), "{unlock:?}");
}

#[tokio::test]
async fn refuses_what_the_matrix_does_not_give_sgp() {
    let (fake, sgp) = client("tk-123").await;
    assert_eq!(
        sgp.call(Request::Diagnose {
            contract_id: "301".into()
        })
        .await,
        Err(ErpError::Unsupported {
            system: ErpSystem::Sgp,
            operation: "diagnose".into()
        })
    );
    assert_eq!(
        sgp.call(Request::ReleaseSpeed {
            contract_id: "302".into()
        })
        .await,
        Err(ErpError::Unsupported {
            system: ErpSystem::Sgp,
            operation: "release_speed".into()
        })
    );
    assert!(fake.seen().is_empty());
}

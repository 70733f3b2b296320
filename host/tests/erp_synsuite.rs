//! The Synsuite (Voalle) adapter against a fake Voalle (docs/erp.md):
//! client-credentials token from the auth port, renewed on 401, the
//! `{success, messages, response}` envelope with `success: false` inside HTTP 200,
//! people, contracts, open titles with their billet link, the contract unlock, and
//! what the matrix leaves out.

mod erp_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use erp_support::{Answer, FakeErp, Seen};
use fluxo_host::erp::{
    Attachment, ErpAdapter, ErpError, Missing, Refusal, Request, Response, Secret, Synsuite,
    SynsuiteCredentials,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use serde_json::{json, Value};
use time::macros::date;

const ROUTES: &str = "/external/integrations/thirdparty";

#[derive(Default)]
struct Tokens {
    issued: AtomicU32,
    valid: AtomicU32,
}

fn ok(response: Value) -> Answer {
    Answer::json(json!({"success": true, "messages": [], "response": response}))
}

fn refused(message: &str) -> Answer {
    Answer::json(
        json!({"success": false, "messages": [{"message": message, "code": 1, "type": 1}], "response": null}),
    )
}

fn voalle(tokens: &Tokens, seen: &Seen) -> Answer {
    if seen.path == "/connect/token" {
        assert_eq!(
            seen.form("grant_type").as_deref(),
            Some("client_credentials")
        );
        assert_eq!(seen.form("scope").as_deref(), Some("syngw"));
        if seen.form("client_secret").as_deref() != Some("cs")
            || seen.form("syndata").as_deref() != Some("TENANT01")
        {
            return Answer::status(400, json!({"error": "invalid_client"}));
        }
        let n = tokens.issued.fetch_add(1, Ordering::SeqCst) + 1;
        return Answer::json(
            json!({"access_token": format!("v-{n}"), "expires_in": 3600, "token_type": "Bearer"}),
        );
    }
    let valid = format!("Bearer v-{}", tokens.valid.load(Ordering::SeqCst));
    if seen.header("authorization") != Some(valid.as_str()) {
        return Answer::status(401, json!({}));
    }
    let route = seen.path.trim_start_matches(ROUTES);
    match route {
        "/people/txid/52998224725" => ok(
            json!({"id": 880, "name": "Ana Souza", "txId": "52998224725", "cellPhone1": "(48) 99999-0000"}),
        ),
        "/people/txid/11144477735" => refused("Pessoa não encontrada"),
        "/contract/getpaged" => {
            assert_eq!(seen.json()["txId"], "52998224725");
            ok(json!({"data": [
                {"contractNumber": "C-10", "description": "FIBRA 600M", "status": "Normal"},
                {"contractNumber": "C-11", "description": "FIBRA 200M", "status": "Bloqueado"},
                {"contractNumber": "C-12", "description": "FIBRA 50M", "status": "Cancelado"}
            ], "page": 1, "pageSize": 50, "totalCount": 3}))
        }
        "/getopentitlesbytxid/52998224725" => ok(json!([
            {"id": 7002, "contractNumber": "C-11", "billet": {"typefulLine": "00190.00009 02837.465000 00001.101179 7 16560000012990",
             "pixQRCode": "000201VOALLEPIX", "expirationDate": "2026-12-10T00:00:00", "amount": {"value": 129.9, "finalValue": 131.2}}},
            {"id": 7001, "contractNumber": "C-11", "billet": {"typefulLine": "", "expirationDate": "2026-11-10T00:00:00", "amount": {"value": 129.9}}},
            {"id": 7003, "contractNumber": "C-10", "billet": {"expirationDate": "2026-11-10T00:00:00", "amount": {"value": 99.9}}}
        ])),
        "/GetBilletLink/7001" | "/GetBilletLink/7002" => {
            let id = route.rsplit('/').next().unwrap_or_default();
            ok(json!({"link": format!("https://voalle.example.com/billet/{id}.pdf")}))
        }
        "/contracts/unlock/C-11" => ok(json!({"message": "Contrato desbloqueado até 26/11/2026"})),
        "/contracts/unlock/C-10" => refused("Contrato não está bloqueado"),
        "/contracts/unlock/C-12" => {
            refused("Desbloqueio já utilizado no mês. Próximo em 01/12/2026")
        }
        _ => Answer::status(404, json!({})),
    }
}

async fn client() -> (FakeErp, Synsuite, Arc<Tokens>) {
    let tokens = Arc::new(Tokens::default());
    tokens.valid.store(1, Ordering::SeqCst);
    let state = Arc::clone(&tokens);
    let fake = FakeErp::start(move |seen: &Seen| voalle(&state, seen)).await;
    let credentials = SynsuiteCredentials {
        client_id: "fluxo".into(),
        client_secret: Secret::new("cs"),
        syndata: Secret::new("TENANT01"),
        // The fake serves both ports' routes on one address.
        auth_url: fake.url.clone(),
    };
    let adapter = Synsuite::new(&fake.settings(), credentials, 3).unwrap();
    (fake, adapter, tokens)
}

#[tokio::test]
async fn people_contracts_and_token_renewal() {
    let (fake, voalle, tokens) = client().await;
    match voalle
        .call(Request::FindCustomerByDocument {
            document: "529.982.247-25".into(),
        })
        .await
    {
        Ok(Response::Customer(customer)) => {
            assert_eq!(customer.id, "52998224725");
            assert_eq!(customer.name, "Ana Souza");
            assert_eq!(customer.phones, vec!["+5548999990000".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    tokens.valid.store(2, Ordering::SeqCst);
    match voalle
        .call(Request::ListContracts {
            customer_id: "52998224725".into(),
        })
        .await
    {
        Ok(Response::Contracts { contracts }) => {
            let summary: Vec<(&str, Diagnosis)> = contracts
                .iter()
                .map(|it| (it.id.as_str(), it.status))
                .collect();
            assert_eq!(
                summary,
                vec![
                    ("52998224725/C-10", Diagnosis::Active),
                    ("52998224725/C-11", Diagnosis::Blocked),
                    ("52998224725/C-12", Diagnosis::Inactive)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        fake.paths()
            .iter()
            .filter(|it| *it == "/connect/token")
            .count(),
        2
    );
    assert_eq!(
        voalle
            .call(Request::FindCustomerByDocument {
                document: "111.444.777-35".into()
            })
            .await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
}

#[tokio::test]
async fn second_copy_of_the_contracts_titles() {
    let (_fake, voalle, _) = client().await;
    match voalle
        .call(Request::SecondCopy {
            contract_id: "52998224725/C-11".into(),
        })
        .await
    {
        Ok(Response::Bills { bills }) => {
            let ids: Vec<&str> = bills.iter().map(|it| it.id.as_str()).collect();
            assert_eq!(ids, vec!["7001", "7002"]);
            assert_eq!(bills[1].due_date, date!(2026 - 12 - 10));
            assert_eq!(bills[1].amount_cents, 13120, "the final value, with fees");
            assert_eq!(
                bills[1].pix_copia_e_cola.as_deref(),
                Some("000201VOALLEPIX")
            );
            assert!(bills[1].linha_digitavel.is_some());
            assert_eq!(bills[0].linha_digitavel, None);
            assert_eq!(
                bills[0].pdf,
                Some(Attachment::Url {
                    url: "https://voalle.example.com/billet/7001.pdf".into()
                })
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unlocks_contracts_and_reads_refusals() {
    let (_fake, voalle, _) = client().await;
    assert_eq!(
        voalle
            .call(Request::TrustUnlock {
                contract_id: "52998224725/C-11".into()
            })
            .await,
        Ok(Response::Unlocked {
            until: date!(2026 - 11 - 26)
        })
    );
    let active = voalle
        .call(Request::TrustUnlock {
            contract_id: "52998224725/C-10".into(),
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
    match voalle
        .call(Request::TrustUnlock {
            contract_id: "52998224725/C-12".into(),
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
}

#[tokio::test]
async fn bad_client_credentials_and_matrix() {
    let (fake, voalle, _) = client().await;
    let credentials = SynsuiteCredentials {
        client_id: "fluxo".into(),
        client_secret: Secret::new("nope"),
        syndata: Secret::new("TENANT01"),
        auth_url: fake.url.clone(),
    };
    let stranger = Synsuite::new(&fake.settings(), credentials, 3).unwrap();
    let denied = stranger
        .call(Request::ListContracts {
            customer_id: "52998224725".into(),
        })
        .await;
    assert!(matches!(denied, Err(ErpError::Auth { .. })), "{denied:?}");
    assert_eq!(
        voalle
            .call(Request::Diagnose {
                contract_id: "52998224725/C-10".into()
            })
            .await,
        Err(ErpError::Unsupported {
            system: ErpSystem::Synsuite,
            operation: "diagnose".into()
        })
    );
}

//! The MK Solutions adapter against a fake "mk web services" (docs/erp.md):
//! session login, a "token expirado" answer inside HTTP 200 that must renew the
//! session, connections as contracts, diagnosis, pending bills with their second
//! copy, the auto-unlock with its two refusals, and what the matrix leaves out.

mod erp_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use erp_support::{Answer, FakeErp, Seen};
use fluxo_host::erp::{
    Attachment, ErpAdapter, ErpError, Missing, MkSolutions, MkSolutionsCredentials, Refusal,
    Request, Response, Secret,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use serde_json::json;
use time::macros::date;

#[derive(Default)]
struct Sessions {
    issued: AtomicU32,
    valid: AtomicU32,
}

fn mk(sessions: &Sessions, seen: &Seen) -> Answer {
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.query("sys"), Some("MK0"));
    let rule = seen
        .path
        .trim_start_matches("/mk/")
        .trim_end_matches(".rule");
    if rule == "WSAutenticacao" {
        if seen.query("token") != Some("user-token")
            || seen.query("password") != Some("contra-senha")
        {
            return Answer::json(
                json!({"status": "ERRO", "Mensagem": "Token inválido.", "Num. ERRO": "001"}),
            );
        }
        assert_eq!(seen.query("cd_servico"), Some("9999"));
        let n = sessions.issued.fetch_add(1, Ordering::SeqCst) + 1;
        return Answer::json(
            json!({"Token": format!("sess-{n}"), "Expire": "30/11/2026 17:50:56", "LimiteUso": 0,
            "ServicosAutorizados": [1], "status": "OK"}),
        );
    }
    let valid = format!("sess-{}", sessions.valid.load(Ordering::SeqCst));
    if seen.query("token") != Some(valid.as_str()) {
        return Answer::json(
            json!({"CodToken": 585185, "Mensagem": "Token expirado.", "Num. ERRO": "999", "status": "ERRO"}),
        );
    }
    match rule {
        "WSMKConsultaDoc" => match seen.query("doc") {
            Some("52998224725") => Answer::json(
                json!({"CodigoPessoa": 12345, "Nome": "ANA SOUZA", "Email": "ana@exemplo.com",
                "Fone": "48999990000", "CEP": "88000000", "Endereco": "RUA A, 10", "Situacao": "Active", "Outros": [], "status": "OK"}),
            ),
            _ => Answer::json(
                json!({"Mensagem": "Documento não localizado.", "Num. ERRO": "003", "status": "ERRO"}),
            ),
        },
        "WSMKConexoesPorCliente" => {
            assert_eq!(seen.query("cd_cliente"), Some("12345"));
            Answer::json(json!({"Conexoes": [
                {"codconexao": 501, "contrato": 7001, "username": "ana.fibra", "bloqueada": "Não", "esta_reduzida": "Não"},
                {"codconexao": 502, "contrato": 7002, "username": "ana.praia", "bloqueada": "Sim", "motivo_bloqueio": "Financeiro", "esta_reduzida": "Não"},
                {"codconexao": 503, "contrato": 7003, "username": "ana.loja", "bloqueada": "Não", "esta_reduzida": "Sim"}
            ], "status": "OK"}))
        }
        "WSMKFaturasPendentes" => Answer::json(json!({"FaturasPendentes": [
            {"codfatura": 88002, "data_vencimento": "10/12/2026", "descricao": "Mensalidade", "valor_total": "99.90", "contratos": "7002"},
            {"codfatura": 88001, "data_vencimento": "10/11/2026", "descricao": "Mensalidade", "valor_total": "99,90", "contratos": "7002"},
            {"codfatura": 88003, "data_vencimento": "10/11/2026", "descricao": "Mensalidade", "valor_total": "129.90", "contratos": "7001"}
        ], "status": "OK"})),
        "WSMKSegundaViaCobranca" => {
            let id = seen.query("cd_fatura").unwrap_or_default().to_string();
            Answer::json(
                json!({"LinhaDigitavel": "00190.00009 02837.465000 00001.101179 7 16560000012990",
                "UrlBoleto": format!("https://mk.example.com/boleto/{id}"), "status": "OK"}),
            )
        }
        "WSMKAutoDesbloqueio" => match seen.query("cd_conexao") {
            Some("502") => Answer::json(
                json!({"status": "OK", "Mensagem": "Conexão desbloqueada até 26/11/2026"}),
            ),
            Some("501") => Answer::json(
                json!({"status": "ERRO", "Mensagem": "Status na conexão incompatível para auto-desbloqueio.", "Num. ERRO": "010"}),
            ),
            _ => Answer::json(
                json!({"status": "ERRO", "Mensagem": "Operação indisponível para esta conexão.", "Num. ERRO": "011"}),
            ),
        },
        _ => Answer::status(404, json!({})),
    }
}

async fn client() -> (FakeErp, MkSolutions, Arc<Sessions>) {
    let sessions = Arc::new(Sessions::default());
    sessions.valid.store(1, Ordering::SeqCst);
    let state = Arc::clone(&sessions);
    let fake = FakeErp::start(move |seen: &Seen| mk(&state, seen)).await;
    let credentials = MkSolutionsCredentials {
        token: Secret::new("user-token"),
        password: Secret::new("contra-senha"),
    };
    let adapter = MkSolutions::new(&fake.settings(), credentials, 3).unwrap();
    (fake, adapter, sessions)
}

#[tokio::test]
async fn renews_an_expired_session_reported_inside_http_200() {
    let (fake, mk, sessions) = client().await;
    let found = mk
        .call(Request::FindCustomerByDocument {
            document: "529.982.247-25".into(),
        })
        .await;
    assert!(
        matches!(&found, Ok(Response::Customer(c)) if c.id == "12345" && c.name == "ANA SOUZA"),
        "{found:?}"
    );
    sessions.valid.store(2, Ordering::SeqCst);
    let contracts = mk
        .call(Request::ListContracts {
            customer_id: "12345".into(),
        })
        .await;
    assert!(
        matches!(contracts, Ok(Response::Contracts { .. })),
        "{contracts:?}"
    );
    let rules: Vec<String> = fake.paths();
    assert_eq!(
        rules,
        vec![
            "/mk/WSAutenticacao.rule",
            "/mk/WSMKConsultaDoc.rule",
            "/mk/WSMKConexoesPorCliente.rule",
            "/mk/WSAutenticacao.rule",
            "/mk/WSMKConexoesPorCliente.rule"
        ]
    );
    assert_eq!(
        mk.call(Request::FindCustomerByDocument {
            document: "111.444.777-35".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
}

#[tokio::test]
async fn a_wrong_user_token_is_an_auth_error() {
    let (fake, _, _) = client().await;
    let credentials = MkSolutionsCredentials {
        token: Secret::new("other"),
        password: Secret::new("contra-senha"),
    };
    let mk = MkSolutions::new(&fake.settings(), credentials, 3).unwrap();
    let result = mk
        .call(Request::ListContracts {
            customer_id: "12345".into(),
        })
        .await;
    assert!(
        matches!(&result, Err(ErpError::Auth { detail }) if detail == "Token inválido."),
        "{result:?}"
    );
}

#[tokio::test]
async fn connections_are_contracts_and_diagnoses() {
    let (_fake, mk, _) = client().await;
    match mk
        .call(Request::ListContracts {
            customer_id: "12345".into(),
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
                    ("12345/501/7001", Diagnosis::Active),
                    ("12345/502/7002", Diagnosis::Overdue),
                    ("12345/503/7003", Diagnosis::Reduced)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        mk.call(Request::Diagnose {
            contract_id: "12345/502/7002".into()
        })
        .await,
        Ok(Response::Diagnosis {
            diagnosis: Diagnosis::Overdue
        })
    );
    assert_eq!(
        mk.call(Request::Diagnose {
            contract_id: "12345/999/1".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Contract
        })
    );
    assert_eq!(
        mk.call(Request::Diagnose {
            contract_id: "garbage".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Contract
        })
    );
}

#[tokio::test]
async fn second_copy_of_the_contracts_bills() {
    let (fake, mk, _) = client().await;
    match mk
        .call(Request::SecondCopy {
            contract_id: "12345/502/7002".into(),
        })
        .await
    {
        Ok(Response::Bills { bills }) => {
            let ids: Vec<&str> = bills.iter().map(|it| it.id.as_str()).collect();
            assert_eq!(ids, vec!["88001", "88002"]);
            assert_eq!(bills[0].due_date, date!(2026 - 11 - 10));
            assert_eq!(bills[0].amount_cents, 9990);
            assert!(bills[0].linha_digitavel.is_some());
            assert_eq!(
                bills[0].pdf,
                Some(Attachment::Url {
                    url: "https://mk.example.com/boleto/88001".into()
                })
            );
        }
        other => panic!("{other:?}"),
    }
    let copies: Vec<String> = fake
        .seen()
        .iter()
        .filter(|it| it.path.contains("SegundaVia"))
        .filter_map(|it| it.query("cd_fatura").map(str::to_string))
        .collect();
    assert_eq!(copies, vec!["88001", "88002"], "only this contract's bills");
}

#[tokio::test]
async fn auto_unlock_and_its_refusals() {
    let (_fake, mk, _) = client().await;
    assert_eq!(
        mk.call(Request::TrustUnlock {
            contract_id: "12345/502/7002".into()
        })
        .await,
        Ok(Response::Unlocked {
            until: date!(2026 - 11 - 26)
        })
    );
    let active = mk
        .call(Request::TrustUnlock {
            contract_id: "12345/501/7001".into(),
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
    let used = mk
        .call(Request::TrustUnlock {
            contract_id: "12345/503/7003".into(),
        })
        .await;
    assert!(
        matches!(
            used,
            Err(ErpError::Refused {
                reason: Refusal::TrustUnlockUsed,
                ..
            })
        ),
        "{used:?}"
    );
}

#[tokio::test]
async fn refuses_what_mk_solutions_does_not_offer() {
    let (fake, mk, _) = client().await;
    assert_eq!(
        mk.call(Request::FindCustomerByPhone {
            phone: "+5548999990000".into()
        })
        .await,
        Err(ErpError::Unsupported {
            system: ErpSystem::Mksolutions,
            operation: "find_customer_by_phone".into()
        })
    );
    assert_eq!(
        mk.call(Request::ReleaseSpeed {
            contract_id: "12345/503/7003".into()
        })
        .await,
        Err(ErpError::Unsupported {
            system: ErpSystem::Mksolutions,
            operation: "release_speed".into()
        })
    );
    assert!(fake.seen().is_empty());
}

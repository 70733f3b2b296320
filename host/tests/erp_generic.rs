//! The generic HTTP adapter configured from a `fluxo.toml` for an ERP without a
//! public API (Beesweb here), against a fake of that ERP: templates, JSON pointers,
//! status words, not-found and refusal conditions, the ERP's own error condition,
//! bearer credentials from the environment lookup, and configuration mistakes.

mod erp_support;

use erp_support::{Answer, FakeErp, Seen};
use fluxo_host::erp::config;
use fluxo_host::erp::{Attachment, ErpError, Missing, Refusal, Request, Response};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use serde_json::json;
use time::macros::date;

const CONFIG: &str = r#"
[erp]
system = "beesweb"
base_url = "BASE"
timeout_ms = 3000

[erp.credentials]
scheme = "bearer"
token_env = "BEES_TOKEN"

[erp.resilience]
retries = 0

[erp.generic]
error = { pointer = "/erro", equals = ["INTERNO"], message = "/mensagem" }

[erp.generic.statuses]
"Ativo" = "active"
"Bloqueado Financeiro" = "overdue"
"Cancelado" = "inactive"

[erp.generic.endpoints.find_customer_by_document]
path = "/api/clientes?cpf={document}"
items = "/data"
fields = { id = "/codigo", name = "/nome", document = "/cpf", phones = "/telefones" }

[erp.generic.endpoints.list_contracts]
path = "/api/clientes/{customer_id}/contratos"
items = "/contratos"
fields = { id = "/id", plan = "/plano", address = "/endereco", status = "/situacao" }

[erp.generic.endpoints.second_copy]
path = "/api/contratos/{contract_id}/faturas"
items = "/faturas"
fields = { id = "/numero", due_date = "/vencimento", amount = "/valor", linha_digitavel = "/linha", pix = "/pix", pdf_url = "/url" }
not_found_when = { pointer = "/erro", equals = ["SEM_FATURAS"] }

[erp.generic.endpoints.trust_unlock]
method = "POST"
path = "/api/contratos/{contract_id}/desbloqueio"
body = '{"contrato": "{contract_id}", "dias": 3}'
fields = { until = "/liberado_ate" }
refused_when = { pointer = "/erro", equals = ["LIMITE"], message = "/mensagem", reason = "trust_unlock_used" }

[erp.generic.endpoints.diagnose]
path = "/api/contratos/{contract_id}"
fields = { status = "/situacao" }
"#;

fn beesweb(seen: &Seen) -> Answer {
    if seen.header("authorization") != Some("Bearer bees-token") {
        return Answer::status(401, json!({"mensagem": "não autorizado"}));
    }
    match (seen.method.as_str(), seen.path.as_str()) {
        ("GET", "/api/clientes") => match seen.query("cpf") {
            Some("52998224725") => Answer::json(json!({"ok": true, "data": [
                {"codigo": "c1", "nome": "Ana Souza", "cpf": "529.982.247-25", "telefones": ["48999990000", "(48) 3333-2222"]}
            ]})),
            Some("11144477735") => {
                Answer::json(json!({"ok": false, "erro": "INTERNO", "mensagem": "falha no banco"}))
            }
            _ => Answer::json(json!({"ok": true, "data": []})),
        },
        ("GET", "/api/clientes/c1/contratos") => Answer::json(json!({"ok": true, "contratos": [
            {"id": 1, "plano": "FIBRA 300", "endereco": "Rua A, 10", "situacao": "Ativo"},
            {"id": 2, "plano": "FIBRA 100", "situacao": "Bloqueado Financeiro"}
        ]})),
        ("GET", "/api/clientes/c2/contratos") => Answer::json(json!({"ok": true, "contratos": [
            {"id": 9, "plano": "X", "situacao": "Congelado"}
        ]})),
        ("GET", "/api/contratos/2/faturas") => Answer::json(json!({"ok": true, "faturas": [
            {"numero": "F2", "vencimento": "10/12/2026", "valor": "99,90", "linha": "00190.00009 02837.465000 00001.101179 7 16560000012990",
             "pix": "000201BEESPIX", "url": "https://bees.example.com/F2.pdf"},
            {"numero": "F1", "vencimento": "10/11/2026", "valor": 99.9}
        ]})),
        ("GET", "/api/contratos/1/faturas") => {
            Answer::json(json!({"ok": false, "erro": "SEM_FATURAS"}))
        }
        ("POST", "/api/contratos/2/desbloqueio") => {
            assert_eq!(seen.json(), json!({"contrato": "2", "dias": 3}));
            Answer::json(json!({"ok": true, "liberado_ate": "2026-11-26"}))
        }
        ("POST", "/api/contratos/1/desbloqueio") => {
            Answer::json(json!({"ok": false, "erro": "LIMITE",
            "mensagem": "Desbloqueio já utilizado; próximo em 01/12/2026"}))
        }
        _ => Answer::status(404, json!({})),
    }
}

fn env(name: &str) -> Option<String> {
    (name == "BEES_TOKEN").then(|| "bees-token".to_string())
}

async fn adapter() -> (FakeErp, Box<dyn fluxo_host::erp::ErpAdapter>) {
    let fake = FakeErp::start(beesweb).await;
    let config = config::parse(&CONFIG.replace("BASE", &fake.url))
        .unwrap()
        .unwrap();
    let adapter = config.build(&env).unwrap();
    (fake, adapter)
}

#[tokio::test]
async fn maps_lookups_and_lists_by_pointer() {
    let (_fake, erp) = adapter().await;
    assert_eq!(erp.system(), ErpSystem::Beesweb);
    match erp
        .call(Request::FindCustomerByDocument {
            document: "529.982.247-25".into(),
        })
        .await
    {
        Ok(Response::Customer(customer)) => {
            assert_eq!(customer.id, "c1");
            assert_eq!(customer.name, "Ana Souza");
            assert_eq!(customer.document, "52998224725");
            assert_eq!(
                customer.phones,
                vec!["+5548999990000".to_string(), "+554833332222".to_string()]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        erp.call(Request::FindCustomerByDocument {
            document: "314.159.265-90".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
    match erp
        .call(Request::ListContracts {
            customer_id: "c1".into(),
        })
        .await
    {
        Ok(Response::Contracts { contracts }) => {
            let summary: Vec<(&str, &str, Diagnosis)> = contracts
                .iter()
                .map(|it| (it.id.as_str(), it.plan.as_str(), it.status))
                .collect();
            assert_eq!(
                summary,
                vec![
                    ("1", "FIBRA 300", Diagnosis::Active),
                    ("2", "FIBRA 100", Diagnosis::Overdue)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    let unknown_status = erp
        .call(Request::ListContracts {
            customer_id: "c2".into(),
        })
        .await;
    assert!(
        matches!(&unknown_status, Err(ErpError::Malformed { detail }) if detail.contains("Congelado")),
        "{unknown_status:?}"
    );
}

#[tokio::test]
async fn second_copy_and_its_not_found_condition() {
    let (_fake, erp) = adapter().await;
    match erp
        .call(Request::SecondCopy {
            contract_id: "2".into(),
        })
        .await
    {
        Ok(Response::Bills { bills }) => {
            let ids: Vec<&str> = bills.iter().map(|it| it.id.as_str()).collect();
            assert_eq!(ids, vec!["F1", "F2"]);
            assert_eq!(bills[0].amount_cents, 9990);
            assert_eq!(bills[1].amount_cents, 9990);
            assert_eq!(bills[1].due_date, date!(2026 - 12 - 10));
            assert_eq!(bills[1].pix_copia_e_cola.as_deref(), Some("000201BEESPIX"));
            assert_eq!(
                bills[1].pdf,
                Some(Attachment::Url {
                    url: "https://bees.example.com/F2.pdf".into()
                })
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        erp.call(Request::SecondCopy {
            contract_id: "1".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::OpenBill
        })
    );
}

#[tokio::test]
async fn trust_unlock_with_a_body_template_and_a_refusal() {
    let (_fake, erp) = adapter().await;
    assert_eq!(
        erp.call(Request::TrustUnlock {
            contract_id: "2".into()
        })
        .await,
        Ok(Response::Unlocked {
            until: date!(2026 - 11 - 26)
        })
    );
    match erp
        .call(Request::TrustUnlock {
            contract_id: "1".into(),
        })
        .await
    {
        Err(ErpError::Refused {
            reason,
            detail,
            next_allowed,
        }) => {
            assert_eq!(reason, Refusal::TrustUnlockUsed);
            assert_eq!(next_allowed, Some(date!(2026 - 12 - 01)));
            assert!(detail.contains("já utilizado"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_erps_own_errors_and_the_matrix() {
    let (fake, erp) = adapter().await;
    let failed = erp
        .call(Request::FindCustomerByDocument {
            document: "111.444.777-35".into(),
        })
        .await;
    assert!(
        matches!(&failed, Err(ErpError::Failed { detail }) if detail == "falha no banco"),
        "{failed:?}"
    );
    let before = fake.seen().len();
    // Configured, but Beesweb's row of the matrix has no diagnosis.
    assert_eq!(
        erp.call(Request::Diagnose {
            contract_id: "1".into()
        })
        .await,
        Err(ErpError::Unsupported {
            system: ErpSystem::Beesweb,
            operation: "diagnose".into()
        })
    );
    assert_eq!(fake.seen().len(), before);
    // In the matrix (every ERP looks customers up) but not configured.
    assert_eq!(
        erp.call(Request::FindCustomerByPhone {
            phone: "+5548999990000".into()
        })
        .await,
        Err(ErpError::Unsupported {
            system: ErpSystem::Beesweb,
            operation: "find_customer_by_phone".into()
        })
    );
}

#[test]
fn configuration_mistakes_are_named() {
    let build = |text: &str| {
        let config = config::parse(text).unwrap().unwrap();
        config
            .build(&env)
            .err()
            .map(|it| it.to_string())
            .unwrap_or_default()
    };
    let base = "[erp]\nsystem = \"sami\"\nbase_url = \"http://127.0.0.1:9\"\n[erp.credentials]\nscheme = \"bearer\"\ntoken_env = \"BEES_TOKEN\"\n";
    let unknown = format!("{base}[erp.generic.endpoints.segunda_via]\npath = \"/x\"\n");
    assert!(
        build(&unknown).contains("erp.generic.endpoints.segunda_via: unknown operation"),
        "{}",
        build(&unknown)
    );
    let missing = format!("{base}[erp.generic.endpoints.second_copy]\npath = \"/x\"\nitems = \"/f\"\nfields = {{ id = \"/n\", amount = \"/v\" }}\n");
    assert!(
        build(&missing)
            .contains("erp.generic.endpoints.second_copy.fields: `due_date` is required"),
        "{}",
        build(&missing)
    );
    let placeholder = format!("{base}[erp.generic.endpoints.second_copy]\npath = \"/x/{{document}}\"\nfields = {{ id = \"/n\", amount = \"/v\", due_date = \"/d\" }}\n");
    assert!(
        build(&placeholder).contains("placeholder {document} is not available to this operation"),
        "{}",
        build(&placeholder)
    );
    let status = format!("{base}[erp.generic.statuses]\n\"Ok\" = \"fine\"\n");
    assert!(
        build(&status).contains("\"fine\" is not a diagnosis"),
        "{}",
        build(&status)
    );
    let pointer = format!("{base}[erp.generic.endpoints.second_copy]\npath = \"/x\"\nfields = {{ id = \"n\", amount = \"/v\", due_date = \"/d\" }}\n");
    assert!(
        build(&pointer).contains("is not a JSON pointer"),
        "{}",
        build(&pointer)
    );
    let scheme = "[erp]\nsystem = \"sami\"\nbase_url = \"http://x\"\n[erp.credentials]\nscheme = \"magic\"\n[erp.generic]\n";
    assert!(
        build(scheme).contains("erp.credentials.scheme"),
        "{}",
        build(scheme)
    );
    let no_token = "[erp]\nsystem = \"sami\"\nbase_url = \"http://x\"\n[erp.credentials]\nscheme = \"bearer\"\ntoken_env = \"SAMI_TOKEN\"\n[erp.generic]\n";
    assert_eq!(
        build(no_token),
        "the environment variable SAMI_TOKEN (erp.credentials.token_env) is not set"
    );
}

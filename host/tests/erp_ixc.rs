//! The IXC adapter against a fake IXC webservice replaying the shapes of
//! docs/erp.md, for every action IXC offers, plus its business errors
//! inside HTTP 200 bodies and a refused token.

mod erp_support;

use base64::Engine;
use erp_support::ixc::{client, ixc, queries, TOKEN};
use erp_support::{Answer, FakeErp, Seen, PDF};
use fluxo_host::erp::{
    Attachment, ErpAdapter, ErpError, Ixc, Missing, Refusal, Request, Response, Secret,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use serde_json::json;
use time::macros::date;

#[tokio::test]
async fn finds_customers_by_masked_document_and_phone() {
    let (fake, ixc) = client().await;
    let found = ixc
        .call(Request::FindCustomerByDocument {
            document: "52998224725".into(),
        })
        .await;
    match found {
        Ok(Response::Customer(customer)) => {
            assert_eq!(customer.id, "42");
            assert_eq!(customer.document, "52998224725");
            assert_eq!(customer.phones, vec!["+5548999990000".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let queries = queries(&fake);
    assert_eq!(
        queries,
        vec!["52998224725", "529.982.247-25"],
        "bare digits first, then the mask"
    );
    let by_phone = ixc
        .call(Request::FindCustomerByPhone {
            phone: "+55 48 99999-0000".into(),
        })
        .await;
    assert!(
        matches!(&by_phone, Ok(Response::Customer(c)) if c.id == "42"),
        "{by_phone:?}"
    );
    assert_eq!(
        ixc.call(Request::FindCustomerByDocument {
            document: "111.444.777-35".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
    assert_eq!(
        ixc.call(Request::FindCustomerByPhone {
            phone: "+55 11 91234-5678".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
}

#[tokio::test]
async fn lists_contracts_and_diagnoses() {
    let (_fake, ixc) = client().await;
    match ixc
        .call(Request::ListContracts {
            customer_id: "42".into(),
        })
        .await
    {
        Ok(Response::Contracts { contracts }) => {
            assert_eq!(contracts.len(), 2);
            assert_eq!(contracts[0].plan, "PLANO 5001");
            assert_eq!(contracts[0].address, "Rua A, 10, Centro");
            assert_eq!(contracts[1].status, Diagnosis::Overdue);
        }
        other => panic!("{other:?}"),
    }
    for (id, expected) in [
        ("5001", Diagnosis::Active),
        ("5004", Diagnosis::Reduced),
        ("5005", Diagnosis::AwaitingSignature),
    ] {
        assert_eq!(
            ixc.call(Request::Diagnose {
                contract_id: id.into()
            })
            .await,
            Ok(Response::Diagnosis {
                diagnosis: expected
            })
        );
    }
    assert_eq!(
        ixc.call(Request::Diagnose {
            contract_id: "1".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Contract
        })
    );
}

#[tokio::test]
async fn second_copy_with_pix_and_pdfs() {
    let (_fake, ixc) = client().await;
    let Ok(Response::Bills { bills }) = ixc
        .call(Request::SecondCopy {
            contract_id: "5001".into(),
        })
        .await
    else {
        panic!("bills expected");
    };
    assert_eq!(bills.len(), 2);
    assert_eq!(bills[0].id, "145536", "oldest first");
    assert_eq!(
        bills[0].amount_cents, 9990,
        "valor when valor_aberto is zero"
    );
    assert_eq!(bills[0].pix_copia_e_cola, None);
    assert_eq!(bills[0].linha_digitavel, None);
    assert!(
        matches!(&bills[0].pdf, Some(Attachment::Inline { file_name, base64 })
        if file_name == "boleto-145536.pdf" && base64::engine::general_purpose::STANDARD.decode(base64).unwrap() == PDF)
    );
    assert_eq!(bills[1].due_date, date!(2026 - 12 - 10));
    assert_eq!(bills[1].amount_cents, 12990);
    assert_eq!(bills[1].pix_copia_e_cola.as_deref(), Some("000201PIXCODE"));
    let linha = "00190.00009 02837.465000 00001.101179 7 16560000012990".replace(['.', ' '], "");
    assert_eq!(bills[1].linha_digitavel, Some(linha));
    assert_eq!(
        bills[1].pdf,
        Some(Attachment::Url {
            url: "https://pay.example.com/145535".into()
        })
    );
    assert_eq!(
        ixc.call(Request::SecondCopy {
            contract_id: "5002".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::OpenBill
        })
    );
}

#[tokio::test]
async fn sends_the_latest_invoice() {
    let (_fake, ixc) = client().await;
    match ixc
        .call(Request::Invoice {
            contract_id: "5001".into(),
        })
        .await
    {
        Ok(Response::Invoice(invoice)) => {
            assert_eq!(invoice.number, "1234");
            assert_eq!(invoice.issued_on, Some(date!(2026 - 11 - 01)));
            assert_eq!(invoice.amount_cents, Some(12990));
            assert_eq!(invoice.pdf.label(), "nota-fiscal-1234.pdf");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        ixc.call(Request::Invoice {
            contract_id: "5002".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Invoice
        })
    );
}

#[tokio::test]
async fn trust_unlock_reads_ixc_codes() {
    let (_fake, ixc) = client().await;
    assert_eq!(
        ixc.call(Request::TrustUnlock {
            contract_id: "5002".into()
        })
        .await,
        Ok(Response::Unlocked {
            until: date!(2026 - 11 - 26)
        })
    );
    match ixc
        .call(Request::TrustUnlock {
            contract_id: "5001".into(),
        })
        .await
    {
        Err(ErpError::Refused {
            reason,
            next_allowed,
            detail,
        }) => {
            assert_eq!(reason, Refusal::TrustUnlockUsed);
            assert_eq!(next_allowed, Some(date!(2026 - 12 - 01)));
            assert!(detail.contains("já utilizado"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        ixc.call(Request::TrustUnlock {
            contract_id: "9".into()
        })
        .await,
        Err(ErpError::NotFound {
            what: Missing::Contract
        })
    );
}

#[tokio::test]
async fn releases_reduced_speed_only_when_reduced() {
    let (fake, ixc) = client().await;
    assert_eq!(
        ixc.call(Request::ReleaseSpeed {
            contract_id: "5004".into()
        })
        .await,
        Ok(Response::SpeedReleased)
    );
    match ixc
        .call(Request::ReleaseSpeed {
            contract_id: "5001".into(),
        })
        .await
    {
        Err(ErpError::Refused {
            reason: Refusal::NotReduced,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let releases = fake
        .paths()
        .iter()
        .filter(|it| it.contains("liberacao_reducao"))
        .count();
    assert_eq!(
        releases, 1,
        "a contract without reduction is never sent to the button"
    );
}

#[tokio::test]
async fn signs_from_the_registered_number_only() {
    let (fake, ixc) = client().await;
    let stranger = ixc
        .call(Request::SignContract {
            contract_id: "5005".into(),
            phone: "+5511912345678".into(),
        })
        .await;
    assert!(
        matches!(
            stranger,
            Err(ErpError::Refused {
                reason: Refusal::PhoneNotRegistered,
                ..
            })
        ),
        "{stranger:?}"
    );
    assert!(!fake
        .paths()
        .iter()
        .any(|it| it.ends_with("cliente_contrato_15464")));
    match ixc
        .call(Request::ContractDocument {
            contract_id: "5005".into(),
            phone: "(48) 99999-0000".into(),
        })
        .await
    {
        Ok(Response::ContractDocument {
            document: Attachment::Inline { file_name, base64 },
        }) => {
            assert_eq!(file_name, "contrato-5005.pdf");
            assert_eq!(
                base64::engine::general_purpose::STANDARD
                    .decode(base64)
                    .unwrap(),
                PDF
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        ixc.call(Request::SignContract {
            contract_id: "5005".into(),
            phone: "+5548999990000".into()
        })
        .await,
        Ok(Response::Signed)
    );
    let active = ixc
        .call(Request::SignContract {
            contract_id: "5001".into(),
            phone: "+5548999990000".into(),
        })
        .await;
    assert!(
        matches!(
            active,
            Err(ErpError::Refused {
                reason: Refusal::NotAwaitingSignature,
                ..
            })
        ),
        "{active:?}"
    );
}

#[tokio::test]
async fn ticket_options_come_from_the_configuration() {
    let (fake, ixc) = client().await;
    // IXC's documented forms have no list of departments or subjects, and this token
    // may not use the undocumented ones: the error says what to configure.
    let unlisted = ixc.call(Request::ListTicketOptions).await;
    assert!(
        matches!(&unlisted, Err(ErpError::Failed { detail })
            if detail.contains("[erp.tickets]") && detail.contains("sem permissão")),
        "{unlisted:?}"
    );
    let options = fluxo_host::erp::config::TicketOptions {
        departments: vec![fluxo_host::erp::config::TicketOption {
            id: "1".into(),
            name: "Suporte".into(),
        }],
        subjects: vec![fluxo_host::erp::config::TicketOption {
            id: "10".into(),
            name: "Sem conexão".into(),
        }],
    };
    let ixc = Ixc::new(&fake.settings(), Secret::new(TOKEN), 3)
        .unwrap()
        .with_ticket_options(&options);
    let before = fake.seen().len();
    match ixc.call(Request::ListTicketOptions).await {
        Ok(Response::TicketOptions {
            departments,
            subjects,
        }) => {
            let names: Vec<&str> = departments.iter().map(|it| it.name.as_str()).collect();
            assert_eq!(names, vec!["Suporte"]);
            assert_eq!(subjects.len(), 1);
            assert_eq!(subjects[0].id, "10");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.seen().len(), before, "configured options need no call");
    let open = |subject: &str| Request::OpenTicket {
        contract_id: "5001".into(),
        department: "1".into(),
        subject: subject.into(),
        description: "Sem sinal desde ontem".into(),
    };
    assert_eq!(
        ixc.call(open("10")).await,
        Ok(Response::TicketOpened {
            protocol: "2026112300042".into()
        })
    );
    assert_eq!(
        ixc.call(open("99")).await,
        Err(ErpError::NotFound {
            what: Missing::TicketOption
        })
    );
}

#[tokio::test]
async fn authenticates_against_the_md5_password() {
    let (_fake, ixc) = client().await;
    let auth = |login: &str, password: &str| Request::Authenticate {
        document: "529.982.247-25".into(),
        login: login.into(),
        password: Secret::new(password),
    };
    assert_eq!(
        ixc.call(auth("ANA@exemplo.com", "Ana@2026")).await,
        Ok(Response::Authenticated {
            customer_id: "42".into()
        })
    );
    assert_eq!(
        ixc.call(auth("ana.souza", "Ana@2026")).await,
        Ok(Response::Authenticated {
            customer_id: "42".into()
        }),
        "hotsite_acesso holds the central login"
    );
    assert_eq!(
        ixc.call(auth("52998224725", "Ana@2026")).await,
        Ok(Response::Authenticated {
            customer_id: "42".into()
        })
    );
    let wrong = ixc.call(auth("ana@exemplo.com", "ana@2026")).await;
    assert!(
        matches!(
            wrong,
            Err(ErpError::Refused {
                reason: Refusal::WrongCredentials,
                ..
            })
        ),
        "{wrong:?}"
    );
}

#[tokio::test]
async fn changes_the_wifi_password_through_acs() {
    let (fake, ixc) = client().await;
    let short = ixc
        .call(Request::WifiPassword {
            contract_id: "5001".into(),
            password: Secret::new("12345678"),
        })
        .await;
    assert!(
        matches!(
            short,
            Err(ErpError::Refused {
                reason: Refusal::InvalidPassword,
                ..
            })
        ),
        "{short:?}"
    );
    assert!(fake.seen().is_empty(), "a short password never reaches IXC");
    assert_eq!(
        ixc.call(Request::WifiPassword {
            contract_id: "5001".into(),
            password: Secret::new("nova-senha-2026")
        })
        .await,
        Ok(Response::WifiChanged)
    );
    let paths = fake.paths();
    assert_eq!(
        paths,
        vec![
            "/webservice/v1/radusuarios",
            "/webservice/v1/radusuarios/900",
            "/webservice/v1/botaoAjax_30774"
        ]
    );
    let put = fake.seen()[1].json();
    assert_eq!(put["senha_rede_sem_fio"], "nova-senha-2026");
    assert_eq!(put["senha_rede_sem_fio_5ghz"], "nova-senha-2026");
    assert_eq!(put["login"], "ana", "the whole record is written back");
}

#[tokio::test]
async fn business_errors_inside_http_200() {
    let fake = FakeErp::start(|seen: &Seen| {
        if seen.path.ends_with("/cliente") {
            Answer::json(
                json!({"type": "error", "message": "Você não tem permissão para acessar cliente"}),
            )
        } else {
            Answer::json(json!({"type": "error", "message": "Erro interno ao consultar"}))
        }
    })
    .await;
    let ixc = Ixc::new(&fake.settings(), Secret::new(TOKEN), 3).unwrap();
    let denied = ixc
        .call(Request::FindCustomerByDocument {
            document: "52998224725".into(),
        })
        .await;
    assert!(
        matches!(&denied, Err(ErpError::Failed { detail }) if detail.contains("permissão")),
        "a form the token may not use is not a credentials error: {denied:?}"
    );
    let failed = ixc
        .call(Request::ListContracts {
            customer_id: "42".into(),
        })
        .await;
    assert!(
        matches!(&failed, Err(ErpError::Failed { detail }) if detail.contains("Erro interno")),
        "{failed:?}"
    );
}

#[tokio::test]
async fn a_wrong_token_is_an_auth_error() {
    let fake = FakeErp::start(ixc).await;
    let adapter = Ixc::new(&fake.settings(), Secret::new("7:wrong"), 3).unwrap();
    let result = adapter
        .call(Request::ListContracts {
            customer_id: "42".into(),
        })
        .await;
    assert!(
        matches!(&result, Err(ErpError::Auth { detail }) if detail.starts_with("HTTP 401")),
        "{result:?}"
    );
    assert_eq!(adapter.system(), ErpSystem::Ixc);
}

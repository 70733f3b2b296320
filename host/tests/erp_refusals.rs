//! What a customer is told when the ERP refuses an action: every refusal is told
//! and the card goes on with its `as` variable false, whatever the reason, including
//! one the vocabulary has no word for (`other`, such as IXC's unexplained 109 or a
//! Wi-Fi change on an inactive login). Only infrastructure failures take the fail path.

use fluxo_compiler::{CompileOptions, Sources};
use fluxo_host::erp::{Contract, Customer, ErpError, Refusal, Request, Response};
use fluxo_runtime::clock;
use fluxo_runtime::session::{Context, Event, HostCall, HostResult, Output, Session, Wait};
use fluxo_stdlib::erp::Diagnosis;

const FLOW: &str = r#"
erp ixc

flow main "Principal" {
    erp.trust_unlock(fail_flow: falha) as liberado
    if liberado {
        say "desbloqueado"
    } else {
        say "não desbloqueado"
    }
    end
}

flow falha "Falha" {
    say "caminho de falha"
    end
}
"#;

/// The bot's texts of a trust unlock answered with `outcome`.
fn texts_after(outcome: Result<Response, ErpError>) -> Vec<String> {
    let mut sources = Sources::new();
    sources.add("main.flow", FLOW);
    let compiled = fluxo_compiler::compile(&sources, &CompileOptions::default());
    let program = compiled
        .program
        .unwrap_or_else(|| panic!("{:#?}", compiled.diagnostics));
    let now = clock::parse_rfc3339("2026-11-23T10:00:00-03:00").unwrap();
    let mut session = Session::new(&program, None, Context::new(now)).unwrap();
    let mut turn = session.start(&program).unwrap();
    let mut texts = Vec::new();
    loop {
        texts.extend(turn.outputs.iter().filter_map(|it| match it {
            Output::Text { text } => Some(text.clone()),
            _ => None,
        }));
        let event = match turn.wait {
            Wait::Done(_) => return texts,
            Wait::Customer => Event::text("529.982.247-25"),
            Wait::Host(HostCall::Erp { request }) => {
                Event::HostResult(HostResult::Erp(match request {
                    Request::FindCustomerByDocument { .. } => Ok(Response::Customer(Customer {
                        id: "42".into(),
                        name: "Ana".into(),
                        document: "52998224725".into(),
                        phones: Vec::new(),
                    })),
                    Request::ListContracts { .. } => Ok(Response::Contracts {
                        contracts: vec![Contract {
                            id: "5001".into(),
                            plan: "Fibra".into(),
                            address: String::new(),
                            status: Diagnosis::Blocked,
                        }],
                    }),
                    Request::TrustUnlock { .. } => outcome.clone(),
                    other => panic!("unexpected {other:?}"),
                }))
            }
            other => panic!("unexpected wait {other:?}"),
        };
        turn = session.resume(&program, event).unwrap();
    }
}

#[test]
fn a_refusal_without_a_known_reason_is_told() {
    let texts = texts_after(Err(ErpError::refused(
        Refusal::Other,
        "Contrato não pode ser desbloqueado",
    )));
    assert_eq!(
        texts[texts.len() - 2..],
        [
            "Não foi possível concluir a sua solicitação.",
            "não desbloqueado"
        ],
        "{texts:?}"
    );
}

#[test]
fn an_infrastructure_failure_takes_the_fail_path() {
    let texts = texts_after(Err(ErpError::failed("Erro interno")));
    assert_eq!(
        texts.last().map(String::as_str),
        Some("caminho de falha"),
        "{texts:?}"
    );
}

//! The IXC adapter against a fake IXC webservice replaying the shapes of
//! ERP-APIS.md section 2.1, for every action IXC offers, plus its business errors
//! inside HTTP 200 bodies and a refused token.

mod erp_support;

use base64::Engine;
use erp_support::{Answer, FakeErp, Seen, PDF};
use fluxo_host::erp::{
    Attachment, ErpAdapter, ErpError, Ixc, Missing, Refusal, Request, Response, Secret,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use time::macros::date;

const TOKEN: &str = "7:0a1b2c3d4e5f";

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|it| format!("{it:02x}"))
        .collect()
}

fn list(records: Value) -> Answer {
    let total = records.as_array().map_or(0, Vec::len);
    Answer::json(json!({"page": "1", "total": total.to_string(), "registros": records}))
}

fn contract_record(id: &str) -> Value {
    let (status_internet, velocidade) = match id {
        "5002" => ("FA", "N"),
        "5004" => ("A", "R"),
        "5005" => ("AA", "N"),
        _ => ("A", "N"),
    };
    json!({
        "id": id, "id_cliente": "42", "contrato": format!("PLANO {id}"), "status": "A",
        "status_internet": status_internet, "status_velocidade": velocidade,
        "desbloqueio_confianca_ativo": "N", "endereco": "Rua A", "numero": "10", "bairro": "Centro"
    })
}

/// The fake IXC: routes by form, checks the Basic token, answers like IXC.
fn ixc(seen: &Seen) -> Answer {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(TOKEN)
    );
    if seen.header("authorization") != Some(expected.as_str()) {
        return Answer::status(401, json!({"type": "error", "message": "Token inválido"}));
    }
    let form = seen.path.trim_start_matches("/webservice/v1/");
    let body = seen.json();
    let query = body["query"].as_str().unwrap_or_default().to_string();
    let listing = seen.header("ixcsoft") == Some("listar");
    match (form, listing) {
        ("cliente", true) => {
            let ana = json!({
                "id": "42", "razao": "Ana Souza", "cnpj_cpf": "529.982.247-25", "ativo": "S",
                "telefone_celular": "(48) 99999-0000", "whatsapp": "", "fone": "",
                "hotsite_email": "ana@exemplo.com", "senha": md5_hex("Ana@2026"), "senha_hotsite_md5": "S"
            });
            let found = match body["qtype"].as_str().unwrap_or_default() {
                // Stored masked: the bare digits find nothing.
                "cliente.cnpj_cpf" => query == "529.982.247-25",
                "cliente.id" => query == "42",
                "cliente.telefone_celular" => {
                    body["oper"] == "L" && "(48) 99999-0000".contains(&query)
                }
                _ => false,
            };
            list(if found { json!([ana]) } else { json!([]) })
        }
        ("cliente_contrato", true) => match body["qtype"].as_str().unwrap_or_default() {
            "cliente_contrato.id_cliente" if query == "42" => {
                list(json!([contract_record("5001"), contract_record("5002")]))
            }
            "cliente_contrato.id" if ["5001", "5002", "5004", "5005"].contains(&query.as_str()) => {
                list(json!([contract_record(&query)]))
            }
            _ => list(json!([])),
        },
        ("fn_areceber", true) => {
            assert_eq!(body["qtype"], "fn_areceber.id_contrato");
            let grid: Value = serde_json::from_str(body["grid_param"].as_str().unwrap()).unwrap();
            assert_eq!(
                grid[0],
                json!({"TB": "fn_areceber.liberado", "OP": "=", "P": "S"})
            );
            if query != "5001" {
                return list(json!([]));
            }
            list(json!([
                {"id": "145535", "id_contrato": "5001", "status": "A", "liberado": "S", "valor": "129.90", "valor_aberto": "129.90",
                 "data_vencimento": "2026-12-10", "linha_digitavel": "00190.00009 02837.465000 00001.101179 7 16560000012990",
                 "gateway_link": "https://pay.example.com/145535"},
                {"id": "145536", "id_contrato": "5001", "status": "A", "liberado": "S", "valor": "99.90", "valor_aberto": "0.00",
                 "data_vencimento": "2026-11-10", "linha_digitavel": "", "gateway_link": ""}
            ]))
        }
        ("get_pix", false) => {
            if body["id_areceber"] == "145535" {
                Answer::json(
                    json!({"pix": {"dadosPix": {"status": "ATIVA", "txid": "abc", "pixCopiaECola": "000201PIXCODE"},
                    "qrCode": {"qrcode": "x"}}, "gateway": {"gatewayNome": "MB"}, "type": "success"}),
                )
            } else {
                Answer::json(json!({"type": "error", "message": "Boleto sem Pix"}))
            }
        }
        ("get_boleto", false) => {
            assert_eq!(body["tipo_boleto"], "arquivo");
            assert_eq!(body["base64"], "S");
            Answer::text(&base64::engine::general_purpose::STANDARD.encode(PDF))
        }
        ("vd_saida", true) => {
            assert_eq!(body["sortorder"], "desc");
            if query == "5001" {
                list(
                    json!([{"id": "77", "numero_nf": "1234", "data_emissao": "2026-11-01", "valor_total": "129.90"}]),
                )
            } else {
                list(json!([]))
            }
        }
        ("imprimir_nota", false) => {
            assert_eq!(body, json!({"id": "77", "base64": "S"}));
            Answer::json(Value::String(
                base64::engine::general_purpose::STANDARD.encode(PDF),
            ))
        }
        ("desbloqueio_confianca", false) => match body["id"].as_str().unwrap_or_default() {
            "5002" => Answer::json(
                json!({"tipo": "sucesso", "mensagem": "Desbloqueio efetuado até 26/11/2026"}),
            ),
            "5001" => Answer::json(json!({"tipo": "erro", "codigo": "109",
                "mensagem": "Desbloqueio de confiança já utilizado. Disponível novamente em 01/12/2026"})),
            _ => Answer::json(
                json!({"tipo": "erro", "codigo": "106", "mensagem": "Contrato não existe"}),
            ),
        },
        ("liberacao_reducao_contrato_29157", false) => {
            assert_eq!(body, json!({"get_id": "5004"}));
            Answer::json(json!({"type": "success", "message": "Velocidade liberada"}))
        }
        ("cliente_contrato_imprimir_contrato_17678", false) => Answer::bytes(PDF),
        ("cliente_contrato_15464", false) => {
            assert_eq!(body, json!({"id_contrato": "5005"}));
            Answer::json(json!({"type": "success", "message": "Contrato liberado"}))
        }
        ("su_ticket_setor", true) => list(json!([
            {"id": "1", "setor": "Suporte", "ativo": "S", "presta_atendimento": "S"},
            {"id": "2", "setor": "Interno", "ativo": "S", "presta_atendimento": "N"}
        ])),
        ("su_oss_assunto", true) => list(json!([
            {"id": "10", "assunto": "Sem conexão", "ativo": "S"},
            {"id": "11", "assunto": "Antigo", "ativo": "N"}
        ])),
        ("su_ticket", false) => {
            assert_eq!(body["tipo"], "C");
            assert_eq!(body["id_cliente"], "42");
            assert_eq!(body["menssagem"], "Sem sinal desde ontem");
            if body["id_assunto"] == "10" {
                Answer::json(
                    json!({"type": "success", "message": "Registro inserido com sucesso!", "id": "300"}),
                )
            } else {
                Answer::json(json!({"type": "error", "message": "Assunto inválido"}))
            }
        }
        ("su_ticket", true) => list(json!([{"id": "300", "protocolo": "2026112300042"}])),
        ("radusuarios", true) => list(json!([{"id": "900", "login": "ana", "id_contrato": "5001",
            "senha_rede_sem_fio": "antiga123", "ssid_router_wifi_5ghz": "ANA_5G", "senha_rede_sem_fio_5ghz": "antiga123"}])),
        ("radusuarios/900", false) => {
            assert_eq!(seen.method, "PUT");
            assert_eq!(body["senha_rede_sem_fio"], "nova-senha-2026");
            assert_eq!(body["senha_rede_sem_fio_5ghz"], "nova-senha-2026");
            assert_eq!(body["login"], "ana", "the whole record is written back");
            Answer::json(json!({"type": "success", "message": "Registro atualizado"}))
        }
        ("botaoAjax_30774", false) => {
            Answer::json(json!({"type": "success", "message": "Enviado ao ACS"}))
        }
        _ => Answer::status(
            404,
            json!({"type": "error", "message": format!("no form {form}")}),
        ),
    }
}

async fn client() -> (FakeErp, Ixc) {
    let fake = FakeErp::start(ixc).await;
    let adapter = Ixc::new(&fake.settings(), Secret::new(TOKEN), 3).unwrap();
    (fake, adapter)
}

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
    let queries: Vec<String> = fake
        .seen()
        .iter()
        .map(|it| it.json()["query"].as_str().unwrap().to_string())
        .collect();
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
async fn opens_tickets_in_external_departments() {
    let (_fake, ixc) = client().await;
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
        matches!(&denied, Err(ErpError::Auth { detail }) if detail.contains("permissão")),
        "{denied:?}"
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

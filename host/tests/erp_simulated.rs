//! The simulated ERP against the shipped demo fixture: lookups, the data the
//! contract choice needs, the once-a-month trust unlock, e-sign from the registered
//! number only, the Wi-Fi password length, tickets, and fixture errors with their
//! line and column.

use fluxo_host::erp::{
    boleto, pix, Attachment, ErpAdapter, ErpError, Missing, Refusal, Request, Response, Secret,
    SimulatedErp,
};
use fluxo_stdlib::erp::{Diagnosis, ErpSystem};
use time::macros::date;
use time::Date;

const DEMO: &str = include_str!("../../examples/provedor/erp-demo.json");
const TODAY: Date = date!(2026 - 11 - 23);

fn demo() -> SimulatedErp {
    SimulatedErp::from_json(DEMO).expect("the demo fixture loads")
}

fn contract(id: &str) -> String {
    id.to_string()
}

fn diagnose(erp: &SimulatedErp, id: &str, today: Date) -> Diagnosis {
    match erp.handle(
        &Request::Diagnose {
            contract_id: contract(id),
        },
        today,
    ) {
        Ok(Response::Diagnosis { diagnosis }) => diagnosis,
        other => panic!("diagnose {id}: {other:?}"),
    }
}

fn refusal(result: Result<Response, ErpError>) -> (Refusal, Option<Date>) {
    match result {
        Err(ErpError::Refused {
            reason,
            next_allowed,
            ..
        }) => (reason, next_allowed),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_demo_pins_its_date() {
    assert_eq!(demo().today(), Some(TODAY));
}

#[test]
fn finds_customers_by_document_and_phone() {
    let erp = demo();
    for document in ["529.982.247-25", "52998224725", " 529 982 247 25 "] {
        match erp.handle(
            &Request::FindCustomerByDocument {
                document: document.into(),
            },
            TODAY,
        ) {
            Ok(Response::Customer(customer)) => {
                assert_eq!(customer.id, "1001");
                assert_eq!(customer.name, "Ana Souza");
                assert_eq!(customer.document, "52998224725");
                assert_eq!(customer.phones, vec!["+5548999990000".to_string()]);
            }
            other => panic!("{document}: {other:?}"),
        }
    }
    match erp.handle(
        &Request::FindCustomerByDocument {
            document: "11.222.333/0001-81".into(),
        },
        TODAY,
    ) {
        Ok(Response::Customer(customer)) => assert_eq!(customer.id, "1005"),
        other => panic!("{other:?}"),
    }
    // A valid CPF nobody has, and a typo, are both "not found": the card asks again.
    for document in ["314.159.265-90", "529.982.247-24", "abc"] {
        assert_eq!(
            erp.handle(
                &Request::FindCustomerByDocument {
                    document: document.into()
                },
                TODAY
            ),
            Err(ErpError::NotFound {
                what: Missing::Customer
            }),
            "{document}"
        );
    }
    for phone in [
        "+5548999990000",
        "(48) 99999-0000",
        "48 99999 0000",
        "5548999990000",
    ] {
        match erp.handle(
            &Request::FindCustomerByPhone {
                phone: phone.into(),
            },
            TODAY,
        ) {
            Ok(Response::Customer(customer)) => assert_eq!(customer.id, "1001", "{phone}"),
            other => panic!("{phone}: {other:?}"),
        }
    }
    assert_eq!(
        erp.handle(
            &Request::FindCustomerByPhone {
                phone: "+55 11 91234-5678".into()
            },
            TODAY
        ),
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
}

#[test]
fn lists_contracts_for_the_contract_choice() {
    let erp = demo();
    match erp.handle(
        &Request::ListContracts {
            customer_id: "1001".into(),
        },
        TODAY,
    ) {
        Ok(Response::Contracts { contracts }) => {
            let summary: Vec<(&str, &str, Diagnosis)> = contracts
                .iter()
                .map(|it| (it.id.as_str(), it.plan.as_str(), it.status))
                .collect();
            assert_eq!(
                summary,
                vec![
                    ("5001", "Fibra 500 Mega", Diagnosis::Active),
                    ("5002", "Fibra 300 Mega (casa de praia)", Diagnosis::Overdue),
                ]
            );
            assert!(contracts[1].address.contains("Pântano do Sul"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        erp.handle(
            &Request::ListContracts {
                customer_id: "9999".into()
            },
            TODAY
        ),
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
}

#[test]
fn second_copy_gives_open_bills_oldest_first() {
    let erp = demo();
    let bills = |id: &str| match erp.handle(
        &Request::SecondCopy {
            contract_id: contract(id),
        },
        TODAY,
    ) {
        Ok(Response::Bills { bills }) => bills,
        other => panic!("{id}: {other:?}"),
    };
    let ana = bills("5001");
    assert_eq!(ana.len(), 1, "the paid bill is not sent");
    assert_eq!(ana[0].id, "90011");
    assert_eq!(
        ana[0].linha_digitavel.as_deref(),
        Some(
            "00190.00009 02837.465000 00001.101179 7 16560000012990"
                .replace(['.', ' '], "")
                .as_str()
        )
    );
    assert_eq!(
        ana[0].pdf,
        Some(Attachment::Url {
            url: "https://boletos.provedorexemplo.com.br/90011.pdf".into()
        })
    );
    let overdue = bills("5002");
    let due: Vec<Date> = overdue.iter().map(|it| it.due_date).collect();
    assert_eq!(due, vec![date!(2026 - 10 - 10), date!(2026 - 11 - 10)]);
    let generated = overdue[0]
        .pix_copia_e_cola
        .as_deref()
        .expect("the company key gives Pix");
    assert_eq!(pix::check(generated).unwrap().amount_cents, Some(9990));
    let bakery = bills("5006");
    assert_eq!(bakery[0].pix_copia_e_cola, None, "this bank offers no Pix");
    assert_eq!(
        erp.handle(
            &Request::SecondCopy {
                contract_id: contract("5005")
            },
            TODAY
        ),
        Err(ErpError::NotFound {
            what: Missing::OpenBill
        })
    );
    assert_eq!(
        erp.handle(
            &Request::SecondCopy {
                contract_id: contract("404")
            },
            TODAY
        ),
        Err(ErpError::NotFound {
            what: Missing::Contract
        })
    );
}

#[test]
fn every_demo_bill_has_a_valid_linha_and_pix() {
    let erp = demo();
    let mut checked = 0;
    for id in ["5001", "5002", "5003", "5004", "5006"] {
        let Ok(Response::Bills { bills }) = erp.handle(
            &Request::SecondCopy {
                contract_id: contract(id),
            },
            TODAY,
        ) else {
            panic!("{id} has bills");
        };
        for bill in bills {
            let linha = boleto::check_linha(bill.linha_digitavel.as_deref().unwrap()).unwrap();
            assert_eq!(linha.digits.len(), 47);
            assert_eq!(linha.amount_cents, bill.amount_cents);
            assert_eq!(Some(linha.due_factor), boleto::due_factor(bill.due_date));
            if let Some(code) = &bill.pix_copia_e_cola {
                let read = pix::check(code).unwrap();
                assert_eq!(read.amount_cents, Some(bill.amount_cents));
                let crc = format!("{:04X}", pix::crc16(&code.as_bytes()[..code.len() - 4]));
                assert_eq!(&code[code.len() - 4..], crc);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
}

#[test]
fn trust_unlock_once_per_calendar_month() {
    let erp = demo();
    let unlock = |id: &str, today: Date| {
        erp.handle(
            &Request::TrustUnlock {
                contract_id: contract(id),
            },
            today,
        )
    };
    // Bruno used his unlock on 2026-11-05: the next is allowed on 2026-12-01.
    assert_eq!(
        refusal(unlock("5003", TODAY)),
        (Refusal::TrustUnlockUsed, Some(date!(2026 - 12 - 01)))
    );
    // The bakery last used it in October.
    assert_eq!(diagnose(&erp, "5006", TODAY), Diagnosis::Overdue);
    assert_eq!(
        unlock("5006", TODAY),
        Ok(Response::Unlocked {
            until: date!(2026 - 11 - 26)
        })
    );
    assert_eq!(diagnose(&erp, "5006", TODAY), Diagnosis::TrustUnlocked);
    assert_eq!(
        diagnose(&erp, "5006", date!(2026 - 11 - 26)),
        Diagnosis::TrustUnlocked
    );
    assert_eq!(
        refusal(unlock("5006", date!(2026 - 11 - 30))),
        (Refusal::TrustUnlockUsed, Some(date!(2026 - 12 - 01)))
    );
    assert_eq!(
        diagnose(&erp, "5006", date!(2026 - 11 - 27)),
        Diagnosis::Overdue
    );
    assert_eq!(
        unlock("5006", date!(2026 - 12 - 02)),
        Ok(Response::Unlocked {
            until: date!(2026 - 12 - 05)
        })
    );
    // Only blocked connections are unlocked; a cancelled contract is inactive.
    assert_eq!(refusal(unlock("5001", TODAY)).0, Refusal::NotBlocked);
    assert_eq!(refusal(unlock("5007", TODAY)).0, Refusal::ContractInactive);
    // Across the year's end the next date is in January.
    let december = SimulatedErp::from_json(DEMO).unwrap();
    let _ = december.handle(
        &Request::TrustUnlock {
            contract_id: contract("5006"),
        },
        date!(2026 - 12 - 20),
    );
    assert_eq!(
        refusal(december.handle(
            &Request::TrustUnlock {
                contract_id: contract("5006")
            },
            date!(2026 - 12 - 28)
        )),
        (Refusal::TrustUnlockUsed, Some(date!(2027 - 01 - 01)))
    );
}

#[test]
fn releases_reduced_speed_once() {
    let erp = demo();
    let release = || {
        erp.handle(
            &Request::ReleaseSpeed {
                contract_id: contract("5004"),
            },
            TODAY,
        )
    };
    assert_eq!(diagnose(&erp, "5004", TODAY), Diagnosis::Reduced);
    assert_eq!(release(), Ok(Response::SpeedReleased));
    assert_eq!(diagnose(&erp, "5004", TODAY), Diagnosis::Active);
    assert_eq!(refusal(release()).0, Refusal::NotReduced);
}

#[test]
fn signs_only_from_the_registered_number() {
    let erp = demo();
    let document = |phone: &str| {
        erp.handle(
            &Request::ContractDocument {
                contract_id: contract("5005"),
                phone: phone.into(),
            },
            TODAY,
        )
    };
    let sign = |phone: &str| {
        erp.handle(
            &Request::SignContract {
                contract_id: contract("5005"),
                phone: phone.into(),
            },
            TODAY,
        )
    };
    assert_eq!(
        refusal(document("+5548999990000")).0,
        Refusal::PhoneNotRegistered
    );
    assert_eq!(
        refusal(sign("+5548999990000")).0,
        Refusal::PhoneNotRegistered
    );
    assert_eq!(refusal(sign("not a phone")).0, Refusal::PhoneNotRegistered);
    assert_eq!(
        document("(47) 99666-3333"),
        Ok(Response::ContractDocument {
            document: Attachment::Url {
                url: "https://contratos.provedorexemplo.com.br/5005.pdf".into()
            }
        })
    );
    assert_eq!(diagnose(&erp, "5005", TODAY), Diagnosis::AwaitingSignature);
    assert_eq!(sign("+55 47 99666-3333"), Ok(Response::Signed));
    assert_eq!(diagnose(&erp, "5005", TODAY), Diagnosis::Active);
    assert_eq!(
        refusal(sign("+5547996663333")).0,
        Refusal::NotAwaitingSignature
    );
    // Ana's active contract was never awaiting signature.
    assert_eq!(
        refusal(erp.handle(
            &Request::SignContract {
                contract_id: contract("5001"),
                phone: "+5548999990000".into()
            },
            TODAY
        ))
        .0,
        Refusal::NotAwaitingSignature
    );
}

#[test]
fn wifi_passwords_need_more_than_eight_characters() {
    let erp = demo();
    let change = |id: &str, password: &str| {
        erp.handle(
            &Request::WifiPassword {
                contract_id: contract(id),
                password: Secret::new(password),
            },
            TODAY,
        )
    };
    assert_eq!(
        refusal(change("5001", "12345678")).0,
        Refusal::InvalidPassword
    );
    assert_eq!(
        refusal(change("5001", &"x".repeat(64))).0,
        Refusal::InvalidPassword
    );
    assert_eq!(change("5001", "casa2026!"), Ok(Response::WifiChanged));
    assert_eq!(
        refusal(change("5007", "casa2026!")).0,
        Refusal::ContractInactive
    );
}

#[test]
fn authenticates_with_the_subscriber_central() {
    let erp = demo();
    let auth = |document: &str, login: &str, password: &str| {
        erp.handle(
            &Request::Authenticate {
                document: document.into(),
                login: login.into(),
                password: Secret::new(password),
            },
            TODAY,
        )
    };
    assert_eq!(
        auth("529.982.247-25", "Ana.Souza", "Ana@2026"),
        Ok(Response::Authenticated {
            customer_id: "1001".into()
        })
    );
    assert_eq!(
        refusal(auth("529.982.247-25", "ana.souza", "ana@2026")).0,
        Refusal::WrongCredentials
    );
    assert_eq!(
        refusal(auth("111.444.777-35", "bruno", "x")).0,
        Refusal::WrongCredentials
    );
    assert_eq!(
        auth("314.159.265-90", "x", "y"),
        Err(ErpError::NotFound {
            what: Missing::Customer
        })
    );
}

#[test]
fn opens_tickets_with_numbered_protocols() {
    let erp = demo();
    match erp.handle(&Request::ListTicketOptions, TODAY) {
        Ok(Response::TicketOptions {
            departments,
            subjects,
        }) => {
            assert_eq!(departments.len(), 3);
            assert!(subjects
                .iter()
                .any(|it| it.name == "Sinal fraco" && it.id == "12"));
        }
        other => panic!("{other:?}"),
    }
    let open = |subject: &str| {
        erp.handle(
            &Request::OpenTicket {
                contract_id: contract("5001"),
                department: "1".into(),
                subject: subject.into(),
                description: "Sinal -29 dBm".into(),
            },
            TODAY,
        )
    };
    assert_eq!(
        open("12"),
        Ok(Response::TicketOpened {
            protocol: "PE202611230001".into()
        })
    );
    assert_eq!(
        open("10"),
        Ok(Response::TicketOpened {
            protocol: "PE202611230002".into()
        })
    );
    assert_eq!(
        open("99"),
        Err(ErpError::NotFound {
            what: Missing::TicketOption
        })
    );
}

#[test]
fn sends_the_latest_invoice() {
    let erp = demo();
    match erp.handle(
        &Request::Invoice {
            contract_id: contract("5001"),
        },
        TODAY,
    ) {
        Ok(Response::Invoice(invoice)) => {
            assert_eq!(invoice.number, "2026/10431");
            assert_eq!(invoice.issued_on, Some(date!(2026 - 11 - 01)));
            assert_eq!(
                invoice.pdf.label(),
                "https://nfe.provedorexemplo.com.br/2026-10431.pdf"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        erp.handle(
            &Request::Invoice {
                contract_id: contract("5003")
            },
            TODAY
        ),
        Err(ErpError::NotFound {
            what: Missing::Invoice
        })
    );
}

#[test]
fn simulates_one_erps_row_of_the_matrix() {
    let erp = demo().for_system(ErpSystem::Sgp);
    assert_eq!(
        erp.handle(
            &Request::Diagnose {
                contract_id: contract("5001")
            },
            TODAY
        ),
        Err(ErpError::Unsupported {
            system: ErpSystem::Sgp,
            operation: "diagnose".into()
        })
    );
    assert!(erp
        .handle(
            &Request::SecondCopy {
                contract_id: contract("5001")
            },
            TODAY
        )
        .is_ok());
    assert_eq!(erp.system(), ErpSystem::Sgp);
}

#[tokio::test]
async fn the_adapter_path_uses_the_pinned_date() {
    let erp = demo();
    let unlocked = erp
        .call(Request::TrustUnlock {
            contract_id: contract("5006"),
        })
        .await;
    assert_eq!(
        unlocked,
        Ok(Response::Unlocked {
            until: date!(2026 - 11 - 26)
        })
    );
}

fn fixture_error(text: &str) -> (usize, usize, String) {
    match SimulatedErp::from_json(text) {
        Ok(_) => panic!("the fixture should be refused"),
        Err(error) => (error.line, error.column, error.to_string()),
    }
}

#[test]
fn fixture_errors_point_at_line_and_column() {
    let (line, column, message) = fixture_error("{\n  \"customers\": [\n    {\"id\": 1}\n  ]\n}");
    assert_eq!((line, column), (3, 12));
    assert!(
        message.starts_with("line 3, column 12: invalid fixture: invalid type"),
        "{message}"
    );

    let (line, column, message) = fixture_error("{\"customers\": [}");
    assert_eq!(line, 1);
    assert!(column > 1, "{message}");

    let bad_cpf = "{\n  \"customers\": [\n    {\n      \"id\": \"1\",\n      \"name\": \"X\",\n      \"document\": \"529.982.247-26\"\n    }\n  ]\n}";
    let (line, column, message) = fixture_error(bad_cpf);
    assert_eq!((line, column), (6, 19));
    assert_eq!(
        message,
        "line 6, column 19: customers[0].document: \"529.982.247-26\" is not a valid CPF or CNPJ: the check digits do not match"
    );

    let unknown = r#"{"customers": [], "custmers": []}"#;
    assert!(fixture_error(unknown)
        .2
        .contains("unknown field `custmers`"));

    let duplicate = r#"{"customers": [
        {"id": "1", "name": "A", "document": "52998224725", "contracts": [{"id": "7", "plan": "P", "status": "active"}]},
        {"id": "2", "name": "B", "document": "11144477735", "contracts": [{"id": "7", "plan": "P", "status": "active"}]}
    ]}"#;
    let (line, _, message) = fixture_error(duplicate);
    assert_eq!(line, 3);
    assert!(
        message.contains("customers[1].contracts[0].id: duplicate contract id \"7\""),
        "{message}"
    );

    let bad_linha = r#"{"customers": [{"id": "1", "name": "A", "document": "52998224725", "contracts": [{"id": "7", "plan": "P", "status": "active",
        "bills": [{"id": "1", "due_date": "2026-12-10", "amount_cents": 12990, "linha_digitavel": "00190.00009 02837.465000 00001.101179 6 16560000012990"}]}]}]}"#;
    assert!(fixture_error(bad_linha)
        .2
        .contains("invalid linha digitável: the general check digit is wrong"));

    let wrong_amount = bad_linha
        .replace(" 6 1656", " 7 1656")
        .replace("\"amount_cents\": 12990", "\"amount_cents\": 12991");
    assert!(fixture_error(&wrong_amount)
        .2
        .contains("the linha digitável is for 12990 cents, the bill for 12991"));

    let bad_pix = r#"{"customers": [{"id": "1", "name": "A", "document": "52998224725", "contracts": [{"id": "7", "plan": "P", "status": "active",
        "bills": [{"id": "1", "due_date": "2026-12-10", "amount_cents": 1000, "pix_copia_e_cola": "00020126360014br.gov.bcb.pix0114+5561999999999520400005303986540510.005802BR5913FULANO DE TAL6008BRASILIA62070503***63045B31"}]}]}]}"#;
    assert!(fixture_error(bad_pix)
        .2
        .contains("invalid Pix copia-e-cola: the CRC is 5B31, but the content's CRC is 5B30"));

    let unsigned = r#"{"customers": [{"id": "1", "name": "A", "document": "52998224725", "contracts": [{"id": "7", "plan": "P", "status": "awaiting_signature"}]}]}"#;
    assert!(fixture_error(unsigned).2.contains("needs contract_pdf"));

    let bad_status = r#"{"customers": [{"id": "1", "name": "A", "document": "52998224725", "contracts": [{"id": "7", "plan": "P", "status": "paused"}]}]}"#;
    assert!(fixture_error(bad_status)
        .2
        .contains("unknown diagnosis \"paused\""));

    let bad_phone = r#"{"customers": [{"id": "1", "name": "A", "document": "52998224725", "phones": ["12345"]}]}"#;
    assert!(fixture_error(bad_phone)
        .2
        .contains("customers[0].phones[0]: \"12345\" is not a valid Brazilian phone number"));
}

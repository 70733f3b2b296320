//! A fake IXC Provedor webservice v1 built from the documented shapes only: the
//! forms of IXC's Postman collection as the design records them, lists that answer
//! `registros` with numbers as strings, business errors inside HTTP 200, and, for a
//! form it does not document (`vd_saida`, `su_ticket_setor`, ...), what IXC answers a
//! token that may not use a form: `Formulário ... não encontrado ou sem permissão de
//! acesso`.

use base64::Engine;
use fluxo_host::erp::{Ixc, Secret};
use md5::{Digest, Md5};
use serde_json::{json, Value};

use super::{Answer, FakeErp, Seen, PDF};

pub const TOKEN: &str = "7:0a1b2c3d4e5f";

pub fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|it| format!("{it:02x}"))
        .collect()
}

pub fn list(records: Value) -> Answer {
    let total = records.as_array().map_or(0, Vec::len);
    Answer::json(json!({"page": "1", "total": total.to_string(), "registros": records}))
}

/// What IXC answers for a form the token may not use.
pub fn denied(form: &str) -> Answer {
    Answer::json(json!({"type": "error",
        "message": format!("Formulário {form} não encontrado ou sem permissão de acesso")}))
}

pub fn contract_record(id: &str) -> Value {
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

/// The titles (`fn_areceber`) of customer 42. 5003 has only an installation fee,
/// tied through `id_contrato_avulso`, as in the one real sample.
fn titles() -> Value {
    json!([
        {"id": "145535", "id_cliente": "42", "id_contrato": "5001", "id_contrato_avulso": "0", "status": "A",
         "liberado": "S", "valor": "129.90", "valor_aberto": "129.90", "data_emissao": "2026-11-20",
         "data_vencimento": "2026-12-10", "linha_digitavel": "00190.00009 02837.465000 00001.101179 7 16560000012990",
         "gateway_link": "https://pay.example.com/145535", "id_saida": "0", "documento": ""},
        {"id": "145536", "id_cliente": "42", "id_contrato": "5001", "id_contrato_avulso": "0", "status": "A",
         "liberado": "S", "valor": "99.90", "valor_aberto": "0.00", "data_emissao": "2026-10-20",
         "data_vencimento": "2026-11-10", "linha_digitavel": "", "gateway_link": "", "id_saida": "", "documento": ""},
        {"id": "145500", "id_cliente": "42", "id_contrato": "5001", "id_contrato_avulso": "0", "status": "R",
         "liberado": "S", "valor": "129.90", "valor_aberto": "0.00", "data_emissao": "2026-11-01",
         "data_vencimento": "2026-10-10", "id_saida": "77", "documento": "1234"},
        {"id": "145490", "id_cliente": "42", "id_contrato": "5001", "id_contrato_avulso": "0", "status": "R",
         "liberado": "S", "valor": "129.90", "valor_aberto": "0.00", "data_emissao": "2026-10-01",
         "data_vencimento": "2026-09-10", "id_saida": "70", "documento": "1200"},
        {"id": "145600", "id_cliente": "42", "id_contrato": "", "id_contrato_avulso": "5003", "status": "A",
         "liberado": "S", "valor": "350.00", "valor_aberto": "350.00", "data_emissao": "2026-11-15",
         "data_vencimento": "2026-12-01", "gateway_link": "https://pay.example.com/145600"}
    ])
}

fn logins() -> Value {
    json!([
        {"id": "900", "login": "ana", "id_contrato": "5001", "ativo": "S", "senha_rede_sem_fio": "antiga123",
         "ssid_router_wifi_5ghz": "ANA_5G", "senha_rede_sem_fio_5ghz": "antiga123"},
        {"id": "901", "login": "ana2", "id_contrato": "5002", "ativo": "N", "senha_rede_sem_fio": "antiga123"},
        {"id": "902", "login": "ana4", "id_contrato": "5004", "ativo": "S", "senha_rede_sem_fio": "antiga123"}
    ])
}

/// Records of `all` whose `field` equals `query`.
fn matching(all: Value, field: &str, query: &str) -> Value {
    Value::Array(
        all.as_array()
            .into_iter()
            .flatten()
            .filter(|it| it[field] == query)
            .cloned()
            .collect(),
    )
}

/// The fake IXC: routes by form, checks the Basic token, answers like IXC.
pub fn ixc(seen: &Seen) -> Answer {
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
    let qtype = body["qtype"].as_str().unwrap_or_default().to_string();
    let listing = seen.header("ixcsoft") == Some("listar");
    match (form, listing) {
        ("cliente", true) => {
            let ana = json!({
                "id": "42", "razao": "Ana Souza", "cnpj_cpf": "529.982.247-25", "ativo": "S",
                "telefone_celular": "(48) 99999-0000", "whatsapp": "", "fone": "",
                "hotsite_email": "ana@exemplo.com", "hotsite_acesso": "ana.souza",
                "senha": md5_hex("Ana@2026"), "senha_hotsite_md5": "S"
            });
            if qtype == "cliente.cnpj_cpf" && query == "11.222.333/0001-81" {
                return list(
                    json!([{"id": "43", "razao": "Padaria Exemplo LTDA", "fantasia": "Padaria",
                    "cnpj_cpf": "11.222.333/0001-81", "tipo_pessoa": "J", "ativo": "S",
                    "telefone_celular": "", "whatsapp": "48 3222-1000", "fone": ""}]),
                );
            }
            let found = match qtype.as_str() {
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
        ("cliente_contrato", true) => match qtype.as_str() {
            "cliente_contrato.id_cliente" if query == "42" => {
                list(json!([contract_record("5001"), contract_record("5002")]))
            }
            "cliente_contrato.id"
                if ["5001", "5002", "5003", "5004", "5005"].contains(&query.as_str()) =>
            {
                list(json!([contract_record(&query)]))
            }
            _ => list(json!([])),
        },
        ("fn_areceber", true) => {
            let field = qtype.trim_start_matches("fn_areceber.");
            assert!(
                ["id_contrato", "id_contrato_avulso"].contains(&field),
                "{qtype}"
            );
            let mut found = matching(titles(), field, &query);
            if let Some(grid) = body["grid_param"].as_str() {
                let grid: Value = serde_json::from_str(grid).expect("grid_param is JSON text");
                assert_eq!(
                    grid[0],
                    json!({"TB": "fn_areceber.liberado", "OP": "=", "P": "S"})
                );
                found = Value::Array(
                    found
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|it| it["status"] != "C" && it["status"] != "R")
                        .cloned()
                        .collect(),
                );
            }
            list(found)
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
            "5005" => Answer::json(
                json!({"tipo": "sucesso", "mensagem": "Desbloqueio efetuado com sucesso"}),
            ),
            "5001" => Answer::json(json!({"tipo": "erro", "codigo": "109",
                "mensagem": "Desbloqueio de confiança já utilizado em 23/11/2026. Disponível novamente a partir de 01/12/2026"})),
            "5004" => Answer::json(json!({"tipo": "erro", "codigo": "107",
                "mensagem": "Contrato já desbloqueado"})),
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
        ("radusuarios", true) => list(matching(logins(), "id_contrato", &query)),
        (put, false) if put.starts_with("radusuarios/") => {
            assert_eq!(seen.method, "PUT");
            Answer::json(json!({"type": "success", "message": "Registro atualizado"}))
        }
        ("botaoAjax_30774", false) => {
            if body["id"] == "902" {
                Answer::json(json!({"type": "error", "message": "Falha ao enviar dados ao ACS"}))
            } else {
                Answer::json(json!({"type": "success", "message": "Enviado ao ACS"}))
            }
        }
        (other, _) => denied(other),
    }
}

/// The `query` of every list the fake received, in order.
pub fn queries(fake: &FakeErp) -> Vec<String> {
    fake.seen()
        .iter()
        .map(|it| it.json()["query"].as_str().unwrap_or_default().to_string())
        .collect()
}

pub async fn client() -> (FakeErp, Ixc) {
    let fake = FakeErp::start(ixc).await;
    let adapter = Ixc::new(&fake.settings(), Secret::new(TOKEN), 3).unwrap();
    (fake, adapter)
}

//! IXC bills and notas fiscais: open `fn_areceber` titles with their Pix
//! (`get_pix`) and PDF (`gateway_link`, else `get_boleto`), and the latest nota
//! fiscal of a contract (`vd_saida`, printed by `imprimir_nota`).

use serde_json::{json, Value};

use super::{Filter, Ixc};
use crate::erp::http::json::{cents_field, date_field, linha, text};
use crate::erp::{Attachment, Bill, Invoice};
use crate::erp::{ErpError, Missing, Response};

/// At most this many open bills are sent, oldest first: each needs two more calls.
const MAX_BILLS: usize = 3;

impl Ixc {
    pub(super) async fn open_bills(&self, contract_id: &str) -> Result<Response, ErpError> {
        let filter = Filter {
            sort: Some("fn_areceber.data_vencimento"),
            grid: vec![
                json!({"TB": "fn_areceber.liberado", "OP": "=", "P": "S"}),
                json!({"TB": "fn_areceber.status", "OP": "!=", "P": "C"}),
                json!({"TB": "fn_areceber.status", "OP": "!=", "P": "R"}),
            ],
            ..Filter::eq("fn_areceber.id_contrato", contract_id)
        };
        let records = self.list("fn_areceber", filter).await?;
        let mut bills = Vec::new();
        for record in records.iter().filter(|it| is_open(it)).take(MAX_BILLS) {
            bills.push(self.bill(record).await?);
        }
        if bills.is_empty() {
            return Err(ErpError::not_found(Missing::OpenBill));
        }
        bills.sort_by_key(|it| it.due_date);
        Ok(Response::Bills { bills })
    }

    async fn bill(&self, record: &Value) -> Result<Bill, ErpError> {
        let id = text(record, "id").ok_or(ErpError::malformed("IXC bill without id"))?;
        let due_date = date_field(record, "data_vencimento").ok_or(ErpError::malformed(
            format!("IXC bill {id} without a due date"),
        ))?;
        let amount_cents = cents_field(record, "valor_aberto")
            .filter(|it| *it > 0)
            .or_else(|| cents_field(record, "valor"))
            .ok_or(ErpError::malformed(format!(
                "IXC bill {id} without an amount"
            )))?;
        let pix_copia_e_cola = self.pix(&id).await?;
        let pdf = match text(record, "gateway_link") {
            Some(url) => Some(Attachment::Url { url }),
            None => self.boleto_pdf(&id).await?,
        };
        Ok(Bill {
            linha_digitavel: text(record, "linha_digitavel").and_then(|it| linha(&it)),
            id,
            due_date,
            amount_cents,
            pix_copia_e_cola,
            pdf,
        })
    }

    /// The Pix copia-e-cola of a bill, when its bank offers one; IXC answers
    /// `type: error` for bills without Pix.
    async fn pix(&self, bill_id: &str) -> Result<Option<String>, ErpError> {
        let value = self
            .post("get_pix", json!({"id_areceber": bill_id}))
            .await?
            .json()?;
        if text(&value, "type").as_deref() != Some("success") {
            return Ok(None);
        }
        Ok(value
            .pointer("/pix/dadosPix/pixCopiaECola")
            .and_then(|it| it.as_str())
            .map(str::to_string))
    }

    /// The boleto as a PDF, base64, without interest or fine so that it matches the
    /// bill's linha digitável.
    async fn boleto_pdf(&self, bill_id: &str) -> Result<Option<Attachment>, ErpError> {
        let body = json!({
            "boletos": bill_id,
            "juro": "N",
            "multa": "N",
            "atualiza_boleto": "N",
            "tipo_boleto": "arquivo",
            "base64": "S",
            "layout_impressao": "boleto_um_por_pagina",
        });
        let reply = self.post("get_boleto", body).await?;
        Ok(reply.document_base64().map(|base64| Attachment::Inline {
            file_name: format!("boleto-{bill_id}.pdf"),
            base64,
        }))
    }

    /// The contract's latest nota fiscal (`vd_saida`), printed as a PDF.
    pub(super) async fn latest_invoice(&self, contract_id: &str) -> Result<Response, ErpError> {
        let filter = Filter {
            sort: Some("vd_saida.data_emissao"),
            descending: true,
            ..Filter::eq("vd_saida.id_contrato", contract_id)
        };
        let records = self.list("vd_saida", filter).await?;
        let record = records
            .first()
            .ok_or(ErpError::not_found(Missing::Invoice))?;
        let id = text(record, "id").ok_or(ErpError::malformed("IXC nota fiscal without id"))?;
        let reply = self
            .post("imprimir_nota", json!({"id": id, "base64": "S"}))
            .await?;
        let base64 = match reply.document_base64() {
            Some(base64) => base64,
            None => {
                let value = reply.json()?;
                super::check_type(&value)?;
                return Err(ErpError::malformed("IXC imprimir_nota returned no PDF"));
            }
        };
        let number = text(record, "numero_nf").unwrap_or_else(|| id.clone());
        Ok(Response::Invoice(Invoice {
            pdf: Attachment::Inline {
                file_name: format!("nota-fiscal-{number}.pdf"),
                base64,
            },
            number,
            issued_on: date_field(record, "data_emissao"),
            amount_cents: cents_field(record, "valor_total"),
        }))
    }
}

/// The list filter already asks for released, not cancelled, not received titles;
/// this double-checks, since a `grid_param` an install does not know is ignored.
fn is_open(record: &Value) -> bool {
    let status = text(record, "status").unwrap_or_default();
    status != "C" && status != "R" && text(record, "liberado").as_deref() != Some("N")
}

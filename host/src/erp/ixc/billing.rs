//! IXC bills and notas fiscais: open `fn_areceber` titles of a contract (tied by
//! `id_contrato` or `id_contrato_avulso`) with their Pix (`get_pix`) and PDF
//! (`gateway_link`, else `get_boleto`), and the latest nota fiscal of a contract (a
//! title's `id_saida`, printed by `imprimir_nota`).

use serde_json::{json, Value};

use super::{Filter, Ixc};
use crate::erp::http::json::{cents_field, date_field, linha, text};
use crate::erp::{Attachment, Bill, Invoice};
use crate::erp::{ErpError, Missing, Response};

/// At most this many open bills are sent, oldest first: each needs two more calls.
const MAX_BILLS: usize = 3;

impl Ixc {
    /// The titles of a contract: those tied through `id_contrato` and those tied only
    /// through `id_contrato_avulso` (an installation fee, a one-off charge), without
    /// repeats. `grid` narrows both lists.
    async fn titles(&self, contract_id: &str, grid: &[Value]) -> Result<Vec<Value>, ErpError> {
        let mut titles: Vec<Value> = Vec::new();
        for key in ["fn_areceber.id_contrato", "fn_areceber.id_contrato_avulso"] {
            let filter = Filter {
                sort: Some("fn_areceber.data_vencimento"),
                grid: grid.to_vec(),
                ..Filter::eq(key, contract_id)
            };
            for record in self.list("fn_areceber", filter).await? {
                let id = text(&record, "id");
                if !titles.iter().any(|it| text(it, "id") == id) {
                    titles.push(record);
                }
            }
        }
        Ok(titles)
    }

    pub(super) async fn open_bills(&self, contract_id: &str) -> Result<Response, ErpError> {
        let grid = [
            json!({"TB": "fn_areceber.liberado", "OP": "=", "P": "S"}),
            json!({"TB": "fn_areceber.status", "OP": "!=", "P": "C"}),
            json!({"TB": "fn_areceber.status", "OP": "!=", "P": "R"}),
        ];
        let mut records: Vec<Value> = self
            .titles(contract_id, &grid)
            .await?
            .into_iter()
            .filter(is_open)
            .collect();
        records.sort_by_key(|it| date_field(it, "data_vencimento"));
        let mut bills = Vec::new();
        for record in records.iter().take(MAX_BILLS) {
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

    /// The contract's latest nota fiscal. IXC's public collection documents one way that needs no
    /// other form: a title of the contract (`fn_areceber`) carries the invoice it was
    /// billed with, `id_saida` (printed by `imprimir_nota`) and its number,
    /// `documento`. Received titles count: a nota is issued whether or not the bill
    /// was paid.
    pub(super) async fn latest_invoice(&self, contract_id: &str) -> Result<Response, ErpError> {
        let mut titles: Vec<Value> = self
            .titles(contract_id, &[])
            .await?
            .into_iter()
            .filter(|it| text(it, "status").as_deref() != Some("C"))
            .filter(|it| invoice_id(it).is_some())
            .collect();
        titles.sort_by_key(|it| {
            std::cmp::Reverse(
                date_field(it, "data_emissao").or_else(|| date_field(it, "data_vencimento")),
            )
        });
        let title = titles
            .first()
            .ok_or(ErpError::not_found(Missing::Invoice))?;
        let id = invoice_id(title).ok_or(ErpError::not_found(Missing::Invoice))?;
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
        let number = text(title, "documento").unwrap_or_else(|| id.clone());
        Ok(Response::Invoice(Invoice {
            pdf: Attachment::Inline {
                file_name: format!("nota-fiscal-{}.pdf", file_safe(&number)),
                base64,
            },
            number,
            issued_on: date_field(title, "data_emissao"),
            amount_cents: cents_field(title, "valor"),
        }))
    }
}

/// The nota fiscal a title was billed with; IXC writes `0` when there is none.
fn invoice_id(title: &Value) -> Option<String> {
    text(title, "id_saida").filter(|it| !it.trim_start_matches('0').is_empty())
}

/// A nota number as part of a file name (`2026/10431` → `2026-10431`).
fn file_safe(number: &str) -> String {
    number
        .chars()
        .map(|it| if it.is_ascii_alphanumeric() { it } else { '-' })
        .collect()
}

/// The list filter already asks for released, not cancelled, not received titles;
/// this double-checks, since a `grid_param` an install does not know is ignored.
fn is_open(record: &Value) -> bool {
    let status = text(record, "status").unwrap_or_default();
    status != "C" && status != "R" && text(record, "liberado").as_deref() != Some("N")
}

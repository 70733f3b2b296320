//! `erp.invoice`: the contract's latest nota fiscal, as a message and its PDF.

use super::erp::{erp_call, file};
use super::erp_actions::done;
use super::erp_texts as texts;
use super::{Call, Cx};
use crate::erp::{Invoice, Request};
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn request(contract_id: String) -> Next {
    erp_call(Request::Invoice { contract_id })
}

pub(super) fn invoice(cx: &mut Cx, call: Call, invoice: &Invoice) -> Result<Next, RuntimeError> {
    cx.say(texts::invoice_message(invoice));
    file(cx, invoice.pdf.label(), None);
    done(cx, call, None)
}

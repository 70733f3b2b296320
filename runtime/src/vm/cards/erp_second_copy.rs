//! `erp.second_copy`: each open bill of the contract as its summary, the codes to copy
//! (linha digitável, Pix copia-e-cola) and its PDF.

use super::erp::{erp_call, file};
use super::erp_actions::done;
use super::erp_texts as texts;
use super::{Call, Cx};
use crate::erp::{Bill, Request};
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn request(contract_id: String) -> Next {
    erp_call(Request::SecondCopy { contract_id })
}

pub(super) fn bills(cx: &mut Cx, call: Call, bills: &[Bill]) -> Result<Next, RuntimeError> {
    for bill in bills {
        for text in texts::bill_messages(bill) {
            cx.say(text);
        }
        if let Some(pdf) = &bill.pdf {
            file(cx, pdf.label(), None);
        }
    }
    done(cx, call, None)
}

//! `erp.trust_unlock`: unlocks a blocked connection on trust and says until when; `as`
//! binds `true`. A refusal (already used this month) is handled with the other refusals.

use super::erp::erp_call;
use super::erp_actions::done;
use super::erp_texts as texts;
use super::{Call, Cx};
use crate::erp::Request;
use crate::vm::Next;
use crate::{RuntimeError, Value};

pub(super) fn request(contract_id: String) -> Next {
    erp_call(Request::TrustUnlock { contract_id })
}

pub(super) fn unlocked(cx: &mut Cx, call: Call, until: time::Date) -> Result<Next, RuntimeError> {
    cx.say(texts::unlocked(until));
    done(cx, call, Some(Value::Bool(true)))
}

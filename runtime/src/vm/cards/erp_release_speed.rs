//! `erp.release_speed`: restores the full speed of a reduced connection; `as` binds
//! `true`.

use super::erp::erp_call;
use super::erp_actions::done;
use super::erp_texts as texts;
use super::{Call, Cx};
use crate::erp::Request;
use crate::vm::Next;
use crate::{RuntimeError, Value};

pub(super) fn request(contract_id: String) -> Next {
    erp_call(Request::ReleaseSpeed { contract_id })
}

pub(super) fn released(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    cx.say(texts::SPEED_RELEASED);
    done(cx, call, Some(Value::Bool(true)))
}

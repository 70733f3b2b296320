//! `erp.diagnose`: binds the state of the connection as a `diagnosis` pattern, for a
//! `when` to branch on; it says nothing to the customer.

use fluxo_stdlib::erp::Diagnosis;
use fluxo_stdlib::types::EnumKind;

use super::erp::erp_call;
use super::erp_actions::done;
use super::{Call, Cx};
use crate::erp::Request;
use crate::vm::Next;
use crate::{RuntimeError, Value};

pub(super) fn request(contract_id: String) -> Next {
    erp_call(Request::Diagnose { contract_id })
}

pub(super) fn diagnosed(
    cx: &mut Cx,
    call: Call,
    diagnosis: Diagnosis,
) -> Result<Next, RuntimeError> {
    let value = Value::pattern(EnumKind::Diagnosis, diagnosis.name()).unwrap_or(Value::Bool(false));
    done(cx, call, Some(value))
}

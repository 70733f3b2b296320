//! `auto_link()`: links the conversation to the registration whose holder number is the
//! contact's phone, if there is one; it never asks the customer anything.

use super::erp::erp_call;
use super::registration::{customer_link, link_to};
use super::{host_result, Call, Cx};
use crate::erp::{Request, Response};
use crate::session::HostResult;
use crate::vm::{Input, Next};
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    if let Some(HostResult::Erp(result)) = host_result(input) {
        if let Ok(Response::Customer(customer)) = result {
            link_to(cx, customer_link(customer));
        }
        return Ok(Next::Go(call.after));
    }
    if cx.s.ctx.link.is_some() || cx.s.ctx.contact_phone().is_empty() {
        return Ok(Next::Go(call.after));
    }
    Ok(erp_call(Request::FindCustomerByPhone {
        phone: cx.s.ctx.contact_phone().to_string(),
    }))
}

//! `account_add()`: links another registration to the contact's phone and makes it the
//! active account; the previous one stays among those `account_switch` offers.

use fluxo_stdlib::builtins::ACCOUNT_ADD_PROMPT;

use super::registration::ask_registration;
use super::{Call, Cx};
use crate::vm::{Input, Next};
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    ask_registration(cx, call, input, ACCOUNT_ADD_PROMPT.to_string())
}

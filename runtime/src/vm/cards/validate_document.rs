//! `validate_document(question:)`: asks for a CPF/CNPJ that must belong to a
//! registration and links the conversation to it.

use fluxo_stdlib::builtins::DOCUMENT_PROMPT;

use super::registration::ask_registration;
use super::{Call, Cx};
use crate::vm::{Input, Next};
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let question = cx
        .arg_text(call.card, call.args, "question")?
        .unwrap_or_else(|| DOCUMENT_PROMPT.to_string());
    ask_registration(cx, call, input, question)
}

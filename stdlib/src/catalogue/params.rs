//! The parameters cards share (the retry group and the call-failure group), defined
//! once, and the constructors the card tables use to spell parameters briefly.

use super::{ParamDefault, ParamSpec, Place};
use crate::builtins::INVALID_MESSAGE;
use crate::types::{ItemKind, Literal, Ty};

/// A `name: value` argument.
pub(super) const fn arg(
    name: &'static str,
    ty: Ty,
    default: ParamDefault,
    opa_field: &'static str,
    doc: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        default,
        place: Place::Arg,
        opa_field,
        doc,
    }
}

/// A part of a statement's own syntax.
pub(super) const fn syntax(
    name: &'static str,
    ty: Ty,
    default: ParamDefault,
    opa_field: &'static str,
    doc: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        default,
        place: Place::Syntax,
        opa_field,
        doc,
    }
}

/// A text argument with a default text.
pub(super) const fn text_arg(
    name: &'static str,
    default: &'static str,
    opa_field: &'static str,
    doc: &'static str,
) -> ParamSpec {
    arg(
        name,
        Ty::Text,
        ParamDefault::Value(Literal::Text(default)),
        opa_field,
        doc,
    )
}

/// Taken by every card that reads the customer's answer and can find it wrong
/// (`Fails::OnInput`). The seeds' three fields plus the invalid-answer message.
pub static RETRY_PARAMS: [ParamSpec; 4] = [
    arg(
        "retries",
        Ty::Number,
        ParamDefault::Value(Literal::Number(3)),
        "Quantidade de tentativas",
        "How many answers the customer gets in all (at least 1). Each wrong answer that leaves a try gets `invalid_message` and the question again; the wrong answer that uses up the last try sends `fail_message` and continues at `fail_flow`.",
    ),
    arg(
        "invalid_message",
        Ty::Text,
        ParamDefault::Value(Literal::Text(INVALID_MESSAGE)),
        "Mensagem de opção inválida",
        "Sent after a wrong answer that leaves a try, before the question is asked again. The Opa editor has no such field and always sends its standard text; Fluxo lets a card change it.",
    ),
    arg(
        "fail_message",
        Ty::Text,
        ParamDefault::Optional,
        "Mensagem após máximo de tentativas",
        "Sent when the last try is used up; nothing is sent when absent.",
    ),
    arg(
        "fail_flow",
        Ty::Ref(ItemKind::Flow),
        ParamDefault::Optional,
        "Fluxo a ser executado após máximo de tentativas",
        "The flow the conversation continues at when the last try is used up; when absent, the conversation ends.",
    ),
];

/// Taken by cards whose host call can fail on its own (`Fails::OnCall`): a Low Code
/// script that errs or times out.
pub static CALL_FAILURE_PARAMS: [ParamSpec; 2] = [
    arg(
        "fail_message",
        Ty::Text,
        ParamDefault::Optional,
        "Mensagem em caso de falha",
        "Sent when the call fails or times out; nothing is sent when absent.",
    ),
    arg(
        "fail_flow",
        Ty::Ref(ItemKind::Flow),
        ParamDefault::Optional,
        "Fluxo a ser executado em caso de falha",
        "The flow the conversation continues at when the call fails or times out; when absent, the conversation ends.",
    ),
];

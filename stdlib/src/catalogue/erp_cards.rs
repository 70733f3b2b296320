//! The `erp.*` cards, one per `ErpAction`. Which ERP offers which action is the matrix
//! in `crate::erp`; this table says how each card is written and what it does.

use super::params::{arg, text_arg};
use super::{ArmsSpec, Binds, CardSpec, Channels, Fails, Family, ParamDefault, Syntax};
use crate::builtins;
use crate::erp::ErpAction;
use crate::types::{EnumKind, Ty};

/// Appends what every ERP card shares to the card's own doc.
macro_rules! erp_doc {
    ($own:literal) => {
        concat!(
            $own,
            " Needs an `erp` line whose system offers the action (see the matrix). Asks for the CPF/CNPJ (`DOCUMENT_PROMPT`) unless the conversation is already linked to a registration; a malformed document or one the ERP does not know is a wrong answer, counted by the retry parameters. An ERP that errs or does not answer counts as the last try used up: `fail_message`, then `fail_flow`."
        )
    };
}

/// The fields every ERP card shares with all others of its kind.
const fn erp_base(
    action: ErpAction,
    name: &'static str,
    opa_type: &'static str,
    opa_title: &'static str,
    summary: &'static str,
    doc: &'static str,
) -> CardSpec {
    CardSpec {
        name,
        syntax: Syntax::Call,
        form: "",
        opa_type,
        opa_title,
        family: Family::SystemTool,
        summary,
        doc,
        own_params: &[],
        fails: Fails::OnInput,
        channels: Channels::Any,
        binds: Binds::None,
        arms: ArmsSpec::None,
        erp_action: Some(action),
        waits_for_customer: false,
        continues: true,
    }
}

pub(super) const SECOND_COPY: CardSpec = CardSpec {
    form: "erp.second_copy([<args>])",
    ..erp_base(
        ErpAction::SecondCopy,
        "erp.second_copy",
        "erp_segunda_via",
        "Segunda via da cobrança",
        "Sends a copy of the customer's open bill (boleto, Pix, QR code).",
        erp_doc!("A customer with several contracts first picks one from a numbered menu. The payment methods are those the ERP is set up with: boleto, Pix copia-e-cola (only when the bank puts it on the boleto) and QR code."),
    )
};

pub(super) const INVOICE: CardSpec = CardSpec {
    form: "erp.invoice([<args>])",
    ..erp_base(
        ErpAction::Invoice,
        "erp.invoice",
        "erp_nota_fiscal",
        "Nota fiscal",
        "Sends the customer's nota fiscal (type NF only).",
        erp_doc!("A customer with several contracts first picks one. Only notas fiscais of type NF are sent."),
    )
};

pub(super) const TRUST_UNLOCK: CardSpec = CardSpec {
    form: "erp.trust_unlock([<args>]) [as <var>]",
    binds: Binds::Optional(Ty::Bool),
    ..erp_base(
        ErpAction::TrustUnlock,
        "erp.trust_unlock",
        "erp_desbloqueio_confianca",
        "Desbloqueio de confiança",
        "Unlocks a blocked connection on trust (desbloqueio de confiança).",
        erp_doc!("Checks the contracts and their status and unlocks the connection as the ERP allows. When the unlock was already used this month the ERP's message with the date it can be used again is sent and nothing is unlocked. With `as`, the variable is `true` when the connection was unlocked, so a refusal can be handed to a human."),
    )
};

pub(super) const RELEASE_SPEED: CardSpec = CardSpec {
    form: "erp.release_speed([<args>]) [as <var>]",
    binds: Binds::Optional(Ty::Bool),
    ..erp_base(
        ErpAction::ReleaseSpeed,
        "erp.release_speed",
        "erp_liberar_velocidade",
        "Liberar velocidade reduzida",
        "Lifts a reduced-speed restriction from the customer's contract.",
        erp_doc!("Checks whether a contract has the reduced-speed status and restores the full speed. With `as`, the variable is `true` when a restriction was lifted."),
    )
};

pub(super) const DIAGNOSE: CardSpec = CardSpec {
    form: "erp.diagnose([<args>]) as <var>",
    binds: Binds::Required(Ty::Enum(EnumKind::Diagnosis)),
    ..erp_base(
        ErpAction::Diagnose,
        "erp.diagnose",
        "erp_diagnostico",
        "Diagnóstico",
        "Reads the state of the customer's connection into a diagnosis variable to branch on.",
        erp_doc!("Binds one of `active inactive blocked overdue trust_unlocked reduced awaiting_signature`; branch on it with `when <var> { ... }` (the editor's Diagnóstico conditional). The editor adds the variable automatically; Fluxo requires `as`."),
    )
};

pub(super) const SIGN_CONTRACT: CardSpec = CardSpec {
    form: "erp.sign_contract([<args>]) [as <var>]",
    own_params: &[
        text_arg(
            "help_text",
            builtins::SIGN_HELP_TEXT,
            "Texto de ajuda para aceite",
            "Sent with the contract's PDF.",
        ),
        text_arg(
            "confirmation_1",
            builtins::SIGN_CONFIRMATION_1,
            "Texto de confirmação 1",
            "The first yes/no question.",
        ),
        text_arg(
            "confirmation_2",
            builtins::SIGN_CONFIRMATION_2,
            "Texto de confirmação 2",
            "The second yes/no question, whose yes records the acceptance.",
        ),
        text_arg(
            "success_message",
            builtins::SIGN_SUCCESS,
            "Mensagem de sucesso",
            "Sent once the contract and the connection are active.",
        ),
    ],
    binds: Binds::Optional(Ty::Bool),
    ..erp_base(
        ErpAction::SignContract,
        "erp.sign_contract",
        "erp_aceite_eletronico",
        "Aceite eletrônico",
        "Electronic acceptance of a contract awaiting signature: sends the PDF, asks for confirmation, activates the contract.",
        erp_doc!("Requires `auto_link()` on every path before it, since the acceptance is valid only from the registration's own number; a contact writing from another number is told to use the registered one and nothing is signed. When a contract is awaiting signature the card sends `help_text` with the PDF, then asks `confirmation_1` and `confirmation_2` as yes/no questions; two yeses activate the contract and the connection and send `success_message`. A no ends the card without signing; any other answer is a wrong answer. With `as`, the variable is `true` when the contract was signed. The editor pre-fills the four texts with legally reviewed wording; the defaults here are Fluxo's own."),
    )
};

pub(super) const OPEN_TICKET: CardSpec = CardSpec {
    form: "erp.open_ticket([<args>]) [as <var>]",
    own_params: &[
        arg(
            "department",
            Ty::Text,
            ParamDefault::Optional,
            "Departamento",
            "The ERP department, by its name in the ERP; the customer picks one from a menu when absent.",
        ),
        arg(
            "subject",
            Ty::Text,
            ParamDefault::Optional,
            "Assunto",
            "The ERP subject, by its name in the ERP; the customer picks one from a menu when absent.",
        ),
        text_arg(
            "subject_prompt",
            builtins::TICKET_SUBJECT_PROMPT,
            "Mensagem para pedir o assunto do atendimento",
            "Introduces the menu of subjects.",
        ),
        arg(
            "description",
            Ty::Text,
            ParamDefault::Optional,
            "Descrição",
            "The ticket's text; `{var}` interpolates. The conversation's description (from `describe`) when absent.",
        ),
    ],
    binds: Binds::Optional(Ty::Text),
    ..erp_base(
        ErpAction::OpenTicket,
        "erp.open_ticket",
        "erp_abrir_atendimento",
        "Abrir atendimento",
        "Opens a ticket in the ERP under a department and subject.",
        erp_doc!("Departments and subjects are configured in the ERP (in IXC only departments with \"Presta atendimento externo\" are offered). An ERP department or subject named in the arguments that the ERP does not have fails the card like an ERP error. With `as`, the ticket's number in the ERP is bound."),
    )
};

pub(super) const AUTHENTICATE: CardSpec = CardSpec {
    form: "erp.authenticate([<args>])",
    own_params: &[
        text_arg(
            "first_phase",
            builtins::AUTH_FIRST_PHASE,
            "Primeira fase de autenticação",
            "Asks for the CPF/CNPJ.",
        ),
        text_arg(
            "second_phase",
            builtins::AUTH_SECOND_PHASE,
            "Segunda fase de autenticação",
            "Asks for the subscriber-central login and then the password, one message each.",
        ),
    ],
    waits_for_customer: true,
    ..erp_base(
        ErpAction::Authenticate,
        "erp.authenticate",
        "erp_autenticacao",
        "Autenticação em duas fases",
        "Two-phase authentication: the CPF/CNPJ, then the subscriber-central login and password.",
        erp_doc!("Unlike the other ERP cards it asks for the CPF/CNPJ even for a linked contact (the first phase), then reads the login and the password of the subscriber central as two messages; wrong credentials are a wrong answer. On success the conversation is linked to the registration."),
    )
};

pub(super) const WIFI_PASSWORD: CardSpec = CardSpec {
    form: "erp.wifi_password([<args>])",
    own_params: &[
        text_arg(
            "password_prompt",
            builtins::WIFI_PASSWORD_PROMPT,
            "Mensagem para pedir a nova senha",
            "Asks for the new Wi-Fi password.",
        ),
        text_arg(
            "success_message",
            builtins::WIFI_PASSWORD_SUCCESS,
            "Mensagem de sucesso",
            "Sent once the router has the new password.",
        ),
    ],
    waits_for_customer: true,
    ..erp_base(
        ErpAction::WifiPassword,
        "erp.wifi_password",
        "erp_senha_wifi",
        "Alterar senha do Wi-Fi",
        "Changes the Wi-Fi password of the customer's router through ACS.",
        erp_doc!("Needs the ERP's ACS product. The new password is checked with `validate::wifi_password` (more than 8 and at most 63 printable ASCII characters); one that fails is a wrong answer. The editor groups the two texts under \"Configurações de Rede Wi-Fi\"."),
    )
};

//! The built-in variables every conversation has, and the default texts customers see
//! when a program does not write its own: the invalid-answer message, the yes/no labels,
//! the opt-in and opt-out texts, the CPF/CNPJ prompt and the other pre-filled card texts.
//!
//! The Opa editor pre-fills several card fields with texts that went through legal
//! review; the seeds describe those fields but do not quote them. The texts below are
//! Fluxo's own wording for the same purpose. A company with legally reviewed wording
//! passes it as the card's argument.

use crate::types::{EnumKind, Ty};

/// A variable that exists in every conversation without being assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinVar {
    pub name: &'static str,
    pub ty: Ty,
    /// The variable's name in the Opa editor's variable picker, if it has one.
    pub opa_label: Option<&'static str>,
    pub doc: &'static str,
}

static BUILTINS: [BuiltinVar; 8] = [
    BuiltinVar {
        name: "protocol",
        ty: Ty::Text,
        opa_label: Some("Protocolo"),
        doc: "The protocol number of the conversation, as the platform assigned it (digits, kept as text so leading zeros survive).",
    },
    BuiltinVar {
        name: "user_name",
        ty: Ty::Text,
        opa_label: Some("Nome do usuário"),
        doc: "The contact's name as the channel reports it (the WhatsApp or Telegram profile name).",
    },
    BuiltinVar {
        name: "client_name",
        ty: Ty::Text,
        opa_label: Some("Nome do Cliente/Fornecedor"),
        doc: "The name of the client or supplier the contact is linked to; the word `Cliente` when the contact is linked to none.",
    },
    BuiltinVar {
        name: "contact_phone",
        ty: Ty::Text,
        opa_label: Some("Telefone Contato"),
        doc: "The contact's phone number, in E.164 form (`+5548999990000`) when the channel knows it, else empty.",
    },
    BuiltinVar {
        name: "company_name",
        ty: Ty::Text,
        opa_label: Some("Nome da Empresa"),
        doc: "The company's name as configured on the platform.",
    },
    BuiltinVar {
        name: "attendant_name",
        ty: Ty::Text,
        opa_label: Some("Nome do atendente"),
        doc: "The name of the attendant responsible for the conversation; empty while no attendant has it.",
    },
    BuiltinVar {
        name: "channel",
        ty: Ty::Enum(EnumKind::Channel),
        opa_label: Some("Canal"),
        doc: "The channel the conversation runs in; `when channel { ... }` branches on it.",
    },
    BuiltinVar {
        name: "now",
        ty: Ty::Time,
        opa_label: None,
        doc: "The current clock time in America/Sao_Paulo, read when the expression runs (`if now >= 18:00 { ... }`); interpolates as `HH:MM`. Fluxo's own: the Opa editor has no such variable.",
    },
];

pub fn builtins() -> &'static [BuiltinVar] {
    &BUILTINS
}

pub fn builtin(name: &str) -> Option<&'static BuiltinVar> {
    BUILTINS.iter().find(|it| it.name == name)
}

/// Sent after an answer that is not one the card accepts, before the question is asked
/// again (every card's `invalid_message` default).
pub const INVALID_MESSAGE: &str = "Opção inválida. Por favor, tente novamente.";

/// `client_name` when the contact is linked to no client or supplier.
pub const CLIENT_NAME_FALLBACK: &str = "Cliente";

/// The two options of `ask ... confirm` (and of the opt-in question), numbered 1 and 2.
pub const YES_LABEL: &str = "Sim";
pub const NO_LABEL: &str = "Não";

/// Answers read as yes or no, besides the option numbers `1` and `2`. They are compared
/// after trimming and lower-casing; `nao` is there because customers often drop the tilde.
pub const YES_WORDS: &[&str] = &["sim", "s"];
pub const NO_WORDS: &[&str] = &["não", "nao", "n"];

/// The command a customer sends on WhatsApp, at any point, to opt out of messages.
pub const OPTOUT_COMMAND: &str = "/bloquear";

/// `optin(message: ...)`: asks for consent; the yes/no options follow it.
pub const OPTIN_MESSAGE: &str = "Olá! Para seguirmos com o atendimento pelo WhatsApp, a {company_name} precisa da sua autorização para enviar mensagens sobre os seus serviços, como avisos, faturas e protocolos. Você pode cancelar a autorização a qualquer momento enviando /bloquear. Você autoriza o envio de mensagens?";

/// `optin(optout_message: ...)`: sent when the customer refuses or sends `/bloquear`.
pub const OPTOUT_MESSAGE: &str = "Tudo bem. A {company_name} não enviará mais mensagens para você pelo WhatsApp. Se mudar de ideia, é só nos chamar novamente.";

/// `migrate_whatsapp(message: ...)`: said on the call while the template goes out.
pub const MIGRATE_MESSAGE: &str = "Para agilizar o seu atendimento, enviamos agora uma mensagem para o seu WhatsApp. Responda por lá para continuar a conversa com a {company_name}.";

/// The question of `validate_document` and of every ERP card that must identify the
/// customer (asked only when the contact is linked to no registration).
pub const DOCUMENT_PROMPT: &str = "Por favor, informe o CPF ou CNPJ do titular do cadastro.";

/// `account_add`: asks for the document of the account to add.
pub const ACCOUNT_ADD_PROMPT: &str = "Informe o CPF ou CNPJ da conta que você deseja adicionar.";

/// `account_switch`: introduces the menu of linked accounts.
pub const ACCOUNT_SWITCH_PROMPT: &str = "Qual conta você deseja utilizar?";

/// `survey(question: ...)`.
pub const SURVEY_QUESTION: &str = "Como você avalia o nosso atendimento?";

/// `describe(question: ...)`.
pub const DESCRIBE_QUESTION: &str = "Descreva em poucas palavras o motivo do seu contato.";

/// `erp.sign_contract`: sent with the contract's PDF.
pub const SIGN_HELP_TEXT: &str = "Seu contrato está aguardando assinatura. Enviamos o documento em PDF para você ler com atenção antes de aceitar.";

/// `erp.sign_contract`: the first yes/no question.
pub const SIGN_CONFIRMATION_1: &str =
    "Você leu o contrato e concorda com todos os seus termos e condições?";

/// `erp.sign_contract`: the second yes/no question, which records the acceptance.
pub const SIGN_CONFIRMATION_2: &str = "Ao confirmar, você aceita eletronicamente o contrato, com a mesma validade de uma assinatura, e registramos a data, a hora e este número de telefone. Confirma o aceite?";

/// `erp.sign_contract`: sent once the contract and the connection are active.
pub const SIGN_SUCCESS: &str = "Pronto! Seu contrato foi aceito e sua conexão já está liberada. Obrigado por escolher a {company_name}!";

/// `erp.open_ticket`: asks which subject the ticket is about; the ERP's subjects follow.
pub const TICKET_SUBJECT_PROMPT: &str =
    "Sobre qual assunto é o seu atendimento? Escolha uma das opções abaixo.";

/// `erp.authenticate`: the first phase asks for the CPF/CNPJ.
pub const AUTH_FIRST_PHASE: &str =
    "Para sua segurança, informe o CPF ou CNPJ do titular do cadastro.";

/// `erp.authenticate`: the second phase asks for the subscriber-central credentials.
pub const AUTH_SECOND_PHASE: &str = "Agora informe o login da Central do Assinante e, em seguida, a senha, cada um em uma mensagem.";

/// `erp.wifi_password`: asks for the new password.
pub const WIFI_PASSWORD_PROMPT: &str =
    "Digite a nova senha do seu Wi-Fi. Ela precisa ter mais de 8 caracteres.";

/// `erp.wifi_password`: sent once the router took the new password.
pub const WIFI_PASSWORD_SUCCESS: &str = "Pronto! A senha do seu Wi-Fi foi alterada. Conecte seus aparelhos novamente usando a nova senha.";

/// A default text, for the docs and for tools that list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefaultText {
    /// The constant's name in this module.
    pub name: &'static str,
    pub text: &'static str,
    /// Where customers see it.
    pub used_by: &'static str,
}

const fn default_text(
    name: &'static str,
    text: &'static str,
    used_by: &'static str,
) -> DefaultText {
    DefaultText {
        name,
        text,
        used_by,
    }
}

/// Every default text a customer can see, in the order of this module.
pub static DEFAULT_TEXTS: [DefaultText; 22] = [
    default_text(
        "INVALID_MESSAGE",
        INVALID_MESSAGE,
        "`invalid_message` of every card with retries",
    ),
    default_text(
        "CLIENT_NAME_FALLBACK",
        CLIENT_NAME_FALLBACK,
        "`client_name` of an unlinked contact",
    ),
    default_text(
        "YES_LABEL",
        YES_LABEL,
        "option 1 of `ask ... confirm`, `optin` and `erp.sign_contract`",
    ),
    default_text("NO_LABEL", NO_LABEL, "option 2 of the same questions"),
    default_text("OPTIN_MESSAGE", OPTIN_MESSAGE, "`optin(message:)`"),
    default_text("OPTOUT_MESSAGE", OPTOUT_MESSAGE, "`optin(optout_message:)`"),
    default_text(
        "MIGRATE_MESSAGE",
        MIGRATE_MESSAGE,
        "`migrate_whatsapp(message:)`",
    ),
    default_text(
        "DOCUMENT_PROMPT",
        DOCUMENT_PROMPT,
        "`validate_document(question:)` and the CPF/CNPJ question of the ERP cards",
    ),
    default_text("ACCOUNT_ADD_PROMPT", ACCOUNT_ADD_PROMPT, "`account_add()`"),
    default_text(
        "ACCOUNT_SWITCH_PROMPT",
        ACCOUNT_SWITCH_PROMPT,
        "`account_switch()`, before the menu of accounts",
    ),
    default_text("SURVEY_QUESTION", SURVEY_QUESTION, "`survey(question:)`"),
    default_text(
        "DESCRIBE_QUESTION",
        DESCRIBE_QUESTION,
        "`describe(question:)`",
    ),
    default_text(
        "SIGN_HELP_TEXT",
        SIGN_HELP_TEXT,
        "`erp.sign_contract(help_text:)`",
    ),
    default_text(
        "SIGN_CONFIRMATION_1",
        SIGN_CONFIRMATION_1,
        "`erp.sign_contract(confirmation_1:)`",
    ),
    default_text(
        "SIGN_CONFIRMATION_2",
        SIGN_CONFIRMATION_2,
        "`erp.sign_contract(confirmation_2:)`",
    ),
    default_text(
        "SIGN_SUCCESS",
        SIGN_SUCCESS,
        "`erp.sign_contract(success_message:)`",
    ),
    default_text(
        "TICKET_SUBJECT_PROMPT",
        TICKET_SUBJECT_PROMPT,
        "`erp.open_ticket(subject_prompt:)`",
    ),
    default_text(
        "AUTH_FIRST_PHASE",
        AUTH_FIRST_PHASE,
        "`erp.authenticate(first_phase:)`",
    ),
    default_text(
        "AUTH_SECOND_PHASE",
        AUTH_SECOND_PHASE,
        "`erp.authenticate(second_phase:)`",
    ),
    default_text(
        "WIFI_PASSWORD_PROMPT",
        WIFI_PASSWORD_PROMPT,
        "`erp.wifi_password(password_prompt:)`",
    ),
    default_text(
        "WIFI_PASSWORD_SUCCESS",
        WIFI_PASSWORD_SUCCESS,
        "`erp.wifi_password(success_message:)`",
    ),
    default_text(
        "OPTOUT_COMMAND",
        OPTOUT_COMMAND,
        "typed by the customer on WhatsApp to opt out",
    ),
];

/// The names a text interpolates: `{company_name}` yields `company_name`. `\{` escapes
/// are not recognised, since default texts use none.
#[cfg(test)]
pub(crate) fn interpolated_names(text: &str) -> Vec<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_are_unique_and_found() {
        for var in builtins() {
            assert_eq!(builtin(var.name), Some(var));
        }
        let mut names: Vec<_> = builtins().iter().map(|it| it.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), builtins().len());
        assert_eq!(builtin("client_name").map(|it| it.ty), Some(Ty::Text));
        assert!(builtin("cliente").is_none());
    }

    #[test]
    fn default_texts_interpolate_only_builtins() {
        for text in DEFAULT_TEXTS.iter().map(|it| it.text) {
            for name in interpolated_names(text) {
                assert!(builtin(name).is_some(), "`{{{name}}}` in {text:?}");
            }
        }
        assert_eq!(interpolated_names(OPTIN_MESSAGE), ["company_name"]);
    }

    #[test]
    fn yes_and_no_words_are_lower_case_and_disjoint() {
        for word in YES_WORDS.iter().chain(NO_WORDS) {
            assert_eq!(word.to_lowercase(), *word);
        }
        assert!(YES_WORDS.iter().all(|it| !NO_WORDS.contains(it)));
    }
}

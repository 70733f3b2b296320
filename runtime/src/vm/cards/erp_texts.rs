//! The Portuguese texts the `erp.*` dialogues send that are not card parameters: the
//! contract menu, the bill and invoice messages, the ERP's refusals. The Opa editor does
//! not let a company change these, so neither does Fluxo; they are listed in
//! docs/runtime.md.

use crate::erp::{Bill, Contract, Invoice};
use crate::{money_text, Value};

pub(super) const CONTRACT_PROMPT: &str =
    "Encontramos mais de um contrato no seu cadastro. Qual deles você deseja?";
pub(super) const NO_CONTRACT: &str = "Não encontramos contratos no seu cadastro.";
pub(super) const NO_OPEN_BILL: &str = "Você não tem faturas em aberto neste contrato.";
pub(super) const NO_INVOICE: &str = "Não encontramos nota fiscal para este contrato.";
pub(super) const NOT_BLOCKED: &str =
    "Sua conexão não está bloqueada, então não é preciso desbloqueá-la.";
pub(super) const INACTIVE: &str =
    "Este contrato está inativo. Fale com nossa equipe para reativá-lo.";
pub(super) const SPEED_RELEASED: &str = "Pronto! A velocidade da sua conexão foi restabelecida.";
pub(super) const NOT_REDUCED: &str = "Sua conexão não está com a velocidade reduzida.";
pub(super) const WRONG_PHONE: &str =
    "Para aceitar o contrato, fale conosco pelo número de telefone cadastrado no contrato.";
pub(super) const NOT_AWAITING: &str = "Não há contrato aguardando assinatura no seu cadastro.";
pub(super) const DEPARTMENT_PROMPT: &str = "Para qual setor é o seu atendimento?";
pub(super) const DECLINED: &str = "Não foi possível concluir a sua solicitação.";

/// How a contract reads in the contract menu.
pub(super) fn contract_label(contract: &Contract) -> String {
    if contract.address.is_empty() {
        contract.plan.clone()
    } else {
        format!("{} - {}", contract.plan, contract.address)
    }
}

fn date_text(date: time::Date) -> String {
    Value::Date {
        year: u16::try_from(date.year()).unwrap_or(0),
        month: u8::from(date.month()),
        day: date.day(),
    }
    .display()
}

/// The messages of one open bill: the summary, the linha digitável and the Pix
/// copia-e-cola (each code on a line of its own, to copy).
pub(super) fn bill_messages(bill: &Bill) -> Vec<String> {
    let mut out = vec![format!(
        "Segue a 2ª via da sua fatura com vencimento em {}, no valor de {}.",
        date_text(bill.due_date),
        money_text(bill.amount_cents)
    )];
    if let Some(line) = &bill.linha_digitavel {
        out.push(format!("Linha digitável:\n{line}"));
    }
    if let Some(pix) = &bill.pix_copia_e_cola {
        out.push(format!("Pix copia e cola:\n{pix}"));
    }
    out
}

pub(super) fn invoice_message(invoice: &Invoice) -> String {
    let mut text = format!("Segue a nota fiscal nº {}", invoice.number);
    if let Some(date) = invoice.issued_on {
        text.push_str(&format!(", emitida em {}", date_text(date)));
    }
    if let Some(cents) = invoice.amount_cents {
        text.push_str(&format!(", no valor de {}", money_text(cents)));
    }
    text.push('.');
    text
}

pub(super) fn unlocked(until: time::Date) -> String {
    format!(
        "Pronto! Sua conexão foi desbloqueada em confiança até {}. Lembre-se de regularizar o pagamento.",
        date_text(until)
    )
}

pub(super) fn unlock_used(next: Option<time::Date>) -> String {
    match next {
        Some(date) => format!(
            "O desbloqueio de confiança já foi utilizado este mês. Você poderá utilizá-lo novamente a partir de {}.",
            date_text(date)
        ),
        None => "O desbloqueio de confiança já foi utilizado este mês.".to_string(),
    }
}

pub(super) fn ticket_opened(protocol: &str) -> String {
    format!("Chamado aberto com o protocolo {protocol}.")
}

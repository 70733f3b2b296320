//! Card behaviour, one file per card, named after it (`survey.rs`; `erp_second_copy.rs`
//! for `erp.second_copy`); files named for what they own hold what several cards share:
//! `menus` (numbered options and menu tables), `registration` (linking the conversation
//! to a registration), `erp` (the dialogue every `erp.*` card runs), `erp_actions` (its
//! routing to each ERP card's file, and the refusals) and `erp_texts` (its fixed texts).
//!
//! [`exec`] routes a card instruction to its card. Statement cards have instructions of
//! their own; call cards share `Op::Card`, whose catalogue index is resolved to a
//! `CardId` once and then matched with no catch-all arm, so a card added to the
//! catalogue does not compile until it is given a behaviour here.

mod account_add;
mod account_switch;
mod ask_choice;
mod ask_confirm;
mod ask_input;
mod auto_link;
mod describe;
mod erp;
mod erp_actions;
mod erp_authenticate;
mod erp_diagnose;
mod erp_invoice;
mod erp_open_ticket;
mod erp_release_speed;
mod erp_second_copy;
mod erp_sign_contract;
mod erp_texts;
mod erp_trust_unlock;
mod erp_wifi_password;
mod forward_call;
mod intent;
mod interactive_template;
mod lowcode;
mod menus;
mod migrate_whatsapp;
mod notify;
mod optin;
mod registration;
mod say;
mod say_audio;
mod send_file;
mod survey;
mod tag;
#[cfg(test)]
mod tests;
mod transfer;
mod validate_document;
mod wait;
mod when;

use fluxo_stdlib::catalogue::{CallCard, CardId, CardKind};

use super::cx::Cx;
use super::{Input, Next};
use crate::bytecode::Op;
use crate::session::{Event, HostResult, Message};
use crate::RuntimeError;

pub(super) fn exec(cx: &mut Cx, op: Op, after: u32, input: Input) -> Result<Next, RuntimeError> {
    match op {
        Op::Say { msg } => say::run(cx, msg, after),
        Op::SayAudio { file } => say_audio::run(cx, file, after),
        Op::Choice { prompt, args, menu } => ask_choice::run(cx, prompt, args, menu, input),
        Op::Confirm {
            prompt,
            args,
            yes,
            no,
        } => ask_confirm::run(cx, prompt, args, yes, no, input),
        Op::Input {
            prompt,
            ty,
            var,
            args,
        } => ask_input::run(cx, prompt, ty, var, args, after, input),
        Op::Switch { table } => when::run(cx, table),
        Op::Goto { flow } => Ok(Next::Go(cx.flow_entry(flow)?)),
        Op::Transfer {
            department,
            attendant,
        } => transfer::run(cx, department, attendant),
        Op::Tag { tag } => tag::run(cx, tag, after),
        Op::Wait { seconds } => wait::run(cx, seconds, after, input),
        Op::End {} => Ok(cx.close()),
        Op::Card {
            card,
            args,
            bind,
            menu,
        } => {
            // The verifier refuses a program whose card index is out of the catalogue;
            // a program built in memory is not verified, so the VM checks again.
            let card = CardId::from_index(card)
                .ok_or_else(|| cx.error(format!("card {card} is not in the catalogue")))?;
            let call = Call {
                card,
                args,
                bind,
                menu,
                after,
            };
            call_card(cx, call, input)
        }
        other => Err(cx.error(format!("`{}` is not a card instruction", other.name()))),
    }
}

/// The operands of one call card.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call {
    pub card: CardId,
    pub args: u32,
    /// `0` for none, else a variable index plus one.
    pub bind: u32,
    /// `0` for none, else a menu index plus one.
    pub menu: u32,
    /// The pc after the card.
    pub after: u32,
}

fn call_card(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    // Statement cards run by instructions of their own (`exec`). `card` names one only
    // for a call spelling a statement's catalogue name (`ask_confirm()`), which the
    // checker lets through with the shared rules.
    let CardKind::Call(card) = call.card.kind() else {
        return Err(cx.error(format!("the runtime has no card `{}`", call.card.name())));
    };
    match card {
        CallCard::Optin => optin::run(cx, call, input),
        CallCard::SendFile => send_file::run(cx, call),
        CallCard::Survey => survey::run(cx, call, input),
        CallCard::Describe => describe::run(cx, call, input),
        CallCard::Notify => notify::run(cx, call),
        CallCard::MigrateWhatsapp => migrate_whatsapp::run(cx, call),
        CallCard::ForwardCall => forward_call::run(cx, call),
        CallCard::ValidateDocument => validate_document::run(cx, call, input),
        CallCard::AutoLink => auto_link::run(cx, call, input),
        CallCard::AccountAdd => account_add::run(cx, call, input),
        CallCard::AccountSwitch => account_switch::run(cx, call, input),
        CallCard::Intent => intent::run(cx, call, input),
        CallCard::Lowcode => lowcode::run(cx, call, input),
        CallCard::InteractiveTemplate => interactive_template::run(cx, call, input),
        CallCard::ErpSecondCopy
        | CallCard::ErpInvoice
        | CallCard::ErpTrustUnlock
        | CallCard::ErpReleaseSpeed
        | CallCard::ErpDiagnose
        | CallCard::ErpSignContract
        | CallCard::ErpOpenTicket
        | CallCard::ErpAuthenticate
        | CallCard::ErpWifiPassword => erp::run(cx, call, input),
    }
}

/// The customer's message, when that is what the card was handed; marks it read.
pub(crate) fn message<'e>(cx: &mut Cx, input: Input<'e>) -> Option<&'e Message> {
    match input {
        Input::Event(Event::Message(message)) => {
            cx.s.read_message = true;
            Some(message)
        }
        _ => None,
    }
}

/// The host result the card was handed.
pub(crate) fn host_result<'e>(input: Input<'e>) -> Option<&'e HostResult> {
    match input {
        Input::Event(Event::HostResult(result)) => Some(result),
        _ => None,
    }
}

//! `erp.open_ticket`: opens a ticket in the ERP under a department and a subject, each
//! named by an argument or picked by the customer from a menu of the ERP's own (skipped
//! when there is only one); `as` binds the ticket's number.

use fluxo_stdlib::builtins;

use super::erp::{erp_call, split_pairs, ASKED_DEPARTMENT, ASKED_SUBJECT, OPENING};
use super::erp_actions::{done, param};
use super::erp_texts as texts;
use super::menus::menu_text;
use super::{Call, Cx};
use crate::erp::{Named, Request};
use crate::session::Message;
use crate::vm::answers::pick;
use crate::vm::Next;
use crate::{RuntimeError, Value};

pub(super) fn request() -> Next {
    erp_call(Request::ListTicketOptions)
}

/// The ERP's departments and subjects: the department by its argument, the only one,
/// or a menu.
pub(super) fn options(
    cx: &mut Cx,
    call: Call,
    departments: &[Named],
    subjects: &[Named],
) -> Result<Next, RuntimeError> {
    cx.s.card.texts.truncate(1);
    cx.s.card.texts.push(String::new());
    cx.s.card.texts.push(encode_named(subjects));
    match by_name(cx, call, "department", departments)? {
        Lookup::Found(department) => {
            cx.s.card.texts[1] = department;
            choose_subject(cx, call)
        }
        Lookup::Unknown => cx.fail_with(cx.fail(call.card, call.args)?),
        Lookup::Absent if departments.len() == 1 => {
            cx.s.card.texts[1] = departments[0].id.clone();
            choose_subject(cx, call)
        }
        Lookup::Absent => Ok(named_menu(
            cx,
            texts::DEPARTMENT_PROMPT,
            departments,
            ASKED_DEPARTMENT,
            MENU_START,
        )),
    }
}

/// The customer's pick from the department (`ASKED_DEPARTMENT`) or subject menu.
pub(super) fn answer(
    cx: &mut Cx,
    call: Call,
    phase: u8,
    answer: &Message,
) -> Result<Next, RuntimeError> {
    let retry = cx.retry(call.card, call.args)?;
    let (ids, labels) = split_pairs(cx.s.card.texts.get(MENU_START..).unwrap_or_default());
    match pick(answer, &labels) {
        Some(idx) if phase == ASKED_DEPARTMENT => {
            cx.s.card.texts[1] = ids[idx].clone();
            cx.s.card.texts.truncate(MENU_START);
            choose_subject(cx, call)
        }
        Some(idx) => {
            let subject = ids[idx].clone();
            open(cx, call, subject)
        }
        None => {
            let prompt = if phase == ASKED_DEPARTMENT {
                texts::DEPARTMENT_PROMPT.to_string()
            } else {
                param(cx, call, "subject_prompt", builtins::TICKET_SUBJECT_PROMPT)?
            };
            cx.wrong_answer(retry, |cx| {
                cx.say(menu_text(&prompt, &labels));
                Ok(())
            })
        }
    }
}

pub(super) fn opened(cx: &mut Cx, call: Call, protocol: &str) -> Result<Next, RuntimeError> {
    cx.say(texts::ticket_opened(protocol));
    done(cx, call, Some(Value::Text(protocol.to_string())))
}

/// The card texts of `erp.open_ticket`: the contract, the chosen department, the
/// subjects (encoded), then the `[id, name, ...]` pairs of the menu shown.
const MENU_START: usize = 3;

/// The subject: by the `subject` argument, else a menu.
fn choose_subject(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let subjects = decode_named(cx.s.card.texts.get(2).map_or("", String::as_str));
    match by_name(cx, call, "subject", &subjects)? {
        Lookup::Found(subject) => return open(cx, call, subject),
        Lookup::Unknown => return cx.fail_with(cx.fail(call.card, call.args)?),
        Lookup::Absent => {}
    }
    if subjects.len() == 1 {
        return open(cx, call, subjects[0].id.clone());
    }
    let prompt = param(cx, call, "subject_prompt", builtins::TICKET_SUBJECT_PROMPT)?;
    Ok(named_menu(
        cx,
        &prompt,
        &subjects,
        ASKED_SUBJECT,
        MENU_START,
    ))
}

fn open(cx: &mut Cx, call: Call, subject: String) -> Result<Next, RuntimeError> {
    let contract_id = cx.s.card.texts.first().cloned().unwrap_or_default();
    let department = cx.s.card.texts.get(1).cloned().unwrap_or_default();
    let description = match cx.arg_text(call.card, call.args, "description")? {
        Some(text) => text,
        None => cx.s.description.clone(),
    };
    cx.s.card.phase = OPENING;
    Ok(erp_call(Request::OpenTicket {
        contract_id,
        department,
        subject,
        description,
    }))
}

/// What a department or subject argument names among the ERP's items.
enum Lookup {
    /// The argument is absent: the customer picks.
    Absent,
    Found(String),
    /// The ERP has no such item: the card fails like on an ERP error.
    Unknown,
}

/// The id of the item an argument names, compared like menu answers.
fn by_name(cx: &Cx, call: Call, name: &str, items: &[Named]) -> Result<Lookup, RuntimeError> {
    let Some(wanted) = cx.arg_text(call.card, call.args, name)? else {
        return Ok(Lookup::Absent);
    };
    let names: Vec<&str> = items.iter().map(|it| it.name.as_str()).collect();
    Ok(match fluxo_stdlib::answers::match_option(&wanted, &names) {
        Some(idx) => Lookup::Found(items[idx].id.clone()),
        None => Lookup::Unknown,
    })
}

/// Named items as one text (`id\tname\n...`), to keep them in the card state.
fn encode_named(items: &[Named]) -> String {
    items
        .iter()
        .map(|it| {
            format!(
                "{}\t{}",
                it.id.replace(['\t', '\n'], " "),
                it.name.replace(['\t', '\n'], " ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode_named(text: &str) -> Vec<Named> {
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(id, name)| Named {
            id: id.to_string(),
            name: name.to_string(),
        })
        .collect()
}

/// A menu of ERP-named items (departments or subjects), remembered in the card state as
/// `[id, name, ...]` after `keep` leading texts.
fn named_menu(cx: &mut Cx, prompt: &str, items: &[Named], phase: u8, keep: usize) -> Next {
    let labels: Vec<String> = items.iter().map(|it| it.name.clone()).collect();
    cx.say(menu_text(prompt, &labels));
    cx.s.card.texts.truncate(keep);
    for item in items {
        cx.s.card.texts.push(item.id.clone());
        cx.s.card.texts.push(item.name.clone());
    }
    cx.s.card.phase = phase;
    Next::Customer
}

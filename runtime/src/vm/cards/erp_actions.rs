//! The action part of each `erp.*` dialogue, once the customer and the contract are
//! known: the request, the follow-up questions (signature confirmations, ticket
//! department and subject, Wi-Fi password, subscriber-central login) and the messages
//! each ERP answer becomes.

use fluxo_stdlib::builtins;
use fluxo_stdlib::erp::ErpAction;
use fluxo_stdlib::validate;

use super::erp::{
    diagnosis_value, erp_call, file, missing, named_menu, read_yes, refusal, secret, split_pairs,
    yes_no, ACTING, ASKED_CONFIRM_1, ASKED_CONFIRM_2, ASKED_DEPARTMENT, ASKED_LOGIN,
    ASKED_PASSWORD, ASKED_SUBJECT, ASKED_WIFI, AUTHENTICATING, CHANGING_WIFI, OPENING, SIGNING,
};
use super::erp_texts as texts;
use super::menus::menu_text;
use super::registration::link_to;
use super::{Call, Cx};
use crate::erp::{ErpError, Missing, Named, Refusal, Request, Response};
use crate::session::{Link, Message};
use crate::vm::answers::pick;
use crate::vm::{Next, RuntimeError, Value};

/// Starts the action on `contract`; the contract id is kept as the first card text.
pub(super) fn act(
    cx: &mut Cx,
    call: Call,
    action: ErpAction,
    contract: String,
) -> Result<Next, RuntimeError> {
    cx.s.card.phase = ACTING;
    cx.s.card.texts = vec![contract.clone()];
    let contract_id = contract;
    Ok(match action {
        ErpAction::SecondCopy => erp_call(Request::SecondCopy { contract_id }),
        ErpAction::Invoice => erp_call(Request::Invoice { contract_id }),
        ErpAction::TrustUnlock => erp_call(Request::TrustUnlock { contract_id }),
        ErpAction::ReleaseSpeed => erp_call(Request::ReleaseSpeed { contract_id }),
        ErpAction::Diagnose => erp_call(Request::Diagnose { contract_id }),
        ErpAction::SignContract => erp_call(Request::ContractDocument {
            contract_id,
            phone: cx.s.ctx.contact_phone().to_string(),
        }),
        ErpAction::OpenTicket => erp_call(Request::ListTicketOptions),
        ErpAction::WifiPassword => {
            let text = cx
                .arg_text(call.card, call.args, "password_prompt")?
                .unwrap_or_else(|| builtins::WIFI_PASSWORD_PROMPT.to_string());
            cx.say(text);
            cx.s.card.phase = ASKED_WIFI;
            Next::Customer
        }
        // The dialogue authenticates once the customer is found (`erp.rs`, `ASKED_LOGIN`)
        // and never reaches a contract.
        ErpAction::Authenticate => {
            return Err(cx.error("`erp.authenticate` has no action on a contract"))
        }
    })
}

/// A customer's answer to one of the action's own questions.
pub(super) fn answer(
    cx: &mut Cx,
    call: Call,
    phase: u8,
    answer: &Message,
) -> Result<Next, RuntimeError> {
    let contract = cx.s.card.texts.first().cloned().unwrap_or_default();
    let phone = cx.s.ctx.contact_phone().to_string();
    let retry = cx.retry(call.card, call.args)?;
    match phase {
        ASKED_CONFIRM_1 | ASKED_CONFIRM_2 => match read_yes(answer) {
            Some(true) if phase == ASKED_CONFIRM_1 => {
                let text = param(cx, call, "confirmation_2", builtins::SIGN_CONFIRMATION_2)?;
                Ok(yes_no(cx, text, ASKED_CONFIRM_2))
            }
            Some(true) => {
                cx.s.card.phase = SIGNING;
                Ok(erp_call(Request::SignContract {
                    contract_id: contract,
                    phone,
                }))
            }
            Some(false) => {
                cx.bind(call.bind, Value::Bool(false))?;
                Ok(Next::Go(call.after))
            }
            None => {
                let (name, default) = if phase == ASKED_CONFIRM_1 {
                    ("confirmation_1", builtins::SIGN_CONFIRMATION_1)
                } else {
                    ("confirmation_2", builtins::SIGN_CONFIRMATION_2)
                };
                let text = param(cx, call, name, default)?;
                cx.wrong_answer(retry, |cx| {
                    yes_no(cx, text, phase);
                    Ok(())
                })
            }
        },
        ASKED_DEPARTMENT | ASKED_SUBJECT => {
            let (ids, labels) = split_pairs(cx.s.card.texts.get(MENU_START..).unwrap_or_default());
            match pick(answer, &labels) {
                Some(idx) if phase == ASKED_DEPARTMENT => {
                    cx.s.card.texts[1] = ids[idx].clone();
                    cx.s.card.texts.truncate(MENU_START);
                    choose_subject(cx, call)
                }
                Some(idx) => {
                    let subject = ids[idx].clone();
                    open_ticket(cx, call, subject)
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
        ASKED_WIFI => match validate::wifi_password(&answer.text) {
            Ok(_) => {
                cx.s.card.phase = CHANGING_WIFI;
                Ok(erp_call(Request::WifiPassword {
                    contract_id: contract,
                    password: secret(&answer.text),
                }))
            }
            Err(_) => ask_again(
                cx,
                call,
                retry,
                "password_prompt",
                builtins::WIFI_PASSWORD_PROMPT,
                ASKED_WIFI,
            ),
        },
        ASKED_LOGIN => {
            cx.s.card.texts.truncate(3);
            cx.s.card.texts.push(answer.text.trim().to_string());
            cx.s.card.phase = ASKED_PASSWORD;
            Ok(Next::Customer)
        }
        _ => {
            let document = cx.s.card.texts.first().cloned().unwrap_or_default();
            let login = cx.s.card.texts.get(3).cloned().unwrap_or_default();
            cx.s.card.phase = AUTHENTICATING;
            Ok(erp_call(Request::Authenticate {
                document,
                login,
                password: secret(answer.text.trim()),
            }))
        }
    }
}

/// What the ERP answered to the action's request.
pub(super) fn result(
    cx: &mut Cx,
    call: Call,
    action: ErpAction,
    phase: u8,
    result: &Result<Response, ErpError>,
) -> Result<Next, RuntimeError> {
    let done = |cx: &mut Cx, value: Option<Value>| -> Result<Next, RuntimeError> {
        if let Some(value) = value {
            cx.bind(call.bind, value)?;
        }
        Ok(Next::Go(call.after))
    };
    match (phase, result) {
        (_, Ok(Response::Bills { bills })) => {
            for bill in bills {
                for text in texts::bill_messages(bill) {
                    cx.say(text);
                }
                if let Some(pdf) = &bill.pdf {
                    file(cx, pdf.label(), None);
                }
            }
            done(cx, None)
        }
        (_, Ok(Response::Invoice(invoice))) => {
            cx.say(texts::invoice_message(invoice));
            file(cx, invoice.pdf.label(), None);
            done(cx, None)
        }
        (_, Ok(Response::Unlocked { until })) => {
            cx.say(texts::unlocked(*until));
            done(cx, Some(Value::Bool(true)))
        }
        (_, Ok(Response::SpeedReleased)) => {
            cx.say(texts::SPEED_RELEASED);
            done(cx, Some(Value::Bool(true)))
        }
        (_, Ok(Response::Diagnosis { diagnosis })) => done(cx, Some(diagnosis_value(*diagnosis))),
        (_, Ok(Response::ContractDocument { document })) => {
            let help = param(cx, call, "help_text", builtins::SIGN_HELP_TEXT)?;
            cx.say(help);
            file(cx, document.label(), None);
            let question = param(cx, call, "confirmation_1", builtins::SIGN_CONFIRMATION_1)?;
            Ok(yes_no(cx, question, ASKED_CONFIRM_1))
        }
        (_, Ok(Response::Signed)) => {
            let text = param(cx, call, "success_message", builtins::SIGN_SUCCESS)?;
            cx.say(text);
            done(cx, Some(Value::Bool(true)))
        }
        (
            _,
            Ok(Response::TicketOptions {
                departments,
                subjects,
            }),
        ) => {
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
        (_, Ok(Response::TicketOpened { protocol })) => {
            cx.say(texts::ticket_opened(protocol));
            done(cx, Some(Value::Text(protocol.clone())))
        }
        (_, Ok(Response::WifiChanged)) => {
            let text = param(cx, call, "success_message", builtins::WIFI_PASSWORD_SUCCESS)?;
            cx.say(text);
            done(cx, None)
        }
        (_, Ok(Response::Authenticated { customer_id })) => {
            let texts = &cx.s.card.texts;
            // Confirming the linked registration keeps the contract already chosen.
            let contract_id =
                cx.s.ctx
                    .link
                    .as_ref()
                    .filter(|it| it.customer_id == *customer_id)
                    .and_then(|it| it.contract_id.clone());
            let link = Link {
                customer_id: customer_id.clone(),
                name: texts.get(2).cloned().unwrap_or_default(),
                document: texts.first().cloned().unwrap_or_default(),
                contract_id,
                supplier: false,
            };
            link_to(cx, link);
            done(cx, None)
        }
        (_, Ok(_)) => Err(cx.error(format!(
            "the ERP answered `erp.{}` with an unexpected response",
            action.name()
        ))),
        (_, Err(err)) => refused(cx, call, phase, err),
    }
}

/// A business refusal or a missing item: tell the customer and go on (a `false`
/// binding), or count a wrong answer where the customer's input was at fault.
fn refused(cx: &mut Cx, call: Call, phase: u8, err: &ErpError) -> Result<Next, RuntimeError> {
    let retry = cx.retry(call.card, call.args)?;
    let text = match (refusal(err), missing(err)) {
        (Some((Refusal::WrongCredentials, _)), _) if phase == AUTHENTICATING => {
            return ask_again(
                cx,
                call,
                retry,
                "second_phase",
                builtins::AUTH_SECOND_PHASE,
                ASKED_LOGIN,
            );
        }
        (Some((Refusal::InvalidPassword, _)), _) if phase == CHANGING_WIFI => {
            return ask_again(
                cx,
                call,
                retry,
                "password_prompt",
                builtins::WIFI_PASSWORD_PROMPT,
                ASKED_WIFI,
            );
        }
        (Some((Refusal::TrustUnlockUsed, next)), _) => texts::unlock_used(next),
        (Some((Refusal::NotBlocked, _)), _) => texts::NOT_BLOCKED.to_string(),
        (Some((Refusal::NotReduced, _)), _) => texts::NOT_REDUCED.to_string(),
        (Some((Refusal::ContractInactive, _)), _) => texts::INACTIVE.to_string(),
        (Some((Refusal::PhoneNotRegistered, _)), _) => texts::WRONG_PHONE.to_string(),
        (Some((Refusal::NotAwaitingSignature, _)), _) => texts::NOT_AWAITING.to_string(),
        (_, Some(Missing::OpenBill)) => texts::NO_OPEN_BILL.to_string(),
        (_, Some(Missing::Invoice)) => texts::NO_INVOICE.to_string(),
        (_, Some(Missing::Contract | Missing::Customer)) => texts::NO_CONTRACT.to_string(),
        (Some(_), _) | (_, Some(Missing::TicketOption)) => {
            return cx.fail_with(retry.fail);
        }
        _ => texts::DECLINED.to_string(),
    };
    cx.say(text);
    cx.bind(call.bind, Value::Bool(false))
        .or_else(|_| cx.bind(call.bind, Value::Text(String::new())))?;
    Ok(Next::Go(call.after))
}

/// A wrong answer to an action question: the invalid message and the card's own text.
fn ask_again(
    cx: &mut Cx,
    call: Call,
    retry: crate::vm::cx::Retry,
    name: &str,
    default: &str,
    phase: u8,
) -> Result<Next, RuntimeError> {
    let text = param(cx, call, name, default)?;
    cx.s.card.phase = phase;
    cx.wrong_answer(retry, |cx| {
        cx.say(text);
        Ok(())
    })
}

fn param(cx: &Cx, call: Call, name: &str, default: &str) -> Result<String, RuntimeError> {
    Ok(cx
        .arg_text(call.card, call.args, name)?
        .unwrap_or_else(|| cx.default_text(default)))
}

/// The card texts of `erp.open_ticket`: the contract, the chosen department, the
/// subjects (encoded), then the `[id, name, ...]` pairs of the menu shown.
const MENU_START: usize = 3;

/// The subject: by the `subject` argument, else a menu.
fn choose_subject(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let subjects = decode_named(cx.s.card.texts.get(2).map_or("", String::as_str));
    match by_name(cx, call, "subject", &subjects)? {
        Lookup::Found(subject) => return open_ticket(cx, call, subject),
        Lookup::Unknown => return cx.fail_with(cx.fail(call.card, call.args)?),
        Lookup::Absent => {}
    }
    if subjects.len() == 1 {
        return open_ticket(cx, call, subjects[0].id.clone());
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

fn open_ticket(cx: &mut Cx, call: Call, subject: String) -> Result<Next, RuntimeError> {
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

//! The question cards: `ask ... choice` (with the optional AI classification of free
//! text, or the virtual agent that answers it), `ask ... confirm`, `ask ... input <type>`, and `optin`, which asks a yes/no
//! question of its own.

use std::sync::OnceLock;

use fluxo_stdlib::builtins::{NO_LABEL, YES_LABEL};
use fluxo_stdlib::catalogue::cards;
use fluxo_stdlib::types::{Channel, InputType};
use fluxo_stdlib::validate::validate;

use super::{host_result, menu_text, message, options_len, push_options, Call, Cx};
use crate::bytecode::program::Menu;
use crate::session::{Effect, Ending, Event, HostCall, HostResult, Wait};
use crate::vm::answers::{pick_in_menu, read_yes_no};
use crate::vm::{Input, Next, RuntimeError, Value};

/// The statement cards of this module, whose argument records are the catalogue's.
#[derive(Clone, Copy)]
enum Ask {
    Choice,
    Confirm,
    Input,
}

/// The catalogue index of `ask`, for its argument records: looked up by name once per
/// process (the catalogue is static), not on every question.
fn card_index(ask: Ask) -> u32 {
    static INDEX: OnceLock<[u32; 3]> = OnceLock::new();
    let find = |name| cards().iter().position(|it| it.name == name).unwrap_or(0) as u32;
    INDEX.get_or_init(|| [find("ask_choice"), find("ask_confirm"), find("ask_input")])[ask as usize]
}

/// Phase of `choice` while the AI classifies a free-text answer.
const CLASSIFYING: u8 = 1;
/// Phase of `choice` while the virtual agent answers a free-text answer.
const CONSULTING: u8 = 2;

pub(super) fn choice(
    cx: &mut Cx,
    prompt: u32,
    args: u32,
    menu: u32,
    input: Input,
) -> Result<Next, RuntimeError> {
    let table = menu_table(cx, menu)?;
    // A label out of the string table is an error whatever the answer.
    for option in &table.options {
        cx.str(option.label)?;
    }
    let answer = message(cx, input);
    let picked = answer.and_then(|it| pick_in_menu(cx.p, menu, table.options.len(), it));
    if let Some(option) = picked.and_then(|idx| table.options.get(idx)) {
        return Ok(Next::Go(option.target));
    }
    let card = card_index(Ask::Choice);
    let shown = table.options.iter().map(|it| cx.p.string(it.label));
    let question = question_text(cx, prompt, shown.map(Option::unwrap_or_default))?;
    match host_result(input) {
        Some(HostResult::Intent(found)) => {
            return match found.and_then(|idx| table.options.get(idx)) {
                Some(option) => Ok(Next::Go(option.target)),
                None => cx.wrong_answer(cx.retry(card, args)?, |cx| {
                    cx.say(question);
                    Ok(())
                }),
            };
        }
        Some(HostResult::Agent(reply)) => {
            return match reply.as_deref().map(str::trim).filter(|it| !it.is_empty()) {
                // The agent answered a question of the customer's: no try is used.
                Some(reply) => {
                    cx.say(reply);
                    cx.say(question);
                    cx.s.card.phase = 0;
                    Ok(Next::Customer)
                }
                None => cx.wrong_answer(cx.retry(card, args)?, |cx| {
                    cx.say(question);
                    Ok(())
                }),
            };
        }
        _ => {}
    }
    let Some(answer) = answer else {
        cx.say(question);
        return Ok(Next::Customer);
    };
    // Free text goes to the AI; a number that is no option is just a wrong answer.
    let text = answer.text.trim();
    if !text.is_empty() && text.parse::<i64>().is_err() {
        if matches!(cx.arg_const(card, args, "ai")?, Some(Value::Bool(true))) {
            cx.s.card.phase = CLASSIFYING;
            return Ok(Next::wait(Wait::Host(HostCall::Intent {
                text: answer.text.clone(),
                intents: labels(cx, table)?.into_iter().map(str::to_string).collect(),
                agent: None,
            })));
        }
        if let Some((kind, idx)) = cx.arg_item(card, args, "agent") {
            cx.s.card.phase = CONSULTING;
            return Ok(Next::wait(Wait::Host(HostCall::Agent {
                agent: cx.entity_name(kind, idx)?,
                question,
                text: answer.text.clone(),
            })));
        }
    }
    cx.wrong_answer(cx.retry(card, args)?, |cx| {
        cx.say(question);
        Ok(())
    })
}

/// Program message `prompt` followed by the numbered `options`, built in one buffer.
fn question_text<S: AsRef<str>>(
    cx: &Cx,
    prompt: u32,
    options: impl IntoIterator<Item = S> + Clone,
) -> Result<String, RuntimeError> {
    let mut text = String::with_capacity(cx.message_len(prompt) + options_len(options.clone()));
    cx.write_message(&mut text, prompt)?;
    push_options(&mut text, options);
    Ok(text)
}

pub(super) fn confirm(
    cx: &mut Cx,
    prompt: u32,
    args: u32,
    yes: u32,
    no: u32,
    input: Input,
) -> Result<Next, RuntimeError> {
    if let Some(answer) = message(cx, input) {
        match read_yes_no(answer) {
            Some(true) => return Ok(Next::Go(yes)),
            Some(false) => return Ok(Next::Go(no)),
            None => {}
        }
    }
    let question = question_text(cx, prompt, YES_NO)?;
    if matches!(input, Input::Event(Event::Message(_))) {
        return cx.wrong_answer(cx.retry(card_index(Ask::Confirm), args)?, |cx| {
            cx.say(question);
            Ok(())
        });
    }
    cx.say(question);
    Ok(Next::Customer)
}

pub(super) fn input(
    cx: &mut Cx,
    prompt: u32,
    ty: u32,
    var: u32,
    args: u32,
    after: u32,
    input: Input,
) -> Result<Next, RuntimeError> {
    let ty = *InputType::ALL
        .get(ty as usize)
        .ok_or_else(|| cx.error("input type out of range"))?;
    let Some(answer) = message(cx, input) else {
        let question = cx.message(prompt)?;
        cx.say(question);
        return Ok(Next::Customer);
    };
    match validate(ty, &answer.text) {
        Ok(normal) => {
            let value = match ty {
                InputType::Number => Value::Number(normal.parse().unwrap_or(0.0)),
                InputType::Date => date_value(&normal).unwrap_or(Value::Text(normal)),
                _ => Value::Text(normal),
            };
            cx.store(var, value)?;
            Ok(Next::Go(after))
        }
        Err(_) => {
            let question = cx.message(prompt)?;
            cx.wrong_answer(cx.retry(card_index(Ask::Input), args)?, |cx| {
                cx.say(question);
                Ok(())
            })
        }
    }
}

/// Consent on WhatsApp; nothing on other channels. No try limit: consent cannot be
/// assumed.
pub(super) fn optin(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    if matches!(input, Input::Enter) && cx.s.optout_message.is_some() {
        // Consent was given earlier in this conversation (a refusal would have ended it).
        return Ok(Next::Go(call.after));
    }
    let optout = cx
        .arg_text(call.card, call.args, "optout_message")?
        .unwrap_or_else(|| cx.default_text(fluxo_stdlib::builtins::OPTOUT_MESSAGE));
    cx.s.optout_message = Some(optout.clone());
    if cx.s.ctx.channel != Channel::Whatsapp {
        return Ok(Next::Go(call.after));
    }
    let question = yes_no_text(
        &cx.arg_text(call.card, call.args, "message")?
            .unwrap_or_else(|| cx.default_text(fluxo_stdlib::builtins::OPTIN_MESSAGE)),
    );
    let Some(answer) = message(cx, input) else {
        cx.say(question);
        return Ok(Next::Customer);
    };
    match read_yes_no(answer) {
        Some(true) => Ok(Next::Go(call.after)),
        Some(false) => {
            cx.say(optout);
            cx.effect(Effect::OptOut);
            Ok(Next::End(Ending::OptedOut))
        }
        None => {
            cx.say(fluxo_stdlib::builtins::INVALID_MESSAGE);
            cx.say(question);
            Ok(Next::Customer)
        }
    }
}

/// A yes/no question with its two numbered options.
pub(crate) fn yes_no_text(question: &str) -> String {
    menu_text(question, &YES_NO)
}

/// The options of every yes/no question.
const YES_NO: [&str; 2] = [YES_LABEL, NO_LABEL];

fn menu_table<'p>(cx: &Cx<'p>, menu: u32) -> Result<&'p Menu, RuntimeError> {
    cx.p.menus
        .get(menu as usize)
        .ok_or_else(|| cx.error("menu index out of range"))
}

/// The options' labels, borrowed from the program.
pub(crate) fn labels<'p>(cx: &Cx<'p>, menu: &Menu) -> Result<Vec<&'p str>, RuntimeError> {
    menu.options.iter().map(|it| cx.str(it.label)).collect()
}

/// `dd/mm/aaaa` as a date value.
fn date_value(text: &str) -> Option<Value> {
    let mut parts = text.split('/');
    let day = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let year = parts.next()?.parse().ok()?;
    Some(Value::Date { year, month, day })
}

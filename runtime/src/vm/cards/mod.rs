//! Card behaviour, one module per family: `ask` (choice, confirm, input, optin),
//! `platform` (say, files, tags, transfer, wait, notify, ...), `switch` (`when`),
//! `survey` (survey, describe), `accounts` (document validation, auto link, accounts),
//! `ai` (intent, Low Code, interactive template) and `erp` (the `erp.*` dialogues).
//!
//! `exec` routes an instruction to its family; call cards (`Op::Card`) are routed by
//! their catalogue name, so a new card is one arm here and its family's function.

mod accounts;
mod ai;
mod ask;
mod erp;
mod erp_actions;
mod erp_texts;
mod platform;
mod survey;
mod switch;

use std::fmt::Write;

use super::cx::Cx;
use super::{Input, Next, RuntimeError};
use crate::bytecode::Op;
use crate::session::{Event, HostResult, Message};

pub(super) fn exec(cx: &mut Cx, op: Op, after: u32, input: Input) -> Result<Next, RuntimeError> {
    match op {
        Op::Say { msg } => platform::say(cx, msg, after),
        Op::SayAudio { file } => platform::say_audio(cx, file, after),
        Op::Choice { prompt, args, menu } => ask::choice(cx, prompt, args, menu, input),
        Op::Confirm {
            prompt,
            args,
            yes,
            no,
        } => ask::confirm(cx, prompt, args, yes, no, input),
        Op::Input {
            prompt,
            ty,
            var,
            args,
        } => ask::input(cx, prompt, ty, var, args, after, input),
        Op::Switch { table } => switch::switch(cx, table),
        Op::Goto { flow } => Ok(Next::Go(cx.flow_entry(flow)?)),
        Op::Transfer {
            department,
            attendant,
        } => platform::transfer(cx, department, attendant),
        Op::Tag { tag } => platform::tag(cx, tag, after),
        Op::Wait { seconds } => platform::wait(cx, seconds, after, input),
        Op::End {} => Ok(cx.close()),
        Op::Card {
            card,
            args,
            bind,
            menu,
        } => {
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
    pub card: u32,
    pub args: u32,
    /// `0` for none, else a variable index plus one.
    pub bind: u32,
    /// `0` for none, else a menu index plus one.
    pub menu: u32,
    /// The pc after the card.
    pub after: u32,
}

fn call_card(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let name = Cx::card_name(call.card);
    if let Some(action) = name.strip_prefix("erp.") {
        return erp::run(cx, call, action, input);
    }
    match name {
        "optin" => ask::optin(cx, call, input),
        "send_file" => platform::send_file(cx, call),
        "notify" => platform::notify(cx, call),
        "migrate_whatsapp" => platform::migrate_whatsapp(cx, call),
        "forward_call" => platform::forward_call(cx, call),
        "survey" => survey::survey(cx, call, input),
        "describe" => survey::describe(cx, call, input),
        "validate_document" => accounts::validate_document(cx, call, input),
        "auto_link" => accounts::auto_link(cx, call, input),
        "account_add" => accounts::account_add(cx, call, input),
        "account_switch" => accounts::account_switch(cx, call, input),
        "intent" => ai::intent(cx, call, input),
        "lowcode" => ai::lowcode(cx, call, input),
        "interactive_template" => ai::interactive_template(cx, call, input),
        other => Err(cx.error(format!("the runtime has no card `{other}`"))),
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

/// A question followed by its numbered options, as one message.
pub(crate) fn menu_text<S: AsRef<str>>(question: &str, options: &[S]) -> String {
    let mut text = String::with_capacity(question.len() + options_len(options));
    text.push_str(question);
    push_options(&mut text, options);
    text
}

/// What `push_options` appends, in bytes (exact below 100 options), so a menu is
/// allocated once.
pub(crate) fn options_len<S: AsRef<str>>(options: impl IntoIterator<Item = S>) -> usize {
    options
        .into_iter()
        .enumerate()
        .map(|(idx, option)| option.as_ref().len() + if idx < 9 { 6 } else { 7 })
        .sum()
}

/// Appends the numbered options of a menu, one per line (`\n  1) Financeiro`).
pub(crate) fn push_options<S: AsRef<str>>(text: &mut String, options: impl IntoIterator<Item = S>) {
    for (idx, option) in options.into_iter().enumerate() {
        text.push_str("\n  ");
        let number = idx + 1;
        if number < 10 {
            text.push(char::from(b'0' + number as u8));
        } else {
            // Writing into a String cannot fail.
            let _ = write!(text, "{number}");
        }
        text.push_str(") ");
        text.push_str(option.as_ref());
    }
}

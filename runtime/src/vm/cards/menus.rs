//! Menus, as the customer reads them and as the program stores them: a question followed
//! by numbered options (one message, so a customer sees the question and its options
//! together), the yes/no question several cards ask, and the program's menu tables that
//! hold the options of `ask ... choice` and of call cards with string arms.

use std::fmt::Write;

use fluxo_stdlib::builtins::{NO_LABEL, YES_LABEL};

use super::{Call, Cx};
use crate::bytecode::program::Menu;
use crate::RuntimeError;

/// The options of every yes/no question.
pub(super) const YES_NO: [&str; 2] = [YES_LABEL, NO_LABEL];

/// A question followed by its numbered options, as one message.
pub(super) fn menu_text<S: AsRef<str>>(question: &str, options: &[S]) -> String {
    let mut text = String::with_capacity(question.len() + options_len(options));
    text.push_str(question);
    push_options(&mut text, options);
    text
}

/// The numbered options alone, for a card whose question the customer reads elsewhere
/// (a template's body); a channel reads them back as the same menu.
pub(super) fn options_text<S: AsRef<str>>(options: &[S]) -> String {
    let text = menu_text("", options);
    match text.strip_prefix('\n') {
        Some(options) => options.to_string(),
        None => text,
    }
}

/// A yes/no question with its two numbered options.
pub(super) fn yes_no_text(question: &str) -> String {
    menu_text(question, &YES_NO)
}

/// Program message `prompt` followed by the numbered `options`, built in one buffer.
pub(super) fn question_text<S: AsRef<str>>(
    cx: &Cx,
    prompt: u32,
    options: impl IntoIterator<Item = S> + Clone,
) -> Result<String, RuntimeError> {
    let mut text = String::with_capacity(cx.message_len(prompt) + options_len(options.clone()));
    cx.write_message(&mut text, prompt)?;
    push_options(&mut text, options);
    Ok(text)
}

/// What `push_options` appends, in bytes (exact below 100 options), so a menu is
/// allocated once.
fn options_len<S: AsRef<str>>(options: impl IntoIterator<Item = S>) -> usize {
    options
        .into_iter()
        .enumerate()
        .map(|(idx, option)| option.as_ref().len() + if idx < 9 { 6 } else { 7 })
        .sum()
}

/// Appends the numbered options of a menu, one per line (`\n  1) Financeiro`).
fn push_options<S: AsRef<str>>(text: &mut String, options: impl IntoIterator<Item = S>) {
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

/// Program menu `menu` (a raw `Menu` operand).
pub(super) fn menu_table<'p>(cx: &Cx<'p>, menu: u32) -> Result<&'p Menu, RuntimeError> {
    cx.p.menus
        .get(menu as usize)
        .ok_or_else(|| cx.error("menu index out of range"))
}

/// The menu of a call card with string arms (its `OptMenu` operand).
pub(super) fn call_menu<'p>(cx: &Cx<'p>, call: Call) -> Result<&'p Menu, RuntimeError> {
    call.menu
        .checked_sub(1)
        .and_then(|idx| cx.p.menus.get(idx as usize))
        .ok_or_else(|| cx.error("the card has no menu"))
}

/// The options' labels, borrowed from the program.
pub(super) fn labels<'p>(cx: &Cx<'p>, menu: &Menu) -> Result<Vec<&'p str>, RuntimeError> {
    menu.options.iter().map(|it| cx.str(it.label)).collect()
}

//! The cards that act and go on (or end) without reading an answer: `say`, `say audio`,
//! `tag`, `transfer`, `wait`, `notify`, `send_file`, `migrate_whatsapp`,
//! `forward_call`.

use super::{Call, Cx};
use crate::bytecode::program::EntityRef;
use crate::session::{Effect, Ending, Event, Output, Wait};
use crate::vm::{Input, Next, RuntimeError};

pub(super) fn say(cx: &mut Cx, msg: u32, after: u32) -> Result<Next, RuntimeError> {
    let text = cx.message(msg)?;
    cx.say(text);
    Ok(Next::Go(after))
}

pub(super) fn say_audio(cx: &mut Cx, file: u32, after: u32) -> Result<Next, RuntimeError> {
    let file = cx.string(file)?;
    cx.out.push(Output::Audio { file });
    Ok(Next::Go(after))
}

pub(super) fn tag(cx: &mut Cx, tag: u32, after: u32) -> Result<Next, RuntimeError> {
    let name = cx.entity_str(EntityRef::Tag, tag)?;
    if !cx.has_tag(name) {
        cx.s.tags.push(tag);
        cx.effect(Effect::Tag {
            tag: name.to_string(),
        });
    }
    Ok(Next::Go(after))
}

pub(super) fn transfer(cx: &mut Cx, department: u32, attendant: u32) -> Result<Next, RuntimeError> {
    let department = cx.entity_name(EntityRef::Department, department)?;
    let attendant = match attendant.checked_sub(1) {
        Some(idx) => Some(cx.entity_name(EntityRef::Attendant, idx)?),
        None => None,
    };
    cx.effect(Effect::Transfer {
        department,
        attendant,
    });
    Ok(Next::End(Ending::Transferred))
}

pub(super) fn wait(
    cx: &mut Cx,
    seconds: u32,
    after: u32,
    input: Input,
) -> Result<Next, RuntimeError> {
    match input {
        Input::Event(Event::TimerFired) => Ok(Next::Go(after)),
        _ if seconds == 0 => Ok(Next::Go(after)),
        _ => {
            let _ = cx;
            Ok(Next::wait(Wait::Timer {
                secs: u64::from(seconds),
            }))
        }
    }
}

pub(super) fn notify(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let group = match cx.arg_item(call.card, call.args, "group") {
        Some((kind, idx)) => cx.entity_name(kind, idx)?,
        None => return Err(cx.error("`notify` without a group")),
    };
    let text = cx
        .arg_text(call.card, call.args, "message")?
        .unwrap_or_default();
    cx.effect(Effect::Notify { group, text });
    Ok(Next::Go(call.after))
}

pub(super) fn send_file(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let url = cx
        .arg_text(call.card, call.args, "file")?
        .ok_or_else(|| cx.error("`send_file` without a file"))?;
    let caption = cx.arg_text(call.card, call.args, "caption")?;
    cx.out.push(Output::File { url, caption });
    Ok(Next::Go(call.after))
}

pub(super) fn migrate_whatsapp(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    if let Some(text) = cx.arg_text(call.card, call.args, "message")? {
        cx.say(text);
    }
    let template = match cx.arg_item(call.card, call.args, "template") {
        Some((kind, idx)) => cx.entity_name(kind, idx)?,
        None => return Err(cx.error("`migrate_whatsapp` without a template")),
    };
    cx.effect(Effect::Template { template });
    Ok(Next::Go(call.after))
}

pub(super) fn forward_call(cx: &mut Cx, call: Call) -> Result<Next, RuntimeError> {
    let number = cx
        .arg_text(call.card, call.args, "number")?
        .unwrap_or_default();
    let route = cx.arg_text(call.card, call.args, "route")?;
    cx.effect(Effect::ForwardCall { number, route });
    Ok(Next::End(Ending::Forwarded))
}

//! `interactive_template(template:)`: sends the template and branches on the option the
//! reply picks; a reply that picks none goes to `else` or on, so a mass send traps no one.

use fluxo_stdlib::types::Channel;

use super::menus::{call_menu, labels, options_text};
use super::{message, Call, Cx};
use crate::session::Effect;
use crate::vm::answers::pick;
use crate::vm::{Input, Next};
use crate::{RuntimeError, Value};

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let table = call_menu(cx, call)?;
    let options = labels(cx, table)?;
    let Some(answer) = message(cx, input) else {
        let template = match cx.arg_item(call.card, call.args, "template") {
            Some((kind, idx)) => cx.entity_name(kind, idx)?,
            None => return Err(cx.error("`interactive_template` without a template")),
        };
        cx.effect(Effect::Template { template });
        if cx.s.ctx.channel != Channel::Whatsapp {
            cx.say(options_text(&options));
        }
        return Ok(Next::Customer);
    };
    match pick(answer, &options) {
        Some(idx) => {
            cx.bind(call.bind, Value::Text(options[idx].to_string()))?;
            Ok(Next::Go(table.options[idx].target))
        }
        None => {
            cx.bind(call.bind, Value::Text(answer.text.trim().to_string()))?;
            Ok(Next::Go(table.otherwise.unwrap_or(call.after)))
        }
    }
}

//! `account_switch()`: with two or more linked accounts, a menu of them; the one picked
//! becomes the active account. An answer naming none keeps the current one.

use fluxo_stdlib::builtins::ACCOUNT_SWITCH_PROMPT;

use super::menus::menu_text;
use super::registration::link_to;
use super::{message, Call, Cx};
use crate::session::Link;
use crate::vm::answers::pick;
use crate::vm::{Input, Next};
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, call: Call, input: Input) -> Result<Next, RuntimeError> {
    let mut all: Vec<Link> = cx.s.ctx.link.iter().cloned().collect();
    all.extend(cx.s.accounts.iter().cloned());
    if all.len() < 2 {
        return Ok(Next::Go(call.after));
    }
    let names: Vec<String> = all.iter().map(|it| it.name.clone()).collect();
    let Some(answer) = message(cx, input) else {
        cx.say(menu_text(ACCOUNT_SWITCH_PROMPT, &names));
        return Ok(Next::Customer);
    };
    if let Some(idx) = pick(answer, &names) {
        if idx > 0 {
            let chosen = all.remove(idx);
            cx.s.accounts = all;
            link_to(cx, chosen);
        }
    }
    Ok(Next::Go(call.after))
}

//! `transfer to <department> [attendant <attendant>]`: hands the conversation to people;
//! the bot's part is over.

use super::Cx;
use crate::bytecode::program::EntityRef;
use crate::session::{Effect, Ending};
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, department: u32, attendant: u32) -> Result<Next, RuntimeError> {
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

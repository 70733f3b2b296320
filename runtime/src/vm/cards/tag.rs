//! `tag <tag>`: puts the tag on the conversation once; a tag already on it stays once, so
//! the platform is told only about new ones.

use super::Cx;
use crate::bytecode::program::EntityRef;
use crate::session::Effect;
use crate::vm::Next;
use crate::RuntimeError;

pub(super) fn run(cx: &mut Cx, tag: u32, after: u32) -> Result<Next, RuntimeError> {
    let name = cx.entity_str(EntityRef::Tag, tag)?;
    if !cx.has_tag(name) {
        cx.s.tags.push(tag);
        cx.effect(Effect::Tag {
            tag: name.to_string(),
        });
    }
    Ok(Next::Go(after))
}

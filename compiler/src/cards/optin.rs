//! `optin()`: WhatsApp policy wants consent before anything else, so the card may only
//! be the first statement of the entry flow.

use crate::check::{Cx, Loc, Problem};

use super::Position;

pub(crate) fn check(cx: &mut Cx, position: Position, at: Loc) {
    if position != Position::EntryStart {
        let entry = cx.program.entry.clone();
        cx.report(Problem::OptinPosition { at, entry });
    }
}

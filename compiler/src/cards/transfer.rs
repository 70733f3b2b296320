//! `transfer to <department> [attendant <attendant>]`: the attendant must belong to the
//! department.

use fluxo_grammar::ast::Ident;
use fluxo_stdlib::types::ItemKind;

use crate::check::{Cx, Problem};

pub(crate) fn check(cx: &mut Cx, department: &Ident, attendant: Option<&Ident>) {
    let department_ok = cx.resolve(ItemKind::Department, department).is_some();
    let Some(attendant) = attendant else {
        return;
    };
    if cx.resolve(ItemKind::Attendant, attendant).is_none() || !department_ok {
        return;
    }
    let Some(info) = cx.program.item(ItemKind::Attendant, &attendant.name) else {
        return;
    };
    let actual = info.department.clone().unwrap_or_default();
    if actual != department.name {
        let declared = info.loc;
        cx.report(Problem::TransferAttendant {
            at: cx.loc(attendant.span),
            attendant: attendant.name.clone(),
            department: department.name.clone(),
            actual,
            declared,
        });
    }
}

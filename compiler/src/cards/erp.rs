//! The `erp.*` cards: the program must declare its ERP, and the ERP must offer the
//! action (the capability matrix in `fluxo_stdlib::erp`).

use fluxo_stdlib::catalogue::CardSpec;

use crate::check::{Cx, Loc, Problem};

pub(crate) fn check(cx: &mut Cx, spec: &CardSpec, at: Loc) {
    let Some(action) = spec.erp_action else {
        return;
    };
    let card = spec.name.to_string();
    match cx.program.erp {
        Some(erp) if !erp.offers(action) => cx.report(Problem::ErpNotOffered { at, card, erp }),
        Some(_) => {}
        // An `erp` line naming an unknown system was reported already.
        None if cx.erp_line => {}
        None => cx.report(Problem::ErpMissing { at, card }),
    }
}

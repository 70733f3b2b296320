//! `lowcode(script: <script>) as <var>`: the variable is the record the script declares
//! (structural: scripts declaring the same fields return the same type).

use fluxo_grammar::ast::Call;

use super::args::bare_name;
use crate::check::{ProgramInfo, Type};

pub(crate) fn record_type(program: &ProgramInfo, call: &Call) -> Type {
    let script = call
        .args
        .iter()
        .find(|it| it.name.name == "script")
        .and_then(|it| bare_name(&it.value));
    let info = script
        .and_then(|name| program.script(&name.name))
        .and_then(|idx| program.scripts.get(idx));
    match info {
        Some(info) => Type::Record(info.record),
        None => Type::Unknown,
    }
}

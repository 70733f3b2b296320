//! `lowcode(script: <script>) as <var>`: the variable is the record the script declares.

use fluxo_grammar::ast::Call;

use super::args::bare_name;
use crate::check::{ProgramInfo, Type};

pub(crate) fn record_type(program: &ProgramInfo, call: &Call) -> Type {
    let script = call
        .args
        .iter()
        .find(|it| it.name.name == "script")
        .and_then(|it| bare_name(&it.value));
    match script.and_then(|name| program.script(&name.name)) {
        Some(idx) => Type::Record(idx),
        None => Type::Unknown,
    }
}

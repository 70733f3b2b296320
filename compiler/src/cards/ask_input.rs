//! `ask ... input <type> as <var>`: the input type must exist; the variable gets it.

use fluxo_grammar::ast::Ident;
use fluxo_stdlib::types::{InputType, Ty};

use crate::check::{closest, Cx, Problem, Type};

/// Returns the variable assigned.
pub(crate) fn check(cx: &mut Cx, ty: &Ident, var: &Ident) -> Option<usize> {
    let input = InputType::from_name(&ty.name);
    if input.is_none() && !ty.name.is_empty() {
        let options: Vec<&'static str> = InputType::ALL.iter().map(|it| it.name()).collect();
        let suggestion = closest(&ty.name, options.iter().copied());
        cx.report(Problem::UnknownType {
            at: cx.loc(ty.span),
            name: ty.name.clone(),
            what: "input type",
            options,
            suggestion,
        });
    }
    let value = input.map_or(Type::Unknown, |it| Type::Value(Ty::Input(it)));
    super::bind(cx, var, value)
}

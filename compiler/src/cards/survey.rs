//! `survey(...)`: a scale of at most 10 values, and one label per value when `labels`
//! is given.

use fluxo_grammar::ast::{Call, ExprKind};
use fluxo_stdlib::catalogue::{CardId, ParamDefault};
use fluxo_stdlib::types::Literal;

use crate::check::{Cx, Problem};

const MAX_VALUES: u32 = 10;

pub(crate) fn check(cx: &mut Cx, call: &Call) {
    let scale = call.args.iter().find(|it| it.name.name == "scale");
    let (from, to) = match scale.map(|it| &it.value.kind) {
        Some(ExprKind::Range { from, to }) => (*from, *to),
        Some(_) => return,
        None => default_scale(),
    };
    if let Some(arg) = scale {
        let at = cx.loc(arg.value.span);
        if to <= from {
            let message = "the scale must go up: `1..5`".to_string();
            cx.report(Problem::SurveyScale { at, message });
            return;
        }
        if to - from + 1 > MAX_VALUES {
            let message = format!("{} values; a scale has at most {MAX_VALUES}", to - from + 1);
            cx.report(Problem::SurveyScale { at, message });
            return;
        }
    }
    let n_values = (to - from + 1) as usize;
    let labels = call.args.iter().find(|it| it.name.name == "labels");
    if let Some((arg, ExprKind::List(items))) = labels.map(|it| (it, &it.value.kind)) {
        if items.len() != n_values {
            let message = format!(
                "{} labels for the {n_values} values of `{from}..{to}`",
                items.len()
            );
            cx.report(Problem::SurveyScale {
                at: cx.loc(arg.value.span),
                message,
            });
        }
    }
}

/// The catalogue's default scale.
fn default_scale() -> (u32, u32) {
    let default = CardId::Survey.spec().param("scale").map(|it| it.default);
    match default {
        Some(ParamDefault::Value(Literal::Range(low, high))) => (clamp(low), clamp(high)),
        _ => (1, 5),
    }
}

fn clamp(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

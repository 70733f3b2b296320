//! `ask ... choice`: besides its options (see `arms.rs`), `ai: true` and `agent` are
//! two exclusive ways of handling an answer that matches no option.

use fluxo_grammar::ast::{Arg, ExprKind};

use crate::check::{Cx, Problem};

pub(crate) fn check(cx: &mut Cx, args: &[Arg]) {
    let ai = args
        .iter()
        .find(|it| it.name.name == "ai" && matches!(it.value.kind, ExprKind::Bool(true)));
    let agent = args.iter().find(|it| it.name.name == "agent");
    if let (Some(ai), Some(agent)) = (ai, agent) {
        cx.report(Problem::ChoiceAiAgent {
            at: cx.loc(ai.span),
            agent: cx.loc(agent.span),
        });
    }
}

//! The arms shared by several cards: string-keyed options (`ask ... choice`, `intent`,
//! `interactive_template`) with the catalogue's limits, and the `yes`/`no` pair of
//! `ask ... confirm`.

use std::collections::HashMap;

use fluxo_grammar::ast::{Arms, Pattern, Span};
use fluxo_stdlib::answers::fold;
use fluxo_stdlib::catalogue::{ArmsSpec, CardSpec};

use super::args::display_name;
use crate::check::{Cx, Loc, Problem};

/// String-keyed arms: at most `max_count` options of at most `max_len` characters, no
/// two a customer could not tell apart (same text ignoring case and accents), `else`
/// only where the card allows it.
pub(crate) fn strings(cx: &mut Cx, spec: &CardSpec, arms: &Arms) {
    let ArmsSpec::Strings(limits) = spec.arms else {
        return;
    };
    let card = display_name(spec);
    let mut seen: HashMap<String, Loc> = HashMap::new();
    let mut n_options = 0;
    for arm in &arms.arms {
        let at = cx.loc(arm.pattern.span());
        let key = match &arm.pattern {
            Pattern::Str(text) => {
                n_options += 1;
                let Some(option) = text.as_plain() else {
                    let message = "options cannot interpolate variables".to_string();
                    cx.report(Problem::Arms {
                        at,
                        card: card.clone(),
                        message,
                    });
                    continue;
                };
                let n_chars = option.chars().count();
                if let Some(max) = limits.max_len.filter(|max| n_chars > *max) {
                    cx.report(Problem::OptionLength {
                        at,
                        option: option.clone(),
                        n_chars,
                        max,
                    });
                }
                fold(&option)
            }
            Pattern::Else(_) if limits.else_allowed => "else".to_string(),
            Pattern::Else(_) => {
                let message =
                    "`else` is not allowed: an answer that matches no option is a wrong answer"
                        .to_string();
                cx.report(Problem::Arms {
                    at,
                    card: card.clone(),
                    message,
                });
                continue;
            }
            Pattern::Name(_) | Pattern::Yes(_) | Pattern::No(_) => {
                let message = "options are texts in quotes: `\"Financeiro\" => ...`".to_string();
                cx.report(Problem::Arms {
                    at,
                    card: card.clone(),
                    message,
                });
                continue;
            }
        };
        duplicate(cx, &mut seen, key, at, &arm.pattern);
    }
    if let Some(max) = limits.max_count.filter(|max| n_options > *max) {
        cx.report(Problem::OptionCount {
            at: cx.loc(arms.span),
            card: card.clone(),
            n_options,
            max,
        });
    }
    if n_options == 0 {
        let message = "needs at least one option".to_string();
        cx.report(Problem::Arms {
            at: cx.loc(arms.span),
            card,
            message,
        });
    }
}

/// Exactly one `yes` arm and one `no` arm. Returns whether both are there.
pub(crate) fn yes_no(cx: &mut Cx, spec: &CardSpec, arms: &Arms, stmt: Span) -> bool {
    let card = display_name(spec);
    let mut seen: HashMap<String, Loc> = HashMap::new();
    for arm in &arms.arms {
        let at = cx.loc(arm.pattern.span());
        let key = match arm.pattern {
            Pattern::Yes(_) => "yes",
            Pattern::No(_) => "no",
            _ => {
                let message = "the arms are `yes` and `no`".to_string();
                cx.report(Problem::Arms {
                    at,
                    card: card.clone(),
                    message,
                });
                continue;
            }
        };
        duplicate(cx, &mut seen, key.to_string(), at, &arm.pattern);
    }
    let mut complete = true;
    for key in ["yes", "no"] {
        if !seen.contains_key(key) {
            complete = false;
            let message = format!("the `{key}` arm is missing");
            let at = cx.loc(if arms.arms.is_empty() {
                stmt
            } else {
                arms.span
            });
            cx.report(Problem::Arms {
                at,
                card: card.clone(),
                message,
            });
        }
    }
    complete
}

/// Reports an arm whose key an earlier arm has.
pub(crate) fn duplicate(
    cx: &mut Cx,
    seen: &mut HashMap<String, Loc>,
    key: String,
    at: Loc,
    pattern: &Pattern,
) {
    match seen.get(&key) {
        Some(first) => {
            let pattern = match pattern {
                Pattern::Str(text) => format!("\"{}\"", text.display()),
                Pattern::Name(name) => name.name.clone(),
                Pattern::Yes(_) => "yes".to_string(),
                Pattern::No(_) => "no".to_string(),
                Pattern::Else(_) => "else".to_string(),
            };
            cx.report(Problem::DuplicateArm {
                at,
                first: *first,
                pattern,
            });
        }
        None => {
            seen.insert(key, at);
        }
    }
}

//! `when <subject> { <pattern> => ... }`: the subject decides the patterns (an enum's
//! values or declared items); duplicate arms are errors and a `when` that misses cases
//! without `else` is a warning.
//!
//! A `when` with a single arm and no `else` is a guard, like `if`
//! (`when hours comercial { closed => goto fora }`), and is not checked for
//! exhaustiveness: the other cases continuing after it is the point.

use std::collections::HashMap;

use fluxo_grammar::ast::{Pattern, Subject, When};
use fluxo_stdlib::catalogue::{when_subject, SubjectPatterns};
use fluxo_stdlib::types::{Channel, EnumKind, ItemKind, Ty};

use super::arms::duplicate;
use crate::check::types::{self, Type};
use crate::check::{closest, Cx, Loc, Problem};

/// What the control-flow graph needs about a `when`.
pub(crate) struct WhenFacts {
    /// Per arm: the channel known inside it (for `when channel`).
    pub arm_channels: Vec<Option<Channel>>,
    /// Whether no arm may match, so execution continues after the `when`.
    pub falls_through: bool,
}

enum Patterns {
    Enum(EnumKind),
    Items(ItemKind),
    /// The subject had an error already reported.
    Unknown,
}

pub(crate) fn check(cx: &mut Cx, when: &When) -> WhenFacts {
    let (patterns, subject_at, is_channel) = subject(cx, &when.subject);
    let mut seen: HashMap<String, Loc> = HashMap::new();
    let mut arm_channels = Vec::new();
    let mut has_else = false;
    for arm in &when.arms.arms {
        let at = cx.loc(arm.pattern.span());
        let mut channel = None;
        match &arm.pattern {
            Pattern::Else(_) => {
                has_else = true;
                duplicate(cx, &mut seen, "else".to_string(), at, &arm.pattern);
            }
            Pattern::Name(name) => {
                match patterns {
                    Patterns::Enum(kind) if kind.pattern(&name.name).is_none() => {
                        let options: Vec<&'static str> =
                            kind.patterns().iter().map(|it| it.name).collect();
                        let suggestion = closest(&name.name, options.iter().copied());
                        cx.report(Problem::UnknownPattern {
                            at,
                            name: name.name.clone(),
                            of: kind.name().to_string(),
                            options,
                            suggestion,
                        });
                    }
                    Patterns::Items(kind) => {
                        cx.resolve(kind, name);
                    }
                    _ => {}
                }
                if is_channel {
                    channel = Channel::from_name(&name.name);
                }
                duplicate(cx, &mut seen, name.name.clone(), at, &arm.pattern);
            }
            Pattern::Str(_) | Pattern::Yes(_) | Pattern::No(_) => {
                let message = "`when` arms are names, such as `whatsapp` or `closed`".to_string();
                cx.report(Problem::Arms {
                    at,
                    card: "when".to_string(),
                    message,
                });
            }
        }
        arm_channels.push(channel);
    }
    let all: Vec<String> = match patterns {
        Patterns::Enum(kind) => kind
            .patterns()
            .iter()
            .map(|it| it.name.to_string())
            .collect(),
        Patterns::Items(kind) => cx
            .program
            .items
            .iter()
            .filter(|it| it.kind == kind)
            .map(|it| it.name.clone())
            .collect(),
        Patterns::Unknown => Vec::new(),
    };
    let missing: Vec<String> = all
        .into_iter()
        .filter(|it| !seen.contains_key(it))
        .collect();
    let is_guard = when.arms.arms.len() == 1;
    if !has_else && !missing.is_empty() && !is_guard {
        cx.report(Problem::WhenExhaustive {
            at: subject_at,
            missing: missing.clone(),
        });
    }
    // A conversation may carry no tag and belong to no declared branch: only `else`
    // covers everything for item subjects.
    let covers_all = has_else || (matches!(patterns, Patterns::Enum(_)) && missing.is_empty());
    WhenFacts {
        arm_channels,
        falls_through: !covers_all,
    }
}

/// The patterns the subject takes, where to point at it, and whether it is the channel.
fn subject(cx: &mut Cx, subject: &Subject) -> (Patterns, Loc, bool) {
    match subject {
        Subject::Hours(period) => {
            cx.resolve(ItemKind::Period, period);
            (Patterns::Enum(EnumKind::Hours), cx.loc(period.span), false)
        }
        Subject::Tag(span) => (Patterns::Items(ItemKind::Tag), cx.loc(*span), false),
        Subject::Branch(span) => (Patterns::Items(ItemKind::Branch), cx.loc(*span), false),
        Subject::Path(path) => {
            let at = cx.loc(path.span);
            if let [name] = path.segments.as_slice() {
                if let Some(spec) = when_subject(&name.name) {
                    let patterns = match spec.patterns {
                        SubjectPatterns::Enum(kind) => Patterns::Enum(kind),
                        SubjectPatterns::Items(kind) => Patterns::Items(kind),
                        SubjectPatterns::VariableEnum => Patterns::Unknown,
                    };
                    return (patterns, at, name.name == "channel");
                }
            }
            match types::path(cx, path).base() {
                Type::Value(Ty::Enum(kind)) => {
                    (Patterns::Enum(kind), at, kind == EnumKind::Channel)
                }
                Type::Unknown => (Patterns::Unknown, at, false),
                other => {
                    let found = cx.show(other);
                    cx.report(Problem::WhenSubject {
                        at,
                        name: path.dotted(),
                        found,
                    });
                    (Patterns::Unknown, at, false)
                }
            }
        }
    }
}

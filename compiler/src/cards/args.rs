//! The checks every card shares, driven by its catalogue entry: each `name: value`
//! argument must be a parameter of the card, given once, of the parameter's type; every
//! required parameter must be given. Names of declared items are resolved here.

use fluxo_grammar::ast::{Arg, Expr, ExprKind, Span, Str};
use fluxo_stdlib::catalogue::{CardSpec, ParamDefault};
use fluxo_stdlib::types::{FileKind, Ty};

use crate::check::types::{self, with_article};
use crate::check::{Cx, Loc, Problem};

/// What later steps need from the arguments.
pub(crate) struct ArgFacts {
    /// The flow `fail_flow` names, when it resolves.
    pub fail_flow: Option<usize>,
}

/// Checks `args` against `spec`; `card_span` is where a missing argument is reported.
pub(crate) fn check(
    cx: &mut Cx,
    spec: &'static CardSpec,
    args: &[Arg],
    card_span: Span,
) -> ArgFacts {
    let card = display_name(spec);
    let mut facts = ArgFacts { fail_flow: None };
    let mut seen: Vec<(&str, Loc)> = Vec::new();
    for arg in args {
        let at = cx.loc(arg.name.span);
        if let Some((_, first)) = seen.iter().find(|(name, _)| *name == arg.name.name) {
            cx.report(Problem::DuplicateArgument {
                at,
                first: *first,
                card: card.clone(),
                name: arg.name.name.clone(),
            });
            continue;
        }
        seen.push((&arg.name.name, at));
        let Some(param) = spec.args().find(|it| it.name == arg.name.name) else {
            let params: Vec<&'static str> = spec.args().map(|it| it.name).collect();
            let suggestion = crate::check::closest(&arg.name.name, params.iter().copied());
            cx.report(Problem::UnknownArgument {
                at,
                card: card.clone(),
                name: arg.name.name.clone(),
                params,
                suggestion,
            });
            continue;
        };
        let resolved = value(cx, &card, param.name, param.ty, &arg.value);
        if param.name == "fail_flow" {
            facts.fail_flow = resolved;
        }
        if param.name == "retries" {
            retries(cx, &card, &arg.value);
        }
    }
    for param in spec.args() {
        if param.default == ParamDefault::Required
            && !seen.iter().any(|(name, _)| *name == param.name)
        {
            cx.report(Problem::MissingArgument {
                at: cx.loc(card_span),
                card: card.clone(),
                param: param.name,
            });
        }
    }
    facts
}

/// The card as a program writes it: `ask ... choice` for `ask_choice`.
pub(crate) fn display_name(spec: &CardSpec) -> String {
    match spec.name {
        "ask_choice" => "ask ... choice".to_string(),
        "ask_confirm" => "ask ... confirm".to_string(),
        "ask_input" => "ask ... input".to_string(),
        "say_audio" => "say audio".to_string(),
        name => name.to_string(),
    }
}

/// Checks one value against a parameter type; returns the index of the item it names,
/// for item references.
fn value(cx: &mut Cx, card: &str, param: &str, ty: Ty, expr: &Expr) -> Option<usize> {
    let mismatch = |cx: &mut Cx, expected: String| {
        let found = describe(cx, expr);
        cx.report(Problem::ArgumentType {
            at: cx.loc(expr.span),
            card: card.to_string(),
            param: param.to_string(),
            expected,
            found,
        });
    };
    match ty {
        Ty::Ref(kind) => match bare_name(expr) {
            Some(name) => return cx.resolve(kind, name),
            None => {
                // `group: "noc"` means `noc`: reported once, not again as unused.
                let quoted = match &expr.kind {
                    ExprKind::Str(text) => text.as_plain(),
                    _ => None,
                };
                if let Some(idx) = quoted.and_then(|it| cx.program.index(kind, &it)) {
                    cx.used.insert((kind, idx));
                }
                mismatch(cx, format!("the name of a {}", kind.english()));
            }
        },
        Ty::Enum(kind) => match bare_name(expr) {
            Some(name) if kind.pattern(&name.name).is_some() => {}
            Some(name) => {
                let options: Vec<&'static str> = kind.patterns().iter().map(|it| it.name).collect();
                let suggestion = crate::check::closest(&name.name, options.iter().copied());
                cx.report(Problem::UnknownPattern {
                    at: cx.loc(name.span),
                    name: name.name.clone(),
                    of: kind.name().to_string(),
                    options,
                    suggestion,
                });
            }
            None => {
                let options: Vec<&str> = kind.patterns().iter().map(|it| it.name).collect();
                mismatch(cx, format!("one of `{}`", options.join("`, `")));
            }
        },
        Ty::File(kind) => match &expr.kind {
            ExprKind::Str(text) => file(cx, card, kind, text),
            _ => mismatch(cx, "a file name in quotes".to_string()),
        },
        Ty::List(item) => match &expr.kind {
            ExprKind::List(items) => {
                for it in items {
                    value(cx, card, param, *item, it);
                }
            }
            _ => mismatch(cx, format!("a list of {item}: `[...]`")),
        },
        Ty::Range => {
            if !matches!(expr.kind, ExprKind::Range { .. }) {
                mismatch(cx, "a range such as `1..5`".to_string());
            }
        }
        other => {
            let found = types::expr(cx, expr);
            if !found.is(other) {
                let found = cx.show(found);
                let expected = with_article(&other.to_string());
                cx.report(Problem::ArgumentType {
                    at: cx.loc(expr.span),
                    card: card.to_string(),
                    param: param.to_string(),
                    expected,
                    found,
                });
            }
        }
    }
    None
}

/// A file name must end in an extension the card accepts.
pub(crate) fn file(cx: &mut Cx, card: &str, kind: FileKind, text: &Str) {
    types::interpolations(cx, text);
    let name = text.display();
    if !kind.accepts(&name) {
        cx.report(Problem::FileType {
            at: cx.loc(text.span),
            card: card.to_string(),
            file: name,
            accepted: kind.extensions(),
        });
    }
}

fn retries(cx: &mut Cx, card: &str, expr: &Expr) {
    let ok = match expr.kind {
        ExprKind::Number(n) => n >= 1.0 && n.fract() == 0.0,
        // A negative number is `Unary(Neg, n)`; variables are checked at run time.
        ExprKind::Unary(..) => false,
        _ => true,
    };
    if !ok {
        let message = "must be a whole number of at least 1";
        cx.report(Problem::ArgumentRange {
            at: cx.loc(expr.span),
            card: card.to_string(),
            param: "retries".to_string(),
            message,
        });
    }
}

/// `noc` in `group: noc`: a bare name.
pub(crate) fn bare_name(expr: &Expr) -> Option<&fluxo_grammar::ast::Ident> {
    match &expr.kind {
        ExprKind::Path(path) if path.segments.len() == 1 => path.segments.first(),
        _ => None,
    }
}

/// What a wrongly typed argument is, in words, without reporting anything about it.
fn describe(cx: &Cx, expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Str(_) => "a text".to_string(),
        ExprKind::Number(_) => "a number".to_string(),
        ExprKind::Unary(..) | ExprKind::Binary(..) | ExprKind::Paren(_) => {
            "an expression".to_string()
        }
        ExprKind::Bool(_) => "a bool".to_string(),
        ExprKind::Duration(_) => "a duration".to_string(),
        ExprKind::Time(_) => "a time".to_string(),
        ExprKind::Date(_) => "a date".to_string(),
        ExprKind::Range { .. } => "a range".to_string(),
        ExprKind::List(_) => "a list".to_string(),
        ExprKind::Path(path) => match cx.variable_type(&path.dotted()) {
            Some(ty) => format!("variable `{}`, {}", path.dotted(), cx.show(ty)),
            None => format!("`{}`", path.dotted()),
        },
    }
}

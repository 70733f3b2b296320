//! Random Fluxo source text for the differential test, written token by token from the
//! grammar (every item, statement, pattern, subject and expression form), laid out with
//! random whitespace and comments, and then broken on purpose.
//!
//! Unlike the formatter's property tests, which print random trees canonically, this
//! writes text the way people do: odd line breaks, comments between tokens, spaces
//! where the grammar allows them, and now and then a literal that parses but that the
//! pest builder reports (`25:00`, `2025-02-29`, a number too large). Mutations (a token
//! deleted, repeated, swapped or replaced, a character deleted or doubled) then reach the
//! rejection side.

use proptest::prelude::*;

/// A source as its tokens, before layout. A token that the grammar writes without
/// spaces inside (`a.b`, `08:00-18:00`, `-1.5`) is one string.
pub type Tokens = Vec<String>;

fn one(token: &str) -> Tokens {
    vec![token.to_string()]
}

fn pick(tokens: &'static [&'static str]) -> BoxedStrategy<Tokens> {
    prop::sample::select(tokens).prop_map(one).boxed()
}

/// Names, a few of them close to keywords (`sayonara`, `hours`, `mon`, and `not`, which
/// the grammar takes for a name). Random ones may now and then be reserved words: those
/// cases land on the rejection side.
fn name() -> BoxedStrategy<String> {
    const NAMES: &[&str] = &[
        "a",
        "x1",
        "_",
        "hours",
        "mon",
        "fri",
        "sayonara",
        "iff",
        "tags",
        "menu",
        "noc",
        "cliente",
        "erp_x",
        "in_",
        "both",
        "attendants",
        "elsewhere",
        "notify",
        "not",
    ];
    prop_oneof![
        3 => prop::sample::select(NAMES).prop_map(str::to_string),
        1 => "[a-z_][a-z0-9_]{0,6}",
    ]
    .boxed()
}

fn ident() -> BoxedStrategy<Tokens> {
    name().prop_map(|n| vec![n]).boxed()
}

fn path() -> BoxedStrategy<Tokens> {
    prop::collection::vec(name(), 1..4)
        .prop_map(|segments| vec![segments.join(".")])
        .boxed()
}

fn string() -> BoxedStrategy<Tokens> {
    const PIECES: &[&str] = &[
        "abc",
        " ",
        "Olá, ",
        "👋🏽",
        "\\\"",
        "\\\\",
        "\\n",
        "\\{",
        "\\}",
        "{x}",
        "{user_name}",
        "{a.b_2}",
        "}",
        "// not a comment",
        "\t",
        "2ª via",
    ];
    const LINES: &[&str] = &[
        "    abc",
        "      more indented",
        "",
        "   ",
        "    \"quoted\" and \"\"twice\"\"",
        "    {x} \\{ \\n",
        "\tx",
    ];
    let plain = prop::collection::vec(prop::sample::select(PIECES), 0..5)
        .prop_map(|pieces| format!("\"{}\"", pieces.concat()));
    let triple = (
        prop::sample::select(&["", "Olá", "a {x} \"b\""][..]),
        prop::collection::vec(prop::sample::select(LINES), 0..4),
        any::<bool>(),
    )
        .prop_map(|(first, lines, closing_line)| {
            let mut text = format!("\"\"\"{first}");
            for line in lines {
                text.push('\n');
                text.push_str(line);
            }
            if closing_line {
                text.push_str("\n    ");
            }
            text.push_str("\"\"\"");
            text
        });
    prop_oneof![4 => plain, 1 => triple]
        .prop_map(|s| vec![s])
        .boxed()
}

/// A literal of each kind; the rare ones parse but the pest builder reports them.
fn literal() -> BoxedStrategy<Tokens> {
    prop_oneof![
        8 => pick(&["0", "3", "42", "1.5", "007", "0.25", "123456789012"]),
        4 => pick(&["30s", "5m", "2h", "1d", "0s"]),
        4 => pick(&["08:00", "18:30", "00:00", "24:00"]),
        4 => pick(&["2026-12-25", "2024-02-29", "1999-01-31"]),
        4 => pick(&["1..5", "0..10", "3..3"]),
        4 => pick(&["true", "false", "attendant"]),
        1 => pick(&["24:01", "25:00", "12:60", "2025-02-29", "2026-13-01", "0000-01-01"]),
        1 => pick(&["99999999999999999999s", "300000000000000d", "1..99999999999"]),
        1 => Just(vec![format!("1{}", "0".repeat(400))]),
    ]
    .boxed()
}

fn expr() -> BoxedStrategy<Tokens> {
    const OPS: &[&str] = &[
        "or", "and", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/",
    ];
    let leaf = prop_oneof![3 => literal(), 2 => string(), 3 => path()];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            3 => (inner.clone(), prop::sample::select(OPS), inner.clone())
                .prop_map(|(lhs, op, rhs)| [lhs, one(op), rhs].concat()),
            1 => (prop::sample::select(&["not", "-"][..]), inner.clone())
                .prop_map(|(op, operand)| [one(op), operand].concat()),
            1 => inner.clone().prop_map(|e| [one("("), e, one(")")].concat()),
            1 => (prop::collection::vec(inner, 0..3), any::<bool>())
                .prop_map(|(items, trailing)| delimited("[", items, trailing, "]")),
        ]
    })
    .boxed()
}

/// `open a, b, c close`, with an optional trailing comma after at least one element.
fn delimited(open: &str, items: Vec<Tokens>, trailing: bool, close: &str) -> Tokens {
    let mut out = one(open);
    let n_items = items.len();
    for (i, item) in items.into_iter().enumerate() {
        out.extend(item);
        if i + 1 < n_items || trailing {
            out.push(",".to_string());
        }
    }
    out.push(close.to_string());
    out
}

fn attrs() -> BoxedStrategy<Tokens> {
    let arg = prop_oneof![string(), pick(&["-12", "3.5", "7", "-0.5"]), ident(),];
    let attr =
        (ident(), prop::option::of(prop::collection::vec(arg, 0..3))).prop_map(|(name, args)| {
            let mut out = [one("@"), name].concat();
            if let Some(args) = args {
                out.extend(delimited("(", args, false, ")"));
            }
            out
        });
    prop_oneof![
        3 => Just(Vec::new()),
        1 => prop::collection::vec(attr, 1..3).prop_map(|attrs| attrs.concat()),
    ]
    .boxed()
}

fn args() -> BoxedStrategy<Tokens> {
    let arg_name = prop_oneof![
        3 => ident(),
        1 => pick(&["group", "script", "if", "hours", "erp", "target"]),
    ];
    let arg = (arg_name, expr()).prop_map(|(name, value)| [name, one(":"), value].concat());
    (prop::collection::vec(arg, 0..3), any::<bool>())
        .prop_map(|(args, trailing)| delimited("(", args, trailing, ")"))
        .boxed()
}

fn optional(tokens: BoxedStrategy<Tokens>) -> BoxedStrategy<Tokens> {
    prop::option::of(tokens)
        .prop_map(Option::unwrap_or_default)
        .boxed()
}

fn duration() -> BoxedStrategy<Tokens> {
    prop_oneof![
        6 => pick(&["30s", "5m", "2h", "1d"]),
        1 => pick(&["99999999999999999999s", "5"]),
    ]
    .boxed()
}

fn simple_stmt() -> BoxedStrategy<Tokens> {
    let card_name = prop_oneof![
        3 => ident(),
        1 => name().prop_map(|n| vec![format!("erp.{n}")]),
    ];
    prop_oneof![
        3 => string().prop_map(|s| [one("say"), s].concat()),
        1 => string().prop_map(|s| [one("say"), one("audio"), s].concat()),
        1 => ident().prop_map(|n| [one("goto"), n].concat()),
        1 => (ident(), optional(ident().prop_map(|n| [one("attendant"), n].concat()).boxed()))
            .prop_map(|(department, attendant)| [one("transfer"), one("to"), department, attendant].concat()),
        1 => prop::collection::vec(ident(), 1..4).prop_map(|tags| {
            let mut out = one("tag");
            out.extend(tags.join(&",".to_string()));
            out
        }),
        1 => duration().prop_map(|d| [one("wait"), d].concat()),
        2 => (ident(), expr()).prop_map(|(var, value)| [one("set"), var, one("="), value].concat()),
        1 => Just(one("end")),
        1 => (string(), ident(), ident(), optional(args()))
            .prop_map(|(prompt, ty, var, args)| [one("ask"), prompt, one("input"), ty, one("as"), var, args].concat()),
        2 => (card_name, args(), optional(ident().prop_map(|n| [one("as"), n].concat()).boxed()))
            .prop_map(|(name, args, binding)| [name, args, binding].concat()),
    ]
    .boxed()
}

/// A statement with its attributes and label.
fn dressed(kind: BoxedStrategy<Tokens>) -> BoxedStrategy<Tokens> {
    (
        attrs(),
        optional(ident().prop_map(|n| [n, one(":")].concat()).boxed()),
        kind,
    )
        .prop_map(|(attrs, label, kind)| [attrs, label, kind].concat())
        .boxed()
}

fn block(stmt: BoxedStrategy<Tokens>) -> BoxedStrategy<Tokens> {
    prop::collection::vec(stmt, 0..3)
        .prop_map(|stmts| [one("{"), stmts.concat(), one("}")].concat())
        .boxed()
}

fn stmt() -> BoxedStrategy<Tokens> {
    dressed(simple_stmt())
        .prop_recursive(3, 16, 3, |inner| {
            let block = block(inner.clone());
            let pattern = prop_oneof![
                3 => string(),
                2 => ident(),
                1 => pick(&["yes", "no", "else"]),
            ];
            let branch = prop_oneof![inner.clone(), block.clone()];
            let arm = (
                attrs(),
                pattern,
                branch,
                prop::sample::select(&["", ","][..]),
            )
                .prop_map(|(attrs, pattern, branch, comma)| {
                    let mut out = [attrs, pattern, one("=>"), branch].concat();
                    if !comma.is_empty() {
                        out.push(comma.to_string());
                    }
                    out
                });
            let arms = prop::collection::vec(arm, 0..4)
                .prop_map(|arms| [one("{"), arms.concat(), one("}")].concat())
                .boxed();
            let subject = prop_oneof![
                2 => ident().prop_map(|n| [one("hours"), n].concat()),
                1 => pick(&["tag", "branch", "hours"]),
                3 => path(),
            ];
            let if_stmt = (
                expr(),
                block.clone(),
                prop::collection::vec((expr(), block.clone()), 0..3),
                optional(block.clone()),
            )
                .prop_map(|(cond, then, elifs, last)| {
                    let mut out = [one("if"), cond, then].concat();
                    for (cond, then) in elifs {
                        out.extend([one("else"), one("if"), cond, then].concat());
                    }
                    if !last.is_empty() {
                        out.extend([one("else"), last].concat());
                    }
                    out
                });
            let kind = prop_oneof![
                (
                    string(),
                    pick(&["choice", "confirm"]),
                    optional(args()),
                    arms.clone()
                )
                    .prop_map(|(prompt, form, args, arms)| [
                        one("ask"),
                        prompt,
                        form,
                        args,
                        arms
                    ]
                    .concat()),
                (subject, arms.clone())
                    .prop_map(|(subject, arms)| [one("when"), subject, arms].concat()),
                if_stmt,
                (
                    ident(),
                    args(),
                    optional(ident().prop_map(|n| [one("as"), n].concat()).boxed()),
                    arms
                )
                    .prop_map(|(name, args, binding, arms)| [name, args, binding, arms].concat()),
            ];
            dressed(kind.boxed())
        })
        .boxed()
}

fn period_rule() -> BoxedStrategy<Tokens> {
    const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let day_range = (
        prop::sample::select(DAYS),
        prop::option::of(prop::sample::select(DAYS)),
    )
        .prop_map(|(from, to)| match to {
            Some(to) => vec![from.to_string(), "..".to_string(), to.to_string()],
            None => one(from),
        });
    let time_span =
        prop::sample::select(&["08:00-12:00", "13:00-18:00", "00:00-24:00", "18:00-25:00"][..]);
    prop_oneof![
        1 => literal().prop_map(|date| [one("holiday"), date].concat()),
        1 => pick(&["2026-12-25", "2026-01-01"]).prop_map(|date| [one("holiday"), date].concat()),
        3 => (prop::collection::vec(day_range, 1..3), prop::collection::vec(time_span, 1..3))
            .prop_map(|(days, spans)| {
                let mut out = days.join(&",".to_string());
                out.extend(spans.into_iter().map(str::to_string));
                out
            }),
    ]
    .boxed()
}

fn item() -> BoxedStrategy<Tokens> {
    let field = (ident(), ident()).prop_map(|(name, ty)| [name, one(":"), ty].concat());
    let kind = prop_oneof![
        1 => ident().prop_map(|n| [one("erp"), n].concat()),
        1 => (pick(&["department", "tag", "group", "branch", "template", "agent"]), ident(), string())
            .prop_map(|(kw, name, title)| [kw, name, title].concat()),
        1 => (ident(), string(), ident())
            .prop_map(|(name, title, dept)| [one("attendant"), name, title, one("in"), dept].concat()),
        1 => (ident(), string(), prop::collection::vec(period_rule(), 0..3))
            .prop_map(|(name, title, rules)| [one("period"), name, title, one("{"), rules.concat(), one("}")].concat()),
        1 => (ident(), string(), prop::collection::vec(field, 0..3), any::<bool>())
            .prop_map(|(name, path, fields, trailing)| {
                [one("script"), name, path, one("->"), delimited("{", fields, trailing, "}")].concat()
            }),
        5 => (ident(), optional(string()), block(stmt()))
            .prop_map(|(name, title, body)| [one("flow"), name, title, body].concat()),
    ];
    (attrs(), kind)
        .prop_map(|(attrs, kind)| [attrs, kind].concat())
        .boxed()
}

/// A whole file's tokens.
pub fn file() -> BoxedStrategy<Tokens> {
    prop::collection::vec(item(), 0..4)
        .prop_map(|items| items.concat())
        .boxed()
}

/// What goes between two tokens, picked by `choice`: mostly a space or a line break,
/// sometimes comments, rarely nothing at all (which may glue two tokens into one).
fn gap(choice: u8) -> &'static str {
    match choice % 64 {
        0..=33 => " ",
        34..=43 => "\n",
        44..=47 => "\n    ",
        48..=50 => "  ",
        51..=52 => "\t",
        53..=55 => " // note\n",
        56..=57 => "\n// on its own line { \"\n",
        58..=60 => "\r\n",
        61..=62 => "\n\n",
        _ => "",
    }
}

/// Lays the tokens out, one gap per `gaps` byte (cycled).
pub fn render(tokens: &[String], gaps: &[u8]) -> String {
    let mut out = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            let choice = if gaps.is_empty() {
                0
            } else {
                gaps[i % gaps.len()]
            };
            out.push_str(gap(choice));
        }
        out.push_str(token);
    }
    out.push('\n');
    out
}

/// One way to break a source.
#[derive(Clone, Debug)]
pub enum Mutation {
    DeleteToken(usize),
    RepeatToken(usize),
    SwapTokens(usize),
    ReplaceToken(usize, &'static str),
    InsertToken(usize, &'static str),
    DeleteChar(usize),
    RepeatChar(usize),
}

const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    "=>",
    "->",
    ".",
    "..",
    "@",
    "-",
    "else",
    "if",
    "hours",
    "attendant",
    "tag",
    "not",
    "\"x\"",
    "1",
    "30s",
    "08:00",
    "2026-12-25",
    "x",
    "say",
    "end",
    "flow",
    "//",
    "\"",
    "\"\"\"",
    "{x}",
    "X",
    "é",
    "1.",
    "_",
];

pub fn mutation() -> BoxedStrategy<Mutation> {
    let at = any::<prop::sample::Index>();
    let snippet = prop::sample::select(SNIPPETS);
    prop_oneof![
        at.clone()
            .prop_map(|i| Mutation::DeleteToken(i.index(usize::MAX))),
        at.clone()
            .prop_map(|i| Mutation::RepeatToken(i.index(usize::MAX))),
        at.clone()
            .prop_map(|i| Mutation::SwapTokens(i.index(usize::MAX))),
        (at.clone(), snippet.clone())
            .prop_map(|(i, s)| Mutation::ReplaceToken(i.index(usize::MAX), s)),
        (at.clone(), snippet).prop_map(|(i, s)| Mutation::InsertToken(i.index(usize::MAX), s)),
        at.clone()
            .prop_map(|i| Mutation::DeleteChar(i.index(usize::MAX))),
        at.prop_map(|i| Mutation::RepeatChar(i.index(usize::MAX))),
    ]
    .boxed()
}

/// The source with `mutation` applied (positions wrap around the tokens or characters).
pub fn mutate(tokens: &[String], gaps: &[u8], mutation: &Mutation) -> String {
    let mut tokens = tokens.to_vec();
    let n_tokens = tokens.len().max(1);
    match *mutation {
        Mutation::DeleteToken(i) if !tokens.is_empty() => {
            tokens.remove(i % n_tokens);
        }
        Mutation::RepeatToken(i) if !tokens.is_empty() => {
            let token = tokens[i % n_tokens].clone();
            tokens.insert(i % n_tokens, token);
        }
        Mutation::SwapTokens(i) if tokens.len() > 1 => {
            let i = i % (tokens.len() - 1);
            tokens.swap(i, i + 1);
        }
        Mutation::ReplaceToken(i, snippet) if !tokens.is_empty() => {
            tokens[i % n_tokens] = snippet.to_string();
        }
        Mutation::InsertToken(i, snippet) => {
            tokens.insert(i % (tokens.len() + 1), snippet.to_string())
        }
        Mutation::DeleteChar(i) | Mutation::RepeatChar(i) => {
            let src = render(&tokens, gaps);
            let chars: Vec<(usize, char)> = src.char_indices().collect();
            let (at, c) = chars[i % chars.len()];
            let mut out = src[..at].to_string();
            if matches!(mutation, Mutation::RepeatChar(_)) {
                out.push(c);
                out.push(c);
            }
            out.push_str(&src[at + c.len_utf8()..]);
            return out;
        }
        _ => {}
    }
    render(&tokens, gaps)
}

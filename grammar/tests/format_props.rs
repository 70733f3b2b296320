//! Property tests of the formatter: random valid trees (every item kind, every statement
//! form, nested arms, `else if` chains, labels, attributes, strings with escapes,
//! interpolations, unicode and triple quotes) are printed by the formatter, parsed back
//! and formatted again; then comments are sprinkled over the text and the formatter must
//! keep every one of them, in order, without changing the tree.

mod support;

use fluxo_grammar::ast::*;
use fluxo_grammar::keywords::RESERVED;
use fluxo_grammar::{format, parse, FileId};
use proptest::prelude::*;

fn sp() -> Span {
    Span::default()
}

fn ident() -> impl Strategy<Value = Ident> {
    "[a-z_][a-z0-9_]{0,7}"
        .prop_filter("reserved words are not names", |s| {
            !RESERVED.contains(&s.as_str())
        })
        .prop_map(|name| Ident { name, span: sp() })
}

fn path() -> impl Strategy<Value = Path> {
    prop::collection::vec(ident(), 1..3).prop_map(|segments| Path {
        segments,
        span: sp(),
    })
}

/// Text for strings: quotes, backslashes, braces, newlines, tabs, accents and emoji.
fn text_piece() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[a-zA-Z0-9 ]{1,6}",
            1 => Just("\"".to_string()),
            1 => Just("\"\"\"".to_string()),
            1 => Just("\\".to_string()),
            1 => Just("{".to_string()),
            1 => Just("}".to_string()),
            1 => Just("\n".to_string()),
            1 => Just("\t".to_string()),
            1 => Just("ção é 2ª ".to_string()),
            1 => Just("👋🏽".to_string()),
        ],
        1..5,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Joins the pieces the way the parser does: no empty text, no two texts in a row.
fn normalise(parts: Vec<StrPart>) -> Vec<StrPart> {
    let mut out: Vec<StrPart> = Vec::new();
    for part in parts {
        match (part, out.last_mut()) {
            (StrPart::Text(t), _) if t.is_empty() => {}
            (StrPart::Text(t), Some(StrPart::Text(last))) => last.push_str(&t),
            (part, _) => out.push(part),
        }
    }
    out
}

fn plain_str() -> impl Strategy<Value = Str> {
    prop::collection::vec(
        prop_oneof![3 => text_piece().prop_map(StrPart::Text), 1 => path().prop_map(StrPart::Var)],
        0..4,
    )
    .prop_map(|parts| Str {
        parts: normalise(parts),
        triple: false,
        span: sp(),
    })
}

/// A triple-quoted string's value. Its first line starts with something other than
/// whitespace: the dedent rule cannot express a value whose every line is indented.
fn triple_str() -> impl Strategy<Value = Str> {
    let line = prop_oneof![
        3 => "[a-z][a-z \"{}\\\\]{0,12}",
        1 => Just(String::new()),
        1 => "  [a-z]{1,4}",
        1 => Just("   ".to_string()),
        1 => Just("\"\"\"x\"".to_string()),
    ];
    (
        "[a-zA-Zçã\"][a-z ]{0,6}",
        prop::collection::vec(line, 0..4),
        prop::option::of(path()),
    )
        .prop_map(|(first, rest, var)| {
            let mut parts = vec![StrPart::Text(first)];
            if let Some(var) = var {
                parts.push(StrPart::Var(var));
            }
            for line in rest {
                parts.push(StrPart::Text(format!("\n{line}")));
            }
            Str {
                parts: normalise(parts),
                triple: true,
                span: sp(),
            }
        })
}

fn string() -> impl Strategy<Value = Str> {
    prop_oneof![4 => plain_str(), 1 => triple_str()]
}

fn expr_of(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        plain_str().prop_map(ExprKind::Str),
        (0u32..100_000).prop_map(|n| ExprKind::Number(f64::from(n))),
        (0u32..100_000).prop_map(|n| ExprKind::Number(f64::from(n) / 100.0)),
        any::<bool>().prop_map(ExprKind::Bool),
        (0u64..1000, 0..4usize).prop_map(|(value, unit)| ExprKind::Duration(Duration {
            value,
            unit: [
                DurationUnit::Seconds,
                DurationUnit::Minutes,
                DurationUnit::Hours,
                DurationUnit::Days
            ][unit],
            span: sp(),
        })),
        (0u8..24, 0u8..60).prop_map(|(hour, minute)| ExprKind::Time(Time {
            hour,
            minute,
            span: sp()
        })),
        (1u16..3000, 1u8..13, 1u8..29).prop_map(|(year, month, day)| ExprKind::Date(Date {
            year,
            month,
            day,
            span: sp()
        })),
        (0u32..50, 0u32..50).prop_map(|(from, to)| ExprKind::Range { from, to }),
        path().prop_map(ExprKind::Path),
    ]
    .prop_map(expr_of)
}

/// How tightly an expression binds as the parser sees it (`not` sits between `and` and
/// the comparisons).
fn strength(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => op.precedence() * 2,
        ExprKind::Unary(UnaryOp::Not, _) => 5,
        _ => 100,
    }
}

/// Parenthesises `child` where printing it bare would parse differently.
fn operand(child: Expr, parent: &ExprKind, right: bool) -> Expr {
    let bare = match (parent, &child.kind) {
        (_, ExprKind::Unary(UnaryOp::Neg, _)) => true,
        (ExprKind::Binary(op, ..), ExprKind::Unary(UnaryOp::Not, _)) => op.precedence() <= 2,
        (ExprKind::Binary(op, ..), ExprKind::Binary(..)) => {
            let (child, parent) = (strength(&child), op.precedence() * 2);
            if right {
                child > parent
            } else {
                child >= parent
            }
        }
        (ExprKind::Unary(UnaryOp::Not, _), ExprKind::Binary(..)) => strength(&child) > 5,
        (ExprKind::Unary(UnaryOp::Not, _), ExprKind::Unary(UnaryOp::Not, _)) => true,
        (_, ExprKind::Binary(..) | ExprKind::Unary(..)) => false,
        _ => true,
    };
    if bare {
        child
    } else {
        expr_of(ExprKind::Paren(Box::new(child)))
    }
}

const OPS: [BinaryOp; 12] = [
    BinaryOp::Or,
    BinaryOp::And,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Gt,
    BinaryOp::Ge,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
];

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (0..OPS.len(), inner.clone(), inner.clone()).prop_map(|(op, lhs, rhs)| {
                let parent =
                    ExprKind::Binary(OPS[op], Box::new(lhs.clone()), Box::new(rhs.clone()));
                let lhs = operand(lhs, &parent, false);
                let rhs = operand(rhs, &parent, true);
                expr_of(ExprKind::Binary(OPS[op], Box::new(lhs), Box::new(rhs)))
            }),
            (any::<bool>(), inner.clone()).prop_map(|(not, e)| {
                let op = if not { UnaryOp::Not } else { UnaryOp::Neg };
                let parent = ExprKind::Unary(op, Box::new(e.clone()));
                expr_of(ExprKind::Unary(op, Box::new(operand(e, &parent, false))))
            }),
            inner
                .clone()
                .prop_map(|e| expr_of(ExprKind::Paren(Box::new(e)))),
            prop::collection::vec(inner, 0..3).prop_map(|items| expr_of(ExprKind::List(items))),
        ]
    })
}

fn attrs() -> impl Strategy<Value = Vec<Attr>> {
    let arg = prop_oneof![
        plain_str().prop_map(AttrArg::Str),
        "-?[0-9]{1,4}(\\.[0-9]{1,2})?".prop_map(AttrArg::Number),
        ident().prop_map(AttrArg::Ident),
    ];
    let attr = (ident(), prop::collection::vec(arg, 0..3)).prop_map(|(name, args)| Attr {
        name,
        args,
        span: sp(),
    });
    prop::collection::vec(attr, 0..3)
}

fn args() -> impl Strategy<Value = Vec<Arg>> {
    let name = prop_oneof![
        ident(),
        Just(Ident {
            name: "group".to_string(),
            span: sp()
        })
    ];
    prop::collection::vec(
        (name, expr()).prop_map(|(name, value)| Arg {
            name,
            value,
            span: sp(),
        }),
        0..4,
    )
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        3 => string().prop_map(Pattern::Str),
        2 => ident().prop_map(Pattern::Name),
        1 => Just(Pattern::Yes(sp())),
        1 => Just(Pattern::No(sp())),
        1 => Just(Pattern::Else(sp())),
    ]
}

fn stmt_of(attrs: Vec<Attr>, label: Option<Ident>, kind: StmtKind) -> Stmt {
    Stmt {
        attrs,
        label,
        kind,
        span: sp(),
    }
}

fn simple_stmt_kind() -> impl Strategy<Value = StmtKind> {
    prop_oneof![
        string().prop_map(StmtKind::Say),
        plain_str().prop_map(StmtKind::SayAudio),
        ident().prop_map(StmtKind::Goto),
        (ident(), prop::option::of(ident())).prop_map(|(department, attendant)| {
            StmtKind::Transfer {
                department,
                attendant,
            }
        }),
        prop::collection::vec(ident(), 1..4).prop_map(StmtKind::Tag),
        (0u64..100, 0..3usize).prop_map(|(value, unit)| StmtKind::Wait(Duration {
            value,
            unit: [
                DurationUnit::Seconds,
                DurationUnit::Minutes,
                DurationUnit::Hours
            ][unit],
            span: sp(),
        })),
        (ident(), expr()).prop_map(|(var, value)| StmtKind::Set { var, value }),
        Just(StmtKind::End),
        (string(), ident(), ident(), args()).prop_map(|(prompt, ty, var, args)| StmtKind::Ask(
            Ask {
                prompt,
                kind: AskKind::Input { ty, var },
                args
            }
        )),
        (any::<bool>(), ident(), args(), prop::option::of(ident())).prop_map(
            |(erp, name, args, binding)| {
                let namespace = erp.then(|| Ident {
                    name: "erp".to_string(),
                    span: sp(),
                });
                StmtKind::Call(Call {
                    namespace,
                    name,
                    args,
                    binding,
                    arms: None,
                })
            }
        ),
    ]
}

fn stmt() -> impl Strategy<Value = Stmt> {
    let leaf = (attrs(), prop::option::of(ident()), simple_stmt_kind())
        .prop_map(|(attrs, label, kind)| stmt_of(attrs, label, kind));
    leaf.prop_recursive(3, 16, 3, |inner| {
        let block = prop::collection::vec(inner.clone(), 0..3)
            .prop_map(|stmts| Block { stmts, span: sp() })
            .boxed();
        let branch = prop_oneof![
            inner.clone().prop_map(|s| Branch::Stmt(Box::new(s))),
            block.clone().prop_map(Branch::Block),
        ];
        let arm = (attrs(), pattern(), branch).prop_map(|(attrs, pattern, body)| Arm {
            attrs,
            pattern,
            body,
            span: sp(),
        });
        let arms = prop::collection::vec(arm, 0..4)
            .prop_map(|arms| Arms { arms, span: sp() })
            .boxed();
        let subject = prop_oneof![
            ident().prop_map(Subject::Hours),
            Just(Subject::Tag(sp())),
            Just(Subject::Branch(sp())),
            path().prop_map(Subject::Path),
        ];
        let if_ = (
            expr(),
            block.clone(),
            prop::option::of(block.clone()),
            prop::collection::vec((expr(), block.clone()), 0..3),
        )
            .prop_map(|(cond, then, last, elifs)| {
                let mut otherwise = last.map(Else::Block);
                for (cond, then) in elifs.into_iter().rev() {
                    otherwise = Some(Else::If(
                        Box::new(If {
                            cond,
                            then,
                            otherwise,
                        }),
                        sp(),
                    ));
                }
                StmtKind::If(If {
                    cond,
                    then,
                    otherwise,
                })
            });
        let kind = prop_oneof![
            (string(), any::<bool>(), args(), arms.clone()).prop_map(
                |(prompt, choice, args, arms)| {
                    let kind = if choice {
                        AskKind::Choice { arms }
                    } else {
                        AskKind::Confirm { arms }
                    };
                    StmtKind::Ask(Ask { prompt, kind, args })
                }
            ),
            (subject, arms.clone())
                .prop_map(|(subject, arms)| StmtKind::When(When { subject, arms })),
            if_,
            (ident(), args(), prop::option::of(ident()), arms).prop_map(
                |(name, args, binding, arms)| {
                    StmtKind::Call(Call {
                        namespace: None,
                        name,
                        args,
                        binding,
                        arms: Some(arms),
                    })
                }
            ),
        ];
        (attrs(), prop::option::of(ident()), kind)
            .prop_map(|(attrs, label, kind)| stmt_of(attrs, label, kind))
    })
}

fn item_kind() -> impl Strategy<Value = ItemKind> {
    let entity_kind = prop::sample::select(vec![
        EntityKind::Department,
        EntityKind::Tag,
        EntityKind::Group,
        EntityKind::Branch,
        EntityKind::Template,
        EntityKind::Agent,
    ]);
    let weekday = prop::sample::select(Weekday::ALL.to_vec());
    let day_range = (weekday.clone(), prop::option::of(weekday)).prop_map(|(from, to)| DayRange {
        from,
        to,
        span: sp(),
    });
    let time = (0u8..24, 0u8..60).prop_map(|(hour, minute)| Time {
        hour,
        minute,
        span: sp(),
    });
    let time_span = (time.clone(), time).prop_map(|(from, to)| TimeSpan {
        from,
        to,
        span: sp(),
    });
    let rule = prop_oneof![
        (
            prop::collection::vec(day_range, 1..3),
            prop::collection::vec(time_span, 1..3)
        )
            .prop_map(|(days, spans)| PeriodRule::Hours {
                days,
                spans,
                span: sp()
            }),
        (1u16..3000, 1u8..13, 1u8..29).prop_map(|(year, month, day)| PeriodRule::Holiday {
            date: Date {
                year,
                month,
                day,
                span: sp()
            },
            span: sp()
        }),
    ];
    let field = (ident(), ident()).prop_map(|(name, ty)| RecordField { name, ty });
    prop_oneof![
        1 => ident().prop_map(ItemKind::Erp),
        1 => (entity_kind, ident(), string()).prop_map(|(kind, name, title)| ItemKind::Entity(Entity { kind, name, title })),
        1 => (ident(), string(), ident())
            .prop_map(|(name, title, department)| ItemKind::Attendant(Attendant { name, title, department })),
        1 => (ident(), string(), prop::collection::vec(rule, 0..4))
            .prop_map(|(name, title, rules)| ItemKind::Period(Period { name, title, rules })),
        1 => (ident(), plain_str(), prop::collection::vec(field, 0..8))
            .prop_map(|(name, path, fields)| ItemKind::Script(Script { name, path, fields })),
        4 => (ident(), prop::option::of(string()), prop::collection::vec(stmt(), 0..5))
            .prop_map(|(name, title, stmts)| ItemKind::Flow(Flow { name, title, body: Block { stmts, span: sp() } })),
    ]
}

fn file() -> impl Strategy<Value = File> {
    let item = (attrs(), item_kind()).prop_map(|(attrs, kind)| Item {
        attrs,
        kind,
        span: sp(),
    });
    prop::collection::vec(item, 0..5).prop_map(|items| File { items })
}

/// Lines of `text` where a comment may go: not inside a multi-line triple-quoted string.
/// Returns, per line, whether a comment may go before it and whether one may go after it.
fn comment_slots(text: &str) -> Vec<(bool, bool)> {
    let mut inside = false;
    text.lines()
        .map(|line| {
            let toggles = line.matches("\"\"\"").count() % 2 == 1;
            let before = !inside;
            if toggles {
                inside = !inside;
            }
            (before, !inside)
        })
        .collect()
}

/// Puts a comment before or after the lines that `choices` picks.
fn sprinkle(text: &str, choices: &[u8]) -> (String, usize) {
    let slots = comment_slots(text);
    let mut out = String::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        let choice = choices.get(i).copied().unwrap_or(0) % 4;
        let (before, after) = slots[i];
        if choice == 1 && before {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}// before {n} {{ }} \"\n"));
            n += 1;
        }
        out.push_str(line);
        if choice == 2 && after {
            out.push_str(&format!(" // after {n}"));
            n += 1;
        }
        out.push('\n');
        if choice == 3 && after {
            out.push_str(&format!("\n// loose {n}\n\n"));
            n += 1;
        }
    }
    (out, n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn formatting_round_trips(tree in file(), choices in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = format(&tree, &[], "");
        let parsed = parse(FileId(0), &text);
        prop_assert!(parsed.diagnostics.is_empty(), "{:?}\n{text}", parsed.diagnostics);
        prop_assert_eq!(&parsed.file, &tree, "{}", text);
        let again = format(&parsed.file, &parsed.comments, &text);
        prop_assert_eq!(&again, &text);

        let (commented, n_comments) = sprinkle(&text, &choices);
        let parsed = parse(FileId(0), &commented);
        prop_assert_eq!(parsed.comments.len(), n_comments, "{}", commented);
        prop_assert_eq!(&parsed.file, &tree, "{}", commented);
        let checked = support::check_round_trip(&commented);
        prop_assert!(matches!(checked, Ok(Some(_))), "{:?}", checked);
    }
}

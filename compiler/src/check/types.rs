//! The types of values in expressions, and expression typing.
//!
//! Typing is written once against [`Env`], which says what a variable is, where problems
//! go and where reads are recorded: the statement walk reports and records, the
//! variable-type inference of `set` only asks. This module knows expressions, not
//! statements or cards.

use std::fmt;

use fluxo_grammar::ast::{BinaryOp, Expr, ExprKind, Ident, Path, Str, StrPart, UnaryOp};
use fluxo_stdlib::types::{EnumKind, Ty};

use super::problem::{Loc, Problem};
use super::suggest;

/// The type of a variable or an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A catalogue type: text, number, an input type, an enum...
    Value(Ty),
    /// A record: the type of the Low Code script at this index of `ProgramInfo::scripts`
    /// and of every script declaring the same fields (see `ScriptInfo::record`).
    Record(usize),
    /// A value whose type could not be known because of an error already reported; it
    /// matches everything, so one mistake is reported once.
    Unknown,
}

impl Type {
    /// The type values compare as: a validated `cpf` is text.
    pub fn base(self) -> Type {
        match self {
            Type::Value(ty) => Type::Value(ty.base()),
            other => other,
        }
    }

    pub fn is(self, ty: Ty) -> bool {
        matches!(self.base(), Type::Value(it) if it == ty.base()) || self == Type::Unknown
    }

    /// Whether a value of `self` may be stored where `other` is expected.
    pub fn agrees(self, other: Type) -> bool {
        self == Type::Unknown || other == Type::Unknown || self.base() == other.base()
    }
}

/// A type with the record types it needs for display (`ProgramInfo::record_types`).
pub(crate) struct Shown<'a> {
    pub ty: Type,
    pub records: &'a [String],
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            Type::Value(Ty::List(item)) => write!(f, "a list of {item}"),
            Type::Value(ty) => write!(f, "{}", with_article(&ty.to_string())),
            Type::Record(idx) => match self.records.get(idx) {
                Some(fields) => write!(f, "a record `{fields}`"),
                None => f.write_str("a record"),
            },
            Type::Unknown => f.write_str("an unknown value"),
        }
    }
}

pub(crate) fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// What expression typing needs from its caller.
pub(crate) trait Env {
    /// The type of variable `name` (user or built-in), or `None` if there is none.
    fn variable(&mut self, name: &str) -> Option<Type>;
    /// Records that the statement being checked reads variable `name` at `loc`.
    fn record_read(&mut self, name: &str, loc: Loc);
    /// Records where a variable is named, for the symbol index (`crate::symbols`).
    fn record_reference(&mut self, _name: &Ident) {}
    /// Names of every variable, for "did you mean".
    fn variable_names(&self) -> Vec<&str>;
    /// The fields of the record of script `idx`.
    fn fields(&self, script: usize) -> &[(String, Ty)];
    fn report(&mut self, problem: Problem);
    fn loc(&self, span: fluxo_grammar::ast::Span) -> Loc;
    fn show(&self, ty: Type) -> String;
}

/// The type of `path` (`x` or `x.field`), reporting unknown names.
pub(crate) fn path(env: &mut dyn Env, path: &Path) -> Type {
    let Some(root) = path.root() else {
        return Type::Unknown;
    };
    if root.name.is_empty() {
        return Type::Unknown;
    }
    let Some(mut ty) = env.variable(&root.name) else {
        let suggestion = suggest::closest(&root.name, env.variable_names());
        env.report(Problem::UnknownVariable {
            at: env.loc(root.span),
            name: root.name.clone(),
            suggestion,
        });
        return Type::Unknown;
    };
    env.record_read(&root.name, env.loc(path.span));
    env.record_reference(root);
    // `x.a` when field `b` of `x.a.b` is the problem: built only for the message.
    let owner = |n: usize| {
        let names: Vec<&str> = path.segments[..n]
            .iter()
            .map(|it| it.name.as_str())
            .collect();
        names.join(".")
    };
    for (n, field) in path.segments.iter().enumerate().skip(1) {
        ty = match ty {
            Type::Unknown => return Type::Unknown,
            Type::Record(script) => {
                let fields = env.fields(script);
                match fields.iter().find(|(name, _)| *name == field.name) {
                    Some((_, field_ty)) => Type::Value(*field_ty),
                    None => {
                        let names: Vec<String> =
                            fields.iter().map(|(name, _)| name.clone()).collect();
                        let suggestion =
                            suggest::closest(&field.name, names.iter().map(String::as_str));
                        env.report(Problem::UnknownField {
                            at: env.loc(field.span),
                            var: owner(n),
                            field: field.name.clone(),
                            fields: names,
                            suggestion,
                        });
                        return Type::Unknown;
                    }
                }
            }
            Type::Value(_) => {
                env.report(Problem::NoFields {
                    at: env.loc(field.span),
                    var: owner(n),
                    ty: env.show(ty),
                });
                return Type::Unknown;
            }
        };
    }
    ty
}

/// Checks every `{name}` interpolated in `text`. A whole record has no text form a
/// customer should see, so only its fields may be interpolated.
pub(crate) fn interpolations(env: &mut dyn Env, text: &Str) {
    for part in &text.parts {
        if let StrPart::Var(var) = part {
            if let Type::Record(script) = path(env, var) {
                let fields = env
                    .fields(script)
                    .iter()
                    .map(|(name, _)| name.clone())
                    .collect();
                env.report(Problem::InterpolatedRecord {
                    at: env.loc(var.span),
                    var: var.dotted(),
                    fields,
                });
            }
        }
    }
}

/// The type of `expr`, reporting operators applied to the wrong types.
pub(crate) fn expr(env: &mut dyn Env, expr: &Expr) -> Type {
    match &expr.kind {
        ExprKind::Str(text) => {
            interpolations(env, text);
            Type::Value(Ty::Text)
        }
        ExprKind::Number(_) => Type::Value(Ty::Number),
        ExprKind::Bool(_) => Type::Value(Ty::Bool),
        ExprKind::Duration(_) => Type::Value(Ty::Duration),
        ExprKind::Time(_) => Type::Value(Ty::Time),
        ExprKind::Date(_) => Type::Value(Ty::Date),
        ExprKind::Range { .. } => Type::Value(Ty::Range),
        ExprKind::List(items) => {
            for item in items {
                self::expr(env, item);
            }
            Type::Unknown
        }
        ExprKind::Path(p) => path(env, p),
        ExprKind::Paren(inner) => self::expr(env, inner),
        ExprKind::Unary(op, operand) => {
            let (want, name, symbol) = match op {
                UnaryOp::Not => (Ty::Bool, "a bool", "not"),
                UnaryOp::Neg => (Ty::Number, "a number", "-"),
            };
            let ty = self::expr(env, operand);
            expect(env, ty, want, symbol, name, operand);
            Type::Value(want)
        }
        ExprKind::Binary(op, left, right) => binary(env, *op, left, right),
    }
}

fn expect(
    env: &mut dyn Env,
    ty: Type,
    want: Ty,
    op: &'static str,
    expected: &'static str,
    at: &Expr,
) -> bool {
    if ty.is(want) {
        return true;
    }
    env.report(Problem::OperatorType {
        at: env.loc(at.span),
        op,
        expected,
        found: env.show(ty),
    });
    false
}

fn binary(env: &mut dyn Env, op: BinaryOp, left: &Expr, right: &Expr) -> Type {
    let symbol = op.symbol();
    match op {
        BinaryOp::And | BinaryOp::Or => {
            for side in [left, right] {
                let ty = expr(env, side);
                expect(env, ty, Ty::Bool, symbol, "bools", side);
            }
            Type::Value(Ty::Bool)
        }
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
            for side in [left, right] {
                let ty = expr(env, side);
                expect(env, ty, Ty::Number, symbol, "numbers", side);
            }
            Type::Value(Ty::Number)
        }
        BinaryOp::Eq | BinaryOp::Ne => {
            if let Some(ty) =
                enum_comparison(env, left, right).or_else(|| enum_comparison(env, right, left))
            {
                return ty;
            }
            let (lt, rt) = (expr(env, left), expr(env, right));
            if !lt.agrees(rt) || matches!(lt, Type::Record(_)) {
                env.report(Problem::OperatorType {
                    at: env.loc(right.span),
                    op: symbol,
                    expected: "two values of one type",
                    found: format!("{}, compared with {}", env.show(rt), env.show(lt)),
                });
            }
            Type::Value(Ty::Bool)
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let (lt, rt) = (expr(env, left), expr(env, right));
            let ordered = [Ty::Number, Ty::Duration, Ty::Time, Ty::Date];
            let expected = "two numbers, durations, times or dates";
            if !ordered.iter().any(|ty| lt.is(*ty)) {
                env.report(Problem::OperatorType {
                    at: env.loc(left.span),
                    op: symbol,
                    expected,
                    found: env.show(lt),
                });
            } else if !lt.agrees(rt) {
                env.report(Problem::OperatorType {
                    at: env.loc(right.span),
                    op: symbol,
                    expected,
                    found: format!("{}, compared with {}", env.show(rt), env.show(lt)),
                });
            }
            Type::Value(Ty::Bool)
        }
    }
}

/// `channel == telephony`: an enum value compared with one of its patterns, which is a
/// bare name and not a variable. `None` when the comparison is not of this shape.
fn enum_comparison(env: &mut dyn Env, value: &Expr, pattern: &Expr) -> Option<Type> {
    let ExprKind::Path(p) = &pattern.kind else {
        return None;
    };
    let [name] = p.segments.as_slice() else {
        return None;
    };
    let kind = enum_of(env, value)?;
    if kind.pattern(&name.name).is_some() && env.variable(&name.name).is_none() {
        expr(env, value);
        return Some(Type::Value(Ty::Bool));
    }
    None
}

/// The enum kind of a bare variable, without reporting anything.
fn enum_of(env: &mut dyn Env, value: &Expr) -> Option<EnumKind> {
    let ExprKind::Path(p) = &value.kind else {
        return None;
    };
    let [name] = p.segments.as_slice() else {
        return None;
    };
    match env.variable(&name.name)? {
        Type::Value(Ty::Enum(kind)) => Some(kind),
        _ => None,
    }
}

//! Step 2: the variables. Every `set`, `as` and `ask ... input ... as` in the program
//! assigns a conversation-wide variable; the first assignment in source order fixes its
//! type. The type of a variable first made by `set` is the type of its expression,
//! inferred on demand (memoised, so the step stays linear; a `set` whose expression
//! depends on itself gets an unknown type instead of looping).
//!
//! Conflicting later assignments are reported by the statement walk, not here.

use fluxo_grammar::ast::{self, Expr, Ident, Span};
use fluxo_stdlib::builtins;
use fluxo_stdlib::types::{InputType, Ty};
use rustc_hash::FxHashMap;

use super::declare::nested_blocks;
use super::types::{self, Env, Type};
use super::{call_card, flows, Cx, Loc, Problem, ProgramInfo, VariableInfo};
use crate::cards;
use crate::ParsedFile;

/// How a variable is first assigned.
enum First<'a> {
    Typed(Type),
    Set(&'a Expr),
}

pub(super) fn collect(cx: &mut Cx, files: &[ParsedFile]) {
    let mut firsts: Vec<(String, Loc, First)> = Vec::new();
    let mut seen: FxHashMap<String, usize> = FxHashMap::default();
    for (file, _, flow) in flows(files) {
        cx.file = file;
        let mut defs = Vec::new();
        definitions(&cx.program, &flow.body.stmts, &mut defs);
        for (name, def) in defs {
            if name.name.is_empty() || seen.contains_key(&name.name) {
                continue;
            }
            let at = cx.loc(name.span);
            if builtins::builtin(&name.name).is_some() {
                let name = name.name.clone();
                cx.report(Problem::Duplicate {
                    at,
                    first: None,
                    kind: "variable".to_string(),
                    name,
                });
                continue;
            }
            seen.insert(name.name.clone(), firsts.len());
            firsts.push((name.name.clone(), at, def));
        }
    }
    let mut infer = Infer {
        program: &cx.program,
        firsts: &firsts,
        seen: &seen,
        memo: vec![None; firsts.len()],
    };
    let tys: Vec<Type> = (0..firsts.len()).map(|idx| infer.type_of(idx)).collect();
    for ((name, loc, _), ty) in firsts.iter().zip(tys) {
        if !cx.program.index_variable(name, cx.program.variables.len()) {
            continue;
        }
        cx.program.variables.push(VariableInfo {
            name: name.clone(),
            ty,
            loc: *loc,
        });
    }
}

/// The assignments in `stmts` and below, in source order.
fn definitions<'a>(
    program: &ProgramInfo,
    stmts: &'a [ast::Stmt],
    out: &mut Vec<(&'a Ident, First<'a>)>,
) {
    for stmt in stmts {
        match &stmt.kind {
            ast::StmtKind::Set { var, value } => out.push((var, First::Set(value))),
            ast::StmtKind::Ask(ast::Ask {
                kind: ast::AskKind::Input { ty, var },
                ..
            }) => {
                let ty = InputType::from_name(&ty.name)
                    .map_or(Type::Unknown, |it| Type::Value(Ty::Input(it)));
                out.push((var, First::Typed(ty)));
            }
            ast::StmtKind::Call(call) => {
                let spec = call
                    .binding
                    .as_ref()
                    .and_then(|binding| call_card(call).map(|id| (binding, id.spec())));
                if let Some((binding, spec)) = spec {
                    out.push((
                        binding,
                        First::Typed(cards::binding_type(program, spec, call)),
                    ));
                }
            }
            _ => {}
        }
        nested_blocks(stmt, |block| definitions(program, block, out));
    }
}

struct Infer<'a, 'f> {
    program: &'a ProgramInfo,
    firsts: &'a [(String, Loc, First<'f>)],
    seen: &'a FxHashMap<String, usize>,
    /// `Some(Unknown)` also marks a variable being inferred, which cuts cycles.
    memo: Vec<Option<Type>>,
}

impl Infer<'_, '_> {
    fn type_of(&mut self, idx: usize) -> Type {
        if let Some(Some(ty)) = self.memo.get(idx) {
            return *ty;
        }
        self.memo[idx] = Some(Type::Unknown);
        let ty = match self.firsts.get(idx) {
            Some((_, _, First::Typed(ty))) => *ty,
            Some((_, _, First::Set(expr))) => types::expr(self, expr),
            None => Type::Unknown,
        };
        self.memo[idx] = Some(ty);
        ty
    }
}

/// Inference only asks: problems are reported when the statement walk types the same
/// expressions.
impl Env for Infer<'_, '_> {
    fn variable(&mut self, name: &str) -> Option<Type> {
        if let Some(builtin) = builtins::builtin(name) {
            return Some(Type::Value(builtin.ty));
        }
        let idx = *self.seen.get(name)?;
        Some(self.type_of(idx))
    }

    fn record_read(&mut self, _: &str, _: Loc) {}

    fn variable_names(&self) -> Vec<&str> {
        Vec::new()
    }

    fn fields(&self, script: usize) -> &[(String, Ty)] {
        self.program
            .scripts
            .get(script)
            .map_or(&[], |it| it.fields.as_slice())
    }

    fn report(&mut self, _: Problem) {}

    fn loc(&self, span: Span) -> Loc {
        Loc::new(fluxo_grammar::FileId(0), span)
    }

    fn show(&self, _: Type) -> String {
        String::new()
    }
}

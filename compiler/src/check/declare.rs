//! Step 1: the declarations. Every top-level item of every file goes into its kind's
//! namespace; two items of one kind with one name are an error pointing at both. Also
//! the `erp` line, script record types and the entry flow's existence.

use fluxo_grammar::ast::{self, EntityKind, Ident};
use fluxo_stdlib::erp::ErpSystem;
use fluxo_stdlib::types::{ItemKind, Ty};

use super::{suggest, Cx, FlowInfo, ItemInfo, LabelInfo, Loc, Problem, ScriptInfo};
use crate::index_of::IndexOf;
use crate::ParsedFile;

/// The types a script's record fields may have.
const FIELD_TYPES: [(&str, Ty); 6] = [
    ("text", Ty::Text),
    ("number", Ty::Number),
    ("bool", Ty::Bool),
    ("duration", Ty::Duration),
    ("time", Ty::Time),
    ("date", Ty::Date),
];

pub(super) fn collect(cx: &mut Cx, files: &[ParsedFile]) {
    let mut erp_line: Option<Loc> = None;
    // Most items of a large program are flows: their table is sized once rather than
    // rehashed whole each time it doubles.
    let items: usize = files.iter().map(|it| it.ast.items.len()).sum();
    cx.program.names[ItemKind::Flow as usize] = IndexOf::with_capacity(items);
    cx.program.flows.reserve(items);
    for file in files {
        cx.file = file.id;
        for (idx, item) in file.ast.items.iter().enumerate() {
            match &item.kind {
                ast::ItemKind::Erp(name) => declare_erp(cx, name, &mut erp_line),
                ast::ItemKind::Entity(entity) => {
                    let kind = entity_kind(entity.kind);
                    declare_item(cx, kind, &entity.name, idx, None);
                }
                ast::ItemKind::Attendant(attendant) => {
                    let department = Some(attendant.department.name.clone());
                    declare_item(cx, ItemKind::Attendant, &attendant.name, idx, department);
                }
                ast::ItemKind::Period(period) => {
                    declare_item(cx, ItemKind::Period, &period.name, idx, None)
                }
                ast::ItemKind::Script(script) => declare_script(cx, script, idx),
                ast::ItemKind::Flow(flow) => declare_flow(cx, flow, idx),
            }
        }
    }
    // Attendants name their department: resolved once every department is known.
    for file in files {
        cx.file = file.id;
        for item in &file.ast.items {
            if let ast::ItemKind::Attendant(attendant) = &item.kind {
                cx.resolve(ItemKind::Department, &attendant.department);
            }
        }
    }
    check_entry(cx, files);
}

fn entity_kind(kind: EntityKind) -> ItemKind {
    match kind {
        EntityKind::Department => ItemKind::Department,
        EntityKind::Tag => ItemKind::Tag,
        EntityKind::Group => ItemKind::Group,
        EntityKind::Branch => ItemKind::Branch,
        EntityKind::Template => ItemKind::Template,
        EntityKind::Agent => ItemKind::Agent,
    }
}

fn declare_erp(cx: &mut Cx, name: &Ident, erp_line: &mut Option<Loc>) {
    let at = cx.loc(name.span);
    if let Some(first) = *erp_line {
        cx.report(Problem::SecondErp { at, first });
        return;
    }
    *erp_line = Some(at);
    cx.erp_line = true;
    match ErpSystem::from_name(&name.name) {
        Some(system) => cx.program.erp = Some(system),
        None if name.name.is_empty() => {}
        None => {
            let names = ErpSystem::ALL.iter().map(|it| it.name());
            let suggestion = suggest::closest(&name.name, names);
            cx.report(Problem::UnknownErp {
                at,
                name: name.name.clone(),
                suggestion,
            });
        }
    }
}

/// Registers `name` in `kind`'s namespace; `false` (and a problem) if it is taken.
fn claim(cx: &mut Cx, kind: ItemKind, name: &Ident, idx: usize) -> bool {
    if name.name.is_empty() {
        return false;
    }
    if let Err(existing) = cx.program.claim_name(kind, &name.name, idx) {
        let first = match kind {
            ItemKind::Flow => cx.program.flows.get(existing).map(|it| it.loc),
            ItemKind::Script => cx.program.scripts.get(existing).map(|it| it.loc),
            _ => cx.program.items.get(existing).map(|it| it.loc),
        };
        cx.report(Problem::Duplicate {
            at: cx.loc(name.span),
            first,
            kind: kind.english().to_string(),
            name: name.name.clone(),
        });
        return false;
    }
    true
}

fn declare_item(
    cx: &mut Cx,
    kind: ItemKind,
    name: &Ident,
    item: usize,
    department: Option<String>,
) {
    let idx = cx.program.items.len();
    if claim(cx, kind, name, idx) {
        let loc = cx.loc(name.span);
        cx.program.items.push(ItemInfo {
            kind,
            name: name.name.clone(),
            loc,
            item,
            department,
        });
    }
}

fn declare_script(cx: &mut Cx, script: &ast::Script, item: usize) {
    let mut fields: Vec<(String, Ty)> = Vec::new();
    let mut seen: Vec<(&str, Loc)> = Vec::new();
    for field in &script.fields {
        let at = cx.loc(field.name.span);
        if let Some((_, first)) = seen.iter().find(|(name, _)| *name == field.name.name) {
            let first = Some(*first);
            cx.report(Problem::Duplicate {
                at,
                first,
                kind: "record field".to_string(),
                name: field.name.name.clone(),
            });
            continue;
        }
        seen.push((&field.name.name, at));
        match FIELD_TYPES.iter().find(|(name, _)| *name == field.ty.name) {
            Some((_, ty)) => fields.push((field.name.name.clone(), *ty)),
            None => {
                let names: Vec<&'static str> = FIELD_TYPES.iter().map(|(name, _)| *name).collect();
                let suggestion = suggest::closest(&field.ty.name, names.iter().copied());
                cx.report(Problem::UnknownType {
                    at: cx.loc(field.ty.span),
                    name: field.ty.name.clone(),
                    what: "field type",
                    options: names,
                    suggestion,
                });
            }
        }
    }
    let idx = cx.program.scripts.len();
    // Records are structural: the first script declaring the same fields (in any order)
    // names the type, so two scripts `-> { ok: bool }` can bind one variable.
    let mut sorted = fields.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let record = cx
        .program
        .scripts
        .iter()
        .position(|other| {
            let mut theirs = other.fields.clone();
            theirs.sort_by(|a, b| a.0.cmp(&b.0));
            theirs == sorted
        })
        .unwrap_or(idx);
    if claim(cx, ItemKind::Script, &script.name, idx) {
        cx.program.scripts.push(ScriptInfo {
            name: script.name.name.clone(),
            path: script.path.display(),
            record,
            fields,
            loc: cx.loc(script.name.span),
            item,
        });
    }
}

fn declare_flow(cx: &mut Cx, flow: &ast::Flow, item: usize) {
    let idx = cx.program.flows.len();
    if !claim(cx, ItemKind::Flow, &flow.name, idx) {
        return;
    }
    let mut labels: Vec<LabelInfo> = Vec::new();
    collect_labels(cx, &flow.body.stmts, &mut labels);
    cx.program.flows.push(FlowInfo {
        name: flow.name.name.clone(),
        loc: cx.loc(flow.name.span),
        item,
        labels,
        reached: false,
    });
}

/// The labels of a block and of the blocks nested in it, reporting duplicates; counts
/// the statements too (`ProgramInfo::statements`).
fn collect_labels(cx: &mut Cx, stmts: &[ast::Stmt], labels: &mut Vec<LabelInfo>) {
    cx.program.statements += stmts.len();
    for stmt in stmts {
        if let Some(label) = &stmt.label {
            let at = cx.loc(label.span);
            match labels.iter().find(|it| it.name == label.name) {
                Some(first) => {
                    let first = Some(first.loc);
                    cx.report(Problem::Duplicate {
                        at,
                        first,
                        kind: "label".to_string(),
                        name: label.name.clone(),
                    });
                }
                None => labels.push(LabelInfo {
                    name: label.name.clone(),
                    loc: at,
                }),
            }
        }
        nested_blocks(stmt, |block| collect_labels(cx, block, labels));
    }
}

/// Calls `each` with every statement list directly inside a statement, in source
/// order: arms' bodies, `if` branches. A visitor rather than a list: it runs for every
/// statement of the program, and most have nothing nested.
pub(super) fn nested_blocks<'a>(stmt: &'a ast::Stmt, mut each: impl FnMut(&'a [ast::Stmt])) {
    let arms = match &stmt.kind {
        ast::StmtKind::Ask(ask) => match &ask.kind {
            ast::AskKind::Choice { arms } | ast::AskKind::Confirm { arms } => arms,
            ast::AskKind::Input { .. } => return,
        },
        ast::StmtKind::When(when) => &when.arms,
        ast::StmtKind::Call(call) => match &call.arms {
            Some(arms) => arms,
            None => return,
        },
        ast::StmtKind::If(branch) => {
            let mut current = branch;
            loop {
                each(&current.then.stmts);
                match &current.otherwise {
                    Some(ast::Else::Block(block)) => return each(&block.stmts),
                    Some(ast::Else::If(next, _)) => current = next,
                    None => return,
                }
            }
        }
        _ => return,
    };
    for arm in &arms.arms {
        each(arm.body.stmts());
    }
}

fn check_entry(cx: &mut Cx, files: &[ParsedFile]) {
    if cx.program.entry_flow().is_some() {
        return;
    }
    // Point at the first flow: the program has flows, just not the one to start at. A
    // program without flows is pointed at its first item (or the start of its file):
    // otherwise it would pass the checker and fail only when lowered.
    let at = match cx.program.flows.first() {
        Some(first) => first.loc,
        None => {
            let Some(file) = files.first() else {
                return;
            };
            let span = file
                .ast
                .items
                .first()
                .map_or(ast::Span::new(0, 0), |item| item.span);
            Loc::new(file.id, span)
        }
    };
    let entry = cx.program.entry.clone();
    cx.report(Problem::MissingEntry { at, entry });
}

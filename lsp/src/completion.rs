//! Completion, by what the text before the cursor asks for: flows and labels after
//! `goto`, departments after `transfer to`, tags after `tag`, periods after
//! `when hours`; inside a card's parentheses its argument names with their types, and
//! after `name:` the declared names or enum values the parameter takes; at a `when`'s
//! arm the values of its subject; elsewhere the cards, the statement keywords and the
//! variables.

use fluxo_compiler::check::{ProgramInfo, Type};
use fluxo_grammar::FileId;
use fluxo_stdlib::builtins;
use fluxo_stdlib::catalogue::{CardId, Syntax};
use fluxo_stdlib::types::{EnumKind, ItemKind, Ty};
use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

use crate::hover;
use crate::project::Project;
use crate::syntax;

/// The completions at byte `offset` of document `file`.
pub fn complete(project: &Project, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let Some(doc) = project.doc(file) else {
        return Vec::new();
    };
    let text = &doc.text;
    let offset = syntax::floor(text, offset as usize);
    let program = &project.analysis.program;
    let line = &text[text[..offset].rfind('\n').map_or(0, |at| at + 1)..offset];
    let words: Vec<&str> = line.split_whitespace().collect();
    // The word being typed is not a context: `goto fo` completes like `goto `.
    let typing = !line.ends_with(char::is_whitespace);
    let context: &[&str] = match words.len().checked_sub(usize::from(typing)) {
        Some(n) => &words[..n],
        None => &[],
    };
    match context {
        [.., "goto"] => return goto_targets(project, file, offset as u32),
        [.., "transfer", "to"] | [.., "attendant", _, _, "in"] => {
            return names(program, ItemKind::Department)
        }
        [.., "transfer", "to", _, "attendant"] => return names(program, ItemKind::Attendant),
        [.., "tag"] => return names(program, ItemKind::Tag),
        [.., "when", "hours"] => return names(program, ItemKind::Period),
        _ => {}
    }
    if let Some((card, open)) = syntax::enclosing_call(text, offset) {
        return arguments(program, card, &text[open..offset]);
    }
    if let Some(subject) = syntax::when_subject(text, offset) {
        return arm_patterns(program, subject);
    }
    everything(program)
}

/// Inside `card(`: the value of the parameter being written, or the parameters left.
fn arguments(program: &ProgramInfo, card: CardId, written: &str) -> Vec<CompletionItem> {
    let spec = card.spec();
    let current = written.rsplit(',').next().unwrap_or("");
    if let Some((name, _)) = current.split_once(':') {
        return match spec.param(name.trim()).map(|it| it.ty) {
            Some(ty) => values(program, ty),
            None => Vec::new(),
        };
    }
    let given: Vec<&str> = written
        .split(',')
        .filter_map(|arg| arg.split_once(':').map(|(name, _)| name.trim()))
        .collect();
    spec.args()
        .filter(|param| !given.contains(&param.name))
        .map(|param| CompletionItem {
            label: param.name.to_string(),
            kind: Some(CompletionItemKind::FIELD),
            detail: Some(param.ty.to_string()),
            documentation: Some(markdown(hover::param_line(param))),
            insert_text: Some(format!("{}: ", param.name)),
            ..CompletionItem::default()
        })
        .collect()
}

/// The values a parameter of type `ty` takes, where the program or the catalogue
/// knows them.
fn values(program: &ProgramInfo, ty: Ty) -> Vec<CompletionItem> {
    match ty {
        Ty::Ref(kind) => names(program, kind),
        Ty::List(Ty::Ref(kind)) => names(program, *kind),
        Ty::Enum(kind) => kind
            .patterns()
            .iter()
            .map(|it| item(it.name, CompletionItemKind::ENUM_MEMBER, kind.name()))
            .collect(),
        Ty::Bool => ["true", "false"]
            .iter()
            .map(|it| item(it, CompletionItemKind::KEYWORD, "bool"))
            .collect(),
        _ => Vec::new(),
    }
}

/// The patterns of a `when`'s arms: the values of its subject's enum, the declared tags
/// or branches, then `else`.
fn arm_patterns(program: &ProgramInfo, subject: &str) -> Vec<CompletionItem> {
    let ty = match subject {
        "hours" => Some(Ty::Enum(EnumKind::Hours)),
        "tag" => Some(Ty::Ref(ItemKind::Tag)),
        "branch" => Some(Ty::Ref(ItemKind::Branch)),
        name => match program.variable(name).map(|it| it.ty) {
            Some(Type::Value(ty)) => Some(ty),
            Some(_) => None,
            None => builtins::builtin(name).map(|it| it.ty),
        },
    };
    let mut out = ty.map(|ty| values(program, ty)).unwrap_or_default();
    out.push(item("else", CompletionItemKind::KEYWORD, "any other value"));
    out
}

/// `goto`: the labels of the flow the cursor is in, then every flow.
fn goto_targets(project: &Project, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let program = &project.analysis.program;
    let flow = project
        .tree(file)
        .and_then(|tree| syntax::enclosing_flow(&tree.ast, offset))
        .and_then(|flow| program.flow(&flow.name.name))
        .and_then(|idx| program.flows.get(idx));
    let labels = flow.into_iter().flat_map(|flow| {
        flow.labels
            .iter()
            .map(move |it| item(&it.name, CompletionItemKind::REFERENCE, "label"))
    });
    labels.chain(names(program, ItemKind::Flow)).collect()
}

/// The declared names of `kind`.
fn names(program: &ProgramInfo, kind: ItemKind) -> Vec<CompletionItem> {
    let (names, icon): (Vec<&str>, _) = match kind {
        ItemKind::Flow => (
            program.flows.iter().map(|it| it.name.as_str()).collect(),
            CompletionItemKind::FUNCTION,
        ),
        ItemKind::Script => (
            program.scripts.iter().map(|it| it.name.as_str()).collect(),
            CompletionItemKind::MODULE,
        ),
        _ => (
            program
                .items
                .iter()
                .filter(|it| it.kind == kind)
                .map(|it| it.name.as_str())
                .collect(),
            CompletionItemKind::CONSTANT,
        ),
    };
    names
        .into_iter()
        .map(|name| item(name, icon, kind.english()))
        .collect()
}

/// Anywhere else: cards, statement keywords and variables.
fn everything(program: &ProgramInfo) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    let mut keywords: Vec<&str> = Vec::new();
    for card in CardId::ALL {
        let spec = card.spec();
        let label = match spec.syntax {
            Syntax::Call => spec.name,
            // `ask_choice`, `ask_confirm` and `ask_input` are all written `ask`.
            Syntax::Statement => spec.name.split('_').next().unwrap_or(spec.name),
        };
        if keywords.contains(&label) {
            continue;
        }
        keywords.push(label);
        out.push(CompletionItem {
            label: label.to_string(),
            kind: Some(match spec.syntax {
                Syntax::Call => CompletionItemKind::FUNCTION,
                Syntax::Statement => CompletionItemKind::KEYWORD,
            }),
            detail: Some(spec.form.to_string()),
            documentation: Some(markdown(hover::card_doc(spec))),
            ..CompletionItem::default()
        });
    }
    for var in &program.variables {
        out.push(item(
            &var.name,
            CompletionItemKind::VARIABLE,
            &program.show_type(var.ty),
        ));
    }
    for var in builtins::builtins() {
        out.push(item(
            var.name,
            CompletionItemKind::VARIABLE,
            &var.ty.to_string(),
        ));
    }
    out
}

fn item(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..CompletionItem::default()
    }
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

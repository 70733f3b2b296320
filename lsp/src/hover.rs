//! Hover: what a name under the cursor is. A declared name shows its kind and title (a
//! flow's title, a department's name), a variable its type, a card its documentation
//! and parameters from the catalogue, an argument name its parameter's documentation.

use fluxo_compiler::check::{ProgramInfo, Type};
use fluxo_compiler::symbols::Symbol;
use fluxo_grammar::{ast, FileId};
use fluxo_stdlib::builtins;
use fluxo_stdlib::catalogue::{CardId, CardSpec, ParamDefault, ParamSpec};
use fluxo_stdlib::types::ItemKind;

use crate::project::Project;
use crate::syntax;

/// The Markdown shown for byte `offset` of document `file`.
pub fn hover(project: &Project, file: FileId, offset: u32) -> Option<String> {
    let program = &project.analysis.program;
    if let Some(symbol) = program.symbol_at(file, offset) {
        return Some(symbol_doc(project, symbol));
    }
    let text = &project.doc(file)?.text;
    let (start, word) = syntax::word_at(text, offset as usize)?;
    let after = text[start + word.len()..].trim_start();
    if after.starts_with(':') {
        if let Some((card, _)) = syntax::enclosing_call(text, start) {
            if let Some(param) = card.spec().param(word) {
                return Some(param_doc(card.spec(), param));
            }
        }
    }
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |at| start + at);
    let card = match word {
        "ask" => syntax::ask_card(&text[line_start..line_end]),
        _ => CardId::from_name(word),
    };
    if let Some(card) = card {
        return Some(card_doc(card.spec()));
    }
    let var = builtins::builtin(word)?;
    Some(format!(
        "```fluxo\n{}: {}\n```\nBuilt-in variable. {}",
        var.name, var.ty, var.doc
    ))
}

fn symbol_doc(project: &Project, symbol: Symbol) -> String {
    let program = &project.analysis.program;
    match symbol {
        Symbol::Item(ItemKind::Flow, idx) => {
            let Some(flow) = program.flows.get(idx) else {
                return String::new();
            };
            let title = item_ast(project, flow.loc.file, flow.item).and_then(|it| match it {
                ast::ItemKind::Flow(flow) => flow.title.as_ref().map(ast::Str::display),
                _ => None,
            });
            let mut out = format!("```fluxo\nflow {}\n```", flow.name);
            if let Some(title) = title {
                out.push_str(&format!("\n{title}"));
            }
            out
        }
        Symbol::Item(ItemKind::Script, idx) => {
            let Some(script) = program.scripts.get(idx) else {
                return String::new();
            };
            let fields: Vec<String> = script
                .fields
                .iter()
                .map(|(name, ty)| format!("{name}: {ty}"))
                .collect();
            format!(
                "```fluxo\nscript {} \"{}\" -> {{ {} }}\n```\nLow Code script.",
                script.name,
                script.path,
                fields.join(", ")
            )
        }
        Symbol::Item(kind, idx) => {
            let Some(item) = program.items.get(idx) else {
                return String::new();
            };
            let title = item_ast(project, item.loc.file, item.item).and_then(|it| match it {
                ast::ItemKind::Entity(entity) => Some(entity.title.display()),
                ast::ItemKind::Attendant(attendant) => Some(attendant.title.display()),
                ast::ItemKind::Period(period) => Some(period.title.display()),
                _ => None,
            });
            let mut out = format!("```fluxo\n{} {}\n```", kind.english(), item.name);
            if let Some(title) = title {
                out.push_str(&format!("\n{title}"));
            }
            if let Some(department) = &item.department {
                out.push_str(&format!(" (department `{department}`)"));
            }
            out
        }
        Symbol::Label { flow, label } => {
            let flow = program.flows.get(flow);
            let name = flow
                .and_then(|it| it.labels.get(label))
                .map_or("", |it| it.name.as_str());
            let owner = flow.map_or("", |it| it.name.as_str());
            format!("```fluxo\n{name}:\n```\nLabel of flow `{owner}`.")
        }
        Symbol::Variable(idx) => match program.variables.get(idx) {
            Some(var) => variable_doc(program, &var.name, var.ty),
            None => String::new(),
        },
    }
}

fn variable_doc(program: &ProgramInfo, name: &str, ty: Type) -> String {
    format!(
        "```fluxo\n{name}\n```\nVariable: {}.",
        program.show_type(ty)
    )
}

fn item_ast(project: &Project, file: FileId, item: usize) -> Option<&ast::ItemKind> {
    project.tree(file)?.ast.items.get(item).map(|it| &it.kind)
}

/// A card's documentation: how it is written, what it does, its parameters.
pub fn card_doc(spec: &CardSpec) -> String {
    let mut out = format!(
        "```fluxo\n{}\n```\n{}\n\n{}",
        spec.form, spec.summary, spec.doc
    );
    let params: Vec<String> = spec.params().map(param_line).collect();
    if !params.is_empty() {
        out.push_str("\n\nParameters:\n");
        out.push_str(&params.join("\n"));
    }
    out
}

/// One parameter as a list line: name, type, default, documentation.
pub fn param_line(param: &ParamSpec) -> String {
    let default = match param.default {
        ParamDefault::Required => " (required)".to_string(),
        ParamDefault::Optional => String::new(),
        ParamDefault::Value(value) => format!(" = {}", value.to_source()),
    };
    format!("- `{}: {}`{default} — {}", param.name, param.ty, param.doc)
}

fn param_doc(spec: &CardSpec, param: &ParamSpec) -> String {
    format!("{}\n\nParameter of `{}`.", param_line(param), spec.name)
}

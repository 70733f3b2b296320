//! A document's shape: its symbols (flows with their labels, declarations), its
//! folding ranges (items and blocks over several lines), and the canonical layout
//! (`fluxo fmt`) as one edit.

use fluxo_grammar::ast::{self, Span};
use fluxo_grammar::FileId;
use lsp_types::{DocumentSymbol, FoldingRange, Range, SymbolKind, TextEdit};

use crate::project::Project;
use crate::syntax;

/// Flows (labels as their children) and declarations, in source order.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written, though deprecated.
pub fn symbols(project: &Project, file: FileId) -> Vec<DocumentSymbol> {
    let Some(tree) = project.tree(file) else {
        return Vec::new();
    };
    let range = |span: Span| project.range(file, span);
    let symbol = |name: &ast::Ident, detail: Option<String>, kind, span, children| DocumentSymbol {
        name: name.name.clone(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: range(span),
        selection_range: range(name.span),
        children,
    };
    let mut out = Vec::new();
    for item in &tree.ast.items {
        // A declaration: its name, what it is and its title (a script: its file).
        let declared = |name, keyword: &str, title: &ast::Str, kind| {
            Some((
                name,
                Some(format!("{keyword} {}", title.display())),
                kind,
                None,
            ))
        };
        let found = match &item.kind {
            ast::ItemKind::Erp(name) => Some((name, None, SymbolKind::PACKAGE, None)),
            ast::ItemKind::Entity(it) => {
                declared(&it.name, it.kind.keyword(), &it.title, SymbolKind::CONSTANT)
            }
            ast::ItemKind::Attendant(it) => {
                declared(&it.name, "attendant", &it.title, SymbolKind::CONSTANT)
            }
            ast::ItemKind::Period(it) => {
                declared(&it.name, "period", &it.title, SymbolKind::CONSTANT)
            }
            ast::ItemKind::Script(it) => declared(&it.name, "script", &it.path, SymbolKind::MODULE),
            ast::ItemKind::Flow(flow) => {
                let mut labels = Vec::new();
                each_stmt(&flow.body.stmts, &mut |stmt| {
                    if let Some(label) = &stmt.label {
                        labels.push(symbol(label, None, SymbolKind::KEY, stmt.span, None));
                    }
                });
                let title = flow.title.as_ref().map(ast::Str::display);
                Some((&flow.name, title, SymbolKind::FUNCTION, Some(labels)))
            }
        };
        if let Some((name, detail, kind, children)) = found {
            if !name.name.is_empty() {
                out.push(symbol(name, detail, kind, item.span, children));
            }
        }
    }
    out
}

/// Every statement of `stmts`, nested ones included, in source order.
fn each_stmt<'a>(stmts: &'a [ast::Stmt], each: &mut dyn FnMut(&'a ast::Stmt)) {
    for stmt in stmts {
        each(stmt);
        let mut nested: Vec<&'a ast::Block> = Vec::new();
        syntax::nested_blocks(std::slice::from_ref(stmt), &mut |block| nested.push(block));
        // `nested_blocks` reaches every depth itself: only the statements of each block.
        for block in nested {
            for inner in &block.stmts {
                each(inner);
            }
        }
    }
}

/// Items and blocks that span several lines.
pub fn folding(project: &Project, file: FileId) -> Vec<FoldingRange> {
    let Some(tree) = project.tree(file) else {
        return Vec::new();
    };
    let mut spans: Vec<Span> = Vec::new();
    for item in &tree.ast.items {
        spans.push(item.span);
        if let ast::ItemKind::Flow(flow) = &item.kind {
            syntax::nested_blocks(&flow.body.stmts, &mut |block| spans.push(block.span));
        }
    }
    spans
        .into_iter()
        .map(|span| project.range(file, span))
        .filter(|range| range.end.line > range.start.line)
        .map(|range| FoldingRange {
            start_line: range.start.line,
            end_line: range.end.line,
            ..FoldingRange::default()
        })
        .collect()
}

/// The whole document in the canonical layout, as one edit; none when it already is
/// or has syntax errors (which the diagnostics show).
pub fn format(project: &Project, file: FileId) -> Vec<TextEdit> {
    let Some(doc) = project.doc(file) else {
        return Vec::new();
    };
    match fluxo_grammar::format_source(file, &doc.text) {
        Ok(formatted) if formatted != doc.text => {
            let end = doc.lines.position(&doc.text, u32::MAX);
            vec![TextEdit {
                range: Range {
                    start: lsp_types::Position::new(0, 0),
                    end,
                },
                new_text: formatted,
            }]
        }
        _ => Vec::new(),
    }
}

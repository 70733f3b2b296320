//! Go to definition, find references and rename, all read from the symbol index the
//! checker filled: flows, labels, declarations, scripts and variables, across files.

use std::collections::HashMap;

use fluxo_compiler::check::Loc;
use fluxo_compiler::symbols::Symbol;
use fluxo_grammar::FileId;
use lsp_types::{Location, Range, TextEdit, Uri, WorkspaceEdit};

use crate::project::Project;

/// Where the name at `offset` is declared.
pub fn definition(project: &Project, file: FileId, offset: u32) -> Option<Location> {
    let program = &project.analysis.program;
    let symbol = program.symbol_at(file, offset)?;
    location(project, program.definition(symbol)?)
}

/// Every place the name at `offset` is named, its declaration first when asked for.
pub fn references(
    project: &Project,
    file: FileId,
    offset: u32,
    declaration: bool,
) -> Vec<Location> {
    let program = &project.analysis.program;
    let Some(symbol) = program.symbol_at(file, offset) else {
        return Vec::new();
    };
    let definition = program.definition(symbol);
    program
        .occurrences(symbol)
        .into_iter()
        .filter(|loc| declaration || Some(*loc) != definition)
        .filter_map(|loc| location(project, loc))
        .collect()
}

/// The range of the renamable name at `offset`, with its current text.
pub fn prepare_rename(project: &Project, file: FileId, offset: u32) -> Option<(Range, String)> {
    let program = &project.analysis.program;
    let symbol = program.symbol_at(file, offset)?;
    let loc = program
        .occurrences(symbol)
        .into_iter()
        .find(|loc| loc.file == file && loc.span.start <= offset && offset <= loc.span.end)?;
    let text = &project.doc(file)?.text;
    let name = text.get(loc.span.range())?.to_string();
    Some((project.range(loc.file, loc.span), name))
}

/// The edits renaming the symbol at `offset` to `new_name`, or why it cannot be.
pub fn rename(
    project: &Project,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let program = &project.analysis.program;
    let symbol = program
        .symbol_at(file, offset)
        .ok_or("there is no flow, label, declaration or variable here to rename")?;
    if !is_name(new_name) {
        return Err(format!("`{new_name}` is not a name: use lowercase letters, digits and `_`, not starting with a digit"));
    }
    if fluxo_grammar::keywords::RESERVED.contains(&new_name) {
        return Err(format!("`{new_name}` is a keyword of the language"));
    }
    if let Symbol::Variable(_) = symbol {
        if fluxo_stdlib::builtins::builtin(new_name).is_some() {
            return Err(format!("`{new_name}` is a built-in variable"));
        }
    }
    // The map's type is the protocol's (`WorkspaceEdit::changes`); a `Uri` is never
    // mutated while it is a key.
    #[allow(clippy::mutable_key_type)]
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for loc in program.occurrences(symbol) {
        let Some(uri) = project.uri_of(loc.file) else {
            continue;
        };
        changes.entry(uri).or_default().push(TextEdit {
            range: project.range(loc.file, loc.span),
            new_text: new_name.to_string(),
        });
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

/// A name as the grammar reads one: a lowercase ASCII letter or `_`, then lowercase
/// letters, digits and `_`.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|ch| ch.is_ascii_lowercase() || ch == '_')
        && chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
}

fn location(project: &Project, loc: Loc) -> Option<Location> {
    Some(Location {
        uri: project.uri_of(loc.file)?,
        range: project.range(loc.file, loc.span),
    })
}

//! What an import changes in a project, definition by definition: which flows and
//! declarations it adds, changes (in text or file) and removes.

use std::collections::BTreeMap;

use fluxo_grammar::ast::File;

use super::{key, layout, ProjectFile};

/// Definitions as `kind name` (`flow main`), sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

/// The definitions of `after` against those of `before` (files that do not parse
/// count as defining nothing).
pub fn changes(before: &[ProjectFile], after: &[ProjectFile]) -> Changes {
    let (before, after) = (definitions(before), definitions(after));
    let mut out = Changes::default();
    for (name, new) in &after {
        match before.get(name) {
            None => out.added.push(name.clone()),
            Some(old) if old != new => out.changed.push(name.clone()),
            Some(_) => out.unchanged += 1,
        }
    }
    out.removed = before
        .keys()
        .filter(|name| !after.contains_key(*name))
        .cloned()
        .collect();
    out
}

/// Each definition's file and formatted text (comments included), by `kind name`.
fn definitions(files: &[ProjectFile]) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for file in files.iter().filter(|f| f.path.ends_with(".flow")) {
        let Ok((formatted, ast)) = layout::formatted(&file.text) else {
            continue;
        };
        let (layouts, _) = layout::of_file(&formatted, &ast);
        for (item, layout) in ast.items.iter().zip(layouts) {
            let text = fluxo_grammar::format(
                &File {
                    items: vec![item.clone()],
                },
                &[],
                "",
            );
            let gaps: Vec<String> = layout
                .gaps
                .into_iter()
                .map(|g| format!("{}.{}:{}", g.antes, g.atributo, g.texto))
                .collect();
            let name = key(item);
            let name = match name.split_once(' ') {
                Some((kind, n)) => format!("{kind} `{n}`"),
                None => name,
            };
            out.insert(name, (file.path.clone(), text + gaps.concat().as_str()));
        }
    }
    out
}

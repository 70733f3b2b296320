//! A project (its `.flow` files and Low Code scripts, by path in the project folder) as
//! one Opa JSON document and back, byte for byte after `fmt`.
//!
//! Each record of the document carries `_texto` (docs/opa-json.md, "Project text"): its
//! file, its place among the file's items, the file's fingerprint at export and the
//! comments and blank lines around its tokens ([`super::layout`]); each script carries
//! its source. Import puts every record back in its file and place; a record without
//! `_texto` (an editor's own export, a flow added in the editor) goes where the local
//! project has that name, else to a file of its own, never over another.

mod changes;
mod paths;

use std::collections::{BTreeMap, HashMap, HashSet};

use fluxo_grammar::ast::{File, Item, ItemKind as Kind};
use fluxo_stdlib::types::ItemKind;

pub use changes::{changes, Changes};

use super::layout::{self, ItemLayout};
use super::schema::{Document, TextDto};
use super::{ids, JsonError, Warning};

/// A file of a project: its path in the project folder (`/` between folders) and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectFile {
    pub path: String,
    pub text: String,
}

impl ProjectFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> ProjectFile {
        ProjectFile {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// An exported project: the document, and what it could not carry.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    pub json: String,
    pub warnings: Vec<Warning>,
}

/// An imported project.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedProject {
    /// Every `.flow` file and script of the project, by path.
    pub files: Vec<ProjectFile>,
    /// The fingerprint (see [`fingerprint`]) each `.flow` file had when it was exported,
    /// for the files the document records one for.
    pub bases: BTreeMap<String, String>,
    pub warnings: Vec<Warning>,
}

/// What export records of a `.flow` file to notice later local changes: a hash of the
/// file as `fmt` writes it (so reformatting is no change). `None` when it does not parse.
pub fn fingerprint(src: &str) -> Option<String> {
    layout::formatted(src).ok().map(|(text, _)| hash(&text))
}

fn hash(formatted: &str) -> String {
    ids::object_id(formatted)
}

/// The document of a project: `flows` are its `.flow` files, `scripts` the scripts they
/// name (a script it cannot find travels without its source, with a warning).
pub fn export(flows: &[ProjectFile], scripts: &[ProjectFile]) -> Result<Exported, JsonError> {
    let mut flows: Vec<&ProjectFile> = flows.iter().collect();
    flows.sort_by(|a, b| a.path.cmp(&b.path));
    let mut asts = Vec::new();
    let mut texts = HashMap::new();
    let mut wanted = HashMap::new();
    let mut warnings = Vec::new();
    for file in flows {
        paths::flow_path(&file.path).map_err(|m| error(&file.path, m))?;
        let (formatted, ast) = layout::formatted(&file.text)
            .map_err(|m| error(&file.path, format!("syntax error: {m}")))?;
        if ast.items.is_empty() && !formatted.is_empty() {
            warnings.push(Warning {
                path: file.path.clone(),
                message: "a file with no flow or declaration is not carried".into(),
            });
        }
        texts.extend(texts_of(&file.path, &formatted, &ast, true));
        for item in &ast.items {
            if let Kind::Script(script) = &item.kind {
                wanted.insert(
                    script.name.name.clone(),
                    paths::script_path(&file.path, &script.path.display()),
                );
            }
        }
        asts.push(ast);
    }
    let mut doc = super::export::document(&asts)?;
    for (key, texto) in records(&mut doc) {
        *texto = texts.remove(&key);
    }
    for (i, script) in doc.scripts.iter_mut().enumerate() {
        let found = match wanted.get(&script.nome) {
            Some(Ok(path)) => scripts
                .iter()
                .find(|s| &s.path == path)
                .ok_or_else(|| format!("`{path}` could not be read")),
            Some(Err(why)) => Err(why.clone()),
            None => continue,
        };
        match found {
            Ok(file) => script.fonte = Some(file.text.clone()),
            Err(why) => warnings.push(Warning {
                path: format!("scripts[{i}]"),
                message: format!(
                    "the source of script `{}` is not carried: {why}",
                    script.nome
                ),
            }),
        }
    }
    let mut json = serde_json::to_string_pretty(&doc).map_err(|e| JsonError {
        path: None,
        position: None,
        message: format!("cannot write JSON: {e}"),
    })?;
    json.push('\n');
    Ok(Exported { json, warnings })
}

/// Reads a document into the files of a project. `local` is the project already in the
/// output folder (its `.flow` files; empty for a new folder): a record the document
/// does not place goes where `local` has its name, with its comments.
pub fn import(json: &str, local: &[ProjectFile]) -> Result<ImportedProject, JsonError> {
    let (imported, mut doc) = super::read(json)?;
    let mut warnings = imported.warnings.clone();
    let sources: HashMap<String, String> = doc
        .scripts
        .iter()
        .filter_map(|s| Some((s.nome.clone(), s.fonte.clone()?)))
        .collect();
    let mut texts = HashMap::new();
    let mut bases = BTreeMap::new();
    for (key, texto) in records(&mut doc) {
        if let Some(texto) = texto.take() {
            paths::flow_path(&texto.arquivo).map_err(|m| JsonError {
                path: Some(format!("{key}: _texto.arquivo")),
                position: None,
                message: m,
            })?;
            if let Some(base) = &texto.base {
                bases.insert(texto.arquivo.clone(), base.clone());
            }
            texts.insert(key, texto);
        }
    }
    for file in local {
        if let (Ok(()), Ok((formatted, ast))) =
            (paths::flow_path(&file.path), layout::formatted(&file.text))
        {
            for (key, texto) in texts_of(&file.path, &formatted, &ast, false) {
                texts.entry(key).or_insert(texto);
            }
        }
    }
    let items: Vec<&Item> = imported.items().collect();
    let placed = place(&items, &texts);
    let mut files = Vec::new();
    let mut script_files: BTreeMap<String, String> = BTreeMap::new();
    for (path, group) in &placed {
        files.push(ProjectFile::new(
            path,
            file_text(path, group, &mut warnings),
        ));
        for (item, _) in group {
            let Kind::Script(script) = &item.kind else {
                continue;
            };
            let Some(source) = sources.get(&script.name.name) else {
                continue;
            };
            let at = format!("script `{}`", script.name.name);
            let target =
                paths::script_path(path, &script.path.display()).map_err(|m| error(&at, m))?;
            if let Some(other) = script_files.insert(target.clone(), source.clone()) {
                if &other != source {
                    return Err(error(
                        &at,
                        format!("two scripts with different sources go to `{target}`"),
                    ));
                }
            }
        }
    }
    files.extend(
        script_files
            .into_iter()
            .map(|(path, text)| ProjectFile { path, text }),
    );
    let mut seen = HashSet::new();
    for file in &files {
        if !seen.insert(file.path.to_lowercase()) {
            return Err(error(
                &file.path,
                "two files of the project would have this name".into(),
            ));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ImportedProject {
        files,
        bases,
        warnings,
    })
}

type Placed<'a> = BTreeMap<String, Vec<(&'a Item, Option<&'a TextDto>)>>;

/// The file and order of every item: by its `_texto`, else `entities.flow` for a
/// declaration and a file named for a flow, on no file another item already has.
fn place<'a>(items: &[&'a Item], texts: &'a HashMap<String, TextDto>) -> Placed<'a> {
    let mut claimed: HashSet<String> = texts.values().map(|t| t.arquivo.to_lowercase()).collect();
    // Per file: (order in the file, order in the document, item, text record).
    type Entry<'a> = (usize, usize, &'a Item, Option<&'a TextDto>);
    let mut placed: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let texto = texts.get(&key(item));
        let path = match (texto, &item.kind) {
            (Some(t), _) => t.arquivo.clone(),
            (None, Kind::Flow(flow)) => {
                let name = &flow.name.name;
                let path = (1..)
                    .map(|n| match n {
                        1 => format!("{name}.flow"),
                        n => format!("{name}-{n}.flow"),
                    })
                    .find(|p| !claimed.contains(&p.to_lowercase()))
                    .unwrap_or_default();
                claimed.insert(path.clone());
                path
            }
            (None, _) => {
                claimed.insert(ENTITIES.into());
                ENTITIES.into()
            }
        };
        let order = texto.map_or(usize::MAX, |t| t.ordem);
        placed
            .entry(path)
            .or_default()
            .push((order, i, item, texto));
    }
    placed
        .into_iter()
        .map(|(path, mut group)| {
            group.sort_by_key(|&(order, i, _, _)| (order, i));
            let group = group.into_iter().map(|(_, _, item, t)| (item, t)).collect();
            (path, group)
        })
        .collect()
}

/// Where declarations the document does not place go (flows go to `<name>.flow`).
const ENTITIES: &str = "entities.flow";

/// One file's text: its items with their comments and blank lines, formatted.
fn file_text(
    path: &str,
    group: &[(&Item, Option<&TextDto>)],
    warnings: &mut Vec<Warning>,
) -> String {
    let layouts: Vec<Option<ItemLayout>> = group
        .iter()
        .map(|(_, t)| {
            t.map(|t| ItemLayout {
                tokens: t.simbolos,
                gaps: t.trechos.clone(),
            })
        })
        .collect();
    let items: Vec<(&Item, Option<&ItemLayout>)> = group
        .iter()
        .zip(&layouts)
        .map(|((item, _), l)| (*item, l.as_ref()))
        .collect();
    let end = group
        .iter()
        .find_map(|(_, t)| t.and_then(|t| t.fim.as_deref()));
    match layout::rebuild(&items, end.unwrap_or("")) {
        Some((text, moved)) => {
            for i in moved {
                warnings.push(Warning {
                    path: path.into(),
                    message: format!(
                        "{} changed since it was exported; its comments were put back by \
                         position, check them",
                        what(group[i].0)
                    ),
                });
            }
            text
        }
        None => {
            warnings.push(Warning {
                path: path.into(),
                message: "the comments and blank lines recorded for this file do not fit \
                          its items; it is written without them"
                    .into(),
            });
            let file = File {
                items: group.iter().map(|(item, _)| (*item).clone()).collect(),
            };
            fluxo_grammar::format(&file, &[], "")
        }
    }
}

/// The `_texto` record of every item of a formatted file (`ast` parsed from it).
fn texts_of(path: &str, formatted: &str, ast: &File, with_base: bool) -> Vec<(String, TextDto)> {
    let (layouts, end) = layout::of_file(formatted, ast);
    let base = with_base.then(|| hash(formatted));
    let last = ast.items.len().saturating_sub(1);
    ast.items
        .iter()
        .zip(layouts)
        .enumerate()
        .map(|(i, (item, l))| {
            let texto = TextDto {
                arquivo: path.to_string(),
                ordem: i,
                base: base.clone(),
                simbolos: l.tokens,
                trechos: l.gaps,
                fim: (i == last && end != "\n").then(|| end.clone()),
            };
            (key(item), texto)
        })
        .collect()
}

/// What names an item across a document and a project: `flow main`, `erp ixc`.
fn key(item: &Item) -> String {
    match (&item.kind, super::declared(item)) {
        (Kind::Erp(system), _) => format!("erp {}", system.name),
        (_, Some((kind, name))) => format!("{} {name}", kind.keyword()),
        (_, None) => String::new(),
    }
}

/// `flow main`, for messages.
fn what(item: &Item) -> String {
    let key = key(item);
    match key.split_once(' ') {
        Some((kind, name)) => format!("{kind} `{name}`"),
        None => key,
    }
}

/// The `_texto` of every record of a document, with the key of its item.
fn records(doc: &mut Document) -> Vec<(String, &mut Option<TextDto>)> {
    let named = |kind: ItemKind, name: &str| format!("{} {name}", kind.keyword());
    let mut out = Vec::new();
    for e in &mut doc.erp {
        out.push((format!("erp {}", e.sistema), &mut e.texto));
    }
    for (kind, list) in [
        (ItemKind::Department, &mut doc.departamentos),
        (ItemKind::Tag, &mut doc.etiquetas),
        (ItemKind::Group, &mut doc.grupos),
        (ItemKind::Branch, &mut doc.filiais),
        (ItemKind::Template, &mut doc.modelos),
        (ItemKind::Agent, &mut doc.agentes),
    ] {
        for e in list {
            out.push((named(kind, &e.nome), &mut e.texto));
        }
    }
    for a in &mut doc.atendentes {
        out.push((named(ItemKind::Attendant, &a.nome), &mut a.texto));
    }
    for p in &mut doc.periodos {
        out.push((named(ItemKind::Period, &p.nome), &mut p.texto));
    }
    for s in &mut doc.scripts {
        out.push((named(ItemKind::Script, &s.nome), &mut s.texto));
    }
    for f in &mut doc.fluxos {
        out.push((named(ItemKind::Flow, &f.nome), &mut f.texto));
    }
    out
}

fn error(path: &str, message: String) -> JsonError {
    JsonError {
        path: Some(path.to_string()),
        position: None,
        message,
    }
}

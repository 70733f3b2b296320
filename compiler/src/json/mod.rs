//! The Opa JSON frontend: lossless conversion between Fluxo syntax trees and the Opa
//! editor's flow export (documented in `docs/opa-json.md`).
//!
//! [`export`] turns parsed files into one JSON document; [`import`] turns a document back
//! into declarations and one flow item per flow, with warnings for dangling cards and
//! connectors. The wire shape lives in [`schema`] alone; card names, field labels and
//! patterns come from the stdlib catalogue. No I/O, and no input makes it panic.

mod export;
mod expr;
mod fields;
mod ids;
mod import;
mod ir;
mod layout;
mod names;
pub mod project;
pub mod schema;
mod text;

use std::fmt;

use fluxo_grammar::ast::{self, EntityKind, File, Item, Span};
use fluxo_stdlib::types::ItemKind;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use fields::{attr_from_dto, make_attr, text_arg, ID};
use names::Names;
use schema::{AttrDto, Document, FlowDto};

/// Why a document could not be exported or imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Where in the JSON (`fluxos[0].cards[3].tipo`) or the program the problem is.
    pub path: Option<String>,
    /// Line and column (from 1) of malformed JSON.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.position, &self.path) {
            (Some((line, column)), _) => write!(f, "line {line}, column {column}: ")?,
            (None, Some(path)) => write!(f, "{path}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for JsonError {}

/// Something kept but worth a look: a dangling card or connector, an ignored key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// An imported document as syntax trees.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// `erp`, entities, attendants, periods and scripts, in the document's list order.
    pub declarations: File,
    /// One file per flow, with the flow's name.
    pub flows: Vec<(String, File)>,
    pub warnings: Vec<Warning>,
}

impl Imported {
    /// Every item, declarations first.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.declarations
            .items
            .iter()
            .chain(self.flows.iter().flat_map(|(_, f)| &f.items))
    }
}

/// The Opa JSON document (pretty-printed) of a program's files.
pub fn export(files: &[File]) -> Result<String, JsonError> {
    let doc = export::document(files)?;
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| JsonError {
        path: None,
        position: None,
        message: format!("cannot write JSON: {e}"),
    })?;
    text.push('\n');
    Ok(text)
}

/// Reads an Opa JSON document.
pub fn import(json: &str) -> Result<Imported, JsonError> {
    read(json).map(|(imported, _)| imported)
}

/// Reads an Opa JSON document, and returns the document too (its text layout records).
fn read(json: &str) -> Result<(Imported, Document), JsonError> {
    let value: Value = serde_json::from_str(json).map_err(|e| JsonError {
        path: None,
        position: Some((e.line(), e.column().max(1))),
        message: format!("malformed JSON: {}", strip_position(&e)),
    })?;
    let value = schema::migrate(value).map_err(|r| JsonError {
        path: None,
        position: None,
        message: r.0,
    })?;
    let Value::Object(top) = value else {
        return Err(error(None, "expected a JSON object".into()));
    };
    let mut warnings = Vec::new();
    let doc = read_document(&top, &mut warnings)?;
    let names = names_of(&doc)?;
    let mut declarations = Vec::new();
    for (i, erp) in doc.erp.iter().enumerate() {
        let system = text::ident(&erp.sistema).ok_or_else(|| {
            error(
                Some(format!("erp[{i}].sistema")),
                format!("`{}` is not an ERP name", erp.sistema),
            )
        })?;
        let attrs = item_attrs(
            &erp.id,
            &ids::item_id("erp", &erp.sistema),
            &erp.atributos,
            &format!("erp[{i}]"),
        )?;
        declarations.push(Item {
            attrs,
            kind: ast::ItemKind::Erp(system),
            span: Span::default(),
        });
    }
    entities(&doc, &mut declarations)?;
    let mut flows = Vec::new();
    for (i, flow) in doc.fluxos.iter().enumerate() {
        let item = import::flow_item(flow, i, &names, &mut warnings)?;
        flows.push((flow.nome.clone(), File { items: vec![item] }));
    }
    let imported = Imported {
        declarations: File {
            items: declarations,
        },
        flows,
        warnings,
    };
    Ok((imported, doc))
}

fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

fn error(path: Option<String>, message: String) -> JsonError {
    JsonError {
        path,
        position: None,
        message,
    }
}

const TOP_KEYS: [&str; 12] = [
    "versao",
    "erp",
    "departamentos",
    "atendentes",
    "etiquetas",
    "grupos",
    "filiais",
    "periodos",
    "modelos",
    "agentes",
    "scripts",
    "fluxos",
];

/// Deserializes list by list and element by element, so an error names its JSON path.
fn read_document(
    top: &Map<String, Value>,
    warnings: &mut Vec<Warning>,
) -> Result<Document, JsonError> {
    for key in top.keys() {
        if !TOP_KEYS.contains(&key.as_str()) {
            warnings.push(Warning {
                path: key.clone(),
                message: "unknown key, not imported".into(),
            });
        }
    }
    Ok(Document {
        versao: schema::VERSION,
        erp: list(top, "erp")?,
        departamentos: list(top, "departamentos")?,
        atendentes: list(top, "atendentes")?,
        etiquetas: list(top, "etiquetas")?,
        grupos: list(top, "grupos")?,
        filiais: list(top, "filiais")?,
        periodos: list(top, "periodos")?,
        modelos: list(top, "modelos")?,
        agentes: list(top, "agentes")?,
        scripts: list(top, "scripts")?,
        fluxos: flows(top)?,
    })
}

fn list<T: DeserializeOwned>(top: &Map<String, Value>, key: &str) -> Result<Vec<T>, JsonError> {
    let Some(value) = top.get(key) else {
        return Ok(Vec::new());
    };
    let items = value.as_array().ok_or_else(|| {
        error(
            Some(key.into()),
            format!("expected an array, found {}", schema::kind_of(value)),
        )
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            serde_json::from_value(item.clone())
                .map_err(|e| error(Some(format!("{key}[{i}]")), e.to_string()))
        })
        .collect()
}

fn flows(top: &Map<String, Value>) -> Result<Vec<FlowDto>, JsonError> {
    let Some(Value::Array(items)) = top.get("fluxos") else {
        return Err(error(
            Some("fluxos".into()),
            "expected an array of flows".into(),
        ));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match serde_json::from_value::<FlowDto>(item.clone()) {
            Ok(flow) => out.push(flow),
            Err(e) => {
                let path = locate(item, i).unwrap_or_else(|| format!("fluxos[{i}]"));
                return Err(error(Some(path), e.to_string()));
            }
        }
    }
    Ok(out)
}

/// The card or connector of flow `i` that fails to deserialize, if one does.
fn locate(flow: &Value, i: usize) -> Option<String> {
    for (key, check) in [
        (
            "cards",
            (|v: &Value| serde_json::from_value::<schema::CardDto>(v.clone()).is_err())
                as fn(&Value) -> bool,
        ),
        ("conectores", |v: &Value| {
            serde_json::from_value::<schema::ConnectorDto>(v.clone()).is_err()
        }),
    ] {
        let bad = flow.get(key)?.as_array()?.iter().position(check);
        if let Some(j) = bad {
            return Some(format!("fluxos[{i}].{key}[{j}]"));
        }
    }
    None
}

fn names_of(doc: &Document) -> Result<Names, JsonError> {
    let mut names = Names::default();
    let mut add = |kind: ItemKind, list: &str, i: usize, name: &str, id: &str| {
        if text::ident(name).is_none() {
            return Err(error(
                Some(format!("{list}[{i}].nome")),
                format!("`{name}` is not a name (lower-case letters, digits, _)"),
            ));
        }
        if names.insert(kind, name, id) {
            Ok(())
        } else {
            Err(error(
                Some(format!("{list}[{i}]")),
                format!(
                    "another {} has the name `{name}` or the id \"{id}\"",
                    kind.keyword()
                ),
            ))
        }
    };
    for (kind, list) in entity_lists(doc) {
        for (i, e) in list.iter().enumerate() {
            add(kind, names::list_name(kind), i, &e.nome, &e.id)?;
        }
    }
    for (i, a) in doc.atendentes.iter().enumerate() {
        add(ItemKind::Attendant, "atendentes", i, &a.nome, &a.id)?;
    }
    for (i, p) in doc.periodos.iter().enumerate() {
        add(ItemKind::Period, "periodos", i, &p.nome, &p.id)?;
    }
    for (i, s) in doc.scripts.iter().enumerate() {
        add(ItemKind::Script, "scripts", i, &s.nome, &s.id)?;
    }
    for (i, f) in doc.fluxos.iter().enumerate() {
        add(ItemKind::Flow, "fluxos", i, &f.nome, &f.id)?;
    }
    Ok(names)
}

fn entity_lists(doc: &Document) -> [(ItemKind, &Vec<schema::EntityDto>); 6] {
    [
        (ItemKind::Department, &doc.departamentos),
        (ItemKind::Tag, &doc.etiquetas),
        (ItemKind::Group, &doc.grupos),
        (ItemKind::Branch, &doc.filiais),
        (ItemKind::Template, &doc.modelos),
        (ItemKind::Agent, &doc.agentes),
    ]
}

fn entity_kind(kind: ItemKind) -> Option<EntityKind> {
    Some(match kind {
        ItemKind::Department => EntityKind::Department,
        ItemKind::Tag => EntityKind::Tag,
        ItemKind::Group => EntityKind::Group,
        ItemKind::Branch => EntityKind::Branch,
        ItemKind::Template => EntityKind::Template,
        ItemKind::Agent => EntityKind::Agent,
        _ => return None,
    })
}

/// The stdlib's kind of a declared entity.
fn item_kind(kind: EntityKind) -> ItemKind {
    match kind {
        EntityKind::Department => ItemKind::Department,
        EntityKind::Tag => ItemKind::Tag,
        EntityKind::Group => ItemKind::Group,
        EntityKind::Branch => ItemKind::Branch,
        EntityKind::Template => ItemKind::Template,
        EntityKind::Agent => ItemKind::Agent,
    }
}

/// The kind and name of an item others refer to by `_id`.
fn declared(item: &Item) -> Option<(ItemKind, &str)> {
    Some(match &item.kind {
        ast::ItemKind::Erp(_) => return None,
        ast::ItemKind::Entity(e) => (item_kind(e.kind), e.name.name.as_str()),
        ast::ItemKind::Attendant(a) => (ItemKind::Attendant, a.name.name.as_str()),
        ast::ItemKind::Period(p) => (ItemKind::Period, p.name.name.as_str()),
        ast::ItemKind::Script(s) => (ItemKind::Script, s.name.name.as_str()),
        ast::ItemKind::Flow(f) => (ItemKind::Flow, f.name.name.as_str()),
    })
}

fn item_attrs(
    id: &str,
    generated: &str,
    others: &[AttrDto],
    path: &str,
) -> Result<Vec<ast::Attr>, JsonError> {
    let mut attrs = Vec::new();
    if id != generated {
        attrs.push(make_attr(ID, vec![text_arg(id)]));
    }
    for attr in others {
        attrs.push(attr_from_dto(attr).map_err(|m| error(Some(format!("{path}.atributos")), m))?);
    }
    Ok(attrs)
}

fn title(value: &Value, path: String) -> Result<ast::Str, JsonError> {
    text::str_from_json(value).ok_or_else(|| error(Some(path), "expected a string".into()))
}

fn name(text: &str, path: String) -> Result<ast::Ident, JsonError> {
    text::ident(text).ok_or_else(|| error(Some(path), format!("`{text}` is not a name")))
}

fn entities(doc: &Document, out: &mut Vec<Item>) -> Result<(), JsonError> {
    let names = names_of(doc)?;
    let push = |out: &mut Vec<Item>, attrs, kind| {
        out.push(Item {
            attrs,
            kind,
            span: Span::default(),
        })
    };
    for (kind, list) in entity_lists(doc).into_iter().take(1) {
        entity_items(kind, list, out)?;
    }
    for (i, a) in doc.atendentes.iter().enumerate() {
        let path = format!("atendentes[{i}]");
        let department = match &a.departamento {
            Value::String(id) => names
                .name(ItemKind::Department, id)
                .map(str::to_string)
                .ok_or_else(|| {
                    error(
                        Some(format!("{path}.departamento")),
                        format!("no department has `_id` \"{id}\""),
                    )
                })?,
            other => other
                .get("nome")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        };
        let attendant = ast::Attendant {
            name: name(&a.nome, format!("{path}.nome"))?,
            title: title(&a.titulo, format!("{path}.titulo"))?,
            department: name(&department, format!("{path}.departamento"))?,
        };
        let attrs = item_attrs(
            &a.id,
            &ids::item_id("attendant", &a.nome),
            &a.atributos,
            &path,
        )?;
        push(out, attrs, ast::ItemKind::Attendant(attendant));
    }
    for (kind, list) in entity_lists(doc).into_iter().skip(1) {
        entity_items(kind, list, out)?;
    }
    for (i, p) in doc.periodos.iter().enumerate() {
        let path = format!("periodos[{i}]");
        let mut rules = Vec::new();
        for (j, rule) in p.regras.iter().enumerate() {
            rules.push(period_rule(rule).ok_or_else(|| {
                error(
                    Some(format!("{path}.regras[{j}]")),
                    "not a business-hours rule".into(),
                )
            })?);
        }
        let period = ast::Period {
            name: name(&p.nome, format!("{path}.nome"))?,
            title: title(&p.titulo, format!("{path}.titulo"))?,
            rules,
        };
        let attrs = item_attrs(&p.id, &ids::item_id("period", &p.nome), &p.atributos, &path)?;
        push(out, attrs, ast::ItemKind::Period(period));
    }
    for (i, s) in doc.scripts.iter().enumerate() {
        let path = format!("scripts[{i}]");
        let mut fields = Vec::new();
        for (j, f) in s.campos.iter().enumerate() {
            fields.push(ast::RecordField {
                name: name(&f.nome, format!("{path}.campos[{j}].nome"))?,
                ty: name(&f.tipo, format!("{path}.campos[{j}].tipo"))?,
            });
        }
        let script = ast::Script {
            name: name(&s.nome, format!("{path}.nome"))?,
            path: title(&s.arquivo, format!("{path}.arquivo"))?,
            fields,
        };
        let attrs = item_attrs(&s.id, &ids::item_id("script", &s.nome), &s.atributos, &path)?;
        push(out, attrs, ast::ItemKind::Script(script));
    }
    Ok(())
}

fn entity_items(
    kind: ItemKind,
    list: &[schema::EntityDto],
    out: &mut Vec<Item>,
) -> Result<(), JsonError> {
    let Some(entity_kind) = entity_kind(kind) else {
        return Ok(());
    };
    for (i, e) in list.iter().enumerate() {
        let path = format!("{}[{i}]", names::list_name(kind));
        let entity = ast::Entity {
            kind: entity_kind,
            name: name(&e.nome, format!("{path}.nome"))?,
            title: title(&e.titulo, format!("{path}.titulo"))?,
        };
        let attrs = item_attrs(
            &e.id,
            &ids::item_id(kind.keyword(), &e.nome),
            &e.atributos,
            &path,
        )?;
        out.push(Item {
            attrs,
            kind: ast::ItemKind::Entity(entity),
            span: Span::default(),
        });
    }
    Ok(())
}

fn period_rule(rule: &schema::RuleDto) -> Option<ast::PeriodRule> {
    use fluxo_grammar::ast::{DayRange, PeriodRule, TimeSpan, Weekday};
    let span = Span::default();
    let day = |name: &str| Weekday::ALL.into_iter().find(|d| d.name() == name);
    Some(match rule {
        schema::RuleDto::Holiday { feriado } => PeriodRule::Holiday {
            date: expr::date(feriado)?,
            span,
        },
        schema::RuleDto::Hours { dias, horarios } => {
            let mut days = Vec::new();
            for d in dias {
                let (from, to) = match d.split_once("..") {
                    Some((a, b)) => (day(a)?, Some(day(b)?)),
                    None => (day(d)?, None),
                };
                days.push(DayRange { from, to, span });
            }
            let mut spans = Vec::new();
            for h in horarios {
                let (a, b) = h.split_once('-')?;
                spans.push(TimeSpan {
                    from: expr::time(a)?,
                    to: expr::time(b)?,
                    span,
                });
            }
            if days.is_empty() || spans.is_empty() {
                return None;
            }
            PeriodRule::Hours { days, spans, span }
        }
    })
}

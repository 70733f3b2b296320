//! The program's tables as lowering fills them: strings and constants interned once,
//! messages split into parts, the declared entities with their indices by name, and the
//! variables (built-ins first).
//!
//! It knows the checker's `ProgramInfo` and the AST items; it knows nothing about code.

use std::collections::HashMap;

use fluxo_grammar::ast::{self, ItemKind as AstItem, PeriodRule, StrPart};
use fluxo_runtime::bytecode::program::{
    Attendant, Const, Entities, Entity, EntityRef, Holiday, HoursRule, Message, MessagePart,
    Period, Program, RecordField, Script, ValueType, VarInfo,
};
use fluxo_stdlib::builtins::builtins;
use fluxo_stdlib::types::{ItemKind, Ty};

use super::LowerError;
use crate::check::{ProgramInfo, Type};
use crate::ParsedFile;

/// The tables under construction, and the name indices lowering looks things up by.
#[derive(Default)]
pub(crate) struct Tables {
    pub program: Program,
    strings: HashMap<String, u32>,
    consts: Vec<Const>,
    entities: HashMap<(EntityRef, String), u32>,
    vars: HashMap<String, u32>,
}

fn idx(len: usize) -> Result<u32, LowerError> {
    u32::try_from(len).map_err(|_| LowerError::new("a table with more than 2^32 entries"))
}

pub(crate) fn entity_ref(kind: ItemKind) -> Option<EntityRef> {
    Some(match kind {
        ItemKind::Department => EntityRef::Department,
        ItemKind::Attendant => EntityRef::Attendant,
        ItemKind::Tag => EntityRef::Tag,
        ItemKind::Group => EntityRef::Group,
        ItemKind::Branch => EntityRef::Branch,
        ItemKind::Period => EntityRef::Period,
        ItemKind::Template => EntityRef::Template,
        ItemKind::Agent => EntityRef::Agent,
        ItemKind::Script => EntityRef::Script,
        ItemKind::Flow => return None,
    })
}

/// The runtime type of a checker type.
pub(crate) fn value_type(ty: Type) -> Result<ValueType, LowerError> {
    Ok(match ty {
        Type::Record(script) => ValueType::Record(Some(idx(script)?)),
        Type::Value(ty) => match ty {
            Ty::Text | Ty::File(_) => ValueType::Text,
            Ty::Number => ValueType::Number,
            Ty::Bool => ValueType::Bool,
            Ty::Duration => ValueType::Duration,
            Ty::Time => ValueType::Time,
            Ty::Date => ValueType::Date,
            Ty::Input(input) => ValueType::Input(input),
            Ty::Enum(kind) => ValueType::Enum(kind),
            Ty::Record => ValueType::Record(None),
            other => return Err(LowerError::new(format!("a variable of type {other}"))),
        },
        Type::Unknown => return Err(LowerError::new("a variable of unknown type")),
    })
}

impl Tables {
    pub fn string(&mut self, text: &str) -> Result<u32, LowerError> {
        if let Some(&idx) = self.strings.get(text) {
            return Ok(idx);
        }
        let new = idx(self.program.strings.len())?;
        self.program.strings.push(text.to_string());
        self.strings.insert(text.to_string(), new);
        Ok(new)
    }

    /// Constants are few; a linear search keeps `f64` out of hashing.
    pub fn constant(&mut self, value: Const) -> Result<u32, LowerError> {
        if let Some(pos) = self.consts.iter().position(|it| *it == value) {
            return idx(pos);
        }
        self.consts.push(value);
        self.program.consts.push(value);
        idx(self.consts.len() - 1)
    }

    pub fn text_const(&mut self, text: &str) -> Result<u32, LowerError> {
        let text = self.string(text)?;
        self.constant(Const::Text(text))
    }

    pub fn var(&self, name: &str) -> Result<u32, LowerError> {
        self.vars
            .get(name)
            .copied()
            .ok_or_else(|| LowerError::new(format!("unknown variable `{name}`")))
    }

    pub fn is_var(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    pub fn var_type(&self, name: &str) -> Option<ValueType> {
        let var = *self.vars.get(name)?;
        self.program.vars.get(var as usize).map(|it| it.ty)
    }

    pub fn entity(&self, kind: EntityRef, name: &str) -> Result<u32, LowerError> {
        self.entities
            .get(&(kind, name.to_string()))
            .copied()
            .ok_or_else(|| LowerError::new(format!("unknown {} `{name}`", kind.keyword())))
    }

    /// A message from a string literal's parts.
    pub fn message(&mut self, parts: &[StrPart]) -> Result<u32, LowerError> {
        let mut out = Vec::new();
        for part in parts {
            out.push(match part {
                StrPart::Text(text) => MessagePart::Text(self.string(text)?),
                StrPart::Var(path) => {
                    let root = path
                        .root()
                        .ok_or_else(|| LowerError::new("an empty path"))?;
                    let var = self.var(&root.name)?;
                    let fields = path.segments[1..]
                        .iter()
                        .map(|it| self.string(&it.name))
                        .collect::<Result<Vec<_>, _>>()?;
                    MessagePart::Var { var, fields }
                }
            });
        }
        self.push_message(Message { parts: out })
    }

    /// A message from a catalogue default text, whose `{name}` parts are built-ins.
    pub fn default_message(&mut self, text: &str) -> Result<u32, LowerError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|it| it + open) else {
                break;
            };
            let name = &rest[open + 1..close];
            if !self.is_var(name) {
                return Err(LowerError::new(format!(
                    "default text names unknown `{name}`"
                )));
            }
            if open > 0 {
                parts.push(MessagePart::Text(self.string(&rest[..open])?));
            }
            parts.push(MessagePart::Var {
                var: self.var(name)?,
                fields: Vec::new(),
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(MessagePart::Text(self.string(rest)?));
        }
        self.push_message(Message { parts })
    }

    fn push_message(&mut self, message: Message) -> Result<u32, LowerError> {
        if let Some(pos) = self.program.messages.iter().position(|it| *it == message) {
            return idx(pos);
        }
        self.program.messages.push(message);
        idx(self.program.messages.len() - 1)
    }

    /// Built-in variables, then the program's, in the checker's order.
    pub fn declare_vars(&mut self, info: &ProgramInfo) -> Result<(), LowerError> {
        let declared = builtins()
            .iter()
            .map(|it| (it.name, Type::Value(it.ty), true))
            .chain(
                info.variables
                    .iter()
                    .map(|it| (it.name.as_str(), it.ty, false)),
            );
        for (name, ty, builtin) in declared {
            let name_idx = self.string(name)?;
            let ty = value_type(ty)?;
            let var = idx(self.program.vars.len())?;
            self.program.vars.push(VarInfo {
                name: name_idx,
                ty,
                builtin,
            });
            self.vars.insert(name.to_string(), var);
        }
        Ok(())
    }

    /// The declared entities, each kind in source order, from the AST items the checker
    /// resolved.
    pub fn declare_entities(
        &mut self,
        files: &[ParsedFile],
        info: &ProgramInfo,
    ) -> Result<(), LowerError> {
        let mut entities = Entities::default();
        for item in &info.items {
            let Some(kind) = entity_ref(item.kind) else {
                continue;
            };
            let ast = files
                .iter()
                .find(|it| it.id == item.loc.file)
                .and_then(|it| it.ast.items.get(item.item))
                .ok_or_else(|| LowerError::new(format!("item `{}` not found", item.name)))?;
            let name = self.string(&item.name)?;
            let index = idx(entities.count(kind))?;
            match (&ast.kind, kind) {
                (AstItem::Entity(entity), _) => {
                    let title = self.string(&plain(&entity.title)?)?;
                    let plain_entity = Entity { name, title };
                    match kind {
                        EntityRef::Department => entities.departments.push(plain_entity),
                        EntityRef::Tag => entities.tags.push(plain_entity),
                        EntityRef::Group => entities.groups.push(plain_entity),
                        EntityRef::Branch => entities.branches.push(plain_entity),
                        EntityRef::Template => entities.templates.push(plain_entity),
                        EntityRef::Agent => entities.agents.push(plain_entity),
                        _ => return Err(LowerError::new("an entity of an unexpected kind")),
                    }
                }
                (AstItem::Attendant(att), EntityRef::Attendant) => {
                    let title = self.string(&plain(&att.title)?)?;
                    let department = self.entity(EntityRef::Department, &att.department.name)?;
                    entities.attendants.push(Attendant {
                        name,
                        title,
                        department,
                    });
                }
                (AstItem::Period(period), EntityRef::Period) => {
                    let title = self.string(&plain(&period.title)?)?;
                    entities.periods.push(self.period(name, title, period)?);
                }
                _ => {
                    return Err(LowerError::new(format!(
                        "item `{}` is not a {}",
                        item.name,
                        kind.keyword()
                    )))
                }
            }
            // Attendants name departments declared anywhere: index entities as they come.
            self.entities.insert((kind, item.name.clone()), index);
        }
        for script in &info.scripts {
            let name = self.string(&script.name)?;
            let path = self.string(&script.path)?;
            let mut fields = Vec::new();
            for (field, ty) in &script.fields {
                fields.push(RecordField {
                    name: self.string(field)?,
                    ty: value_type(Type::Value(*ty))?,
                });
            }
            let index = idx(entities.scripts.len())?;
            entities.scripts.push(Script { name, path, fields });
            self.entities
                .insert((EntityRef::Script, script.name.clone()), index);
        }
        self.program.entities = entities;
        Ok(())
    }

    fn period(
        &mut self,
        name: u32,
        title: u32,
        period: &ast::Period,
    ) -> Result<Period, LowerError> {
        let mut rules = Vec::new();
        let mut holidays = Vec::new();
        for rule in &period.rules {
            match rule {
                PeriodRule::Hours { days, spans, .. } => {
                    let mut mask = 0u8;
                    for range in days {
                        let from = range.from as u8;
                        let to = range.to.unwrap_or(range.from) as u8;
                        // `sat..mon` wraps around the week.
                        let mut day = from;
                        loop {
                            mask |= 1 << day;
                            if day == to {
                                break;
                            }
                            day = (day + 1) % 7;
                        }
                    }
                    let spans = spans
                        .iter()
                        .map(|it| (it.from.minutes(), it.to.minutes()))
                        .collect();
                    rules.push(HoursRule { days: mask, spans });
                }
                PeriodRule::Holiday { date, .. } => {
                    holidays.push(Holiday {
                        year: date.year,
                        month: date.month,
                        day: date.day,
                    });
                }
            }
        }
        Ok(Period {
            name,
            title,
            rules,
            holidays,
        })
    }
}

/// A title or path: a string without interpolation.
pub(crate) fn plain(text: &ast::Str) -> Result<String, LowerError> {
    text.as_plain()
        .ok_or_else(|| LowerError::new(format!("`{}` must be plain text", text.display())))
}

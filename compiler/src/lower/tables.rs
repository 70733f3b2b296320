//! The program's tables as lowering fills them: strings, constants, messages and
//! argument records interned once (each table holds a value at its first index only),
//! messages split into parts, the declared entities and flows with their indices by
//! name, and the variables (built-ins first).
//!
//! Every lookup is hashed (see `intern.rs`): lowering asks for a string, a message or a
//! record at almost every statement, so a linear search of the table made it quadratic.
//!
//! It knows the checker's `ProgramInfo` and the AST items; it knows nothing about code.

use std::borrow::Cow;

use fluxo_grammar::ast::{self, ItemKind as AstItem, PeriodRule, StrPart};
use fluxo_runtime::bytecode::program::{
    ArgsRecord, Attendant, Const, Entities, Entity, EntityRef, FlowInfo, Holiday, HoursRule,
    Message, MessagePart, Period, Program, RecordField, Script, ValueType, VarInfo,
};
use fluxo_stdlib::builtins::builtins;
use fluxo_stdlib::types::{ItemKind, Ty};
use rustc_hash::FxHashMap;

use super::intern::{args_fingerprint, const_fingerprint, idx, parts_fingerprint, Index};
use super::LowerError;
use crate::check::{ProgramInfo, Type};
use crate::index_of::hash_str;
use crate::ParsedFile;

/// The tables under construction, and the name indices lowering looks things up by.
#[derive(Default)]
pub(crate) struct Tables {
    pub program: Program,
    strings: Index,
    consts: Index,
    messages: Index,
    /// By string index: the message that is that string alone (`u32::MAX` for none
    /// yet). Most messages are one text, and the text is usually the string just
    /// added: found at the table's end instead of at a random place of a hashed one.
    text_messages: Vec<u32>,
    args: Index,
    /// Per kind (`EntityRef as usize`): each entity's index by name.
    entities: [FxHashMap<String, u32>; EntityRef::ALL.len()],
    vars: FxHashMap<String, u32>,
    /// The message of each catalogue default text.
    defaults: FxHashMap<&'static str, u32>,
    /// The parts of the message being built, kept to build the next one in.
    parts: Vec<MessagePart>,
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
    /// Tables with room for `strings` strings and `messages` messages: growing a hashed
    /// table rehashes it whole. The hashed index of messages of several parts grows as
    /// they come: one-text messages, most of them, are not in it.
    pub fn with_capacity(strings: usize, messages: usize) -> Tables {
        let mut t = Tables {
            strings: Index::with_capacity(strings),
            text_messages: Vec::with_capacity(strings),
            ..Tables::default()
        };
        t.program.strings.reserve(strings);
        t.program.messages.reserve(messages);
        t
    }

    pub fn string(&mut self, text: &str) -> Result<u32, LowerError> {
        let fingerprint = hash_str(text);
        let items = &mut self.program.strings;
        let is = |it: &String, key: &&str| it == key;
        self.strings
            .intern(items, fingerprint, text, is, str::to_string)
    }

    pub fn constant(&mut self, value: Const) -> Result<u32, LowerError> {
        let fingerprint = const_fingerprint(&value);
        let items = &mut self.program.consts;
        self.consts
            .intern(items, fingerprint, value, |it, key| it == key, |it| it)
    }

    /// The argument record `record`, interned.
    pub fn args(&mut self, record: ArgsRecord) -> Result<u32, LowerError> {
        let fingerprint = args_fingerprint(&record);
        let items = &mut self.program.args;
        self.args
            .intern(items, fingerprint, record, |it, key| it == key, |it| it)
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
        self.entities[kind as usize]
            .get(name)
            .copied()
            .ok_or_else(|| LowerError::new(format!("unknown {} `{name}`", kind.keyword())))
    }

    /// The program's flows in the checker's order (which `ProgramInfo::flow` indexes),
    /// with their names; titles and entry pcs come later.
    pub fn declare_flows(&mut self, info: &ProgramInfo) -> Result<(), LowerError> {
        for flow in &info.flows {
            let name = self.string(&flow.name)?;
            self.program.flows.push(FlowInfo {
                name,
                title: None,
                entry: 0,
            });
        }
        Ok(())
    }

    /// A message from a string literal's parts.
    pub fn message(&mut self, parts: &[StrPart]) -> Result<u32, LowerError> {
        let mut out = std::mem::take(&mut self.parts);
        out.clear();
        for part in parts {
            let part = match part {
                StrPart::Text(text) => self.string(text).map(MessagePart::Text),
                StrPart::Var(path) => self.var_part(path),
            };
            match part {
                Ok(part) => out.push(part),
                Err(err) => {
                    self.parts = out;
                    return Err(err);
                }
            }
        }
        let msg = self.push_message(&out);
        self.parts = out;
        msg
    }

    /// A message that is just the value of `path` (`{var}` or `{var.field}`).
    pub fn path_message(&mut self, path: &ast::Path) -> Result<u32, LowerError> {
        let part = self.var_part(path)?;
        self.push_message(std::slice::from_ref(&part))
    }

    fn var_part(&mut self, path: &ast::Path) -> Result<MessagePart, LowerError> {
        let root = path
            .root()
            .ok_or_else(|| LowerError::new("an empty path"))?;
        let var = self.var(&root.name)?;
        let fields = path.segments[1..]
            .iter()
            .map(|it| self.string(&it.name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MessagePart::Var { var, fields })
    }

    /// A message from a catalogue default text, whose `{name}` parts are built-ins;
    /// each default text is split once.
    pub fn default_message(&mut self, text: &'static str) -> Result<u32, LowerError> {
        if let Some(&msg) = self.defaults.get(text) {
            return Ok(msg);
        }
        let msg = self.split_default(text)?;
        self.defaults.insert(text, msg);
        Ok(msg)
    }

    fn split_default(&mut self, text: &str) -> Result<u32, LowerError> {
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
        self.push_message(&parts)
    }

    /// The message made of `parts`, interned.
    fn push_message(&mut self, parts: &[MessagePart]) -> Result<u32, LowerError> {
        if let [MessagePart::Text(text)] = parts {
            return self.text_message(*text);
        }
        let fingerprint = parts_fingerprint(parts);
        let items = &mut self.program.messages;
        let is = |it: &Message, key: &&[MessagePart]| it.parts == *key;
        let own = |parts: &[MessagePart]| Message {
            parts: parts.to_vec(),
        };
        self.messages.intern(items, fingerprint, parts, is, own)
    }

    /// The message that is string `text` alone, interned.
    fn text_message(&mut self, text: u32) -> Result<u32, LowerError> {
        let slot = text as usize;
        if self.text_messages.len() <= slot {
            self.text_messages.resize(slot + 1, u32::MAX);
        }
        match self.text_messages.get(slot) {
            Some(&known) if known != u32::MAX => Ok(known),
            _ => {
                let at = idx(self.program.messages.len())?;
                self.program.messages.push(Message {
                    parts: vec![MessagePart::Text(text)],
                });
                if let Some(known) = self.text_messages.get_mut(slot) {
                    *known = at;
                }
                Ok(at)
            }
        }
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
            self.entities[kind as usize].insert(item.name.clone(), index);
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
            self.entities[EntityRef::Script as usize].insert(script.name.clone(), index);
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
pub(crate) fn plain(text: &ast::Str) -> Result<Cow<'_, str>, LowerError> {
    plain_text(text)
        .ok_or_else(|| LowerError::new(format!("`{}` must be plain text", text.display())))
}

/// The text of a string without interpolation, borrowed when it is one piece (almost
/// always: the parser joins adjacent text).
pub(crate) fn plain_text(text: &ast::Str) -> Option<Cow<'_, str>> {
    match text.parts.as_slice() {
        [] => Some(Cow::Borrowed("")),
        [StrPart::Text(one)] => Some(Cow::Borrowed(one)),
        _ => text.as_plain().map(Cow::Owned),
    }
}

//! The program's tables as lowering fills them: strings, constants, messages and
//! argument records interned once (each table holds a value at its first index only),
//! messages split into parts, the declared entities and flows with their indices by
//! name, and the variables (built-ins first).
//!
//! Every lookup is hashed: lowering asks for a string, a message or a record at almost
//! every statement, so a linear search of the table made it quadratic.
//!
//! It knows the checker's `ProgramInfo` and the AST items; it knows nothing about code.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};

use fluxo_grammar::ast::{self, ItemKind as AstItem, PeriodRule, StrPart};
use fluxo_runtime::bytecode::program::{
    ArgValue, ArgsRecord, Attendant, Const, Entities, Entity, EntityRef, FlowInfo, Holiday,
    HoursRule, Message, MessagePart, Period, Program, RecordField, Script, ValueType, VarInfo,
};
use fluxo_stdlib::builtins::builtins;
use fluxo_stdlib::types::{ItemKind, Ty};
use rustc_hash::{FxHashMap, FxHasher};

use super::LowerError;
use crate::check::{ProgramInfo, Type};
use crate::ParsedFile;

/// The tables under construction, and the name indices lowering looks things up by.
#[derive(Default)]
pub(crate) struct Tables {
    pub program: Program,
    strings: FxHashMap<String, u32>,
    /// Fingerprint (see [`intern`]) to the first constant, message or argument record
    /// with it.
    consts: FxHashMap<u64, u32>,
    messages: FxHashMap<u64, u32>,
    args: FxHashMap<u64, u32>,
    /// Per kind (`EntityRef as usize`): each entity's index by name.
    entities: [FxHashMap<String, u32>; EntityRef::ALL.len()],
    flows: FxHashMap<String, u32>,
    vars: FxHashMap<String, u32>,
    /// The message of each catalogue default text.
    defaults: FxHashMap<&'static str, u32>,
}

/// The index of `item` in `items`: the first equal one, appended if there is none.
/// `index` maps a fingerprint to the first item that has it. Equal items have equal
/// fingerprints, so an unknown fingerprint is a new item; a known one whose item differs
/// (two items sharing a fingerprint) falls back to the linear search, which is always
/// right.
fn intern<T: PartialEq>(
    items: &mut Vec<T>,
    index: &mut FxHashMap<u64, u32>,
    fingerprint: u64,
    item: T,
) -> Result<u32, LowerError> {
    match index.entry(fingerprint) {
        Entry::Occupied(known) => {
            let at = *known.get();
            if items.get(at as usize) == Some(&item) {
                return Ok(at);
            }
            if let Some(pos) = items.iter().position(|it| *it == item) {
                return idx(pos);
            }
            items.push(item);
            idx(items.len() - 1)
        }
        Entry::Vacant(slot) => {
            let at = idx(items.len())?;
            items.push(item);
            slot.insert(at);
            Ok(at)
        }
    }
}

/// Fingerprints agree with `PartialEq`: `0.0 == -0.0`, so both hash as `0.0`.
fn hash_f64(value: f64, h: &mut FxHasher) {
    let bits = if value == 0.0 { 0 } else { value.to_bits() };
    h.write_u64(bits);
}

fn const_fingerprint(value: &Const) -> u64 {
    let mut h = FxHasher::default();
    std::mem::discriminant(value).hash(&mut h);
    match *value {
        Const::Text(text) => h.write_u32(text),
        Const::Number(number) => hash_f64(number, &mut h),
        Const::Bool(flag) => h.write_u8(u8::from(flag)),
        Const::Duration(secs) => h.write_u64(secs),
        Const::Time(minutes) => h.write_u16(minutes),
        Const::Date { year, month, day } => (year, month, day).hash(&mut h),
        Const::Range(low, high) => (low, high).hash(&mut h),
        Const::Pattern { kind, index } => (kind, index).hash(&mut h),
    }
    h.finish()
}

fn hash_part(part: &MessagePart, h: &mut FxHasher) {
    match part {
        MessagePart::Text(text) => (0u8, *text).hash(h),
        MessagePart::Var { var, fields } => (1u8, *var, fields).hash(h),
    }
}

fn message_fingerprint(message: &Message) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(message.parts.len());
    for part in &message.parts {
        hash_part(part, &mut h);
    }
    h.finish()
}

fn hash_arg(value: &ArgValue, h: &mut FxHasher) {
    match value {
        ArgValue::Const(idx) => (0u8, *idx).hash(h),
        ArgValue::Message(idx) => (1u8, *idx).hash(h),
        ArgValue::Flow(idx) => (2u8, *idx).hash(h),
        ArgValue::Item { kind, index } => (3u8, *kind, *index).hash(h),
        ArgValue::List(items) => {
            (4u8, items.len()).hash(h);
            for item in items {
                hash_arg(item, h);
            }
        }
    }
}

fn args_fingerprint(record: &ArgsRecord) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(record.values.len());
    for entry in &record.values {
        h.write_u32(entry.param);
        hash_arg(&entry.value, &mut h);
    }
    h.finish()
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

    pub fn constant(&mut self, value: Const) -> Result<u32, LowerError> {
        let fingerprint = const_fingerprint(&value);
        intern(
            &mut self.program.consts,
            &mut self.consts,
            fingerprint,
            value,
        )
    }

    /// The argument record `record`, interned.
    pub fn args(&mut self, record: ArgsRecord) -> Result<u32, LowerError> {
        let fingerprint = args_fingerprint(&record);
        intern(&mut self.program.args, &mut self.args, fingerprint, record)
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

    /// The flow called `name`.
    pub fn flow(&self, name: &str) -> Result<u32, LowerError> {
        self.flows
            .get(name)
            .copied()
            .ok_or_else(|| LowerError::new(format!("unknown flow `{name}`")))
    }

    /// The program's flows in the checker's order, with their names (titles and entry
    /// pcs come later).
    pub fn declare_flows(&mut self, info: &ProgramInfo) -> Result<(), LowerError> {
        for flow in &info.flows {
            let name = self.string(&flow.name)?;
            let index = idx(self.program.flows.len())?;
            self.program.flows.push(FlowInfo {
                name,
                title: None,
                entry: 0,
            });
            self.flows.entry(flow.name.clone()).or_insert(index);
        }
        Ok(())
    }

    /// A message from a string literal's parts.
    pub fn message(&mut self, parts: &[StrPart]) -> Result<u32, LowerError> {
        let mut out = Vec::with_capacity(parts.len());
        for part in parts {
            out.push(match part {
                StrPart::Text(text) => MessagePart::Text(self.string(text)?),
                StrPart::Var(path) => self.var_part(path)?,
            });
        }
        self.push_message(Message { parts: out })
    }

    /// A message that is just the value of `path` (`{var}` or `{var.field}`).
    pub fn path_message(&mut self, path: &ast::Path) -> Result<u32, LowerError> {
        let part = self.var_part(path)?;
        self.push_message(Message { parts: vec![part] })
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
        self.push_message(Message { parts })
    }

    fn push_message(&mut self, message: Message) -> Result<u32, LowerError> {
        let fingerprint = message_fingerprint(&message);
        intern(
            &mut self.program.messages,
            &mut self.messages,
            fingerprint,
            message,
        )
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

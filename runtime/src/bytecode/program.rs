//! The `Program`: everything the VM needs to run a compiled project, with no reference
//! to the compiler or the sources. Code is one byte array for all flows (see `op.rs`);
//! everything else is a table that instructions index: strings, constants, interpolated
//! messages, flows, variables, card argument records, menus, `when` tables, the declared
//! entities, and the line table.
//!
//! A `Program` made by the compiler or returned by `Program::from_bytes` is verified:
//! every index in it is in bounds, so the accessors below return plain references. The
//! accessors still never panic on a hand-made, unverified program: they return `None`.

use fluxo_stdlib::erp::ErpSystem;
use fluxo_stdlib::types::{EnumKind, InputType};

use super::op::{DecodeError, Op};

pub use super::folded::FoldedLabels;
pub use super::starts::InstructionStarts;

/// A compiled project.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    /// FNV-1a 64 of the sources it was compiled from (see `hash.rs`), so a runner can
    /// tell a stale `.fxb` from a fresh one.
    pub source_hash: u64,
    /// The `erp` line, if any.
    pub erp: Option<ErpSystem>,
    /// The flow a conversation starts in (an index into `flows`).
    pub entry: u32,
    /// The instructions of every flow, back to back.
    pub code: Vec<u8>,
    /// Every text of the program, each once.
    pub strings: Vec<String>,
    pub consts: Vec<Const>,
    pub messages: Vec<Message>,
    pub flows: Vec<FlowInfo>,
    /// Built-in variables first (in `fluxo_stdlib::builtins::builtins()` order, those the
    /// program uses), then the variables the program assigns.
    pub vars: Vec<VarInfo>,
    pub args: Vec<ArgsRecord>,
    pub menus: Vec<Menu>,
    pub switches: Vec<SwitchTable>,
    pub entities: Entities,
    /// The source files, by the name the user gave them.
    pub files: Vec<String>,
    pub lines: LineTable,
    /// The menus' labels folded for matching answers, made on first use: not part of
    /// the program (see `FoldedLabels`); `FoldedLabels::default()` in a program made
    /// by hand.
    pub folded: FoldedLabels,
    /// Where instructions start, made on first use (see `InstructionStarts`); not part
    /// of the program either.
    pub starts: InstructionStarts,
}

/// A constant of an expression or a card argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Const {
    /// An index into `Program::strings`.
    Text(u32),
    Number(f64),
    Bool(bool),
    /// In seconds.
    Duration(u64),
    /// Minutes since midnight, `24:00` = 1440.
    Time(u16),
    Date {
        year: u16,
        month: u8,
        day: u8,
    },
    /// Both ends included.
    Range(i64, i64),
    /// The `index`th pattern of `kind` (`fluxo_stdlib::types::EnumKind::patterns()`).
    Pattern {
        kind: EnumKind,
        index: u32,
    },
}

/// A text with interpolations, pre-split: the VM concatenates the parts.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Message {
    pub parts: Vec<MessagePart>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    /// An index into `Program::strings`.
    Text(u32),
    /// `{var}` or `{var.field.field}`: a variable and the record fields read from it
    /// (indices into `Program::strings`).
    Var { var: u32, fields: Vec<u32> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct FlowInfo {
    /// Index into `Program::strings`.
    pub name: u32,
    /// The title shown in the editor, if written; index into `Program::strings`.
    pub title: Option<u32>,
    /// The pc of the flow's first instruction.
    pub entry: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VarInfo {
    /// Index into `Program::strings`.
    pub name: u32,
    pub ty: ValueType,
    /// A built-in variable (`protocol`, `channel`, ...) that the runtime provides.
    pub builtin: bool,
}

/// The type of a variable, as the runtime needs it (validation, snapshots, `when`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Text,
    Number,
    Bool,
    Duration,
    Time,
    Date,
    /// A validated answer of this input type.
    Input(InputType),
    Enum(EnumKind),
    /// The record a Low Code script returns: an index into `Entities::scripts`, whose
    /// declaration lists the fields; `None` when no single script is known.
    Record(Option<u32>),
}

/// The arguments of one card, defaults filled in by the compiler: every parameter of the
/// card that has a value, in `CardSpec::params()` order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ArgsRecord {
    pub values: Vec<ArgEntry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArgEntry {
    /// The parameter's index in `CardSpec::params()` of the card that uses the record.
    pub param: u32,
    pub value: ArgValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    /// An index into `Program::consts`: numbers, bools, durations, ranges, patterns,
    /// file paths.
    Const(u32),
    /// An index into `Program::messages`: a text argument, interpolated when the card runs.
    Message(u32),
    /// An index into `Program::flows`.
    Flow(u32),
    /// A declared item: its kind and its index in that kind's table of `Entities`.
    Item { kind: EntityRef, index: u32 },
    /// A list argument (`labels: ["Ruim", "Bom"]`).
    List(Vec<ArgValue>),
}

/// The kinds of declared item a card argument may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityRef {
    Department,
    Attendant,
    Tag,
    Group,
    Branch,
    Period,
    Template,
    Agent,
    Script,
}

impl EntityRef {
    pub const ALL: [EntityRef; 9] = [
        EntityRef::Department,
        EntityRef::Attendant,
        EntityRef::Tag,
        EntityRef::Group,
        EntityRef::Branch,
        EntityRef::Period,
        EntityRef::Template,
        EntityRef::Agent,
        EntityRef::Script,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            EntityRef::Department => "department",
            EntityRef::Attendant => "attendant",
            EntityRef::Tag => "tag",
            EntityRef::Group => "group",
            EntityRef::Branch => "branch",
            EntityRef::Period => "period",
            EntityRef::Template => "template",
            EntityRef::Agent => "agent",
            EntityRef::Script => "script",
        }
    }
}

/// A string-keyed branch table: the options of `ask ... choice`, the intents of
/// `intent`, the buttons of `interactive_template`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Menu {
    pub options: Vec<MenuOption>,
    /// Where an answer matching no option goes, for cards whose arms allow `else`
    /// (and where a card with optional arms goes on when none matched).
    pub otherwise: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MenuOption {
    /// The option's text, an index into `Program::strings`.
    pub label: u32,
    pub target: u32,
}

/// The branch table of one `when`.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchTable {
    pub subject: Subject,
    /// Tried in order; the first whose pattern matches wins.
    pub arms: Vec<SwitchArm>,
    /// The `else` arm, or the instruction after the `when` when it has none.
    pub otherwise: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwitchArm {
    /// For an enum subject the pattern's index in its `EnumKind::patterns()`; for `tag`
    /// an index into `Entities::tags`; for `branch` an index into `Entities::branches`.
    pub pattern: u32,
    pub target: u32,
}

/// What a `when` branches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Channel,
    Branch,
    /// Open or closed in the `Entities::periods` entry.
    Hours(u32),
    Shift,
    Tag,
    Registration,
    Origin,
    /// A variable of enum type.
    Var(u32),
}

impl Subject {
    /// The enum whose pattern indices the arms hold; `None` for `tag` and `branch`, whose
    /// arms name entities.
    pub fn pattern_kind(self, program: &Program) -> Option<EnumKind> {
        match self {
            Subject::Channel => Some(EnumKind::Channel),
            Subject::Hours(_) => Some(EnumKind::Hours),
            Subject::Shift => Some(EnumKind::Shift),
            Subject::Registration => Some(EnumKind::Registration),
            Subject::Origin => Some(EnumKind::Origin),
            Subject::Branch | Subject::Tag => None,
            Subject::Var(var) => match program.vars.get(var as usize)?.ty {
                ValueType::Enum(kind) => Some(kind),
                _ => None,
            },
        }
    }
}

/// The platform entities the program declares.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Entities {
    pub departments: Vec<Entity>,
    pub attendants: Vec<Attendant>,
    pub tags: Vec<Entity>,
    pub groups: Vec<Entity>,
    pub branches: Vec<Entity>,
    pub templates: Vec<Entity>,
    pub agents: Vec<Entity>,
    pub periods: Vec<Period>,
    pub scripts: Vec<Script>,
}

impl Entities {
    /// How many entities of `kind` are declared.
    pub fn count(&self, kind: EntityRef) -> usize {
        match kind {
            EntityRef::Department => self.departments.len(),
            EntityRef::Attendant => self.attendants.len(),
            EntityRef::Tag => self.tags.len(),
            EntityRef::Group => self.groups.len(),
            EntityRef::Branch => self.branches.len(),
            EntityRef::Period => self.periods.len(),
            EntityRef::Template => self.templates.len(),
            EntityRef::Agent => self.agents.len(),
            EntityRef::Script => self.scripts.len(),
        }
    }

    /// The name (a `Program::strings` index) of the `index`th entity of `kind`.
    pub fn name(&self, kind: EntityRef, index: u32) -> Option<u32> {
        let index = index as usize;
        match kind {
            EntityRef::Department => self.departments.get(index).map(|it| it.name),
            EntityRef::Attendant => self.attendants.get(index).map(|it| it.name),
            EntityRef::Tag => self.tags.get(index).map(|it| it.name),
            EntityRef::Group => self.groups.get(index).map(|it| it.name),
            EntityRef::Branch => self.branches.get(index).map(|it| it.name),
            EntityRef::Period => self.periods.get(index).map(|it| it.name),
            EntityRef::Template => self.templates.get(index).map(|it| it.name),
            EntityRef::Agent => self.agents.get(index).map(|it| it.name),
            EntityRef::Script => self.scripts.get(index).map(|it| it.name),
        }
    }
}

/// A declared name and its display title (both `Program::strings` indices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entity {
    pub name: u32,
    pub title: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attendant {
    pub name: u32,
    pub title: u32,
    /// Index into `Entities::departments`.
    pub department: u32,
}

/// Business hours in America/Sao_Paulo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub name: u32,
    pub title: u32,
    pub rules: Vec<HoursRule>,
    pub holidays: Vec<Holiday>,
}

/// `mon..fri 08:00-12:00 13:00-18:00`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoursRule {
    /// Bit 0 Monday ... bit 6 Sunday.
    pub days: u8,
    /// Minutes since midnight, `from` inclusive, `to` exclusive, `from < to <= 1440`.
    pub spans: Vec<(u16, u16)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// A Low Code script and the record it returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    pub name: u32,
    /// The script's path as written, relative to the program's folder.
    pub path: u32,
    pub fields: Vec<RecordField>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecordField {
    pub name: u32,
    pub ty: ValueType,
}

/// Maps every pc to where in the sources its instruction came from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LineTable {
    /// Sorted by `pc`, strictly increasing; an entry covers the pcs up to the next.
    pub entries: Vec<LineEntry>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineEntry {
    pub pc: u32,
    /// Index into `Program::files`.
    pub file: u32,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
}

/// A source position, resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location<'a> {
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
}

impl LineTable {
    /// The entry covering `pc`.
    pub fn lookup(&self, pc: u32) -> Option<&LineEntry> {
        let idx = self.entries.partition_point(|it| it.pc <= pc);
        idx.checked_sub(1).and_then(|idx| self.entries.get(idx))
    }
}

impl Program {
    /// The instruction at `pc` and the pc after it.
    #[inline]
    pub fn op_at(&self, pc: u32) -> Result<(Op, u32), DecodeError> {
        let (op, next) = Op::decode(&self.code, pc as usize)?;
        Ok((
            op,
            u32::try_from(next).map_err(|_| DecodeError::OutOfRange)?,
        ))
    }

    pub fn string(&self, idx: u32) -> Option<&str> {
        self.strings.get(idx as usize).map(String::as_str)
    }

    pub fn flow_name(&self, flow: u32) -> Option<&str> {
        self.string(self.flows.get(flow as usize)?.name)
    }

    pub fn var_name(&self, var: u32) -> Option<&str> {
        self.string(self.vars.get(var as usize)?.name)
    }

    /// The flow called `name`.
    pub fn flow_index(&self, name: &str) -> Option<u32> {
        let idx = self
            .flows
            .iter()
            .position(|it| self.string(it.name) == Some(name))?;
        u32::try_from(idx).ok()
    }

    /// The variable called `name`.
    pub fn var_index(&self, name: &str) -> Option<u32> {
        let idx = self
            .vars
            .iter()
            .position(|it| self.string(it.name) == Some(name))?;
        u32::try_from(idx).ok()
    }

    /// The flow whose code contains `pc`: the one with the greatest entry at or before it.
    pub fn flow_at(&self, pc: u32) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for (idx, flow) in self.flows.iter().enumerate() {
            if flow.entry <= pc && best.is_none_or(|(_, entry)| flow.entry >= entry) {
                best = Some((u32::try_from(idx).ok()?, flow.entry));
            }
        }
        best.map(|(idx, _)| idx)
    }

    /// Where the instruction at `pc` was written.
    pub fn location(&self, pc: u32) -> Option<Location<'_>> {
        let entry = self.lines.lookup(pc)?;
        Some(Location {
            file: self.files.get(entry.file as usize)?,
            line: entry.line,
            column: entry.column,
        })
    }

    /// The value of parameter `param` (an index into `CardSpec::params()`) in record
    /// `args`, or `None` when the parameter has no value (an optional one left out).
    pub fn arg(&self, args: u32, param: u32) -> Option<&ArgValue> {
        let record = self.args.get(args as usize)?;
        record
            .values
            .iter()
            .find(|it| it.param == param)
            .map(|it| &it.value)
    }

    /// The value of the parameter named `name` of catalogue card `card` in record `args`.
    pub fn arg_named(&self, card: u32, args: u32, name: &str) -> Option<&ArgValue> {
        let spec = fluxo_stdlib::catalogue::cards().get(card as usize)?;
        let param = spec.params().position(|it| it.name == name)?;
        self.arg(args, u32::try_from(param).ok()?)
    }
}

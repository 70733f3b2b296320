//! The verifier: the invariants a `Program` must keep for the VM to run it without
//! bounds checks failing. Every index in bounds; every jump target on an instruction
//! boundary; every card instruction run with an empty expression stack (so a suspended
//! conversation needs no stack) and every expression balanced; the last instruction
//! never falls off the end of the code; argument records fit the card that uses them.
//!
//! It knows the program's tables and the stdlib catalogue; it knows nothing about how
//! the VM runs an instruction.
//!
//! The code is decoded once ([`Decoded`]), each instruction with its table row and its
//! operand values; the operand checks and the stack-depth walk read those, so verifying
//! costs one pass over the code and allocates nothing per instruction.

use std::sync::OnceLock;

use fluxo_stdlib::catalogue::{cards, ArmsSpec, Binds, CardId, CardSpec};
use fluxo_stdlib::types::InputType;

use super::decode::SectionOffsets;
use super::format::Section;
use super::leb128;
use super::op::{Op, OpInfo, OperandKind, OperandSpec, OPCODES};
use super::program::{ArgValue, Const, MessagePart, Program, Subject, ValueType};
use super::wire::{LoadError, LoadErrorKind};

/// The deepest expression stack a verified program may use.
pub const MAX_STACK: usize = 64;

/// Collects the first violation with the offset of the section it lives in.
struct Check<'p> {
    p: &'p Program,
    offsets: SectionOffsets,
    section: Section,
}

type Res = Result<(), LoadError>;

impl<'p> Check<'p> {
    fn fail(&self, what: String) -> LoadError {
        LoadError {
            offset: self.offsets.of(self.section),
            kind: LoadErrorKind::Invalid(what),
        }
    }

    fn index(&self, what: &str, idx: u32, len: usize) -> Res {
        if (idx as usize) < len {
            Ok(())
        } else {
            Err(self.fail(format!(
                "{what} index {idx} out of bounds (there are {len})"
            )))
        }
    }

    fn string(&self, what: &str, idx: u32) -> Res {
        self.index(what, idx, self.p.strings.len())
    }

    fn var(&self, what: &str, idx: u32) -> Res {
        self.index(what, idx, self.p.vars.len())
    }
}

impl Program {
    /// Checks every invariant of a program built in memory (by the compiler, a test).
    /// Error offsets are 0: the program has no file yet.
    pub fn verify(&self) -> Result<(), LoadError> {
        self.verify_at(&SectionOffsets::default())
    }

    pub(super) fn verify_at(&self, offsets: &SectionOffsets) -> Result<(), LoadError> {
        let mut cx = Check {
            p: self,
            offsets: *offsets,
            section: Section::Meta,
        };
        if self.flows.is_empty() {
            return Err(cx.fail("a program needs at least one flow".into()));
        }
        cx.index("entry flow", self.entry, self.flows.len())?;
        cx.section = Section::Code;
        let decoded = decode_code(&cx)?;
        let is_target = |pc: u32| decoded.at(pc as usize).is_some();
        let target = |cx: &Check<'_>, what: &str, pc: u32| -> Res {
            if is_target(pc) {
                Ok(())
            } else {
                Err(cx.fail(format!("{what} {pc} is not the start of an instruction")))
            }
        };
        cx.section = Section::Consts;
        for value in &self.consts {
            check_const(&cx, value)?;
        }
        cx.section = Section::Messages;
        for message in &self.messages {
            for part in &message.parts {
                match part {
                    MessagePart::Text(text) => cx.string("message text", *text)?,
                    MessagePart::Var { var, fields } => {
                        cx.var("message variable", *var)?;
                        for field in fields {
                            cx.string("message field", *field)?;
                        }
                    }
                }
            }
        }
        cx.section = Section::Entities;
        check_entities(&cx)?;
        cx.section = Section::Flows;
        for flow in &self.flows {
            cx.string("flow name", flow.name)?;
            if let Some(title) = flow.title {
                cx.string("flow title", title)?;
            }
            target(&cx, "flow entry", flow.entry)?;
        }
        cx.section = Section::Vars;
        for var in &self.vars {
            cx.string("variable name", var.name)?;
            check_type(&cx, var.ty)?;
        }
        cx.section = Section::Args;
        for record in &self.args {
            for entry in &record.values {
                check_arg(&cx, &entry.value, true)?;
            }
        }
        cx.section = Section::Menus;
        for menu in &self.menus {
            for option in &menu.options {
                cx.string("menu option", option.label)?;
                target(&cx, "menu target", option.target)?;
            }
            if let Some(otherwise) = menu.otherwise {
                target(&cx, "menu else target", otherwise)?;
            }
        }
        cx.section = Section::Switches;
        for table in &self.switches {
            check_subject(&cx, table.subject)?;
            let limit = match table.subject {
                Subject::Tag => self.entities.tags.len(),
                Subject::Branch => self.entities.branches.len(),
                other => other
                    .pattern_kind(self)
                    .map_or(0, |kind| kind.patterns().len()),
            };
            for arm in &table.arms {
                cx.index("when pattern", arm.pattern, limit)?;
                target(&cx, "when target", arm.target)?;
            }
            target(&cx, "when else target", table.otherwise)?;
        }
        cx.section = Section::Lines;
        let mut last: Option<u32> = None;
        for entry in &self.lines.entries {
            if last.is_some_and(|pc| entry.pc <= pc) || entry.pc as usize >= self.code.len() {
                return Err(cx.fail(format!(
                    "line table pc {} out of order or past the code",
                    entry.pc
                )));
            }
            last = Some(entry.pc);
            cx.index("line table file", entry.file, self.files.len())?;
        }
        cx.section = Section::Code;
        check_code(&cx, &decoded)
    }
}

fn check_const(cx: &Check<'_>, value: &Const) -> Res {
    match *value {
        Const::Text(text) => cx.string("text constant", text),
        Const::Number(number) if !number.is_finite() => {
            Err(cx.fail("non-finite number constant".into()))
        }
        Const::Time(minutes) if minutes > 1440 => {
            Err(cx.fail(format!("time {minutes} past 24:00")))
        }
        Const::Date { month, day, .. } => check_date(cx, month, day),
        Const::Range(low, high) if low > high => Err(cx.fail(format!("empty range {low}..{high}"))),
        Const::Pattern { kind, index } => cx.index("pattern", index, kind.patterns().len()),
        _ => Ok(()),
    }
}

fn check_date(cx: &Check<'_>, month: u8, day: u8) -> Res {
    if (1..=12).contains(&month) && (1..=31).contains(&day) {
        Ok(())
    } else {
        Err(cx.fail(format!("impossible date month {month} day {day}")))
    }
}

fn check_type(cx: &Check<'_>, ty: ValueType) -> Res {
    match ty {
        ValueType::Record(Some(script)) => {
            cx.index("record script", script, cx.p.entities.scripts.len())
        }
        _ => Ok(()),
    }
}

fn check_arg(cx: &Check<'_>, value: &ArgValue, top: bool) -> Res {
    let p = cx.p;
    match value {
        ArgValue::Const(idx) => cx.index("argument constant", *idx, p.consts.len()),
        ArgValue::Message(idx) => cx.index("argument message", *idx, p.messages.len()),
        ArgValue::Flow(idx) => cx.index("argument flow", *idx, p.flows.len()),
        ArgValue::Item { kind, index } => cx.index(kind.keyword(), *index, p.entities.count(*kind)),
        ArgValue::List(items) if top => items.iter().try_for_each(|it| check_arg(cx, it, false)),
        ArgValue::List(_) => Err(cx.fail("a list argument inside a list".into())),
    }
}

fn check_subject(cx: &Check<'_>, subject: Subject) -> Res {
    match subject {
        Subject::Hours(period) => cx.index("when period", period, cx.p.entities.periods.len()),
        Subject::Var(var) => {
            cx.var("when variable", var)?;
            match cx.p.vars.get(var as usize).map(|it| it.ty) {
                Some(ValueType::Enum(_)) => Ok(()),
                _ => Err(cx.fail(format!("when variable {var} is not of an enum type"))),
            }
        }
        _ => Ok(()),
    }
}

fn check_entities(cx: &Check<'_>) -> Res {
    let e = &cx.p.entities;
    let plain = e
        .departments
        .iter()
        .chain(&e.tags)
        .chain(&e.groups)
        .chain(&e.branches);
    for it in plain.chain(&e.templates).chain(&e.agents) {
        cx.string("entity name", it.name)?;
        cx.string("entity title", it.title)?;
    }
    for it in &e.attendants {
        cx.string("attendant name", it.name)?;
        cx.string("attendant title", it.title)?;
        cx.index("attendant department", it.department, e.departments.len())?;
    }
    for period in &e.periods {
        cx.string("period name", period.name)?;
        cx.string("period title", period.title)?;
        for rule in &period.rules {
            if rule.days == 0 || rule.days >= 0x80 {
                return Err(cx.fail(format!("period weekday set 0x{:02x}", rule.days)));
            }
            if let Some((from, to)) = rule
                .spans
                .iter()
                .find(|(from, to)| from >= to || *to > 1440)
            {
                return Err(cx.fail(format!("period hours {from}-{to} are empty or past 24:00")));
            }
        }
        for day in &period.holidays {
            check_date(cx, day.month, day.day)?;
        }
    }
    for script in &e.scripts {
        cx.string("script name", script.name)?;
        cx.string("script path", script.path)?;
        for field in &script.fields {
            cx.string("record field", field.name)?;
            check_type(cx, field.ty)?;
        }
    }
    Ok(())
}

/// The code's instructions, decoded from the start.
struct Decoded {
    /// In code order.
    ops: Vec<Instr>,
    /// Every instruction's operand values, one after the other.
    operands: Vec<u32>,
    /// For each byte of the code, the index in `ops` of the instruction starting there,
    /// or `NOT_AN_OP`.
    index: Vec<u32>,
}

/// One decoded instruction.
#[derive(Clone, Copy)]
struct Instr {
    pc: usize,
    /// The pc after it.
    next: usize,
    op: Op,
    info: &'static OpInfo,
    /// Where its operand values start in `Decoded::operands`.
    operands: usize,
}

const NOT_AN_OP: u32 = u32::MAX;

impl Decoded {
    /// The index in `ops` of the instruction that starts at `pc`, if one does (the end
    /// of the code is not an instruction).
    fn at(&self, pc: usize) -> Option<usize> {
        match self.index.get(pc) {
            Some(&idx) if idx != NOT_AN_OP => Some(idx as usize),
            _ => None,
        }
    }

    /// The operands of `instr` with their declarations, in declaration order.
    fn operands(&self, instr: &Instr) -> impl Iterator<Item = (&'static OperandSpec, u32)> + '_ {
        let values = self.operands.get(instr.operands..).unwrap_or(&[]);
        instr.info.operands.iter().zip(values.iter().copied())
    }
}

/// The row of [`OPCODES`] of each opcode byte, built once (`Op::info` searches the
/// table, and the verifier asks for every instruction of the code).
fn info_by_code() -> &'static [Option<&'static OpInfo>; 256] {
    static TABLE: OnceLock<[Option<&'static OpInfo>; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [None; 256];
        for info in OPCODES {
            table[usize::from(info.code)] = Some(info);
        }
        table
    })
}

fn decode_code(cx: &Check<'_>) -> Result<Decoded, LoadError> {
    let code = &cx.p.code;
    if code.is_empty() {
        return Err(cx.fail("the code is empty".into()));
    }
    if u32::try_from(code.len()).is_err() {
        return Err(cx.fail("the code is larger than 4 GiB".into()));
    }
    // An instruction takes two bytes or more, and an operand one or more: sized so that
    // neither has to grow.
    let mut decoded = Decoded {
        ops: Vec::with_capacity(code.len() / 2 + 1),
        operands: Vec::with_capacity(code.len()),
        index: vec![NOT_AN_OP; code.len()],
    };
    let mut pc = 0;
    while pc < code.len() {
        // Fewer instructions than bytes, and the code fits in a u32: checked above.
        decoded.index[pc] = decoded.ops.len() as u32;
        let (op, next) = Op::decode(code, pc).map_err(|err| code_error(cx, pc, err.to_string()))?;
        let info = match info_by_code()[usize::from(code[pc])] {
            Some(info) => info,
            None => op.info(),
        };
        let start = decoded.operands.len();
        // An instruction is its opcode, then each operand as a varint in declaration
        // order; `Op::decode` has just read them, so this cannot fail.
        let mut at = pc + 1;
        for _ in info.operands {
            let value = leb128::read_u32(code, &mut at)
                .map_err(|err| code_error(cx, pc, format!("operand: {err:?}")))?;
            decoded.operands.push(value);
        }
        decoded.ops.push(Instr {
            pc,
            next,
            op,
            info,
            operands: start,
        });
        pc = next;
    }
    Ok(decoded)
}

fn code_error(cx: &Check<'_>, pc: usize, what: String) -> LoadError {
    LoadError {
        offset: cx.offsets.of(Section::Code) + pc,
        kind: LoadErrorKind::Invalid(format!("at pc {pc}: {what}")),
    }
}

/// The catalogue card whose arguments an instruction's `args` operand holds: the
/// `ask` forms have instructions of their own, every other card is `card`.
fn card_of(op: &Op) -> Option<u32> {
    match op {
        Op::Choice { .. } => Some(CardId::AskChoice.index()),
        Op::Confirm { .. } => Some(CardId::AskConfirm.index()),
        Op::Input { .. } => Some(CardId::AskInput.index()),
        Op::Card { card, .. } => Some(*card),
        _ => None,
    }
}

fn check_code(cx: &Check<'_>, decoded: &Decoded) -> Res {
    let p = cx.p;
    let code = &p.code;
    // Every instruction's operands, reachable or not.
    for instr in &decoded.ops {
        check_operands(cx, instr, decoded).map_err(|what| code_error(cx, instr.pc, what))?;
        if instr.next >= code.len() && instr.op.falls_through() {
            return Err(code_error(
                cx,
                instr.pc,
                format!("`{}` runs off the end of the code", instr.info.name),
            ));
        }
    }
    // Expression stack depth before each instruction (by index in `decoded.ops`), once
    // known.
    let mut depth: Vec<Option<usize>> = vec![None; decoded.ops.len()];
    let mut work: Vec<(usize, usize)> = p.flows.iter().map(|it| (it.entry as usize, 0)).collect();
    for menu in &p.menus {
        work.extend(menu.options.iter().map(|it| (it.target as usize, 0)));
        work.extend(menu.otherwise.map(|it| (it as usize, 0)));
    }
    for table in &p.switches {
        work.extend(table.arms.iter().map(|it| (it.target as usize, 0)));
        work.push((table.otherwise as usize, 0));
    }
    while let Some((pc, before)) = work.pop() {
        // Every pc here was checked to start an instruction: flow entries and table
        // targets by `verify_at`, jump targets by `check_operands`, and the next
        // instruction after one that falls through by the loop above.
        let Some(idx) = decoded.at(pc) else {
            return Err(code_error(cx, pc, "not the start of an instruction".into()));
        };
        match depth[idx] {
            Some(known) if known == before => continue,
            Some(known) => {
                let what = format!("stack depth {before} here but {known} on another path");
                return Err(code_error(cx, pc, what));
            }
            None => depth[idx] = Some(before),
        }
        let instr = &decoded.ops[idx];
        let info = instr.info;
        let pops = usize::from(info.pops);
        let Some(after) = before.checked_sub(pops) else {
            return Err(code_error(
                cx,
                pc,
                format!("`{}` pops {pops} but the stack holds {before}", info.name),
            ));
        };
        if info.card && after != 0 {
            let what = format!("`{}` runs with {after} values left on the stack", info.name);
            return Err(code_error(cx, pc, what));
        }
        let after = after + usize::from(info.pushes);
        if after > MAX_STACK {
            return Err(code_error(cx, pc, format!("stack deeper than {MAX_STACK}")));
        }
        let targets = decoded
            .operands(instr)
            .filter(|(spec, _)| spec.kind == OperandKind::Target);
        work.extend(targets.map(|(_, pc)| (pc as usize, after)));
        if instr.op.falls_through() {
            work.push((instr.next, after));
        }
    }
    Ok(())
}

fn check_operands(cx: &Check<'_>, instr: &Instr, decoded: &Decoded) -> Result<(), String> {
    let p = cx.p;
    let op = &instr.op;
    let card = card_of(op);
    for (spec, value) in decoded.operands(instr) {
        let idx = value as usize;
        let len = match spec.kind {
            OperandKind::Message => p.messages.len(),
            OperandKind::Str => p.strings.len(),
            OperandKind::Const => p.consts.len(),
            OperandKind::Flow => p.flows.len(),
            OperandKind::Var => p.vars.len(),
            OperandKind::OptVar => p.vars.len() + 1,
            OperandKind::Menu => p.menus.len(),
            OperandKind::OptMenu => p.menus.len() + 1,
            OperandKind::Switch => p.switches.len(),
            OperandKind::Args => p.args.len(),
            OperandKind::Card => cards().len(),
            OperandKind::Department => p.entities.departments.len(),
            OperandKind::OptAttendant => p.entities.attendants.len() + 1,
            OperandKind::Tag => p.entities.tags.len(),
            OperandKind::InputType => InputType::ALL.len(),
            OperandKind::Seconds => usize::MAX,
            OperandKind::Target => {
                if decoded.at(idx).is_none() {
                    return Err(format!(
                        "{} target {value} is not the start of an instruction",
                        spec.name
                    ));
                }
                continue;
            }
        };
        if idx >= len {
            return Err(format!(
                "{} {value} out of bounds ({} has {len})",
                spec.name,
                op.name()
            ));
        }
        let assigns = matches!(spec.kind, OperandKind::Var | OperandKind::OptVar)
            && !matches!(op, Op::Load { .. });
        let var = if spec.kind == OperandKind::OptVar {
            value.checked_sub(1)
        } else {
            Some(value)
        };
        if let (true, Some(var)) = (assigns, var) {
            if p.vars.get(var as usize).is_some_and(|it| it.builtin) {
                return Err(format!(
                    "`{}` assigns the built-in variable {var}",
                    op.name()
                ));
            }
        }
        if spec.kind == OperandKind::Args {
            let spec_card = card.and_then(|it| cards().get(it as usize));
            check_args_fit(p, value, spec_card)?;
        }
    }
    if let Op::Card {
        card, bind, menu, ..
    } = *op
    {
        let Some(spec) = cards().get(card as usize) else {
            return Err(format!("card {card} out of bounds"));
        };
        if bind != 0 && spec.binds == Binds::None {
            return Err(format!("card `{}` binds no variable", spec.name));
        }
        if menu != 0 && !matches!(spec.arms, ArmsSpec::Strings(_)) {
            return Err(format!("card `{}` takes no string arms", spec.name));
        }
    }
    Ok(())
}

fn check_args_fit(p: &Program, args: u32, card: Option<&CardSpec>) -> Result<(), String> {
    let (Some(record), Some(card)) = (p.args.get(args as usize), card) else {
        return Err(format!("argument record {args} has no card"));
    };
    let n_params = card.params().count();
    match record
        .values
        .iter()
        .find(|it| it.param as usize >= n_params)
    {
        Some(entry) => Err(format!(
            "argument record {args} sets parameter {} but `{}` has {n_params}",
            entry.param, card.name
        )),
        None => Ok(()),
    }
}

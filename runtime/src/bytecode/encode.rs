//! Writing a `Program` as a `.fxb` file: the header, then each section in order,
//! deflated when that is smaller. The
//! reader is `decode.rs`, which mirrors this file section by section.

use fluxo_stdlib::erp::ErpSystem;
use fluxo_stdlib::types::{EnumKind, InputType};
use miniz_oxide::deflate::compress_to_vec;

use super::format::{catalogue_fingerprint, Section, FLAG_DEFLATE, HEADER_LEN, MAGIC, VERSION};
use super::hash::crc32;
use super::program::{
    ArgValue, Const, Entities, Entity, MessagePart, Program, RecordField, Subject, ValueType,
};
use super::wire::Writer;

/// Measured with miniz on program payloads (level: bytes, time): the example ISP
/// program, 7,198 bytes plain, 1: 4,403, 2: 4,085, 6: 3,998 (all under 0.2 ms);
/// 400,000 tiny flows, 19 MB plain, 1: 4.68 MB in 64 ms, 2: 4.45 MB in 154 ms, 6:
/// 4.75 MB in 897 ms. At the default 6 the deflate was a third of `fluxo build`'s
/// time on large programs, and grew faster than the payload (issue 18's scaling).
const DEFLATE_LEVEL: u8 = 2;

impl Program {
    /// The program as a `.fxb` file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (flags, stored) = store(self.payload());
        self.framed(flags, stored)
    }

    /// The same file with the payload stored as is: larger, but its sections can be read
    /// in a hex dump, and mutations of it (the fuzzers', the loader tests') reach the
    /// section parser instead of the inflater.
    pub fn to_plain_bytes(&self) -> Vec<u8> {
        self.framed(0, self.payload())
    }

    fn payload(&self) -> Vec<u8> {
        let mut payload = Writer::default();
        for section in Section::ALL {
            let mut body = Writer::default();
            self.write_section(section, &mut body);
            payload.u8(section as u8);
            payload.len(body.bytes.len());
            payload.bytes.extend_from_slice(&body.bytes);
        }
        payload.bytes
    }

    fn framed(&self, flags: u16, stored: Vec<u8>) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + stored.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&self.source_hash.to_le_bytes());
        out.extend_from_slice(&catalogue_fingerprint().to_le_bytes());
        let len = u32::try_from(stored.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&crc32(&stored).to_le_bytes());
        out.extend_from_slice(&stored);
        out
    }

    fn write_section(&self, section: Section, w: &mut Writer) {
        match section {
            Section::Meta => {
                w.opt(self.erp.and_then(erp_index));
                w.var(self.entry);
            }
            Section::Strings => w.list(&self.strings, |w, it| w.str(it)),
            Section::Files => w.list(&self.files, |w, it| w.str(it)),
            Section::Consts => w.list(&self.consts, write_const),
            Section::Messages => w.list(&self.messages, |w, it| w.list(&it.parts, write_part)),
            Section::Entities => write_entities(&self.entities, w),
            Section::Flows => w.list(&self.flows, |w, it| {
                w.var(it.name);
                w.opt(it.title);
                w.var(it.entry);
            }),
            Section::Vars => w.list(&self.vars, |w, it| {
                w.var(it.name);
                write_type(w, &it.ty);
                w.u8(u8::from(it.builtin));
            }),
            Section::Args => w.list(&self.args, |w, it| {
                w.list(&it.values, |w, entry| {
                    w.var(entry.param);
                    write_arg(w, &entry.value);
                })
            }),
            Section::Menus => w.list(&self.menus, |w, it| {
                w.list(&it.options, |w, option| {
                    w.var(option.label);
                    w.var(option.target);
                });
                w.opt(it.otherwise);
            }),
            Section::Switches => w.list(&self.switches, |w, it| {
                write_subject(w, it.subject);
                w.list(&it.arms, |w, arm| {
                    w.var(arm.pattern);
                    w.var(arm.target);
                });
                w.var(it.otherwise);
            }),
            Section::Code => w.bytes.extend_from_slice(&self.code),
            Section::Lines => {
                let mut prev = (0u32, 0u32);
                w.list(&self.lines.entries, |w, it| {
                    w.var(it.pc.wrapping_sub(prev.0));
                    w.var(it.file);
                    w.signed(i64::from(it.line) - i64::from(prev.1));
                    w.var(it.column);
                    prev = (it.pc, it.line);
                });
            }
        }
    }
}

fn erp_index(system: ErpSystem) -> Option<u32> {
    index_of(&ErpSystem::ALL, &system)
}

pub(super) fn index_of<T: PartialEq>(all: &[T], item: &T) -> Option<u32> {
    all.iter()
        .position(|it| it == item)
        .and_then(|idx| u32::try_from(idx).ok())
}

fn enum_index(kind: EnumKind) -> u8 {
    index_of(&EnumKind::ALL, &kind).map_or(u8::MAX, |it| it as u8)
}

fn write_const(w: &mut Writer, value: &Const) {
    match *value {
        Const::Text(text) => {
            w.u8(0);
            w.var(text);
        }
        Const::Number(number) => {
            w.u8(1);
            w.f64(number);
        }
        Const::Bool(flag) => {
            w.u8(2);
            w.u8(u8::from(flag));
        }
        Const::Duration(secs) => {
            w.u8(3);
            w.var64(secs);
        }
        Const::Time(minutes) => {
            w.u8(4);
            w.var(u32::from(minutes));
        }
        Const::Date { year, month, day } => {
            w.u8(5);
            w.var(u32::from(year));
            w.u8(month);
            w.u8(day);
        }
        Const::Range(low, high) => {
            w.u8(6);
            w.signed(low);
            w.signed(high);
        }
        Const::Pattern { kind, index } => {
            w.u8(7);
            w.u8(enum_index(kind));
            w.var(index);
        }
    }
}

fn write_part(w: &mut Writer, part: &MessagePart) {
    match part {
        MessagePart::Text(text) => {
            w.u8(0);
            w.var(*text);
        }
        MessagePart::Var { var, fields } => {
            w.u8(1);
            w.var(*var);
            w.list(fields, |w, it| w.var(*it));
        }
    }
}

pub(super) fn write_type(w: &mut Writer, ty: &ValueType) {
    match *ty {
        ValueType::Text => w.u8(0),
        ValueType::Number => w.u8(1),
        ValueType::Bool => w.u8(2),
        ValueType::Duration => w.u8(3),
        ValueType::Time => w.u8(4),
        ValueType::Date => w.u8(5),
        ValueType::Input(input) => {
            w.u8(6);
            w.u8(index_of(&InputType::ALL, &input).map_or(u8::MAX, |it| it as u8));
        }
        ValueType::Enum(kind) => {
            w.u8(7);
            w.u8(enum_index(kind));
        }
        ValueType::Record(script) => {
            w.u8(8);
            w.opt(script);
        }
    }
}

fn write_arg(w: &mut Writer, value: &ArgValue) {
    match value {
        ArgValue::Const(idx) => {
            w.u8(0);
            w.var(*idx);
        }
        ArgValue::Message(idx) => {
            w.u8(1);
            w.var(*idx);
        }
        ArgValue::Flow(idx) => {
            w.u8(2);
            w.var(*idx);
        }
        ArgValue::Item { kind, index } => {
            w.u8(3);
            w.u8(*kind as u8);
            w.var(*index);
        }
        ArgValue::List(items) => {
            w.u8(4);
            w.list(items, write_arg);
        }
    }
}

fn write_subject(w: &mut Writer, subject: Subject) {
    match subject {
        Subject::Channel => w.u8(0),
        Subject::Branch => w.u8(1),
        Subject::Hours(period) => {
            w.u8(2);
            w.var(period);
        }
        Subject::Shift => w.u8(3),
        Subject::Tag => w.u8(4),
        Subject::Registration => w.u8(5),
        Subject::Origin => w.u8(6),
        Subject::Var(var) => {
            w.u8(7);
            w.var(var);
        }
    }
}

fn write_entities(entities: &Entities, w: &mut Writer) {
    let plain = |w: &mut Writer, it: &Entity| {
        w.var(it.name);
        w.var(it.title);
    };
    w.list(&entities.departments, plain);
    w.list(&entities.attendants, |w, it| {
        w.var(it.name);
        w.var(it.title);
        w.var(it.department);
    });
    w.list(&entities.tags, plain);
    w.list(&entities.groups, plain);
    w.list(&entities.branches, plain);
    w.list(&entities.templates, plain);
    w.list(&entities.agents, plain);
    w.list(&entities.periods, |w, it| {
        w.var(it.name);
        w.var(it.title);
        w.list(&it.rules, |w, rule| {
            w.u8(rule.days);
            w.list(&rule.spans, |w, (from, to)| {
                w.var(u32::from(*from));
                w.var(u32::from(*to));
            });
        });
        w.list(&it.holidays, |w, day| {
            w.var(u32::from(day.year));
            w.u8(day.month);
            w.u8(day.day);
        });
    });
    w.list(&entities.scripts, |w, it| {
        w.var(it.name);
        w.var(it.path);
        w.list(&it.fields, |w, field: &RecordField| {
            w.var(field.name);
            write_type(w, &field.ty);
        });
    });
}

/// The payload as the file stores it, and the header flags saying how: deflated when
/// that is smaller (always, but for the tiniest programs), else as is.
fn store(payload: Vec<u8>) -> (u16, Vec<u8>) {
    let Ok(inflated_len) = u32::try_from(payload.len()) else {
        return (0, payload);
    };
    let deflated = compress_to_vec(&payload, DEFLATE_LEVEL);
    if deflated.len() + 4 >= payload.len() {
        return (0, payload);
    }
    let mut stored = Vec::with_capacity(4 + deflated.len());
    stored.extend_from_slice(&inflated_len.to_le_bytes());
    stored.extend_from_slice(&deflated);
    (FLAG_DEFLATE, stored)
}

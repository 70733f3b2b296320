//! Reading a `.fxb` file into a `Program`: the header checks (magic, version,
//! catalogue, length, checksum, inflating a deflated payload), then each section in order, mirroring `encode.rs`, then
//! the verifier (`verify.rs`). Every error carries the byte offset where it was found.

use fluxo_stdlib::erp::ErpSystem;
use fluxo_stdlib::types::{EnumKind, InputType};
use miniz_oxide::inflate::decompress_to_vec_with_limit;

use super::format::{
    catalogue_fingerprint, Section, FLAG_DEFLATE, HEADER_LEN, MAGIC, MAX_INFLATED, VERSION,
};
use super::hash::crc32;
use super::program::{
    ArgEntry, ArgValue, ArgsRecord, Attendant, Const, Entities, Entity, EntityRef, FlowInfo,
    Holiday, HoursRule, LineEntry, LineTable, Menu, MenuOption, Message, MessagePart, Period,
    Program, RecordField, Script, Subject, SwitchArm, SwitchTable, ValueType, VarInfo,
};
use super::wire::{LoadError, LoadErrorKind, Reader, VERIFY_BYTES_PER_CODE_BYTE};

/// Where each section's body starts in the file, for the verifier's error offsets.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct SectionOffsets {
    offsets: [usize; Section::ALL.len()],
}

impl SectionOffsets {
    pub(super) fn of(&self, section: Section) -> usize {
        self.offsets.get(section as usize - 1).copied().unwrap_or(0)
    }
}

impl Program {
    /// Loads and verifies a `.fxb` file. No input makes this panic, and nothing is
    /// allocated beyond what the input's size justifies.
    pub fn from_bytes(bytes: &[u8]) -> Result<Program, LoadError> {
        let (program, offsets) = decode(bytes)?;
        program.verify_at(&offsets)?;
        Ok(program)
    }
}

fn header_error(offset: usize, kind: LoadErrorKind) -> LoadError {
    LoadError { offset, kind }
}

fn read_le<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], LoadError> {
    let slice = bytes
        .get(at..at + N)
        .ok_or_else(|| header_error(bytes.len().min(at), LoadErrorKind::Truncated))?;
    let mut array = [0u8; N];
    array.copy_from_slice(slice);
    Ok(array)
}

/// The payload of a file whose header says it is deflated: its inflated length (u32 LE),
/// then raw DEFLATE. Offsets in later errors count in the inflated payload, as if the
/// file had been stored plain.
fn inflate(stored: &[u8]) -> Result<Vec<u8>, LoadError> {
    let declared = u32::from_le_bytes(read_le(stored, 0).map_err(|e| LoadError {
        offset: HEADER_LEN + e.offset,
        ..e
    })?) as usize;
    if declared > MAX_INFLATED {
        let what = format!(
            "the deflated payload declares {declared} bytes, more than the {MAX_INFLATED} a program may have"
        );
        return Err(header_error(HEADER_LEN, LoadErrorKind::Malformed(what)));
    }
    let malformed = |what: String| header_error(HEADER_LEN + 4, LoadErrorKind::Malformed(what));
    let inflated = decompress_to_vec_with_limit(stored.get(4..).unwrap_or_default(), declared)
        .map_err(|e| malformed(format!("the deflated payload does not inflate: {e}")))?;
    if inflated.len() != declared {
        return Err(malformed(format!(
            "the deflated payload inflates to {} bytes, not the {declared} it declares",
            inflated.len()
        )));
    }
    Ok(inflated)
}

pub(super) fn decode(bytes: &[u8]) -> Result<(Program, SectionOffsets), LoadError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(header_error(0, LoadErrorKind::BadMagic));
    }
    let version = u16::from_le_bytes(read_le(bytes, 4)?);
    if version != VERSION {
        let kind = LoadErrorKind::UnsupportedVersion {
            found: version,
            supported: VERSION,
        };
        return Err(header_error(4, kind));
    }
    let flags = u16::from_le_bytes(read_le(bytes, 6)?);
    if flags & !FLAG_DEFLATE != 0 {
        let kind = LoadErrorKind::Malformed(format!("unknown header flags 0x{flags:04x}"));
        return Err(header_error(6, kind));
    }
    let source_hash = u64::from_le_bytes(read_le(bytes, 8)?);
    let fingerprint = u64::from_le_bytes(read_le(bytes, 16)?);
    if fingerprint != catalogue_fingerprint() {
        return Err(header_error(16, LoadErrorKind::CatalogueMismatch));
    }
    let len = u32::from_le_bytes(read_le(bytes, 24)?) as usize;
    let stored = u32::from_le_bytes(read_le(bytes, 28)?);
    let rest = bytes.len() - HEADER_LEN.min(bytes.len());
    if rest < len {
        return Err(header_error(bytes.len(), LoadErrorKind::Truncated));
    }
    if rest > len {
        return Err(header_error(
            HEADER_LEN + len,
            LoadErrorKind::TrailingBytes(rest - len),
        ));
    }
    let stored_payload = &bytes[HEADER_LEN..];
    let computed = crc32(stored_payload);
    if computed != stored {
        return Err(header_error(
            28,
            LoadErrorKind::ChecksumMismatch { stored, computed },
        ));
    }
    let inflated;
    let payload = if flags & FLAG_DEFLATE != 0 {
        inflated = inflate(stored_payload)?;
        &inflated[..]
    } else {
        stored_payload
    };

    let mut program = Program {
        source_hash,
        ..Program::default()
    };
    let mut offsets = SectionOffsets::default();
    let mut outer = Reader::new(payload, HEADER_LEN);
    for section in Section::ALL {
        let at = outer.offset();
        let id = outer.u8()?;
        if id != section as u8 {
            let what = format!(
                "expected section {} ({}), found id {id}",
                section as u8,
                section.name()
            );
            return Err(LoadError {
                offset: at,
                kind: LoadErrorKind::Malformed(what),
            });
        }
        let body_len = outer.var()? as usize;
        offsets.offsets[section as usize - 1] = outer.offset();
        let mut r = outer.section(body_len)?;
        read_section(&mut program, section, &mut r)?;
        if r.remaining() != 0 {
            let what = format!(
                "{} unread bytes at the end of section {}",
                r.remaining(),
                section.name()
            );
            return Err(r.malformed(what));
        }
        outer.end_section(r);
    }
    if outer.remaining() != 0 {
        return Err(outer.error(LoadErrorKind::TrailingBytes(outer.remaining())));
    }
    Ok((program, offsets))
}

fn read_section(p: &mut Program, section: Section, r: &mut Reader<'_>) -> Result<(), LoadError> {
    match section {
        Section::Meta => {
            p.erp = match r.opt()? {
                None => None,
                Some(idx) => Some(
                    *ErpSystem::ALL
                        .get(idx as usize)
                        .ok_or_else(|| r.malformed(format!("unknown ERP system {idx}")))?,
                ),
            };
            p.entry = r.var()?;
        }
        Section::Strings => p.strings = r.list(Reader::str)?,
        Section::Files => p.files = r.list(Reader::str)?,
        Section::Consts => p.consts = r.list(read_const)?,
        Section::Messages => {
            p.messages = r.list(|r| {
                Ok(Message {
                    parts: r.list(read_part)?,
                })
            })?;
        }
        Section::Entities => p.entities = read_entities(r)?,
        Section::Flows => {
            p.flows = r.list(|r| {
                Ok(FlowInfo {
                    name: r.var()?,
                    title: r.opt()?,
                    entry: r.var()?,
                })
            })?;
        }
        Section::Vars => {
            p.vars = r.list(|r| {
                let name = r.var()?;
                let ty = read_type(r)?;
                let builtin = read_bool(r)?;
                Ok(VarInfo { name, ty, builtin })
            })?;
        }
        Section::Args => {
            p.args = r.list(|r| {
                let values = r.list(|r| {
                    Ok(ArgEntry {
                        param: r.var()?,
                        value: read_arg(r, 0)?,
                    })
                })?;
                Ok(ArgsRecord { values })
            })?;
        }
        Section::Menus => {
            p.menus = r.list(|r| {
                let options = r.list(|r| {
                    Ok(MenuOption {
                        label: r.var()?,
                        target: r.var()?,
                    })
                })?;
                Ok(Menu {
                    options,
                    otherwise: r.opt()?,
                })
            })?;
        }
        Section::Switches => {
            p.switches = r.list(|r| {
                let subject = read_subject(r)?;
                let arms = r.list(|r| {
                    Ok(SwitchArm {
                        pattern: r.var()?,
                        target: r.var()?,
                    })
                })?;
                Ok(SwitchTable {
                    subject,
                    arms,
                    otherwise: r.var()?,
                })
            })?;
        }
        Section::Code => {
            let len = r.remaining();
            r.charge(len.saturating_mul(VERIFY_BYTES_PER_CODE_BYTE))?;
            p.code = r.take(len)?.to_vec();
        }
        Section::Lines => {
            let mut prev = (0u32, 0u32);
            let entries = r.list(|r| {
                let at = r.offset();
                let pc = prev.0.checked_add(r.var()?);
                let file = r.var()?;
                let line = u32::try_from(i64::from(prev.1) + r.signed()?).ok();
                let column = r.var()?;
                let (Some(pc), Some(line)) = (pc, line) else {
                    let kind = LoadErrorKind::Malformed("line table entry out of range".into());
                    return Err(LoadError { offset: at, kind });
                };
                prev = (pc, line);
                Ok(LineEntry {
                    pc,
                    file,
                    line,
                    column,
                })
            })?;
            p.lines = LineTable { entries };
        }
    }
    Ok(())
}

fn read_bool(r: &mut Reader<'_>) -> Result<bool, LoadError> {
    match r.u8()? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(r.malformed(format!("bool byte {other}"))),
    }
}

fn read_small(r: &mut Reader<'_>, what: &str, max: u32) -> Result<u32, LoadError> {
    let value = r.var()?;
    if value > max {
        return Err(r.malformed(format!("{what} {value} out of range")));
    }
    Ok(value)
}

fn read_enum(r: &mut Reader<'_>) -> Result<EnumKind, LoadError> {
    let idx = r.u8()?;
    EnumKind::ALL
        .get(usize::from(idx))
        .copied()
        .ok_or_else(|| r.malformed(format!("unknown enum kind {idx}")))
}

fn read_const(r: &mut Reader<'_>) -> Result<Const, LoadError> {
    let tag = r.u8()?;
    Ok(match tag {
        0 => Const::Text(r.var()?),
        1 => Const::Number(r.f64()?),
        2 => Const::Bool(read_bool(r)?),
        3 => Const::Duration(r.var64()?),
        4 => Const::Time(read_small(r, "time", 1440)? as u16),
        5 => Const::Date {
            year: read_small(r, "year", u32::from(u16::MAX))? as u16,
            month: r.u8()?,
            day: r.u8()?,
        },
        6 => Const::Range(r.signed()?, r.signed()?),
        7 => Const::Pattern {
            kind: read_enum(r)?,
            index: r.var()?,
        },
        other => return Err(r.malformed(format!("unknown constant tag {other}"))),
    })
}

fn read_part(r: &mut Reader<'_>) -> Result<MessagePart, LoadError> {
    match r.u8()? {
        0 => Ok(MessagePart::Text(r.var()?)),
        1 => Ok(MessagePart::Var {
            var: r.var()?,
            fields: r.list(Reader::var)?,
        }),
        other => Err(r.malformed(format!("unknown message part tag {other}"))),
    }
}

pub(super) fn read_type(r: &mut Reader<'_>) -> Result<ValueType, LoadError> {
    Ok(match r.u8()? {
        0 => ValueType::Text,
        1 => ValueType::Number,
        2 => ValueType::Bool,
        3 => ValueType::Duration,
        4 => ValueType::Time,
        5 => ValueType::Date,
        6 => {
            let idx = r.u8()?;
            let input = InputType::ALL.get(usize::from(idx)).copied();
            ValueType::Input(input.ok_or_else(|| r.malformed(format!("unknown input type {idx}")))?)
        }
        7 => ValueType::Enum(read_enum(r)?),
        8 => ValueType::Record(r.opt()?),
        other => return Err(r.malformed(format!("unknown value type tag {other}"))),
    })
}

/// Lists are one level deep: a list argument holds plain values, so recursion is bounded.
fn read_arg(r: &mut Reader<'_>, depth: u8) -> Result<ArgValue, LoadError> {
    Ok(match r.u8()? {
        0 => ArgValue::Const(r.var()?),
        1 => ArgValue::Message(r.var()?),
        2 => ArgValue::Flow(r.var()?),
        3 => {
            let idx = r.u8()?;
            let kind = EntityRef::ALL.get(usize::from(idx)).copied();
            let kind = kind.ok_or_else(|| r.malformed(format!("unknown entity kind {idx}")))?;
            ArgValue::Item {
                kind,
                index: r.var()?,
            }
        }
        4 if depth == 0 => ArgValue::List(r.list(|r| read_arg(r, 1))?),
        4 => return Err(r.malformed("a list argument inside a list")),
        other => return Err(r.malformed(format!("unknown argument tag {other}"))),
    })
}

fn read_subject(r: &mut Reader<'_>) -> Result<Subject, LoadError> {
    Ok(match r.u8()? {
        0 => Subject::Channel,
        1 => Subject::Branch,
        2 => Subject::Hours(r.var()?),
        3 => Subject::Shift,
        4 => Subject::Tag,
        5 => Subject::Registration,
        6 => Subject::Origin,
        7 => Subject::Var(r.var()?),
        other => return Err(r.malformed(format!("unknown when subject tag {other}"))),
    })
}

fn read_entity(r: &mut Reader<'_>) -> Result<Entity, LoadError> {
    Ok(Entity {
        name: r.var()?,
        title: r.var()?,
    })
}

fn read_entities(r: &mut Reader<'_>) -> Result<Entities, LoadError> {
    let departments = r.list(read_entity)?;
    let attendants = r.list(|r| {
        Ok(Attendant {
            name: r.var()?,
            title: r.var()?,
            department: r.var()?,
        })
    })?;
    let tags = r.list(read_entity)?;
    let groups = r.list(read_entity)?;
    let branches = r.list(read_entity)?;
    let templates = r.list(read_entity)?;
    let agents = r.list(read_entity)?;
    let periods = r.list(|r| {
        let name = r.var()?;
        let title = r.var()?;
        let rules = r.list(|r| {
            let days = r.u8()?;
            let spans = r.list(|r| {
                let from = read_small(r, "time", 1440)? as u16;
                let to = read_small(r, "time", 1440)? as u16;
                Ok((from, to))
            })?;
            Ok(HoursRule { days, spans })
        })?;
        let holidays = r.list(|r| {
            let year = read_small(r, "year", u32::from(u16::MAX))? as u16;
            Ok(Holiday {
                year,
                month: r.u8()?,
                day: r.u8()?,
            })
        })?;
        Ok(Period {
            name,
            title,
            rules,
            holidays,
        })
    })?;
    let scripts = r.list(|r| {
        let name = r.var()?;
        let path = r.var()?;
        let fields = r.list(|r| {
            Ok(RecordField {
                name: r.var()?,
                ty: read_type(r)?,
            })
        })?;
        Ok(Script { name, path, fields })
    })?;
    Ok(Entities {
        departments,
        attendants,
        tags,
        groups,
        branches,
        templates,
        agents,
        periods,
        scripts,
    })
}

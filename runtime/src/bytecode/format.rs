//! The fixed parts of the `.fxb` file: the header layout, the section order, and the
//! fingerprint of the stdlib catalogue that a program's indices depend on.
//! docs/bytecode.md describes the same layout byte by byte.

use fluxo_stdlib::catalogue::cards;
use fluxo_stdlib::erp::ErpSystem;
use fluxo_stdlib::types::{EnumKind, InputType};

use super::hash::fnv1a64;

pub const MAGIC: [u8; 4] = *b"FXB\0";
/// Bumped on any change a reader of the previous version would misread.
pub const VERSION: u16 = 1;
/// Header flag: the stored payload is its inflated length (u32 LE) followed by the
/// payload compressed with raw DEFLATE (RFC 1951). A program's texts are most of its
/// bytes and repeat a lot, so this halves a typical file; the writer sets it only when
/// it makes the file smaller.
pub const FLAG_DEFLATE: u16 = 1;
/// The most bytes a deflated payload may inflate to, so a small hostile file cannot make
/// the loader allocate without bound (a 10,000-card program's payload is ~130 KiB).
pub const MAX_INFLATED: usize = 64 << 20;
/// magic 4, version 2, flags 2, source hash 8, catalogue fingerprint 8, payload length
/// 4, payload CRC-32 4.
pub const HEADER_LEN: usize = 32;

/// The payload's sections, in the only order they may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Meta = 1,
    Strings = 2,
    Files = 3,
    Consts = 4,
    Messages = 5,
    Entities = 6,
    Flows = 7,
    Vars = 8,
    Args = 9,
    Menus = 10,
    Switches = 11,
    Code = 12,
    Lines = 13,
}

impl Section {
    pub const ALL: [Section; 13] = [
        Section::Meta,
        Section::Strings,
        Section::Files,
        Section::Consts,
        Section::Messages,
        Section::Entities,
        Section::Flows,
        Section::Vars,
        Section::Args,
        Section::Menus,
        Section::Switches,
        Section::Code,
        Section::Lines,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::Meta => "meta",
            Section::Strings => "strings",
            Section::Files => "files",
            Section::Consts => "consts",
            Section::Messages => "messages",
            Section::Entities => "entities",
            Section::Flows => "flows",
            Section::Vars => "vars",
            Section::Args => "args",
            Section::Menus => "menus",
            Section::Switches => "switches",
            Section::Code => "code",
            Section::Lines => "lines",
        }
    }
}

/// A hash of everything in the stdlib whose order the bytecode's numbers depend on: card
/// names and their parameters, enum patterns, input types and ERP systems. A program
/// compiled against another catalogue is refused at load instead of misread.
pub fn catalogue_fingerprint() -> u64 {
    let mut parts: Vec<&[u8]> = Vec::new();
    for card in cards() {
        parts.push(card.name.as_bytes());
        for param in card.params() {
            parts.push(param.name.as_bytes());
        }
    }
    for kind in EnumKind::ALL {
        parts.push(kind.name().as_bytes());
        for pattern in kind.patterns() {
            parts.push(pattern.name.as_bytes());
        }
    }
    for input in InputType::ALL {
        parts.push(input.name().as_bytes());
    }
    for system in ErpSystem::ALL {
        parts.push(system.name().as_bytes());
    }
    fnv1a64(parts)
}

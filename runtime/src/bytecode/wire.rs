//! The primitives of the `.fxb` payload: a writer and a bounds-checked reader of bytes,
//! varints, strings and counted lists, and the load error that carries a byte offset.
//!
//! The reader never allocates more than the input can justify: a count is refused
//! unless the bytes left could hold that many elements of at least one byte each, and
//! every list, string and code blob is charged against one budget of heap bytes
//! ([`MAX_DECODED`]) before it is allocated. A count alone cannot bound memory: a 65 KB
//! deflated file inflates to 64 MiB of one-byte entries, each decoded into a 24-byte
//! struct (1.6 GB), so the budget counts what the decoded structures take, not what
//! the payload takes.

use std::fmt;

use super::leb128::{self, VarintError};

/// The most heap bytes the decoded structures of one program (and the verifier's
/// tables, see [`VERIFY_BYTES_PER_CODE_BYTE`]) may take. A 10,000-card program takes
/// about 2 MiB; with the inflated payload (at most 64 MiB) loading stays under 256 MB.
pub const MAX_DECODED: usize = 96 << 20;

/// What the verifier allocates per byte of code (its instruction list, operand list,
/// byte-to-instruction index and stack-depth table), charged when the code is read.
pub const VERIFY_BYTES_PER_CODE_BYTE: usize = 40;

/// Why a byte string is not a loadable program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// Byte offset in the file where the problem was found.
    pub offset: usize,
    pub kind: LoadErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadErrorKind {
    BadMagic,
    UnsupportedVersion {
        found: u16,
        supported: u16,
    },
    /// The stdlib card catalogue differs from the one the program was compiled against.
    CatalogueMismatch,
    ChecksumMismatch {
        stored: u32,
        computed: u32,
    },
    /// The input ends before the structure it announces.
    Truncated,
    /// Bytes after the end of the payload.
    TrailingBytes(usize),
    /// A structural fault: a bad tag, an out-of-range number, a section out of place.
    Malformed(String),
    /// The parsed program breaks an invariant (an index out of bounds, a jump into the
    /// middle of an instruction, an unbalanced stack).
    Invalid(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {} (0x{:x}): ", self.offset, self.offset)?;
        match &self.kind {
            LoadErrorKind::BadMagic => f.write_str("not a Fluxo program (the file does not start with FXB\\0)"),
            LoadErrorKind::UnsupportedVersion { found, supported } => write!(
                f,
                "bytecode format version {found} is not supported (this runtime reads version {supported}); rebuild the program"
            ),
            LoadErrorKind::CatalogueMismatch => f.write_str(
                "the program was compiled against a different card catalogue; rebuild it with this version of fluxo",
            ),
            LoadErrorKind::ChecksumMismatch { stored, computed } => write!(
                f,
                "payload checksum mismatch (stored {stored:08x}, computed {computed:08x}): the file is corrupt"
            ),
            LoadErrorKind::Truncated => f.write_str("unexpected end of the file"),
            LoadErrorKind::TrailingBytes(count) => write!(f, "{count} unexpected bytes after the end of the program"),
            LoadErrorKind::Malformed(what) => write!(f, "malformed program: {what}"),
            LoadErrorKind::Invalid(what) => write!(f, "invalid program: {what}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Appends the payload's primitives.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub fn var(&mut self, value: u32) {
        leb128::write_u32(&mut self.bytes, value);
    }

    pub fn var64(&mut self, value: u64) {
        leb128::write_u64(&mut self.bytes, value);
    }

    /// A signed number, zigzag-encoded so small negatives stay short.
    pub fn signed(&mut self, value: i64) {
        self.var64(((value << 1) ^ (value >> 63)) as u64);
    }

    /// `None` as 0, `Some(n)` as n + 1.
    pub fn opt(&mut self, value: Option<u32>) {
        self.var(value.map_or(0, |it| it.saturating_add(1)));
    }

    pub fn f64(&mut self, value: f64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn str(&mut self, value: &str) {
        self.len(value.len());
        self.bytes.extend_from_slice(value.as_bytes());
    }

    pub fn len(&mut self, len: usize) {
        self.var(u32::try_from(len).unwrap_or(u32::MAX));
    }

    /// A count, then each item.
    pub fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Writer, &T)) {
        self.len(items.len());
        for item in items {
            each(self, item);
        }
    }
}

/// Reads the payload's primitives from `bytes[pos..end]`; offsets in errors are absolute
/// file offsets (`base` is where `bytes` starts in the file).
pub struct Reader<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
    pub end: usize,
    pub base: usize,
    /// Heap bytes the decoded program may still take; a section's reader takes over
    /// its parent's ([`Reader::section`]) and gives back the rest.
    pub budget: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], base: usize) -> Reader<'a> {
        Reader {
            bytes,
            pos: 0,
            end: bytes.len(),
            base,
            budget: MAX_DECODED,
        }
    }

    /// A reader of the next `len` bytes, sharing this reader's budget until
    /// [`Reader::end_section`] hands it back.
    pub fn section(&mut self, len: usize) -> Result<Reader<'a>, LoadError> {
        let base = self.offset();
        let body = self.take(len)?;
        let mut inner = Reader::new(body, base);
        inner.budget = std::mem::take(&mut self.budget);
        Ok(inner)
    }

    pub fn end_section(&mut self, inner: Reader<'a>) {
        self.budget = inner.budget;
    }

    /// Takes `bytes` from the budget, or refuses the program as too large.
    pub fn charge(&mut self, bytes: usize) -> Result<(), LoadError> {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(self.malformed(format!(
                "the program needs more than the {} MiB of memory a program may take",
                MAX_DECODED >> 20
            ))),
        }
    }

    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    pub fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    pub fn error(&self, kind: LoadErrorKind) -> LoadError {
        LoadError {
            offset: self.offset(),
            kind,
        }
    }

    pub fn malformed(&self, what: impl Into<String>) -> LoadError {
        self.error(LoadErrorKind::Malformed(what.into()))
    }

    fn window(&self) -> &'a [u8] {
        self.bytes.get(..self.end).unwrap_or(self.bytes)
    }

    fn varint_error(&self, err: VarintError) -> LoadError {
        match err {
            VarintError::Truncated => self.error(LoadErrorKind::Truncated),
            VarintError::TooLong => self.malformed("varint too long"),
        }
    }

    pub fn u8(&mut self) -> Result<u8, LoadError> {
        let Some(&byte) = self.window().get(self.pos) else {
            return Err(self.error(LoadErrorKind::Truncated));
        };
        self.pos += 1;
        Ok(byte)
    }

    pub fn take(&mut self, len: usize) -> Result<&'a [u8], LoadError> {
        if len > self.remaining() {
            return Err(self.error(LoadErrorKind::Truncated));
        }
        let slice = self
            .window()
            .get(self.pos..self.pos + len)
            .unwrap_or_default();
        self.pos += len;
        Ok(slice)
    }

    pub fn var(&mut self) -> Result<u32, LoadError> {
        let window = self.window();
        let mut pos = self.pos;
        let value = leb128::read_u32(window, &mut pos).map_err(|err| self.varint_error(err))?;
        self.pos = pos;
        Ok(value)
    }

    pub fn var64(&mut self) -> Result<u64, LoadError> {
        let window = self.window();
        let mut pos = self.pos;
        let value = leb128::read_u64(window, &mut pos).map_err(|err| self.varint_error(err))?;
        self.pos = pos;
        Ok(value)
    }

    pub fn signed(&mut self) -> Result<i64, LoadError> {
        let raw = self.var64()?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    pub fn opt(&mut self) -> Result<Option<u32>, LoadError> {
        Ok(self.var()?.checked_sub(1))
    }

    pub fn f64(&mut self) -> Result<f64, LoadError> {
        let bytes = self.take(8)?;
        let mut array = [0u8; 8];
        array.copy_from_slice(bytes);
        Ok(f64::from_le_bytes(array))
    }

    pub fn str(&mut self) -> Result<String, LoadError> {
        let len = self.len()?;
        self.charge(len)?;
        let at = self.offset();
        let bytes = self.take(len)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(_) => Err(LoadError {
                offset: at,
                kind: LoadErrorKind::Malformed("string is not UTF-8".into()),
            }),
        }
    }

    /// A count of items of at least one byte each, refused when the rest cannot hold it.
    pub fn len(&mut self) -> Result<usize, LoadError> {
        let count = self.var()? as usize;
        if count > self.remaining() {
            return Err(self.malformed(format!(
                "count {count} exceeds the {} bytes left",
                self.remaining()
            )));
        }
        Ok(count)
    }

    pub fn list<T>(
        &mut self,
        mut each: impl FnMut(&mut Reader<'a>) -> Result<T, LoadError>,
    ) -> Result<Vec<T>, LoadError> {
        let count = self.len()?;
        self.charge(count.saturating_mul(std::mem::size_of::<T>()))?;
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            items.push(each(self)?);
        }
        Ok(items)
    }
}

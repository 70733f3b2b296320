//! The primitives of the session snapshot: LEB128 varints (signed ones zig-zagged),
//! texts as a varint length and UTF-8 bytes, options as a 0/1 byte then the value, and
//! variable values. `Reader` never trusts its input: every length is checked against
//! what is left, and nothing panics. The layout (which field comes when) is
//! `snapshot.rs`'s.

use fluxo_stdlib::types::EnumKind;

use super::context::Span;
use crate::Value;

/// Appends to a snapshot buffer.
pub(super) struct Writer<'o>(pub &'o mut Vec<u8>);

impl Writer<'_> {
    #[inline]
    pub fn uint(&mut self, mut value: u64) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    #[inline]
    pub fn int(&mut self, value: i64) {
        self.uint(((value << 1) ^ (value >> 63)) as u64);
    }

    #[inline]
    pub fn text(&mut self, text: &str) {
        self.uint(text.len() as u64);
        self.0.extend_from_slice(text.as_bytes());
    }

    #[inline]
    pub fn opt_text(&mut self, text: Option<&str>) {
        match text {
            None => self.0.push(0),
            Some(text) => {
                self.0.push(1);
                self.text(text);
            }
        }
    }

    /// Writes a text; where its bytes are in the buffer.
    pub fn text_span(&mut self, text: &str) -> Span {
        self.uint(text.len() as u64);
        let start = self.0.len();
        self.0.extend_from_slice(text.as_bytes());
        Span {
            start: offset(start),
            end: offset(self.0.len()),
        }
    }

    pub fn texts(&mut self, texts: &[String]) {
        self.uint(texts.len() as u64);
        for text in texts {
            self.text(text);
        }
    }

    pub fn value(&mut self, value: &Value) {
        match value {
            Value::Text(text) => {
                self.0.push(0);
                self.text(text);
            }
            Value::Number(n) => {
                self.0.push(1);
                self.0.extend_from_slice(&n.to_le_bytes());
            }
            Value::Bool(b) => self.0.push(if *b { 3 } else { 2 }),
            Value::Duration(secs) => {
                self.0.push(4);
                self.uint(*secs);
            }
            Value::Time(minutes) => {
                self.0.push(5);
                self.uint(u64::from(*minutes));
            }
            Value::Date { year, month, day } => {
                self.0.push(6);
                self.uint(u64::from(*year));
                self.0.push(*month);
                self.0.push(*day);
            }
            Value::Pattern { kind, index } => {
                self.0.push(7);
                self.0.push(enum_code(*kind));
                self.uint(u64::from(*index));
            }
            Value::Record(fields) => {
                self.0.push(8);
                self.uint(fields.len() as u64);
                for (name, value) in fields {
                    self.text(name);
                    self.value(value);
                }
            }
            Value::Range(low, high) => {
                self.0.push(9);
                self.int(*low);
                self.int(*high);
            }
        }
    }
}

/// A position in a written context as a span bound. A context longer than 4 GiB
/// cannot be held anyway; saturating keeps the writer total.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

fn enum_code(kind: EnumKind) -> u8 {
    EnumKind::ALL.iter().position(|it| *it == kind).unwrap_or(0) as u8
}

/// Records nest at most this deep in a snapshot (Low Code records are flat).
const MAX_DEPTH: u32 = 8;

/// Reads a snapshot. A read that fails returns `None` and leaves why in `why` (reads
/// return options, not `Result`s, so that they return in registers: decoding a
/// snapshot is most of restoring a conversation).
#[derive(Clone)]
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    pub why: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], pos: usize) -> Reader<'a> {
        Reader {
            bytes,
            pos,
            why: "",
        }
    }

    /// Where the reader stands, for `since`.
    pub fn mark(&self) -> usize {
        self.pos
    }

    /// The bytes read since `mark`.
    pub fn since(&self, mark: usize) -> &'a [u8] {
        self.bytes.get(mark..self.pos).unwrap_or_default()
    }

    /// The bytes not read yet.
    pub fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// Fails the read with `why`.
    #[cold]
    pub fn bad<T>(&mut self, why: &'static str) -> Option<T> {
        self.why = why;
        None
    }

    #[inline]
    pub fn byte(&mut self) -> Option<u8> {
        match self.bytes.get(self.pos) {
            Some(byte) => {
                self.pos += 1;
                Some(*byte)
            }
            None => self.bad(CUT_SHORT),
        }
    }

    #[inline]
    pub fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => self.bad("bad flag"),
        }
    }

    #[inline]
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        match self.bytes.get(self.pos..self.pos.saturating_add(n)) {
            Some(slice) => {
                self.pos += n;
                Some(slice)
            }
            None => self.bad(CUT_SHORT),
        }
    }

    #[inline]
    pub fn uint(&mut self) -> Option<u64> {
        // Most numbers of a snapshot (lengths, counts, pcs) take one byte.
        match self.bytes.get(self.pos) {
            Some(&byte) if byte < 0x80 => {
                self.pos += 1;
                Some(u64::from(byte))
            }
            _ => self.long_uint(),
        }
    }

    fn long_uint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        let mut shift = 0;
        while shift < 64 {
            let byte = self.byte()?;
            let low = u64::from(byte & 0x7f);
            if shift == 63 && low > 1 {
                break;
            }
            value |= low << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
            shift += 7;
        }
        self.bad("varint too long")
    }

    #[inline]
    pub fn int(&mut self) -> Option<i64> {
        let raw = self.uint()?;
        Some(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    #[inline]
    pub fn u32(&mut self) -> Option<u32> {
        match u32::try_from(self.uint()?) {
            Ok(value) => Some(value),
            Err(_) => self.bad("number out of range"),
        }
    }

    /// A count of items, each at least one byte: never more than the bytes left.
    #[inline]
    pub fn count(&mut self) -> Option<usize> {
        let n = self.uint()?;
        if n > self.left() as u64 {
            return self.bad(CUT_SHORT);
        }
        Some(n as usize)
    }

    /// A text's bytes, not yet checked as UTF-8.
    #[inline]
    pub fn raw_text(&mut self) -> Option<&'a [u8]> {
        let n = self.count()?;
        self.take(n)
    }

    pub fn text(&mut self) -> Option<String> {
        let bytes = self.raw_text()?;
        if bytes.is_empty() {
            return Some(String::new());
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Some(text.to_string()),
            Err(_) => self.bad(NOT_UTF8),
        }
    }

    /// A text left where it is, not checked as UTF-8: its span from `base`.
    #[inline]
    pub fn text_span(&mut self, base: usize) -> Option<Span> {
        let bytes = self.raw_text()?;
        let from_base = |at: usize| u32::try_from(at.saturating_sub(base)).ok();
        match (from_base(self.pos - bytes.len()), from_base(self.pos)) {
            (Some(start), Some(end)) => Some(Span { start, end }),
            _ => self.bad("text too long"),
        }
    }

    /// A text into `out`, replacing what it held (and reusing its buffer).
    pub fn text_into(&mut self, out: &mut String) -> Option<()> {
        let bytes = self.raw_text()?;
        out.clear();
        if bytes.is_empty() {
            return Some(());
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                out.push_str(text);
                Some(())
            }
            Err(_) => self.bad(NOT_UTF8),
        }
    }

    /// An optional text into `out`, replacing what it held (and reusing its buffer).
    pub fn opt_text_into(&mut self, out: &mut Option<String>) -> Option<()> {
        if !self.flag()? {
            *out = None;
            return Some(());
        }
        match out {
            Some(text) => self.text_into(text),
            None => {
                *out = Some(self.text()?);
                Some(())
            }
        }
    }

    pub fn opt_text(&mut self) -> Option<Option<String>> {
        if self.flag()? {
            Some(Some(self.text()?))
        } else {
            Some(None)
        }
    }

    /// A list of texts into `out`, replacing what it held.
    pub fn texts_into(&mut self, out: &mut Vec<String>) -> Option<()> {
        let n = self.count()?;
        out.clear();
        for _ in 0..n {
            let text = self.text()?;
            out.push(text);
        }
        Some(())
    }

    /// A value into `slot`; a text over a text reuses its buffer.
    pub fn value_into(&mut self, slot: &mut Option<Value>) -> Option<()> {
        if let (Some(0), Some(Value::Text(text))) = (self.bytes.get(self.pos), &mut *slot) {
            self.pos += 1;
            return self.text_into(text);
        }
        *slot = Some(self.value(0)?);
        Some(())
    }

    pub fn value(&mut self, depth: u32) -> Option<Value> {
        Some(match self.byte()? {
            0 => Value::Text(self.text()?),
            1 => {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(self.take(8)?);
                Value::Number(f64::from_le_bytes(raw))
            }
            2 => Value::Bool(false),
            3 => Value::Bool(true),
            4 => Value::Duration(self.uint()?),
            5 => match u16::try_from(self.uint()?) {
                Ok(minutes) => Value::Time(minutes),
                Err(_) => return self.bad("bad time"),
            },
            6 => {
                let Ok(year) = u16::try_from(self.uint()?) else {
                    return self.bad("bad year");
                };
                Value::Date {
                    year,
                    month: self.byte()?,
                    day: self.byte()?,
                }
            }
            7 => {
                let Some(kind) = EnumKind::ALL.get(self.byte()? as usize).copied() else {
                    return self.bad("bad enum kind");
                };
                let index = self.u32()?;
                if index as usize >= kind.patterns().len() {
                    return self.bad("bad enum pattern");
                }
                Value::Pattern { kind, index }
            }
            8 if depth < MAX_DEPTH => {
                let n = self.count()?;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    let name = self.text()?;
                    fields.push((name, self.value(depth + 1)?));
                }
                Value::Record(fields)
            }
            9 => Value::Range(self.int()?, self.int()?),
            _ => return self.bad("bad value tag"),
        })
    }
}

const CUT_SHORT: &str = "cut short";
pub(super) const NOT_UTF8: &str = "text is not UTF-8";

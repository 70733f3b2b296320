//! Byte offsets to line and column for the line table.
//!
//! Lowering asks for a position at every instruction; `Sources::line_col` scans the text
//! from its start each time, which made lowering quadratic in the file size. The answers
//! here are exactly that function's: 1-based lines, 1-based columns in characters, an
//! offset past the end clamped to it and one inside a character moved back to its start.
//!
//! Lowering asks in source order, give or take a statement, so each file keeps the
//! position of its previous answer and counts the newlines between it and the next
//! question, forwards or backwards: the cost of a question is the distance from the
//! previous one (counting bytes equal to `\n` is a loop the compiler vectorises), and a
//! whole compilation reads each file about once. Nothing is built in advance.

use std::cell::Cell;

use fluxo_grammar::FileId;

use crate::Sources;

pub(crate) struct Lines<'s> {
    sources: &'s Sources,
    /// Per file (by id): where the previous answer was.
    cursors: Vec<Cell<Cursor>>,
}

/// A byte offset (on a character boundary), its 0-based line, and where that line
/// starts.
#[derive(Clone, Copy, Default)]
struct Cursor {
    offset: usize,
    line: usize,
    line_start: usize,
}

/// The newlines in `bytes`: how many, and where the last one is. Eight bytes at a time:
/// this is the one loop of lowering that reads every byte of the sources.
fn newlines(bytes: &[u8]) -> (usize, Option<usize>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW: u64 = !HIGH;
    const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut count = 0;
    let mut last = None;
    let mut words = bytes.chunks_exact(8);
    for (n, word) in words.by_ref().enumerate() {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            continue;
        };
        // Bytes that are `\n` become zero. The quick test is nonzero exactly when some
        // byte is (most words have none); the exact one sets the top bit of exactly the
        // zero bytes (no carry crosses a byte: each sum is at most 0xfe).
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        if x.wrapping_sub(ONES) & !x & HIGH != 0 {
            let zero = !(((x & LOW) + LOW) | x | LOW);
            count += zero.count_ones() as usize;
            let byte = 7 - zero.leading_zeros() as usize / 8;
            last = Some(n * 8 + byte);
        }
    }
    let tail = bytes.len() - words.remainder().len();
    for (at, &b) in words.remainder().iter().enumerate() {
        if b == b'\n' {
            count += 1;
            last = Some(tail + at);
        }
    }
    (count, last)
}

impl<'s> Lines<'s> {
    pub fn new(sources: &'s Sources) -> Lines<'s> {
        let cursors = sources.iter().map(|_| Cell::default()).collect();
        Lines { sources, cursors }
    }

    /// The 1-based line and column (in characters) of byte `offset` of file `id`.
    pub fn line_col(&self, id: FileId, offset: u32) -> (u32, u32) {
        let (Some(file), Some(cursor)) = (self.sources.get(id), self.cursors.get(id.0 as usize))
        else {
            return (1, 1);
        };
        let text = file.text.as_str();
        let bytes = text.as_bytes();
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let last = cursor.get();
        // The newlines between the two offsets move the line.
        let (from, to) = if last.offset <= offset {
            (last.offset, offset)
        } else {
            (offset, last.offset)
        };
        let (crossed, last_newline) = newlines(&bytes[from..to]);
        let here = match last_newline {
            None => Cursor { offset, ..last },
            Some(at) if last.offset <= offset => Cursor {
                offset,
                line: last.line + crossed,
                line_start: from + at + 1,
            },
            // Backwards, the line starts before the bytes counted: after the newline
            // that ends the line before it.
            Some(_) => Cursor {
                offset,
                line: last.line - crossed,
                line_start: bytes[..offset]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |at| at + 1),
            },
        };
        cursor.set(here);
        // Most lines before a statement are ASCII: one byte, one character.
        let before = &text[here.line_start..offset];
        let column = if before.is_ascii() {
            before.len()
        } else {
            before.chars().count()
        } + 1;
        (
            u32::try_from(here.line + 1).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_newlines_like_a_byte_loop() {
        // Newlines at every position of a word, next to bytes that differ from `\n` in
        // one bit or have the top bit set (`0x8a`, `0x0b`, `0x09`, UTF-8 continuations).
        let alphabet = [b'\n', b'a', 0x8a, 0x0b, 0x09, 0x00, 0xc3, 0xa7, 0xff, 0x01];
        let mut seed = 7u32;
        for len in 0..80 {
            for _ in 0..20 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        alphabet[(seed >> 16) as usize % alphabet.len()]
                    })
                    .collect();
                let count = bytes.iter().filter(|&&b| b == b'\n').count();
                let last = bytes.iter().rposition(|&b| b == b'\n');
                assert_eq!(newlines(&bytes), (count, last), "{bytes:?}");
            }
        }
    }

    #[test]
    fn agrees_with_sources_line_col_everywhere() {
        let mut sources = Sources::new();
        let texts = [
            "flow main {\n    say \"Olá, técnico!\"\n\n  end\n}\n",
            "",
            "\n\nçã\nx",
            "no newline at all",
        ];
        let ids: Vec<FileId> = texts
            .iter()
            .enumerate()
            .map(|(n, text)| sources.add(format!("{n}.flow"), *text))
            .collect();
        let lines = Lines::new(&sources);
        for (id, text) in ids.iter().zip(texts) {
            // Every offset, including ones inside a character and past the end, asked
            // forwards, backwards and jumping about, so the remembered line is right,
            // next to the answer and far from it.
            let end = text.len() as u32 + 3;
            let forwards = 0..=end;
            let backwards = (0..=end).rev();
            let jumping = (0..=end).map(|n| (n * 7 + 3) % (end + 1));
            for offset in forwards.chain(backwards).chain(jumping) {
                assert_eq!(
                    lines.line_col(*id, offset),
                    sources.line_col(*id, offset),
                    "offset {offset} of {text:?}"
                );
            }
        }
        assert_eq!(lines.line_col(FileId(99), 4), (1, 1));
        // Alternating between files.
        for offset in 0..12 {
            for id in &ids {
                assert_eq!(lines.line_col(*id, offset), sources.line_col(*id, offset));
            }
        }
    }
}

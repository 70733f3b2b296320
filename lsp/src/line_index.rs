//! Positions as editors count them: lines and UTF-16 code units, the Language Server
//! Protocol's default, against the byte offsets of the compiler's spans.
//!
//! A position past the end of its line or of the file is clamped to that end, and one
//! inside a character to its start: nothing an editor sends makes an offset that slices
//! a string badly.

use lsp_types::{Position, Range};

/// The line starts of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.match_indices('\n')
                .filter_map(|(at, _)| u32::try_from(at + 1).ok()),
        );
        LineIndex {
            starts,
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of `position` in `text` (the text this index was built from).
    pub fn offset(&self, text: &str, position: Position) -> u32 {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.len;
        };
        let end = self.line_end(position.line as usize);
        let line = text.get(start as usize..end as usize).unwrap_or("");
        let mut units = 0;
        for (at, ch) in line.char_indices() {
            if ch == '\n' || ch == '\r' || units >= position.character {
                return start + at as u32;
            }
            units += ch.len_utf16() as u32;
        }
        end
    }

    /// The position of byte `offset` (clamped to the text).
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let offset = offset.min(self.len);
        let line = self
            .starts
            .partition_point(|&it| it <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let before = text.get(start as usize..offset as usize).unwrap_or("");
        let character = before.chars().map(|ch| ch.len_utf16() as u32).sum();
        Position {
            line: line as u32,
            character,
        }
    }

    pub fn range(&self, text: &str, start: u32, end: u32) -> Range {
        Range {
            start: self.position(text, start),
            end: self.position(text, end),
        }
    }

    /// Where line `line` ends: the next line's start, or the end of the text.
    fn line_end(&self, line: usize) -> u32 {
        self.starts.get(line + 1).copied().unwrap_or(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_utf16_units_and_clamps_past_the_end() {
        let text = "say \"Olá 😀\"\nend\n";
        let index = LineIndex::new(text);
        let at = |line, character| index.offset(text, Position { line, character });
        // `😀` is two UTF-16 units and four bytes.
        assert_eq!(at(0, 9), text.find('😀').unwrap() as u32);
        assert_eq!(at(0, 11), text.find('😀').unwrap() as u32 + 4);
        assert_eq!(index.position(text, at(0, 11)), Position::new(0, 11));
        // Inside the surrogate pair: after the character, never inside it.
        assert_eq!(at(0, 10), text.find('😀').unwrap() as u32 + 4);
        assert_eq!(at(0, 500), text.find('\n').unwrap() as u32);
        assert_eq!(at(1, 1), text.find("end").unwrap() as u32 + 1);
        assert_eq!(at(9, 0), text.len() as u32);
        assert_eq!(index.position(text, 10_000), Position::new(2, 0));
    }
}

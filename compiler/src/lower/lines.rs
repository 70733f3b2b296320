//! Byte offsets to line and column for the line table, answered from an index of line
//! starts built once per compilation.
//!
//! Lowering asks for a position at every instruction; `Sources::line_col` scans the text
//! from its start each time, which made lowering quadratic in the file size. The answers
//! here are exactly that function's: 1-based lines, 1-based columns in characters, an
//! offset past the end clamped to it and one inside a character moved back to its start.

use fluxo_grammar::FileId;

use crate::Sources;

pub(crate) struct Lines<'s> {
    sources: &'s Sources,
    /// Per file (by id): the byte offset where each line starts; the first is 0.
    starts: Vec<Vec<usize>>,
}

impl<'s> Lines<'s> {
    pub fn new(sources: &'s Sources) -> Lines<'s> {
        let starts = sources
            .iter()
            .map(|file| {
                let newlines = file.text.bytes().enumerate().filter(|(_, b)| *b == b'\n');
                std::iter::once(0)
                    .chain(newlines.map(|(at, _)| at + 1))
                    .collect()
            })
            .collect();
        Lines { sources, starts }
    }

    /// The 1-based line and column (in characters) of byte `offset` of file `id`.
    pub fn line_col(&self, id: FileId, offset: u32) -> (u32, u32) {
        let (Some(file), Some(starts)) = (self.sources.get(id), self.starts.get(id.0 as usize))
        else {
            return (1, 1);
        };
        let text = file.text.as_str();
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        // The lines that start at or before `offset`; the last of them holds it.
        let line = starts.partition_point(|start| *start <= offset).max(1);
        let line_start = starts.get(line - 1).copied().unwrap_or(0);
        let column = text[line_start..offset].chars().count() + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // Every offset, including ones inside a character and past the end.
            for offset in 0..=text.len() as u32 + 3 {
                assert_eq!(
                    lines.line_col(*id, offset),
                    sources.line_col(*id, offset),
                    "offset {offset} of {text:?}"
                );
            }
        }
        assert_eq!(lines.line_col(FileId(99), 4), (1, 1));
    }
}

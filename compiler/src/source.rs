//! The source files of one compilation, held in memory.
//!
//! The compiler never reads files: the CLI (or a test, or the fuzzer) loads the text and
//! hands it over here, and every diagnostic points into these files by [`FileId`].

use fluxo_grammar::FileId;

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as the user should see it in messages.
    pub name: String,
    pub text: String,
}

/// All the files of one program, numbered in the order they were added.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile { id, name: name.into(), text: text.into() });
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// 1-based line and column (in characters) of a byte offset, for JSON output and
    /// line tables.
    pub fn line_col(&self, id: FileId, offset: u32) -> (u32, u32) {
        let Some(file) = self.get(id) else {
            return (1, 1);
        };
        let offset = (offset as usize).min(file.text.len());
        let offset = (0..=offset).rev().find(|i| file.text.is_char_boundary(*i)).unwrap_or(0);
        let before = &file.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        let column = before[line_start..].chars().count() + 1;
        (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
    }
}

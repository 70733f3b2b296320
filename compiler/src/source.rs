//! The source files of one compilation, held in memory.
//!
//! The compiler never reads files: the CLI (or a test, or the fuzzer) loads the text and
//! hands it over here, and every diagnostic points into these files by [`FileId`].
//!
//! Besides `.flow` files, the sources hold the Low Code scripts that `script` items name,
//! so that a script's compile errors point into the script itself. Which file a
//! `script` item means is the host's decision (see `crate::wanted_scripts`); the sources
//! only record the answer, keyed by the declaring file and the path as written.

use std::collections::HashMap;

use fluxo_grammar::FileId;

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as the user should see it in messages.
    pub name: String,
    pub text: String,
    pub kind: SourceKind,
}

/// What a source file holds: the parser reads only flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Flow,
    /// A Low Code (Rhai) script.
    Script,
}

/// What the host found at the path of a `script` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptFile {
    /// The script's text is the source file with this id.
    Loaded(FileId),
    /// The file could not be read.
    Unreadable {
        /// Where the host looked, as the user should see it.
        looked_for: String,
        /// Why it could not be read ("no such file or directory").
        reason: String,
    },
}

/// All the files of one program, numbered in the order they were added.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// Keyed by the declaring `.flow` file and the `script` item's path as written.
    scripts: HashMap<(FileId, String), ScriptFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a `.flow` file.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.push(name.into(), text.into(), SourceKind::Flow)
    }

    /// Adds the script that `path` (as written in a `script` item of file `from`) names.
    /// Scripts are added once per `name`: a second item naming the same file shares it.
    pub fn add_script(
        &mut self,
        from: FileId,
        path: &str,
        name: impl Into<String>,
        text: impl Into<String>,
    ) -> FileId {
        let name = name.into();
        let existing = self
            .files
            .iter()
            .find(|it| it.kind == SourceKind::Script && it.name == name)
            .map(|it| it.id);
        let id = existing.unwrap_or_else(|| self.push(name, text.into(), SourceKind::Script));
        self.scripts
            .insert((from, path.to_string()), ScriptFile::Loaded(id));
        id
    }

    /// Records that the script `path` of file `from` could not be read; the checker
    /// reports it at the `script` item.
    pub fn add_unreadable_script(
        &mut self,
        from: FileId,
        path: &str,
        looked_for: impl Into<String>,
        reason: impl Into<String>,
    ) {
        let file = ScriptFile::Unreadable {
            looked_for: looked_for.into(),
            reason: reason.into(),
        };
        self.scripts.insert((from, path.to_string()), file);
    }

    /// What the host found for the `script` item of file `from` with `path`; `None`
    /// when it supplied nothing (the script is then not checked).
    pub fn script(&self, from: FileId, path: &str) -> Option<&ScriptFile> {
        self.scripts.get(&(from, path.to_string()))
    }

    fn push(&mut self, name: String, text: String, kind: SourceKind) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            id,
            name,
            text,
            kind,
        });
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Every file, flows and scripts, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// The `.flow` files, in id order.
    pub fn flows(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().filter(|it| it.kind == SourceKind::Flow)
    }

    /// The number of files, flows and scripts.
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
        let offset = (0..=offset)
            .rev()
            .find(|i| file.text.is_char_boundary(*i))
            .unwrap_or(0);
        let before = &file.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        let column = before[line_start..].chars().count() + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }

    /// The byte offset of a 1-based line and column (in characters), the inverse of
    /// [`Sources::line_col`]. A position past the end of its line or of the file is
    /// clamped to that end.
    pub fn offset(&self, id: FileId, line: usize, column: usize) -> u32 {
        let Some(file) = self.get(id) else {
            return 0;
        };
        let text = file.text.as_str();
        let mut start = 0;
        for _ in 1..line.max(1) {
            match text[start..].find('\n') {
                Some(n) => start += n + 1,
                None => {
                    start = text.len();
                    break;
                }
            }
        }
        let line_text = text[start..].split('\n').next().unwrap_or("");
        let within = line_text
            .char_indices()
            .nth(column.max(1) - 1)
            .map_or(line_text.len(), |(at, _)| at);
        u32::try_from(start + within).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_inverts_line_col() {
        let mut sources = Sources::new();
        let id = sources.add("a.flow", "ab\nçd\n\nx");
        for offset in [0, 1, 2, 3, 5, 6, 7, 8, 9] {
            let (line, column) = sources.line_col(id, offset);
            assert_eq!(sources.offset(id, line as usize, column as usize), offset);
        }
        assert_eq!(
            sources.offset(id, 1, 99),
            2,
            "clamped to the end of the line"
        );
        assert_eq!(
            sources.offset(id, 99, 1),
            9,
            "clamped to the end of the file"
        );
    }

    #[test]
    fn scripts_are_kept_apart_from_flows_and_shared_by_name() {
        let mut sources = Sources::new();
        let main = sources.add("p/main.flow", "");
        let other = sources.add("p/other.flow", "");
        let first = sources.add_script(main, "s.rhai", "p/s.rhai", "#{}");
        let again = sources.add_script(other, "./s.rhai", "p/s.rhai", "#{}");
        sources.add_unreadable_script(other, "t.rhai", "p/t.rhai", "no such file or directory");
        assert_eq!(first, again);
        assert_eq!(sources.len(), 3);
        assert_eq!(sources.flows().count(), 2);
        assert_eq!(
            sources.script(main, "s.rhai"),
            Some(&ScriptFile::Loaded(first))
        );
        assert_eq!(
            sources.script(other, "./s.rhai"),
            Some(&ScriptFile::Loaded(first))
        );
        assert!(matches!(
            sources.script(other, "t.rhai"),
            Some(ScriptFile::Unreadable { .. })
        ));
        assert_eq!(sources.script(main, "t.rhai"), None);
    }
}

//! The project an editor works on: every `.flow` file under the workspace folder, the
//! text of each as the editor has it (an open document wins over the disk), each file's
//! parse, and the last check of the whole program.
//!
//! A change re-parses only the file it touched; the checker then runs over every file's
//! kept syntax tree, since a name declared in one file is used in others.

use std::path::{Path, PathBuf};

use fluxo_compiler::check::{check_files, ProgramInfo};
use fluxo_compiler::{scripts_wanted_by, CheckOptions, ParsedFile, Sources};
use fluxo_grammar::ast::Span;
use fluxo_grammar::{Diagnostic, FileId};
use lsp_types::{Range, TextDocumentContentChangeEvent, Uri};

use crate::line_index::LineIndex;
use crate::uri;

/// One `.flow` file of the project.
#[derive(Debug)]
pub struct Document {
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub text: String,
    pub lines: LineIndex,
    /// Whether the editor has it open (its text is then the editor's, not the disk's).
    pub open: bool,
    pub version: Option<i32>,
    /// The parser's diagnostics for this text.
    pub syntax: Vec<Diagnostic>,
}

impl Document {
    /// A name for messages and the checker's sources: the path, else the URI.
    fn name(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => self.uri.as_str().to_string(),
        }
    }
}

fn parse(id: FileId, text: &str) -> (ParsedFile, Vec<Diagnostic>) {
    let parsed = fluxo_grammar::parse(id, text);
    let file = ParsedFile {
        id,
        ast: parsed.file,
        comments: parsed.comments,
        damaged: parsed.damaged,
    };
    (file, parsed.diagnostics)
}

/// What the last check found.
#[derive(Debug, Default)]
pub struct Analysis {
    pub sources: Sources,
    pub program: ProgramInfo,
    /// Per document (by `FileId`), the parser's and the checker's diagnostics; a
    /// diagnostic in a Low Code script is shown at the document that names the script.
    pub diagnostics: Vec<Vec<Diagnostic>>,
}

#[derive(Debug, Default)]
pub struct Project {
    root: Option<PathBuf>,
    /// Indexed by `FileId`: a document keeps its id for the session.
    docs: Vec<Document>,
    /// Each document's syntax tree, by `FileId` (one slice, as the checker takes them).
    trees: Vec<ParsedFile>,
    pub analysis: Analysis,
    /// What the server could not read since it was last asked, one line each, with the
    /// reason the CLI would give (see [`Project::take_unread`]).
    unread: Vec<String>,
}

impl Project {
    /// Reads every `.flow` file under `root` (the workspace folder).
    pub fn load_root(&mut self, root: &Path) {
        self.root = Some(root.to_path_buf());
        let mut found = Vec::new();
        collect(root, &mut found, 0);
        found.sort();
        for path in found {
            let Some(uri) = uri::from_path(&path) else {
                continue;
            };
            if self.find(&uri).is_some() {
                continue;
            }
            match read_or_why(&path) {
                Ok(text) => {
                    self.add(uri, Some(path), text);
                }
                Err(why) => self
                    .unread
                    .push(format!("skipped {}: {why}", path.display())),
            }
        }
    }

    /// The files that could not be read since the last call, each with why: a file
    /// left out is otherwise invisible, so the server logs them.
    pub fn take_unread(&mut self) -> Vec<String> {
        std::mem::take(&mut self.unread)
    }

    pub fn find(&self, uri: &Uri) -> Option<FileId> {
        let idx = self
            .docs
            .iter()
            .position(|it| it.uri.as_str() == uri.as_str())?;
        Some(FileId(idx as u32))
    }

    pub fn doc(&self, id: FileId) -> Option<&Document> {
        self.docs.get(id.0 as usize)
    }

    fn add(&mut self, uri: Uri, path: Option<PathBuf>, text: String) -> FileId {
        let id = FileId(self.docs.len() as u32);
        let (tree, syntax) = parse(id, &text);
        self.docs.push(Document {
            uri,
            path,
            lines: LineIndex::new(&text),
            text,
            open: false,
            version: None,
            syntax,
        });
        self.trees.push(tree);
        id
    }

    /// Replaces the text of document `id` and parses it again (it alone).
    fn set_text(&mut self, id: FileId, text: String) {
        let (tree, syntax) = parse(id, &text);
        if let (Some(doc), Some(slot)) = (
            self.docs.get_mut(id.0 as usize),
            self.trees.get_mut(id.0 as usize),
        ) {
            doc.lines = LineIndex::new(&text);
            doc.text = text;
            doc.syntax = syntax;
            *slot = tree;
        }
    }

    /// The editor opened `uri` with `text`. Without a workspace folder, the first file
    /// opened makes its folder the project.
    pub fn open(&mut self, uri: Uri, text: String, version: i32) -> FileId {
        let path = uri::to_path(&uri);
        if self.root.is_none() {
            if let Some(folder) = path.as_deref().and_then(Path::parent) {
                self.load_root(folder);
            }
        }
        let id = match self.find(&uri) {
            Some(id) => id,
            None => self.add(uri, path, String::new()),
        };
        self.set_text(id, text);
        if let Some(doc) = self.docs.get_mut(id.0 as usize) {
            doc.open = true;
            doc.version = Some(version);
        }
        id
    }

    /// Applies an editor's changes (whole texts or ranges) to an open document.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Option<FileId> {
        let id = self.find(uri)?;
        let doc = self.docs.get_mut(id.0 as usize)?;
        doc.version = Some(version);
        let mut text = std::mem::take(&mut doc.text);
        let mut lines = doc.lines.clone();
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let start = lines.offset(&text, range.start) as usize;
                    let end = (lines.offset(&text, range.end) as usize).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
            lines = LineIndex::new(&text);
        }
        self.set_text(id, text);
        Some(id)
    }

    /// The editor closed `uri`: the file is what the disk says again.
    pub fn close(&mut self, uri: &Uri) -> Option<FileId> {
        let id = self.find(uri)?;
        let doc = self.docs.get_mut(id.0 as usize)?;
        doc.open = false;
        doc.version = None;
        let text = match doc.path.as_ref().map(|path| (path, read_or_why(path))) {
            Some((_, Ok(text))) => text,
            Some((path, Err(why))) => {
                let line = format!("closed {}, taken as empty: {why}", path.display());
                self.unread.push(line);
                String::new()
            }
            None => String::new(),
        };
        self.set_text(id, text);
        Some(id)
    }

    /// Checks the whole program as it stands.
    pub fn analyse(&mut self) {
        let mut sources = Sources::new();
        for doc in &self.docs {
            sources.add(doc.name(), doc.text.clone());
        }
        for wanted in scripts_wanted_by(&sources, &self.trees) {
            let name = wanted.resolved.display().to_string();
            match read_or_why(&wanted.resolved) {
                Ok(text) => {
                    sources.add_script(wanted.from, &wanted.path, name, text);
                }
                Err(why) => sources.add_unreadable_script(wanted.from, &wanted.path, name, why),
            }
        }
        let (program, checked) = check_files(&sources, &self.trees, &CheckOptions::default());
        let mut diagnostics: Vec<Vec<Diagnostic>> = vec![Vec::new(); sources.len()];
        for (list, doc) in diagnostics.iter_mut().zip(&self.docs) {
            list.extend(doc.syntax.iter().cloned());
        }
        for diagnostic in checked {
            if let Some(list) = diagnostics.get_mut(diagnostic.primary.file.0 as usize) {
                list.push(diagnostic);
            }
        }
        self.analysis = Analysis {
            sources,
            program,
            diagnostics,
        };
    }

    /// The URI of a source of the last analysis: a document, or a Low Code script.
    pub fn uri_of(&self, id: FileId) -> Option<Uri> {
        match self.doc(id) {
            Some(doc) => Some(doc.uri.clone()),
            None => uri::from_path(Path::new(&self.analysis.sources.get(id)?.name)),
        }
    }

    /// The range of `span` in source `file` of the last analysis (a document or a script).
    pub fn range(&self, file: FileId, span: Span) -> Range {
        match self.doc(file) {
            Some(doc) => doc.lines.range(&doc.text, span.start, span.end),
            None => {
                let text = self
                    .analysis
                    .sources
                    .get(file)
                    .map_or("", |it| it.text.as_str());
                LineIndex::new(text).range(text, span.start, span.end)
            }
        }
    }

    /// The syntax tree of document `id`.
    pub fn tree(&self, id: FileId) -> Option<&ParsedFile> {
        self.trees.get(id.0 as usize)
    }
}

/// The text of the file at `path` as the CLI reads it (a regular file, at most
/// [`fluxo_files::INPUT`]), or why not, in the CLI's words.
fn read_or_why(path: &Path) -> Result<String, String> {
    fluxo_files::read_text(path, fluxo_files::INPUT).map_err(|err| fluxo_files::describe(&err))
}

/// The `.flow` files under `dir`, skipping hidden folders and build output; bounded in
/// depth so that a link loop ends.
fn collect(dir: &Path, found: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            let skip = name.starts_with('.') || name == "target" || name == "node_modules";
            if !skip && depth < 16 {
                collect(&path, found, depth + 1);
            }
        } else if path.extension().is_some_and(|ext| ext == "flow") {
            found.push(path);
        }
    }
}

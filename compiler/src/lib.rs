//! Fluxo's compiler: name resolution, type and flow checks with codespan-reporting
//! diagnostics, lowering to bytecode, and the Opa JSON frontend.
//!
//! The compiler does no I/O: it takes [`Sources`] and returns values and diagnostics.
//! Nothing a user writes can make it panic.

pub mod render;
pub mod source;

pub use source::{SourceFile, Sources};

use fluxo_grammar::{ast, Comment, Diagnostic};

/// One parsed source file.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub id: fluxo_grammar::FileId,
    pub ast: ast::File,
    pub comments: Vec<Comment>,
}

/// Parses every file; the diagnostics of all files come back together.
pub fn parse_all(sources: &Sources) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for file in sources.iter() {
        let parsed = fluxo_grammar::parse(file.id, &file.text);
        diagnostics.extend(parsed.diagnostics);
        files.push(ParsedFile { id: file.id, ast: parsed.file, comments: parsed.comments });
    }
    (files, diagnostics)
}

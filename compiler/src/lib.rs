//! Fluxo's compiler: name resolution, type and flow checks with codespan-reporting
//! diagnostics, lowering to bytecode, and the Opa JSON frontend.
//!
//! The compiler does no I/O: it takes [`Sources`] and returns values and diagnostics.
//! Nothing a user writes can make it panic.

mod cards;
pub mod check;
pub mod codes;
pub mod json;
pub mod render;
pub mod source;

pub use check::{CheckOptions, Checked};
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

/// Parses and checks a program with the default options (entry flow `main`).
pub fn check(sources: &Sources) -> Checked {
    check_with(sources, &CheckOptions::default())
}

/// Parses and checks a program: every diagnostic of every file, syntax ones included.
pub fn check_with(sources: &Sources, options: &CheckOptions) -> Checked {
    let (files, mut diagnostics) = parse_all(sources);
    let (program, checked) = check::check_files(&files, options);
    diagnostics.extend(checked);
    check::sort(&mut diagnostics);
    Checked { files, program, diagnostics }
}

//! Fluxo's compiler: name resolution, type and flow checks with codespan-reporting
//! diagnostics, lowering to bytecode, and the Opa JSON frontend.
//!
//! The compiler does no I/O: it takes [`Sources`] and returns values and diagnostics.
//! Nothing a user writes can make it panic.

// A panic in a core crate is a crash on a customer's message: errors are handled,
// never unwrapped (tests/tidy.rs checks the same without clippy).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod cards;
pub mod check;
pub mod codes;
mod index_of;
pub mod json;
pub mod lower;
pub mod render;
pub mod source;
pub mod symbols;

pub use check::{scripts_wanted_by, wanted_scripts, CheckOptions, Checked, WantedScript};
pub use source::{ScriptFile, SourceFile, SourceKind, Sources};

use fluxo_grammar::{ast, Comment, Diagnostic};

/// One parsed source file.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub id: fluxo_grammar::FileId,
    pub ast: ast::File,
    pub comments: Vec<Comment>,
    /// What the parser's recovery could not read: the checker reports nothing that may
    /// only follow from it.
    pub damaged: Vec<ast::Span>,
}

/// Parses every flow file; the diagnostics of all files come back together.
pub fn parse_all(sources: &Sources) -> (Vec<ParsedFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for file in sources.flows() {
        let parsed = fluxo_grammar::parse(file.id, &file.text);
        diagnostics.extend(parsed.diagnostics);
        files.push(ParsedFile {
            id: file.id,
            ast: parsed.file,
            comments: parsed.comments,
            damaged: parsed.damaged,
        });
    }
    (files, diagnostics)
}

/// Parses and checks a program with the default options (entry flow `main`).
pub fn check(sources: &Sources) -> Checked {
    check_with(sources, &CheckOptions::default())
}

/// Parses and checks a program: every diagnostic of every file, syntax ones included.
pub fn check_with(sources: &Sources, options: &CheckOptions) -> Checked {
    let (files, syntax) = parse_all(sources);
    check_parsed(sources, files, syntax, options)
}

/// [`check_with`] on the flow files as [`parse_all`] parsed them, with its syntax
/// diagnostics: a host that parsed them to find the scripts to read
/// ([`scripts_wanted_by`]) does not parse them again.
pub fn check_parsed(
    sources: &Sources,
    files: Vec<ParsedFile>,
    mut syntax: Vec<Diagnostic>,
    options: &CheckOptions,
) -> Checked {
    let (program, checked) = check::check_files(sources, &files, options);
    syntax.extend(checked);
    check::sort(&mut syntax, sources);
    Checked {
        files,
        program,
        diagnostics: syntax,
    }
}

/// How to compile a program.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// The flow conversations start at.
    pub entry: String,
}

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions {
            entry: "main".to_string(),
        }
    }
}

/// The result of compiling: a verified program when there were no errors, and every
/// diagnostic (warnings come back with a program too).
#[derive(Clone, Debug)]
pub struct Compiled {
    pub program: Option<fluxo_runtime::bytecode::Program>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses, checks and lowers a program. Lowering runs only when the checker found no
/// errors; a lowering failure is a compiler bug, reported as diagnostic `E0000`.
pub fn compile(sources: &Sources, options: &CompileOptions) -> Compiled {
    let (files, syntax) = parse_all(sources);
    compile_parsed(sources, files, syntax, options)
}

/// [`compile`] on the flow files as [`parse_all`] parsed them (see [`check_parsed`]).
pub fn compile_parsed(
    sources: &Sources,
    files: Vec<ParsedFile>,
    syntax: Vec<Diagnostic>,
    options: &CompileOptions,
) -> Compiled {
    let options = CheckOptions {
        entry: options.entry.clone(),
    };
    let checked = check_parsed(sources, files, syntax, &options);
    let mut diagnostics = checked.diagnostics;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Compiled {
            program: None,
            diagnostics,
        };
    }
    match lower::lower(sources, &checked.files, &checked.program) {
        Ok(program) => Compiled {
            program: Some(program),
            diagnostics,
        },
        Err(err) => {
            let file = sources
                .iter()
                .next()
                .map_or(fluxo_grammar::FileId(0), |it| it.id);
            let at = fluxo_grammar::Label::new(
                file,
                ast::Span::new(0, 0),
                "while compiling this program",
            );
            diagnostics.push(
                Diagnostic::error("E0000", err.to_string(), at)
                    .with_note("this is a bug in fluxo; please report it with the program"),
            );
            Compiled {
                program: None,
                diagnostics,
            }
        }
    }
}

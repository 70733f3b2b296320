//! The Fluxo flow language's front end: the pest grammar, the syntax tree with spans,
//! the parser with its plain-words syntax errors, and the canonical formatter.
//!
//! This crate knows nothing about cards, names or types: `erp.second_copy(retries: 3)` is
//! a generic call here. It depends on nothing else of ours.
//!
//! ```
//! use fluxo_grammar::{parse, FileId};
//! let parsed = parse(FileId(0), "flow main {\n    say \"Olá, {user_name}!\"\n    end\n}\n");
//! assert!(parsed.diagnostics.is_empty());
//! assert_eq!(parsed.file.items.len(), 1);
//! ```

// A panic in a core crate is a crash on a customer's message: errors are handled,
// never unwrapped (tests/tidy.rs checks the same without clippy).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod ast;
#[doc(hidden)] // public only for the differential test and the fuzz target
pub mod descent;
pub mod diagnostic;
mod format;
#[doc(hidden)] // public only for the property tests, which must not generate keywords
pub mod keywords;
mod lexer;
mod literal;
mod parse;
#[doc(hidden)] // public only for the differential test, the benches and the fuzz target
pub mod pest_path;
#[doc(hidden)] // public for the checker's hints, which use the same measure
pub mod suggest;
mod syntax_error;

pub use diagnostic::{Diagnostic, FileId, Label, Severity};
pub use format::{format, format_source, MAX_WIDTH};
pub use lexer::Comment;
pub use parse::{parse, Parsed};
pub use syntax_error::CODES as SYNTAX_CODES;

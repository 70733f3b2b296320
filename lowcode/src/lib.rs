//! The Low Code language: which Rhai syntax a script may use, compiling a script once,
//! and where a script that does not compile is wrong.
//!
//! It is a crate of its own so that the checker can report a script's syntax errors
//! with the very parser the host runs scripts with, without depending on the host
//! (tokio, HTTP, the HTML parser): this crate needs Rhai and nothing else. Running a
//! compiled script under limits, with its host functions, is `fluxo_host::lowcode`.
//!
//! ```
//! let script = fluxo_lowcode::compile("soma", "#{ total: input.a + input.b }").unwrap();
//! assert_eq!(script.name(), "soma");
//! let err = fluxo_lowcode::compile("erro", "let x = ;").unwrap_err();
//! assert_eq!((err.line, err.column), (1, 9));
//! ```

// A panic in a core crate is a crash on a customer's message: errors are handled,
// never unwrapped (tests/tidy.rs checks the same without clippy).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::fmt;
use std::sync::Arc;

use rhai::{Dynamic, Engine, ParseError, Scope, AST};

/// Expression nesting allowed at the top level and inside functions; fixed,
/// because it is checked when the script compiles, before any config exists.
const MAX_EXPR_DEPTH: usize = 64;
const MAX_FUNCTION_EXPR_DEPTH: usize = 32;

/// The name under which the script sees its input.
const INPUT_VARIABLE: &str = "input";

/// An engine that can parse scripts but has no functions: the base of both
/// compiling and running, so the two agree on the language.
pub fn parser() -> Engine {
    let mut engine = Engine::new_raw();
    engine.set_max_expr_depths(MAX_EXPR_DEPTH, MAX_FUNCTION_EXPR_DEPTH);
    engine.set_strict_variables(true);
    engine.disable_symbol("eval");
    engine.disable_symbol("import");
    // Closures and curried function pointers nest values that no size limit counts: a
    // chain of 100,000 closures (half a million operations) overflowed a 24 MiB stack
    // when dropped, and `f = f.curry(f)` doubles its memory at each step. Scripts call
    // named functions instead (`fn`, and `Fn("name")` pointers, which hold nothing).
    engine.set_allow_anonymous_fn(false);
    engine.disable_symbol("curry");
    engine
}

/// The scope a script starts in: its input bound to `input`, a constant. Strict
/// variables make any other free name a compile error, so compiling and running
/// must see the same scope.
pub fn input_scope(input: Dynamic) -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push_constant(INPUT_VARIABLE, input);
    scope
}

/// A script parsed once, ready to run many times from any thread.
#[derive(Debug, Clone)]
pub struct CompiledScript {
    name: Arc<str>,
    ast: Arc<AST>,
}

impl CompiledScript {
    /// The name given to [`compile`] (the script item's id or file name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parsed script, for the host to evaluate.
    pub fn ast(&self) -> &AST {
        &self.ast
    }
}

/// Parses `source`. Scripts read their input through the variable `input`;
/// any other undeclared variable is a compile error, so typos are caught
/// before the flow is deployed.
pub fn compile(name: &str, source: &str) -> Result<CompiledScript, ScriptError> {
    let engine = parser();
    let mut ast = engine
        .compile_with_scope(&input_scope(Dynamic::UNIT), source)
        .map_err(|err| ScriptError::from_parse(&err, source))?;
    ast.set_source(name);
    Ok(CompiledScript {
        name: name.into(),
        ast: Arc::new(ast),
    })
}

/// A script that does not compile, located in its `.rhai` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// What is wrong, without the position.
    pub message: String,
    /// 1-based line of the error.
    pub line: usize,
    /// 1-based column (in characters) of the error.
    pub column: usize,
}

impl ScriptError {
    fn from_parse(err: &ParseError, source: &str) -> ScriptError {
        let position = err.position();
        let (line, column) = match (position.line(), position.position()) {
            (Some(line), Some(column)) => (line, column.max(1)),
            (Some(line), None) => (line, 1),
            // Rhai gives no position for errors at the end of the input.
            _ => end_of(source),
        };
        ScriptError {
            message: err.err_type().to_string(),
            line,
            column,
        }
    }
}

/// The 1-based line and column just after the last character of `source`.
fn end_of(source: &str) -> (usize, usize) {
    let line = source.split('\n').count();
    let column = source
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (line {}, column {})",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for ScriptError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_of_counts_lines_and_characters() {
        assert_eq!(end_of(""), (1, 1));
        assert_eq!(end_of("ab"), (1, 3));
        assert_eq!(end_of("ab\nção"), (2, 4));
        assert_eq!(end_of("ab\n"), (2, 1));
    }
}

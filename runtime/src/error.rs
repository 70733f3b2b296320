//! Runtime errors: a program that does something it cannot (a type mismatch the
//! checker let through in a hand-made `.fxb`, an endless loop, an event the session
//! does not wait for). Each names the source position through the line table.

use std::fmt;

use crate::bytecode::Program;

/// A runtime error, with the `file:line:column` of the instruction when known. One
/// pointer wide: every step of the VM returns a `Result` with it, and a small `Result`
/// comes back in registers.
#[derive(Clone, PartialEq, Eq)]
pub struct RuntimeError(Box<Details>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Details {
    message: String,
    location: Option<(String, u32, u32)>,
}

impl RuntimeError {
    /// An error with no source position (a misuse of the session API).
    pub fn plain(message: impl Into<String>) -> RuntimeError {
        RuntimeError(Box::new(Details {
            message: message.into(),
            location: None,
        }))
    }

    /// An error at the instruction at `pc`.
    pub fn at(program: &Program, pc: u32, message: impl Into<String>) -> RuntimeError {
        RuntimeError(Box::new(Details {
            message: message.into(),
            location: program
                .location(pc)
                .map(|it| (it.file.to_string(), it.line, it.column)),
        }))
    }

    /// What went wrong, in English.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The source file, line and column of the instruction, when known.
    pub fn location(&self) -> Option<(&str, u32, u32)> {
        let (file, line, column) = self.0.location.as_ref()?;
        Some((file, *line, *column))
    }
}

impl fmt::Debug for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeError")
            .field("message", &self.0.message)
            .field("location", &self.0.location)
            .finish()
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some((file, line, column)) => write!(f, "{file}:{line}:{column}: {}", self.message()),
            None => f.write_str(self.message()),
        }
    }
}

impl std::error::Error for RuntimeError {}

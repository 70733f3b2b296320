//! Fluxo bytecode: the instruction set (`op`), the `Program` and its tables (`program`),
//! the `.fxb` file format, its verifier, and the disassembler.
//!
//! The runtime never needs the compiler: a `.fxb` file holds everything a conversation
//! needs. Bytecode is untrusted input; see docs/bytecode.md for the format and the
//! guarantees of loading.

pub mod hash;
mod leb128;
pub mod op;
pub mod program;

pub use op::{Op, OperandKind, OPCODES};
pub use program::Program;

//! Fluxo bytecode: the instruction set (`op`), the `Program` and its tables (`program`),
//! the `.fxb` file format (`format`, `encode`, `decode`), its verifier (`verify`), and
//! the disassembler (`disasm`).
//!
//! The runtime never needs the compiler: a `.fxb` file holds everything a conversation
//! needs. Bytecode is untrusted input: `Program::from_bytes` verifies it, and no byte
//! string makes loading panic or allocate without bound. docs/bytecode.md describes the
//! format byte by byte.

mod decode;
pub mod disasm;
mod encode;
mod folded;
pub mod format;
pub mod hash;
mod leb128;
pub mod op;
pub mod program;
mod starts;
mod verify;
mod wire;

pub use op::{Op, OperandKind, OPCODES};
pub use program::Program;

pub use verify::MAX_STACK;
pub use wire::{LoadError, LoadErrorKind};

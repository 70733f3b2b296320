//! Which code offsets start an instruction, made on first use and kept with the
//! program: a snapshot from storage names the `pc` its conversation waits at, and a
//! `pc` in the middle of an instruction would decode its operand bytes as other
//! instructions, which the verifier never saw. Walking the code at every restore would
//! cost more than the rest of the restore, so the answer is a bit set made once.
//!
//! This is derived data, not part of the program (as `FoldedLabels`): a clone starts
//! empty, `==` and `Debug` ignore it, and the `.fxb` file does not hold it. It is used
//! only while the code has the length it was made for; otherwise the code is walked.

use std::fmt;
use std::sync::OnceLock;

use super::op::Op;
use super::program::Program;

/// One bit per byte of code: set where an instruction starts.
#[derive(Default)]
pub struct InstructionStarts(OnceLock<(usize, Box<[u64]>)>);

impl Clone for InstructionStarts {
    fn clone(&self) -> InstructionStarts {
        InstructionStarts::default()
    }
}

impl PartialEq for InstructionStarts {
    fn eq(&self, _: &InstructionStarts) -> bool {
        true
    }
}

impl fmt::Debug for InstructionStarts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InstructionStarts")
    }
}

/// The starts of `code`'s instructions, walking from offset 0 until the end or the
/// first byte that is not an instruction.
fn walk(code: &[u8]) -> Box<[u64]> {
    let mut bits = vec![0u64; code.len().div_ceil(64)];
    let mut pc = 0;
    while let Ok((_, next)) = Op::decode(code, pc) {
        bits[pc / 64] |= 1 << (pc % 64);
        if next <= pc {
            break;
        }
        pc = next;
    }
    bits.into_boxed_slice()
}

impl Program {
    /// Whether an instruction of the code starts at `pc`.
    pub fn starts_instruction(&self, pc: u32) -> bool {
        let pc = pc as usize;
        let is_set = |bits: &[u64]| {
            bits.get(pc / 64)
                .is_some_and(|it| it & (1 << (pc % 64)) != 0)
        };
        let (len, bits) = self
            .starts
            .0
            .get_or_init(|| (self.code.len(), walk(&self.code)));
        if *len == self.code.len() {
            is_set(bits)
        } else {
            is_set(&walk(&self.code))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_instruction_starts_are_starts() {
        // `not` is one byte; `jump 300` an opcode byte and a two-byte operand.
        let mut code = Vec::new();
        Op::Not {}.encode(&mut code);
        let second = code.len();
        Op::Jump { target: 300 }.encode(&mut code);
        let third = code.len();
        Op::End {}.encode(&mut code);
        let program = Program {
            code,
            ..Program::default()
        };
        assert!(program.starts_instruction(0));
        assert!(program.starts_instruction(second as u32));
        assert!(!program.starts_instruction(second as u32 + 1));
        assert!(program.starts_instruction(third as u32));
        assert!(!program.starts_instruction(third as u32 + 1));
        assert!(!program.starts_instruction(u32::MAX));
    }
}

//! The emitter: instructions with symbolic jump labels and source positions, laid out
//! into bytes once the whole program is known. Because operands are varints, a jump's
//! size depends on its target; layout repeats until no offset moves (sizes only grow,
//! so it converges in a few rounds). Only jumps are measured again in each round: every
//! other instruction's size is known when it is emitted.
//!
//! It knows `Op` and pcs; it knows nothing about statements or cards.

use fluxo_runtime::bytecode::op::{Op, OperandKind};
use fluxo_runtime::bytecode::program::{LineEntry, LineTable};

use super::LowerError;

/// A jump destination not yet placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Label(pub u32);

/// Where an instruction was written: file index, line, column.
pub(crate) type Pos = (u32, u32, u32);

enum Item {
    /// An instruction whose `Target` operands hold label numbers, and its encoded size
    /// when it has no `Target` operand.
    Op(Op, Pos, Option<u32>),
    Place(Label),
}

pub(crate) struct Emitter {
    items: Vec<Item>,
    n_labels: u32,
    /// How many items are jumps or labels: the steps of layout between runs of other
    /// instructions.
    breaks: usize,
}

/// One step of a layout round.
enum Step<'a> {
    /// Instructions without jumps, this many bytes in all.
    Bytes(u32),
    /// An instruction with `Target` operands (label numbers).
    Jump(&'a Op),
    Place(u32),
}

/// The laid-out code: bytes, line table, and the pc of every label.
pub(crate) struct Layout {
    pub code: Vec<u8>,
    pub lines: LineTable,
    pub labels: Vec<u32>,
}

impl Emitter {
    /// An emitter with room for `items` instructions and labels.
    pub fn with_capacity(items: usize) -> Emitter {
        Emitter {
            items: Vec::with_capacity(items),
            n_labels: 0,
            breaks: 0,
        }
    }

    pub fn label(&mut self) -> Label {
        self.n_labels += 1;
        Label(self.n_labels - 1)
    }

    pub fn place(&mut self, label: Label) {
        self.breaks += 1;
        self.items.push(Item::Place(label));
    }

    pub fn op(&mut self, op: Op, pos: Pos) {
        let mut jumps = false;
        op.map_operands(|kind, value| {
            jumps |= kind == OperandKind::Target;
            value
        });
        self.breaks += usize::from(jumps);
        let size = (!jumps).then(|| u32::try_from(op.encoded_len()).unwrap_or(u32::MAX));
        self.items.push(Item::Op(op, pos, size));
    }

    /// Whether execution can reach the point after the last instruction emitted.
    pub fn open(&self) -> bool {
        match self.items.last() {
            Some(Item::Op(op, _, _)) => op.falls_through(),
            _ => true,
        }
    }

    pub fn layout(&self) -> Result<Layout, LowerError> {
        let too_large = || LowerError::new("the code is larger than 4 GiB");
        // What a round of layout looks at: the runs of instructions without jumps only
        // by their total size, then each jump and each label.
        let mut steps = Vec::with_capacity(2 * self.breaks + 1);
        let mut run: u32 = 0;
        for item in &self.items {
            let step = match item {
                Item::Op(_, _, Some(size)) => {
                    run = run.checked_add(*size).ok_or_else(too_large)?;
                    continue;
                }
                Item::Op(op, _, None) => Step::Jump(op),
                Item::Place(label) => Step::Place(label.0),
            };
            if run > 0 {
                steps.push(Step::Bytes(run));
                run = 0;
            }
            steps.push(step);
        }
        steps.push(Step::Bytes(run));
        let mut labels = vec![0u32; self.n_labels as usize];
        // Sizes only grow as targets move forward, so this reaches a fixpoint; the bound
        // is a guard against a bug, reported as an internal error.
        for _ in 0..16 {
            let mut pc: u32 = 0;
            let mut moved = false;
            for step in &steps {
                let len = match step {
                    Step::Place(label) => {
                        let slot = labels
                            .get_mut(*label as usize)
                            .ok_or_else(|| LowerError::new("a label out of range"))?;
                        moved |= *slot != pc;
                        *slot = pc;
                        continue;
                    }
                    Step::Bytes(len) => *len,
                    Step::Jump(op) => {
                        u32::try_from(resolve(op, &labels)?.encoded_len()).unwrap_or(u32::MAX)
                    }
                };
                pc = pc.checked_add(len).ok_or_else(too_large)?;
            }
            if !moved {
                return self.finish(labels, pc);
            }
        }
        Err(LowerError::new("code layout did not converge"))
    }

    /// Encodes the code, `size` bytes, with the labels' final pcs.
    fn finish(&self, labels: Vec<u32>, size: u32) -> Result<Layout, LowerError> {
        let mut code = Vec::with_capacity(size as usize);
        let mut lines = LineTable {
            entries: Vec::with_capacity(self.items.len()),
        };
        for item in &self.items {
            if let Item::Op(op, (file, line, column), fixed) = item {
                let pc = u32::try_from(code.len()).unwrap_or(u32::MAX);
                let same = lines
                    .entries
                    .last()
                    .is_some_and(|it| (it.file, it.line, it.column) == (*file, *line, *column));
                if !same {
                    lines.entries.push(LineEntry {
                        pc,
                        file: *file,
                        line: *line,
                        column: *column,
                    });
                }
                match fixed {
                    Some(_) => op.encode(&mut code),
                    None => resolve(op, &labels)?.encode(&mut code),
                }
            }
        }
        Ok(Layout {
            code,
            lines,
            labels,
        })
    }
}

fn resolve(op: &Op, labels: &[u32]) -> Result<Op, LowerError> {
    let mut bad = false;
    let op = op.map_operands(|kind, value| match kind {
        OperandKind::Target => labels.get(value as usize).copied().unwrap_or_else(|| {
            bad = true;
            0
        }),
        _ => value,
    });
    if bad {
        return Err(LowerError::new("a jump to an unknown label"));
    }
    Ok(op)
}

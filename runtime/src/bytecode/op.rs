//! The instruction set: every opcode declared once, in the `ops!` table below, with its
//! byte, mnemonic, operands (each with the kind of table it indexes), stack effect and
//! one line of documentation. The `Op` enum, its encoder and decoder, the operand list
//! that the verifier and the disassembler walk, and the documented instruction table
//! (`OPCODES`, printed into docs/bytecode.md) are all generated from that one table.
//!
//! This module knows how instructions are spelled in bytes; it knows nothing about what
//! the tables they index contain (see `program.rs`) or how the VM runs them.
//!
//! Two families of instructions share the code:
//! - card instructions (`say` ... `end`), which run with an empty expression stack, so a
//!   suspended conversation is just (flow, pc, variables);
//! - a small stack machine for the expressions of `if` and `set` (`push_const` ...),
//!   whose results are consumed by `jump_if_false` and `set`.
//!
//! Every operand is an unsigned LEB128 varint. Jump targets are absolute byte offsets
//! into the program's one code array. "Optional" operands store `index + 1`, with `0`
//! for none.

use super::leb128::{self, VarintError};

/// What an operand's number means, which decides how it is verified and printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperandKind {
    /// An index into `Program::messages` (text with `{var}` interpolations).
    Message,
    /// An index into `Program::strings`.
    Str,
    /// An index into `Program::consts`.
    Const,
    /// An index into `Program::flows`.
    Flow,
    /// An index into `Program::vars`.
    Var,
    /// `0` for none, else a `Program::vars` index plus one.
    OptVar,
    /// An absolute byte offset into `Program::code`, on an instruction boundary.
    Target,
    /// An index into `Program::menus` (string-keyed branch tables).
    Menu,
    /// `0` for none, else a `Program::menus` index plus one.
    OptMenu,
    /// An index into `Program::switches` (the branch tables of `when`).
    Switch,
    /// An index into `Program::args` (a card's argument record).
    Args,
    /// An index into the stdlib card catalogue, `fluxo_stdlib::catalogue::cards()`.
    Card,
    /// An index into `Program::entities.departments`.
    Department,
    /// `0` for none, else a `Program::entities.attendants` index plus one.
    OptAttendant,
    /// An index into `Program::entities.tags`.
    Tag,
    /// A number of seconds.
    Seconds,
    /// An index into `fluxo_stdlib::types::InputType::ALL`.
    InputType,
}

/// One operand of an opcode as the table declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperandSpec {
    pub name: &'static str,
    pub kind: OperandKind,
}

/// One row of the instruction table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpInfo {
    pub code: u8,
    pub name: &'static str,
    pub operands: &'static [OperandSpec],
    /// Values popped from the expression stack.
    pub pops: u8,
    /// Values pushed onto the expression stack.
    pub pushes: u8,
    /// Whether the instruction is a card: it must run with an empty stack.
    pub card: bool,
    pub doc: &'static str,
}

/// Why the bytes at a pc are not an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The pc is at or past the end of the code.
    OutOfRange,
    UnknownOpcode(u8),
    /// An operand's varint is cut short by the end of the code.
    Truncated,
    /// An operand's varint is longer than 32 bits.
    OverlongOperand,
}

impl From<VarintError> for DecodeError {
    fn from(err: VarintError) -> DecodeError {
        match err {
            VarintError::Truncated => DecodeError::Truncated,
            VarintError::TooLong => DecodeError::OverlongOperand,
        }
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::OutOfRange => f.write_str("no instruction at this offset"),
            DecodeError::UnknownOpcode(code) => write!(f, "unknown opcode 0x{code:02x}"),
            DecodeError::Truncated => f.write_str("instruction cut short by the end of the code"),
            DecodeError::OverlongOperand => f.write_str("operand varint longer than 32 bits"),
        }
    }
}

macro_rules! ops {
    ($(
        $code:literal $variant:ident $name:literal
        ( $($field:ident : $kind:ident),* )
        pops $pops:literal pushes $pushes:literal $family:ident
        $doc:literal ;
    )*) => {
        /// One decoded instruction. Operands are raw indices; see [`OperandKind`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Op {
            $(
                #[doc = $doc]
                $variant { $($field: u32),* },
            )*
        }

        /// The instruction table, in opcode order.
        pub static OPCODES: &[OpInfo] = &[
            $(OpInfo {
                code: $code,
                name: $name,
                operands: &[$(OperandSpec { name: stringify!($field), kind: OperandKind::$kind }),*],
                pops: $pops,
                pushes: $pushes,
                card: ops!(@card $family),
                doc: $doc,
            },)*
        ];

        impl Op {
            /// The row of [`OPCODES`] that declares this instruction.
            pub fn info(&self) -> &'static OpInfo {
                match self {
                    $(Op::$variant { .. } => {
                        // The table lists every variant; the search cannot miss.
                        op_info($code).unwrap_or(&OPCODES[0])
                    })*
                }
            }

            pub fn name(&self) -> &'static str {
                self.info().name
            }

            /// Whether the instruction is a card (`info().card`, without the table
            /// search: the VM asks it of every instruction it runs).
            pub fn is_card(&self) -> bool {
                match self {
                    $(Op::$variant { .. } => ops!(@card $family),)*
                }
            }

            /// The operand values in declaration order, paired with their kinds.
            pub fn operands(&self) -> Vec<(OperandSpec, u32)> {
                match *self {
                    $(Op::$variant { $($field),* } => {
                        let specs = self.info().operands;
                        let values: &[u32] = &[$($field),*];
                        specs.iter().copied().zip(values.iter().copied()).collect()
                    })*
                }
            }

            /// The same instruction with each operand replaced by `f(kind, value)`; the
            /// compiler uses it to turn jump labels into pcs.
            pub fn map_operands(&self, mut f: impl FnMut(OperandKind, u32) -> u32) -> Op {
                match *self {
                    $(Op::$variant { $($field),* } => Op::$variant {
                        $($field: f(OperandKind::$kind, $field)),*
                    },)*
                }
            }

            /// Appends the instruction's bytes: the opcode, then each operand as a varint.
            pub fn encode(&self, out: &mut Vec<u8>) {
                match *self {
                    $(Op::$variant { $($field),* } => {
                        out.push($code);
                        $(leb128::write_u32(out, $field);)*
                    })*
                }
            }

            /// How many bytes `encode` writes.
            pub fn encoded_len(&self) -> usize {
                match *self {
                    $(Op::$variant { $($field),* } => 1 $(+ leb128::len_u32($field))*,)*
                }
            }

            /// Reads the instruction at `pc`; returns it and the pc of the next one.
            /// Always inlined: returned through memory, the instruction is copied back
            /// field by field in the VM's loop and stalls it (store forwarding).
            #[inline(always)]
            pub fn decode(code: &[u8], pc: usize) -> Result<(Op, usize), DecodeError> {
                let Some(&byte) = code.get(pc) else {
                    return Err(DecodeError::OutOfRange);
                };
                let mut pos = pc + 1;
                let op = match byte {
                    $($code => {
                        $(let $field = leb128::read_u32(code, &mut pos)?;)*
                        Op::$variant { $($field),* }
                    })*
                    other => return Err(DecodeError::UnknownOpcode(other)),
                };
                Ok((op, pos))
            }
        }
    };
    (@card card) => { true };
    (@card expr) => { false };
}

/// The table row of opcode byte `code`.
pub fn op_info(code: u8) -> Option<&'static OpInfo> {
    OPCODES.iter().find(|it| it.code == code)
}

ops! {
    0x01 Say "say" (msg: Message) pops 0 pushes 0 card
        "Sends the message `msg` (interpolated now) and goes on.";
    0x02 SayAudio "say_audio" (file: Str) pops 0 pushes 0 card
        "Sends the audio file named by string `file` and goes on.";
    0x03 Choice "choice" (prompt: Message, args: Args, menu: Menu) pops 0 pushes 0 card
        "Asks `prompt` with the numbered options of `menu` (ask_choice arguments `args`); jumps to the picked option's target, or runs the retry failure.";
    0x04 Confirm "confirm" (prompt: Message, args: Args, yes: Target, no: Target) pops 0 pushes 0 card
        "Asks the yes/no question `prompt` (ask_confirm arguments `args`); jumps to `yes` or `no`, or runs the retry failure.";
    0x05 Input "input" (prompt: Message, ty: InputType, var: Var, args: Args) pops 0 pushes 0 card
        "Asks `prompt`, validates the answer as input type `ty` and stores the normalized value in `var`; a wrong answer uses a try (ask_input arguments `args`).";
    0x06 Card "card" (card: Card, args: Args, bind: OptVar, menu: OptMenu) pops 0 pushes 0 card
        "Runs catalogue card `card` with argument record `args`, binds its result to `bind`, and for a card with string arms jumps by `menu`.";
    0x07 Switch "switch" (table: Switch) pops 0 pushes 0 card
        "Reads the subject of `when` table `table` and jumps to the first matching arm's target, else to the table's `otherwise`.";
    0x08 Goto "goto" (flow: Flow) pops 0 pushes 0 card
        "Continues at the entry of flow `flow`.";
    0x09 Jump "jump" (target: Target) pops 0 pushes 0 card
        "Continues at `target`.";
    0x0a JumpIfFalse "jump_if_false" (target: Target) pops 1 pushes 0 card
        "Pops a bool; continues at `target` when it is false, else goes on.";
    0x0b Transfer "transfer" (department: Department, attendant: OptAttendant) pops 0 pushes 0 card
        "Hands the conversation to `department` (and `attendant`, if any); the bot's part is over.";
    0x0c Tag "tag" (tag: Tag) pops 0 pushes 0 card
        "Puts tag `tag` on the conversation and goes on.";
    0x0d Wait "wait" (seconds: Seconds) pops 0 pushes 0 card
        "Pauses the conversation for `seconds` seconds, then goes on.";
    0x0e Set "set" (var: Var) pops 1 pushes 0 card
        "Pops a value and stores it in `var`.";
    0x0f End "end" () pops 0 pushes 0 card
        "Closes the conversation.";
    0x10 PushConst "push_const" (value: Const) pops 0 pushes 1 expr
        "Pushes constant `value`.";
    0x11 Load "load" (var: Var) pops 0 pushes 1 expr
        "Pushes the value of variable `var` (built-in or assigned).";
    0x12 LoadField "load_field" (field: Str) pops 1 pushes 1 expr
        "Pops a record and pushes its field named by string `field`.";
    0x13 Not "not" () pops 1 pushes 1 expr
        "Pops a bool and pushes its negation.";
    0x14 Neg "neg" () pops 1 pushes 1 expr
        "Pops a number and pushes its negation.";
    0x15 Add "add" () pops 2 pushes 1 expr
        "Pops b, a; pushes a + b (numbers).";
    0x16 Sub "sub" () pops 2 pushes 1 expr
        "Pops b, a; pushes a - b (numbers).";
    0x17 Mul "mul" () pops 2 pushes 1 expr
        "Pops b, a; pushes a * b (numbers).";
    0x18 Div "div" () pops 2 pushes 1 expr
        "Pops b, a; pushes a / b (numbers; division by zero is a runtime error).";
    0x19 Eq "eq" () pops 2 pushes 1 expr
        "Pops b, a; pushes a == b.";
    0x1a Ne "ne" () pops 2 pushes 1 expr
        "Pops b, a; pushes a != b.";
    0x1b Lt "lt" () pops 2 pushes 1 expr
        "Pops b, a; pushes a < b (numbers, durations, times, dates, texts).";
    0x1c Le "le" () pops 2 pushes 1 expr
        "Pops b, a; pushes a <= b.";
    0x1d Gt "gt" () pops 2 pushes 1 expr
        "Pops b, a; pushes a > b.";
    0x1e Ge "ge" () pops 2 pushes 1 expr
        "Pops b, a; pushes a >= b.";
    0x1f And "and" () pops 2 pushes 1 expr
        "Pops b, a (bools); pushes a and b. Both sides are evaluated: expressions have no effects.";
    0x20 Or "or" () pops 2 pushes 1 expr
        "Pops b, a (bools); pushes a or b.";
    0x21 PushMessage "push_message" (msg: Message) pops 0 pushes 1 expr
        "Pushes the text of message `msg`, interpolated now (a string with `{var}` in an expression).";
}

impl Op {
    /// The targets this instruction may jump to by its own operands (menu and switch
    /// targets live in their tables).
    pub fn targets(&self) -> Vec<u32> {
        self.operands()
            .into_iter()
            .filter(|(spec, _)| spec.kind == OperandKind::Target)
            .map(|(_, value)| value)
            .collect()
    }

    /// Whether execution can go on to the next instruction after this one (ignoring the
    /// retry-failure path, which leaves for a flow or ends).
    pub fn falls_through(&self) -> bool {
        !matches!(
            self,
            Op::Choice { .. }
                | Op::Confirm { .. }
                | Op::Switch { .. }
                | Op::Goto { .. }
                | Op::Jump { .. }
                | Op::Transfer { .. }
                | Op::End {}
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcodes_are_unique_and_sorted() {
        for pair in OPCODES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        let mut names: Vec<_> = OPCODES.iter().map(|it| it.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPCODES.len());
    }

    #[test]
    fn encode_then_decode_gives_back_the_op() {
        let ops = [
            Op::Say { msg: 0 },
            Op::Card {
                card: 30,
                args: 200,
                bind: 0,
                menu: 70_000,
            },
            Op::Confirm {
                prompt: 1,
                args: 2,
                yes: 3,
                no: u32::MAX,
            },
            Op::End {},
            Op::Ge {},
        ];
        let mut code = Vec::new();
        for op in ops {
            op.encode(&mut code);
        }
        let mut pc = 0;
        for op in ops {
            let (decoded, next) = Op::decode(&code, pc).expect("valid code");
            assert_eq!(decoded, op);
            assert_eq!(next - pc, op.encoded_len());
            pc = next;
        }
        assert_eq!(Op::decode(&code, pc), Err(DecodeError::OutOfRange));
    }

    #[test]
    fn decode_reports_bad_bytes() {
        assert_eq!(
            Op::decode(&[0xee], 0),
            Err(DecodeError::UnknownOpcode(0xee))
        );
        assert_eq!(Op::decode(&[0x01], 0), Err(DecodeError::Truncated));
        assert_eq!(Op::decode(&[0x01, 0x80], 0), Err(DecodeError::Truncated));
        assert_eq!(
            Op::decode(&[0x01, 0xff, 0xff, 0xff, 0xff, 0x7f], 0),
            Err(DecodeError::OverlongOperand)
        );
    }

    #[test]
    fn info_matches_the_variant() {
        let op = Op::Transfer {
            department: 1,
            attendant: 0,
        };
        assert_eq!(op.name(), "transfer");
        assert_eq!(op.operands().len(), 2);
        assert_eq!(op.operands()[1].0.kind, OperandKind::OptAttendant);
    }

    #[test]
    fn is_card_agrees_with_the_table() {
        for info in OPCODES {
            // Every operand zero: the smallest encoding of each instruction.
            let mut code = vec![info.code];
            code.extend(std::iter::repeat_n(0, info.operands.len()));
            let (op, _) = Op::decode(&code, 0).expect("a listed opcode decodes");
            assert_eq!(op.is_card(), info.card, "{}", info.name);
        }
    }
}

//! Fuzz target: what `fluxo disasm` does with a `.fxb`: load it and, when it loads,
//! disassemble it with source lines (here one fixed line per file and line). Loading
//! must stay within the decoder's memory budget (run with `-rss_limit_mb=256`), and
//! disassembling a program that loaded must not panic.
#![no_main]

use fluxo_runtime::bytecode::disasm::disassemble;
use fluxo_runtime::bytecode::Program;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(program) = Program::from_bytes(data) {
        let lookup = |file: &str, line: u32| Some(format!("{file}:{line}"));
        let text = disassemble(&program, Some(&lookup));
        assert!(!text.is_empty());
    }
});

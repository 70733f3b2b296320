//! Fuzz target: `Program::from_bytes` on arbitrary bytes must return an error or a
//! program that verifies and survives another encode/decode; it must never panic.
#![no_main]

use fluxo_runtime::bytecode::Program;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(program) = Program::from_bytes(data) {
        assert!(program.verify().is_ok());
        let again = Program::from_bytes(&program.to_bytes());
        assert_eq!(again.ok(), Some(program));
    }
});

//! Fuzz target: `Program::from_bytes` on arbitrary bytes must return an error or a
//! program that verifies and survives another encode/decode; it must never panic.
//! Each input is tried as is, and again with the header's payload length and CRC-32
//! repaired, so that mutations reach the section parser and the verifier instead of
//! stopping at the checksum.
#![no_main]

use fluxo_runtime::bytecode::hash::crc32;
use fluxo_runtime::bytecode::Program;
use libfuzzer_sys::fuzz_target;

fn load_is_sound(bytes: &[u8]) {
    if let Ok(program) = Program::from_bytes(bytes) {
        assert!(program.verify().is_ok());
        let again = Program::from_bytes(&program.to_bytes());
        assert_eq!(again.ok(), Some(program));
    }
}

fuzz_target!(|data: &[u8]| {
    load_is_sound(data);
    if data.len() >= 32 {
        let mut repaired = data.to_vec();
        let len = u32::try_from(data.len() - 32).unwrap_or(u32::MAX);
        repaired[24..28].copy_from_slice(&len.to_le_bytes());
        let crc = crc32(&repaired[32..]);
        repaired[28..32].copy_from_slice(&crc.to_le_bytes());
        load_is_sound(&repaired);
    }
});

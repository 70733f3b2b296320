//! Fuzz target: arbitrary bytes as a `.chat` transcript, read by the CLI's own parser
//! (`src/chat/format.rs`, included by path: it has no dependencies of its own). Any
//! panic is a crash: a transcript from an editor (a BOM, an accented first letter) once
//! made `fluxo test` exit 101. Every line of a transcript it accepts must print back
//! as a line that reads the same.
#![no_main]

#[path = "../../src/chat/format.rs"]
#[allow(dead_code)]
mod format;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(transcript) = format::parse(&text) {
        for line in &transcript.lines {
            let again = format::parse(&line.to_string()).expect("a printed line reads back");
            assert_eq!(again.lines.len(), 1);
        }
    }
});

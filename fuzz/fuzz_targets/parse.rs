//! Arbitrary bytes into the parser. Both parsers must agree (the hand-written one builds
//! a tree exactly when pest parses the input without a diagnostic, and the same tree);
//! when the input parses cleanly, the formatter must keep the tree and the comments and
//! be idempotent.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../grammar/tests/support/differential.rs"]
mod differential;
#[path = "../../grammar/tests/support/mod.rs"]
mod support;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        if let Err(broken) = differential::check_differential(src) {
            panic!("{broken}");
        }
        if let Err(broken) = support::check_round_trip(src) {
            panic!("{broken}");
        }
    }
});

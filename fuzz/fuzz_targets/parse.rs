//! Arbitrary bytes into the parser; when they parse cleanly, into the formatter too,
//! checking that formatting keeps the tree and the comments and is idempotent.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../grammar/tests/support/mod.rs"]
mod support;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        if let Err(broken) = support::check_round_trip(src) {
            panic!("{broken}");
        }
    }
});

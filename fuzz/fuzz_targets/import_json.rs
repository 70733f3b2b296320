//! Arbitrary bytes into the Opa JSON import; a document it accepts must also export,
//! and its export must import again. Any panic is a crash.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(imported) = fluxo_compiler::json::import(json) else {
        return;
    };
    let mut files = vec![imported.declarations.clone()];
    files.extend(imported.flows.iter().map(|(_, f)| f.clone()));
    if let Ok(again) = fluxo_compiler::json::export(&files) {
        if let Err(e) = fluxo_compiler::json::import(&again) {
            panic!("an export does not import: {e}\n{again}");
        }
    }
});

//! Fuzz target: `fluxo import`'s own function (`cmd::import::import`) on arbitrary bytes
//! as an Opa JSON document, into an empty folder, then into the folder it made (the
//! update path, with its plan and conflicts). What it writes must then load and check
//! as `fluxo check` does, without a panic.
#![no_main]

use std::path::Path;

use fluxo_fuzz::cmd::import;
use fluxo_fuzz::files;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let dir = fluxo_fuzz::scratch("import");
    let input = Path::new("fuzz.json");
    let out = dir.join("project");
    if import::import(json, input, &out, false).is_ok() {
        let _ = import::import(json, input, &out, false);
        if let Ok(sources) = files::load_program(&out) {
            let _ = fluxo_compiler::check(&sources);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
});

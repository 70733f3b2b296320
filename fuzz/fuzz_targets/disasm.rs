//! Fuzz target: `fluxo disasm`'s own function (`cmd::disasm::disassembly`) on arbitrary
//! bytes as a `.fxb` in a folder that holds a source file, so that a program that loads
//! also reaches the reading of source lines. Loading must stay within the decoder's
//! memory budget (run with `-rss_limit_mb=256`), and nothing may panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use fluxo_fuzz::cmd::disasm;
use libfuzzer_sys::fuzz_target;

fn fxb() -> &'static PathBuf {
    static FXB: OnceLock<PathBuf> = OnceLock::new();
    FXB.get_or_init(|| {
        let dir = fluxo_fuzz::scratch("disasm");
        let flow = "flow main {\n    say \"Olá!\"\n    end\n}\n";
        std::fs::write(dir.join("main.flow"), flow).expect("a source file");
        dir.join("program.fxb")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = disasm::disassembly(data, fxb(), None) {
        assert!(!text.is_empty());
    }
});

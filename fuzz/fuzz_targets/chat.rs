//! Fuzz target: arbitrary bytes as a `.chat` transcript, run by `fluxo test`'s own
//! function (`cmd::test::check`: read the file, compile the program beside it, set the
//! host up from the headers, converse, compare) against the example program, whose
//! files sit beside the transcript as they do in `examples/provedor`. Any panic is a
//! crash: a transcript from an editor (a BOM, an accented first letter) once made `fluxo
//! test` exit 101. Every line of a transcript the reader accepts must also print back as
//! a line that reads the same.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use fluxo_fuzz::chat::format;
use fluxo_fuzz::cmd::test;
use libfuzzer_sys::fuzz_target;

/// A copy of the example's folder (flows, fixtures, scripts), made once.
fn folder() -> &'static PathBuf {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let dir = fluxo_fuzz::scratch("chat");
        let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/provedor");
        copy(std::path::Path::new(example), &dir);
        dir
    })
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("the example").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            std::fs::create_dir_all(&target).expect("a folder");
            copy(&path, &target);
        } else if path.extension().is_none_or(|ext| ext != "chat") {
            std::fs::copy(&path, &target).expect("a file");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(transcript) = format::parse(&text) {
        for line in &transcript.lines {
            let again = format::parse(&line.to_string()).expect("a printed line reads back");
            assert_eq!(again.lines.len(), 1);
        }
    }
    let chat = folder().join("fuzz.chat");
    std::fs::write(&chat, data).expect("write the transcript");
    let _ = test::check(&chat);
});

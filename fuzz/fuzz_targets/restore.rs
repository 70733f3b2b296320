//! Fuzz target: a snapshot from storage restored on the example program and resumed
//! with a customer's message, as the driver does for every message. Snapshots are
//! untrusted (a store an attacker can write to, a bug elsewhere): restoring must refuse
//! or give a session whose resume returns a turn or a runtime error, never a panic or
//! a loop without bound. Seeds: snapshots of the example at its first wait.
#![no_main]

use std::sync::OnceLock;

use fluxo_compiler::{compile, CompileOptions, Sources};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock::Timestamp;
use fluxo_runtime::session::{Context, Event, Session};
use libfuzzer_sys::fuzz_target;

fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/provedor");
        let mut sources = Sources::new();
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("the example")
            .filter_map(|entry| entry.ok().map(|it| it.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "flow"))
            .collect();
        names.sort();
        for path in names {
            let text = std::fs::read_to_string(&path).expect("a flow file");
            sources.add(path.display().to_string(), text);
        }
        compile(&sources, &CompileOptions::default())
            .program
            .expect("the example compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let program = program();
    // Half the inputs are a real snapshot with bytes overwritten, so that mutations
    // get past the header.
    let bytes = if data.first().is_some_and(|it| it % 2 == 0) {
        let mut session = Session::new(program, None, Context::new(1_795_000_000 as Timestamp))
            .expect("a session");
        let _ = session.start(program);
        let mut bytes = session.snapshot();
        for (idx, byte) in data.iter().enumerate().skip(1) {
            let at = (usize::from(*byte) * 7 + idx) % bytes.len().max(1);
            if let Some(slot) = bytes.get_mut(at) {
                *slot ^= data[idx.saturating_sub(1)];
            }
        }
        bytes
    } else {
        data.to_vec()
    };
    if let Ok(mut session) = Session::restore(&bytes, program) {
        let _ = session.resume(program, Event::text("1"));
        let _ = session.resume(program, Event::text("oi"));
    }
});

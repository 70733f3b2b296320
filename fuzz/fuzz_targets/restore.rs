//! Fuzz target: a snapshot from storage restored and resumed with a customer's message,
//! first by the VM alone, then by the server's engine (`fluxo serve`'s own path): the
//! bytes are stored as a conversation row of a SQLite store, beside a message for it,
//! and the engine runs the turn as a worker does. Snapshots are untrusted (a store an
//! attacker can write to, a bug elsewhere): the VM must refuse or resume to a turn or
//! a runtime error, never panic or loop without bound; the engine must handle the
//! message either way, the conversation resuming or ending on its failed path (with
//! its log line), and leave nothing pending. Half the inputs are a real snapshot of the
//! example at its first wait with bytes flipped, so mutations get past the header.
#![no_main]

use std::sync::{Arc, OnceLock};

use fluxo_compiler::{compile, CompileOptions, Sources};
use fluxo_host::erp::ErpError;
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock::Timestamp;
use fluxo_runtime::session::{Context, Event, HostCall, HostResult, Session};
use fluxo_server::engine::Engine;
use fluxo_server::metrics::Metrics;
use fluxo_server::store::sqlite::SqliteStore;
use fluxo_server::store::{Conversation, NewMessage, Status, TurnCommit, Write};
use fluxo_server::{Settings, World};
use libfuzzer_sys::fuzz_target;

const NOW: Timestamp = 1_795_000_000;
const KEY: &str = "fuzz";

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

/// Every host call fails, as an unreachable ERP or script does: restoring is what is
/// fuzzed, and the fail paths are the ones a broken world takes.
struct Failing;

impl World for Failing {
    fn load(&self, _: u64, _: &Program) -> Result<(), String> {
        Ok(())
    }

    fn answer(&self, _: u64, call: &HostCall, _: Timestamp) -> (HostResult, Vec<String>) {
        let result = match call {
            HostCall::Erp { .. } => HostResult::Erp(Err(ErpError::Unavailable {
                detail: "fuzzing".into(),
            })),
            HostCall::Lowcode { .. } => HostResult::Lowcode(Err("fuzzing".into())),
            HostCall::Intent { .. } => HostResult::Intent(None),
            HostCall::Agent { .. } => HostResult::Agent(None),
        };
        (result, Vec::new())
    }
}

/// The engine on a SQLite store in memory-backed storage where there is one (its
/// commits are synchronous), serving the example.
fn engine() -> &'static Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("fluxo-fuzz-restore-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the store's folder");
        let store = SqliteStore::open(&dir.join("fluxo.db")).expect("the store");
        let mut settings = Settings::new(Context::new(NOW));
        settings.now = Some(NOW);
        let engine = Engine::new(
            Arc::new(store),
            Arc::new(Failing),
            settings,
            Arc::new(Metrics::default()),
        )
        .expect("the engine");
        engine
            .publish(&program().to_bytes())
            .expect("the example publishes");
        engine
    })
}

/// Stores `snapshot` as a live conversation's row with a message for it, runs the
/// turn, checks the message was handled, and erases the conversation.
fn through_the_engine(snapshot: Vec<u8>) {
    let engine = engine();
    let conversation = Conversation {
        key: KEY.into(),
        program: program().source_hash,
        status: Status::Customer,
        version: 1,
        snapshot,
        contact: KEY.into(),
        channel: "whatsapp".into(),
        opened_clock: NOW,
        opened: 0,
        updated: 0,
        ending: String::new(),
        pending_call: None,
    };
    let turn = TurnCommit::new(conversation);
    let message = NewMessage {
        conversation: KEY.into(),
        message_id: "m".into(),
        body: r#"{"id":"m","text":"1"}"#.into(),
        received: 0,
    };
    engine
        .store
        .commit(&[Write::Turn(Box::new(turn)), Write::Message(message)])
        .expect("stored");
    engine
        .run(KEY, Vec::new(), Vec::new())
        .expect("the turn runs");
    let handled = engine.store.message(KEY, "m").expect("read");
    assert!(
        handled.is_some_and(|it| it.reply.is_some()),
        "the message has no reply"
    );
    assert!(engine.store.pending(KEY).expect("read").is_empty());
    let row = engine
        .store
        .conversation(KEY)
        .expect("read")
        .expect("a row");
    if row.status == Status::Failed {
        assert!(!row.ending.is_empty(), "a failed conversation says why");
    }
    assert_eq!(engine.store.erase_contact(KEY).expect("erased"), 1);
}

fuzz_target!(|data: &[u8]| {
    let program = program();
    let bytes = if data.first().is_some_and(|it| it % 2 == 0) {
        let mut session = Session::new(program, None, Context::new(NOW)).expect("a session");
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
    through_the_engine(bytes);
});

//! `fluxo serve`'s log as an operator reads it: what the host has to say besides the
//! conversation (a Low Code script's `print`, why a script failed) is a line of the
//! server's own log, in its `log_format`, under the conversation and masked, not a bare
//! line on stderr that a JSON log collector cannot read; and a stored conversation
//! whose snapshot no longer restores ends with a line saying why.

// The server client of `tests/serve.rs`; this file uses only part of it.
#[allow(dead_code)]
#[path = "serve/client.rs"]
mod client;

use serde_json::Value;

use client::{scratch, Server};
use fluxo_server::store::sqlite::SqliteStore;
use fluxo_server::store::{Store, TurnCommit, Write};

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn a_scripts_log_goes_to_the_servers_log_masked_in_its_format() {
    let data = scratch("notes");
    std::fs::write(
        data.join("main.flow"),
        "script eco \"eco.rhai\" -> { ok: text }\n\nflow main {\n    \
         lowcode(script: eco, timeout: 5s, fail_message: \"Falhou.\") as r\n    \
         say \"Pronto: {r.ok}\"\n    end\n}\n",
    )
    .unwrap();
    std::fs::write(
        data.join("eco.rhai"),
        "print(\"cliente 529.982.247-25 consultado\");\n#{ ok: \"sim\" }\n",
    )
    .unwrap();
    let config = data.join("fluxo.toml");
    std::fs::write(&config, "[server]\nlog_format = \"json\"\n").unwrap();
    let server = Server::start(
        &data.join("main.flow"),
        &data,
        &["--config", config.to_str().unwrap()],
    );
    let (status, body) = server.say("n", "m-1", "oi", true);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["outputs"][0]["text"], "Pronto: sim");
    // The script's `print` is a line of the server's JSON log, under the conversation,
    // with the CPF masked; nothing of it reaches the log unformatted.
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(!log.contains("982.247"), "{log}");
    let lines: Vec<Value> = log.lines().map(json).collect();
    let note = lines
        .iter()
        .find(|it| {
            it["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("note: lowcode `eco`"))
        })
        .unwrap_or_else(|| panic!("no note in the log: {log}"));
    assert_eq!(note["conversation"], "n");
    assert!(
        note["message"].as_str().unwrap().contains("529.***.***-25"),
        "{note}"
    );
}

/// Each conversation's stored snapshot is broken a different way while the server is
/// down (the store written behind its back, a disk gone bad); after the restart each
/// next message is answered, its conversation ends as failed, and the log says why.
#[test]
fn a_corrupt_stored_snapshot_ends_its_conversation_with_a_log_line() {
    let data = scratch("corrupt");
    let flow = data.join("main.flow");
    std::fs::write(
        &flow,
        "flow main {\n    ask \"Qual a data?\" input date as dia\n    say \"Anotado: {dia}\"\n    end\n}\n",
    )
    .unwrap();
    let sources = fluxo::files::load_program(&flow).unwrap();
    let compiled = fluxo_compiler::compile(&sources, &fluxo_compiler::CompileOptions::default());
    let program = compiled.program.unwrap();
    let pc_break = |it: &mut Vec<u8>| off_boundary(it, &program);
    let breaks: [(&str, &Break<'_>); 5] = [
        ("truncated", &|it| it.truncate(it.len() / 2)),
        // The program's hash, just after the magic and version.
        ("other-program", &|it| it[4..12].copy_from_slice(&[0xAB; 8])),
        // A length of 2^63 where the context's first text starts.
        ("huge-length", &|it| {
            let huge = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F];
            it.splice(13..13, huge);
        }),
        ("garbage", &|it| *it = b"not a snapshot at all".to_vec()),
        ("pc-inside-an-instruction", &pc_break),
    ];
    let server = Server::start(&flow, &data, &[]);
    for (key, _) in &breaks {
        let (status, body) = server.say(key, "m-1", "oi", true);
        assert_eq!(status, 200, "{body}");
        assert_eq!(json(&body)["outputs"][0]["text"], "Qual a data?");
    }
    server.kill();
    let store = SqliteStore::open(&data.join("fluxo.db")).unwrap();
    for (key, break_it) in &breaks {
        let mut conversation = store.conversation(key).unwrap().unwrap();
        break_it(&mut conversation.snapshot);
        let mut turn = TurnCommit::new(conversation);
        turn.timers = None;
        store.commit(&[Write::Turn(Box::new(turn))]).unwrap();
    }
    drop(store);
    let server = Server::start(&flow, &data, &[]);
    let answers: Vec<Value> = breaks
        .iter()
        .map(|(key, _)| {
            let (status, body) = server.say(key, "m-2", "01/12/2026", true);
            assert_eq!(status, 200, "{body}");
            json(&body)
        })
        .collect();
    let log = std::fs::read_to_string(&server.log).unwrap();
    let reasons = [
        "malformed snapshot: cut short",
        "the snapshot was taken on program abababababababab",
        "malformed snapshot: cut short",
        "not a Fluxo session snapshot",
        "malformed snapshot: the snapshot does not fit the program",
    ];
    for (((key, _), answer), reason) in breaks.iter().zip(&answers).zip(reasons) {
        // The customer's message is answered (nothing more is said), and the
        // conversation is over: a later message opens a new one.
        assert_eq!(answer["wait"], "failed", "{key}: {answer}");
        assert_eq!(answer["outputs"], serde_json::json!([]), "{key}: {answer}");
        let line = format!(
            "error [{key}] the conversation stopped: the stored conversation cannot be \
             restored: {reason}"
        );
        assert!(log.contains(&line), "{line}\n{log}");
    }
}

/// A way to break a stored snapshot.
type Break<'a> = dyn Fn(&mut Vec<u8>) + 'a;

/// Changes the snapshot's `pc` to a number between two instructions of `program`: the
/// byte that, set to another instruction's start, restores with that `pc`.
fn off_boundary(snapshot: &mut [u8], program: &fluxo_runtime::bytecode::Program) {
    use fluxo_runtime::session::Session;
    let pc = Session::restore(snapshot, program).unwrap().pc();
    let restores_at = |at: usize, value: u8| {
        let mut edited = snapshot.to_vec();
        edited[at] = value;
        Session::restore(&edited, program).ok().map(|it| it.pc())
    };
    let at = (12..snapshot.len())
        .find(|&at| {
            u32::from(snapshot[at]) == pc
                && (0..128).any(|v| v != snapshot[at] && restores_at(at, v) == Some(v.into()))
        })
        .expect("the pc's byte");
    let last = (0..128u8)
        .rev()
        .find(|&v| restores_at(at, v).is_some())
        .unwrap();
    snapshot[at] = (0..last).find(|&v| restores_at(at, v).is_none()).unwrap();
}

//! `fluxo serve`'s log as an operator reads it: what the host has to say besides the
//! conversation (a Low Code script's `print`, why a script failed) is a line of the
//! server's own log, in its `log_format`, under the conversation and masked, not a bare
//! line on stderr that a JSON log collector cannot read.

// The server client of `tests/serve.rs`; this file uses only part of it.
#[allow(dead_code)]
#[path = "serve/client.rs"]
mod client;

use serde_json::Value;

use client::{scratch, Server};

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

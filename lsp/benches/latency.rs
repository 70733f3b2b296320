//! The language server's latency on a 10,000-card project: from a `didChange` of one
//! file to its `publishDiagnostics`, against the cost of checking the same program once
//! (`fluxo check`'s work without reading files), measured in the same run.
//!
//! Two layouts of the same generated program: split into 20 files of about 500 cards (an
//! edit re-parses one small file, then the whole program is checked again), and as one
//! file of 10,000 cards (each edit re-parses all of it: the worst case).
//!
//! Run with `cargo bench -p fluxo-lsp --bench latency`.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use fluxo_compiler::Sources;
use fluxo_lsp::Server;
use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::json;

const CARDS: usize = 10_000;

/// The generated program cut at its flows into about `n_files` files.
fn split(text: &str, n_files: usize) -> Vec<String> {
    let per_file = (text.matches("\nflow ").count() / n_files).max(1);
    let mut files = vec![String::new()];
    let mut flows = 0;
    for chunk in text.split_inclusive('\n') {
        if chunk.starts_with("flow ") {
            flows += 1;
            if flows % per_file == 0 {
                files.push(String::new());
            }
        }
        if let Some(last) = files.last_mut() {
            last.push_str(chunk);
        }
    }
    files
}

/// A server that has opened `files` (written under `dir`) and checked them.
fn server(dir: &Path, files: &[String]) -> (Server, String) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (idx, text) in files.iter().enumerate() {
        std::fs::write(dir.join(format!("part_{idx:03}.flow")), text).unwrap();
    }
    let root = fluxo_lsp::file_uri(dir).unwrap().as_str().to_string();
    let mut server = Server::new();
    server.handle(Message::Request(Request::new(
        RequestId::from(1),
        "initialize".to_string(),
        json!({"processId": null, "rootUri": root, "capabilities": {}}),
    )));
    let last = files.len() - 1;
    let uri = fluxo_lsp::file_uri(&dir.join(format!("part_{last:03}.flow")))
        .unwrap()
        .as_str()
        .to_string();
    server.handle(notification(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "fluxo", "version": 1, "text": files[last]}}),
    ));
    (server, uri)
}

fn notification(method: &str, params: serde_json::Value) -> Message {
    Message::Notification(Notification::new(method.to_string(), params))
}

/// One keystroke: the file's text with or without a trailing comment, as a full change.
fn keystroke(server: &mut Server, uri: &str, text: &str, version: i32) {
    let text = if version % 2 == 0 {
        format!("{text}// x\n")
    } else {
        text.to_string()
    };
    let out = server.handle(notification(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
    ));
    let published = out.iter().any(|it| {
        matches!(it, Message::Notification(n) if n.method == "textDocument/publishDiagnostics")
    });
    assert!(published, "a change publishes diagnostics");
}

fn bench(c: &mut Criterion) {
    let program = fluxo_bench::print_flow::print_flow(&fluxo_bench::generate::generate(CARDS));
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut group = c.benchmark_group("lsp_10k_cards");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));

    group.bench_function("baseline_check_once", |b| {
        b.iter(|| {
            let mut sources = Sources::new();
            sources.add("program.flow", program.clone());
            let checked = fluxo_compiler::check(&sources);
            assert!(!checked.has_errors());
        })
    });

    for (name, files) in [
        ("did_change_to_publish_split_files", split(&program, 20)),
        ("did_change_to_publish_one_file", vec![program.clone()]),
    ] {
        let (mut server, uri) = server(&tmp.join(name), &files);
        let text = files.last().cloned().unwrap_or_default();
        let mut version = 1;
        group.bench_function(name, |b| {
            b.iter(|| {
                version += 1;
                keystroke(&mut server, &uri, &text, version);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

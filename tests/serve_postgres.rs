//! Several `fluxo serve` processes on one PostgreSQL database (docs/server.md): the
//! crash test's conversations from examples/provedor, each message sent to one of
//! three servers picked at random, while servers are killed with SIGKILL one at a
//! time and started again (the others take the sends meanwhile, and the work the
//! killed one held). Every transcript must be what the offline engine prints for the
//! same inputs, but for a write whose outcome a kill made unknown: so the turns of
//! one conversation ran in order across processes, none was lost or run twice, even
//! with the processes' claims connections ended under them meanwhile. A program
//! published through one process is what new conversations start on in the others;
//! a database a newer fluxo migrated stops a server from starting. A turn whose claim
//! is lost while a slow host call runs, and that another process overtakes, is dropped
//! at its commit: its outputs go out once, in order. An operator's ending of a
//! conversation another process holds waits for it (or answers 503 after 10 s).
//! Needs FLUXO_TEST_POSTGRES (`.ci/postgres` starts one).

#[path = "serve/client.rs"]
#[allow(dead_code)]
mod client;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use fluxo_loadtest::crash::{self, CrashOptions};
use fluxo_runtime::session::{HostCall, HostResult};
use fluxo_server::store::postgres::testing::{pretend_newer, sql, test_database, TestSchema};
use fluxo_server::store::postgres::PostgresStore;
use fluxo_server::store::Store;
use serde_json::Value;

use client::{fluxo_run, program_saying, publish, request, scratch, Server, Sink};

fn provedor() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor")
}

/// The test database's URL and a fresh schema in it named `prefix_<pid>`, with that
/// name (tests name their connections after it); `None` when no database is set.
fn fresh_schema(prefix: &str) -> Option<(String, String, TestSchema)> {
    let base = test_database().unwrap_or_else(|why| panic!("{why}"))?;
    let name = format!("{prefix}_{}", std::process::id());
    let schema = TestSchema::new(&base, &name).unwrap();
    Some((base, name, schema))
}

#[test]
fn three_servers_on_one_database_keep_every_conversation_in_order_through_kills() {
    let Some((base, name, schema)) = fresh_schema("serve_pg") else {
        return;
    };
    // Named, so that only this test's claims connections are ended.
    let store = format!("{}&application_name={name}", schema.url);
    let work = std::env::temp_dir().join(format!("fluxo-serve-pg-{}", std::process::id()));
    let options = CrashOptions {
        fluxo: PathBuf::from(env!("CARGO_BIN_EXE_fluxo")),
        program: provedor(),
        work: work.clone(),
        conversations: 40,
        seed: 23,
        kills: 4,
        kill_gap_ms: (200, 800),
        concurrency: 8,
        wait_percent: 30,
        think_ms: (0, 80),
        now: "2026-11-23T10:00:00-03:00".into(),
        settle: Duration::from_secs(20),
        store: Some(store),
        processes: 3,
    };
    // Meanwhile the connections holding the processes' claims are ended now and then
    // (as a restarted pooler or an operator would): the claims go with them while the
    // processes live, and no turn may go on under a lost one.
    let running = AtomicBool::new(true);
    let ended = AtomicUsize::new(0);
    let report = std::thread::scope(|scope| {
        scope.spawn(|| {
            while running.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(150));
                let killed = sql(
                    &base,
                    &format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE application_name LIKE '{name} claims %'"
                    ),
                )
                .unwrap_or_default();
                ended.fetch_add(killed.len(), Ordering::Relaxed);
            }
        });
        let report = crash::run(&options);
        running.store(false, Ordering::Relaxed);
        report
    })
    .unwrap();
    assert!(
        // At least two, whatever the machine's load: once on a fresh connection.
        ended.load(Ordering::Relaxed) >= 2,
        "claims connections ended: {ended:?}"
    );
    assert!(report.failures.is_empty(), "{report}");
    assert_eq!(report.conversations, 40, "{report}");
    assert_eq!(report.kills, 4, "{report}");
    assert_eq!(report.runs, 3 + 4, "{report}");
    assert!(report.messages >= 150, "{report}");
    assert!(report.kills_while_sending >= 2, "{report}");
    // `?wait=true` replies came back, some through a process that did not run the turn.
    assert!(report.replies > 0, "{report}");
    // The operator report sums what every process recorded in the shared store.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .args([
            "report",
            "--format",
            "json",
            "--store",
            &options.store.unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "fluxo report: {stderr}");
    let figures: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let visits: u64 = figures["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["visits"].as_u64().unwrap())
        .sum();
    assert!(visits > 0, "{figures}");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn a_program_published_through_one_server_is_what_new_conversations_start_on_in_another() {
    let Some((_, _, schema)) = fresh_schema("serve_pg_pub") else {
        return;
    };
    let data = scratch("pg-publish");
    let config = data.join("fluxo.toml");
    std::fs::write(
        &config,
        "[server]\nadmin_token_env = \"FLUXO_TEST_ADMIN\"\n",
    )
    .unwrap();
    let start = |name: &str| {
        Server::start_with_env(
            &provedor(),
            &data.join(name),
            &["--config", config.to_str().unwrap(), "--store", &schema.url],
            &[("FLUXO_TEST_ADMIN", "s3cret")],
        )
    };
    let (one, two) = (start("one"), start("two"));
    let greeting = |server: &Server, key: &str| {
        let (status, reply) = server.say(key, "m-1", "oi", true);
        assert_eq!(status, 200, "{reply}");
        let reply: Value = serde_json::from_str(&reply).unwrap();
        reply["outputs"][0]["text"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    // A conversation on the first version, on the process that will not publish.
    assert_ne!(greeting(&two, "before"), "Versão nova");
    let published = publish(&one.addr, &program_saying(&data, "Versão nova"));
    assert_eq!(published.0, 201, "{}", published.1);
    // The notification usually arrives at once; without it the other process reads
    // the store's newest within seconds. Polled, never slept for a fixed time.
    let mut heard = None;
    for n in 0..100 {
        let key = format!("after-{n}");
        if greeting(&two, &key) == "Versão nova" {
            heard = Some(key);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let key = heard.unwrap_or_else(|| {
        panic!(
            "the other server never started a conversation on the published program; log: {}",
            std::fs::read_to_string(&two.log).unwrap_or_default()
        )
    });
    let (_, row) = two.get(&format!("/v1/conversations/{key}"));
    let published: Value = serde_json::from_str(&published.1).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&row).unwrap()["program"],
        published["program"]
    );
    // The conversation that began on the first version stays on it.
    let (_, row) = two.get("/v1/conversations/before");
    assert_ne!(
        serde_json::from_str::<Value>(&row).unwrap()["program"],
        published["program"]
    );
}

#[test]
fn a_server_refuses_a_database_a_newer_fluxo_migrated() {
    let Some((_, _, schema)) = fresh_schema("serve_pg_newer") else {
        return;
    };
    pretend_newer(&schema.url, 99).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("serve")
        .arg(provedor())
        .args(["--listen", "127.0.0.1:0", "--store", &schema.url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("version 99"), "{stderr}");
    assert!(stderr.contains("a newer fluxo migrated it"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "it listened: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Answers every Low Code call with `{"n": 1}` (what the test's script returns); the
/// first call says so on `entered` and then waits for `gate`: a slow host call.
struct GatedWorld {
    entered: Mutex<Option<mpsc::Sender<()>>>,
    gate: Mutex<Option<mpsc::Receiver<()>>>,
    calls: AtomicUsize,
}

impl fluxo_server::World for GatedWorld {
    fn load(&self, _: u64, _: &fluxo_runtime::bytecode::Program) -> Result<(), String> {
        Ok(())
    }

    fn answer(&self, _: u64, call: &HostCall, _: i64) -> (HostResult, Vec<String>) {
        assert!(matches!(call, HostCall::Lowcode { .. }), "{call:?}");
        self.calls.fetch_add(1, Ordering::SeqCst);
        let first = self.entered.lock().unwrap().take();
        if let Some(entered) = first {
            let gate = self.gate.lock().unwrap().take().unwrap();
            entered.send(()).unwrap();
            gate.recv().unwrap();
        }
        let record = serde_json::json!({"n": 1}).as_object().unwrap().clone();
        (HostResult::Lowcode(Ok(record)), Vec::new())
    }
}

/// A program whose first turn makes a Low Code call between two outputs, then asks.
fn slow_program(dir: &Path) {
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    std::fs::write(dir.join("scripts/lento.rhai"), "#{ n: 1 }\n").unwrap();
    std::fs::write(
        dir.join("main.flow"),
        "script lento \"scripts/lento.rhai\" -> { n: number }\n\n\
         flow main {\n    say \"um\"\n    lowcode(script: lento) as r\n    say \"dois {r.n}\"\n    \
         ask \"mais?\" confirm {\n        yes => say \"sim\"\n        no => say \"não\"\n    }\n    \
         end\n}\n",
    )
    .unwrap();
}

/// A server in this process, stopped with its runtime when dropped (before the test's
/// schema goes).
struct InProcess {
    addr: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

/// Starts a server in this process on `store` with `world`, posting its outputs to
/// `sink`.
fn serve_in_process(program: &Path, store: &str, sink: &Sink, world: Arc<GatedWorld>) -> InProcess {
    let sources = fluxo::files::load_program(program).unwrap();
    let compiled = fluxo_compiler::compile(&sources, &fluxo_compiler::CompileOptions::default());
    let mut settings = fluxo_server::Settings::new(fluxo_runtime::session::Context::new(0));
    settings.now = fluxo_runtime::clock::parse_rfc3339(client::NOW);
    settings.webhook = Some(format!("http://{}/hook", sink.addr));
    let options = fluxo_server::Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        data: scratch("pg-fence-data"),
        store: Some(store.to_string()),
        program: compiled.program.unwrap().to_bytes(),
        settings,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    runtime.spawn(fluxo_server::serve(options, world, move |addr| {
        let _ = tx.send(addr.to_string());
    }));
    InProcess {
        addr: rx.recv().unwrap(),
        runtime: Some(runtime),
    }
}

#[test]
fn a_turn_whose_claim_goes_during_a_slow_call_and_is_overtaken_is_sent_once_in_order() {
    let Some((base, name, schema)) = fresh_schema("serve_pg_fence") else {
        return;
    };
    let program = scratch("pg-fence");
    slow_program(&program);
    let sink = Sink::start(0);
    let (entered_tx, entered) = mpsc::channel();
    let (open, gate) = mpsc::channel();
    let world = Arc::new(GatedWorld {
        entered: Mutex::new(Some(entered_tx)),
        gate: Mutex::new(Some(gate)),
        calls: AtomicUsize::new(0),
    });
    // Two processes' worth of servers, their claims connections named apart.
    let store = |who: &str| format!("{}&application_name={name}_{who}", schema.url);
    let first = serve_in_process(&program, &store("one"), &sink, Arc::clone(&world));
    let one = first.addr.as_str();
    let say = |addr: &str, id: &str, text: &str, wait: bool| {
        let body = serde_json::json!({"id": id, "text": text}).to_string();
        let path = format!(
            "/v1/conversations/c/messages{}",
            if wait { "?wait=true" } else { "" }
        );
        request(addr, "POST", &path, Some(&body), &[])
    };
    assert_eq!(say(one, "m-1", "oi", false).0, 202);
    // The first server runs the turn up to its Low Code call, and waits there. The
    // second starts only now: its sweep would otherwise take the message first.
    entered.recv_timeout(Duration::from_secs(30)).unwrap();
    let second = serve_in_process(&program, &store("two"), &sink, Arc::clone(&world));
    let two = second.addr.as_str();
    let ended = sql(
        &base,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name LIKE '{name}_one claims %'"
        ),
    )
    .unwrap();
    assert_eq!(ended, ["t"], "one claims connection was ended");
    // Its claim went with it: the second server's sweep takes the message over and
    // commits the same turn first.
    let transcript =
        |addr: &str| request(addr, "GET", "/v1/conversations/c/transcript", None, &[]).1;
    let started = Instant::now();
    while !transcript(two).contains("mais?") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never overtaken"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Now the first server's call returns: its commit finds the conversation moved on
    // and drops the turn; the answer it is sent next runs after that, on what the
    // second committed.
    open.send(()).unwrap();
    let (status, reply) = say(one, "m-2", "sim", true);
    assert_eq!(status, 200, "{reply}");
    let reply: Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(reply["outputs"][0]["text"], "sim", "{reply}");
    assert_eq!(world.calls.load(Ordering::SeqCst), 2);
    // The ordering oracle: the transcript is the offline engine's, every line once, and
    // every output went out once, in order.
    // (`fluxo run` takes no opening message: its first input line answers.)
    assert_eq!(transcript(one), fluxo_run(&program, &["sim"]));
    let outputs: Vec<Value> = sink
        .wait_for(5)
        .iter()
        .map(|it| it.body["output"].clone())
        .collect();
    let text = |text: &str| serde_json::json!({"type": "text", "text": text});
    let end = serde_json::json!({"type": "effect", "effect": {"effect": "end"}});
    assert_eq!(
        outputs,
        [
            text("um"),
            text("dois 1"),
            text("mais?\n  1) Sim\n  2) Não"),
            text("sim"),
            end
        ]
    );
}

#[test]
fn an_operator_ending_waits_for_the_process_holding_the_conversation_or_answers_503() {
    let Some((_, name, schema)) = fresh_schema("serve_pg_end") else {
        return;
    };
    let data = scratch("pg-end");
    let config = data.join("fluxo.toml");
    std::fs::write(
        &config,
        "[server]\nadmin_token_env = \"FLUXO_TEST_ADMIN\"\n",
    )
    .unwrap();
    let server = Server::start_with_env(
        &provedor(),
        &data.join("server"),
        &["--config", config.to_str().unwrap(), "--store", &schema.url],
        &[("FLUXO_TEST_ADMIN", "s3cret")],
    );
    // Claims are the database's, shared with every other test's schema: keys of its own.
    let (brief, long) = (format!("{name}_brief"), format!("{name}_long"));
    for key in [&brief, &long] {
        let (status, reply) = server.say(key, "m-1", "oi", true);
        assert_eq!(status, 200, "{reply}");
    }
    // Another process holds both conversations (as while it runs a turn of each).
    let other = PostgresStore::open(&schema.url).unwrap();
    assert!(other.claim(&brief).unwrap() && other.claim(&long).unwrap());
    let end = |key: &str| {
        let started = Instant::now();
        let path = format!("/v1/admin/conversations/{key}/end");
        let auth = [("Authorization", "Bearer s3cret")];
        let (status, body) = request(&server.addr, "POST", &path, None, &auth);
        (status, body, started.elapsed())
    };
    let (ended_brief, ended_long) = std::thread::scope(|scope| {
        let brief_end = scope.spawn(|| end(&brief));
        let long_end = scope.spawn(|| end(&long));
        std::thread::sleep(Duration::from_secs(2));
        other.release(&brief).unwrap();
        (brief_end.join().unwrap(), long_end.join().unwrap())
    });
    // Released within the wait: the ending ran once the other let go.
    assert_eq!(ended_brief.0, 200, "{}", ended_brief.1);
    assert!(
        ended_brief.2 >= Duration::from_secs(2),
        "{:?}",
        ended_brief.2
    );
    // Held past it: 503, and the ending stays queued, to run once the other lets go.
    assert_eq!(ended_long.0, 503, "{}", ended_long.1);
    assert!(
        ended_long.1.contains("another process still runs"),
        "{}",
        ended_long.1
    );
    let wait = |key: &str| {
        let (_, row) = server.get(&format!("/v1/conversations/{key}"));
        serde_json::from_str::<Value>(&row).unwrap()["wait"].clone()
    };
    assert_eq!(wait(&long), "customer");
    other.release(&long).unwrap();
    let started = Instant::now();
    while wait(&long) != "done" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the queued ending never ran"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Each ending ran once: the conversations are over, and ending them again finds
    // nothing live.
    for key in [&brief, &long] {
        assert_eq!(wait(key), "done");
        assert_eq!(end(key).0, 404);
    }
}

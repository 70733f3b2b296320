//! Several `fluxo serve` processes on one PostgreSQL database (docs/server.md): the
//! crash test's conversations from examples/provedor, each message sent to one of
//! three servers picked at random, while servers are killed with SIGKILL one at a
//! time and started again (the others take the sends meanwhile, and the work the
//! killed one held). Every transcript must be what the offline engine prints for the
//! same inputs, but for a write whose outcome a kill made unknown: so the turns of
//! one conversation ran in order across processes, none was lost or run twice, even
//! with the processes' claims connections ended under them meanwhile. A program
//! published through one process is what new conversations start on in the others;
//! a database a newer fluxo migrated stops a server from starting.
//! Needs FLUXO_TEST_POSTGRES (`.ci/postgres` starts one).

#[path = "serve/client.rs"]
#[allow(dead_code)]
mod client;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use fluxo_loadtest::crash::{self, CrashOptions};
use fluxo_server::store::postgres::testing::{pretend_newer, sql, test_database, TestSchema};
use serde_json::Value;

use client::{program_saying, publish, scratch, Server};

fn provedor() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor")
}

#[test]
fn three_servers_on_one_database_keep_every_conversation_in_order_through_kills() {
    let Some(base) = test_database().unwrap_or_else(|why| panic!("{why}")) else {
        return;
    };
    let name = format!("serve_pg_{}", std::process::id());
    let schema = TestSchema::new(&base, &name).unwrap();
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
    let Some(base) = test_database().unwrap_or_else(|why| panic!("{why}")) else {
        return;
    };
    let schema = TestSchema::new(&base, &format!("serve_pg_pub_{}", std::process::id())).unwrap();
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
    let Some(base) = test_database().unwrap_or_else(|why| panic!("{why}")) else {
        return;
    };
    let schema = TestSchema::new(&base, &format!("serve_pg_newer_{}", std::process::id())).unwrap();
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

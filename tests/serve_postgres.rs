//! Several `fluxo serve` processes on one PostgreSQL database (docs/server.md): the
//! crash test's conversations from examples/provedor, each message sent to one of
//! three servers picked at random, while servers are killed with SIGKILL one at a
//! time and started again (the others take the sends meanwhile, and the work the
//! killed one held). Every transcript must be what the offline engine prints for the
//! same inputs, but for a write whose outcome a kill made unknown: so the turns of
//! one conversation ran in order across processes, none was lost or run twice.
//! Needs FLUXO_TEST_POSTGRES (`.ci/postgres` starts one).

use std::path::{Path, PathBuf};
use std::time::Duration;

use fluxo_loadtest::crash::{self, CrashOptions};
use fluxo_server::store::postgres::{fresh_schema, test_database};

#[test]
fn three_servers_on_one_database_keep_every_conversation_in_order_through_kills() {
    let Some(base) = test_database().unwrap_or_else(|why| panic!("{why}")) else {
        return;
    };
    let store = fresh_schema(&base, &format!("serve_pg_{}", std::process::id())).unwrap();
    let work = std::env::temp_dir().join(format!("fluxo-serve-pg-{}", std::process::id()));
    let options = CrashOptions {
        fluxo: PathBuf::from(env!("CARGO_BIN_EXE_fluxo")),
        program: Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor"),
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
    let report = crash::run(&options).unwrap();
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

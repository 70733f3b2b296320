//! The crash test of SERVER.md §5, small enough for the suite: conversations from
//! examples/provedor sent to the real `fluxo serve` while it is killed with SIGKILL
//! and started again on the same data; every transcript must be what the offline
//! engine prints for the same inputs, but for a write whose outcome a kill made
//! unknown (its fail path). The long run is `fluxo-loadtest crash`
//! (docs/crash-and-load.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use fluxo_loadtest::crash::{self, CrashOptions};

#[test]
fn a_killed_server_loses_no_acknowledged_message_and_repeats_no_write() {
    let work = std::env::temp_dir().join(format!("fluxo-serve-crash-{}", std::process::id()));
    let options = CrashOptions {
        fluxo: PathBuf::from(env!("CARGO_BIN_EXE_fluxo")),
        program: Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor"),
        work: work.clone(),
        conversations: 50,
        seed: 19,
        kills: 5,
        kill_gap_ms: (100, 600),
        concurrency: 8,
        wait_percent: 30,
        think_ms: (0, 80),
        now: "2026-11-23T10:00:00-03:00".into(),
        settle: Duration::from_secs(20),
        store: None,
        processes: 1,
    };
    let report = crash::run(&options).unwrap();
    assert!(report.failures.is_empty(), "{report}");
    assert_eq!(report.conversations, 50, "{report}");
    assert_eq!(report.kills, 5, "{report}");
    assert_eq!(report.runs, 6, "{report}");
    assert!(report.messages >= 200, "{report}");
    // Most kills land while messages are being sent, not only on a quiet server.
    assert!(report.kills_while_sending >= 3, "{report}");
    assert!(report.resends > 0, "{report}");
    let _ = std::fs::remove_dir_all(&work);
}

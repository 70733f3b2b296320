//! The store conformance suite (`fluxo_server::store::conformance`) on the SQLite
//! store, each check on a fresh database file; and durability across reopening.

use fluxo_server::store::conformance::CHECKS;
use fluxo_server::store::sqlite::SqliteStore;
use fluxo_server::store::{NewMessage, Outcome, Store, Write};

fn fresh(dir: &std::path::Path, name: &str) -> SqliteStore {
    SqliteStore::open(&dir.join(format!("{name}.db"))).unwrap()
}

#[test]
fn sqlite_passes_the_conformance_suite() {
    let dir = tempdir("conformance");
    let mut failures = Vec::new();
    for (name, check) in CHECKS {
        if let Err(error) = check(&fresh(&dir, name)) {
            failures.push(format!("{name}: {error}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn committed_messages_survive_reopening() {
    let dir = tempdir("reopen");
    let path = dir.join("reopen.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        let outcome = store
            .commit(&[Write::Message(NewMessage {
                conversation: "c".into(),
                message_id: "m-1".into(),
                body: "{}".into(),
                received: 1,
            })])
            .unwrap();
        assert!(matches!(outcome[..], [Outcome::Stored { .. }]));
    }
    let store = SqliteStore::open(&path).unwrap();
    let pending = store.pending("c").unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message_id, "m-1");
}

/// A fresh folder for this test under the target's temporary directory.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

//! The store conformance suite (`fluxo_server::store::conformance`) on the SQLite
//! store, each check on a fresh database file; durability across reopening; and a
//! file a newer fluxo changed is refused untouched.

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

#[test]
fn a_file_a_newer_fluxo_changed_is_refused_and_left_untouched() {
    let dir = tempdir("newer");
    let path = dir.join("fluxo.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE newer (x INTEGER); PRAGMA user_version = 99")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let Err(refused) = SqliteStore::open(&path) else {
        panic!("a store at version 99 was opened");
    };
    let message = refused.to_string();
    assert!(
        message.contains("version 99") && message.contains("versions up to 1"),
        "{message}"
    );
    assert!(message.contains("a newer fluxo changed it"), "{message}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was written"
    );
    assert!(!dir.join("fluxo.db-wal").exists());
    // A file this fluxo made opens again (its version is recorded, not above).
    let ours = dir.join("ours.db");
    drop(SqliteStore::open(&ours).unwrap());
    SqliteStore::open(&ours).unwrap();
}

/// A fresh folder for this test under the target's temporary directory.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

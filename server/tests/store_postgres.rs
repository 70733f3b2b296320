//! The store conformance suite on PostgreSQL, each check in a fresh schema, and what
//! only a shared store has: processes that start together migrate once, and a claim
//! on a conversation excludes every other process until released or until its
//! holder's connection ends (or breaks while the process lives), and a database a newer
//! fluxo migrated is refused. Needs FLUXO_TEST_POSTGRES (`.ci/postgres` starts one).

use std::sync::Arc;

use fluxo_server::store::conformance::CHECKS;
use fluxo_server::store::postgres::testing::{
    drop_leftovers, pretend_newer, sql, test_database, TestSchema,
};
use fluxo_server::store::postgres::PostgresStore;
use fluxo_server::store::{NewMessage, Outcome, Store, Write};

/// A schema of its own named for the test (dropped when the test ends), or `None`
/// when PostgreSQL tests are skipped on purpose.
fn schema(name: &str) -> Option<TestSchema> {
    let base = test_database().unwrap_or_else(|why| panic!("{why}"))?;
    Some(TestSchema::new(&base, &format!("t_{name}_{}", std::process::id())).unwrap())
}

#[test]
fn postgres_passes_the_conformance_suite() {
    let mut failures = Vec::new();
    for (name, check) in CHECKS {
        let Some(schema) = schema(name) else { return };
        let store = PostgresStore::open(&schema.url).unwrap();
        if let Err(error) = check(&store) {
            failures.push(format!("{name}: {error}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn processes_that_start_together_migrate_once_and_share_the_data() {
    let Some(schema) = schema("together") else {
        return;
    };
    let url = &schema.url;
    let opened: Vec<PostgresStore> = std::thread::scope(|scope| {
        let starts: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| PostgresStore::open(url)))
            .collect();
        starts
            .into_iter()
            .map(|it| it.join().unwrap().unwrap())
            .collect()
    });
    let message = Write::Message(NewMessage {
        conversation: "c".into(),
        message_id: "m-1".into(),
        body: "{}".into(),
        received: 1,
    });
    let first = opened[0].commit(std::slice::from_ref(&message)).unwrap();
    let Outcome::Stored { seq } = first[0] else {
        panic!("{first:?}")
    };
    // The same message through another process is a duplicate of the stored one.
    let again = opened[2].commit(&[message]).unwrap();
    assert_eq!(again, [Outcome::Duplicate { seq }]);
    assert_eq!(opened[1].pending("c").unwrap().len(), 1);
}

#[test]
fn a_claim_excludes_other_processes_until_released_or_dropped() {
    let Some(schema) = schema("claims") else {
        return;
    };
    let url = &schema.url;
    let one = PostgresStore::open(url).unwrap();
    let two = PostgresStore::open(url).unwrap();
    assert!(one.claim("c").unwrap());
    assert!(
        !two.claim("c").unwrap(),
        "two processes hold one conversation"
    );
    assert!(two.claim("other").unwrap());
    one.release("c").unwrap();
    assert!(two.claim("c").unwrap());
    // A process that ends (its connections close) lets go of what it held.
    drop(two);
    let mut taken = false;
    for _ in 0..100 {
        taken = one.claim("c").unwrap();
        if taken {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(taken, "a dropped store still holds its claims");
}

#[test]
fn a_reply_committed_by_one_process_is_heard_by_another() {
    let Some(schema) = schema("replies") else {
        return;
    };
    let listener = PostgresStore::open(&schema.url).unwrap();
    let writer = PostgresStore::open(&schema.url).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    listener.on_reply(Arc::new(move |seq| {
        let _ = tx.lock().unwrap().send(seq);
    }));
    let stored = writer
        .commit(&[Write::Message(NewMessage {
            conversation: "c".into(),
            message_id: "m".into(),
            body: "{}".into(),
            received: 1,
        })])
        .unwrap();
    let Outcome::Stored { seq } = stored[0] else {
        panic!("{stored:?}")
    };
    // The listener may start after the first reply: reply until it is heard.
    let mut heard = None;
    for version in 1..50 {
        let mut turn = fluxo_server::store::TurnCommit::new(fluxo_server::store::Conversation {
            key: "c".into(),
            program: 1,
            status: fluxo_server::store::Status::Customer,
            version,
            snapshot: Vec::new(),
            contact: "c".into(),
            channel: "generic".into(),
            opened_clock: 0,
            opened: 0,
            updated: 0,
            ending: String::new(),
            pending_call: None,
        });
        turn.timers = None;
        turn.handled = vec![(seq, format!("{{\"v\":{version}}}"))];
        writer.commit(&[Write::Turn(Box::new(turn))]).unwrap();
        if let Ok(got) = rx.recv_timeout(std::time::Duration::from_millis(100)) {
            heard = Some(got);
            break;
        }
    }
    assert_eq!(heard, Some(seq));
}

#[test]
fn a_claim_that_went_with_its_broken_connection_is_lost_and_not_taken_back() {
    let Some(schema) = schema("lost") else {
        return;
    };
    // Named, so that only this test's claims connections are ended.
    let name = format!("t_lost_{}", std::process::id());
    let url = format!("{}&application_name={name}", schema.url);
    let one = PostgresStore::open(&url).unwrap();
    // Advisory locks are the database's, shared with every other test's schema.
    let (c, d) = (format!("{name}_c"), format!("{name}_d"));
    let (c, d) = (c.as_str(), d.as_str());
    let two = PostgresStore::open(&schema.url).unwrap();
    assert!(one.claim(c).unwrap());
    assert!(!one.claim_lost(c).unwrap());
    assert!(!one.claim_lost("never claimed").unwrap());
    // An operator (or a restarted pooler) ends the connection the claims live on.
    let ended = sql(
        &schema.url,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name LIKE '{name} claims %'"
        ),
    )
    .unwrap();
    assert_eq!(ended, ["t"], "one claims connection was ended");
    // The lock goes with it (once the backend has exited): another process takes
    // the conversation.
    let mut taken = false;
    for _ in 0..250 {
        taken = two.claim(c).unwrap();
        if taken {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(taken, "the ended connection's lock was never released");
    // This process knows, and does not take it back on a new connection.
    assert!(one.claim_lost(c).unwrap());
    assert!(one.release(c).is_err());
    assert!(
        !one.claim(c).unwrap(),
        "two processes hold one conversation"
    );
    // Claims taken on the new connection are whole.
    assert!(one.claim(d).unwrap());
    assert!(!one.claim_lost(d).unwrap());
    assert!(!two.claim(d).unwrap());
    one.release(d).unwrap();
}

#[test]
fn a_database_a_newer_fluxo_migrated_is_refused_and_left_untouched() {
    let Some(schema) = schema("newer") else {
        return;
    };
    // A newer fluxo's mark, and nothing else (this fluxo would create its tables).
    pretend_newer(&schema.url, 99).unwrap();
    let Err(refused) = PostgresStore::open(&schema.url) else {
        panic!("a database at version 99 was opened");
    };
    let message = refused.to_string();
    assert!(
        message.contains("version 99") && message.contains("versions up to "),
        "{message}"
    );
    assert!(message.contains("a newer fluxo migrated it"), "{message}");
    let tables = sql(
        &schema.url,
        "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = current_schema()",
    )
    .unwrap();
    assert_eq!(tables, ["fluxo_migrations"]);
}

#[test]
fn a_test_schema_is_dropped_when_its_test_ends() {
    let Some(base) = test_database().unwrap_or_else(|why| panic!("{why}")) else {
        return;
    };
    let name = format!("t_dropped_{}", std::process::id());
    let exists = || {
        sql(
            &base,
            &format!("SELECT count(*) FROM pg_namespace WHERE nspname = '{name}'"),
        )
        .unwrap()
    };
    let guard = TestSchema::new(&base, &name).unwrap();
    PostgresStore::open(&guard.url).unwrap();
    assert_eq!(exists(), ["1"]);
    drop(guard);
    assert_eq!(exists(), ["0"]);
    // A schema left by a test that died a day ago goes when the next tests start.
    let stale = format!("t_stale_{}", std::process::id());
    sql(
        &base,
        &format!(
            "CREATE SCHEMA {stale}; COMMENT ON SCHEMA {stale} IS 'fluxo test schema made at 1000'"
        ),
    )
    .unwrap();
    drop_leftovers(&base).unwrap();
    let left = sql(
        &base,
        &format!("SELECT count(*) FROM pg_namespace WHERE nspname = '{stale}'"),
    )
    .unwrap();
    assert_eq!(left, ["0"]);
}

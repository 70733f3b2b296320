//! The store conformance suite on PostgreSQL, each check in a fresh schema, and what
//! only a shared store has: processes that start together migrate once, and a claim
//! on a conversation excludes every other process until released or until its
//! holder's connection ends. Needs FLUXO_TEST_POSTGRES (`.ci/postgres` starts one).

use std::sync::Arc;

use fluxo_server::store::conformance::CHECKS;
use fluxo_server::store::postgres::{fresh_schema, test_database, PostgresStore};
use fluxo_server::store::{NewMessage, Outcome, Store, Write};

/// A store in a schema of its own named for the test, or `None` when PostgreSQL
/// tests are skipped on purpose.
fn store_url(name: &str) -> Option<String> {
    let base = test_database().unwrap_or_else(|why| panic!("{why}"))?;
    let schema = format!("t_{name}_{}", std::process::id());
    Some(fresh_schema(&base, &schema).unwrap())
}

#[test]
fn postgres_passes_the_conformance_suite() {
    let mut failures = Vec::new();
    for (name, check) in CHECKS {
        let Some(url) = store_url(name) else { return };
        let store = PostgresStore::open(&url).unwrap();
        if let Err(error) = check(&store) {
            failures.push(format!("{name}: {error}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn processes_that_start_together_migrate_once_and_share_the_data() {
    let Some(url) = store_url("together") else {
        return;
    };
    let opened: Vec<PostgresStore> = std::thread::scope(|scope| {
        let starts: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| PostgresStore::open(&url)))
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
    let Some(url) = store_url("claims") else {
        return;
    };
    let one = PostgresStore::open(&url).unwrap();
    let two = PostgresStore::open(&url).unwrap();
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
    let Some(url) = store_url("replies") else {
        return;
    };
    let listener = PostgresStore::open(&url).unwrap();
    let writer = PostgresStore::open(&url).unwrap();
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
        let mut turn = fluxo_server::store::TurnCommit {
            conversation: fluxo_server::store::Conversation {
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
            },
            handled: vec![(seq, "{}".into())],
            transcript: Vec::new(),
            outbox: Vec::new(),
            timers: None,
            journal: Vec::new(),
            contact: Vec::new(),
            stats: Vec::new(),
        };
        turn.handled = vec![(seq, format!("{{\"v\":{version}}}"))];
        writer.commit(&[Write::Turn(Box::new(turn))]).unwrap();
        if let Ok(got) = rx.recv_timeout(std::time::Duration::from_millis(100)) {
            heard = Some(got);
            break;
        }
    }
    assert_eq!(heard, Some(seq));
}

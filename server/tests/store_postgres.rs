//! The store conformance suite on PostgreSQL, each check in a fresh schema, and what
//! only a shared store has: processes that start together migrate once, a claim
//! on a conversation excludes every other process until released or until its
//! holder's connection ends (or breaks while the process lives), of two turns run from
//! one version only the first committed applies (and the other spares its batch), and
//! a database a newer fluxo migrated is refused. Needs FLUXO_TEST_POSTGRES
//! (`.ci/postgres` starts one).

use std::sync::Arc;

use fluxo_server::store::conformance::CHECKS;
use fluxo_server::store::postgres::testing::{
    drop_leftovers, pretend_newer, sql, test_database, TestSchema,
};
use fluxo_server::store::postgres::PostgresStore;
use fluxo_server::store::{
    ContactChange, Conversation, Journal, NewMessage, Outcome, Stat, StatKind, Status, Store,
    TurnCommit, Write,
};

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
    // This process knows when it gives it back, and does not take it back on a new
    // connection.
    assert!(one.release(c).is_err());
    assert!(
        !one.claim(c).unwrap(),
        "two processes hold one conversation"
    );
    // Claims taken on the new connection are whole.
    assert!(one.claim(d).unwrap());
    assert!(!two.claim(d).unwrap());
    one.release(d).unwrap();
}

/// A turn of `key` run from version `from` (its fence) by `who`, replying to `seq` and
/// leaving `who` in every table a turn writes.
fn turn_from(key: &str, from: i64, seq: Option<i64>, who: &str) -> Write {
    let mut turn = TurnCommit::new(Conversation {
        key: key.into(),
        program: 1,
        status: Status::Customer,
        version: from + 1,
        snapshot: who.as_bytes().to_vec(),
        contact: format!("{who}-contact"),
        channel: "generic".into(),
        opened_clock: 0,
        opened: 0,
        updated: 1,
        ending: String::new(),
        pending_call: None,
    });
    turn.fence = Some(from);
    turn.handled = seq.map(|seq| (seq, who.to_string())).into_iter().collect();
    turn.transcript = vec![format!("< {who}")];
    turn.outbox = vec![format!("{{\"by\":\"{who}\"}}")];
    turn.journal = vec![Journal::Begin { call: who.into() }];
    turn.contact = vec![ContactChange::OptOut];
    turn.stats = vec![Stat {
        kind: StatKind::Visit,
        subject: who.into(),
        detail: String::new(),
        value: 0,
    }];
    Write::Turn(Box::new(turn))
}

#[test]
fn of_two_turns_run_from_one_version_only_the_first_committed_applies() {
    let Some(schema) = schema("fence") else {
        return;
    };
    let one = PostgresStore::open(&schema.url).unwrap();
    let two = PostgresStore::open(&schema.url).unwrap();
    let message = |key: &str| {
        Write::Message(NewMessage {
            conversation: key.into(),
            message_id: "m-1".into(),
            body: "{}".into(),
            received: 1,
        })
    };
    let Outcome::Stored { seq } = one.commit(&[message("c")]).unwrap()[0] else {
        panic!("not stored")
    };
    // Two processes ran the conversation's first turn at once (one's claim was lost):
    // both commit, one waits for the other's row.
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let racing = [(&one, "one"), (&two, "two")].map(|(store, who)| {
            scope.spawn(move || store.commit(&[turn_from("c", 0, Some(seq), who)]).unwrap())
        });
        racing
            .into_iter()
            .flat_map(|it| it.join().unwrap())
            .collect()
    });
    let winner = match outcomes[..] {
        [Outcome::Done, Outcome::Stale] => "one",
        [Outcome::Stale, Outcome::Done] => "two",
        _ => panic!("{outcomes:?}"),
    };
    let loser = if winner == "one" { "two" } else { "one" };
    // A stale turn in a batch: the batch's other turn and message are applied.
    let batch = one
        .commit(&[
            turn_from("c", 0, Some(seq), "late"),
            turn_from("d", 0, None, "d"),
            message("e"),
        ])
        .unwrap();
    assert!(
        matches!(
            batch[..],
            [Outcome::Stale, Outcome::Done, Outcome::Stored { .. }]
        ),
        "{batch:?}"
    );
    let row = one.conversation("c").unwrap().unwrap();
    assert_eq!((row.version, row.snapshot), (1, winner.as_bytes().to_vec()));
    assert_eq!(one.transcript("c").unwrap(), [format!("< {winner}")]);
    assert_eq!(
        one.message("c", "m-1").unwrap().unwrap().reply.as_deref(),
        Some(winner)
    );
    assert_eq!(one.journal("c").unwrap(), [(winner.to_string(), None)]);
    let due = one.outbox_due(i64::MAX, 10).unwrap();
    let payloads: Vec<&str> = due.iter().map(|it| it.payload.as_str()).collect();
    assert_eq!(
        payloads,
        [
            format!("{{\"by\":\"{winner}\"}}"),
            "{\"by\":\"d\"}".to_string()
        ]
    );
    let visits: Vec<String> = one
        .stats(0, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|it| it.subject)
        .collect();
    assert_eq!(visits, ["d", winner]);
    for who in [loser, "late"] {
        assert_eq!(
            one.contact(&format!("{who}-contact")).unwrap(),
            None,
            "{who}"
        );
    }
    assert!(
        one.contact(&format!("{winner}-contact"))
            .unwrap()
            .unwrap()
            .opted_out
    );
    assert_eq!(one.transcript("d").unwrap(), ["< d"]);
    assert_eq!(one.pending("e").unwrap().len(), 1);
    // Without a fence (a row set up by a test) a turn applies whatever the row holds.
    let mut plain = TurnCommit::new(one.conversation("c").unwrap().unwrap());
    plain.conversation.version = 7;
    assert_eq!(
        one.commit(&[Write::Turn(Box::new(plain))]).unwrap(),
        [Outcome::Done]
    );
    assert_eq!(one.conversation("c").unwrap().unwrap().version, 7);
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

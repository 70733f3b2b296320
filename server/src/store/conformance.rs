//! The conformance suite every [`Store`] must pass: the SQLite store's tests run it,
//! and so will any other store's (PostgreSQL). Each check gets a fresh, empty store and
//! returns what went wrong instead of panicking, so a store's test can report every
//! failing check by name:
//!
//! ```text
//! for (name, check) in fluxo_server::store::conformance::CHECKS {
//!     check(&fresh_store()).unwrap_or_else(|e| panic!("{name}: {e}"));
//! }
//! ```

mod figures;

use super::{
    Contact, ContactChange, Conversation, Journal, Millis, NewMessage, Outcome, Status, Store,
    Timer, TimerKind, TurnCommit, Write,
};

/// One check of the suite.
pub type Check = fn(&dyn Store) -> Result<(), String>;

/// Every check, by name.
pub const CHECKS: &[(&str, Check)] = &[
    (
        "messages_are_deduplicated_by_id",
        messages_are_deduplicated_by_id,
    ),
    (
        "pending_messages_come_in_arrival_order",
        pending_messages_come_in_arrival_order,
    ),
    (
        "a_turn_round_trips_the_conversation",
        a_turn_round_trips_the_conversation,
    ),
    ("transcripts_append_in_order", transcripts_append_in_order),
    (
        "timers_are_replaced_by_each_turn",
        timers_are_replaced_by_each_turn,
    ),
    (
        "the_outbox_delivers_in_order_with_stable_keys",
        the_outbox_delivers_in_order_with_stable_keys,
    ),
    (
        "journalled_writes_are_work_after_a_crash",
        journalled_writes_are_work_after_a_crash,
    ),
    (
        "the_newest_program_is_the_last_published",
        the_newest_program_is_the_last_published,
    ),
    (
        "contact_state_outlives_conversations",
        contact_state_outlives_conversations,
    ),
    (
        "erasing_a_contact_leaves_nothing",
        erasing_a_contact_leaves_nothing,
    ),
    (
        "a_turn_of_an_erased_conversation_writes_nothing",
        a_turn_of_an_erased_conversation_writes_nothing,
    ),
    (
        "retention_deletes_only_finished_conversations",
        figures::retention_deletes_only_finished_conversations,
    ),
    (
        "conversations_list_by_status_in_pages",
        conversations_list_by_status_in_pages,
    ),
    (
        "stats_are_summed_per_period_and_follow_their_conversation",
        figures::stats_are_summed_per_period_and_follow_their_conversation,
    ),
];

fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

fn commit(store: &dyn Store, writes: Vec<Write>) -> Result<Vec<Outcome>, String> {
    store.commit(&writes).map_err(|e| e.to_string())
}

fn message(conversation: &str, id: &str) -> Write {
    Write::Message(NewMessage {
        conversation: conversation.into(),
        message_id: id.into(),
        body: format!("{{\"id\":\"{id}\"}}"),
        received: 1,
    })
}

fn conversation(key: &str, contact: &str, status: Status, version: i64) -> Conversation {
    Conversation {
        key: key.into(),
        program: 0xfeed_beef_0000_0001,
        status,
        version,
        snapshot: vec![1, 2, 3, version as u8],
        contact: contact.into(),
        channel: "whatsapp".into(),
        opened_clock: 1_795_000_000,
        opened: 1000,
        updated: 1000 + version,
        ending: String::new(),
        pending_call: None,
    }
}

fn stored(outcome: Option<&Outcome>) -> Result<i64, String> {
    match outcome {
        Some(Outcome::Stored { seq }) => Ok(*seq),
        other => Err(format!("expected a stored message, got {other:?}")),
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn pending_ids(store: &dyn Store, key: &str) -> Result<Vec<String>, String> {
    let pending = store.pending(key).map_err(err)?;
    Ok(pending.into_iter().map(|it| it.message_id).collect())
}

fn messages_are_deduplicated_by_id(store: &dyn Store) -> Result<(), String> {
    let first = commit(store, vec![message("c1", "m-1")])?;
    let seq = stored(first.first())?;
    let again = commit(store, vec![message("c1", "m-1"), message("c2", "m-1")])?;
    ensure(again.first() == Some(&Outcome::Duplicate { seq }), || {
        format!("the same id again: {again:?}, not a duplicate of {seq}")
    })?;
    stored(again.get(1))?;
    let pending = store.pending("c1").map_err(err)?;
    ensure(pending.len() == 1, || {
        format!("c1 has {} pending", pending.len())
    })
}

fn pending_messages_come_in_arrival_order(store: &dyn Store) -> Result<(), String> {
    let outcomes = commit(
        store,
        vec![message("c", "a"), message("c", "b"), message("c", "c")],
    )?;
    let seqs: Vec<i64> = outcomes
        .iter()
        .map(|it| stored(Some(it)))
        .collect::<Result<_, _>>()?;
    ensure(seqs.windows(2).all(|w| w[0] < w[1]), || {
        format!("seqs {seqs:?}")
    })?;
    let ids = pending_ids(store, "c")?;
    ensure(ids == ["a", "b", "c"], || format!("pending {ids:?}"))?;
    let mut commit_a = TurnCommit::new(conversation("c", "p", Status::Customer, 1));
    commit_a.handled = vec![(seqs[0], "{\"reply\":1}".into())];
    commit(store, vec![Write::Turn(Box::new(commit_a))])?;
    let ids = pending_ids(store, "c")?;
    ensure(ids == ["b", "c"], || format!("after handling a: {ids:?}"))?;
    let handled = store.message("c", "a").map_err(err)?;
    ensure(
        handled.and_then(|it| it.reply).as_deref() == Some("{\"reply\":1}"),
        || "the reply of a is not stored".into(),
    )
}

fn a_turn_round_trips_the_conversation(store: &dyn Store) -> Result<(), String> {
    let mut row = conversation("k", "+55", Status::Write, 7);
    row.pending_call = Some("{\"call\":\"erp\"}".into());
    row.ending = String::new();
    commit(
        store,
        vec![Write::Turn(Box::new(TurnCommit::new(row.clone())))],
    )?;
    let back = store.conversation("k").map_err(err)?;
    ensure(back.as_ref() == Some(&row), || {
        format!("{back:?} != {row:?}")
    })?;
    ensure(store.conversation("other").map_err(err)?.is_none(), || {
        "an unknown key has a conversation".into()
    })?;
    let waiting = store.waiting().map_err(err)?;
    ensure(waiting == 1, || format!("waiting {waiting}"))
}

fn transcripts_append_in_order(store: &dyn Store) -> Result<(), String> {
    for (version, lines) in [(1, vec!["< Olá", "<   1) Sim"]), (2, vec!["> 1", "= end"])] {
        let mut commit_n = TurnCommit::new(conversation("t", "p", Status::Customer, version));
        commit_n.transcript = lines.into_iter().map(String::from).collect();
        commit(store, vec![Write::Turn(Box::new(commit_n))])?;
    }
    let lines = store.transcript("t").map_err(err)?;
    ensure(lines == ["< Olá", "<   1) Sim", "> 1", "= end"], || {
        format!("transcript {lines:?}")
    })
}

fn timers_are_replaced_by_each_turn(store: &dyn Store) -> Result<(), String> {
    let mut first = TurnCommit::new(conversation("w", "p", Status::Timer, 1));
    first.timers = Some(vec![Timer {
        kind: TimerKind::Wait,
        due: 5000,
    }]);
    let mut other = TurnCommit::new(conversation("x", "q", Status::Customer, 3));
    other.timers = Some(vec![Timer {
        kind: TimerKind::Inactivity,
        due: 4000,
    }]);
    commit(
        store,
        vec![Write::Turn(Box::new(first)), Write::Turn(Box::new(other))],
    )?;
    ensure(store.next_timer().map_err(err)? == Some(4000), || {
        "next_timer is not the earliest".into()
    })?;
    let due = store.due_timers(4500, 10).map_err(err)?;
    ensure(
        due.len() == 1 && due[0].conversation == "x" && due[0].version == 3,
        || format!("due at 4500: {due:?}"),
    )?;
    let due = store.due_timers(6000, 10).map_err(err)?;
    ensure(
        due.iter()
            .map(|it| it.conversation.as_str())
            .collect::<Vec<_>>()
            == ["x", "w"],
        || format!("due at 6000 (earliest first): {due:?}"),
    )?;
    // A turn that keeps `w`'s timer re-arms it at the new version, due as before.
    let mut keep = TurnCommit::new(conversation("w", "p", Status::Timer, 2));
    keep.timers = None;
    commit(store, vec![Write::Turn(Box::new(keep))])?;
    let due = store.due_timers(6000, 10).map_err(err)?;
    let kept = due.iter().find(|it| it.conversation == "w");
    ensure(
        kept.is_some_and(|it| it.version == 2 && it.due == 5000),
        || format!("the kept timer: {kept:?}"),
    )?;
    // The next turn of `w` drops its timer.
    commit(
        store,
        vec![Write::Turn(Box::new(TurnCommit::new(conversation(
            "w",
            "p",
            Status::Customer,
            2,
        ))))],
    )?;
    let due = store.due_timers(6000, 10).map_err(err)?;
    ensure(
        due.len() == 1 && due[0].kind == TimerKind::Inactivity,
        || format!("after w's next turn: {due:?}"),
    )
}

fn the_outbox_delivers_in_order_with_stable_keys(store: &dyn Store) -> Result<(), String> {
    let mut first = TurnCommit::new(conversation("o", "p", Status::Customer, 1));
    first.outbox = vec!["one".into(), "two".into()];
    let mut other = TurnCommit::new(conversation("q", "p", Status::Customer, 1));
    other.outbox = vec!["other".into()];
    commit(
        store,
        vec![Write::Turn(Box::new(first)), Write::Turn(Box::new(other))],
    )?;
    let due = store.outbox_due(i64::MAX, 10).map_err(err)?;
    let keys: Vec<&str> = due.iter().map(|it| it.idempotency_key.as_str()).collect();
    ensure(keys == ["o/1", "q/1"], || format!("first due: {keys:?}"))?;
    let one = &due[0];
    commit(
        store,
        vec![Write::Retry {
            id: one.id,
            next: 10_000,
            error: "503".into(),
        }],
    )?;
    let due = store.outbox_due(9_999, 10).map_err(err)?;
    ensure(due.iter().all(|it| it.conversation != "o"), || {
        "a retried item, or one behind it, was due before its time".into()
    })?;
    let due = store.outbox_due(10_000, 10).map_err(err)?;
    let again = due.iter().find(|it| it.conversation == "o");
    ensure(
        again.is_some_and(|it| {
            it.idempotency_key == "o/1" && it.attempts == 1 && it.payload == "one"
        }),
        || format!("the retry: {again:?}"),
    )?;
    commit(store, vec![Write::Delivered { id: one.id }])?;
    let due = store.outbox_due(i64::MAX, 10).map_err(err)?;
    let next = due.iter().find(|it| it.conversation == "o");
    ensure(next.is_some_and(|it| it.idempotency_key == "o/2"), || {
        format!("after delivering o/1: {next:?}")
    })
}

fn journalled_writes_are_work_after_a_crash(store: &dyn Store) -> Result<(), String> {
    commit(store, vec![message("inbox", "m")])?;
    let mut begin = TurnCommit::new(conversation("j", "p", Status::Write, 1));
    begin.journal = vec![Journal::Begin {
        call: "{\"op\":\"trust_unlock\"}".into(),
    }];
    commit(store, vec![Write::Turn(Box::new(begin))])?;
    let mut work = store.with_work().map_err(err)?;
    work.sort();
    ensure(work == ["inbox", "j"], || format!("work {work:?}"))?;
    let mut finish = TurnCommit::new(conversation("j", "p", Status::Customer, 2));
    // One turn may finish a write and begin the next.
    finish.journal = vec![
        Journal::Finish {
            result: "outcome unknown".into(),
        },
        Journal::Begin {
            call: "{\"op\":\"open_ticket\"}".into(),
        },
        Journal::Finish {
            result: "ok".into(),
        },
    ];
    commit(store, vec![Write::Turn(Box::new(finish))])?;
    let journal = store.journal("j").map_err(err)?;
    ensure(
        journal
            == [
                (
                    "{\"op\":\"trust_unlock\"}".to_string(),
                    Some("outcome unknown".to_string()),
                ),
                (
                    "{\"op\":\"open_ticket\"}".to_string(),
                    Some("ok".to_string()),
                ),
            ],
        || format!("journal {journal:?}"),
    )?;
    let work = store.with_work().map_err(err)?;
    ensure(work == ["inbox"], || {
        format!("work after finishing: {work:?}")
    })
}

fn the_newest_program_is_the_last_published(store: &dyn Store) -> Result<(), String> {
    ensure(store.newest_program().map_err(err)?.is_none(), || {
        "an empty store has a program".into()
    })?;
    let publish = |hash: u64, at: Millis| Write::Program {
        hash,
        bytes: vec![hash as u8],
        at,
    };
    commit(store, vec![publish(u64::MAX, 1), publish(2, 2)])?;
    ensure(
        store.newest_program().map_err(err)? == Some((2, vec![2])),
        || "the newest is not the last published".into(),
    )?;
    commit(store, vec![publish(u64::MAX, 3)])?;
    ensure(
        store.newest_program().map_err(err)? == Some((u64::MAX, vec![u8::MAX])),
        || "publishing a stored program again does not make it the newest".into(),
    )?;
    ensure(store.program(2).map_err(err)? == Some(vec![2]), || {
        "an older version is gone".into()
    })
}

fn contact_state_outlives_conversations(store: &dyn Store) -> Result<(), String> {
    let mut first = TurnCommit::new(conversation("a", "+5548", Status::Done, 1));
    first.contact = vec![
        ContactChange::Link {
            customer_id: "1001".into(),
            account: "{\"customer_id\":\"1001\",\"name\":\"Ana\"}".into(),
        },
        ContactChange::Link {
            customer_id: "1002".into(),
            account: "{\"customer_id\":\"1002\",\"name\":\"Ana ME\"}".into(),
        },
        ContactChange::OptOut,
        ContactChange::Wrote { at: 5_000 },
    ];
    commit(store, vec![Write::Turn(Box::new(first))])?;
    let contact = store.contact("+5548").map_err(err)?.unwrap_or_default();
    ensure(contact.opted_out && contact.accounts.len() == 2, || {
        format!("{contact:?}")
    })?;
    let mut second = TurnCommit::new(conversation("b", "+5548", Status::Customer, 1));
    second.contact = vec![
        ContactChange::OptIn,
        ContactChange::Link {
            customer_id: "1001".into(),
            account: "{\"customer_id\":\"1001\",\"name\":\"Ana S\"}".into(),
        },
        // Delivered late: the window still runs from the latest time the contact wrote.
        ContactChange::Wrote { at: 4_000 },
    ];
    commit(store, vec![Write::Turn(Box::new(second))])?;
    let contact = store.contact("+5548").map_err(err)?.unwrap_or_default();
    let want = Contact {
        key: "+5548".into(),
        opted_out: false,
        accounts: vec![
            "{\"customer_id\":\"1002\",\"name\":\"Ana ME\"}".into(),
            "{\"customer_id\":\"1001\",\"name\":\"Ana S\"}".into(),
        ],
        last_wrote: Some(5_000),
    };
    ensure(contact == want, || format!("{contact:?} != {want:?}"))
}

fn erasing_a_contact_leaves_nothing(store: &dyn Store) -> Result<(), String> {
    commit(store, vec![message("e", "m")])?;
    let seq = store
        .pending("e")
        .map_err(err)?
        .first()
        .map(|it| it.seq)
        .unwrap_or(0);
    let mut full = TurnCommit::new(conversation("e", "+55119", Status::Timer, 1));
    full.handled = vec![(seq, "{}".into())];
    full.transcript = vec!["< Olá".into()];
    full.outbox = vec!["x".into()];
    full.timers = Some(vec![Timer {
        kind: TimerKind::Wait,
        due: 1,
    }]);
    full.journal = vec![Journal::Begin { call: "{}".into() }];
    full.contact = vec![ContactChange::OptOut];
    let keep = TurnCommit::new(conversation("other", "+55000", Status::Customer, 1));
    commit(
        store,
        vec![Write::Turn(Box::new(full)), Write::Turn(Box::new(keep))],
    )?;
    let n = store.erase_contact("+55119").map_err(err)?;
    ensure(n == 1, || format!("erased {n}"))?;
    ensure(store.conversation("e").map_err(err)?.is_none(), || {
        "the conversation stays".into()
    })?;
    ensure(store.message("e", "m").map_err(err)?.is_none(), || {
        "the message stays".into()
    })?;
    ensure(store.transcript("e").map_err(err)?.is_empty(), || {
        "the transcript stays".into()
    })?;
    ensure(store.journal("e").map_err(err)?.is_empty(), || {
        "the journal stays".into()
    })?;
    ensure(
        store.due_timers(i64::MAX, 10).map_err(err)?.is_empty(),
        || "a timer stays".into(),
    )?;
    ensure(
        store.outbox_due(i64::MAX, 10).map_err(err)?.is_empty(),
        || "a delivery stays".into(),
    )?;
    ensure(store.contact("+55119").map_err(err)?.is_none(), || {
        "the contact stays".into()
    })?;
    ensure(store.conversation("other").map_err(err)?.is_some(), || {
        "another contact's conversation went".into()
    })
}

/// A turn that was running when its contact was erased must not bring them back: it
/// ran from a version of a row that is gone, so it is stale.
fn a_turn_of_an_erased_conversation_writes_nothing(store: &dyn Store) -> Result<(), String> {
    commit(
        store,
        vec![Write::Turn(Box::new(TurnCommit::new(conversation(
            "g",
            "+55119",
            Status::Customer,
            1,
        ))))],
    )?;
    store.erase_contact("+55119").map_err(err)?;
    let mut late = TurnCommit::new(conversation("g", "+55119", Status::Customer, 2));
    late.fence = Some(1);
    late.transcript = vec!["< Olá".into()];
    late.outbox = vec!["x".into()];
    late.contact = vec![ContactChange::OptOut];
    let outcome = commit(store, vec![Write::Turn(Box::new(late))])?;
    ensure(outcome == [Outcome::Stale], || format!("{outcome:?}"))?;
    ensure(store.conversation("g").map_err(err)?.is_none(), || {
        "the conversation is back".into()
    })?;
    ensure(store.transcript("g").map_err(err)?.is_empty(), || {
        "the transcript is back".into()
    })?;
    ensure(
        store.outbox_due(i64::MAX, 10).map_err(err)?.is_empty(),
        || "a delivery is back".into(),
    )?;
    ensure(store.contact("+55119").map_err(err)?.is_none(), || {
        "the contact is back".into()
    })
}

fn conversations_list_by_status_in_pages(store: &dyn Store) -> Result<(), String> {
    let writes = ["c", "a", "d", "b"]
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let status = if i % 2 == 0 {
                Status::Customer
            } else {
                Status::Done
            };
            Write::Turn(Box::new(TurnCommit::new(conversation(key, "p", status, 1))))
        })
        .collect();
    commit(store, writes)?;
    let page = store.conversations(None, None, 3).map_err(err)?;
    let keys: Vec<&str> = page.iter().map(|it| it.key.as_str()).collect();
    ensure(keys == ["a", "b", "c"], || format!("first page {keys:?}"))?;
    let page = store.conversations(None, Some("c"), 3).map_err(err)?;
    let keys: Vec<&str> = page.iter().map(|it| it.key.as_str()).collect();
    ensure(keys == ["d"], || format!("second page {keys:?}"))?;
    let live = store
        .conversations(Some(Status::Customer), None, 10)
        .map_err(err)?;
    let keys: Vec<&str> = live.iter().map(|it| it.key.as_str()).collect();
    ensure(keys == ["c", "d"], || {
        format!("waiting for the customer {keys:?}")
    })
}

//! The conformance checks of what deleting conversations keeps: retention takes only
//! finished conversations and keeps their figures without their key; erasing a contact
//! takes the figures too; and how stats are summed per period.

use super::{commit, conversation, ensure, err};
use crate::store::{Millis, Stat, StatKind, StatTotal, Status, Store, TurnCommit, Write};

pub(super) fn retention_deletes_only_finished_conversations(
    store: &dyn Store,
) -> Result<(), String> {
    let rows = [
        ("old-done", Status::Done, 1),
        ("old-failed", Status::Failed, 1),
        ("old-waiting", Status::Customer, 1),
        ("new-done", Status::Done, 50),
    ];
    let writes = rows
        .iter()
        .map(|(key, status, version)| {
            Write::Turn(Box::new(TurnCommit::new(conversation(
                key, key, *status, *version,
            ))))
        })
        .collect();
    commit(store, writes)?;
    // `updated` is 1000 + version.
    let n = store.purge_finished(1010).map_err(err)?;
    ensure(n == 2, || format!("purged {n}"))?;
    for (key, gone) in [
        ("old-done", true),
        ("old-failed", true),
        ("old-waiting", false),
        ("new-done", false),
    ] {
        let found = store.conversation(key).map_err(err)?.is_some();
        ensure(found != gone, || format!("{key}: present {found}"))?;
    }
    Ok(())
}

fn stat(kind: StatKind, subject: &str, detail: &str, value: i64) -> Stat {
    Stat {
        kind,
        subject: subject.into(),
        detail: detail.into(),
        value,
    }
}

/// Totals as `kind subject detail count sum max` lines, to compare at a glance.
fn totals(store: &dyn Store, since: Millis, until: Millis) -> Result<Vec<String>, String> {
    let rows: Vec<StatTotal> = store.stats(since, until).map_err(err)?;
    Ok(rows
        .iter()
        .map(|it| {
            let counts = format!("{} {} {}", it.count, it.sum, it.max);
            format!("{} {} {} {counts}", it.kind.name(), it.subject, it.detail)
        })
        .collect())
}

pub(super) fn stats_are_summed_per_period_and_follow_their_conversation(
    store: &dyn Store,
) -> Result<(), String> {
    // Stats are stamped with the turn's `updated`: 1001 for s1, 1005 for s2.
    let mut first = TurnCommit::new(conversation("s1", "+551", Status::Customer, 1));
    first.stats = vec![
        stat(StatKind::Visit, "main", "12", 0),
        stat(StatKind::Erp, "second_copy", "ok", 3000),
        stat(StatKind::Erp, "second_copy", "ok", 1000),
    ];
    let mut second = TurnCommit::new(conversation("s2", "+552", Status::Done, 5));
    second.stats = vec![
        stat(StatKind::Visit, "main", "12", 0),
        stat(StatKind::Handoff, "financeiro", "", 0),
        stat(StatKind::Ended, "transferred", "", 0),
    ];
    commit(
        store,
        vec![Write::Turn(Box::new(first)), Write::Turn(Box::new(second))],
    )?;
    let all = totals(store, 0, i64::MAX)?;
    let expected = [
        "ended transferred  1 0 0",
        "handoff financeiro  1 0 0",
        "visit main 12 2 0 0",
        "erp second_copy ok 2 4000 3000",
    ];
    ensure(all == expected, || format!("all stats: {all:?}"))?;
    let only_s2 = [
        "ended transferred  1 0 0",
        "handoff financeiro  1 0 0",
        "visit main 12 1 0 0",
    ];
    let later = totals(store, 1002, 1006)?;
    ensure(later == only_s2, || {
        format!("stats from 1002 to 1006: {later:?}")
    })?;
    let none = totals(store, 1006, i64::MAX)?;
    ensure(none.is_empty(), || format!("stats after 1006: {none:?}"))?;
    // Erasing a contact takes their stats; retention keeps a finished one's figures.
    store.erase_contact("+551").map_err(err)?;
    let kept = totals(store, 0, i64::MAX)?;
    ensure(kept == only_s2, || format!("after erasing +551: {kept:?}"))?;
    let purged = store.purge_finished(i64::MAX).map_err(err)?;
    ensure(purged == 1, || format!("purged {purged}"))?;
    let after = totals(store, 0, i64::MAX)?;
    ensure(after == kept, || format!("after retention: {after:?}"))?;
    // What retention keeps no longer names its conversation: erasing a new one under
    // the same key, with its own figures, leaves the old figures alone.
    let mut reused = TurnCommit::new(conversation("s2", "+559", Status::Customer, 9));
    reused.stats = vec![stat(StatKind::Visit, "main", "30", 0)];
    commit(store, vec![Write::Turn(Box::new(reused))])?;
    store.erase_contact("+559").map_err(err)?;
    let last = totals(store, 0, i64::MAX)?;
    ensure(last == kept, || {
        format!("after erasing a new conversation under a purged key: {last:?}")
    })
}

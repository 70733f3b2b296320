//! After a crash run: every transcript fetched until it reaches its verdict
//! (`oracle::judge`), and the `?wait=true` replies checked against the oracle's turns.

use std::time::{Duration, Instant};

use super::{Case, Shared};
use crate::client::{Api, SendError};
use crate::oracle::{self, Verdict};

/// A reply's texts must be the bot lines of its turn in the oracle (turn 0 is the
/// opening one, turn `n` follows the `n`-th input).
pub(super) fn check_reply(case: &Case, turn: usize, texts: &[String]) {
    let lines = &case.expected.lines;
    let start = match turn.checked_sub(1) {
        None => 0,
        Some(input) => lines
            .iter()
            .enumerate()
            .filter(|(_, it)| oracle::customer(it).is_some())
            .nth(input)
            .map_or(lines.len(), |(at, _)| at + 1),
    };
    let end = lines[start..]
        .iter()
        .position(|it| oracle::customer(it).is_some())
        .map_or(lines.len(), |it| start + it);
    let wanted: Vec<&str> = lines[start..end]
        .iter()
        .filter_map(|it| it.strip_prefix("< ").or((it == "<").then_some("")))
        .collect();
    let got: Vec<&str> = texts.iter().flat_map(|it| it.split('\n')).collect();
    if got != wanted {
        if let Ok(mut problems) = case.reply_problems.lock() {
            problems.push(format!(
                "the reply of turn {turn} is {got:?}, the oracle's says {wanted:?}"
            ));
        }
    }
}

/// Waits for every transcript to reach its verdict; records failures and returns
/// how many conversations took an accepted "outcome unknown" divergence.
pub(super) async fn settle(
    shared: &Shared,
    cases: &[Case],
    api: &Api,
    patience: Duration,
) -> usize {
    let deadline = Instant::now() + patience;
    let mut pending: Vec<usize> = (0..cases.len()).collect();
    let mut unknown = 0;
    let base = shared.base();
    loop {
        let last = Instant::now() > deadline;
        let mut still = Vec::new();
        for &index in &pending {
            let case = &cases[index];
            let key = &case.conversation.key;
            let got = api.transcript(&base, key).await;
            match settled(case, got, last) {
                Settled::No => still.push(index),
                Settled::Yes { outcome_unknown } => unknown += usize::from(outcome_unknown),
                Settled::Failed(why) => shared.fail(format!(
                    "{key} ({}, inputs {:?}): {why}",
                    case.conversation.origin, case.expected.inputs
                )),
            }
        }
        pending = still;
        if pending.is_empty() || last {
            return unknown;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

enum Settled {
    No,
    Yes { outcome_unknown: bool },
    Failed(String),
}

fn settled(case: &Case, got: std::result::Result<Vec<String>, SendError>, last: bool) -> Settled {
    let expected = &case.expected;
    let got = match got {
        Ok(got) => got,
        Err(_) if !last => return Settled::No,
        Err(err) => return Settled::Failed(format!("no transcript: {err:?}")),
    };
    let replies = case
        .reply_problems
        .lock()
        .map(|it| it.clone())
        .unwrap_or_default();
    match oracle::judge(&expected.lines, &got) {
        Verdict::Same if replies.is_empty() => Settled::Yes {
            outcome_unknown: false,
        },
        Verdict::Same => Settled::Failed(replies.join("; ")),
        // After the fail path the inputs meant for the oracle's path answer other
        // questions, and one may open a new conversation under the key when the
        // fail path ended it (that one's opening message is not a line); so what is
        // checked is that the customer lines are the sent ones, in order, none twice.
        Verdict::OutcomeUnknown { write } => {
            let shown: Vec<&str> = got.iter().filter_map(|it| oracle::customer(it)).collect();
            let sent: Vec<&str> = expected.inputs.iter().map(String::as_str).collect();
            if !in_order(&shown, &sent) {
                Settled::Failed(format!(
                    "after `{write}` took its fail path, the customer lines are {shown:?}, not the sent {sent:?} in order"
                ))
            } else if shown.len() == sent.len() || sent.last() == shown.last() || last {
                Settled::Yes {
                    outcome_unknown: true,
                }
            } else {
                Settled::No
            }
        }
        Verdict::Behind if !last => Settled::No,
        Verdict::Behind => Settled::Failed(format!(
            "the transcript stops after {} of {} lines; acknowledged inputs lost? last line {:?}, next expected {:?}",
            got.len(),
            expected.lines.len(),
            got.last(),
            expected.lines.get(got.len())
        )),
        Verdict::Differs { at, expected, got } => Settled::Failed(format!(
            "line {} differs: expected {expected:?}, got {got:?}",
            at + 1
        )),
    }
}

/// Whether `shown` is `sent` with some items left out, in the same order.
fn in_order(shown: &[&str], sent: &[&str]) -> bool {
    let mut rest = sent.iter();
    shown.iter().all(|it| rest.any(|sent| sent == it))
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn customer_lines_after_a_fail_path_keep_the_sent_order() {
        assert!(in_order(&["1", "3"], &["1", "2", "3"]));
        assert!(in_order(&[], &["1"]));
        assert!(!in_order(&["3", "1"], &["1", "2", "3"]));
        assert!(!in_order(&["1", "1"], &["1", "2"]));
    }
}

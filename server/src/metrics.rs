//! The server's counters and histograms, rendered in the Prometheus text format at
//! `/metrics`. Labels are bounded: channels, results, statuses, host-call kinds, and
//! the program's flows, card lines, departments, survey targets and ERP actions; never
//! a contact or a conversation. The operator figures (endings, hand-offs, visits,
//! abandons, survey scores, ERP calls, timers) are counted from the stats a turn
//! committed ([`Metrics::record`]), the same facts `fluxo report` reads from the store.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use crate::store::{Stat, StatKind};

/// Upper bounds (seconds) of the latency histograms' buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Clone, Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, count) in BUCKETS.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, count) in BUCKETS.iter().zip(self.counts.iter()) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

#[derive(Default)]
struct State {
    /// (channel, result) → count.
    inbound: BTreeMap<(String, &'static str), u64>,
    /// status → count.
    outbound: BTreeMap<&'static str, u64>,
    turn: Histogram,
    ack: Histogram,
    commit: Histogram,
    commit_writes: u64,
    /// host-call kind (`lowcode`, `intent`, `agent`) → latency, failures.
    host: BTreeMap<&'static str, (Histogram, u64)>,
    /// ERP action → latency, failures.
    erp: BTreeMap<String, (Histogram, u64)>,
    /// The counted stats: (kind, subject, detail) → count.
    counts: BTreeMap<(StatKind, String, String), u64>,
}

/// The counters made of stats: kind, name, help, the label of the subject and of the
/// detail (none when the kind has no detail).
const COUNTERS: [(StatKind, &str, &str, &str, Option<&str>); 6] = [
    (
        StatKind::Ended,
        "fluxo_conversations_ended_total",
        "Conversations whose bot part ended, by ending; contained are those not transferred.",
        "ending",
        None,
    ),
    (
        StatKind::Handoff,
        "fluxo_handoffs_total",
        "Transfers to people, by department.",
        "department",
        None,
    ),
    (
        StatKind::Visit,
        "fluxo_card_visits_total",
        "Turns that ended waiting for the customer at a card, by flow and line.",
        "flow",
        Some("line"),
    ),
    (
        StatKind::Abandon,
        "fluxo_card_abandons_total",
        "Conversations ended by inactivity while waiting at a card, by flow and line.",
        "flow",
        Some("line"),
    ),
    (
        StatKind::Score,
        "fluxo_survey_scores_total",
        "Survey answers by target and score.",
        "target",
        Some("score"),
    ),
    (
        StatKind::Timer,
        "fluxo_timers_fired_total",
        "Timers fired, by kind (wait, inactivity).",
        "kind",
        None,
    ),
];

/// Every metric of one server.
#[derive(Default)]
pub struct Metrics {
    state: Mutex<State>,
}

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.state.lock().unwrap_or_else(|it| it.into_inner());
        f(&mut state);
    }

    /// An inbound message: `accepted`, `duplicate` or `rejected`.
    pub fn inbound(&self, channel: &str, result: &'static str) {
        self.with(|s| *s.inbound.entry((channel.to_string(), result)).or_default() += 1);
    }

    pub fn ack(&self, took: Duration) {
        self.with(|s| s.ack.observe(took.as_secs_f64()));
    }

    pub fn turn(&self, took: Duration) {
        self.with(|s| s.turn.observe(took.as_secs_f64()));
    }

    pub fn commit(&self, writes: usize, took: Duration) {
        self.with(|s| {
            s.commit.observe(took.as_secs_f64());
            s.commit_writes += writes as u64;
        });
    }

    /// An outbound delivery: `delivered`, `retried`, `suppressed`.
    pub fn outbound(&self, status: &'static str) {
        self.with(|s| *s.outbound.entry(status).or_default() += 1);
    }

    /// A host call other than the ERP's (ERP calls are stats).
    pub fn host_call(&self, kind: &'static str, took: Duration, failed: bool) {
        self.with(|s| {
            let entry = s.host.entry(kind).or_default();
            entry.0.observe(took.as_secs_f64());
            entry.1 += u64::from(failed);
        });
    }

    /// Counts the stats of a committed turn.
    pub fn record(&self, stats: &[Stat]) {
        self.with(|s| {
            for stat in stats {
                if stat.kind == StatKind::Erp {
                    let entry = s.erp.entry(stat.subject.clone()).or_default();
                    entry.0.observe(stat.value as f64 / 1e6);
                    entry.1 += u64::from(stat.detail == "failed");
                    continue;
                }
                let key = (stat.kind, stat.subject.clone(), stat.detail.clone());
                *s.counts.entry(key).or_default() += 1;
            }
        });
    }

    /// The Prometheus text exposition, with `waiting` conversations as a gauge.
    pub fn render(&self, waiting: u64) -> String {
        let mut out = String::new();
        self.with(|s| {
            out.push_str("# HELP fluxo_inbound_messages_total Inbound messages by channel and result.\n# TYPE fluxo_inbound_messages_total counter\n");
            for ((channel, result), n) in &s.inbound {
                let _ = writeln!(
                    out,
                    "fluxo_inbound_messages_total{{channel=\"{}\",result=\"{result}\"}} {n}",
                    escape(channel)
                );
            }
            out.push_str("# HELP fluxo_outbound_deliveries_total Outbound webhook deliveries by status.\n# TYPE fluxo_outbound_deliveries_total counter\n");
            for (status, n) in &s.outbound {
                let _ = writeln!(out, "fluxo_outbound_deliveries_total{{status=\"{status}\"}} {n}");
            }
            out.push_str("# HELP fluxo_turn_seconds Time to run a turn and commit it.\n# TYPE fluxo_turn_seconds histogram\n");
            s.turn.render(&mut out, "fluxo_turn_seconds", "");
            out.push_str("# HELP fluxo_ack_seconds Time from an inbound request to its durable acknowledgement.\n# TYPE fluxo_ack_seconds histogram\n");
            s.ack.render(&mut out, "fluxo_ack_seconds", "");
            out.push_str("# HELP fluxo_commit_seconds Time of one group commit.\n# TYPE fluxo_commit_seconds histogram\n");
            s.commit.render(&mut out, "fluxo_commit_seconds", "");
            out.push_str("# HELP fluxo_committed_writes_total Writes committed (messages, turns, deliveries).\n# TYPE fluxo_committed_writes_total counter\n");
            let _ = writeln!(out, "fluxo_committed_writes_total {}", s.commit_writes);
            latencies(&mut out, "fluxo_host_call", "Low Code, intent and agent calls", "call", s.host.iter().map(|(k, v)| (*k, v)));
            latencies(&mut out, "fluxo_erp_call", "ERP calls", "action", s.erp.iter().map(|(k, v)| (k.as_str(), v)));
            out.push_str("# HELP fluxo_conversations_waiting Conversations waiting for the customer, a timer or a write.\n# TYPE fluxo_conversations_waiting gauge\n");
            let _ = writeln!(out, "fluxo_conversations_waiting {waiting}");
            for (kind, name, help, subject, detail) in COUNTERS {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
                let rows = s.counts.iter().filter(|((it, _, _), _)| *it == kind);
                for ((_, value, extra), n) in rows {
                    let labels = match detail {
                        Some(detail) => format!("{subject}=\"{}\",{detail}=\"{}\"", escape(value), escape(extra)),
                        None => format!("{subject}=\"{}\"", escape(value)),
                    };
                    let _ = writeln!(out, "{name}{{{labels}}} {n}");
                }
            }
        });
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A latency histogram `<prefix>_seconds` and a counter `<prefix>_failures_total`, both
/// labelled `label`, for each (label value, (histogram, failures)).
fn latencies<'a>(
    out: &mut String,
    prefix: &str,
    what: &str,
    label: &str,
    rows: impl Iterator<Item = (&'a str, &'a (Histogram, u64))> + Clone,
) {
    let _ = writeln!(
        out,
        "# HELP {prefix}_seconds Latency of {what}, by {label}.\n# TYPE {prefix}_seconds histogram"
    );
    for (value, (histogram, _)) in rows.clone() {
        histogram.render(
            out,
            &format!("{prefix}_seconds"),
            &format!("{label}=\"{}\"", escape(value)),
        );
    }
    let _ = writeln!(out, "# HELP {prefix}_failures_total {what} that failed, by {label}.\n# TYPE {prefix}_failures_total counter");
    for (value, (_, failures)) in rows {
        let _ = writeln!(
            out,
            "{prefix}_failures_total{{{label}=\"{}\"}} {failures}",
            escape(value)
        );
    }
}

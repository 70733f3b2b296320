//! The server's counters and histograms, rendered in the Prometheus text format at
//! `/metrics`. Labels are bounded: channels, results, statuses, host-call kinds,
//! flows and card lines of the program; never a contact or a conversation.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

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
    /// host-call kind (`erp trust_unlock`, `lowcode`, `intent`) → latency, failures.
    host: BTreeMap<String, (Histogram, u64)>,
    handoffs: u64,
    /// (flow, line) → visits.
    visits: BTreeMap<(String, u32), u64>,
    /// (target, score) → answers.
    ratings: BTreeMap<(String, i64), u64>,
}

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

    pub fn host_call(&self, kind: &str, took: Duration, failed: bool) {
        self.with(|s| {
            let entry = s.host.entry(kind.to_string()).or_default();
            entry.0.observe(took.as_secs_f64());
            entry.1 += u64::from(failed);
        });
    }

    pub fn handoff(&self) {
        self.with(|s| s.handoffs += 1);
    }

    /// A conversation's turn ended waiting at the card written at `flow`, `line`.
    pub fn visit(&self, flow: &str, line: u32) {
        self.with(|s| *s.visits.entry((flow.to_string(), line)).or_default() += 1);
    }

    pub fn rating(&self, target: &str, value: i64) {
        self.with(|s| *s.ratings.entry((target.to_string(), value)).or_default() += 1);
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
            out.push_str("# HELP fluxo_host_call_seconds Host-call latency by kind.\n# TYPE fluxo_host_call_seconds histogram\n");
            for (kind, (histogram, _)) in &s.host {
                histogram.render(&mut out, "fluxo_host_call_seconds", &format!("call=\"{}\"", escape(kind)));
            }
            out.push_str("# HELP fluxo_host_call_failures_total Host calls that failed, by kind.\n# TYPE fluxo_host_call_failures_total counter\n");
            for (kind, (_, failures)) in &s.host {
                let _ = writeln!(out, "fluxo_host_call_failures_total{{call=\"{}\"}} {failures}", escape(kind));
            }
            out.push_str("# HELP fluxo_conversations_waiting Conversations waiting for the customer, a timer or a write.\n# TYPE fluxo_conversations_waiting gauge\n");
            let _ = writeln!(out, "fluxo_conversations_waiting {waiting}");
            out.push_str("# HELP fluxo_handoffs_total Conversations transferred to people.\n# TYPE fluxo_handoffs_total counter\n");
            let _ = writeln!(out, "fluxo_handoffs_total {}", s.handoffs);
            out.push_str("# HELP fluxo_card_visits_total Turns that ended waiting at a card, by flow and line.\n# TYPE fluxo_card_visits_total counter\n");
            for ((flow, line), n) in &s.visits {
                let _ = writeln!(out, "fluxo_card_visits_total{{flow=\"{}\",line=\"{line}\"}} {n}", escape(flow));
            }
            out.push_str("# HELP fluxo_survey_scores_total Survey answers by target and score.\n# TYPE fluxo_survey_scores_total counter\n");
            for ((target, value), n) in &s.ratings {
                let _ = writeln!(out, "fluxo_survey_scores_total{{target=\"{}\",score=\"{value}\"}} {n}", escape(target));
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

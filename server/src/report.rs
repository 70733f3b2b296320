//! The operator report of a period, read from the store's stats (so it survives
//! restarts and counts every process of a shared store): containment, hand-offs by
//! department, drop-off per card, survey scores, ERP latency and failures per action,
//! timers fired. `fluxo report` prints it as text or JSON; the admin API answers it as
//! JSON (`GET /v1/admin/report`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::store::{Millis, StatKind, StatTotal, Store, StoreResult};

/// The ending of a conversation handed off to people; every other ending is contained.
const HANDED_OFF: &str = "transferred";

#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// The period, RFC 3339 in UTC: turns committed at `since` or later, before `until`.
    pub since: String,
    pub until: String,
    pub conversations: Conversations,
    /// Department → transfers.
    pub handoffs: BTreeMap<String, u64>,
    /// Cards where turns waited for the customer, by flow and line.
    pub cards: Vec<Card>,
    pub surveys: Vec<Survey>,
    pub erp: Vec<ErpAction>,
    /// Timer kind → timers fired.
    pub timers: BTreeMap<String, u64>,
}

#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Conversations {
    pub ended: u64,
    /// Ended without a transfer to people.
    pub contained: u64,
    pub handed_off: u64,
    /// `contained / ended`; `null` when none ended.
    pub containment: Option<f64>,
    /// Ending → conversations.
    pub by_ending: BTreeMap<String, u64>,
}

#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Card {
    pub flow: String,
    pub line: u32,
    /// Turns that ended waiting for the customer there.
    pub visits: u64,
    /// Conversations the customer left there (ended by inactivity).
    pub abandons: u64,
}

#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Survey {
    pub target: String,
    pub answers: u64,
    pub mean: f64,
    /// Score → answers.
    pub scores: BTreeMap<i64, u64>,
}

#[derive(Debug, Default, PartialEq, Serialize)]
pub struct ErpAction {
    pub action: String,
    pub calls: u64,
    /// Calls that could not reach the ERP or got an answer out of contract.
    pub failures: u64,
    pub mean_ms: f64,
    pub max_ms: f64,
}

/// An instant given as RFC 3339 (`2026-11-23T10:00:00-03:00`) or a date
/// (`2026-11-23`, midnight UTC), in Unix milliseconds.
pub fn parse_instant(text: &str) -> Option<Millis> {
    let at = match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(at) => at,
        Err(_) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(text, &format).ok()?.midnight().assume_utc()
        }
    };
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

fn format_instant(at: Millis) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
        .ok()
        .and_then(|it| it.format(&Rfc3339).ok())
        .unwrap_or_else(|| at.to_string())
}

impl Report {
    /// The report of turns committed from `since` to before `until`.
    pub fn read(store: &dyn Store, since: Millis, until: Millis) -> StoreResult<Report> {
        Ok(Report::of(&store.stats(since, until)?, since, until))
    }

    fn of(totals: &[StatTotal], since: Millis, until: Millis) -> Report {
        let mut report = Report {
            since: format_instant(since),
            until: format_instant(until),
            ..Report::default()
        };
        let mut cards: BTreeMap<(String, u32), Card> = BTreeMap::new();
        let mut surveys: BTreeMap<String, Survey> = BTreeMap::new();
        let mut erp: BTreeMap<String, ErpAction> = BTreeMap::new();
        for total in totals {
            let (subject, n) = (total.subject.clone(), total.count);
            match total.kind {
                StatKind::Ended => {
                    let c = &mut report.conversations;
                    c.ended += n;
                    if subject == HANDED_OFF {
                        c.handed_off += n;
                    } else {
                        c.contained += n;
                    }
                    *c.by_ending.entry(subject).or_default() += n;
                }
                StatKind::Handoff => *report.handoffs.entry(subject).or_default() += n,
                StatKind::Visit | StatKind::Abandon => {
                    let line = total.detail.parse().unwrap_or(0);
                    let card = cards
                        .entry((subject.clone(), line))
                        .or_insert_with(|| Card {
                            flow: subject,
                            line,
                            ..Card::default()
                        });
                    if total.kind == StatKind::Visit {
                        card.visits += n;
                    } else {
                        card.abandons += n;
                    }
                }
                StatKind::Score => {
                    let survey = surveys.entry(subject.clone()).or_insert_with(|| Survey {
                        target: subject,
                        ..Survey::default()
                    });
                    *survey
                        .scores
                        .entry(total.detail.parse().unwrap_or(0))
                        .or_default() += n;
                }
                StatKind::Erp => {
                    let action = erp.entry(subject.clone()).or_insert_with(|| ErpAction {
                        action: subject,
                        ..ErpAction::default()
                    });
                    // `mean_ms` holds the sum in milliseconds until every row is in.
                    action.calls += n;
                    action.mean_ms += total.sum as f64 / 1000.0;
                    action.max_ms = action.max_ms.max(total.max as f64 / 1000.0);
                    if total.detail == "failed" {
                        action.failures += n;
                    }
                }
                StatKind::Timer => *report.timers.entry(subject).or_default() += n,
            }
        }
        let c = &mut report.conversations;
        c.containment = (c.ended > 0).then(|| c.contained as f64 / c.ended as f64);
        report.cards = cards.into_values().collect();
        report.surveys = surveys
            .into_values()
            .map(|mut survey| {
                survey.answers = survey.scores.values().sum();
                let sum: i64 = survey.scores.iter().map(|(s, n)| s * *n as i64).sum();
                survey.mean = sum as f64 / survey.answers.max(1) as f64;
                survey
            })
            .collect();
        report.erp = erp
            .into_values()
            .map(|mut action| {
                action.mean_ms /= action.calls.max(1) as f64;
                action
            })
            .collect();
        report
    }

    /// The report as an engineer reads it in a terminal.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let c = &self.conversations;
        let _ = writeln!(out, "Fluxo report from {} to {}", self.since, self.until);
        let _ = writeln!(out, "\nConversations ended: {}", c.ended);
        let share = |n: u64| match c.ended {
            0 => String::new(),
            all => format!(" ({:.1}%)", n as f64 * 100.0 / all as f64),
        };
        let _ = writeln!(
            out,
            "  contained (no hand-off): {}{}",
            c.contained,
            share(c.contained)
        );
        let _ = writeln!(
            out,
            "  handed off:              {}{}",
            c.handed_off,
            share(c.handed_off)
        );
        for (ending, n) in &c.by_ending {
            let _ = writeln!(out, "  ended {ending}: {n}");
        }
        let _ = writeln!(out, "\nHand-offs by department:");
        for (department, n) in &self.handoffs {
            let _ = writeln!(out, "  {department}: {n}");
        }
        let _ = writeln!(out, "\nDrop-off per card (flow:line  visits  abandons):");
        for card in &self.cards {
            let place = format!("{}:{}", card.flow, card.line);
            let _ = writeln!(out, "  {place:<24} {:>7} {:>9}", card.visits, card.abandons);
        }
        let _ = writeln!(out, "\nSurvey scores:");
        for survey in &self.surveys {
            let scores: Vec<String> = survey
                .scores
                .iter()
                .map(|(score, n)| format!("{score}: {n}"))
                .collect();
            let _ = writeln!(
                out,
                "  {}: {} answers, mean {:.2} ({})",
                survey.target,
                survey.answers,
                survey.mean,
                scores.join(", ")
            );
        }
        let _ = writeln!(
            out,
            "\nERP calls (action  calls  failures  mean ms  max ms):"
        );
        for action in &self.erp {
            let _ = writeln!(
                out,
                "  {:<24} {:>5} {:>9} {:>8.3} {:>7.3}",
                action.action, action.calls, action.failures, action.mean_ms, action.max_ms
            );
        }
        let _ = writeln!(out, "\nTimers fired:");
        for (kind, n) in &self.timers {
            let _ = writeln!(out, "  {kind}: {n}");
        }
        out
    }
}

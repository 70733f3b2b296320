//! A turn in progress: runs the VM until the conversation waits (answering host
//! calls, journalling writes first), collects what the turn produced (transcript lines,
//! outputs, outbox rows, hand-off records, timers, contact changes) and commits it all
//! as one transaction, then hands the reply to whoever waits for it.

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{now_ms, Engine, EngineError};
use crate::channels::messages;
use crate::store::{
    ContactChange, Conversation, Journal, Outcome, Stat, StatKind, Status, Timer, TimerKind,
    TurnCommit, Write,
};
use fluxo_host::transcript::{call_line, line, output_lines};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock::Timestamp;
use fluxo_runtime::session::{
    Effect, Ending, Event, HostCall, HostResult, Output, Session, Turn, Wait,
};
use fluxo_runtime::{RuntimeError, Value};
use fluxo_stdlib::types::Literal;

/// The ending of a conversation an operator ended (admin API).
pub(super) const OPERATOR_ENDING: &str = "ended by an operator";

/// How many transcript lines a hand-off record carries.
const HANDOFF_LINES: usize = 20;

/// What a journalled write left in the conversation row, to finish its turn after a crash.
#[derive(Deserialize, Serialize)]
pub(super) struct Pending {
    /// The call as its transcript line (secrets starred).
    pub call: String,
    pub seq: Option<i64>,
    pub outputs: Vec<Output>,
}

/// A conversation's clock now: its opening clock plus the wall time since.
pub(super) fn clock(conversation: &Conversation) -> Timestamp {
    let elapsed = (now_ms() - conversation.opened).max(0) / 1000;
    conversation.opened_clock.saturating_add(elapsed)
}

fn ending_name(ending: Ending) -> &'static str {
    match ending {
        Ending::Closed => "closed",
        Ending::Transferred => "transferred",
        Ending::OptedOut => "opted_out",
        Ending::Forwarded => "forwarded",
    }
}

/// A turn in progress.
pub(super) struct Step<'e> {
    pub(super) engine: &'e Engine,
    pub(super) program: Arc<Program>,
    pub(super) conversation: Conversation,
    pub(super) session: Session,
    /// The inbox entry the turn handles (none for timers).
    pub(super) seq: Option<i64>,
    pub(super) lines: Vec<String>,
    pub(super) outputs: Vec<Output>,
    pub(super) outbox: Vec<String>,
    pub(super) contact: Vec<ContactChange>,
    pub(super) journal: Vec<Journal>,
    pub(super) timers: Vec<Timer>,
    /// What operators count of the turn, committed with it.
    pub(super) stats: Vec<Stat>,
    /// The conversation was over before the turn (its ending is counted already).
    was_final: bool,
    /// The conversation waited on a `wait` when the turn began: a message then only
    /// queues, and the running timer stays as it is.
    pub(super) in_wait: bool,
    /// The contact opted out: nothing goes to the outbound webhook.
    pub(super) suppress: bool,
    /// The last `describe` text of the turn, for a hand-off record.
    pub(super) description: String,
    pub(super) started: Instant,
}

impl<'e> Step<'e> {
    pub(super) fn new(
        engine: &'e Engine,
        program: Arc<Program>,
        conversation: Conversation,
        session: Session,
    ) -> Step<'e> {
        let was_final = conversation.status.is_final();
        Step {
            engine,
            program,
            conversation,
            session,
            seq: None,
            lines: Vec::new(),
            outputs: Vec::new(),
            outbox: Vec::new(),
            contact: Vec::new(),
            journal: Vec::new(),
            timers: Vec::new(),
            stats: Vec::new(),
            was_final,
            in_wait: false,
            suppress: false,
            description: String::new(),
            started: Instant::now(),
        }
    }

    pub(super) fn key(&self) -> &str {
        &self.conversation.key
    }

    pub(super) fn fail(&mut self, reason: &str) {
        self.engine.log.error(
            Some(self.key()),
            &format!("the conversation stopped: {reason}"),
        );
        self.conversation.status = Status::Failed;
        self.conversation.ending = reason.to_string();
    }

    /// Runs the VM until the conversation waits for the customer or a timer, or ends,
    /// answering host calls on the way.
    pub(super) fn settle(
        &mut self,
        mut turn: Result<Turn, RuntimeError>,
    ) -> Result<(), EngineError> {
        loop {
            let Turn { outputs, wait } = match turn {
                Ok(turn) => turn,
                Err(error) => {
                    self.fail(&format!("runtime error: {error}"));
                    return Ok(());
                }
            };
            for output in outputs {
                self.output(output);
            }
            let call = match wait {
                Wait::Customer => {
                    self.conversation.status = Status::Customer;
                    let due = now_ms().saturating_add(
                        i64::try_from(self.engine.settings.inactivity_secs)
                            .unwrap_or(i64::MAX / 2)
                            .saturating_mul(1000),
                    );
                    self.timers = vec![Timer {
                        kind: TimerKind::Inactivity,
                        due,
                    }];
                    self.at_card(StatKind::Visit);
                    return Ok(());
                }
                Wait::Timer { .. } if self.in_wait => {
                    self.conversation.status = Status::Timer;
                    return Ok(());
                }
                Wait::Timer { secs } => {
                    let wait = Literal::Duration(secs).to_source();
                    self.lines.push(line('=', &format!("wait {wait}")));
                    self.conversation.status = Status::Timer;
                    let millis = i64::try_from(secs).unwrap_or(i64::MAX / 2000) * 1000;
                    self.timers = vec![Timer {
                        kind: TimerKind::Wait,
                        due: now_ms().saturating_add(millis),
                    }];
                    return Ok(());
                }
                Wait::Done(ending) => {
                    self.conversation.status = Status::Done;
                    self.conversation.ending = ending_name(ending).into();
                    return Ok(());
                }
                Wait::Host(call) => call,
            };
            self.lines.push(line('=', &call_line(&call)));
            let now = clock(&self.conversation);
            self.session.set_now(now);
            let write = matches!(&call, HostCall::Erp { request } if !request.is_read());
            if write {
                self.checkpoint(&call)?;
            }
            let result = self.answer(&call, now);
            if write {
                self.journal.push(Journal::Finish {
                    result: match &result {
                        HostResult::Erp(Ok(_)) => "ok".into(),
                        HostResult::Erp(Err(error)) => error.to_string(),
                        _ => "answered".into(),
                    },
                });
            }
            turn = self
                .session
                .resume(&self.program, Event::HostResult(result));
        }
    }

    fn output(&mut self, output: Output) {
        for (mark, text) in output_lines(&output) {
            self.lines.push(line(mark, &text));
        }
        if let Output::Effect { effect } = &output {
            match effect {
                Effect::OptOut => self.contact.push(ContactChange::OptOut),
                Effect::Link {
                    customer_id,
                    name,
                    contract_id,
                } => self.contact.push(ContactChange::Link {
                    customer_id: customer_id.clone(),
                    account: json!({"customer_id": customer_id, "name": name, "contract_id": contract_id})
                        .to_string(),
                }),
                Effect::Rating { target, value } => {
                    self.count(StatKind::Score, target, &value.to_string(), 0);
                }
                Effect::Describe { text } => self.description = text.clone(),
                Effect::Transfer {
                    department,
                    attendant,
                } => {
                    self.count(StatKind::Handoff, department, "", 0);
                    self.handoff(department, attendant.as_deref());
                }
                Effect::Notify { group, text } => self.notify(group, text),
                _ => {}
            }
        }
        // A platform conversation's outputs go to its platform (only what the customer
        // sees there); others' to the outbound webhook.
        let platform = self.engine.channels.owner(&self.conversation.key).is_some();
        let seen = match &output {
            Output::Effect { effect } => matches!(effect, Effect::Template { .. }),
            _ => true,
        };
        if (platform && seen) || (!platform && self.engine.settings.webhook.is_some()) {
            if self.suppress {
                self.engine.metrics.outbound("suppressed");
            } else if let (true, Output::Text { text }) = (platform, &output) {
                // The platform refuses a text over its limit whole.
                for text in messages(text) {
                    self.queue(&Output::Text { text });
                }
            } else {
                self.queue(&output);
            }
        }
        self.outputs.push(output);
    }

    /// Queues an output for its platform or the outbound webhook.
    fn queue(&mut self, output: &Output) {
        let payload = json!({
            "kind": "output",
            "conversation": self.conversation.key,
            "contact": self.conversation.contact,
            "channel": self.conversation.channel,
            "output": output,
        });
        self.outbox.push(payload.to_string());
    }

    /// Queues a `notify` card's message for `[handoff] notify_url`.
    fn notify(&mut self, group: &str, text: &str) {
        if self.engine.settings.notify.is_none() {
            return;
        }
        let record = json!({
            "kind": "notify",
            "conversation": self.conversation.key,
            "channel": self.conversation.channel,
            "contact": self.conversation.contact,
            "group": group,
            "text": text,
        });
        self.outbox.push(record.to_string());
    }

    /// Queues the hand-off record of a `transfer` for `[handoff] url`.
    fn handoff(&mut self, department: &str, attendant: Option<&str>) {
        if self.engine.settings.handoff.is_none() {
            return;
        }
        let text = |name: &str| match self.session.var(&self.program, name) {
            Some(Value::Text(text)) => text,
            _ => String::new(),
        };
        let mut last = self
            .engine
            .store
            .transcript(&self.conversation.key)
            .unwrap_or_default();
        last.extend(self.lines.iter().cloned());
        let last = last.split_off(last.len().saturating_sub(HANDOFF_LINES));
        let customer = self.session.link().map(|link| {
            json!({"customer_id": link.customer_id, "name": link.name,
                   "contract_id": link.contract_id})
        });
        let record = json!({
            "kind": "handoff",
            "conversation": self.conversation.key,
            "protocol": text("protocol"),
            "channel": self.conversation.channel,
            "contact": {"key": self.conversation.contact, "name": text("user_name"),
                        "phone": text("contact_phone")},
            "department": department,
            "attendant": attendant,
            "tags": self.session.tags(&self.program),
            "customer": customer,
            "description": self.description,
            "last_messages": last,
        });
        self.outbox.push(record.to_string());
    }

    fn answer(&mut self, call: &HostCall, now: Timestamp) -> HostResult {
        let started = Instant::now();
        let (result, notes) = self
            .engine
            .world
            .answer(self.conversation.program, call, now);
        let took = started.elapsed();
        for note in notes {
            self.engine
                .log
                .info(Some(self.key()), &format!("note: {note}"));
        }
        let kind = match call {
            HostCall::Erp { request } => {
                let failed =
                    matches!(&result, HostResult::Erp(Err(error)) if error.is_infrastructure());
                let micros = i64::try_from(took.as_micros()).unwrap_or(i64::MAX);
                let detail = if failed { "failed" } else { "ok" };
                self.count(StatKind::Erp, request.op(), detail, micros);
                return result;
            }
            HostCall::Lowcode { .. } => "lowcode",
            HostCall::Intent { .. } => "intent",
            HostCall::Agent { .. } => "agent",
        };
        let failed = matches!(&result, HostResult::Lowcode(Err(_)));
        self.engine.metrics.host_call(kind, took, failed);
        result
    }

    /// Commits the conversation waiting on the write `call`, before it is sent.
    fn checkpoint(&mut self, call: &HostCall) -> Result<(), EngineError> {
        self.conversation.status = Status::Write;
        let pending = Pending {
            call: call_line(call),
            seq: self.seq,
            outputs: self.outputs.clone(),
        };
        self.conversation.pending_call = serde_json::to_string(&pending).ok();
        // The transcript line, not the request: a password never reaches the journal.
        self.journal.push(Journal::Begin {
            call: call_line(call),
        });
        self.commit()?;
        Ok(())
    }

    /// The reply to the handled message: the turn's outputs and what it waits for.
    fn reply(&self) -> String {
        let mut reply = json!({
            "outputs": self.outputs,
            "wait": self.conversation.status.name(),
        });
        if !self.conversation.ending.is_empty() {
            reply["ending"] = json!(self.conversation.ending);
        }
        reply.to_string()
    }

    /// Commits what the turn did so far; returns the reply stored with the message.
    fn commit(&mut self) -> Result<String, EngineError> {
        if self.conversation.status.is_final() && !self.was_final {
            self.was_final = true;
            // A label from a fixed set: a platform's refusal carries free text in its
            // ending, which must not become a metric label of its own.
            let ending = match (self.conversation.status, self.conversation.ending.as_str()) {
                (Status::Failed, _) => "failed",
                (_, OPERATOR_ENDING) => "operator",
                (
                    _,
                    ending @ ("closed" | "transferred" | "opted_out" | "forwarded" | "inactive"),
                ) => ending,
                _ => "refused",
            }
            .to_string();
            self.count(StatKind::Ended, &ending, "", 0);
        }
        let conversation = &mut self.conversation;
        let fence = Some(conversation.version);
        conversation.version += 1;
        conversation.updated = now_ms();
        if conversation.status.is_final() {
            conversation.snapshot.clear();
            self.timers.clear();
        } else {
            self.session.snapshot_into(&mut conversation.snapshot);
        }
        if conversation.status != Status::Write {
            conversation.pending_call = None;
        }
        let reply = self.reply();
        // A write's checkpoint stores no reply: the message stays unhandled until the
        // turn's final commit (after a crash, `recover` finishes the turn for the
        // checkpoint's `seq`), so a stored reply is always the whole turn's.
        let handled = self
            .seq
            .filter(|_| self.conversation.status != Status::Write);
        let commit = TurnCommit {
            conversation: self.conversation.clone(),
            handled: handled
                .map(|seq| (seq, reply.clone()))
                .into_iter()
                .collect(),
            transcript: std::mem::take(&mut self.lines),
            outbox: std::mem::take(&mut self.outbox),
            timers: if self.in_wait && self.conversation.status == Status::Timer {
                None
            } else {
                Some(std::mem::take(&mut self.timers))
            },
            journal: std::mem::take(&mut self.journal),
            contact: std::mem::take(&mut self.contact),
            stats: std::mem::take(&mut self.stats),
            // Another process may run the conversation once this one's claim is gone:
            // the commit applies only if none committed it since this turn read it.
            fence,
        };
        let stats = commit.stats.clone();
        let outcome = self
            .engine
            .committer
            .commit_blocking(Write::Turn(Box::new(commit)))?;
        if outcome == Outcome::Stale {
            return Err(EngineError::Stale);
        }
        self.engine.metrics.record(&stats);
        Ok(reply)
    }

    pub(super) fn finish(mut self) -> Result<(), EngineError> {
        let reply = self.commit()?;
        if let Some(seq) = self.seq {
            self.engine.replied(seq, &reply);
        }
        self.engine.metrics.turn(self.started.elapsed());
        Ok(())
    }

    /// Records a fact of the turn, committed with it and counted once committed.
    pub(super) fn count(&mut self, kind: StatKind, subject: &str, detail: &str, value: i64) {
        self.stats.push(Stat {
            kind,
            subject: subject.to_string(),
            detail: detail.to_string(),
            value,
        });
    }

    /// Counts (as `kind`: a visit or an abandon) the card the conversation waits at.
    pub(super) fn at_card(&mut self, kind: StatKind) {
        let pc = self.session.pc();
        let Some(location) = self.program.location(pc) else {
            return;
        };
        let flow = self
            .program
            .flow_at(pc)
            .and_then(|idx| self.program.flows.get(idx as usize))
            .and_then(|flow| self.program.string(flow.name))
            .unwrap_or("?")
            .to_string();
        self.count(kind, &flow, &location.line.to_string(), 0);
    }
}

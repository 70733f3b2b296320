//! One turn of one conversation, committed as one transaction: restore the snapshot,
//! resume the VM with the message (or the timer, or a write's unknown outcome), answer
//! its host calls, and commit the new snapshot, the transcript lines, the outbox rows,
//! the timers, the contact's state and the message's reply together.
//!
//! A write host call (see `Request::is_read`) is journalled first: the conversation is
//! committed waiting on it (status `write`) before the call is sent. A conversation
//! found in that state after a crash never sends it again: it resumes with the error
//! "outcome unknown", so the card takes its fail path, and the log says so.

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{now_ms, Engine, EngineError};
use crate::store::{
    ContactChange, Conversation, DueTimer, InboxEntry, Journal, Status, Timer, TimerKind,
    TurnCommit, Write,
};
use fluxo_host::erp::ErpError;
use fluxo_host::transcript::{call_line, line, output_lines};
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock::Timestamp;
use fluxo_runtime::session::{
    Effect, Ending, Event, HostCall, HostResult, Media, Message, Output, Session, Turn, Wait,
};
use fluxo_runtime::RuntimeError;
use fluxo_stdlib::types::{Channel, Literal};

/// A stored inbound message: the generic API's request body.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Inbound {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<InboundMedia>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<InboundContact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The platform's protocol number for a new conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InboundMedia {
    pub kind: String,
    pub url: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InboundContact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

impl Inbound {
    /// The message as the VM's event.
    fn event(&self) -> Event {
        Event::Message(Message {
            text: self.text.clone().unwrap_or_default(),
            reply_id: self.reply_id.clone(),
            media: self.media.as_ref().map(|it| Media {
                kind: it.kind.clone(),
                url: it.url.clone(),
            }),
        })
    }

    /// The message as a transcript's customer line reads it (as `fluxo run` reads it).
    fn transcript_text(&self) -> String {
        match (&self.reply_id, &self.media) {
            (Some(id), _) => format!("[reply {id}]"),
            (None, Some(media)) => format!("[{} {}]", media.kind, media.url),
            (None, None) => self.text.clone().unwrap_or_default(),
        }
    }
}

/// What a journalled write left in the conversation row, to finish its turn after a crash.
#[derive(Deserialize, Serialize)]
struct Pending {
    call: HostCall,
    seq: Option<i64>,
    outputs: Vec<Output>,
}

/// A conversation's clock now: its opening clock plus the wall time since.
fn clock(conversation: &Conversation) -> Timestamp {
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
struct Step<'e> {
    engine: &'e Engine,
    program: Arc<Program>,
    conversation: Conversation,
    session: Session,
    /// The inbox entry the turn handles (none for timers).
    seq: Option<i64>,
    lines: Vec<String>,
    outputs: Vec<Output>,
    outbox: Vec<String>,
    contact: Vec<ContactChange>,
    journal: Option<Journal>,
    timers: Vec<Timer>,
    /// The contact opted out: nothing goes to the outbound webhook.
    suppress: bool,
    started: Instant,
}

impl Engine {
    /// Handles everything stored for `key`, then the due `timers`.
    pub(super) fn run(&self, key: &str, timers: Vec<DueTimer>) -> Result<(), EngineError> {
        loop {
            let conversation = self.store.conversation(key)?;
            if let Some(found) = conversation
                .as_ref()
                .filter(|it| it.status == Status::Write)
            {
                self.recover(found.clone())?;
                continue;
            }
            let Some(entry) = self.store.pending(key)?.into_iter().next() else {
                break;
            };
            self.message(key, conversation, entry)?;
        }
        for timer in timers {
            match self.store.conversation(key)? {
                Some(found) if found.version == timer.version && !found.status.is_final() => {
                    self.timer(found, timer.kind)?;
                }
                _ => {} // Stale: the conversation moved on since the timer was armed.
            }
        }
        Ok(())
    }

    fn message(
        &self,
        key: &str,
        conversation: Option<Conversation>,
        entry: InboxEntry,
    ) -> Result<(), EngineError> {
        let inbound: Inbound = serde_json::from_str(&entry.body).unwrap_or_default();
        match conversation {
            Some(found) if !found.status.is_final() => {
                let Some(mut step) = self.restore(found)? else {
                    return self.handled_failed(key, entry.seq);
                };
                step.seq = Some(entry.seq);
                step.lines.push(line('>', &inbound.transcript_text()));
                let now = clock(&step.conversation);
                step.session.set_now(now);
                let turn = step.session.resume(&step.program, inbound.event());
                step.settle(turn)?;
                step.finish()
            }
            previous => self.open(key, previous, entry.seq, &inbound),
        }
    }

    /// A new conversation on the newest program, opened by `inbound` (its opening
    /// message, not an answer to anything).
    fn open(
        &self,
        key: &str,
        previous: Option<Conversation>,
        seq: i64,
        inbound: &Inbound,
    ) -> Result<(), EngineError> {
        let hash = self.newest();
        let program = self.program(hash)?;
        let mut ctx = self.settings.context.clone();
        ctx.now = self.settings.now.unwrap_or(now_ms() / 1000);
        if let Some(channel) = inbound.channel.as_deref().and_then(Channel::from_name) {
            ctx.channel = channel;
        }
        if let Some(contact) = &inbound.contact {
            if let Some(name) = &contact.name {
                ctx.user_name = name.clone();
            }
            if let Some(phone) = &contact.phone {
                ctx.contact_phone = phone.clone();
            }
        }
        if let Some(protocol) = &inbound.protocol {
            ctx.protocol = protocol.clone();
        }
        ctx.opening_message = inbound.text.clone();
        let contact_key = match inbound.contact.as_ref().and_then(|it| it.phone.as_deref()) {
            Some(phone) if !phone.is_empty() => phone.to_string(),
            _ => key.to_string(),
        };
        let conversation = Conversation {
            key: key.to_string(),
            program: hash,
            status: Status::Customer,
            version: previous.map_or(0, |it| it.version),
            snapshot: Vec::new(),
            contact: contact_key,
            channel: ctx.channel.name().to_string(),
            opened_clock: ctx.now,
            opened: now_ms(),
            updated: now_ms(),
            ending: String::new(),
            pending_call: None,
        };
        let mut contact = Vec::new();
        if self
            .store
            .contact(&conversation.contact)?
            .is_some_and(|it| it.opted_out)
        {
            self.log.info(
                Some(key),
                "the contact, who had opted out, wrote again: opted in",
            );
            contact.push(ContactChange::OptIn);
        }
        let session = match Session::new(&program, None, ctx) {
            Ok(session) => session,
            Err(error) => {
                let mut step = Step::new(self, program, conversation, Session::default());
                step.seq = Some(seq);
                step.fail(&format!("the conversation cannot start: {error}"));
                return step.finish();
            }
        };
        let mut step = Step::new(self, program, conversation, session);
        step.seq = Some(seq);
        step.contact = contact;
        let turn = step.session.start(&step.program);
        step.settle(turn)?;
        step.finish()
    }

    /// The running state of a stored conversation; `None` (after marking it failed)
    /// when its snapshot no longer restores.
    fn restore(&self, conversation: Conversation) -> Result<Option<Step<'_>>, EngineError> {
        let program = self.program(conversation.program)?;
        let suppress = self
            .store
            .contact(&conversation.contact)?
            .is_some_and(|it| it.opted_out);
        match Session::restore(&conversation.snapshot, &program) {
            Ok(session) => {
                let mut step = Step::new(self, program, conversation, session);
                step.suppress = suppress;
                Ok(Some(step))
            }
            Err(error) => {
                let mut step = Step::new(self, program, conversation, Session::default());
                step.fail(&format!(
                    "the stored conversation cannot be restored: {error}"
                ));
                step.finish()?;
                Ok(None)
            }
        }
    }

    /// Marks the message at `seq` handled by a conversation that could not run.
    fn handled_failed(&self, key: &str, seq: i64) -> Result<(), EngineError> {
        let Some(conversation) = self.store.conversation(key)? else {
            return Ok(());
        };
        let program = self.program(conversation.program)?;
        let mut step = Step::new(self, program, conversation, Session::default());
        step.seq = Some(seq);
        step.finish()
    }

    /// Finishes the turn of a write that was journalled but has no recorded outcome.
    fn recover(&self, conversation: Conversation) -> Result<(), EngineError> {
        let key = conversation.key.clone();
        let pending: Option<Pending> = conversation
            .pending_call
            .as_deref()
            .and_then(|it| serde_json::from_str(it).ok());
        let Some(mut step) = self.restore(conversation)? else {
            return Ok(());
        };
        let what = match &pending {
            Some(Pending {
                call: HostCall::Erp { request },
                ..
            }) => format!("erp {}", request.op()),
            _ => "a write".to_string(),
        };
        self.log.warn(
            Some(&key),
            &format!(
                "outcome unknown: the server stopped while {what} was in flight; it is not sent \
                 again and the card takes its fail path"
            ),
        );
        if let Some(pending) = pending {
            step.seq = pending.seq;
            step.outputs = pending.outputs;
        }
        step.journal = Some(Journal::Finish {
            result: "outcome unknown".into(),
        });
        let now = clock(&step.conversation);
        step.session.set_now(now);
        let result = HostResult::Erp(Err(ErpError::Unavailable {
            detail: "outcome unknown: the server stopped while the write was in flight".into(),
        }));
        let turn = step
            .session
            .resume(&step.program, Event::HostResult(result));
        step.settle(turn)?;
        step.finish()
    }

    /// Ends a live conversation at an operator's request (admin API); false when it
    /// is not live.
    pub fn end_by_operator(&self, key: &str) -> Result<bool, EngineError> {
        let Some(conversation) = self.store.conversation(key)? else {
            return Ok(false);
        };
        if conversation.status.is_final() {
            return Ok(false);
        }
        let program = self.program(conversation.program)?;
        let mut step = Step::new(self, program, conversation, Session::default());
        step.conversation.status = Status::Done;
        step.conversation.ending = "ended by an operator".into();
        self.log.info(Some(key), "ended by an operator");
        step.finish()?;
        Ok(true)
    }

    fn timer(&self, conversation: Conversation, kind: TimerKind) -> Result<(), EngineError> {
        let key = conversation.key.clone();
        let status = conversation.status;
        let Some(mut step) = self.restore(conversation)? else {
            return Ok(());
        };
        match (kind, status) {
            (TimerKind::Wait, Status::Timer) => {
                let turn = step.session.resume(&step.program, Event::TimerFired);
                step.settle(turn)?;
            }
            (TimerKind::Inactivity, Status::Customer) => {
                self.log.info(
                    Some(&key),
                    "the customer stopped answering: the conversation ends",
                );
                step.conversation.status = Status::Done;
                step.conversation.ending = "inactive".into();
            }
            _ => return Ok(()),
        }
        step.finish()
    }
}

impl<'e> Step<'e> {
    fn new(
        engine: &'e Engine,
        program: Arc<Program>,
        conversation: Conversation,
        session: Session,
    ) -> Step<'e> {
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
            journal: None,
            timers: Vec::new(),
            suppress: false,
            started: Instant::now(),
        }
    }

    fn key(&self) -> &str {
        &self.conversation.key
    }

    fn fail(&mut self, reason: &str) {
        self.engine.log.error(
            Some(self.key()),
            &format!("the conversation stopped: {reason}"),
        );
        self.conversation.status = Status::Failed;
        self.conversation.ending = reason.to_string();
    }

    /// Runs the VM until the conversation waits for the customer or a timer, or ends,
    /// answering host calls on the way.
    fn settle(&mut self, mut turn: Result<Turn, RuntimeError>) -> Result<(), EngineError> {
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
                    self.visit();
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
                    if ending == Ending::Transferred {
                        self.engine.metrics.handoff();
                    }
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
                self.journal = Some(Journal::Finish {
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
                Effect::Rating { target, value } => self.engine.metrics.rating(target, *value),
                _ => {}
            }
        }
        if self.engine.settings.webhook.is_some() {
            if self.suppress {
                self.engine.metrics.outbound("suppressed");
            } else {
                let payload = json!({
                    "conversation": self.conversation.key,
                    "contact": self.conversation.contact,
                    "channel": self.conversation.channel,
                    "output": output,
                });
                self.outbox.push(payload.to_string());
            }
        }
        self.outputs.push(output);
    }

    fn answer(&self, call: &HostCall, now: Timestamp) -> HostResult {
        let started = Instant::now();
        let result = self
            .engine
            .world
            .answer(self.conversation.program, call, now);
        let kind = match call {
            HostCall::Erp { request } => format!("erp {}", request.op()),
            HostCall::Lowcode { .. } => "lowcode".into(),
            HostCall::Intent { .. } => "intent".into(),
            HostCall::Agent { .. } => "agent".into(),
        };
        let failed = match &result {
            HostResult::Erp(Err(error)) => error.is_infrastructure(),
            HostResult::Lowcode(Err(_)) => true,
            _ => false,
        };
        self.engine
            .metrics
            .host_call(&kind, started.elapsed(), failed);
        result
    }

    /// Commits the conversation waiting on the write `call`, before it is sent.
    fn checkpoint(&mut self, call: &HostCall) -> Result<(), EngineError> {
        self.conversation.status = Status::Write;
        let pending = Pending {
            call: call.clone(),
            seq: self.seq,
            outputs: self.outputs.clone(),
        };
        self.conversation.pending_call = serde_json::to_string(&pending).ok();
        self.journal = Some(Journal::Begin {
            call: serde_json::to_string(call).unwrap_or_default(),
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
        let conversation = &mut self.conversation;
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
        let commit = TurnCommit {
            conversation: self.conversation.clone(),
            handled: self
                .seq
                .map(|seq| (seq, reply.clone()))
                .into_iter()
                .collect(),
            transcript: std::mem::take(&mut self.lines),
            outbox: std::mem::take(&mut self.outbox),
            timers: std::mem::take(&mut self.timers),
            journal: self.journal.take(),
            contact: std::mem::take(&mut self.contact),
        };
        self.engine
            .committer
            .commit_blocking(Write::Turn(Box::new(commit)))?;
        Ok(reply)
    }

    fn finish(mut self) -> Result<(), EngineError> {
        let reply = self.commit()?;
        if let Some(seq) = self.seq {
            self.engine.replied(seq, &reply);
        }
        self.engine.metrics.turn(self.started.elapsed());
        Ok(())
    }

    /// Counts the card the conversation now waits at.
    fn visit(&self) {
        let pc = self.session.pc();
        let Some(location) = self.program.location(pc) else {
            return;
        };
        let flow = self
            .program
            .flow_at(pc)
            .and_then(|idx| self.program.flows.get(idx as usize))
            .and_then(|flow| self.program.string(flow.name))
            .unwrap_or("?");
        self.engine.metrics.visit(flow, location.line);
    }
}

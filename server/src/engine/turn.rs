//! What starts a turn of one conversation: a stored message (opening a conversation or
//! resuming one), a due timer, a write's unknown outcome after a crash, an operator
//! ending it. Each restores the snapshot and hands the VM's turn to `step`, which
//! commits the new snapshot, the transcript lines, the outbox rows, the timers, the
//! contact's state and the message's reply together.
//!
//! A write host call (see `Request::is_read`) is journalled first: the conversation is
//! committed waiting on it (status `write`) before the call is sent. A conversation
//! found in that state after a crash never sends it again: it resumes with the error
//! "outcome unknown", so the card takes its fail path, and the log says so.

use super::inbound::Inbound;
use super::step::{clock, Pending, Step};
use super::{now_ms, Ending, Engine, EngineError};
use crate::store::{
    ContactChange, Conversation, DueTimer, InboxEntry, Journal, StatKind, Status, TimerKind,
};
use fluxo_host::erp::ErpError;
use fluxo_host::transcript::line;
use fluxo_runtime::session::{Event, HostResult, Session};
use fluxo_stdlib::types::Channel;

/// The contact's "wrote at" record for a platform message that says when.
fn wrote(inbound: &Inbound) -> Option<ContactChange> {
    inbound.at.map(|at| ContactChange::Wrote { at })
}

impl Engine {
    /// Handles everything stored for `key`, then the due `timers`, then `endings`, on
    /// the calling thread: a worker (`wake`), or the `restore` fuzz target, which
    /// stores a snapshot row and a message and runs the turn as the server would.
    pub fn run(
        &self,
        key: &str,
        timers: Vec<DueTimer>,
        endings: Vec<Ending>,
    ) -> Result<(), EngineError> {
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
        for ending in endings {
            let ended = self.end(key, &ending.reason);
            if let Some(done) = ending.done {
                let _ = done.send(ended.as_ref().map(|it| *it).map_err(|e| e.to_string()));
            }
            ended?;
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
                step.contact.extend(wrote(&inbound));
                step.in_wait = step.conversation.status == Status::Timer;
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
        step.contact.extend(wrote(inbound));
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
        let what = pending
            .as_ref()
            .map_or_else(|| "a write".to_string(), |it| format!("`{}`", it.call));
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
        step.journal.push(Journal::Finish {
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

    /// Ends a live conversation for `reason` (logged and stored as its ending); false
    /// when it is not live.
    pub fn end(&self, key: &str, reason: &str) -> Result<bool, EngineError> {
        let Some(conversation) = self.store.conversation(key)? else {
            return Ok(false);
        };
        if conversation.status.is_final() {
            return Ok(false);
        }
        let program = self.program(conversation.program)?;
        let mut step = Step::new(self, program, conversation, Session::default());
        step.conversation.status = Status::Done;
        step.conversation.ending = reason.into();
        self.log.info(Some(key), reason);
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
                step.count(StatKind::Timer, kind.name(), "", 0);
                let turn = step.session.resume(&step.program, Event::TimerFired);
                step.settle(turn)?;
            }
            (TimerKind::Inactivity, Status::Customer) => {
                self.log.info(
                    Some(&key),
                    "the customer stopped answering: the conversation ends",
                );
                step.count(StatKind::Timer, kind.name(), "", 0);
                step.at_card(StatKind::Abandon);
                step.conversation.status = Status::Done;
                step.conversation.ending = "inactive".into();
            }
            _ => return Ok(()),
        }
        step.finish()
    }
}

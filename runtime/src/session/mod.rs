//! A conversation: the state a waiting conversation needs (where it is, its variables,
//! the card's sub-state, the conversation's platform state) and the API a driver uses:
//! `Session::start`, `resume(event)`, `snapshot()` / `Session::restore`, and for a server
//! that saves every turn, `snapshot_into` / `Session::restore_into` (reusing buffers).
//!
//! A session is plain data; the VM (`crate::vm`) is what runs it, and it defines the
//! running half of the API (`start`, `resume`, `var`) so that this module never
//! imports the VM. Nothing here does I/O or reads a clock: the host sets `now`.

mod context;
mod event;
mod snapshot;
mod wire;

pub use context::{Context, Link};
pub use event::{Effect, Ending, Event, HostCall, HostResult, Media, Message, Output, Turn, Wait};
pub use snapshot::{SnapshotError, SNAPSHOT_VERSION};

pub(crate) use context::HeldContext;

use crate::bytecode::Program;
use crate::clock::Timestamp;
use crate::{RuntimeError, Value};

/// Where the session stands.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Status {
    /// Not started: `start` runs from the entry.
    Ready,
    Waiting(Wait),
}

/// The sub-state of the multi-step card at `pc`: a phase number and the texts the
/// card keeps between steps (ids, the options it showed). Its meaning belongs to the
/// card's module in `vm::cards`; it is reset whenever `pc` moves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardState {
    pub phase: u8,
    pub texts: Vec<String>,
}

/// One conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub(crate) program_hash: u64,
    pub(crate) ctx: HeldContext,
    /// The clock as the host last set it.
    pub(crate) now: Timestamp,
    pub(crate) pc: u32,
    /// Wrong answers given to the card at `pc`.
    pub(crate) tries: u32,
    pub(crate) card: CardState,
    /// One slot per program variable; built-ins stay `None` (computed from `ctx`).
    pub(crate) vars: Vec<Option<Value>>,
    /// Tags put on the conversation: indices into the program's `entities.tags`, in
    /// the order they were put.
    pub(crate) tags: Vec<u32>,
    /// Further registrations added with `account_add` (the active one is `ctx.link`).
    pub(crate) accounts: Vec<Link>,
    /// The conversation's description (`describe`).
    pub(crate) description: String,
    /// The opt-out text of the `optin` card that ran, for `/bloquear`.
    pub(crate) optout_message: Option<String>,
    /// Whether a card has read a customer message yet.
    pub(crate) read_message: bool,
    /// Messages that arrived while the session waited on a host call or a timer.
    pub(crate) queued: Vec<Message>,
    pub(crate) status: Status,
}

/// An empty session, of no program and not started: something to `restore_into`.
impl Default for Session {
    fn default() -> Session {
        Session {
            program_hash: 0,
            ctx: HeldContext::empty(),
            now: 0,
            pc: 0,
            tries: 0,
            card: CardState::default(),
            vars: Vec::new(),
            tags: Vec::new(),
            accounts: Vec::new(),
            description: String::new(),
            optout_message: None,
            read_message: false,
            queued: Vec::new(),
            status: Status::Ready,
        }
    }
}

impl Session {
    /// A new conversation at the entry of `flow` (the program's entry when `None`).
    /// Call `start` to run it to its first wait.
    pub fn new(
        program: &Program,
        flow: Option<&str>,
        ctx: Context,
    ) -> Result<Session, RuntimeError> {
        let flow_idx = match flow {
            Some(name) => program
                .flow_index(name)
                .ok_or_else(|| RuntimeError::plain(format!("the program has no flow `{name}`")))?,
            None => program.entry,
        };
        let pc = program
            .flows
            .get(flow_idx as usize)
            .map(|it| it.entry)
            .ok_or_else(|| RuntimeError::plain("the program's entry flow does not exist"))?;
        Ok(Session {
            program_hash: program.source_hash,
            now: ctx.now,
            ctx: snapshot::hold(ctx),
            pc,
            tries: 0,
            card: CardState::default(),
            vars: vec![None; program.vars.len()],
            tags: Vec::new(),
            accounts: Vec::new(),
            description: String::new(),
            optout_message: None,
            read_message: false,
            queued: Vec::new(),
            status: Status::Ready,
        })
    }

    /// What the conversation waits for; `None` before `start`.
    pub fn wait(&self) -> Option<&Wait> {
        match &self.status {
            Status::Ready => None,
            Status::Waiting(wait) => Some(wait),
        }
    }

    /// Whether the bot's part is over.
    pub fn is_done(&self) -> bool {
        matches!(self.status, Status::Waiting(Wait::Done(_)))
    }

    /// Moves the conversation clock (never backwards).
    pub fn set_now(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Where the session stands in its program's code: with `Program::location` and
    /// `Program::flow_at`, the card a server reports a waiting conversation at.
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// The registration the conversation is linked to.
    pub fn link(&self) -> Option<&Link> {
        self.ctx.link.as_ref()
    }

    /// The tags put on the conversation so far, by declared name, in the order they
    /// were put.
    pub fn tags<'p>(&self, program: &'p Program) -> Vec<&'p str> {
        self.tags
            .iter()
            .filter_map(|idx| {
                let name = program.entities.tags.get(*idx as usize)?.name;
                program.string(name)
            })
            .collect()
    }

    /// The compact binary snapshot (see docs/runtime.md).
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(snapshot::TYPICAL_LEN);
        snapshot::encode(self, &mut out);
        out
    }

    /// Writes the snapshot into `out`, replacing what it held: a server that saves a
    /// conversation on every turn reuses one buffer instead of allocating a new one.
    pub fn snapshot_into(&self, out: &mut Vec<u8>) {
        out.clear();
        snapshot::encode(self, out);
    }

    /// A session from a snapshot, to run on `program`: the program must be the one the
    /// snapshot was taken on (same source hash).
    pub fn restore(bytes: &[u8], program: &Program) -> Result<Session, SnapshotError> {
        let mut session = Session::default();
        Session::restore_into(bytes, program, &mut session)?;
        Ok(session)
    }

    /// `restore`, into an existing session whose buffers it reuses: a server that runs
    /// one turn after another on a worker keeps one session for them all and allocates
    /// almost nothing to restore a conversation. After an error `session` is empty.
    pub fn restore_into(
        bytes: &[u8],
        program: &Program,
        session: &mut Session,
    ) -> Result<(), SnapshotError> {
        let fits = match snapshot::decode(bytes, program, session) {
            Ok(()) => program.op_at(session.pc).is_ok(),
            Err(err) => {
                *session = Session::default();
                return Err(err);
            }
        };
        if !fits {
            *session = Session::default();
            return Err(SnapshotError::Malformed(snapshot::DOES_NOT_FIT));
        }
        Ok(())
    }

    /// Refuses a program other than the one the session was made for.
    pub(crate) fn check_program(&self, program: &Program) -> Result<(), RuntimeError> {
        if program.source_hash != self.program_hash || program.vars.len() != self.vars.len() {
            return Err(RuntimeError::plain(
                "the session belongs to another program (source hash differs)",
            ));
        }
        Ok(())
    }
}

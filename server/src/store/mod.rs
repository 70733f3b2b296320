//! The store interface: everything `fluxo serve` keeps durably, behind one trait that
//! the embedded SQLite store (`sqlite`) and the shared PostgreSQL store (`postgres`)
//! implement; [`open`] picks one from what `--store` says. `conformance` is the suite
//! every implementation must pass.
//!
//! The interface is shaped by the guarantees of docs/server.md: writes go through
//! [`Store::commit`], which applies a batch of [`Write`]s in ONE transaction (group
//! commit: many inbound messages and many turns share one fsync), and either all of a
//! batch is durable or none of it is. Reads never change anything. Times are Unix
//! milliseconds of the wall clock ([`Millis`]); conversation clocks are the VM's seconds.

pub mod conformance;
pub mod postgres;
mod spec;
pub mod sqlite;

pub use spec::{open, Spec};

use std::fmt;
use std::sync::Arc;

/// Unix time in milliseconds (the wall clock; timers and retries use it).
pub type Millis = i64;

/// A store failure, in English; the server answers 503 and logs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

pub type StoreResult<T> = Result<T, StoreError>;

/// An inbound message to store (the inbox), before any turn has seen it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    pub conversation: String,
    /// The caller's message id: the dedupe key within the conversation.
    pub message_id: String,
    /// The message as JSON (the API's body), read back by the turn that handles it.
    pub body: String,
    pub received: Millis,
}

/// Where a stored message stands in its conversation's inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    /// Arrival order, increasing across the whole store.
    pub seq: i64,
    pub message_id: String,
    pub body: String,
    /// The JSON reply of the turn that handled it; `None` while it waits.
    pub reply: Option<String>,
}

/// What a conversation waits for, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Customer,
    Timer,
    /// A write host call was journalled and may have been sent: after a crash it
    /// resumes with "outcome unknown", never by sending it again.
    Write,
    /// The bot's part is over (closed, transferred, opted out, forwarded, ended by an
    /// operator or by inactivity).
    Done,
    /// The VM could not run it (a broken snapshot or program).
    Failed,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Customer => "customer",
            Status::Timer => "timer",
            Status::Write => "write",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        [
            Status::Customer,
            Status::Timer,
            Status::Write,
            Status::Done,
            Status::Failed,
        ]
        .into_iter()
        .find(|it| it.name() == name)
    }

    /// Whether the conversation is over for good (nothing resumes it).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Done | Status::Failed)
    }
}

/// A conversation's row: who it is with, its program, its snapshot and what it waits
/// for. A turn replaces it whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    pub key: String,
    /// The source hash of the program it runs on (pinned until it ends).
    pub program: u64,
    pub status: Status,
    /// Bumped by every turn: a timer armed at another version is stale.
    pub version: i64,
    /// The session snapshot; empty once the conversation is over.
    pub snapshot: Vec<u8>,
    /// The contact key (the phone, else the conversation key) its contact state is under.
    pub contact: String,
    pub channel: String,
    /// The conversation clock (VM seconds) when it opened, and the wall clock then:
    /// its clock now is the first plus the wall time elapsed since the second.
    pub opened_clock: i64,
    pub opened: Millis,
    pub updated: Millis,
    /// Why it is over (`closed`, `transferred`, `ended by an operator`...); empty while live.
    pub ending: String,
    /// For `Status::Write`: the journalled call, as JSON.
    pub pending_call: Option<String>,
}

/// A timer that resumes (or ends) a conversation when due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timer {
    pub kind: TimerKind,
    pub due: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerKind {
    /// A `wait` card's timer: resumes the VM with `TimerFired`.
    Wait,
    /// The customer stopped answering: the conversation ends.
    Inactivity,
}

impl TimerKind {
    pub fn name(self) -> &'static str {
        match self {
            TimerKind::Wait => "wait",
            TimerKind::Inactivity => "inactivity",
        }
    }

    pub fn from_name(name: &str) -> Option<TimerKind> {
        match name {
            "wait" => Some(TimerKind::Wait),
            "inactivity" => Some(TimerKind::Inactivity),
            _ => None,
        }
    }
}

/// A due timer, as [`Store::due_timers`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueTimer {
    pub conversation: String,
    pub kind: TimerKind,
    /// The conversation version it was armed at; stale when the conversation moved on.
    pub version: i64,
    pub due: Millis,
}

/// A journalled write host call's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Journal {
    /// About to be sent: the call, as JSON.
    Begin { call: String },
    /// What came of the write begun at this conversation's previous version: its
    /// result as JSON, or `outcome unknown`.
    Finish { result: String },
}

/// A change to the contact's state that outlives the conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactChange {
    OptOut,
    /// The contact wrote again after opting out.
    OptIn,
    /// The contact's ERP registration (JSON: customer_id, name, contract_id).
    Link {
        customer_id: String,
        account: String,
    },
    /// The contact wrote at `at` (the platform's clock when it gives one). WhatsApp's
    /// 24-hour customer-service window runs from the latest; an older time (a message
    /// the platform delivered late) leaves it as it is.
    Wrote {
        at: Millis,
    },
}

/// The contact's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    pub key: String,
    pub opted_out: bool,
    /// Linked ERP accounts as JSON objects, oldest first.
    pub accounts: Vec<String>,
    /// When the contact last wrote (the latest [`ContactChange::Wrote`]).
    pub last_wrote: Option<Millis>,
}

/// Everything one turn changes, committed together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnCommit {
    /// The conversation's new row (inserted on its first turn).
    pub conversation: Conversation,
    /// Inbox entries the turn handled, with the reply each gets (JSON).
    pub handled: Vec<(i64, String)>,
    /// Transcript lines to append (`< `, `> `, `= ` lines).
    pub transcript: Vec<String>,
    /// Outbound webhook payloads (JSON) to append to the outbox, in order.
    pub outbox: Vec<String>,
    /// The conversation's timers from now on (all earlier ones are dropped); `None`
    /// keeps the ones it has, re-armed at the new version (a message that arrived
    /// during a `wait` does not restart its timer).
    pub timers: Option<Vec<Timer>>,
    /// Journal records, applied in order (a turn may finish one write and begin
    /// another).
    pub journal: Vec<Journal>,
    pub contact: Vec<ContactChange>,
    /// What operators count of this turn (`fluxo report`, `/metrics`): committed with the
    /// turn, so a crash never counts a fact twice nor loses one.
    pub stats: Vec<Stat>,
    /// The version of the conversation's row the turn ran from (0 for a conversation
    /// not stored yet). A store applies the turn only while the stored row is still at
    /// it (absent, for 0), and otherwise applies none of the turn and answers
    /// [`Outcome::Stale`]: another process ran the conversation meanwhile (see
    /// `postgres::claims` for why this fences turns under a lost claim), or its contact
    /// was erased while the turn ran, and writing would bring them back. `None` applies
    /// it whatever the row holds (a test or the `restore` fuzz target setting rows up).
    /// A store only one process opens may ignore a row at another version: its one
    /// engine keeps one worker per conversation, but must not bring back an erased row.
    pub fence: Option<i64>,
}

impl TurnCommit {
    /// A turn that writes only the conversation's row and clears its timers: what a
    /// test or the `restore` fuzz target stores to set a conversation up.
    pub fn new(conversation: Conversation) -> TurnCommit {
        TurnCommit {
            conversation,
            handled: Vec::new(),
            transcript: Vec::new(),
            outbox: Vec::new(),
            timers: Some(Vec::new()),
            journal: Vec::new(),
            contact: Vec::new(),
            stats: Vec::new(),
            fence: None,
        }
    }

    /// The stored version the turn ran from, when it ran from one (not from a new
    /// conversation, and fenced). Such a turn only updates that row (`turn_update`): if
    /// the row went (its contact was erased while the turn ran) or moved on, nothing of
    /// the turn is written, where an insert would bring an erased conversation back.
    pub(crate) fn stored_from(&self) -> Option<i64> {
        self.fence.filter(|&from| from > 0)
    }
}

/// What kind of fact a [`Stat`] records; `subject` and `detail` are per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatKind {
    /// A conversation ended. subject: its ending (`closed`, `transferred`, `opted_out`,
    /// `forwarded`, `inactive`, `operator`, `failed`, `refused`).
    Ended,
    /// A `transfer` to people. subject: the department.
    Handoff,
    /// A turn ended waiting for the customer at a card. subject: the flow, detail: the
    /// card's source line.
    Visit,
    /// The customer stopped answering while the conversation waited at a card (the
    /// inactivity timer ended it). subject: the flow, detail: the card's source line.
    Abandon,
    /// A survey answer. subject: the survey's target, detail: the score.
    Score,
    /// An ERP call. subject: the action, detail: `ok` or `failed` (the ERP could not
    /// be reached or answered out of contract), value: its latency in microseconds.
    Erp,
    /// A timer fired. subject: its kind (`wait`, `inactivity`).
    Timer,
}

impl StatKind {
    pub const ALL: [StatKind; 7] = [
        StatKind::Ended,
        StatKind::Handoff,
        StatKind::Visit,
        StatKind::Abandon,
        StatKind::Score,
        StatKind::Erp,
        StatKind::Timer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StatKind::Ended => "ended",
            StatKind::Handoff => "handoff",
            StatKind::Visit => "visit",
            StatKind::Abandon => "abandon",
            StatKind::Score => "score",
            StatKind::Erp => "erp",
            StatKind::Timer => "timer",
        }
    }

    pub fn from_name(name: &str) -> Option<StatKind> {
        StatKind::ALL.into_iter().find(|it| it.name() == name)
    }
}

/// One fact of a turn. Stored with the turn's conversation and its `updated` time;
/// subjects and details come from the program (flows, lines, departments, actions),
/// never from what a customer wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    pub kind: StatKind,
    pub subject: String,
    pub detail: String,
    /// `Erp`: the latency in microseconds; 0 otherwise.
    pub value: i64,
}

/// The facts of one (kind, subject, detail) over a period, as [`Store::stats`] sums them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatTotal {
    pub kind: StatKind,
    pub subject: String,
    pub detail: String,
    pub count: u64,
    /// The sum and the largest of the facts' values.
    pub sum: i64,
    pub max: i64,
}

/// An outbound delivery that is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub conversation: String,
    /// Stable across retries and restarts: `<conversation>/<n>`.
    pub idempotency_key: String,
    pub payload: String,
    pub attempts: i64,
}

/// One write of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Message(NewMessage),
    Turn(Box<TurnCommit>),
    /// A compiled program (`.fxb` bytes) under its source hash; re-storing one is a no-op.
    Program {
        hash: u64,
        bytes: Vec<u8>,
        at: Millis,
    },
    Delivered {
        id: i64,
    },
    /// A failed delivery, tried again at `next`.
    Retry {
        id: i64,
        next: Millis,
        error: String,
    },
}

/// What a write came to, in the batch's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new message, stored at `seq`.
    Stored {
        seq: i64,
    },
    /// The conversation already had a message with this id (stored at `seq`).
    Duplicate {
        seq: i64,
    },
    Done,
    /// A turn not applied, nothing of it: the conversation's row moved past the version
    /// the turn ran from ([`TurnCommit::fence`]). The batch's other writes are applied.
    Stale,
}

/// A conversation as the admin list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub key: String,
    pub status: Status,
    pub program: u64,
    pub contact: String,
    pub channel: String,
    pub updated: Millis,
}

/// The durable state of a server. Implementations are shared by every task of the
/// server (hence `Send + Sync`) and block: the server calls them off its async threads.
pub trait Store: Send + Sync {
    /// Applies `writes` in one transaction and returns one outcome per write.
    fn commit(&self, writes: &[Write]) -> StoreResult<Vec<Outcome>>;
    fn conversation(&self, key: &str) -> StoreResult<Option<Conversation>>;
    /// The conversation's messages no turn has handled yet, in arrival order.
    fn pending(&self, key: &str) -> StoreResult<Vec<InboxEntry>>;
    /// The stored message with this id, handled or not.
    fn message(&self, key: &str, message_id: &str) -> StoreResult<Option<InboxEntry>>;
    fn transcript(&self, key: &str) -> StoreResult<Vec<String>>;
    /// Timers due at `now`, earliest first, at most `limit`.
    fn due_timers(&self, now: Millis, limit: usize) -> StoreResult<Vec<DueTimer>>;
    /// When the earliest timer is due.
    fn next_timer(&self) -> StoreResult<Option<Millis>>;
    /// For each conversation, its first undelivered outbox item if it is due at `now`
    /// (later items wait: delivery is in order per conversation).
    fn outbox_due(&self, now: Millis, limit: usize) -> StoreResult<Vec<OutboxItem>>;
    /// Conversations with work a crash may have interrupted: unhandled messages, or a
    /// journalled write without an outcome.
    fn with_work(&self) -> StoreResult<Vec<String>>;
    fn program(&self, hash: u64) -> StoreResult<Option<Vec<u8>>>;
    /// The most recently stored program (new conversations start on it).
    fn newest_program(&self) -> StoreResult<Option<(u64, Vec<u8>)>>;
    /// Conversations ordered by key, after `after`, with this status when given.
    fn conversations(
        &self,
        status: Option<Status>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<Summary>>;
    /// How many live conversations wait (for the customer, a timer or a write).
    fn waiting(&self) -> StoreResult<u64>;
    fn contact(&self, key: &str) -> StoreResult<Option<Contact>>;
    /// Deletes the contact and every conversation, message, transcript line, timer,
    /// journal entry, outbox item and stat of theirs; returns how many conversations went.
    fn erase_contact(&self, key: &str) -> StoreResult<u64>;
    /// Deletes conversations over (done or failed) since before `before`, with all
    /// they hold except their stats, which stay for reports with the conversation key
    /// emptied; returns how many went.
    fn purge_finished(&self, before: Millis) -> StoreResult<u64>;
    /// The stats of turns committed at `since` or later and before `until`, summed per
    /// (kind, subject, detail), ordered by kind (as declared), subject and detail (as text).
    fn stats(&self, since: Millis, until: Millis) -> StoreResult<Vec<StatTotal>>;
    /// The journal of a conversation: (call, result) pairs, oldest first.
    fn journal(&self, key: &str) -> StoreResult<Vec<(String, Option<String>)>>;

    /// Takes the right to run `key`'s turns, for as long as this process lives or
    /// until [`Store::release`]; `false` when another process holds it. The holder looks
    /// for stored work again after releasing, so work stored meanwhile by a process
    /// whose claim failed is not left behind. A claim can be lost while it is held (the
    /// store's connection holding it broke): nothing asks, since a turn under it that
    /// another process overtook is refused at its commit ([`TurnCommit::fence`]), and
    /// [`Store::release`] then fails. A store only one process opens grants it always
    /// (the engine's own bookkeeping keeps one worker per conversation).
    fn claim(&self, _key: &str) -> StoreResult<bool> {
        Ok(true)
    }

    fn release(&self, _key: &str) -> StoreResult<()> {
        Ok(())
    }

    /// Whether other processes share this store (and so may handle this process's
    /// messages, or hold claims).
    fn shared(&self) -> bool {
        false
    }

    /// Registers `heard`, called with the seq of each message whose reply any process
    /// committed, as soon as the store learns of it. Only a hint that saves a poll:
    /// a store that cannot tell ignores it.
    fn on_reply(&self, _heard: Arc<dyn Fn(i64) + Send + Sync>) {}

    /// Registers `heard`, called when any process publishes a program, as soon as the
    /// store learns of it. Only a hint that saves a wait: the engine also reads
    /// [`Store::newest_program`] now and then.
    fn on_program(&self, _heard: Arc<dyn Fn() + Send + Sync>) {}
}

/// The tables holding rows of one conversation (by its key in `conversation`): what
/// erasing or purging a conversation deletes besides its own row, in every store.
const CONVERSATION_TABLES: [&str; 6] = [
    "inbox",
    "transcript",
    "timers",
    "journal",
    "outbox",
    "stats",
];

/// What deleting conversations keeps of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Nothing: erasing a contact (LGPD).
    Nothing,
    /// Their figures for reports, with the key that tied them to a person emptied
    /// (retention).
    Figures,
}

/// The statement that writes a turn's conversation row over the version it ran from
/// ([`TurnCommit::stored_from`]), with the store's parameter prefix `p` (`$` or `?`):
/// parameters 1 to 12 are the row's columns in table order, 13 the version. Both stores
/// run it, so the rule of when a turn's row may be written is written once.
pub(crate) fn turn_update(p: char) -> String {
    format!(
        "UPDATE conversations SET program = {p}2, status = {p}3, version = {p}4,
         snapshot = {p}5, contact = {p}6, channel = {p}7, opened_clock = {p}8, opened = {p}9,
         updated = {p}10, ending = {p}11, pending_call = {p}12
         WHERE key = {p}1 AND version = {p}13"
    )
}

/// The statements, in order, that delete every row of the conversations whose key
/// `matches` (an SQL condition's right-hand side on the key, with the store's
/// placeholder: `= ?1`, `= ANY($1)`), keeping what `keep` says. Both stores run these
/// same statements, so the rule of what erasing and retention keep is written once.
pub(crate) fn deletes(keep: Keep, matches: &str) -> Vec<String> {
    let mut statements = Vec::new();
    if keep == Keep::Figures {
        statements.push(format!(
            "UPDATE stats SET conversation = '' WHERE conversation {matches}"
        ));
    }
    for table in CONVERSATION_TABLES {
        statements.push(format!("DELETE FROM {table} WHERE conversation {matches}"));
    }
    statements.push(format!("DELETE FROM conversations WHERE key {matches}"));
    statements
}

/// A contact's linked accounts (a JSON array as stored) with `account` linked under
/// `customer_id`: an earlier link of the same customer id is replaced and the new one
/// goes last.
pub(crate) fn linked(accounts: &str, customer_id: &str, account: &str) -> String {
    let mut list: Vec<serde_json::Value> = serde_json::from_str(accounts).unwrap_or_default();
    let account: serde_json::Value =
        serde_json::from_str(account).unwrap_or(serde_json::Value::Null);
    list.retain(|it| it["customer_id"].as_str() != Some(customer_id));
    list.push(account);
    serde_json::Value::Array(list).to_string()
}

/// The stored JSON array of linked accounts, one JSON object text each.
pub(crate) fn accounts(stored: &str) -> Vec<String> {
    let list: Vec<serde_json::Value> = serde_json::from_str(stored).unwrap_or_default();
    list.iter().map(|it| it.to_string()).collect()
}

/// The rows of a stats query (kind, subject, detail, count, sum, max) as totals, in
/// the order [`Store::stats`] promises; the same for every store.
pub(crate) fn stat_totals(
    rows: Vec<(String, String, String, i64, i64, i64)>,
) -> StoreResult<Vec<StatTotal>> {
    let mut totals = rows
        .into_iter()
        .map(|(kind, subject, detail, count, sum, max)| {
            Ok(StatTotal {
                kind: StatKind::from_name(&kind)
                    .ok_or_else(|| StoreError(format!("a bad stat kind `{kind}`")))?,
                subject,
                detail,
                count: count.max(0) as u64,
                sum,
                max,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    totals.sort_by(|a, b| (a.kind, &a.subject, &a.detail).cmp(&(b.kind, &b.subject, &b.detail)));
    Ok(totals)
}

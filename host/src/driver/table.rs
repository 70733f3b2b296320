//! The driver's conversation table: for each live conversation, its inbox of events
//! not yet handed to the VM, whether a task is running it, its snapshot while nobody
//! is, and its armed timer.
//!
//! The table is what makes events of one conversation run strictly in order while
//! different conversations run at once: a conversation has at most one task, which
//! takes its events from the inbox one by one; an event for an idle conversation hands
//! its snapshot to a new task. The table is split in shards behind plain mutexes, held
//! only for a few map operations (never across an `.await`). It knows nothing about
//! the VM or the hosts.

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard};

use tokio::time::Instant;

use super::ConversationId;
use fluxo_runtime::clock::Timestamp;
use fluxo_runtime::session::Event;

const SHARDS: usize = 64;

/// Something for a conversation's task to handle.
#[derive(Debug)]
pub(super) enum Inbound {
    /// From the host: a customer message or an opt-out.
    Event(Event),
    /// The timer armed with this number fired.
    Timer(u64),
}

/// A live conversation.
#[derive(Debug)]
struct Slot {
    /// `None` while a task runs the conversation; its snapshot otherwise.
    snapshot: Option<Box<[u8]>>,
    inbox: VecDeque<Inbound>,
    /// The number of the timer the conversation waits for, if one is armed.
    timer: Option<u64>,
    /// The conversation clock's reading when it opened, and the driver clock then:
    /// the conversation's `now` is the first plus the time elapsed since the second.
    opened_at: Timestamp,
    opened: Instant,
}

impl Slot {
    fn now(&self) -> Timestamp {
        let elapsed = i64::try_from(self.opened.elapsed().as_secs()).unwrap_or(i64::MAX);
        self.opened_at.saturating_add(elapsed)
    }
}

/// What the table says a conversation's task should do next.
pub(super) enum Next {
    /// Hand this to the VM; the conversation's clock now reads `now`.
    Handle { inbound: Inbound, now: Timestamp },
    /// The inbox is empty: the conversation was stored, the task ends.
    Stored,
}

pub(super) struct Table {
    shards: Vec<Mutex<HashMap<ConversationId, Slot>>>,
}

impl Table {
    pub(super) fn new() -> Table {
        Table {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    fn shard(&self, id: &ConversationId) -> MutexGuard<'_, HashMap<ConversationId, Slot>> {
        let mut hasher = DefaultHasher::new();
        id.hash(&mut hasher);
        let idx = (hasher.finish() % SHARDS as u64) as usize;
        // A panic never happens while a shard is locked (only map operations run
        // under the lock), so a poisoned lock still holds a consistent map.
        self.shards[idx]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a new conversation, run by the caller's task. False when the id is
    /// already live.
    pub(super) fn open(&self, id: &ConversationId, opened_at: Timestamp) -> bool {
        match self.shard(id).entry(id.clone()) {
            Entry::Occupied(_) => false,
            Entry::Vacant(vacant) => {
                vacant.insert(Slot {
                    snapshot: None,
                    inbox: VecDeque::new(),
                    timer: None,
                    opened_at,
                    opened: Instant::now(),
                });
                true
            }
        }
    }

    /// Queues `inbound`. Returns the snapshot when the conversation was idle: the
    /// caller must start a task with it. `Err` when the conversation is not live.
    pub(super) fn push(
        &self,
        id: &ConversationId,
        inbound: Inbound,
    ) -> Result<Option<Box<[u8]>>, ()> {
        let mut shard = self.shard(id);
        let slot = shard.get_mut(id).ok_or(())?;
        if let Inbound::Timer(number) = inbound {
            if slot.timer != Some(number) {
                // A timer of a wait the conversation has left: nothing to do.
                return Ok(None);
            }
        }
        slot.inbox.push_back(inbound);
        Ok(slot.snapshot.take())
    }

    /// The next thing for the running task of `id`, or, when its inbox is empty,
    /// stores the snapshot `store` makes and tells the task to end. Stale timers are
    /// skipped here.
    pub(super) fn next(
        &self,
        id: &ConversationId,
        store: impl FnOnce() -> Vec<u8>,
    ) -> Option<Next> {
        let mut shard = self.shard(id);
        let slot = shard.get_mut(id)?;
        loop {
            match slot.inbox.pop_front() {
                Some(Inbound::Timer(number)) if slot.timer != Some(number) => continue,
                Some(inbound) => {
                    if matches!(inbound, Inbound::Timer(_)) {
                        slot.timer = None;
                    }
                    return Some(Next::Handle {
                        inbound,
                        now: slot.now(),
                    });
                }
                None => {
                    slot.snapshot = Some(store().into_boxed_slice());
                    return Some(Next::Stored);
                }
            }
        }
    }

    /// The conversation clock of `id` now.
    pub(super) fn now(&self, id: &ConversationId) -> Option<Timestamp> {
        self.shard(id).get(id).map(Slot::now)
    }

    /// Records that `id` waits on the timer `number`; false when the wait's timer is
    /// already running (a message arrived while it ran) and no new one must start.
    pub(super) fn arm(&self, id: &ConversationId, number: u64) -> bool {
        match self.shard(id).get_mut(id) {
            Some(slot) if slot.timer.is_none() => {
                slot.timer = Some(number);
                true
            }
            _ => false,
        }
    }

    /// Drops `id`; true when it was live.
    pub(super) fn remove(&self, id: &ConversationId) -> bool {
        self.shard(id).remove(id).is_some()
    }

    /// Live conversations, and the bytes their stored snapshots take.
    pub(super) fn census(&self) -> (usize, usize) {
        let mut live = 0;
        let mut bytes = 0;
        for shard in &self.shards {
            let shard = shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            live += shard.len();
            bytes += shard
                .values()
                .filter_map(|it| it.snapshot.as_ref())
                .map(|it| it.len())
                .sum::<usize>();
        }
        (live, bytes)
    }
}

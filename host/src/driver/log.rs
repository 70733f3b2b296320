//! The driver's log: one record per thing an operator should know about (a host call
//! that failed and sent a card to its fail path, a script's `print` lines, a
//! conversation the VM could not run), handed to a `LogSink` the host provides.
//!
//! Every message is masked where it is built, whatever produced it (an ERP's error
//! detail, a script's `print`, a URL): `fluxo_stdlib::mask::mask` stars documents,
//! phones, e-mail addresses, URL credentials and secret parameters. `Secret` prints as
//! `***` before it could get here. This module
//! knows nothing about the VM or the hosts; it picks no logging framework, so the
//! runtime stays free of one.

use std::fmt;
use std::sync::Mutex;

use fluxo_stdlib::mask::mask;

use super::ConversationId;

/// How much a record matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Expected events: a CPF the ERP does not know, a script's `print`.
    Info,
    /// A failure a card handles with its fail path (an ERP timeout, a script limit).
    Warn,
    /// A conversation that cannot go on.
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// One log line, about one conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRecord {
    pub conversation: ConversationId,
    pub level: Level,
    /// English, masked (see `fluxo_stdlib::mask::mask`).
    pub message: String,
}

impl LogRecord {
    /// A record whose message is masked before it is stored.
    pub fn new(conversation: &ConversationId, level: Level, message: impl AsRef<str>) -> LogRecord {
        LogRecord {
            conversation: conversation.clone(),
            level,
            message: mask(message.as_ref()),
        }
    }
}

impl fmt::Display for LogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}",
            self.level.name(),
            self.conversation,
            self.message
        )
    }
}

/// Where log records go. Called from the driver's tasks, so it must be cheap and must
/// not block for long (push to a channel or a buffer, write a line).
pub trait LogSink: Send + Sync {
    fn record(&self, record: LogRecord);
}

/// Keeps records in memory, for tests and for hosts that ship logs in batches.
#[derive(Debug, Default)]
pub struct MemoryLog {
    records: Mutex<Vec<LogRecord>>,
}

impl MemoryLog {
    /// The records so far, oldest first; the log is left empty.
    pub fn take(&self) -> Vec<LogRecord> {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::take(&mut *records)
    }
}

impl LogSink for MemoryLog {
    fn record(&self, record: LogRecord) {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        records.push(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_mask_and_display() {
        let id = ConversationId::from("c-1");
        let record = LogRecord::new(
            &id,
            Level::Warn,
            "erp failed for cpf52998224725 at http://u:p@erp.test/x?token=t (+5548999990000)",
        );
        assert_eq!(
            record.to_string(),
            "warn [c-1] erp failed for cpf529.***.***-25 at http://***@erp.test/x?token=*** \
             (*********0000)"
        );
        let log = MemoryLog::default();
        log.record(record.clone());
        assert_eq!(log.take(), vec![record]);
        assert!(log.take().is_empty());
    }
}

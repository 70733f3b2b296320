//! The driver's log: one record per thing an operator should know about (a host call
//! that failed and sent a card to its fail path, a script's `print` lines, a
//! conversation the VM could not run), handed to a `LogSink` the host provides.
//!
//! Every message is masked where it is built: CPF/CNPJ-shaped digit runs are starred
//! (`529.***.***-25`) whatever produced them, an ERP's error detail or a script's
//! `print`. Credentials never reach this module: `Secret` prints as `***`. This module
//! knows nothing about the VM or the hosts; it picks no logging framework, so the
//! runtime stays free of one.

use std::fmt;
use std::sync::{Mutex, OnceLock};

use regex::Regex;

use super::ConversationId;
use crate::erp::mask_document;

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
    /// English, masked (see [`mask_documents`]).
    pub message: String,
}

impl LogRecord {
    /// A record whose message is masked before it is stored.
    pub fn new(conversation: &ConversationId, level: Level, message: impl AsRef<str>) -> LogRecord {
        LogRecord {
            conversation: conversation.clone(),
            level,
            message: mask_documents(message.as_ref()),
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

/// Writes each record as one line on stderr.
#[derive(Clone, Copy, Debug, Default)]
pub struct StderrLog;

impl LogSink for StderrLog {
    fn record(&self, record: LogRecord) {
        eprintln!("{record}");
    }
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

/// `text` with every CPF- or CNPJ-shaped number masked by [`mask_document`]: 11 or 14
/// digits, bare or punctuated (`52998224725`, `529.982.247-25`,
/// `11.222.333/0001-81`). A phone number of 11 digits is masked too, which logs can
/// afford.
pub fn mask_documents(text: &str) -> String {
    static SHAPE: OnceLock<Option<Regex>> = OnceLock::new();
    let shape = SHAPE.get_or_init(|| {
        Regex::new(r"\b(?:\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}|\d{3}\.?\d{3}\.?\d{3}-?\d{2})\b").ok()
    });
    match shape {
        Some(shape) => shape
            .replace_all(text, |found: &regex::Captures| mask_document(&found[0]))
            .into_owned(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_masked_in_any_text() {
        assert_eq!(
            mask_documents("no customer with CPF 529.982.247-25 (or 52998224725)"),
            "no customer with CPF 529.***.***-25 (or 529.***.***-25)"
        );
        assert_eq!(
            mask_documents("CNPJ 11.222.333/0001-81 refused"),
            "CNPJ 11.2**.***/****-81 refused"
        );
        assert_eq!(
            mask_documents("timeout after 5000 ms"),
            "timeout after 5000 ms"
        );
        assert_eq!(
            mask_documents("protocol 2026112300001234"),
            "protocol 2026112300001234"
        );
    }

    #[test]
    fn records_mask_and_display() {
        let id = ConversationId::from("c-1");
        let record = LogRecord::new(&id, Level::Warn, "erp failed for 529.982.247-25");
        assert_eq!(
            record.to_string(),
            "warn [c-1] erp failed for 529.***.***-25"
        );
        let log = MemoryLog::default();
        log.record(record.clone());
        assert_eq!(log.take(), vec![record]);
        assert!(log.take().is_empty());
    }
}

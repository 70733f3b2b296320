//! The server's log: one line per event on stderr, plain or JSON (`[server] log_format`).
//! Every line's text goes through [`mask`], the one place customer and ERP text is
//! masked (CPF/CNPJ and phone-shaped numbers starred), so the masking rule changes in
//! one line. Secrets never reach a log line: tokens are only compared, never printed.

use std::io::Write as _;

use serde_json::json;

/// Masks CPF/CNPJ- and phone-shaped numbers in `text`.
pub fn mask(text: &str) -> String {
    fluxo_host::driver::mask_documents(text)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Where log lines go, and how they look.
#[derive(Clone, Copy, Debug, Default)]
pub struct Log {
    pub json: bool,
}

impl Log {
    /// Logs `message` about `conversation` (masked, as every line is).
    pub fn event(&self, level: Level, conversation: Option<&str>, message: &str) {
        let message = mask(message);
        let conversation = conversation.map(mask);
        let line = if self.json {
            let at = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            json!({"time": at, "level": level.name(), "conversation": conversation, "message": message})
                .to_string()
        } else {
            match conversation {
                Some(id) => format!("{} [{id}] {message}", level.name()),
                None => format!("{} {message}", level.name()),
            }
        };
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    pub fn info(&self, conversation: Option<&str>, message: &str) {
        self.event(Level::Info, conversation, message);
    }

    pub fn warn(&self, conversation: Option<&str>, message: &str) {
        self.event(Level::Warn, conversation, message);
    }

    pub fn error(&self, conversation: Option<&str>, message: &str) {
        self.event(Level::Error, conversation, message);
    }
}

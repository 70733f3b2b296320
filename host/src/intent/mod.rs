//! AI intent: which of a card's options a customer's free text means
//! ("segunda via do boletu" → "2ª via de boleto"), or none of them.
//!
//! Two classifiers share one trait: [`OfflineClassifier`], the embedded
//! default (normalisation, token overlap, typo-tolerant matching; no network,
//! deterministic), and [`OpenAiClassifier`], a client for any
//! OpenAI-compatible chat-completions API. Both first accept a bare option
//! number ("2", "opção 2", "dois"). This module knows nothing about the VM:
//! the driver calls a classifier and resumes the conversation with the answer.
//!
//! ```
//! use fluxo_host::intent::{IntentOption, OfflineClassifier};
//!
//! let options = [
//!     IntentOption::new("2ª via de boleto").with_examples(["fatura", "pix"]),
//!     IntentOption::new("Suporte técnico").with_examples(["internet lenta", "sem sinal"]),
//! ];
//! let classifier = OfflineClassifier::default();
//! assert_eq!(classifier.classify_now("segunda via do boletu", &options).choice, Some(0));
//! assert_eq!(classifier.classify_now("minha internet tá lenta", &options).choice, Some(1));
//! assert_eq!(classifier.classify_now("qual o horário de vocês?", &options).choice, None);
//! ```

mod normalize;
mod offline;
mod openai;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

pub use offline::OfflineClassifier;
pub use openai::{OpenAiClassifier, OpenAiConfig};

/// One option of an intent card: the label the flow shows and branches on,
/// and optional example phrases customers use for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentOption {
    pub label: String,
    pub examples: Vec<String>,
}

impl IntentOption {
    pub fn new(label: impl Into<String>) -> IntentOption {
        IntentOption {
            label: label.into(),
            examples: Vec::new(),
        }
    }

    pub fn with_examples<S: Into<String>>(
        mut self,
        examples: impl IntoIterator<Item = S>,
    ) -> IntentOption {
        self.examples.extend(examples.into_iter().map(Into::into));
        self
    }
}

/// A classifier's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classification {
    /// 0-based index into the options, or `None` for "no option matches"
    /// (the card counts a failed try).
    pub choice: Option<usize>,
    /// How sure the classifier is, from 0 to 1. For the offline classifier it
    /// is the winning score (below the threshold when `choice` is `None`);
    /// the OpenAI classifier says 1 when the model names an option, 0 otherwise.
    pub confidence: f32,
}

impl Classification {
    pub(crate) fn no_match(confidence: f32) -> Classification {
        Classification {
            choice: None,
            confidence,
        }
    }
}

/// Why a classifier could not answer (as opposed to answering "no match").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntentError {
    /// The service did not answer within the configured timeout.
    Timeout,
    /// The request failed below HTTP (connection refused, DNS, TLS).
    Http(String),
    /// The service answered with an error status and, usually, a message.
    Api { status: u16, message: String },
    /// The service answered something that is not an option number.
    BadResponse(String),
    /// The classifier's configuration is unusable (a malformed base URL).
    Config(String),
}

impl fmt::Display for IntentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntentError::Timeout => f.write_str("the intent service did not answer in time"),
            IntentError::Http(reason) => {
                write!(f, "the intent service could not be reached: {reason}")
            }
            IntentError::Api { status, message } => {
                write!(f, "the intent service answered HTTP {status}: {message}")
            }
            IntentError::BadResponse(reason) => {
                write!(f, "the intent service gave an unusable answer: {reason}")
            }
            IntentError::Config(reason) => {
                write!(f, "the intent classifier is misconfigured: {reason}")
            }
        }
    }
}

impl std::error::Error for IntentError {}

/// The future a classifier returns; boxed so that classifiers can be chosen
/// at run time (`Box<dyn IntentClassifier>`).
pub type ClassifyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Classification, IntentError>> + Send + 'a>>;

/// Classifies a customer's message into one of `options`.
pub trait IntentClassifier: Send + Sync {
    fn classify<'a>(&'a self, text: &'a str, options: &'a [IntentOption]) -> ClassifyFuture<'a>;
}

/// A message that is only an option number picks that option, whatever the
/// classifier; a number outside the options matches nothing.
pub(crate) fn by_number(text: &str, options: &[IntentOption]) -> Option<Classification> {
    let number = normalize::option_number(text)?;
    let index = usize::try_from(number)
        .ok()?
        .checked_sub(1)
        .filter(|index| *index < options.len());
    Some(match index {
        Some(index) => Classification {
            choice: Some(index),
            confidence: 1.0,
        },
        None => Classification::no_match(0.0),
    })
}

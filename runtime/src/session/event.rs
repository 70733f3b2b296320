//! What goes in and out of a session: the events that resume it, the outputs it
//! delivers, and what it waits for next.
//!
//! These are the VM's whole interface with the world: a driver turns channel messages,
//! HTTP answers and timers into `Event`s and delivers `Output`s; it never looks inside
//! the VM. Nothing here knows how a card is implemented.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::erp::{ErpError, Request, Response};

/// Something that happened, handed to `Session::resume`.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A message from the customer.
    Message(Message),
    /// The answer to the host call the session waits on.
    HostResult(HostResult),
    /// The timer the session waits on fired.
    TimerFired,
    /// The platform opted the contact out (the WhatsApp "stop" button, say); the same
    /// as the customer typing `/bloquear`.
    OptOut,
}

impl Event {
    /// A plain text message.
    pub fn text(text: impl Into<String>) -> Event {
        Event::Message(Message {
            text: text.into(),
            ..Message::default()
        })
    }
}

/// A customer's message as the channel delivers it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// The text (or a media caption); empty for media without caption.
    pub text: String,
    /// The id of the interactive-menu option the customer tapped, if any.
    pub reply_id: Option<String>,
    /// The media sent with the message, if any.
    pub media: Option<Media>,
}

/// A file the customer sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    /// `image`, `audio`, `video`, `document`, `sticker`, as the channel names it.
    pub kind: String,
    /// A URL or file name the host can fetch it by.
    pub url: String,
}

/// The outcome of a host call, matching the `HostCall` it answers.
#[derive(Clone, Debug, PartialEq)]
pub enum HostResult {
    Erp(Result<Response, ErpError>),
    /// The record the script returned (already checked against its declaration), or
    /// why it failed, in English for logs.
    Lowcode(Result<Map<String, Value>, String>),
    /// The index of the intent the text expresses, `None` when it expresses none (or
    /// the AI did not answer).
    Intent(Option<usize>),
    /// The virtual agent's reply to the customer, `None` when it had none (or did not
    /// answer): then the customer's text counts as a wrong answer.
    Agent(Option<String>),
}

/// One thing the session delivers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Output {
    /// A message to the customer; lines separated by `\n` (a menu is one message).
    Text { text: String },
    /// A file to the customer, with an optional caption.
    File {
        url: String,
        caption: Option<String>,
    },
    /// An audio to the customer.
    Audio { file: String },
    /// An action on the platform the customer does not see.
    Effect { effect: Effect },
}

/// The platform actions a conversation takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    Tag {
        tag: String,
    },
    /// The bot's part is over; people take it from here.
    Transfer {
        department: String,
        attendant: Option<String>,
    },
    Notify {
        group: String,
        text: String,
    },
    /// The contact refused messages; the bot's part is over.
    OptOut,
    /// The conversation is closed.
    End,
    /// The conversation's description, for attendants (`describe`).
    Describe {
        text: String,
    },
    /// The conversation is now linked to this ERP registration (and contract).
    Link {
        customer_id: String,
        name: String,
        contract_id: Option<String>,
    },
    /// A WhatsApp template sent to the contact (`migrate_whatsapp`, `interactive_template`).
    Template {
        template: String,
    },
    /// The call is redirected to `number` (`forward_call`); the bot's part is over.
    ForwardCall {
        number: String,
        route: Option<String>,
    },
    /// A survey answer, for the company's or attendant's metrics.
    Rating {
        target: String,
        value: i64,
    },
}

/// What the session needs before it can go on.
#[derive(Clone, Debug, PartialEq)]
pub enum Wait {
    /// The customer's next message.
    Customer,
    /// The result of a host call.
    Host(HostCall),
    /// A timer; resume with `Event::TimerFired` after `secs`.
    Timer { secs: u64 },
    /// Nothing: the conversation is over.
    Done(Ending),
}

/// How the bot's part of a conversation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Closed,
    Transferred,
    OptedOut,
    /// `forward_call` handed the phone call on.
    Forwarded,
}

/// A request to the host, answered with `Event::HostResult`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum HostCall {
    Erp {
        request: Request,
    },
    Lowcode {
        script: String,
        /// The script's path as the program declares it (relative to the program).
        path: String,
        /// The conversation's variables, by name, as the script's `input`.
        input: Map<String, Value>,
        timeout_secs: u64,
    },
    /// Classify `text` into one of `intents` (each described by its text).
    Intent {
        text: String,
        intents: Vec<String>,
        agent: Option<String>,
    },
    /// Let the AI virtual agent `agent` answer `text`, which the customer wrote to
    /// `question` (the question and its options, as sent) and which picks no option.
    Agent {
        agent: String,
        question: String,
        text: String,
    },
}

/// What `resume` returns: the outputs to deliver, in order, then the wait.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    pub outputs: Vec<Output>,
    pub wait: Wait,
}

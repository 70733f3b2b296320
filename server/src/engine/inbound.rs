//! The generic API's message as it is stored in the inbox and read back by the turn
//! that handles it: what the VM gets of it, and how a transcript shows it. Fields it
//! does not know are ignored (integrations add their own), and not stored.

use serde::{Deserialize, Serialize};

use fluxo_runtime::session::{Event, Media, Message};

/// A stored inbound message: the generic API's request body.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
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
    /// When the platform says the contact wrote it (Unix ms): WhatsApp's 24-hour
    /// window runs from it. Only platform channels set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<crate::store::Millis>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct InboundMedia {
    pub kind: String,
    pub url: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct InboundContact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

impl Inbound {
    /// The message as the VM's event.
    pub(super) fn event(&self) -> Event {
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
    pub(super) fn transcript_text(&self) -> String {
        match (&self.reply_id, &self.media) {
            (Some(id), _) => format!("[reply {id}]"),
            (None, Some(media)) => format!("[{} {}]", media.kind, media.url),
            (None, None) => self.text.clone().unwrap_or_default(),
        }
    }
}

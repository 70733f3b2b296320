//! Who a conversation is with: `Context`, as the host describes it when the customer's
//! first message arrives, and `HeldContext`, the form a session keeps it in.
//!
//! Everything the platform said about the contact but the registration link is fixed
//! for the whole conversation, and a stateless server restores it on every turn. So a
//! session keeps those facts as the bytes a snapshot holds them in, copied in one go
//! when a conversation is restored and out in one go when it is saved, and reads the
//! texts in place, at the spans `session::snapshot` found and checked; the link, which
//! cards change, is a value of its own. This module knows spans, not the layout.

use fluxo_stdlib::types::Channel;

use crate::clock::Timestamp;

/// Who the conversation is with and where: everything the platform knows when the
/// customer's first message arrives.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    pub channel: Channel,
    /// The contact's name as the channel reports it.
    pub user_name: String,
    /// E.164 (`+5548999990000`) when known, else empty.
    pub contact_phone: String,
    pub company_name: String,
    pub protocol: String,
    /// The attendant responsible, if any.
    pub attendant_name: String,
    /// The conversation came from an ad campaign.
    pub from_ad: bool,
    /// The branch (filial) the conversation belongs to, by its declared name.
    pub branch: Option<String>,
    /// Tags already on the contact, by declared name.
    pub tags: Vec<String>,
    /// The registration the contact is already linked to, if any.
    pub link: Option<Link>,
    /// The message that opened the conversation (read by `intent` without a question).
    pub opening_message: Option<String>,
    /// The clock when the conversation opens.
    pub now: Timestamp,
}

impl Context {
    /// A WhatsApp conversation with the given clock and nothing else known.
    pub fn new(now: Timestamp) -> Context {
        Context {
            channel: Channel::Whatsapp,
            user_name: String::new(),
            contact_phone: String::new(),
            company_name: String::new(),
            protocol: String::new(),
            attendant_name: String::new(),
            from_ad: false,
            branch: None,
            tags: Vec::new(),
            link: None,
            opening_message: None,
            now,
        }
    }
}

/// The ERP registration a conversation is linked to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub customer_id: String,
    pub name: String,
    /// CPF/CNPJ, bare characters.
    pub document: String,
    /// The contract chosen or implied, once known.
    pub contract_id: Option<String>,
    /// A supplier rather than a client (`when registration`).
    pub supplier: bool,
}

/// The texts of a `HeldContext`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Text {
    UserName,
    ContactPhone,
    CompanyName,
    Protocol,
    AttendantName,
    Branch,
    OpeningMessage,
}

pub(crate) const TEXTS: usize = 7;

/// Where a text is in `HeldContext::written`: always UTF-8, on character boundaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
}

/// A `Context` as a session holds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HeldContext {
    pub channel: Channel,
    pub from_ad: bool,
    /// Cards link, relink and unlink the conversation: this is the current link.
    pub link: Option<Link>,
    pub now: Timestamp,
    /// All of the above but the link, as a snapshot writes it.
    pub written: Vec<u8>,
    /// Where each `Text` is in `written`; `None` for an optional one that is absent.
    pub spans: [Option<Span>; TEXTS],
    /// Where each of the contact's tags is in `written` (none, so no allocation, for
    /// most contacts).
    pub tags: Vec<Span>,
}

impl HeldContext {
    /// A WhatsApp context with every text empty (allocates nothing).
    pub fn empty() -> HeldContext {
        HeldContext {
            channel: Channel::Whatsapp,
            from_ad: false,
            link: None,
            now: 0,
            written: Vec::new(),
            spans: [Some(Span::default()); TEXTS],
            tags: Vec::new(),
        }
    }

    pub fn text(&self, which: Text) -> Option<&str> {
        self.spans[which as usize].map(|span| self.read(span))
    }

    pub fn user_name(&self) -> &str {
        self.text(Text::UserName).unwrap_or_default()
    }

    pub fn contact_phone(&self) -> &str {
        self.text(Text::ContactPhone).unwrap_or_default()
    }

    pub fn company_name(&self) -> &str {
        self.text(Text::CompanyName).unwrap_or_default()
    }

    pub fn protocol(&self) -> &str {
        self.text(Text::Protocol).unwrap_or_default()
    }

    pub fn attendant_name(&self) -> &str {
        self.text(Text::AttendantName).unwrap_or_default()
    }

    pub fn branch(&self) -> Option<&str> {
        self.text(Text::Branch)
    }

    pub fn opening_message(&self) -> Option<&str> {
        self.text(Text::OpeningMessage)
    }

    /// The tags already on the contact when the conversation opened.
    pub fn tags(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.tags.iter().map(|span| self.read(*span))
    }

    /// The text at `span`. The snapshot module checked every span it made, so the
    /// fallback (an empty text) is never taken; it keeps a slip from panicking.
    fn read(&self, span: Span) -> &str {
        self.written
            .get(span.start as usize..span.end as usize)
            .and_then(|it| std::str::from_utf8(it).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_texts_at_their_spans_and_tells_none_from_empty() {
        let mut held = HeldContext::empty();
        held.written = "xAnaçãoy".as_bytes().to_vec();
        held.spans[Text::UserName as usize] = Some(Span { start: 1, end: 4 });
        held.spans[Text::Branch as usize] = None;
        held.spans[Text::OpeningMessage as usize] = Some(Span { start: 4, end: 4 });
        held.tags = vec![Span { start: 4, end: 9 }, Span { start: 9, end: 10 }];
        assert_eq!(held.user_name(), "Ana");
        assert_eq!(held.company_name(), "");
        assert_eq!(held.branch(), None);
        assert_eq!(held.opening_message(), Some(""));
        assert_eq!(held.tags().collect::<Vec<_>>(), ["ção", "y"]);
        // A span that cuts a character reads as empty rather than panicking.
        held.spans[Text::Protocol as usize] = Some(Span { start: 5, end: 6 });
        assert_eq!(held.protocol(), "");
    }
}

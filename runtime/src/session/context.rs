//! Who a conversation is with: `Context`, as the host describes it when the customer's
//! first message arrives, and `HeldContext`, the form a session keeps it in.
//!
//! Everything the platform said about the contact but the registration link is fixed
//! for the whole conversation, and a stateless server restores it on every turn. So a
//! session holds those texts back to back in one buffer (one allocation, however many
//! texts) and only the link, which cards change, as its own value. Nothing here knows
//! the snapshot layout or the VM.

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

/// The texts of a `HeldContext`, in buffer order; the contact's tags follow them.
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

const TEXTS: usize = 7;

/// A `Context` as a session holds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HeldContext {
    pub channel: Channel,
    pub from_ad: bool,
    /// Cards link, relink and unlink the conversation: this is the current link.
    pub link: Option<Link>,
    pub now: Timestamp,
    /// Every `Text`, then every tag, back to back.
    texts: String,
    /// Where each `Text` ends in `texts`.
    ends: [u32; TEXTS],
    /// Whether the optional texts (branch, opening message) are present, so that
    /// `None` and `Some("")` stay apart.
    branch: bool,
    opening: bool,
    /// Where each tag ends in `texts` (empty, so unallocated, for most contacts).
    tag_ends: Vec<u32>,
    /// All of the above but the link, as a snapshot writes it (`session::snapshot`
    /// fills it when it reads or first writes the context): saving a conversation
    /// copies these bytes rather than writing every text again.
    pub written: Vec<u8>,
}

/// Collects the texts of a `HeldContext` as bytes (a snapshot's, unchecked), in `Text`
/// order and then the tags, and checks them as UTF-8 once, all together.
pub(crate) struct TextsBuilder {
    bytes: Vec<u8>,
    ends: [u32; TEXTS],
    branch: bool,
    opening: bool,
    tag_ends: Vec<u32>,
}

impl TextsBuilder {
    /// `room` is how many bytes the texts take (at most), so the buffer is allocated once.
    pub fn with_room(room: usize) -> TextsBuilder {
        TextsBuilder {
            bytes: Vec::with_capacity(room),
            ends: [0; TEXTS],
            branch: false,
            opening: false,
            tag_ends: Vec::new(),
        }
    }

    /// A builder that reuses the buffers of `old` (left empty): a session restored over
    /// another allocates nothing for its context.
    pub fn recycle(old: &mut HeldContext, room: usize) -> TextsBuilder {
        let mut bytes = std::mem::take(&mut old.texts).into_bytes();
        bytes.clear();
        bytes.reserve(room);
        let mut tag_ends = std::mem::take(&mut old.tag_ends);
        tag_ends.clear();
        TextsBuilder {
            bytes,
            ends: [0; TEXTS],
            branch: false,
            opening: false,
            tag_ends,
        }
    }

    /// Appends the next `Text` (`None` only for the optional ones).
    #[inline]
    pub fn push(&mut self, which: Text, text: Option<&[u8]>) {
        self.bytes.extend_from_slice(text.unwrap_or_default());
        self.ends[which as usize] = end_of(&self.bytes);
        match which {
            Text::Branch => self.branch = text.is_some(),
            Text::OpeningMessage => self.opening = text.is_some(),
            _ => {}
        }
    }

    /// Appends one of the contact's tags (after every `Text`).
    pub fn push_tag(&mut self, tag: &[u8]) {
        self.bytes.extend_from_slice(tag);
        self.tag_ends.push(end_of(&self.bytes));
    }

    /// The context with these texts; `None` unless every text is UTF-8.
    pub fn finish(mut self, channel: Channel) -> Option<HeldContext> {
        let texts = String::from_utf8(std::mem::take(&mut self.bytes)).ok()?;
        // Valid as a whole, the texts are valid one by one when no boundary between
        // them cuts a character.
        let cut = |end: &u32| !texts.is_char_boundary(*end as usize);
        if self.ends.iter().chain(&self.tag_ends).any(cut) {
            return None;
        }
        Some(self.into_context(channel, texts))
    }

    fn into_context(self, channel: Channel, texts: String) -> HeldContext {
        HeldContext {
            channel,
            from_ad: false,
            link: None,
            now: 0,
            texts,
            ends: self.ends,
            branch: self.branch,
            opening: self.opening,
            tag_ends: self.tag_ends,
            written: Vec::new(),
        }
    }
}

impl HeldContext {
    /// A WhatsApp context with every text empty (allocates nothing).
    pub fn empty() -> HeldContext {
        TextsBuilder::with_room(0).into_context(Channel::Whatsapp, String::new())
    }

    pub fn text(&self, which: Text) -> &str {
        let idx = which as usize;
        let start = idx.checked_sub(1).map_or(0, |it| self.ends[it]);
        self.slice(start, self.ends[idx])
    }

    pub fn user_name(&self) -> &str {
        self.text(Text::UserName)
    }

    pub fn contact_phone(&self) -> &str {
        self.text(Text::ContactPhone)
    }

    pub fn company_name(&self) -> &str {
        self.text(Text::CompanyName)
    }

    pub fn protocol(&self) -> &str {
        self.text(Text::Protocol)
    }

    pub fn attendant_name(&self) -> &str {
        self.text(Text::AttendantName)
    }

    pub fn branch(&self) -> Option<&str> {
        self.branch.then(|| self.text(Text::Branch))
    }

    pub fn opening_message(&self) -> Option<&str> {
        self.opening.then(|| self.text(Text::OpeningMessage))
    }

    /// The tags already on the contact when the conversation opened.
    pub fn tags(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        let first = self.ends[TEXTS - 1];
        self.tag_ends.iter().enumerate().map(move |(idx, end)| {
            let start = idx
                .checked_sub(1)
                .and_then(|it| self.tag_ends.get(it))
                .copied()
                .unwrap_or(first);
            self.slice(start, *end)
        })
    }

    /// `texts[start..end]`; the bounds are always ones `push` recorded, so on char
    /// boundaries, but a slip must not panic.
    fn slice(&self, start: u32, end: u32) -> &str {
        self.texts
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }
}

/// `texts.len()` as a buffer offset. A context's texts come from the platform (or a
/// snapshot, itself far shorter than 4 GiB); saturating keeps a monster harmless.
fn end_of(texts: &[u8]) -> u32 {
    u32::try_from(texts.len()).unwrap_or(u32::MAX)
}

impl From<Context> for HeldContext {
    fn from(ctx: Context) -> HeldContext {
        let fixed = [
            &ctx.user_name,
            &ctx.contact_phone,
            &ctx.company_name,
            &ctx.protocol,
            &ctx.attendant_name,
        ];
        let room = fixed
            .iter()
            .map(|it| it.len())
            .chain(ctx.branch.iter().map(String::len))
            .chain(ctx.opening_message.iter().map(String::len))
            .chain(ctx.tags.iter().map(String::len))
            .sum();
        let mut texts = TextsBuilder::with_room(room);
        let order = [
            Text::UserName,
            Text::ContactPhone,
            Text::CompanyName,
            Text::Protocol,
            Text::AttendantName,
        ];
        for (which, text) in order.into_iter().zip(fixed) {
            texts.push(which, Some(text.as_bytes()));
        }
        texts.push(Text::Branch, ctx.branch.as_deref().map(str::as_bytes));
        let opening = ctx.opening_message.as_deref().map(str::as_bytes);
        texts.push(Text::OpeningMessage, opening);
        for tag in &ctx.tags {
            texts.push_tag(tag.as_bytes());
        }
        // Strings are UTF-8 and whole: the texts always check.
        let mut held = texts.finish(ctx.channel).unwrap_or_else(HeldContext::empty);
        held.from_ad = ctx.from_ad;
        held.link = ctx.link;
        held.now = ctx.now;
        held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_text_apart_and_tells_none_from_empty() {
        let mut ctx = Context::new(7);
        ctx.channel = Channel::Telegram;
        ctx.user_name = "Ana".into();
        ctx.company_name = "Provedor Exemplo".into();
        ctx.protocol = "2026".into();
        ctx.branch = Some(String::new());
        ctx.tags = vec!["vip".into(), String::new(), "ção".into()];
        ctx.from_ad = true;
        let held = HeldContext::from(ctx);
        assert_eq!(held.channel, Channel::Telegram);
        assert_eq!(held.user_name(), "Ana");
        assert_eq!(held.contact_phone(), "");
        assert_eq!(held.company_name(), "Provedor Exemplo");
        assert_eq!(held.protocol(), "2026");
        assert_eq!(held.attendant_name(), "");
        assert_eq!(held.branch(), Some(""));
        assert_eq!(held.opening_message(), None);
        assert_eq!(held.tags().collect::<Vec<_>>(), ["vip", "", "ção"]);
        assert!(held.from_ad);
        assert_eq!(held.now, 7);
    }

    #[test]
    fn refuses_texts_that_are_not_utf8_one_by_one() {
        let accented = "ã".as_bytes();
        let mut texts = TextsBuilder::with_room(0);
        texts.push(Text::UserName, Some(&accented[..1]));
        texts.push(Text::ContactPhone, Some(&accented[1..]));
        assert!(texts.finish(Channel::Whatsapp).is_none());
        let mut texts = TextsBuilder::with_room(0);
        texts.push(Text::UserName, Some(accented));
        let held = texts.finish(Channel::Whatsapp).expect("UTF-8 texts");
        assert_eq!(held.user_name(), "ã");
        assert_eq!(held.branch(), None);
    }

    #[test]
    fn the_same_context_is_held_alike() {
        let mut ctx = Context::new(1);
        ctx.opening_message = Some("oi".into());
        assert_eq!(HeldContext::from(ctx.clone()), HeldContext::from(ctx));
    }
}

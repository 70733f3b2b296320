//! The messaging platforms a conversation can live on besides the generic API: each
//! [`Channel`] turns its platform's webhooks into stored inbound messages (its own
//! routes, merged into the server's router) and the outbox's outputs into platform
//! calls (`send`, called by the outbox loop, one item at a time per conversation, so
//! in order). A platform conversation's key is `<channel>:<platform chat id>`, which
//! is how the outbox knows where its outputs go. `whatsapp` (Cloud API) and `telegram`
//! (Bot API) are the channels; menus reach both as the numbered text the VM writes,
//! which `menu` reads back into options.

pub mod telegram;
pub mod whatsapp;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use fluxo_runtime::session::Output;

pub use telegram::TelegramSettings;
pub use whatsapp::WhatsAppSettings;

use crate::engine::inbound::Inbound;
use crate::engine::{now_ms, Engine};
use crate::store::{NewMessage, Outcome, Write};
use crate::Settings;

/// What a delivery attempt came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    Delivered,
    /// Worth trying again: after `after_ms` when the platform said when, else with the
    /// outbox's backoff.
    Retry {
        error: String,
        after_ms: Option<i64>,
    },
    /// The platform refused it for good (or it has no form there): logged, not retried.
    Dropped {
        reason: String,
    },
    /// The platform will not take free-form messages for this contact any more (the
    /// WhatsApp 24-hour window closed): the conversation ends with `reason`.
    End {
        reason: String,
    },
}

/// One output to deliver, read from its outbox row.
pub struct Delivery {
    pub conversation: String,
    /// The contact key (a phone, or the conversation key).
    pub contact: String,
    /// The platform's chat id: the conversation key after `<channel>:`.
    pub chat: String,
    pub idempotency_key: String,
    pub output: Output,
}

/// A future a channel's `send` returns.
pub type Sending<'a> = Pin<Box<dyn Future<Output = Sent> + Send + 'a>>;

/// A messaging platform.
pub trait Channel: Send + Sync {
    /// The prefix of its conversation keys (`whatsapp`, `telegram`).
    fn name(&self) -> &'static str;
    /// Sends one output; `engine` gives the contact's state.
    fn send<'a>(&'a self, engine: &'a Arc<Engine>, delivery: &'a Delivery) -> Sending<'a>;
}

/// The configured platforms.
#[derive(Default)]
pub struct Channels {
    pub whatsapp: Option<Arc<whatsapp::WhatsApp>>,
    pub telegram: Option<Arc<telegram::Telegram>>,
}

impl Channels {
    pub fn new(settings: &Settings) -> Result<Channels, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.webhook_timeout_secs))
            .build()
            .map_err(|e| format!("the platforms' HTTP client cannot start: {e}"))?;
        Ok(Channels {
            whatsapp: settings
                .whatsapp
                .clone()
                .map(|it| Arc::new(whatsapp::WhatsApp::new(it, client.clone()))),
            telegram: settings
                .telegram
                .clone()
                .map(|it| Arc::new(telegram::Telegram::new(it, client))),
        })
    }

    pub fn any(&self) -> bool {
        self.whatsapp.is_some() || self.telegram.is_some()
    }

    /// The channel whose conversation `key` is, with the platform's chat id.
    pub fn owner<'k>(&self, key: &'k str) -> Option<(&dyn Channel, &'k str)> {
        let (prefix, chat) = key.split_once(':')?;
        let channel: &dyn Channel = match prefix {
            "whatsapp" => self.whatsapp.as_deref()?,
            "telegram" => self.telegram.as_deref()?,
            _ => return None,
        };
        Some((channel, chat))
    }
}

/// Stores the messages of one webhook call in their order, each under its conversation
/// key and deduplicated by its `id` (the platform's message or update id), and wakes
/// the conversations of the new ones. Returns how many were new; an error (the store
/// failed) means the platform should deliver the call again.
pub async fn store(
    engine: &Arc<Engine>,
    channel: &str,
    messages: Vec<(String, Inbound)>,
) -> Result<usize, String> {
    let mut new = 0;
    for (key, inbound) in messages {
        let write = Write::Message(NewMessage {
            conversation: key.clone(),
            message_id: inbound.id.clone(),
            body: serde_json::to_string(&inbound).unwrap_or_default(),
            received: now_ms(),
        });
        match engine.committer.commit(write).await {
            Ok(Outcome::Stored { .. }) => {
                new += 1;
                engine.metrics.inbound(channel, "accepted");
                engine.wake(&key, None);
            }
            Ok(_) => engine.metrics.inbound(channel, "duplicate"),
            Err(error) => {
                engine
                    .log
                    .error(Some(&key), &format!("storing a {channel} message: {error}"));
                return Err(error.to_string());
            }
        }
    }
    Ok(new)
}

/// A webhook's body once its sender is `authentic`: its JSON, or the answer that
/// refuses it (401, or 400 for a body that is not JSON), counted as rejected.
pub fn admit(
    engine: &Engine,
    channel: &str,
    authentic: Result<(), &str>,
    body: &[u8],
) -> Result<serde_json::Value, Box<axum::response::Response>> {
    use axum::http::StatusCode;
    let refused = |status, reason: String| {
        engine.metrics.inbound(channel, "rejected");
        Box::new(crate::http::error(status, reason))
    };
    if let Err(reason) = authentic {
        return Err(refused(StatusCode::UNAUTHORIZED, reason.to_string()));
    }
    serde_json::from_slice(body).map_err(|e| {
        refused(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON: {e}"),
        )
    })
}

/// Whether `given` is `want`, in a time that does not depend on where they differ.
pub fn same_secret(given: &[u8], want: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    given.ct_eq(want).into()
}

/// A menu the VM wrote as one text: its question and its options' labels. Its reply
/// ids are the options' numbers, which the VM reads as a typed number.
#[derive(Debug, PartialEq, Eq)]
pub struct Menu<'t> {
    pub question: String,
    pub options: Vec<&'t str>,
}

/// Reads `text` as a menu: a question, then lines `  1) label`, `  2) label`... to the
/// end. Anything else (a rating scale's bare numbers, say) is plain text.
pub fn menu(text: &str) -> Option<Menu<'_>> {
    let lines: Vec<&str> = text.split('\n').collect();
    let first = lines.iter().position(|line| line.starts_with("  1) "))?;
    let mut options = Vec::new();
    for (idx, line) in lines[first..].iter().enumerate() {
        let label = line
            .strip_prefix("  ")
            .and_then(|rest| rest.strip_prefix(&format!("{}) ", idx + 1)))?;
        options.push(label);
    }
    Some(Menu {
        question: lines[..first].join("\n"),
        options,
    })
}

/// The longest text message both platforms take: a WhatsApp text body and a Telegram
/// `sendMessage` text hold 4,096 characters (Telegram counts UTF-16 units, the stricter
/// count, used here). A longer text is refused whole.
pub const MAX_TEXT: usize = 4096;

/// The longest caption of a document on both platforms (1,024 characters); a longer one
/// is cut, ending in `…`.
pub const MAX_CAPTION: usize = 1024;

/// An output's text as the platform messages that carry it: [`pieces`] of at most
/// [`MAX_TEXT`], except that a menu's options are kept together after the last piece of
/// its question, so they still become one keyboard.
pub fn messages(text: &str) -> Vec<String> {
    if let Some(menu) = menu(text) {
        let options = &text[menu.question.len()..];
        let room = MAX_TEXT.saturating_sub(options.encode_utf16().count());
        if !menu.question.is_empty() && room >= MAX_TEXT / 2 {
            let mut out: Vec<String> = pieces(&menu.question, room)
                .into_iter()
                .map(String::from)
                .collect();
            if let Some(last) = out.last_mut() {
                last.push_str(options);
            }
            return out;
        }
    }
    pieces(text, MAX_TEXT)
        .into_iter()
        .map(String::from)
        .collect()
}

/// `text` as consecutive messages of at most `max` UTF-16 units, each cut at the last
/// line break that fits, else the last space, else between two characters, so a long
/// text reaches the customer whole and in order. The separator a cut falls on is dropped.
pub fn pieces(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(1);
    let mut pieces = Vec::new();
    let mut rest = text;
    loop {
        // Where the first character that does not fit starts; none: the rest fits.
        let mut units = 0;
        let Some((end, _)) = rest.char_indices().find(|(_, c)| {
            units += c.len_utf16();
            units > max
        }) else {
            break;
        };
        let fits = &rest[..end];
        let separator = fits
            .rfind('\n')
            .or_else(|| fits.rfind(' '))
            .filter(|&at| at > 0);
        match separator {
            Some(at) => {
                pieces.push(&rest[..at]);
                rest = &rest[at + 1..];
            }
            None => {
                pieces.push(fits);
                rest = &rest[end..];
            }
        }
    }
    pieces.push(rest);
    pieces
}

/// `text` cut to `max` characters, ending in `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Sends one platform call under the delivery's idempotency key (a header the
/// platforms ignore, kept so a capture shows which delivery a call was). `Ok` on a
/// success; else what came of it, for the channel to read its platform's codes:
/// `Err(Ok((status, answer)))` when the platform answered, `Err(Err(sent))` when it
/// could not be reached.
pub async fn call(
    request: reqwest::RequestBuilder,
    delivery: &Delivery,
    body: &serde_json::Value,
) -> Result<(), Result<(reqwest::StatusCode, serde_json::Value), Sent>> {
    let answer = request
        .header("Idempotency-Key", &delivery.idempotency_key)
        .json(body)
        .send()
        .await;
    let response = answer.map_err(|error| Err(failure(None, &error.to_string())))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let answer = response.json().await.unwrap_or(serde_json::Value::Null);
    Err(Ok((status, answer)))
}

/// What a platform's answer means when it is not a success (the caller has read the
/// platform's own codes first): a server error, a network failure, a timeout or a
/// refused credential (fixed by the operator, then delivered) is retried; any other
/// client error is not.
pub fn failure(status: Option<reqwest::StatusCode>, detail: &str) -> Sent {
    match status {
        Some(status)
            if status.is_client_error() && ![401, 403, 408, 429].contains(&status.as_u16()) =>
        {
            Sent::Dropped {
                reason: format!("the platform refused it ({status}): {detail}"),
            }
        }
        Some(status) => Sent::Retry {
            error: format!("the platform answered {status}: {detail}"),
            after_ms: None,
        },
        None => Sent::Retry {
            error: format!("the platform could not be reached: {detail}"),
            after_ms: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_goes_in_pieces_cut_at_line_breaks_then_spaces() {
        assert_eq!(pieces("curto", 10), ["curto"]);
        assert_eq!(pieces("", 10), [""]);
        assert_eq!(
            pieces("linha um\nlinha dois", 12),
            ["linha um", "linha dois"]
        );
        assert_eq!(
            pieces("uma frase longa demais", 10),
            ["uma frase", "longa", "demais"]
        );
        assert_eq!(pieces("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        // UTF-16 units: an emoji counts two, and no piece ends inside a character.
        assert_eq!(pieces("ação😀😀", 5), ["ação", "😀😀"]);
        assert_eq!(pieces("😀😀😀", 3), ["😀", "😀", "😀"]);
        let long = "x ".repeat(3000);
        let cut = pieces(&long, MAX_TEXT);
        assert!(cut.iter().all(|it| it.encode_utf16().count() <= MAX_TEXT));
        assert_eq!(cut.join(" "), long);
    }

    #[test]
    fn a_long_menu_keeps_its_options_together_after_its_question() {
        let options: Vec<String> = (1..=10).map(|n| format!("Opção {n}")).collect();
        let numbered: Vec<String> = options
            .iter()
            .enumerate()
            .map(|(idx, it)| format!("  {}) {it}", idx + 1))
            .collect();
        // A question whose plain cut would fall among the options.
        let long = format!("{}\n{}", "x".repeat(4050), numbered.join("\n"));
        assert!(pieces(&long, MAX_TEXT)[0].contains("  1) "));
        let sent = messages(&long);
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|it| it.encode_utf16().count() <= MAX_TEXT));
        assert!(menu(&sent[0]).is_none());
        let last = menu(&sent[1]).unwrap();
        assert_eq!(last.options, options);
        assert_eq!(format!("{}{}", sent[0], sent[1]), long);
        // Short texts go as they are.
        assert_eq!(messages("Olá!"), ["Olá!"]);
    }

    #[test]
    fn a_menu_is_read_back_from_its_text() {
        let text = "Como podemos ajudar?\n  1) Financeiro\n  2) Suporte técnico";
        assert_eq!(
            menu(text),
            Some(Menu {
                question: "Como podemos ajudar?".into(),
                options: vec!["Financeiro", "Suporte técnico"],
            })
        );
        assert_eq!(menu("Como você avalia?\n  5\n  4"), None);
        assert_eq!(menu("Escolha\n  1) Um\n  3) Três"), None);
        assert_eq!(clip("Servidão dos Pescadores", 10), "Servidão…");
    }
}

//! The session snapshot: a small, versioned binary encoding of everything a waiting
//! conversation needs (docs/runtime.md, "Snapshots").
//!
//! Layout: the magic `FXS`, a version byte, then the fields in a fixed order, written
//! with the primitives of `wire.rs`. A pending host call is its serde JSON (rare and
//! already serialisable). Decoding makes as few allocations as the session's shape
//! allows: the context's texts go into one buffer (`HeldContext`), tags are indices.

use std::fmt;

use fluxo_stdlib::types::Channel;

use super::context::{HeldContext, Text, TextsBuilder};
use super::wire::{Reader, Writer, NOT_UTF8};
use super::{CardState, Ending, HostCall, Link, Message, Session, Status, Wait};

/// The snapshot format's version; `restore` refuses any other. Version 2 holds the
/// conversation's tags as indices into the program's tags (version 1: their names).
pub const SNAPSHOT_VERSION: u8 = 2;

/// What a snapshot usually takes (docs/runtime.md: 110-200 bytes on the benchmark
/// flows), to size a new buffer once.
pub(super) const TYPICAL_LEN: usize = 192;
const MAGIC: &[u8; 3] = b"FXS";

/// Why a snapshot cannot be restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    NotASnapshot,
    Version(u8),
    /// Cut short, or a value that cannot be.
    Malformed(&'static str),
    /// Taken on another program than the one it is restored on.
    OtherProgram {
        snapshot: u64,
        program: u64,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::NotASnapshot => f.write_str("not a Fluxo session snapshot"),
            SnapshotError::Version(v) => {
                write!(f, "snapshot version {v} is not supported (this runtime reads {SNAPSHOT_VERSION})")
            }
            SnapshotError::Malformed(why) => write!(f, "malformed snapshot: {why}"),
            SnapshotError::OtherProgram { snapshot, program } => write!(
                f,
                "the snapshot was taken on program {snapshot:016x}, not {program:016x}; a conversation resumes only on the program it started on"
            ),
        }
    }
}

impl std::error::Error for SnapshotError {}

pub(super) fn encode(session: &Session, out: &mut Vec<u8>) {
    let mut w = Writer(out);
    w.0.reserve(TYPICAL_LEN);
    w.0.extend_from_slice(MAGIC);
    w.0.push(SNAPSHOT_VERSION);
    w.0.extend_from_slice(&session.program_hash.to_le_bytes());
    context(&mut w, &session.ctx);
    w.int(session.now);
    w.uint(u64::from(session.pc));
    w.uint(u64::from(session.tries));
    w.0.push(session.card.phase);
    w.texts(&session.card.texts);
    w.uint(session.vars.len() as u64);
    for var in &session.vars {
        match var {
            None => w.0.push(0),
            Some(value) => {
                w.0.push(1);
                w.value(value);
            }
        }
    }
    w.uint(session.tags.len() as u64);
    for tag in &session.tags {
        w.uint(u64::from(*tag));
    }
    w.uint(session.accounts.len() as u64);
    for account in &session.accounts {
        link(&mut w, account);
    }
    w.text(&session.description);
    w.opt_text(session.optout_message.as_deref());
    w.0.push(u8::from(session.read_message));
    w.uint(session.queued.len() as u64);
    for message in &session.queued {
        w.text(&message.text);
        w.opt_text(message.reply_id.as_deref());
        match &message.media {
            None => w.0.push(0),
            Some(media) => {
                w.0.push(1);
                w.text(&media.kind);
                w.text(&media.url);
            }
        }
    }
    match &session.status {
        Status::Ready => w.0.push(0),
        Status::Waiting(Wait::Customer) => w.0.push(1),
        Status::Waiting(Wait::Host(call)) => {
            w.0.push(2);
            w.text(&serde_json::to_string(call).unwrap_or_default());
        }
        Status::Waiting(Wait::Timer { secs }) => {
            w.0.push(3);
            w.uint(*secs);
        }
        Status::Waiting(Wait::Done(ending)) => {
            w.0.push(4);
            w.0.push(*ending as u8);
        }
    }
}
pub(super) fn decode(bytes: &[u8]) -> Result<Session, SnapshotError> {
    if bytes.len() < 4 || &bytes[..3] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    if bytes[3] != SNAPSHOT_VERSION {
        return Err(SnapshotError::Version(bytes[3]));
    }
    let mut r = Reader::new(bytes, 4);
    match read_session(&mut r) {
        Some(_) if r.left() > 0 => Err(SnapshotError::Malformed("trailing bytes")),
        Some(session) => Ok(session),
        None => Err(SnapshotError::Malformed(r.why)),
    }
}

fn read_session(r: &mut Reader) -> Option<Session> {
    let mut hash = [0u8; 8];
    hash.copy_from_slice(r.take(8)?);
    let program_hash = u64::from_le_bytes(hash);
    let ctx = read_context(r)?;
    let now = r.int()?;
    let pc = r.u32()?;
    let tries = r.u32()?;
    let phase = r.byte()?;
    let texts = r.texts()?;
    let n_vars = r.count()?;
    let mut vars = Vec::with_capacity(n_vars);
    for _ in 0..n_vars {
        vars.push(match r.byte()? {
            0 => None,
            1 => Some(r.value(0)?),
            _ => return r.bad("bad variable flag"),
        });
    }
    let n_tags = r.count()?;
    let mut tags = Vec::with_capacity(n_tags);
    for _ in 0..n_tags {
        tags.push(r.u32()?);
    }
    let n_accounts = r.count()?;
    let mut accounts = Vec::with_capacity(n_accounts);
    for _ in 0..n_accounts {
        accounts.push(read_link(r)?);
    }
    let description = r.text()?;
    let optout_message = r.opt_text()?;
    let read_message = r.flag()?;
    let n_queued = r.count()?;
    let mut queued = Vec::with_capacity(n_queued);
    for _ in 0..n_queued {
        let text = r.text()?;
        let reply_id = r.opt_text()?;
        let media = if r.flag()? {
            Some(super::Media {
                kind: r.text()?,
                url: r.text()?,
            })
        } else {
            None
        };
        queued.push(Message {
            text,
            reply_id,
            media,
        });
    }
    let status = match r.byte()? {
        0 => Status::Ready,
        1 => Status::Waiting(Wait::Customer),
        2 => match serde_json::from_str::<HostCall>(&r.text()?) {
            Ok(call) => Status::Waiting(Wait::Host(call)),
            Err(_) => return r.bad("unreadable pending host call"),
        },
        3 => Status::Waiting(Wait::Timer { secs: r.uint()? }),
        4 => Status::Waiting(Wait::Done(match r.byte()? {
            0 => Ending::Closed,
            1 => Ending::Transferred,
            2 => Ending::OptedOut,
            3 => Ending::Forwarded,
            _ => return r.bad("bad ending"),
        })),
        _ => return r.bad("bad status"),
    };
    Some(Session {
        program_hash,
        ctx,
        now,
        pc,
        tries,
        card: CardState { phase, texts },
        vars,
        tags,
        accounts,
        description,
        optout_message,
        read_message,
        queued,
        status,
    })
}

fn context(w: &mut Writer, ctx: &HeldContext) {
    w.0.push(ctx.channel as u8);
    w.text(ctx.user_name());
    w.text(ctx.contact_phone());
    w.text(ctx.company_name());
    w.text(ctx.protocol());
    w.text(ctx.attendant_name());
    w.0.push(u8::from(ctx.from_ad));
    w.opt_text(ctx.branch());
    let tags = ctx.tags();
    w.uint(tags.len() as u64);
    for tag in tags {
        w.text(tag);
    }
    match &ctx.link {
        None => w.0.push(0),
        Some(it) => {
            w.0.push(1);
            link(w, it);
        }
    }
    w.opt_text(ctx.opening_message());
    w.int(ctx.now);
}

fn read_context(r: &mut Reader) -> Option<HeldContext> {
    let Some(channel) = Channel::ALL.get(r.byte()? as usize).copied() else {
        return r.bad("bad channel");
    };
    // The texts cannot take more room than the bytes left.
    let mut texts = TextsBuilder::with_room(r.left());
    for which in [
        Text::UserName,
        Text::ContactPhone,
        Text::CompanyName,
        Text::Protocol,
        Text::AttendantName,
    ] {
        texts.push(which, Some(r.raw_text()?));
    }
    let from_ad = r.flag()?;
    texts.push(Text::Branch, r.opt_raw_text()?);
    // The contact's tags come before the link and the opening message here, after
    // them in the context's buffer: they are skipped, then read again.
    let n_tags = r.count()?;
    let mut tags = r.clone();
    for _ in 0..n_tags {
        r.raw_text()?;
    }
    let link = if r.flag()? { Some(read_link(r)?) } else { None };
    texts.push(Text::OpeningMessage, r.opt_raw_text()?);
    let now = r.int()?;
    for _ in 0..n_tags {
        texts.push_tag(tags.raw_text()?);
    }
    let Some(mut ctx) = texts.finish(channel) else {
        return r.bad(NOT_UTF8);
    };
    ctx.from_ad = from_ad;
    ctx.link = link;
    ctx.now = now;
    Some(ctx)
}

fn link(w: &mut Writer, link: &Link) {
    w.text(&link.customer_id);
    w.text(&link.name);
    w.text(&link.document);
    w.opt_text(link.contract_id.as_deref());
    w.0.push(u8::from(link.supplier));
}

fn read_link(r: &mut Reader) -> Option<Link> {
    Some(Link {
        customer_id: r.text()?,
        name: r.text()?,
        document: r.text()?,
        contract_id: r.opt_text()?,
        supplier: r.flag()?,
    })
}

#[cfg(test)]
mod tests {
    use fluxo_stdlib::types::EnumKind;

    use super::*;
    use crate::erp::Request;
    use crate::session::Context;
    use crate::vm::Value;

    fn encode(session: &Session) -> Vec<u8> {
        let mut out = Vec::new();
        super::encode(session, &mut out);
        out
    }

    fn sample() -> Session {
        let mut ctx = Context::new(1_795_000_000);
        ctx.user_name = "Ana".into();
        ctx.tags = vec!["vip".into(), "ção".into()];
        ctx.branch = Some("centro".into());
        ctx.opening_message = Some(String::new());
        ctx.link = Some(Link {
            customer_id: "1".into(),
            name: "Ana Souza".into(),
            document: "52998224725".into(),
            contract_id: Some("10".into()),
            supplier: false,
        });
        Session {
            program_hash: 0xdead_beef,
            now: ctx.now + 120,
            ctx: HeldContext::from(ctx),
            pc: 4242,
            tries: 2,
            card: CardState {
                phase: 3,
                texts: vec!["10".into(), "11".into()],
            },
            vars: vec![
                None,
                Some(Value::Number(-24.5)),
                Some(Value::Record(vec![("dbm".into(), Value::Number(-30.0))])),
                Some(Value::Pattern {
                    kind: EnumKind::Diagnosis,
                    index: 3,
                }),
                Some(Value::Range(-3, 9)),
            ],
            tags: vec![3, 0],
            accounts: Vec::new(),
            description: "sem sinal".into(),
            optout_message: Some("Tchau".into()),
            read_message: true,
            queued: vec![Message {
                text: "oi".into(),
                reply_id: Some("r1".into()),
                media: None,
            }],
            status: Status::Waiting(Wait::Host(HostCall::Erp {
                request: Request::ListContracts {
                    customer_id: "1".into(),
                },
            })),
        }
    }

    #[test]
    fn round_trips() {
        let session = sample();
        let bytes = encode(&session);
        assert_eq!(decode(&bytes), Ok(session));
    }

    #[test]
    fn refuses_bad_bytes_without_panicking() {
        let bytes = encode(&sample());
        assert_eq!(decode(b"nope"), Err(SnapshotError::NotASnapshot));
        let mut other = bytes.clone();
        other[3] = 99;
        assert_eq!(decode(&other), Err(SnapshotError::Version(99)));
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(decode(&extra).is_err());
        for idx in 4..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[idx] ^= 0xff;
            let _ = decode(&flipped);
        }
    }
}

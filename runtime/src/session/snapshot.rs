//! The session snapshot: a small, versioned binary encoding of everything a waiting
//! conversation needs (docs/runtime.md, "Snapshots").
//!
//! Layout: the magic `FXS`, a version byte, then the fields in a fixed order, written
//! with the primitives of `wire.rs`. A pending host call is its serde JSON (rare and
//! already serialisable). Decoding writes into a session's existing buffers and
//! allocates nothing else for a waiting conversation's usual state: the context is
//! kept as its bytes (`HeldContext`), tags are indices.

use std::fmt;

use fluxo_stdlib::types::Channel;

use super::context::{HeldContext, Text};
use super::wire::{Reader, Writer, NOT_UTF8};
use super::{Context, Ending, HostCall, Link, Message, Session, Status, Wait};
use crate::bytecode::Program;

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
    w.int(session.now.wrapping_sub(session.ctx.now));
    w.uint(u64::from(session.pc));
    w.uint(u64::from(session.tries));
    w.0.push(session.card.phase);
    w.texts(&session.card.texts);
    let assigned = session.vars.iter().filter(|it| it.is_some()).count();
    w.uint(assigned as u64);
    for (idx, value) in session.vars.iter().enumerate() {
        if let Some(value) = value {
            w.uint(idx as u64);
            w.value(value);
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
/// Decodes `bytes` into `session`, reusing its buffers; `program` is the program the
/// snapshot must have been taken on. On an error, `session` holds part of the snapshot.
pub(super) fn decode(
    bytes: &[u8],
    program: &Program,
    session: &mut Session,
) -> Result<(), SnapshotError> {
    if bytes.len() < 4 || &bytes[..3] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    if bytes[3] != SNAPSHOT_VERSION {
        return Err(SnapshotError::Version(bytes[3]));
    }
    let mut r = Reader::new(bytes, 4);
    let Some(hash) = r.take(8) else {
        return Err(SnapshotError::Malformed(r.why));
    };
    let mut le = [0u8; 8];
    le.copy_from_slice(hash);
    let hash = u64::from_le_bytes(le);
    if hash != program.source_hash {
        return Err(SnapshotError::OtherProgram {
            snapshot: hash,
            program: program.source_hash,
        });
    }
    session.program_hash = hash;
    match read_session(&mut r, program, session) {
        Some(()) if r.left() > 0 => Err(SnapshotError::Malformed("trailing bytes")),
        Some(()) => Ok(()),
        None => Err(SnapshotError::Malformed(r.why)),
    }
}

/// What a snapshot that decodes but names what the program lacks is told.
pub(super) const DOES_NOT_FIT: &str = "the snapshot does not fit the program";

fn read_session(r: &mut Reader, program: &Program, s: &mut Session) -> Option<()> {
    read_context(r, &mut s.ctx)?;
    s.now = s.ctx.now.wrapping_add(r.int()?);
    s.pc = r.u32()?;
    s.tries = r.u32()?;
    s.card.phase = r.byte()?;
    r.texts_into(&mut s.card.texts)?;
    // Only the assigned variables are written, by increasing index.
    // Slots are overwritten in place: a text variable keeps its buffer.
    let assigned = r.count()?;
    let n_vars = program.vars.len();
    if s.vars.len() != n_vars {
        s.vars.clear();
        s.vars.resize_with(n_vars, || None);
    }
    let mut next = 0;
    for _ in 0..assigned {
        let idx = r.u32()? as usize;
        if idx < next || idx >= n_vars {
            return r.bad(DOES_NOT_FIT);
        }
        s.vars[next..idx].iter_mut().for_each(|it| *it = None);
        r.value_into(&mut s.vars[idx])?;
        next = idx + 1;
    }
    s.vars[next..].iter_mut().for_each(|it| *it = None);
    let n_tags = r.count()?;
    s.tags.clear();
    for _ in 0..n_tags {
        let tag = r.u32()?;
        if tag as usize >= program.entities.tags.len() {
            return r.bad(DOES_NOT_FIT);
        }
        s.tags.push(tag);
    }
    let n_accounts = r.count()?;
    s.accounts.clear();
    for _ in 0..n_accounts {
        let account = read_link(r)?;
        s.accounts.push(account);
    }
    r.text_into(&mut s.description)?;
    r.opt_text_into(&mut s.optout_message)?;
    s.read_message = r.flag()?;
    let n_queued = r.count()?;
    s.queued.clear();
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
        s.queued.push(Message {
            text,
            reply_id,
            media,
        });
    }
    s.status = match r.byte()? {
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
    Some(())
}

/// `ctx` as a session holds it: written once as a snapshot holds it, its texts read
/// in place from then on.
pub(super) fn hold(ctx: Context) -> HeldContext {
    let mut held = HeldContext::empty();
    let mut w = Writer(&mut held.written);
    w.0.push(ctx.channel as u8);
    let texts = [
        (Text::UserName, &ctx.user_name),
        (Text::ContactPhone, &ctx.contact_phone),
        (Text::CompanyName, &ctx.company_name),
        (Text::Protocol, &ctx.protocol),
        (Text::AttendantName, &ctx.attendant_name),
    ];
    for (which, text) in texts {
        held.spans[which as usize] = Some(w.text_span(text));
    }
    w.0.push(u8::from(ctx.from_ad));
    for (which, text) in [
        (Text::Branch, &ctx.branch),
        (Text::OpeningMessage, &ctx.opening_message),
    ] {
        held.spans[which as usize] = match text {
            None => {
                w.0.push(0);
                None
            }
            Some(text) => {
                w.0.push(1);
                Some(w.text_span(text))
            }
        };
    }
    w.uint(ctx.tags.len() as u64);
    for tag in &ctx.tags {
        let span = w.text_span(tag);
        held.tags.push(span);
    }
    // Eight bytes, not a varint: a clock takes five as a varint, and read as one on
    // every restore it costs more than the three bytes saved.
    w.0.extend_from_slice(&ctx.now.to_le_bytes());
    held.channel = ctx.channel;
    held.from_ad = ctx.from_ad;
    held.now = ctx.now;
    held.link = ctx.link;
    held
}

fn context(w: &mut Writer, ctx: &HeldContext) {
    w.0.extend_from_slice(&ctx.written);
    match &ctx.link {
        None => w.0.push(0),
        Some(it) => {
            w.0.push(1);
            link(w, it);
        }
    }
}

/// Reads the context into `ctx`, reusing its buffers: its bytes are copied as they
/// are, once every text in them is known to be UTF-8.
fn read_context(r: &mut Reader, ctx: &mut HeldContext) -> Option<()> {
    let start = r.mark();
    let Some(channel) = Channel::ALL.get(r.byte()? as usize).copied() else {
        return r.bad("bad channel");
    };
    for which in [
        Text::UserName,
        Text::ContactPhone,
        Text::CompanyName,
        Text::Protocol,
        Text::AttendantName,
    ] {
        ctx.spans[which as usize] = Some(r.text_span(start)?);
    }
    let from_ad = r.flag()?;
    for which in [Text::Branch, Text::OpeningMessage] {
        ctx.spans[which as usize] = match r.flag()? {
            true => Some(r.text_span(start)?),
            false => None,
        };
    }
    let n_tags = r.count()?;
    ctx.tags.clear();
    for _ in 0..n_tags {
        let span = r.text_span(start)?;
        ctx.tags.push(span);
    }
    // Every text is UTF-8 when all that holds them is ASCII, as it usually is; else
    // each is checked.
    let texts_end = r.mark() - start;
    let mut now = [0u8; 8];
    now.copy_from_slice(r.take(8)?);
    let now = i64::from_le_bytes(now);
    let written = r.since(start);
    let spans = ctx.spans.iter().flatten().chain(&ctx.tags);
    if !written[..texts_end].is_ascii() {
        for span in spans {
            let text = written.get(span.start as usize..span.end as usize);
            if text.and_then(|it| std::str::from_utf8(it).ok()).is_none() {
                return r.bad(NOT_UTF8);
            }
        }
    }
    ctx.written.clear();
    ctx.written.extend_from_slice(written);
    ctx.channel = channel;
    ctx.from_ad = from_ad;
    ctx.now = now;
    ctx.link = if r.flag()? { Some(read_link(r)?) } else { None };
    Some(())
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
    use crate::session::CardState;
    use crate::Value;

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
            ctx: hold(ctx),
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

    /// A program `sample()` fits: its hash, five variables, four tags.
    fn program() -> Program {
        let mut program = Program {
            source_hash: 0xdead_beef,
            ..Program::default()
        };
        for name in 0..5 {
            program.vars.push(crate::bytecode::program::VarInfo {
                name,
                ty: crate::bytecode::program::ValueType::Text,
                builtin: false,
            });
        }
        for name in 0..4 {
            let tag = crate::bytecode::program::Entity { name, title: name };
            program.entities.tags.push(tag);
        }
        program
    }

    fn decoded(bytes: &[u8], program: &Program) -> Result<Session, SnapshotError> {
        let mut session = Session::default();
        decode(bytes, program, &mut session).map(|()| session)
    }

    #[test]
    fn round_trips() {
        let session = sample();
        let bytes = encode(&session);
        assert_eq!(decoded(&bytes, &program()), Ok(session));
    }

    #[test]
    fn decodes_over_a_used_session_as_into_a_new_one() {
        let mut used = sample();
        used.tags = vec![1, 2, 3];
        used.card.texts.push("12".into());
        used.accounts.push(Link {
            customer_id: "2".into(),
            name: "Bia".into(),
            document: "1".into(),
            contract_id: None,
            supplier: true,
        });
        used.status = Status::Waiting(Wait::Customer);
        let mut plain = sample();
        plain.ctx = hold(Context::new(5));
        plain.vars = vec![None; 5];
        plain.tags.clear();
        plain.card.texts.clear();
        plain.queued.clear();
        plain.description.clear();
        for wanted in [sample(), plain] {
            let mut session = used.clone();
            decode(&encode(&wanted), &program(), &mut session).expect("decodes");
            assert_eq!(session, wanted);
        }
    }

    #[test]
    fn writes_only_the_assigned_variables() {
        let mut session = sample();
        let full = encode(&session).len();
        session.vars = vec![None; 5];
        assert!(encode(&session).len() < full - 20);
    }

    #[test]
    fn refuses_another_program_and_what_does_not_fit() {
        let bytes = encode(&sample());
        let other = Program {
            source_hash: 7,
            ..program()
        };
        assert_eq!(
            decoded(&bytes, &other),
            Err(SnapshotError::OtherProgram {
                snapshot: 0xdead_beef,
                program: 7,
            })
        );
        let mut fewer_tags = program();
        fewer_tags.entities.tags.truncate(3);
        assert_eq!(
            decoded(&bytes, &fewer_tags),
            Err(SnapshotError::Malformed(DOES_NOT_FIT))
        );
        let mut fewer_vars = program();
        fewer_vars.vars.truncate(4);
        assert_eq!(
            decoded(&bytes, &fewer_vars),
            Err(SnapshotError::Malformed(DOES_NOT_FIT))
        );
    }

    #[test]
    fn a_snapshot_waiting_inside_an_instruction_is_refused() {
        use crate::bytecode::Op;
        let mut session = sample();
        let mut program = program();
        Op::Jump { target: 300 }.encode(&mut program.code);
        Op::End {}.encode(&mut program.code);
        for (pc, fits) in [(0, true), (1, false), (2, false), (3, true), (4, false)] {
            session.pc = pc;
            let restored = Session::restore(&encode(&session), &program);
            match fits {
                true => assert!(restored.is_ok(), "pc {pc}: {restored:?}"),
                false => assert_eq!(
                    restored.map(|_| ()),
                    Err(SnapshotError::Malformed(DOES_NOT_FIT)),
                    "pc {pc}"
                ),
            }
        }
    }

    #[test]
    fn refuses_a_context_text_that_is_not_utf8() {
        let bytes = encode(&sample());
        let name = bytes
            .windows(3)
            .position(|it| it == b"Ana")
            .expect("the user name is in the snapshot");
        for bad in [[0xff, b'n', b'a'], [0xc3, b'n', b'a']] {
            let mut broken = bytes.clone();
            broken[name..name + 3].copy_from_slice(&bad);
            assert_eq!(
                decoded(&broken, &program()),
                Err(SnapshotError::Malformed(NOT_UTF8))
            );
        }
    }

    #[test]
    fn refuses_bad_bytes_without_panicking() {
        let program = program();
        let bytes = encode(&sample());
        assert_eq!(decoded(b"nope", &program), Err(SnapshotError::NotASnapshot));
        let mut other = bytes.clone();
        other[3] = 99;
        assert_eq!(decoded(&other, &program), Err(SnapshotError::Version(99)));
        for cut in 0..bytes.len() {
            assert!(decoded(&bytes[..cut], &program).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(decoded(&extra, &program).is_err());
        let mut session = sample();
        for idx in 4..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[idx] ^= 0xff;
            let _ = decoded(&flipped, &program);
            let _ = decode(&flipped, &program, &mut session);
        }
    }
}

//! The session snapshot: a small, versioned binary encoding of everything a waiting
//! conversation needs (docs/runtime.md, "Snapshots").
//!
//! Layout: the magic `FXS`, a version byte, then the fields in a fixed order. Integers
//! are LEB128 varints (signed ones zig-zagged), texts a varint length and UTF-8 bytes,
//! options a 0/1 byte then the value. A pending host call is its serde JSON (rare and
//! already serialisable). Decoding never trusts the input: every length is checked
//! against what is left, and nothing panics.

use std::fmt;

use fluxo_stdlib::types::{Channel, EnumKind};

use super::{CardState, Context, Ending, HostCall, Link, Message, Session, Status, Wait};
use crate::vm::Value;

/// The snapshot format's version; `restore` refuses any other.
pub const SNAPSHOT_VERSION: u8 = 1;
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

pub(super) fn encode(session: &Session) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(128));
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
    w.texts(&session.tags);
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
    w.0
}

pub(super) fn decode(bytes: &[u8]) -> Result<Session, SnapshotError> {
    if bytes.len() < 4 || &bytes[..3] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    if bytes[3] != SNAPSHOT_VERSION {
        return Err(SnapshotError::Version(bytes[3]));
    }
    let mut r = Reader { bytes, pos: 4 };
    let hash = r.take(8)?;
    let program_hash = u64::from_le_bytes(hash.try_into().map_err(|_| truncated())?);
    let ctx = read_context(&mut r)?;
    let now = r.int()?;
    let pc = r.u32()?;
    let tries = r.u32()?;
    let phase = r.byte()?;
    let texts = r.texts()?;
    let n_vars = r.len()?;
    let mut vars = Vec::with_capacity(n_vars);
    for _ in 0..n_vars {
        vars.push(match r.byte()? {
            0 => None,
            1 => Some(r.value(0)?),
            _ => return Err(SnapshotError::Malformed("bad variable flag")),
        });
    }
    let tags = r.texts()?;
    let n_accounts = r.len()?;
    let mut accounts = Vec::with_capacity(n_accounts);
    for _ in 0..n_accounts {
        accounts.push(read_link(&mut r)?);
    }
    let description = r.text()?;
    let optout_message = r.opt_text()?;
    let read_message = r.flag()?;
    let n_queued = r.len()?;
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
        2 => {
            let call: HostCall = serde_json::from_str(&r.text()?)
                .map_err(|_| SnapshotError::Malformed("unreadable pending host call"))?;
            Status::Waiting(Wait::Host(call))
        }
        3 => Status::Waiting(Wait::Timer { secs: r.uint()? }),
        4 => Status::Waiting(Wait::Done(match r.byte()? {
            0 => Ending::Closed,
            1 => Ending::Transferred,
            2 => Ending::OptedOut,
            3 => Ending::Forwarded,
            _ => return Err(SnapshotError::Malformed("bad ending")),
        })),
        _ => return Err(SnapshotError::Malformed("bad status")),
    };
    if r.pos != bytes.len() {
        return Err(SnapshotError::Malformed("trailing bytes"));
    }
    Ok(Session {
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

fn context(w: &mut Writer, ctx: &Context) {
    w.0.push(ctx.channel as u8);
    w.text(&ctx.user_name);
    w.text(&ctx.contact_phone);
    w.text(&ctx.company_name);
    w.text(&ctx.protocol);
    w.text(&ctx.attendant_name);
    w.0.push(u8::from(ctx.from_ad));
    w.opt_text(ctx.branch.as_deref());
    w.texts(&ctx.tags);
    match &ctx.link {
        None => w.0.push(0),
        Some(it) => {
            w.0.push(1);
            link(w, it);
        }
    }
    w.opt_text(ctx.opening_message.as_deref());
    w.int(ctx.now);
}

fn read_context(r: &mut Reader) -> Result<Context, SnapshotError> {
    let channel = *Channel::ALL
        .get(r.byte()? as usize)
        .ok_or(SnapshotError::Malformed("bad channel"))?;
    Ok(Context {
        channel,
        user_name: r.text()?,
        contact_phone: r.text()?,
        company_name: r.text()?,
        protocol: r.text()?,
        attendant_name: r.text()?,
        from_ad: r.flag()?,
        branch: r.opt_text()?,
        tags: r.texts()?,
        link: if r.flag()? { Some(read_link(r)?) } else { None },
        opening_message: r.opt_text()?,
        now: r.int()?,
    })
}

fn link(w: &mut Writer, link: &Link) {
    w.text(&link.customer_id);
    w.text(&link.name);
    w.text(&link.document);
    w.opt_text(link.contract_id.as_deref());
    w.0.push(u8::from(link.supplier));
}

fn read_link(r: &mut Reader) -> Result<Link, SnapshotError> {
    Ok(Link {
        customer_id: r.text()?,
        name: r.text()?,
        document: r.text()?,
        contract_id: r.opt_text()?,
        supplier: r.flag()?,
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn uint(&mut self, mut value: u64) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn int(&mut self, value: i64) {
        self.uint(((value << 1) ^ (value >> 63)) as u64);
    }

    fn text(&mut self, text: &str) {
        self.uint(text.len() as u64);
        self.0.extend_from_slice(text.as_bytes());
    }

    fn opt_text(&mut self, text: Option<&str>) {
        match text {
            None => self.0.push(0),
            Some(text) => {
                self.0.push(1);
                self.text(text);
            }
        }
    }

    fn texts(&mut self, texts: &[String]) {
        self.uint(texts.len() as u64);
        for text in texts {
            self.text(text);
        }
    }

    fn value(&mut self, value: &Value) {
        match value {
            Value::Text(text) => {
                self.0.push(0);
                self.text(text);
            }
            Value::Number(n) => {
                self.0.push(1);
                self.0.extend_from_slice(&n.to_le_bytes());
            }
            Value::Bool(b) => self.0.push(if *b { 3 } else { 2 }),
            Value::Duration(secs) => {
                self.0.push(4);
                self.uint(*secs);
            }
            Value::Time(minutes) => {
                self.0.push(5);
                self.uint(u64::from(*minutes));
            }
            Value::Date { year, month, day } => {
                self.0.push(6);
                self.uint(u64::from(*year));
                self.0.push(*month);
                self.0.push(*day);
            }
            Value::Pattern { kind, index } => {
                self.0.push(7);
                self.0.push(enum_code(*kind));
                self.uint(u64::from(*index));
            }
            Value::Record(fields) => {
                self.0.push(8);
                self.uint(fields.len() as u64);
                for (name, value) in fields {
                    self.text(name);
                    self.value(value);
                }
            }
            Value::Range(low, high) => {
                self.0.push(9);
                self.int(*low);
                self.int(*high);
            }
        }
    }
}

fn enum_code(kind: EnumKind) -> u8 {
    EnumKind::ALL.iter().position(|it| *it == kind).unwrap_or(0) as u8
}

fn truncated() -> SnapshotError {
    SnapshotError::Malformed("cut short")
}

/// Records nest at most this deep in a snapshot (Low Code records are flat).
const MAX_DEPTH: u32 = 8;

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, SnapshotError> {
        let byte = *self.bytes.get(self.pos).ok_or_else(truncated)?;
        self.pos += 1;
        Ok(byte)
    }

    fn flag(&mut self) -> Result<bool, SnapshotError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(SnapshotError::Malformed("bad flag")),
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], SnapshotError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(truncated)?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn uint(&mut self) -> Result<u64, SnapshotError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let low = u64::from(byte & 0x7f);
            if shift == 63 && low > 1 {
                return Err(SnapshotError::Malformed("varint too long"));
            }
            value |= low << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(SnapshotError::Malformed("varint too long"))
    }

    fn int(&mut self) -> Result<i64, SnapshotError> {
        let raw = self.uint()?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    fn u32(&mut self) -> Result<u32, SnapshotError> {
        u32::try_from(self.uint()?).map_err(|_| SnapshotError::Malformed("number out of range"))
    }

    /// A count of items, each at least one byte: never more than the bytes left.
    fn len(&mut self) -> Result<usize, SnapshotError> {
        let n = self.uint()?;
        if n > (self.bytes.len() - self.pos) as u64 {
            return Err(truncated());
        }
        Ok(n as usize)
    }

    fn text(&mut self) -> Result<String, SnapshotError> {
        let n = self.len()?;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| SnapshotError::Malformed("text is not UTF-8"))
    }

    fn opt_text(&mut self) -> Result<Option<String>, SnapshotError> {
        if self.flag()? {
            Ok(Some(self.text()?))
        } else {
            Ok(None)
        }
    }

    fn texts(&mut self) -> Result<Vec<String>, SnapshotError> {
        let n = self.len()?;
        (0..n).map(|_| self.text()).collect()
    }

    fn value(&mut self, depth: u32) -> Result<Value, SnapshotError> {
        Ok(match self.byte()? {
            0 => Value::Text(self.text()?),
            1 => {
                let raw = self.take(8)?;
                Value::Number(f64::from_le_bytes(raw.try_into().map_err(|_| truncated())?))
            }
            2 => Value::Bool(false),
            3 => Value::Bool(true),
            4 => Value::Duration(self.uint()?),
            5 => Value::Time(
                u16::try_from(self.uint()?).map_err(|_| SnapshotError::Malformed("bad time"))?,
            ),
            6 => Value::Date {
                year: u16::try_from(self.uint()?)
                    .map_err(|_| SnapshotError::Malformed("bad year"))?,
                month: self.byte()?,
                day: self.byte()?,
            },
            7 => {
                let kind = *EnumKind::ALL
                    .get(self.byte()? as usize)
                    .ok_or(SnapshotError::Malformed("bad enum kind"))?;
                let index = self.u32()?;
                if index as usize >= kind.patterns().len() {
                    return Err(SnapshotError::Malformed("bad enum pattern"));
                }
                Value::Pattern { kind, index }
            }
            8 if depth < MAX_DEPTH => {
                let n = self.len()?;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    let name = self.text()?;
                    fields.push((name, self.value(depth + 1)?));
                }
                Value::Record(fields)
            }
            9 => Value::Range(self.int()?, self.int()?),
            _ => return Err(SnapshotError::Malformed("bad value tag")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erp::Request;

    fn sample() -> Session {
        let mut ctx = Context::new(1_795_000_000);
        ctx.user_name = "Ana".into();
        ctx.tags = vec!["vip".into()];
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
            ctx,
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
            tags: vec!["cobranca".into()],
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

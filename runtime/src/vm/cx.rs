//! The execution context cards run in: the session, the program, the outputs of this
//! turn, and the helpers every card family shares (interpolation, card arguments,
//! built-in variables, the retry/fail protocol).

use fluxo_stdlib::builtins::{self, CLIENT_NAME_FALLBACK};
use fluxo_stdlib::catalogue::CardId;
use fluxo_stdlib::types::EnumKind;

use super::Next;
use crate::bytecode::program::{ArgValue, EntityRef, MessagePart};
use crate::bytecode::Program;
use crate::clock;
use crate::session::{CardState, Effect, Ending, Output, Session, Status, Turn, Wait};
use crate::{RuntimeError, Value};

pub(crate) struct Cx<'a> {
    pub s: &'a mut Session,
    pub p: &'a Program,
    pub out: Vec<Output>,
}

/// The retry parameters of a card that reads the customer's answer.
pub(crate) struct Retry {
    pub retries: u32,
    pub invalid_message: String,
    pub fail: Fail,
}

/// Where a card goes when it fails: `fail_message`, then `fail_flow` or the end.
pub(crate) struct Fail {
    pub message: Option<String>,
    pub flow: Option<u32>,
}

impl<'a> Cx<'a> {
    pub fn new(s: &'a mut Session, p: &'a Program) -> Cx<'a> {
        Cx {
            s,
            p,
            // Most turns send a few outputs: one allocation for them.
            out: Vec::with_capacity(4),
        }
    }

    /// Records where the session now stands and hands back the turn. Always inlined,
    /// for the reason `vm::resume` is.
    #[inline(always)]
    pub fn finish(self, next: Next) -> Turn {
        let wait = match next {
            Next::Customer => Wait::Customer,
            Next::Wait(wait) => *wait,
            Next::End(ending) => Wait::Done(ending),
            Next::Go(_) => Wait::Done(Ending::Closed),
        };
        self.s.status = Status::Waiting(wait.clone());
        Turn {
            outputs: self.out,
            wait,
        }
    }

    pub fn error(&self, message: impl Into<String>) -> RuntimeError {
        RuntimeError::at(self.p, self.s.pc, message)
    }

    /// Moves to `pc`: a new card starts with a fresh sub-state and no wrong answers.
    pub fn go(&mut self, pc: u32) {
        self.s.pc = pc;
        self.s.tries = 0;
        self.s.card = CardState::default();
    }

    pub fn say(&mut self, text: impl Into<String>) {
        self.out.push(Output::Text { text: text.into() });
    }

    pub fn effect(&mut self, effect: Effect) {
        self.out.push(Output::Effect { effect });
    }

    /// Closes the conversation (`end`, running off a flow, a failure with no flow).
    pub fn close(&mut self) -> Next {
        self.effect(Effect::End);
        Next::End(Ending::Closed)
    }

    pub fn string(&self, idx: u32) -> Result<String, RuntimeError> {
        self.str(idx).map(str::to_string)
    }

    /// Program string `idx`, borrowed from the program.
    pub fn str(&self, idx: u32) -> Result<&'a str, RuntimeError> {
        self.p
            .string(idx)
            .ok_or_else(|| self.error("string index out of range"))
    }

    /// Program message `idx` with its interpolations filled in.
    pub fn message(&self, idx: u32) -> Result<String, RuntimeError> {
        let mut out = String::with_capacity(self.message_len(idx));
        self.write_message(&mut out, idx)?;
        Ok(out)
    }

    /// About how many bytes program message `idx` takes once interpolated, to size
    /// the buffer it is written into.
    pub fn message_len(&self, idx: u32) -> usize {
        let parts = self
            .p
            .messages
            .get(idx as usize)
            .map_or(&[][..], |it| &it.parts);
        parts
            .iter()
            .map(|part| match part {
                MessagePart::Text(text) => self.p.string(*text).map_or(0, str::len),
                MessagePart::Var { .. } => VAR_LEN_GUESS,
            })
            .sum()
    }

    /// Appends program message `idx`, interpolated, to `out`: a card that sends the
    /// message with more text (a menu) builds it in one buffer, sized once by the
    /// caller (`message_len`).
    pub fn write_message(&self, out: &mut String, idx: u32) -> Result<(), RuntimeError> {
        let message = self
            .p
            .messages
            .get(idx as usize)
            .ok_or_else(|| self.error("message index out of range"))?;
        for part in &message.parts {
            match part {
                MessagePart::Text(text) => out.push_str(self.str(*text)?),
                MessagePart::Var { var, fields } if fields.is_empty() => {
                    write_var(self.s, self.p, *var, out).map_err(|why| self.error(why))?;
                }
                MessagePart::Var { var, fields } => {
                    let mut value =
                        read_var(self.s, self.p, *var).map_err(|why| self.error(why))?;
                    for field in fields {
                        let name = self.str(*field)?;
                        value = value.field(name).cloned().ok_or_else(|| {
                            self.error(format!("the record has no field `{name}`"))
                        })?;
                    }
                    value.write_display(out);
                }
            }
        }
        Ok(())
    }

    /// A default text of the stdlib (which may interpolate built-ins), filled in.
    pub fn default_text(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    write_builtin(self.s, &after[..close], &mut out);
                    rest = &after[close + 1..];
                }
                None => {
                    rest = &rest[open..];
                    break;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The opt-out text: the `optin` card's, else the default.
    pub fn optout_text(&self) -> String {
        match &self.s.optout_message {
            Some(text) => text.clone(),
            None => self.default_text(builtins::OPTOUT_MESSAGE),
        }
    }

    pub fn store(&mut self, var: u32, value: Value) -> Result<(), RuntimeError> {
        let info = self
            .p
            .vars
            .get(var as usize)
            .ok_or_else(|| self.error("variable index out of range"))?;
        if info.builtin {
            return Err(self.error("a built-in variable cannot be assigned"));
        }
        let slot = self
            .s
            .vars
            .get_mut(var as usize)
            .ok_or_else(|| RuntimeError::plain("variable index out of range"))?;
        *slot = Some(value);
        Ok(())
    }

    /// Binds an optional `as` variable (`bind` is the raw `OptVar` operand).
    pub fn bind(&mut self, bind: u32, value: Value) -> Result<(), RuntimeError> {
        match bind.checked_sub(1) {
            Some(var) => self.store(var, value),
            None => Ok(()),
        }
    }

    /// Argument `name` of catalogue card `card` in record `args`.
    pub fn arg(&self, card: CardId, args: u32, name: &str) -> Option<&'a ArgValue> {
        self.p.arg_named(card.index(), args, name)
    }

    /// A text argument, interpolated; `None` when absent.
    pub fn arg_text(
        &self,
        card: CardId,
        args: u32,
        name: &str,
    ) -> Result<Option<String>, RuntimeError> {
        match self.arg(card, args, name) {
            None => Ok(None),
            Some(value) => self.arg_value_text(value).map(Some),
        }
    }

    fn arg_value_text(&self, value: &ArgValue) -> Result<String, RuntimeError> {
        match value {
            ArgValue::Message(idx) => self.message(*idx),
            ArgValue::Const(idx) => Ok(self.constant(*idx)?.display()),
            ArgValue::Item { kind, index } => self.entity_name(*kind, *index),
            ArgValue::Flow(idx) => Ok(self.p.flow_name(*idx).unwrap_or_default().to_string()),
            ArgValue::List(items) => Ok(items
                .iter()
                .map(|it| self.arg_value_text(it))
                .collect::<Result<Vec<_>, _>>()?
                .join(", ")),
        }
    }

    /// The texts of a list argument.
    pub fn arg_texts(
        &self,
        card: CardId,
        args: u32,
        name: &str,
    ) -> Result<Option<Vec<String>>, RuntimeError> {
        match self.arg(card, args, name) {
            None => Ok(None),
            Some(ArgValue::List(items)) => items
                .iter()
                .map(|it| self.arg_value_text(it))
                .collect::<Result<_, _>>()
                .map(Some),
            Some(other) => Ok(Some(vec![self.arg_value_text(other)?])),
        }
    }

    /// A constant argument's value.
    pub fn arg_const(
        &self,
        card: CardId,
        args: u32,
        name: &str,
    ) -> Result<Option<Value>, RuntimeError> {
        match self.arg(card, args, name) {
            None => Ok(None),
            Some(ArgValue::Const(idx)) => self.constant(*idx).map(Some),
            Some(_) => Err(self.error(format!("argument `{name}` is not a constant"))),
        }
    }

    /// An entity argument: its kind and index.
    pub fn arg_item(&self, card: CardId, args: u32, name: &str) -> Option<(EntityRef, u32)> {
        match self.arg(card, args, name) {
            Some(ArgValue::Item { kind, index }) => Some((*kind, *index)),
            _ => None,
        }
    }

    pub fn constant(&self, idx: u32) -> Result<Value, RuntimeError> {
        self.p
            .consts
            .get(idx as usize)
            .and_then(|it| Value::from_const(self.p, it))
            .ok_or_else(|| self.error("constant index out of range"))
    }

    pub fn entity_name(&self, kind: EntityRef, index: u32) -> Result<String, RuntimeError> {
        self.entity_str(kind, index).map(str::to_string)
    }

    /// The declared name of an entity, borrowed from the program.
    pub fn entity_str(&self, kind: EntityRef, index: u32) -> Result<&'a str, RuntimeError> {
        let name = self
            .p
            .entities
            .name(kind, index)
            .ok_or_else(|| self.error(format!("{} index out of range", kind.keyword())))?;
        self.str(name)
    }

    /// Whether the conversation carries the tag called `name` (put by a `tag` card).
    pub fn has_tag(&self, name: &str) -> bool {
        self.s.tags.iter().any(|idx| {
            self.entity_str(EntityRef::Tag, *idx)
                .is_ok_and(|it| it == name)
        })
    }

    /// The retry parameters of `card` (defaults from the catalogue when the record
    /// lacks them, e.g. in a hand-made program).
    pub fn retry(&self, card: CardId, args: u32) -> Result<Retry, RuntimeError> {
        let retries = match self.arg_const(card, args, "retries")? {
            Some(Value::Number(n)) if n >= 1.0 => n.min(1000.0) as u32,
            _ => 3,
        };
        let invalid_message = self
            .arg_text(card, args, "invalid_message")?
            .unwrap_or_else(|| builtins::INVALID_MESSAGE.to_string());
        Ok(Retry {
            retries,
            invalid_message,
            fail: self.fail(card, args)?,
        })
    }

    pub fn fail(&self, card: CardId, args: u32) -> Result<Fail, RuntimeError> {
        let flow = match self.arg(card, args, "fail_flow") {
            Some(ArgValue::Flow(idx)) => Some(*idx),
            _ => None,
        };
        Ok(Fail {
            message: self.arg_text(card, args, "fail_message")?,
            flow,
        })
    }

    /// A wrong answer: with tries left, `invalid_message` and `reask`; the wrong answer
    /// that uses up the last try fails the card.
    pub fn wrong_answer(
        &mut self,
        retry: Retry,
        reask: impl FnOnce(&mut Cx) -> Result<(), RuntimeError>,
    ) -> Result<Next, RuntimeError> {
        self.s.tries += 1;
        if self.s.tries >= retry.retries {
            return self.fail_with(retry.fail);
        }
        self.say(retry.invalid_message);
        reask(self)?;
        Ok(Next::Customer)
    }

    /// Sends the fail message and continues at the fail flow, or closes.
    pub fn fail_with(&mut self, fail: Fail) -> Result<Next, RuntimeError> {
        if let Some(text) = fail.message {
            self.say(text);
        }
        match fail.flow {
            Some(flow) => Ok(Next::Go(self.flow_entry(flow)?)),
            None => Ok(self.close()),
        }
    }

    pub fn flow_entry(&self, flow: u32) -> Result<u32, RuntimeError> {
        self.p
            .flows
            .get(flow as usize)
            .map(|it| it.entry)
            .ok_or_else(|| self.error("flow index out of range"))
    }
}

/// What an interpolated variable is expected to add to a message, in bytes: enough for
/// a name, a protocol number or a CPF, so most messages are allocated once.
const VAR_LEN_GUESS: usize = 24;

/// A variable's value: a built-in computed from the session, or an assigned one.
pub(crate) fn read_var(s: &Session, p: &Program, var: u32) -> Result<Value, String> {
    let info = p
        .vars
        .get(var as usize)
        .ok_or("variable index out of range")?;
    let name = p.string(info.name).unwrap_or_default();
    if info.builtin {
        return Ok(match name {
            "channel" => Value::pattern(EnumKind::Channel, s.ctx.channel.name())
                .unwrap_or(Value::Text(String::new())),
            "now" => Value::Time(clock::local(s.now).minute),
            other => Value::Text(builtin_str(s, other).to_string()),
        });
    }
    assigned(s, var, name).cloned()
}

/// Appends a variable as a message shows it (`read_var(..).display()`), without
/// copying the value.
fn write_var(s: &Session, p: &Program, var: u32, out: &mut String) -> Result<(), String> {
    let info = p
        .vars
        .get(var as usize)
        .ok_or("variable index out of range")?;
    let name = p.string(info.name).unwrap_or_default();
    match name {
        _ if !info.builtin => assigned(s, var, name)?.write_display(out),
        "channel" | "now" => read_var(s, p, var)?.write_display(out),
        other => out.push_str(builtin_str(s, other)),
    }
    Ok(())
}

fn assigned<'s>(s: &'s Session, var: u32, name: &str) -> Result<&'s Value, String> {
    s.vars
        .get(var as usize)
        .and_then(Option::as_ref)
        .ok_or_else(|| format!("variable `{name}` is read before it is assigned"))
}

/// Appends a built-in as a default text of the stdlib shows it.
fn write_builtin(s: &Session, name: &str, out: &mut String) {
    match name {
        "now" => Value::Time(clock::local(s.now).minute).write_display(out),
        other => out.push_str(builtin_str(s, other)),
    }
}

/// The text built-ins the session holds (all but `now`), borrowed.
fn builtin_str<'s>(s: &'s Session, name: &str) -> &'s str {
    match name {
        "protocol" => s.ctx.protocol(),
        "user_name" => s.ctx.user_name(),
        "client_name" => s
            .ctx
            .link
            .as_ref()
            .map_or(CLIENT_NAME_FALLBACK, |it| it.name.as_str()),
        "contact_phone" => s.ctx.contact_phone(),
        "company_name" => s.ctx.company_name(),
        "attendant_name" => s.ctx.attendant_name(),
        "channel" => s.ctx.channel.opa_label(),
        _ => "",
    }
}

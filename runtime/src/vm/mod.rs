//! The VM: runs a session on a program from one wait to the next. Synchronous,
//! deterministic, no I/O; each `resume` executes at most `STEP_BUDGET` instructions.
//!
//! The loop here decodes instructions and dispatches them: expression instructions to
//! `expr`, and every card to its own file under `cards/` (call cards by their `CardId`).
//! A card runs in steps: entered once, then handed each event while it waits;
//! it answers with a `Next` (go on at a pc, wait, or end). Card instructions run with
//! an empty expression stack, so a waiting conversation is (pc, card sub-state,
//! variables) and nothing else.

mod answers;
mod cards;
mod cx;
mod expr;
mod turn;

use fluxo_stdlib::builtins::OPTOUT_COMMAND;
use fluxo_stdlib::types::Channel;

use crate::{RuntimeError, Value};

pub(crate) use cx::read_var;

use self::cx::Cx;
use crate::bytecode::{Op, Program};
use crate::session::{Effect, Ending, Event, HostResult, Session, Status, Turn, Wait};

/// Instructions one `resume` may execute before it gives up: a flow that runs this
/// long without waiting loops (the checker refuses such loops in source programs, but
/// bytecode may come from anywhere).
pub const STEP_BUDGET: u32 = 10_000;

/// What a card (or an instruction) decides. Small (two words), as every instruction
/// returns one: the rare waits that carry data are boxed.
#[derive(Debug)]
pub(crate) enum Next {
    /// Go on at this pc (a new card: its sub-state and tries start afresh).
    Go(u32),
    /// Stay on this card and wait for the customer.
    Customer,
    /// Stay on this card and wait for something else (never `Wait::Customer`).
    Wait(Box<Wait>),
    /// The bot's part is over.
    End(Ending),
}

impl Next {
    /// Stay on this card and wait for `wait`.
    pub fn wait(wait: Wait) -> Next {
        match wait {
            Wait::Customer => Next::Customer,
            other => Next::Wait(Box::new(other)),
        }
    }
}

/// What a card is handed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Input<'e> {
    /// The card is reached.
    Enter,
    /// An event for the card that waits.
    Event(&'e Event),
}

pub(crate) fn start(session: &mut Session, program: &Program) -> Result<Turn, RuntimeError> {
    let mut cx = Cx::new(session, program);
    let next = run(&mut cx, Input::Enter)?;
    Ok(cx.finish(next))
}

/// Inlined (as `run` is): the turn and each step's result are handed back through
/// memory otherwise, and copying them right after they are written stalls the CPU
/// (store forwarding) on every turn.
#[inline]
pub(crate) fn resume(
    session: &mut Session,
    program: &Program,
    event: &Event,
) -> Result<Turn, RuntimeError> {
    let wait = match &session.status {
        Status::Ready => {
            return Err(RuntimeError::plain(
                "the conversation has not started: call `start` first",
            ))
        }
        Status::Waiting(Wait::Done(_)) => {
            return Err(RuntimeError::plain("the conversation is over"))
        }
        Status::Waiting(wait) => wait.clone(),
    };
    let mut cx = Cx::new(session, program);
    let opts_out = match event {
        Event::OptOut => true,
        Event::Message(message) => {
            cx.s.ctx.channel == Channel::Whatsapp
                && message.text.trim().eq_ignore_ascii_case(OPTOUT_COMMAND)
        }
        _ => false,
    };
    if opts_out {
        let text = cx.optout_text();
        cx.say(text);
        cx.effect(Effect::OptOut);
        return Ok(cx.finish(Next::End(Ending::OptedOut)));
    }
    let fits = match (&wait, event) {
        (Wait::Customer, Event::Message(_)) | (Wait::Timer { .. }, Event::TimerFired) => true,
        (Wait::Host(_), Event::Message(message))
        | (Wait::Timer { .. }, Event::Message(message)) => {
            cx.s.queued.push(message.clone());
            return Ok(cx.finish(Next::wait(wait)));
        }
        (Wait::Host(call), Event::HostResult(result)) => matches!(
            (call, result),
            (crate::session::HostCall::Erp { .. }, HostResult::Erp(_))
                | (
                    crate::session::HostCall::Lowcode { .. },
                    HostResult::Lowcode(_)
                )
                | (
                    crate::session::HostCall::Intent { .. },
                    HostResult::Intent(_)
                )
                | (crate::session::HostCall::Agent { .. }, HostResult::Agent(_))
        ),
        _ => false,
    };
    if !fits {
        return Err(RuntimeError::plain(format!(
            "the conversation waits for {}, not for {}",
            describe_wait(&wait),
            describe_event(event)
        )));
    }
    if let (Wait::Timer { secs }, Event::TimerFired) = (&wait, event) {
        let now =
            cx.s.now
                .saturating_add(i64::try_from(*secs).unwrap_or(i64::MAX));
        cx.s.set_now(now);
    }
    let next = run(&mut cx, Input::Event(event))?;
    Ok(cx.finish(next))
}

/// Runs from the session's pc, handing `input` to the instruction there, until a card
/// waits or the conversation ends.
#[inline]
fn run(cx: &mut Cx, first: Input) -> Result<Next, RuntimeError> {
    let mut input = first;
    let mut queued_event;
    let mut stack: Vec<Value> = Vec::new();
    let mut steps = 0u32;
    loop {
        steps += 1;
        if steps > STEP_BUDGET {
            return Err(cx.error(format!(
                "the conversation ran {STEP_BUDGET} instructions without waiting for anything (an endless loop?)"
            )));
        }
        let pc = cx.s.pc;
        let (op, after) =
            cx.p.op_at(pc)
                .map_err(|err| cx.error(format!("bad instruction: {err}")))?;
        let next = match op {
            Op::Jump { target } => Next::Go(target),
            Op::JumpIfFalse { target } => match stack.pop() {
                Some(Value::Bool(false)) => Next::Go(target),
                Some(Value::Bool(true)) => Next::Go(after),
                other => {
                    return Err(cx.error(format!(
                        "`if` needs a bool, found {}",
                        kind_of(other.as_ref())
                    )))
                }
            },
            Op::Set { var } => {
                let value = stack
                    .pop()
                    .ok_or_else(|| cx.error("`set` with an empty stack"))?;
                cx.store(var, value)?;
                Next::Go(after)
            }
            _ if !op.is_card() => {
                expr::exec(cx, op, &mut stack)?;
                Next::Go(after)
            }
            _ => {
                if !stack.is_empty() {
                    return Err(cx.error("a card ran with values left on the expression stack"));
                }
                cards::exec(cx, op, after, input)?
            }
        };
        input = Input::Enter;
        match next {
            Next::Go(target) => cx.go(target),
            Next::Customer if !cx.s.queued.is_empty() => {
                let message = cx.s.queued.remove(0);
                queued_event = Event::Message(message);
                input = Input::Event(&queued_event);
            }
            other => return Ok(other),
        }
    }
}

fn kind_of(value: Option<&Value>) -> &'static str {
    value.map_or("nothing", Value::type_name)
}

fn describe_wait(wait: &Wait) -> &'static str {
    match wait {
        Wait::Customer => "a customer message",
        Wait::Host(_) => "a host-call result",
        Wait::Timer { .. } => "its timer",
        Wait::Done(_) => "nothing",
    }
}

fn describe_event(event: &Event) -> &'static str {
    match event {
        Event::Message(_) => "a customer message",
        Event::HostResult(_) => "a host-call result of this kind",
        Event::TimerFired => "a timer",
        Event::OptOut => "an opt-out",
    }
}

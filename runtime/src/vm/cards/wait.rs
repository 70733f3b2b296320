//! `wait <duration>`: suspends the conversation on a timer and goes on when it fires.

use super::Cx;
use crate::session::{Event, Wait};
use crate::vm::{Input, Next};
use crate::RuntimeError;

pub(super) fn run(
    cx: &mut Cx,
    seconds: u32,
    after: u32,
    input: Input,
) -> Result<Next, RuntimeError> {
    match input {
        Input::Event(Event::TimerFired) => Ok(Next::Go(after)),
        _ if seconds == 0 => Ok(Next::Go(after)),
        _ => {
            let _ = cx;
            Ok(Next::wait(Wait::Timer {
                secs: u64::from(seconds),
            }))
        }
    }
}

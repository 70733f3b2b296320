//! The running half of a session's API: `Session::start`, `resume` and `var`.
//!
//! They are methods of `Session`, which is how a driver wants to call them, but they
//! are defined here, by the VM that runs sessions: `session` stays plain data (state,
//! snapshots) and never imports the VM, so the two modules depend one way.

use super::Session;
use crate::bytecode::Program;
use crate::session::{Event, Status, Turn};
use crate::{RuntimeError, Value};

impl Session {
    /// Runs the conversation from its entry to the first wait.
    pub fn start(&mut self, program: &Program) -> Result<Turn, RuntimeError> {
        self.check_program(program)?;
        if self.status != Status::Ready {
            return Err(RuntimeError::plain("the conversation has already started"));
        }
        super::start(self, program)
    }

    /// Hands `event` to the waiting conversation and runs it to its next wait.
    #[inline]
    pub fn resume(&mut self, program: &Program, event: Event) -> Result<Turn, RuntimeError> {
        self.check_program(program)?;
        super::resume(self, program, &event)
    }

    /// The value of a program variable by name, if assigned (built-ins included).
    pub fn var(&self, program: &Program, name: &str) -> Option<Value> {
        let idx = program.var_index(name)?;
        super::read_var(self, program, idx).ok()
    }
}

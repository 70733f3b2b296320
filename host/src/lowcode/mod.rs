//! Low Code: sandboxed Rhai scripts that talk to systems with no API (an OLT
//! portal, a router's web page) and hand a record back to the flow.
//!
//! This module owns running a script, compiled once by `fluxo_lowcode` (re-exported
//! here as [`compile`]), many times under hard limits, and checking the record it
//! returns. It knows nothing about the VM, the flow language or async: [`run`] blocks,
//! and the async driver calls it through `spawn_blocking`. The checker compiles
//! scripts with `fluxo_lowcode` directly, so a script that passes there loads here.
//!
//! ```
//! use std::time::Duration;
//! use fluxo_host::lowcode::{self, FieldType, LowcodeConfig};
//!
//! let script = lowcode::compile("soma", "#{ total: input.a + input.b }").unwrap();
//! let mut input = serde_json::Map::new();
//! input.insert("a".into(), 2.into());
//! input.insert("b".into(), 3.into());
//! let outcome = lowcode::run(&script, input, Duration::from_secs(1), &LowcodeConfig::default());
//! let record = outcome.result.unwrap();
//! assert_eq!(record["total"], 5);
//! lowcode::validate_record(&record, &[("total".to_string(), FieldType::Number)]).unwrap();
//! ```

mod engine;
mod error;
mod extract;
mod http;
mod nested;
mod record;
mod simulated;
mod text;

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

pub use error::{LimitKind, LowcodeError};
pub use fluxo_lowcode::{compile, CompiledScript, ScriptError};
pub use record::{validate_record, FieldType};
pub use simulated::SimulatedLowcode;

/// What a deployment allows Low Code scripts to do; shared by all runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LowcodeConfig {
    /// Hosts the HTTP functions may reach: `host` (any port), `host:port`, or
    /// `*.domain` (any subdomain of `domain`, not `domain` itself). Matching
    /// ignores case. Empty (the default) means scripts can make no requests.
    pub allowed_hosts: Vec<String>,
    /// Resource limits of one run.
    pub limits: Limits,
    /// The date `today()` returns. The driver passes the conversation clock's
    /// date so that a run is reproducible; `None` makes `today()` an error.
    pub today: Option<time::Date>,
}

/// Resource limits of one run. The five Rhai limits (operations to map size)
/// read 0 as 1: Rhai takes 0 to mean "unlimited", which a runtime serving many
/// conversations at once must never be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rhai operations (roughly, evaluated expressions and statements) per run.
    /// Default 1,000,000: a scraping script uses a few hundred, an accidental
    /// infinite loop reaches it in about 0.2 s.
    pub max_operations: u64,
    /// Nested calls of script functions. Default 32.
    pub max_call_depth: usize,
    /// Bytes of one string. Default 1 MiB, enough for a portal page.
    pub max_string_size: usize,
    /// Elements of one array, nested arrays included. Default 10,000.
    pub max_array_size: usize,
    /// Entries of one object map, nested maps included. Default 1,000.
    pub max_map_size: usize,
    /// Bytes of one HTTP response body. Default 1 MiB.
    pub max_response_bytes: usize,
    /// Redirects followed by one HTTP call. Default 5.
    pub max_redirects: usize,
    /// Lines kept from `print`/`debug`; later lines are counted, not kept. Default 200.
    pub max_log_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 1_000_000,
            max_call_depth: 32,
            max_string_size: 1 << 20,
            max_array_size: 10_000,
            max_map_size: 1_000,
            max_response_bytes: 1 << 20,
            max_redirects: 5,
            max_log_lines: 200,
        }
    }
}

/// The longest a run may take, whatever timeout the flow asks for: a
/// conversation should never wait on a script for longer.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(600);

/// What one run produced: the record or the reason it failed, and everything
/// the script printed (in order), which the caller logs either way.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    pub result: Result<Map<String, Value>, LowcodeError>,
    pub log: Vec<String>,
}

/// How long after its deadline a run is given up on when it has not returned: the
/// clock is read every few operations, so only a host function that never returns to
/// the engine (a bug: each bounds its own work) gets this far.
pub const WATCHDOG_SLACK: Duration = Duration::from_millis(500);

/// The stack of a run's thread: what the engine needs for a script (1 MiB for the
/// deepest calls `max_call_depth` allows) plus, per level of nesting that the size
/// limits allow (an array of arrays of ... counts one element per level), what Rhai's
/// own walks over a value take (its size checks, clone and drop recurse; printing,
/// comparing and converting values stop at 64 levels). A debug build's frames are
/// several times larger, and it is the one tests run.
fn stack_size(limits: &Limits) -> usize {
    const BASE: usize = 4 << 20;
    const PER_LEVEL: usize = if cfg!(debug_assertions) { 2048 } else { 1024 };
    const MAX_STACK: usize = 256 << 20;
    let levels = limits
        .max_array_size
        .max(1)
        .saturating_add(limits.max_map_size.max(1));
    levels
        .saturating_mul(PER_LEVEL)
        .saturating_add(BASE)
        .min(MAX_STACK)
}

/// Runs `script` with `input` bound to the variable `input` and returns the
/// map it evaluates to (its last expression or a top-level `return`).
///
/// Call it through `spawn_blocking` from async code; it is safe (but
/// stalls the thread) on an async runtime's own thread too.
///
/// The script runs on a thread of its own, whose stack is sized for the deepest
/// values the limits allow, so that no script can overflow the caller's stack (an
/// abort of the whole process, not a panic). A panic in the engine is this run's
/// error, not the caller's.
///
/// Blocks for at most about `timeout` (capped at [`MAX_TIMEOUT`]): the clock
/// is checked between Rhai operations and bounds every HTTP request, so a hung
/// server or an endless loop ends the run with [`LowcodeError::Timeout`] or a
/// [`LowcodeError::Limit`]; CPU-bound host functions bound their input. Should the
/// run still not return, it is abandoned [`WATCHDOG_SLACK`] after its deadline.
pub fn run(
    script: &CompiledScript,
    input: Map<String, Value>,
    timeout: Duration,
    config: &LowcodeConfig,
) -> RunOutcome {
    let started = Instant::now();
    let deadline = started
        .checked_add(timeout.min(MAX_TIMEOUT))
        .unwrap_or(started);
    let state = Arc::new(engine::RunState::new(config, deadline));
    let (done, outcome) = mpsc::sync_channel(1);
    let worker = {
        let script = script.clone();
        let state = Arc::clone(&state);
        let config = config.clone();
        std::thread::Builder::new()
            .name(format!("lowcode {}", script.name()))
            .stack_size(stack_size(&config.limits))
            .spawn(move || {
                let result = engine::evaluate(script.ast(), input, &state, &config);
                // The caller may have given up on this run; nobody is left to tell.
                let _ = done.send(result);
            })
    };
    let failed = |message: String| LowcodeError::Script {
        message,
        line: None,
    };
    let result = match worker {
        Err(err) => Err(failed(format!(
            "could not start the script's thread: {err}"
        ))),
        Ok(_) => {
            let wait = deadline.saturating_duration_since(Instant::now()) + WATCHDOG_SLACK;
            match outcome.recv_timeout(wait) {
                Ok(result) => result,
                Err(RecvTimeoutError::Timeout) => Err(LowcodeError::Timeout),
                Err(RecvTimeoutError::Disconnected) => Err(failed(
                    "the script engine stopped on an internal error (a bug in Fluxo)".into(),
                )),
            }
        }
    };
    RunOutcome {
        result,
        log: state.take_log(),
    }
}

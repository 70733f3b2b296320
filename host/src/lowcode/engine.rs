//! The Rhai sandbox: which language features and functions a script gets,
//! the limits and clock it runs under, and where its `print` goes.
//!
//! Everything starts from `Engine::new_raw()`, which has no functions at all;
//! only pure computation packages and our own host functions are added. Left
//! out on purpose: `eval`, `import`, `sleep`, `exit`, `timestamp` and the
//! blob/bit-field packages (no file, clock or process access, no way to stall
//! the thread outside the clock's reach).

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use fluxo_lowcode::{input_scope, parser};
use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicIteratorPackage, BasicMapPackage, BasicMathPackage,
    BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{Dynamic, Engine, ImmutableString, Module, Shared, AST};
use serde_json::{Map, Value};

use super::error::{script_error, LowcodeError};
use super::http::HttpSession;
use super::{extract, nested, record, text, LowcodeConfig};

/// The clock is read every this many operations: often enough to stop within
/// microseconds of the deadline, rarely enough to cost nothing measurable.
const CLOCK_EVERY_OPERATIONS: u64 = 64;

/// The per-run world the host functions see: the clock, the HTTP session
/// with its cookie jar, and the captured log.
pub(crate) struct RunState {
    deadline: Instant,
    max_log_lines: usize,
    log: Mutex<Log>,
    http: Arc<HttpSession>,
}

#[derive(Default)]
struct Log {
    lines: Vec<String>,
    n_dropped: usize,
}

impl RunState {
    pub(crate) fn new(config: &LowcodeConfig, deadline: Instant) -> RunState {
        RunState {
            deadline,
            max_log_lines: config.limits.max_log_lines,
            log: Mutex::new(Log::default()),
            http: Arc::new(HttpSession::new(config, deadline)),
        }
    }

    /// Keeps `line`, cut at [`nested::MAX_PRINTED`] bytes: 200 lines of 1 MiB each
    /// would be 200 MiB of log per run.
    fn push_log(&self, line: &str) {
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log.lines.len() < self.max_log_lines {
            let mut cut = line.len().min(nested::MAX_PRINTED);
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            log.lines.push(match line.len() - cut {
                0 => line.to_string(),
                n_cut => format!("{}... ({n_cut} more bytes)", &line[..cut]),
            });
        } else {
            log.n_dropped += 1;
        }
    }

    pub(crate) fn take_log(&self) -> Vec<String> {
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        let n_dropped = log.n_dropped;
        let mut lines = std::mem::take(&mut log.lines);
        if n_dropped > 0 {
            lines.push(format!("({n_dropped} more log lines were dropped)"));
        }
        lines
    }
}

/// Runs `ast` in a fresh sandbox and converts its value into a record.
pub(crate) fn evaluate(
    ast: &AST,
    input: Map<String, Value>,
    state: &Arc<RunState>,
    config: &LowcodeConfig,
) -> Result<Map<String, Value>, LowcodeError> {
    let input = record::to_script(input)?;
    let engine = runner(state, config);
    let mut scope = input_scope(input);
    let value = engine
        .eval_ast_with_scope::<Dynamic>(&mut scope, ast)
        .map_err(|err| LowcodeError::from_eval(&err))?;
    record::from_script(value, &config.limits)
}

/// A sandbox for one run. Building it is cheap: the packages are built once
/// per process and shared, only the few closures over `state` are new.
fn runner(state: &Arc<RunState>, config: &LowcodeConfig) -> Engine {
    let mut engine = parser();
    for module in modules() {
        engine.register_global_module(module.clone());
    }

    let limits = &config.limits;
    engine.set_max_operations(limits.max_operations.max(1));
    engine.set_max_call_levels(limits.max_call_depth.max(1));
    engine.set_max_string_size(limits.max_string_size.max(1));
    engine.set_max_array_size(limits.max_array_size.max(1));
    engine.set_max_map_size(limits.max_map_size.max(1));

    let deadline = state.deadline;
    engine.on_progress(move |n_operations| {
        let due = n_operations % CLOCK_EVERY_OPERATIONS == 0 && Instant::now() >= deadline;
        due.then(|| Dynamic::from(LowcodeError::Timeout))
    });
    let printer = Arc::clone(state);
    engine.on_print(move |line| printer.push_log(line));
    let debugger = Arc::clone(state);
    engine.on_debug(move |line, _, position| match position.line() {
        Some(n) => debugger.push_log(&format!("[line {n}] {line}")),
        None => debugger.push_log(line),
    });

    let today = config.today;
    engine.register_fn("today", move || match today {
        Some(date) => Ok(ImmutableString::from(text::iso_date(date))),
        None => Err(script_error(
            "today() has no date: the host did not pass one",
        )),
    });
    super::http::register(&mut engine, &state.http);
    engine
}

/// The shared function library, in lookup order reversed: Rhai searches the
/// last registered module first, so ours come last and override the stock
/// `trim`/`replace`, which mutate in place and return nothing.
fn modules() -> &'static [Shared<Module>] {
    static MODULES: OnceLock<Vec<Shared<Module>>> = OnceLock::new();
    MODULES.get_or_init(|| {
        let mut helpers = Module::new();
        extract::register(&mut helpers);
        text::register(&mut helpers);
        nested::register(&mut helpers);
        vec![
            ArithmeticPackage::new().as_shared_module(),
            LogicPackage::new().as_shared_module(),
            BasicStringPackage::new().as_shared_module(),
            MoreStringPackage::new().as_shared_module(),
            BasicIteratorPackage::new().as_shared_module(),
            BasicArrayPackage::new().as_shared_module(),
            BasicMapPackage::new().as_shared_module(),
            BasicMathPackage::new().as_shared_module(),
            helpers.into(),
        ]
    })
}

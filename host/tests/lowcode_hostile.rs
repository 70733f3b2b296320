//! Hostile Low Code scripts, each once a way to take the whole process down or to
//! outlive the run's timeout (issue 18): deep nesting printed, compared, converted and
//! returned (a stack overflow aborts the process, whatever thread it happens on),
//! `replace` and `regex_replace` with an empty pattern (they allocated before the size
//! check: 2 GiB for two small strings), `html_select` on deeply nested HTML (62 s
//! against a 1 s timeout) or on nested elements around one long text, and `print` of
//! huge lines. Each must end the run with an error the card's fail path logs, or a
//! record, within its timeout plus the watchdog's slack, in this process.
//!
//! Memory is not measured here: each probe's result is bounded by the limits it is
//! refused at (1 MiB strings), which these assertions check.

use std::time::{Duration, Instant};

use fluxo_host::lowcode::{self, LimitKind, LowcodeConfig, LowcodeError, WATCHDOG_SLACK};
use serde_json::Map;

/// Runs `source` under a `timeout_secs` timeout and checks it returned in time.
fn run(source: &str, timeout_secs: u64) -> lowcode::RunOutcome {
    let script = lowcode::compile("hostil", source).expect("the probe compiles");
    let timeout = Duration::from_secs(timeout_secs);
    let started = Instant::now();
    let outcome = lowcode::run(&script, Map::new(), timeout, &LowcodeConfig::default());
    let took = started.elapsed();
    assert!(took <= timeout + WATCHDOG_SLACK, "{source}: took {took:?}");
    outcome
}

fn script_error(outcome: &lowcode::RunOutcome) -> String {
    match &outcome.result {
        Err(LowcodeError::Script { message, .. }) => message.clone(),
        other => panic!("expected a script error, got {other:?}"),
    }
}

/// An array nested `levels` deep, in `a`; 2,000 levels overflowed a 2 MiB stack.
fn nested(levels: usize) -> String {
    format!("let a = []; for i in 0..{levels} {{ a = [a]; }} ")
}

#[test]
fn deep_nesting_is_printed_cut_and_refused_elsewhere() {
    let printed = run(
        &(nested(2500) + "print(a); debug(a); print(`${a}`); #{}"),
        120,
    );
    assert!(printed.result.is_ok(), "{:?}", printed.result);
    assert_eq!(printed.log.len(), 3);
    assert!(printed.log.iter().all(|line| line.contains("[...]")));
    let compared = run(&(nested(2500) + "let b = a; a == b"), 120);
    assert!(script_error(&compared).contains("nest more than 64 levels"));
    let found = run(&(nested(2500) + "[a].contains(a)"), 120);
    assert!(script_error(&found).contains("nest more than 64 levels"));
    let json = run(&(nested(2500) + "json_stringify(a)"), 120);
    assert!(script_error(&json).contains("nests more than 64 levels"));
    let returned = run(&(nested(2500) + "#{ a: a }"), 120);
    assert!(
        matches!(&returned.result, Err(LowcodeError::BadResult(why)) if why.contains("64 levels")),
        "{:?}",
        returned.result
    );
}

#[test]
fn the_deepest_nesting_the_limits_allow_is_dropped_safely() {
    // 9,990 levels: just under max_array_size, which counts one element per level.
    let outcome = run(&(nested(9990) + "let b = a; #{}"), 300);
    assert!(
        matches!(outcome.result, Ok(_) | Err(LowcodeError::Timeout)),
        "{:?}",
        outcome.result
    );
}

#[test]
fn replacing_an_empty_pattern_is_refused_before_allocating() {
    let big = "let s = \"a\"; for i in 0..19 { s += s; } ";
    for probe in [
        format!("{big} replace(s, \"\", s)"),
        format!("{big} regex_replace(s, \"\", s)"),
        "let t = \"x\"; for i in 0..19 { t += t; } replace(\"ab\", \"\", t)".to_string(),
    ] {
        let outcome = run(&probe, 30);
        assert_eq!(
            outcome.result,
            Err(LowcodeError::Limit(LimitKind::StringSize)),
            "{probe}"
        );
    }
    let fine = run("#{ s: replace(\"ab\", \"\", \"-\") }", 5);
    assert_eq!(fine.result.expect("a record")["s"], "-a-b-");
}

#[test]
fn html_work_is_bounded_by_its_input() {
    let deep = run(
        "let h = \"<div>\"; for i in 0..17 { h += h; } html_select(h, \"div\")",
        1,
    );
    assert!(script_error(&deep).contains("nests more than 512 elements"));
    let repeated = run(
        "let t = \"x\"; for i in 0..18 { t += t; } \
         let h = \"<div>\"; for i in 0..8 { h += h; } html_select(h + t, \"div\")",
        5,
    );
    assert_eq!(
        repeated.result,
        Err(LowcodeError::Limit(LimitKind::StringSize))
    );
}

#[test]
fn printed_lines_are_cut() {
    let outcome = run(
        "let s = \"a\"; for i in 0..19 { s += s; } for i in 0..300 { print(s); } #{}",
        30,
    );
    assert!(outcome.result.is_ok());
    assert_eq!(outcome.log.len(), 201);
    assert!(outcome.log[0].len() < 5000, "{}", outcome.log[0].len());
    assert!(outcome.log[0].ends_with("more bytes)"));
    assert_eq!(outcome.log[200], "(100 more log lines were dropped)");
}

/// Deep nesting in the source is refused by the parser's depth limits before anything
/// runs: the compiler and the host compile scripts on their own threads, whose stack
/// is not the sandbox's.
#[test]
fn deeply_nested_source_is_refused_when_compiled() {
    let deep = 100_000;
    for source in [
        format!("{}1{}", "(".repeat(deep), ")".repeat(deep)),
        format!("{}{}", "[".repeat(deep), "]".repeat(deep)),
        format!("{}1{}", "#{a: ".repeat(deep), "}".repeat(deep)),
        format!("{}1", "|| ".repeat(deep)),
        format!("{}1{}", "if true { ".repeat(deep), " }".repeat(deep)),
        format!("{}1{}", "f(".repeat(deep), ")".repeat(deep)),
        format!("{}1{}", "-".repeat(deep), ""),
        format!("{}{}", "`${".repeat(deep), "}`".repeat(deep)),
    ] {
        let compiled = lowcode::compile("hostil", &source);
        assert!(compiled.is_err(), "{}...", &source[..20]);
    }
}

#[test]
fn recursion_stops_at_the_call_depth() {
    let recursion = run("fn f(x) { f(x) } f(1)", 30);
    assert_eq!(
        recursion.result,
        Err(LowcodeError::Limit(LimitKind::CallDepth))
    );
    let named = run("fn um() { 1 } let f = Fn(\"um\"); #{ n: f.call() }", 5);
    assert_eq!(named.result.expect("a record")["n"], 1);
}

/// Closures and curried function pointers nest values no size limit counts (a chain
/// of 100,000 closures overflowed the run's 24 MiB stack in release when dropped;
/// `f = f.curry(f)` doubles its memory at each step): they are not part of the language.
#[test]
fn closures_and_curry_are_refused_when_compiled() {
    for source in [
        "let f = || 1; for i in 0..100000 { let g = f; f = || g.call(); } #{}",
        "let f = Fn(\"x\"); for i in 0..40 { f = f.curry(f); } #{}",
        "[1, 2].map(|x| x + 1)",
    ] {
        let refused = lowcode::compile("hostil", source);
        assert!(refused.is_err(), "{source}");
    }
}

#[test]
fn deep_json_is_refused_when_parsed() {
    let outcome = run(
        "let s = \"[\"; let t = \"]\"; for i in 0..17 { s += s; t += t; } json_parse(s + t)",
        30,
    );
    assert!(
        script_error(&outcome).contains("recursion limit"),
        "{:?}",
        outcome.result
    );
}

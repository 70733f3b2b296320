//! The VM's cost per turn and the size of waiting conversations, on examples/provedor.
//!
//! A scripted conversation (consent, a second copy with a contract menu, back to the
//! start, support with a weak signal and a ticket, the survey) is run once to record,
//! at every wait, the snapshot and the event that resumed it. One turn is then what a
//! deployment does per event: restore the snapshot, resume with the event, run to the
//! next wait, save the snapshot. `turn/customer` measures the turns resumed by a
//! customer message, `turn/all` every turn (host results and timers too).
//! Snapshot sizes (min/median/max bytes over the waits) are printed before measuring.

use std::path::Path;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use fluxo_compiler::{compile, CompileOptions};
use fluxo_host::erp::SimulatedErp;
use fluxo_runtime::bytecode::Program;
use fluxo_runtime::clock;
use fluxo_runtime::session::{Context, Event, HostCall, HostResult, Session, Wait};
use serde_json::json;

/// The customer's messages, in order.
const SCRIPT: &[&str] = &["1", "1", "1", "1", "sim", "2", "1", "1", "não", "5"];

fn program() -> Program {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor");
    let sources = fluxo::files::load_program(&dir).expect("the example folder loads");
    compile(&sources, &CompileOptions::default())
        .program
        .expect("the example compiles")
}

/// Runs the scripted conversation: the snapshot taken at each wait and the event that
/// resumed it.
fn record(program: &Program) -> Vec<(Vec<u8>, Event)> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/provedor/erp-demo.json");
    let erp = SimulatedErp::from_json(&std::fs::read_to_string(fixture).expect("the fixture"))
        .expect("the fixture loads");
    let now = clock::parse_rfc3339("2026-11-23T10:00:00-03:00").expect("an instant");
    let mut ctx = Context::new(now);
    ctx.user_name = "Ana".into();
    ctx.contact_phone = "+5548999990000".into();
    ctx.company_name = "Provedor Exemplo".into();
    ctx.protocol = "20261123000001".into();
    let mut session = Session::new(program, None, ctx).expect("a session");
    let mut turn = session.start(program).expect("the conversation starts");
    let mut messages = SCRIPT.iter();
    let mut turns = Vec::new();
    loop {
        let event = match &turn.wait {
            Wait::Customer => match messages.next() {
                Some(text) => Event::text(*text),
                None => break,
            },
            Wait::Host(HostCall::Erp { request }) => {
                Event::HostResult(HostResult::Erp(erp.handle(request, clock::today(now))))
            }
            Wait::Host(HostCall::Lowcode { .. }) => {
                let record = json!({"dbm": -29.5, "olt": "OLT-02"});
                Event::HostResult(HostResult::Lowcode(Ok(record
                    .as_object()
                    .cloned()
                    .unwrap_or_default())))
            }
            Wait::Host(other) => panic!("the script does not expect {other:?}"),
            Wait::Timer { .. } => Event::TimerFired,
            Wait::Done(_) => break,
        };
        turns.push((session.snapshot(), event.clone()));
        turn = session
            .resume(program, event)
            .expect("the conversation goes on");
    }
    assert!(session.is_done(), "the script ends the conversation");
    turns
}

/// One turn as a deployment runs it.
fn turn(program: &Program, snapshot: &[u8], event: &Event) -> Vec<u8> {
    let mut session = Session::restore(snapshot, program).expect("the snapshot restores");
    let turn = session
        .resume(program, event.clone())
        .expect("the turn runs");
    black_box(turn);
    session.snapshot()
}

fn print_sizes(turns: &[(Vec<u8>, Event)]) {
    let mut sizes: Vec<usize> = turns.iter().map(|(bytes, _)| bytes.len()).collect();
    sizes.sort_unstable();
    println!(
        "snapshot bytes over {} waits: min {}, median {}, max {}",
        sizes.len(),
        sizes.first().copied().unwrap_or(0),
        sizes.get(sizes.len() / 2).copied().unwrap_or(0),
        sizes.last().copied().unwrap_or(0),
    );
}

fn bench_turns(c: &mut Criterion) {
    let program = program();
    let all = record(&program);
    print_sizes(&all);
    let customer: Vec<_> = all
        .iter()
        .filter(|(_, event)| matches!(event, Event::Message(_)))
        .cloned()
        .collect();
    let mut group = c.benchmark_group("turn");
    for (name, turns) in [("customer", &customer), ("all", &all)] {
        group.throughput(Throughput::Elements(turns.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for (snapshot, event) in turns.iter() {
                    black_box(turn(&program, snapshot, event));
                }
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = bench_turns
}
criterion_main!(benches);

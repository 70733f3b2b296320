//! Load measurement of the async driver (issue 8), in real time: 10,000 concurrent
//! conversations against a fake ERP answering each request in 50–200 ms (seeded).
//! Customers answer each question as soon as it arrives. Prints throughput
//! (conversations/s, VM turns/s) and memory (RSS from /proc/self/statm, the stored
//! snapshots' bytes), and checks that every conversation ended with its own protocol
//! and CPF.
//!
//! Run: `cargo bench -p fluxo-runtime --bench driver_load` (optionally followed by
//! `-- <conversations>`). Not a criterion bench: one run of a whole population is the
//! measurement. Linux only for the memory figures.

#[path = "../tests/driver_support/mod.rs"]
mod driver_support;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use driver_support::{compile_dir, context, cpf, FakeErp};
use fluxo_host::driver::{ConversationId, Driver, Hosts, MemoryLog, Outbound};
use fluxo_runtime::session::{Ending, Event, Output};
use fluxo_stdlib::builtins::DOCUMENT_PROMPT;
use tokio::sync::mpsc;

const FLOW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/data/load");

/// Resident memory now, in MiB (`/proc/self/statm`, second field, 4 KiB pages).
fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|it| it.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

/// CPU time the process used so far, in seconds (`/proc/self/stat`: user + system
/// ticks, at the usual 100 ticks per second).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |it| it.1);
    let fields: Vec<f64> = rest
        .split_whitespace()
        .map(|it| it.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// What a conversation has shown so far.
#[derive(Default)]
struct Seen {
    protocol_ok: bool,
    client_ok: bool,
    ended: Option<Ending>,
}

#[tokio::main]
async fn main() {
    let count: u32 = std::env::args()
        .skip(1)
        .find_map(|it| it.parse().ok())
        .unwrap_or(10_000);
    let program = Arc::new(compile_dir(Path::new(FLOW)));
    let hosts = Hosts::new(Arc::new(FakeErp {
        delays: (50, 200),
        seed: 42,
    }));
    let (outbox, mut inbox) = mpsc::channel(4096);
    let log = Arc::new(MemoryLog::default());
    let driver = Driver::new(program, hosts, outbox, log.clone()).expect("inside a runtime");
    let rss_before = rss_mib();
    let started = Instant::now();
    for n in 0..count {
        let id = ConversationId::from(format!("c{n}"));
        driver
            .open(id, None, context(&format!("2026112300{n:06}")))
            .expect("opens");
    }
    // Let every conversation reach its first question, then look at memory: each
    // waits as its snapshot bytes.
    let mut seen: HashMap<ConversationId, Seen> = HashMap::new();
    let mut asked = 0;
    let mut pending_names = Vec::new();
    while asked < count {
        let (id, item) = inbox.recv().await.expect("the driver is alive");
        if let Outbound::Output(Output::Text { text }) = &item {
            if text.ends_with("nome?") {
                asked += 1;
                pending_names.push(id.clone());
            }
        }
        record(&mut seen, &id, &item);
    }
    let opened_in = started.elapsed();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let waiting = driver.stats();
    let rss_waiting = rss_mib();
    println!(
        "{count} conversations opened and waiting for the customer in {:.2} s",
        opened_in.as_secs_f64()
    );
    println!(
        "  memory while waiting: RSS {rss_waiting:.1} MiB (before {rss_before:.1} MiB, +{:.0} bytes per conversation); snapshots {} bytes in all, {:.0} per conversation",
        (rss_waiting - rss_before) * 1024.0 * 1024.0 / f64::from(count),
        waiting.snapshot_bytes,
        waiting.snapshot_bytes as f64 / f64::from(count),
    );
    let run_started = Instant::now();
    let cpu_before = cpu_secs();
    let turns_before = waiting.turns;
    for id in pending_names {
        driver
            .send(&id, Event::text(format!("Pessoa {id}")))
            .expect("live");
    }
    let mut ended = 0;
    let mut peak_rss = rss_waiting;
    let mut received = 0u64;
    while ended < count {
        let (id, item) = inbox.recv().await.expect("the driver is alive");
        received += 1;
        if let Outbound::Output(Output::Text { text }) = &item {
            if text == DOCUMENT_PROMPT {
                let n: u32 = id.as_str()[1..].parse().expect("our id");
                driver.send(&id, Event::text(cpf(n))).expect("live");
            }
        }
        if matches!(item, Outbound::Ended(_) | Outbound::Failed(_)) {
            ended += 1;
        }
        if received.is_multiple_of(10_000) {
            peak_rss = peak_rss.max(rss_mib());
        }
        record(&mut seen, &id, &item);
    }
    let elapsed = run_started.elapsed();
    let cpu = cpu_secs() - cpu_before;
    let stats = driver.stats();
    let turns = stats.turns - turns_before;
    let correct = seen
        .iter()
        .filter(|(_, it)| it.protocol_ok && it.client_ok && it.ended == Some(Ending::Closed))
        .count();
    println!(
        "{count} conversations answered to the end in {:.2} s: {:.0} conversations/s, {:.0} VM turns/s ({turns} turns, {} ERP calls)",
        elapsed.as_secs_f64(),
        f64::from(count) / elapsed.as_secs_f64(),
        turns as f64 / elapsed.as_secs_f64(),
        stats.host_calls,
    );
    println!(
        "  CPU {cpu:.2} s for the run (all threads, bench bookkeeping included): {:.0} VM turns per CPU second",
        turns as f64 / cpu.max(0.01)
    );
    println!(
        "  peak RSS while running {peak_rss:.1} MiB; RSS after {:.1} MiB",
        rss_mib()
    );
    println!(
        "  {correct} of {count} ended with their own protocol and CPF; failed {}, still live {}, log records {}",
        stats.failed,
        stats.live,
        log.take().len()
    );
    if correct != count as usize {
        std::process::exit(1);
    }
}

fn record(seen: &mut HashMap<ConversationId, Seen>, id: &ConversationId, item: &Outbound) {
    let n: u32 = id.as_str()[1..].parse().expect("our id");
    let entry = seen.entry(id.clone()).or_default();
    match item {
        Outbound::Output(Output::Text { text }) => {
            if text.contains(&format!("protocolo 2026112300{n:06}"))
                || text.contains(&format!("Protocolo 2026112300{n:06}"))
            {
                entry.protocol_ok = true;
            }
            if text.contains(&format!("Cliente {}, protocolo", cpf(n))) {
                entry.client_ok = true;
            }
        }
        Outbound::Ended(ending) => entry.ended = Some(*ending),
        _ => {}
    }
}

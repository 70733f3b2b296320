//! Build time for N and 4N tiny flows, and the ratio between them: issue 18's target
//! is at most 4.6x (building was worse than linear in the number of flows: 5 MB of tiny
//! flows built in 2 s, 10 MB in 6 s, 20 MB in 19 s).
//!
//! Run with `cargo bench --bench build_scaling`. N is 100,000 flows, the 5 MB
//! (4N its 20 MB); `FLUXO_BENCH_FLOWS=25000` sets another. It prints:
//! - the target's ratio: `fluxo build FILE -o OUT` run as a process on a file of N and
//!   of 4N flows, as the issue measured it, start to exit (reading, compiling,
//!   encoding, deflating and writing);
//! - the ratio of each phase of the compiler in memory (parse, check, lower), so that
//!   a phase that stops scaling shows.
//!
//! Each build runs in a process of its own and each figure is the best of five, N and
//! 4N taken in turn so that a noisy moment of the machine falls on both alike. (In one
//! process, a build after another reuses the memory the first freed only where the
//! allocator kept it: blocks under its mmap threshold stay, larger ones go back to the
//! system, so N's repeated builds ran with their pages mapped and 4N's did not.) Times
//! are by the wall clock and by the CPU clock: on a machine shared with other work the
//! CPU time leaves out the time a build waited for a core.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fluxo_compiler::check::{check_files, CheckOptions};
use fluxo_compiler::{compile, lower, parse_all, CompileOptions, Sources};

/// The text of `n` flows of one `say` each, every one reached from the entry by a
/// `goto` chain.
fn tiny_flows_text(n: usize) -> String {
    let mut text = String::from("flow main {\n    goto f0\n}\n");
    for k in 0..n {
        let next = if k + 1 < n {
            format!("goto f{}", k + 1)
        } else {
            "end".to_string()
        };
        text.push_str(&format!(
            "flow f{k} {{\n    say \"Olá {k}\"\n    {next}\n}}\n"
        ));
    }
    text
}

fn tiny_flows(n: usize) -> Sources {
    let mut sources = Sources::new();
    sources.add("tiny.flow".to_string(), tiny_flows_text(n));
    sources
}

fn build(sources: &Sources) {
    let compiled = compile(sources, &CompileOptions::default());
    assert!(
        compiled.program.is_some(),
        "{:?}",
        compiled.diagnostics.first()
    );
}

/// A (wall, CPU) time.
type Time = [Duration; 2];

fn cpu_clock(clock: libc::clockid_t) -> Duration {
    let mut spec = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `spec` is a valid timespec for the call to fill.
    let done = unsafe { libc::clock_gettime(clock, &mut spec) };
    assert_eq!(done, 0, "the CPU clock");
    Duration::new(spec.tv_sec as u64, spec.tv_nsec as u32)
}

/// The CPU time of this process's children that have ended.
fn children_cpu() -> Duration {
    // SAFETY: `usage` is a valid rusage for the call to fill.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage), 0);
        usage
    };
    let time = |it: libc::timeval| Duration::new(it.tv_sec as u64, it.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The CLI building `source` into `target`, as a process: its (wall, CPU) time.
fn cli_build(source: &Path, target: &Path) -> Vec<Time> {
    let cpu = children_cpu();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("build")
        .arg(source)
        .arg("-o")
        .arg(target)
        .output()
        .expect("fluxo build");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    vec![[wall, children_cpu() - cpu]]
}

/// The variable that makes this program build `flows` tiny flows once in memory,
/// print the times of its phases and exit.
const ONE_BUILD: &str = "FLUXO_BENCH_ONE_BUILD";

/// One build of `flows` tiny flows in memory: (wall, CPU) time as a whole and per
/// phase (parse, check, lower).
fn one_build(flows: usize) -> Vec<Time> {
    let sources = &tiny_flows(flows);
    let moment = || (Instant::now(), cpu_clock(libc::CLOCK_THREAD_CPUTIME_ID));
    let since = |(wall, cpu): (Instant, Duration), (to_wall, to_cpu): (Instant, Duration)| {
        [to_wall - wall, to_cpu - cpu]
    };
    let started = moment();
    let (files, _) = parse_all(sources);
    let parsed = moment();
    let (program, diagnostics) = check_files(sources, &files, &CheckOptions::default());
    let checked = moment();
    assert!(
        diagnostics.iter().all(|it| !it.is_error()),
        "{:?}",
        diagnostics.first()
    );
    assert!(lower::lower(sources, &files, &program).is_ok());
    let lowered = moment();
    vec![
        since(started, lowered),
        since(started, parsed),
        since(parsed, checked),
        since(checked, lowered),
    ]
}

/// [`one_build`] in a new process of this program.
fn phases_in_child(flows: usize) -> Vec<Time> {
    let exe = std::env::current_exe().expect("this program's path");
    let out = Command::new(exe)
        .arg("--bench")
        .env(ONE_BUILD, flows.to_string())
        .output()
        .expect("a child build");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let nanos: Vec<u64> = text
        .lines()
        .find_map(|line| line.strip_prefix("times "))
        .expect("the child's times")
        .split(' ')
        .map(|it| it.parse().expect("a number of nanoseconds"))
        .collect();
    nanos
        .chunks(2)
        .map(|it| it.iter().map(|&n| Duration::from_nanos(n)))
        .map(|mut it| [it.next().unwrap_or_default(), it.next().unwrap_or_default()])
        .collect()
}

/// The best of `runs` measures of `n` and of `4n` flows, taken in turn.
fn best_of(n: usize, runs: usize, mut measure: impl FnMut(usize) -> Vec<Time>) -> [Vec<Time>; 2] {
    let mut best: [Vec<Time>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (best, flows) in best.iter_mut().zip([n, 4 * n]) {
            let times = measure(flows);
            if best.is_empty() {
                *best = times;
                continue;
            }
            for (best, time) in best.iter_mut().flatten().zip(times.iter().flatten()) {
                *best = (*best).min(*time);
            }
        }
    }
    best
}

fn ms(time: Duration) -> String {
    format!("{:.1} ms", time.as_secs_f64() * 1e3)
}

fn ratio(small: Duration, large: Duration) -> f64 {
    large.as_secs_f64() / small.as_secs_f64()
}

fn print(what: &str, n: usize, small: Time, large: Time, note: &str) {
    println!(
        "{what}: {n} flows {} wall, {} CPU; {} flows {} wall, {} CPU: {:.2}x wall, {:.2}x \
         CPU{note}",
        ms(small[0]),
        ms(small[1]),
        4 * n,
        ms(large[0]),
        ms(large[1]),
        ratio(small[0], large[0]),
        ratio(small[1], large[1]),
    );
}

fn bench(c: &mut Criterion) {
    if let Ok(flows) = std::env::var(ONE_BUILD) {
        let times = one_build(flows.parse().expect("a number of flows"));
        let nanos: Vec<String> = times
            .iter()
            .flatten()
            .map(|it| it.as_nanos().to_string())
            .collect();
        println!("times {}", nanos.join(" "));
        std::process::exit(0);
    }
    let n: usize = std::env::var("FLUXO_BENCH_FLOWS")
        .ok()
        .and_then(|it| it.parse().ok())
        .unwrap_or(100_000);
    let mut group = c.benchmark_group("build_tiny_flows");
    group.sample_size(10);
    for flows in [n, 4 * n] {
        let sources = tiny_flows(flows);
        group.bench_with_input(
            BenchmarkId::from_parameter(flows),
            &sources,
            |b, sources| b.iter(|| build(sources)),
        );
    }
    group.finish();

    let dir = std::env::temp_dir().join(format!("fluxo-build-scaling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    for flows in [n, 4 * n] {
        std::fs::write(dir.join(format!("{flows}.flow")), tiny_flows_text(flows))
            .expect("a source file");
    }
    let cli = best_of(n, 5, |flows| {
        let source = dir.join(format!("{flows}.flow"));
        cli_build(&source, &dir.join(format!("{flows}.fxb")))
    });
    let _ = std::fs::remove_dir_all(&dir);
    let phases = best_of(n, 5, phases_in_child);
    print(
        "fluxo build",
        n,
        cli[0][0],
        cli[1][0],
        " (target at most 4.6x)",
    );
    for (idx, phase) in ["in memory", "  parse", "  check", "  lower"]
        .iter()
        .enumerate()
    {
        print(phase, n, phases[0][idx], phases[1][idx], "");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

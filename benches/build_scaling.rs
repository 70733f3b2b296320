//! Build (parse, check, lower) time for N and 4N tiny flows, and the ratio between
//! them: issue 18's target is at most 4.6x (building was worse than linear in the
//! number of flows: 5 MB of tiny flows in 2 s, 10 MB in 6 s, 20 MB in 19 s).
//!
//! Run with `cargo bench --bench build_scaling`; the ratio is printed at the end,
//! with each phase's (parse, check, lower) so that a phase that stops scaling shows.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fluxo_compiler::check::{check_files, CheckOptions};
use fluxo_compiler::{compile, lower, parse_all, CompileOptions, Sources};

/// `n` flows of one `say` each, every one reached from the entry by a `goto` chain.
fn tiny_flows(n: usize) -> Sources {
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
    let mut sources = Sources::new();
    sources.add("tiny.flow".to_string(), text);
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

/// The best of `runs` builds, as a whole and per phase (parse, check, lower).
fn best(sources: &Sources, runs: usize) -> [Duration; 4] {
    let mut best = [Duration::MAX; 4];
    for _ in 0..runs {
        let started = Instant::now();
        let (files, _) = parse_all(sources);
        let parsed = Instant::now();
        let (program, diagnostics) = check_files(sources, &files, &CheckOptions::default());
        let checked = Instant::now();
        assert!(
            diagnostics.iter().all(|it| !it.is_error()),
            "{:?}",
            diagnostics.first()
        );
        assert!(lower::lower(sources, &files, &program).is_ok());
        let lowered = Instant::now();
        let times = [
            lowered - started,
            parsed - started,
            checked - parsed,
            lowered - checked,
        ];
        for (best, time) in best.iter_mut().zip(times) {
            *best = (*best).min(time);
        }
    }
    best
}

fn bench(c: &mut Criterion) {
    const N: usize = 25_000;
    let mut group = c.benchmark_group("build_tiny_flows");
    group.sample_size(10);
    for n in [N, 4 * N] {
        let sources = tiny_flows(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &sources, |b, sources| {
            b.iter(|| build(sources))
        });
    }
    group.finish();
    let small = best(&tiny_flows(N), 3);
    let large = best(&tiny_flows(4 * N), 3);
    for (idx, phase) in ["build", "parse", "check", "lower"].iter().enumerate() {
        println!(
            "{phase}: {N} flows {:?}, {} flows {:?}: {:.2}x{}",
            small[idx],
            4 * N,
            large[idx],
            large[idx].as_secs_f64() / small[idx].as_secs_f64(),
            if idx == 0 {
                " (target at most 4.6x)"
            } else {
                ""
            }
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

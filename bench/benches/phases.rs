//! The compiler's three phases timed apart on the generated 1,000- and 10,000-card
//! programs: parse, check (the checker after parsing) and lower (bytecode, layout and
//! verification). `compile 1k` in `inner.rs` times them together; this bench says which
//! phase a change moved, and whether each grows linearly from 1k to 10k cards.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use fluxo_bench::generate::generate;
use fluxo_bench::print_flow::print_flow;
use fluxo_compiler::{check, lower, parse_all, CheckOptions, Sources};

fn phases(c: &mut Criterion) {
    for (label, cards) in [("1k", 1_000), ("10k", 10_000)] {
        let mut sources = Sources::new();
        sources.add("generated.flow", print_flow(&generate(cards)));
        let bytes = sources.iter().map(|it| it.text.len() as u64).sum();
        let options = CheckOptions::default();
        let (files, syntax) = parse_all(&sources);
        assert!(syntax.is_empty(), "the generated flow parses");
        let (info, diagnostics) = check::check_files(&sources, &files, &options);
        assert!(diagnostics.is_empty(), "the generated flow checks cleanly");
        lower::lower(&sources, &files, &info).expect("the generated flow lowers");

        let mut group = c.benchmark_group(format!("phases {label} cards"));
        group.sample_size(10);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function("parse", |b| b.iter(|| parse_all(black_box(&sources))));
        group.bench_function("check", |b| {
            b.iter(|| check::check_files(black_box(&sources), &files, &options))
        });
        group.bench_function("lower", |b| {
            b.iter(|| lower::lower(black_box(&sources), &files, &info))
        });
        group.finish();
    }
}

criterion_group!(benches, phases);
criterion_main!(benches);

//! Parsing throughput, fast path against pest path: `parse` as callers get it (a valid
//! file takes the hand-written parser) and the pest path alone, on the example program
//! (`examples/provedor/*.flow` concatenated) and on a large valid source made of the
//! example repeated with its flows renamed. Criterion prints both in MiB/s.
//!
//! The trees are dropped outside the timing: both parsers build the same tree, so
//! freeing it costs the same whichever built it (a large share of a fast parse).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use fluxo_grammar::pest_path::parse_with_pest_only;
use fluxo_grammar::{parse, FileId};

/// The example program's files, in name order, as one source.
fn provedor() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/provedor");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/provedor")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "flow"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("a UTF-8 flow"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `copies` copies of `src`, the flows of copy `i` renamed `name_i`.
fn repeated(src: &str, copies: usize) -> String {
    (0..copies)
        .map(|i| {
            src.lines()
                .map(|line| match line.strip_prefix("flow ") {
                    Some(rest) => {
                        let (name, rest) = rest.split_once(' ').unwrap_or((rest, ""));
                        format!("flow {name}_{i} {rest}\n")
                    }
                    None => format!("{line}\n"),
                })
                .collect::<String>()
        })
        .collect()
}

fn parse_throughput(c: &mut Criterion) {
    let example = provedor();
    let large = repeated(&example, 120);
    for (name, src) in [("provedor", &example), ("provedor x120", &large)] {
        let parsed = parse(FileId(0), src);
        assert!(parsed.diagnostics.is_empty(), "{name} must be valid");
        let mut group = c.benchmark_group(format!("parse {name} ({} KiB)", src.len() / 1024));
        group.throughput(Throughput::Bytes(src.len() as u64));
        if src.len() > 100_000 {
            group.sample_size(20);
        }
        group.bench_function("fast path (parse)", |b| {
            b.iter_with_large_drop(|| parse(FileId(0), black_box(src)))
        });
        group.bench_function("pest path", |b| {
            b.iter_with_large_drop(|| parse_with_pest_only(FileId(0), black_box(src)))
        });
        group.finish();
    }
}

criterion_group!(benches, parse_throughput);
criterion_main!(benches);

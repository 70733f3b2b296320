//! The bench command's inner loops under criterion: checking + compiling a 1,000-card
//! program on both engines, and one customer turn on both engines (ours with snapshot
//! restore and save).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

use fluxo_bench::customer::{converse, Contact};
use fluxo_bench::generate::generate;
use fluxo_bench::ours;
use fluxo_bench::print_flow::print_flow;
use fluxo_bench::print_yarn::print_yarn;
use fluxo_bench::yarn;

fn compile_1k(c: &mut Criterion) {
    let model = generate(1_000);
    let flow = print_flow(&model);
    let script = print_yarn(&model);
    let library = yarn::library();
    let mut group = c.benchmark_group("compile 1k cards");
    group.sample_size(10);
    group.bench_function("fluxo check + compile", |b| {
        b.iter(|| ours::compile(black_box(&flow)))
    });
    group.bench_function("yarn compile", |b| {
        b.iter(|| yarn::compile(black_box(&script), &library))
    });
    group.finish();
}

/// A conversation waiting at the main menu after one answer, and the answer that takes
/// it from there: the same step on both engines, repeated from the same state.
fn customer_turn(c: &mut Criterion) {
    let model = generate(1_000);
    let contact = Contact::default();
    let talk = (0..)
        .map(|seed| converse(&model, &contact, seed, 40))
        .find(|talk| talk.answers.len() >= 2)
        .expect("some customer answers twice");
    let (first, second) = (&talk.answers[0], &talk.answers[1]);

    let program = ours::compile(&print_flow(&model)).expect("the generated flow compiles");
    let (mut waiting, _) = ours::start(&program, &contact).expect("starts");
    ours::turn(&program, &mut waiting, first.text()).expect("first answer");

    let flow = yarn::compile(&print_yarn(&model), &yarn::library()).expect("Yarn compiles");
    let mut events = Vec::new();

    let mut group = c.benchmark_group("customer turn");
    group.bench_function("fluxo restore + resume + save", |b| {
        b.iter_batched_ref(
            || waiting.clone(),
            |snapshot| ours::turn(&program, snapshot, second.text()),
            criterion::BatchSize::SmallInput,
        )
    });
    group.bench_function("yarn select + continue", |b| {
        b.iter_batched_ref(
            || {
                let mut dialogue = flow.start(&contact, &mut events).expect("starts");
                dialogue.answer(first, &mut events).expect("first answer");
                (dialogue, Vec::new())
            },
            |(dialogue, out)| dialogue.answer(second, out),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, compile_1k, customer_turn);
criterion_main!(benches);

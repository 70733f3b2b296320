//! Our VM, driven by the scripted customer through snapshots, says exactly what the
//! model says it must, as Yarn does (`yarn_replay.rs`): the bench's two engines walk
//! the same paths. The generated programs also check clean (no error, no warning).

use fluxo_bench::customer::{converse, Contact, Said};
use fluxo_bench::generate::generate;
use fluxo_bench::ours;
use fluxo_bench::print_flow::print_flow;

#[test]
fn the_100_card_program_checks_and_compiles_clean() {
    let program = ours::compile(&print_flow(&generate(100)));
    if let Err(diagnostics) = program {
        panic!("{diagnostics}");
    }
}

#[test]
fn our_vm_follows_the_scripted_conversations_turn_by_turn() {
    let model = generate(100);
    let program = ours::compile(&print_flow(&model)).unwrap_or_else(|e| panic!("{e}"));
    let contact = Contact::default();
    let (mut turns, mut invalid_cpfs) = (0, 0);
    for seed in 0..60 {
        let talk = converse(&model, &contact, seed, 30);
        let (mut snapshot, opening) = ours::start(&program, &contact).expect("starts");
        assert_eq!(
            ours::normalize(&opening.outputs),
            talk.turns[0],
            "seed {seed}: opening"
        );
        let mut waits = ours::waits_for_customer(&opening);
        for (index, answer) in talk.answers.iter().enumerate() {
            assert!(
                waits,
                "seed {seed}: answer {index} but the conversation does not wait"
            );
            let turn = ours::turn(&program, &mut snapshot, answer.text()).expect("resumes");
            let said = ours::normalize(&turn.outputs);
            assert_eq!(
                said,
                talk.turns[index + 1],
                "seed {seed}: after answer {index} {answer:?}"
            );
            invalid_cpfs += said
                .iter()
                .filter(|it| matches!(it, Said::Line(l) if l.contains("inválida")))
                .count();
            waits = ours::waits_for_customer(&turn);
            turns += 1;
        }
        assert_eq!(!waits, talk.finished, "seed {seed}: end");
    }
    assert!(turns > 200, "only {turns} turns");
    assert!(invalid_cpfs > 5, "only {invalid_cpfs} invalid CPF answers");
}

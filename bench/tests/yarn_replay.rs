//! Yarn Spinner, driven by the scripted customer, says exactly what the model says it
//! must: the printed script and the driver are faithful to the model, so the bench
//! times both engines on the same paths.

use fluxo_bench::customer::{converse, Contact};
use fluxo_bench::generate::generate;
use fluxo_bench::print_yarn::print_yarn;
use fluxo_bench::yarn::{self, normalize, Waiting};

#[test]
fn yarn_follows_the_scripted_conversations_turn_by_turn() {
    let model = generate(100);
    let flow = yarn::compile(&print_yarn(&model), &yarn::library()).expect("Yarn compiles");
    let contact = Contact::default();
    let mut events = Vec::new();
    let (mut turns, mut invalid_cpfs) = (0, 0);
    for seed in 0..60 {
        let talk = converse(&model, &contact, seed, 30);
        events.clear();
        let mut tags = Vec::new();
        let mut dialogue = flow
            .start(&contact, &mut events)
            .expect("the dialogue starts");
        assert_eq!(
            normalize(&events, &mut tags),
            talk.turns[0],
            "seed {seed}: opening"
        );
        for (index, answer) in talk.answers.iter().enumerate() {
            events.clear();
            dialogue
                .answer(answer, &mut events)
                .expect("the dialogue takes the answer");
            let said = normalize(&events, &mut tags);
            assert_eq!(
                said,
                talk.turns[index + 1],
                "seed {seed}: after answer {index} {answer:?}"
            );
            invalid_cpfs += said
                .iter()
                .filter(|it| format!("{it:?}").contains("inválida"))
                .count();
            turns += 1;
        }
        assert_eq!(
            dialogue.waiting == Waiting::Done,
            talk.finished,
            "seed {seed}: end"
        );
    }
    assert!(turns > 200, "only {turns} turns");
    assert!(invalid_cpfs > 5, "only {invalid_cpfs} invalid CPF answers");
}

#[test]
fn a_wrong_kind_of_answer_is_an_error_not_a_panic() {
    let model = generate(100);
    let flow = yarn::compile(&print_yarn(&model), &yarn::library()).expect("Yarn compiles");
    let mut events = Vec::new();
    let mut dialogue = flow
        .start(&Contact::default(), &mut events)
        .expect("starts");
    let answer = fluxo_bench::customer::Answer::Pick {
        index: 99,
        typed: "99".to_string(),
    };
    assert!(dialogue.answer(&answer, &mut events).is_err());
}

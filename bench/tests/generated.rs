//! The generated programs are valid in both languages: our parser reads the printed
//! `.flow` without a diagnostic and (with the `yarn` feature) Yarn Spinner compiles the
//! printed `.yarn`.

use fluxo_bench::generate::generate;
use fluxo_bench::print_flow::print_flow;
use fluxo_compiler::{parse_all, Sources};

fn parse_clean(cards: usize) {
    let model = generate(cards);
    let mut sources = Sources::new();
    sources.add("generated.flow", print_flow(&model));
    let (files, diagnostics) = parse_all(&sources);
    let messages: Vec<String> = diagnostics
        .iter()
        .take(5)
        .map(|it| format!("{} {}", it.code, it.message))
        .collect();
    assert!(diagnostics.is_empty(), "{cards} cards: {messages:#?}");
    let flows = files[0]
        .ast
        .items
        .iter()
        .filter(|item| matches!(item.kind, fluxo_grammar::ast::ItemKind::Flow(_)))
        .count();
    assert_eq!(flows, model.flows.len());
}

#[test]
fn the_100_card_program_parses_clean() {
    parse_clean(100);
}

#[test]
fn the_1000_card_program_parses_clean() {
    parse_clean(1_000);
}

#[cfg(feature = "yarn")]
#[test]
fn the_100_card_program_compiles_with_yarn() {
    use fluxo_bench::print_yarn::print_yarn;
    use fluxo_bench::yarn;

    let model = generate(100);
    let flow = yarn::compile(&print_yarn(&model), &yarn::library());
    let flow = flow.unwrap_or_else(|error| panic!("Yarn refused the script:\n{error}"));
    let nodes = flow.program.nodes.len();
    // One node per flow, plus two per CPF question.
    assert!(
        nodes > model.flows.len(),
        "{nodes} nodes for {} flows",
        model.flows.len()
    );
}

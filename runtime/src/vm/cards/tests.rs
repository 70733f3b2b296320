//! The VM's side of the card registry, where a compile error cannot speak: bytecode
//! naming a card past the catalogue is an error (never a panic), and `Op::Card` reaches a
//! behaviour for exactly the call cards.

use fluxo_stdlib::catalogue::{CardId, Syntax};

use crate::bytecode::program::{ArgsRecord, FlowInfo};
use crate::bytecode::{Op, Program};
use crate::session::{Context, Session};

/// A program made by hand (so not verified) whose one flow runs catalogue card `card`
/// with an empty argument record.
fn one_card(card: u32) -> Program {
    let mut code = Vec::new();
    let op = Op::Card {
        card,
        args: 0,
        bind: 0,
        menu: 0,
    };
    op.encode(&mut code);
    Op::End {}.encode(&mut code);
    Program {
        code,
        strings: vec!["main".to_string()],
        flows: vec![FlowInfo {
            name: 0,
            title: None,
            entry: 0,
        }],
        args: vec![ArgsRecord::default()],
        ..Program::default()
    }
}

/// Runs the program to its first wait; the error's text when it fails.
fn start(program: &Program) -> Result<(), String> {
    let mut session = Session::new(program, None, Context::new(0)).map_err(|it| it.to_string())?;
    session
        .start(program)
        .map(drop)
        .map_err(|it| it.to_string())
}

#[test]
fn a_card_past_the_catalogue_is_a_runtime_error() {
    let past_the_end = u32::try_from(CardId::ALL.len()).unwrap_or(u32::MAX);
    for card in [past_the_end, u32::MAX] {
        let outcome = start(&one_card(card));
        let wanted = format!("card {card} is not in the catalogue");
        assert!(
            outcome.as_ref().is_err_and(|it| it.contains(&wanted)),
            "{outcome:?}"
        );
    }
}

#[test]
fn exactly_the_call_cards_have_a_call_behaviour() {
    for card in CardId::ALL {
        let outcome = start(&one_card(card.index()));
        // Call cards run with an empty record may fail on a missing argument or wait;
        // only a statement card reaches the arm that has no behaviour.
        let refused = outcome
            .as_ref()
            .is_err_and(|it| it.contains("the runtime has no card"));
        let statement = card.spec().syntax == Syntax::Statement;
        assert_eq!(refused, statement, "{card:?}: {outcome:?}");
    }
}

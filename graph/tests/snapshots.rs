//! DOT and Mermaid of every flow of the example, of each small case (menu, confirm,
//! `when` arms, fail paths, `goto` across flows, and the checker's dead end,
//! unreachable cards and waitless loop marked), and of a diff.

mod support;

use fluxo_graph::diff;

#[test]
fn every_flow_of_the_example() {
    let graph = support::provedor();
    assert!(graph.flows.len() >= 10, "the example has its flows");
    for flow in &graph.flows {
        let one = graph.clone().only(&flow.name).unwrap();
        insta::assert_snapshot!(
            format!("provedor_{}.dot", flow.name),
            fluxo_graph::dot(&one)
        );
        insta::assert_snapshot!(
            format!("provedor_{}.mmd", flow.name),
            fluxo_graph::mermaid(&one)
        );
    }
}

#[test]
fn small_cases() {
    for case in support::CASES {
        let graph = support::graph(&format!("graph/tests/data/{case}.flow"));
        insta::assert_snapshot!(format!("{case}.dot"), fluxo_graph::dot(&graph));
        insta::assert_snapshot!(format!("{case}.mmd"), fluxo_graph::mermaid(&graph));
    }
}

#[test]
fn the_checker_marks_show_on_the_picture() {
    let dead_end = support::graph("graph/tests/data/dead_end.flow");
    let marked: Vec<&str> = dead_end.flows[0]
        .nodes
        .iter()
        .filter(|n| n.marks.dead_end)
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(marked, ["Que bom!"]);

    let unreachable = support::graph("graph/tests/data/unreachable.flow");
    let main = unreachable.flow("main").unwrap();
    let dead: Vec<&str> = main
        .nodes
        .iter()
        .filter(|n| n.marks.unreachable)
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(
        dead,
        [
            "Isto nunca é dito.",
            "tag perdido",
            "the conversation closes"
        ]
    );
    assert!(unreachable.flow("esquecido").unwrap().unreached);
    assert!(!main.unreached);

    let looping = support::graph("graph/tests/data/waitless_loop.flow");
    let edges: Vec<_> = looping.flows[0]
        .edges
        .iter()
        .filter(|e| e.waitless_loop)
        .collect();
    assert_eq!(edges.len(), 1, "the `goto` of the loop is marked");
    assert_eq!(edges[0].label.as_deref(), Some("⚠ goto inicio"));
}

#[test]
fn a_diff_colours_added_removed_and_changed_cards() {
    let old = support::graph("graph/tests/data/diff/old");
    let new = support::graph("graph/tests/data/diff/new");
    let changes = diff::diff(&old, &new);
    let names: Vec<(&str, Option<fluxo_graph::Change>)> = changes
        .flows
        .iter()
        .map(|f| (f.name.as_str(), f.change))
        .collect();
    use fluxo_graph::Change::*;
    assert_eq!(
        names,
        [
            ("main", None),
            ("vendas", Some(Added)),
            ("antigo", Some(Removed))
        ]
    );
    insta::assert_snapshot!("diff.dot", fluxo_graph::dot(&changes));
    insta::assert_snapshot!("diff.mmd", fluxo_graph::mermaid(&changes));
    assert!(
        diff::diff(&new, &new).flows.is_empty(),
        "no change, nothing drawn"
    );
}

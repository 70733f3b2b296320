//! The checker's findings on the picture: its diagnostics are matched to nodes and
//! edges by the place they point at, so the picture shows exactly what `fluxo check`
//! reports, decided once, by the checker.
//!
//! - W0503 (the entry flow can run off its end) marks the card as a dead end;
//! - W0501 (unreachable statement) marks the card, and the cards only it leads to
//!   (the checker reports the first of a dead run once);
//! - W0502 (flow never reached) marks the flow;
//! - E0502 (a loop that never waits) marks its `goto`s and the cards it names.

use fluxo_grammar::ast::Span;
use fluxo_grammar::{Diagnostic, FileId, Label};

use crate::model::{FlowGraph, Graph};

pub const DEAD_END: &str = "W0503";
pub const UNREACHABLE: &str = "W0501";
pub const UNREACHED_FLOW: &str = "W0502";
pub const WAITLESS_LOOP: &str = "E0502";

pub fn apply(graph: &mut Graph, diagnostics: &[Diagnostic]) {
    for flow in &mut graph.flows {
        for diagnostic in diagnostics {
            let labels = std::iter::once(&diagnostic.primary).chain(&diagnostic.secondary);
            match diagnostic.code {
                DEAD_END => mark_nodes(flow, &diagnostic.primary, |m| m.dead_end = true),
                UNREACHABLE => mark_nodes(flow, &diagnostic.primary, |m| m.unreachable = true),
                UNREACHED_FLOW
                    if same(
                        flow.nodes.first().and_then(|it| it.at),
                        place(&diagnostic.primary),
                    ) =>
                {
                    flow.unreached = true;
                }
                WAITLESS_LOOP => {
                    for label in labels {
                        mark_nodes(flow, label, |m| m.waitless_loop = true);
                        for edge in &mut flow.edges {
                            if same(edge.at, place(label)) && !edge.waitless_loop {
                                edge.waitless_loop = true;
                                let words = edge.label.take().unwrap_or_else(|| "loop".into());
                                edge.label = Some(format!("⚠ {words}"));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        spread_unreachable(flow);
    }
}

fn place(label: &Label) -> (FileId, Span) {
    (label.file, label.span)
}

/// Spans compare equal whatever they hold (the AST compares meaning), so places are
/// compared by their bytes.
fn same(a: Option<(FileId, Span)>, b: (FileId, Span)) -> bool {
    a.is_some_and(|(file, span)| file == b.0 && span.start == b.1.start && span.end == b.1.end)
}

fn mark_nodes(flow: &mut FlowGraph, label: &Label, mark: impl Fn(&mut crate::model::Marks)) {
    for node in &mut flow.nodes {
        if same(node.at, place(label)) {
            mark(&mut node.marks);
        }
    }
}

/// Cards whose every way in comes from unreachable cards are unreachable too.
fn spread_unreachable(flow: &mut FlowGraph) {
    loop {
        let mut changed = false;
        for id in 1..flow.nodes.len() {
            if flow.nodes[id].marks.unreachable {
                continue;
            }
            let preds: Vec<usize> = flow.predecessors(id).collect();
            if !preds.is_empty() && preds.iter().all(|&p| flow.nodes[p].marks.unreachable) {
                flow.nodes[id].marks.unreachable = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

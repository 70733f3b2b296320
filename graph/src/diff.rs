//! The picture of a change (`fluxo graph --diff OLD NEW`): the new program's graph with
//! its cards coloured added or changed, and the old program's removed cards and ways
//! drawn back in, struck through.
//!
//! Flows are matched by name. Within a flow, cards are matched in walk order (source
//! order, a card before the cards nested in its arms) by a longest common subsequence
//! of their signatures: the card, its text and the labels of the ways out of it, so a
//! card whose options changed is not "the same". Between two matched runs, an old and
//! a new card of the same kind (card and role) are paired in order as *changed*; what
//! is left is removed or added. Lines are not compared: moving a card is not a change.
//! Only flows with some change are drawn.

use similar::{capture_diff_slices, Algorithm, DiffOp};

use crate::model::{Change, Edge, FlowGraph, Graph, Marks};

pub fn diff(old: &Graph, new: &Graph) -> Graph {
    let mut flows = Vec::new();
    for flow in &new.flows {
        match old.flow(&flow.name) {
            Some(before) => {
                let changed = diff_flow(before, flow);
                if changed.change.is_some()
                    || changed.nodes.iter().any(|n| n.change.is_some())
                    || changed.edges.iter().any(|e| e.removed)
                {
                    flows.push(changed);
                }
            }
            None => flows.push(whole(flow, Change::Added)),
        }
    }
    for flow in &old.flows {
        if new.flow(&flow.name).is_none() {
            flows.push(whole(flow, Change::Removed));
        }
    }
    Graph { flows }
}

/// A flow added or removed as a whole.
fn whole(flow: &FlowGraph, change: Change) -> FlowGraph {
    let mut flow = flow.clone();
    flow.change = Some(change);
    if change == Change::Removed {
        flow.unreached = false;
    }
    for node in &mut flow.nodes {
        node.change = Some(change);
        if change == Change::Removed {
            node.marks = Marks::default();
        }
    }
    flow
}

/// What identifies a card across versions: its kind, text and ways out.
fn signature(flow: &FlowGraph, id: usize) -> String {
    let node = &flow.nodes[id];
    let mut sig = format!("{:?}|{}|{}", node.role, node.card.unwrap_or(""), node.text);
    for edge in flow.edges.iter().filter(|e| e.from == id) {
        sig.push('|');
        sig.push_str(edge.label.as_deref().unwrap_or(""));
    }
    sig
}

fn kind(flow: &FlowGraph, id: usize) -> (crate::model::Role, Option<&'static str>) {
    (flow.nodes[id].role, flow.nodes[id].card)
}

fn diff_flow(old: &FlowGraph, new: &FlowGraph) -> FlowGraph {
    let old_sigs: Vec<String> = (0..old.nodes.len()).map(|id| signature(old, id)).collect();
    let new_sigs: Vec<String> = (0..new.nodes.len()).map(|id| signature(new, id)).collect();
    // Per old node: the new node it is (`None`: removed).
    let mut matched: Vec<Option<usize>> = vec![None; old.nodes.len()];
    let mut out = new.clone();
    for node in &mut out.nodes {
        node.change = Some(Change::Added);
    }
    let mut gap_old: Vec<usize> = Vec::new();
    let mut gap_new: Vec<usize> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old_sigs, &new_sigs) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                pair_gap(old, new, &mut gap_old, &mut gap_new, &mut matched, &mut out);
                for k in 0..len {
                    matched[old_index + k] = Some(new_index + k);
                    out.nodes[new_index + k].change = None;
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => gap_old.extend(old_index..old_index + old_len),
            DiffOp::Insert {
                new_index, new_len, ..
            } => gap_new.extend(new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                gap_old.extend(old_index..old_index + old_len);
                gap_new.extend(new_index..new_index + new_len);
            }
        }
    }
    pair_gap(old, new, &mut gap_old, &mut gap_new, &mut matched, &mut out);
    // The flow's start is the flow itself: its title changing is the flow changing.
    if let Some(start) = out.nodes.first_mut() {
        if start.change == Some(Change::Added) {
            start.change = Some(Change::Changed);
        }
    }
    // Removed cards come back, and with them the old ways that are gone.
    let mut place: Vec<usize> = Vec::with_capacity(old.nodes.len());
    for (id, node) in old.nodes.iter().enumerate() {
        match matched[id] {
            Some(to) => place.push(to),
            None => {
                let mut node = node.clone();
                node.change = Some(Change::Removed);
                node.marks = Marks::default();
                out.nodes.push(node);
                place.push(out.nodes.len() - 1);
            }
        }
    }
    for edge in &old.edges {
        let (from, to) = (place[edge.from], place[edge.to]);
        let kept = new
            .edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.label == edge.label);
        if !kept {
            out.edges.push(Edge {
                from,
                to,
                removed: true,
                waitless_loop: false,
                ..edge.clone()
            });
        }
    }
    out
}

/// Between two matched runs: old and new cards of the same kind, in order, are the same
/// card changed.
fn pair_gap(
    old: &FlowGraph,
    new: &FlowGraph,
    gap_old: &mut Vec<usize>,
    gap_new: &mut Vec<usize>,
    matched: &mut [Option<usize>],
    out: &mut FlowGraph,
) {
    let mut from = 0;
    for &n in gap_new.iter() {
        if let Some(pos) = gap_old[from..]
            .iter()
            .position(|&o| kind(old, o) == kind(new, n))
        {
            let o = gap_old[from + pos];
            matched[o] = Some(n);
            out.nodes[n].change = Some(Change::Changed);
            from += pos + 1;
        }
    }
    gap_old.clear();
    gap_new.clear();
}

//! Step 4: the forward dataflow over the control-flow graph, and the rules it decides.
//!
//! Each node's state says what holds on EVERY path from the start of the conversation
//! to it: the variables definitely assigned, whether `auto_link()` has run, and the
//! channel if it is known. A flow reached by `goto` (or `fail_flow`) starts with the
//! meet (intersection) of the states at all the places that jump to it, and a label the
//! same; the worklist iterates to the greatest fixpoint (unvisited nodes count as "top",
//! so loops converge in a few passes). The entry flow starts with nothing assigned.
//! Sets are sorted vectors of the variables assigned on the path, so the cost follows
//! what a path assigns, not the number of variables in the program.
//!
//! Flows that the entry flow never reaches are then analysed as if each were an entry,
//! so their own mistakes are still reported; the nodes already reached keep their state.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use fluxo_stdlib::types::Channel;

use super::cfg::{Graph, NodeId, NodeKind};
use super::{Cx, Problem};

#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    /// Sorted indices of the variables assigned on every path.
    assigned: Vec<usize>,
    linked: bool,
    channel: Option<Channel>,
}

impl State {
    fn start() -> State {
        State {
            assigned: Vec::new(),
            linked: false,
            channel: None,
        }
    }

    /// Keeps what also holds in `other`; returns whether anything changed.
    fn meet(&mut self, other: &State) -> bool {
        let before = (self.assigned.len(), self.linked, self.channel);
        self.assigned
            .retain(|var| other.assigned.binary_search(var).is_ok());
        self.linked &= other.linked;
        if self.channel != other.channel {
            self.channel = None;
        }
        before != (self.assigned.len(), self.linked, self.channel)
    }

    fn assign(&mut self, var: usize) {
        if let Err(at) = self.assigned.binary_search(&var) {
            self.assigned.insert(at, var);
        }
    }

    fn has(&self, var: usize) -> bool {
        self.assigned.binary_search(&var).is_ok()
    }
}

pub(super) fn analyse(cx: &mut Cx, graph: &Graph) {
    let n_nodes = graph.nodes.len();
    let mut states: Vec<Option<State>> = vec![None; n_nodes];
    let entry = cx.program.entry_flow();
    if let Some(flow) = entry {
        run(graph, &mut states, &[graph.flow_entry[flow]]);
    }
    let reached: Vec<bool> = states.iter().map(Option::is_some).collect();
    for (idx, flow) in cx.program.flows.iter_mut().enumerate() {
        flow.reached = reached[graph.flow_entry[idx]];
    }
    let unreached: Vec<NodeId> = graph
        .flow_entry
        .iter()
        .copied()
        .filter(|it| !reached[*it])
        .collect();
    run(graph, &mut states, &unreached);
    report(cx, graph, &states, &reached);
}

/// Propagates states from `seeds` (which start the conversation afresh).
fn run(graph: &Graph, states: &mut [Option<State>], seeds: &[NodeId]) {
    let mut queue: BinaryHeap<Reverse<NodeId>> = BinaryHeap::new();
    let mut queued = vec![false; graph.nodes.len()];
    for &seed in seeds {
        if states[seed].is_none() {
            states[seed] = Some(State::start());
            queue.push(Reverse(seed));
            queued[seed] = true;
        }
    }
    while let Some(Reverse(id)) = queue.pop() {
        queued[id] = false;
        let Some(input) = states[id].clone() else {
            continue;
        };
        let node = &graph.nodes[id];
        let mut output = input.clone();
        if let Some(var) = node.binds {
            output.assign(var);
        }
        output.linked |= node.links;
        for edge in &node.succ {
            let mut state = if edge.from_in {
                input.clone()
            } else {
                output.clone()
            };
            if edge.channel.is_some() {
                state.channel = edge.channel;
            }
            let changed = match &mut states[edge.to] {
                Some(existing) => existing.meet(&state),
                slot @ None => {
                    *slot = Some(state);
                    true
                }
            };
            if changed && !queued[edge.to] {
                queued[edge.to] = true;
                queue.push(Reverse(edge.to));
            }
        }
    }
}

fn report(cx: &mut Cx, graph: &Graph, states: &[Option<State>], reached: &[bool]) {
    let entry = cx.program.entry_flow();
    for (id, node) in graph.nodes.iter().enumerate() {
        let Some(state) = &states[id] else {
            if node.kind == NodeKind::Stmt && is_first_dead(graph, states, id) {
                cx.report(Problem::Unreachable { at: node.loc });
            }
            continue;
        };
        let mut reported: Vec<usize> = Vec::new();
        for &(var, at) in &node.reads {
            if !state.has(var) && !reported.contains(&var) {
                reported.push(var);
                let name = cx
                    .program
                    .variables
                    .get(var)
                    .map(|it| it.name.clone())
                    .unwrap_or_default();
                cx.report(Problem::Unassigned { at, name });
            }
        }
        if node.needs_link && !state.linked {
            cx.report(Problem::SignContractLink { at: node.loc });
        }
        if let Some((channels, card)) = node.channels {
            if !state.channel.is_some_and(|it| channels.contains(&it)) {
                let channels = channels.iter().map(|it| it.name()).collect();
                cx.report(Problem::ChannelOnly {
                    at: node.loc,
                    card: card.to_string(),
                    channels,
                });
            }
        }
        // A statement of the entry flow that can run off the flow's end.
        if Some(node.flow) == entry && reached[id] && node.kind != NodeKind::Entry {
            let exit = graph.flow_exit[node.flow];
            if node.succ.iter().any(|edge| edge.to == exit) {
                let flow = cx.program.entry.clone();
                cx.report(Problem::ClosesUnexpectedly { at: node.loc, flow });
            }
        }
    }
    if let Some(entry) = entry {
        let name = cx.program.entry.clone();
        for (idx, flow) in cx.program.flows.iter().enumerate() {
            if idx != entry && !reached[graph.flow_entry[idx]] {
                cx.problems.push(Problem::UnreachedFlow {
                    at: flow.loc,
                    flow: flow.name.clone(),
                    entry: name.clone(),
                });
            }
        }
    }
}

/// Whether the dead statement `id` starts a run of dead statements in a live block: the
/// first one is reported, not every statement after it nor those nested in it.
fn is_first_dead(graph: &Graph, states: &[Option<State>], id: NodeId) -> bool {
    let node = &graph.nodes[id];
    let parent_live = node.parent.is_none_or(|p| states[p].is_some());
    let prev_live = node.prev.is_none_or(|p| states[p].is_some());
    parent_live && prev_live
}

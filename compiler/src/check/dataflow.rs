//! Step 4: the forward dataflow over the control-flow graph, and the rules it decides.
//!
//! Each node's state says what holds on EVERY path from the start of the conversation
//! to it: the variables definitely assigned, whether `auto_link()` has run, and the
//! channel if it is known. A flow reached by `goto` (or `fail_flow`) starts with the
//! meet (intersection) of the states at all the places that jump to it, and a label the
//! same; the worklist iterates to the greatest fixpoint (unvisited nodes count as "top",
//! so loops converge in a few passes). The entry flow starts with nothing assigned.
//! The worklist visits the queued node with the lowest id first (a statement's id comes
//! after those before it); the fixpoint does not depend on the order, only how many
//! visits reach it.
//! Sets are sorted vectors of the variables assigned on the path, so the cost follows
//! what a path assigns, not the number of variables in the program. They are shared
//! (`Rc`): most statements assign nothing and most meets change nothing, so a state
//! passes along an edge without being copied, and a new set is built only when one
//! changes.
//!
//! Flows that the entry flow never reaches are then analysed as if each were an entry,
//! so their own mistakes are still reported; the nodes already reached keep their state.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::rc::Rc;

use fluxo_stdlib::catalogue::Channels;
use fluxo_stdlib::types::Channel;

use super::cfg::{Graph, NodeId, NodeKind};
use super::{Cx, Problem};

#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    /// Sorted indices of the variables assigned on every path; `None` is the empty set.
    assigned: Option<Rc<[usize]>>,
    linked: bool,
    channel: Option<Channel>,
}

impl State {
    fn start() -> State {
        State {
            assigned: None,
            linked: false,
            channel: None,
        }
    }

    fn assigned(&self) -> &[usize] {
        self.assigned.as_deref().unwrap_or(&[])
    }

    /// Keeps what also holds in `other` (whose channel is `channel` when that is known);
    /// returns whether anything changed.
    fn meet(&mut self, other: &State, channel: Option<Channel>) -> bool {
        let mut changed = false;
        let same_set = match (&self.assigned, &other.assigned) {
            (Some(mine), Some(theirs)) => Rc::ptr_eq(mine, theirs),
            (None, _) => true,
            (Some(_), None) => false,
        };
        if !same_set {
            let theirs = other.assigned();
            let kept: Vec<usize> = self
                .assigned()
                .iter()
                .copied()
                .filter(|var| theirs.binary_search(var).is_ok())
                .collect();
            if kept.len() != self.assigned().len() {
                self.assigned = (!kept.is_empty()).then(|| kept.into());
                changed = true;
            }
        }
        if self.linked && !other.linked {
            self.linked = false;
            changed = true;
        }
        if self.channel.is_some() && self.channel != channel.or(other.channel) {
            self.channel = None;
            changed = true;
        }
        changed
    }

    fn assign(&mut self, var: usize) {
        let assigned = self.assigned();
        if let Err(at) = assigned.binary_search(&var) {
            let mut grown = Vec::with_capacity(assigned.len() + 1);
            grown.extend_from_slice(&assigned[..at]);
            grown.push(var);
            grown.extend_from_slice(&assigned[at..]);
            self.assigned = Some(grown.into());
        }
    }

    fn has(&self, var: usize) -> bool {
        self.assigned().binary_search(&var).is_ok()
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

/// The nodes waiting to be visited, the lowest id first (a statement's id comes after
/// those before it, so this sweeps a flow forward and a loop converges in a few
/// passes), each at most once. A min-heap, not a scan of a bitset for the next set bit:
/// every flow's entry and exit nodes have lower ids than all statements, so a `goto`
/// sends the search back to the start of the graph, and a scan from there to the
/// target's first statement crossed most of the bitset once per flow (issue 18: 100,000
/// tiny flows checked 10x slower than 25,000).
struct Worklist {
    heap: BinaryHeap<Reverse<NodeId>>,
    queued: Vec<bool>,
}

impl Worklist {
    fn new(n_nodes: usize) -> Worklist {
        Worklist {
            heap: BinaryHeap::new(),
            queued: vec![false; n_nodes],
        }
    }

    fn push(&mut self, id: NodeId) {
        if let Some(queued) = self.queued.get_mut(id) {
            if !*queued {
                *queued = true;
                self.heap.push(Reverse(id));
            }
        }
    }

    fn pop(&mut self) -> Option<NodeId> {
        let Reverse(id) = self.heap.pop()?;
        if let Some(queued) = self.queued.get_mut(id) {
            *queued = false;
        }
        Some(id)
    }
}

/// Propagates states from `seeds` (which start the conversation afresh).
fn run(graph: &Graph, states: &mut [Option<State>], seeds: &[NodeId]) {
    let mut queue = Worklist::new(graph.nodes.len());
    for &seed in seeds {
        if states[seed].is_none() {
            states[seed] = Some(State::start());
            queue.push(seed);
        }
    }
    while let Some(id) = queue.pop() {
        // A cheap copy: the set is shared.
        let Some(input) = states[id].clone() else {
            continue;
        };
        let node = &graph.nodes[id];
        let mut output = input.clone();
        if let Some(var) = node.binds() {
            output.assign(var);
        }
        output.linked |= node.links;
        for edge in graph.succ(id) {
            let state = if edge.from_in { &input } else { &output };
            let changed = match &mut states[edge.to] {
                Some(existing) => existing.meet(state, edge.channel),
                slot @ None => {
                    let mut state = state.clone();
                    if edge.channel.is_some() {
                        state.channel = edge.channel;
                    }
                    *slot = Some(state);
                    true
                }
            };
            if changed {
                queue.push(edge.to);
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
        for &(var, at) in graph.reads(id) {
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
        let only = node.restricted.and_then(|spec| match spec.channels {
            Channels::Only(channels) => Some((spec.name, channels)),
            Channels::Any => None,
        });
        if let Some((card, channels)) = only {
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
        let flow = node.flow();
        if flow.is_some() && flow == entry && reached[id] && node.kind != NodeKind::Entry {
            let exit = flow.and_then(|it| graph.flow_exit.get(it).copied());
            if graph.succ(id).iter().any(|edge| Some(edge.to) == exit) {
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
    let parent_live = node.parent().is_none_or(|p| states[p].is_some());
    let prev_live = node.prev().is_none_or(|p| states[p].is_some());
    parent_live && prev_live
}

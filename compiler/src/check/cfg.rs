//! The control-flow graph the flow analyses run on: one node per statement, plus an
//! entry and an exit node per flow. Edges follow what the runtime does: the next
//! statement, each arm, `goto` to a flow or a label, `fail_flow` after a card's last
//! try, and the statement after an `ask`/`when`/`if` when a branch finishes.
//!
//! The walk adds nodes and edges to a [`Builder`]; [`Builder::finish`] groups the edges
//! by node into one array. Edges and reads live in flat arrays rather than a `Vec` per
//! node: a program has a node per statement, and a `Vec` each was most of the
//! checker's allocations.

use fluxo_stdlib::catalogue::CardSpec;
use fluxo_stdlib::types::Channel;

use super::Loc;

pub(crate) type NodeId = usize;

#[derive(Debug)]
pub(crate) struct Graph {
    pub nodes: Vec<Node>,
    /// Per flow (index of `ProgramInfo::flows`).
    pub flow_entry: Vec<NodeId>,
    pub flow_exit: Vec<NodeId>,
    /// Node `id`'s successors are `edges[starts[id]..starts[id + 1]]`, in the order the
    /// walk added them.
    edges: Vec<Edge>,
    starts: Vec<usize>,
    /// Node `id`'s reads are `reads[node.reads.0..node.reads.1]`.
    reads: Vec<(usize, Loc)>,
}

/// The graph while the walk builds it: edges are kept in the order they come until
/// [`Builder::finish`].
#[derive(Debug)]
pub(crate) struct Builder {
    graph: Graph,
    edges: Vec<(NodeId, Edge)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Entry,
    Exit,
    Stmt,
    /// The condition of an `else if`: not a statement of its own.
    ElseIf,
}

/// A node is 56 bytes, not the 104 it took with 8-byte ids and options: the node table
/// is the checker's largest (four nodes for a flow of two statements), and at 100,000
/// tiny flows its size, not the work done on it, set the pace (issue 18).
#[derive(Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    flow: Id,
    pub loc: Loc,
    /// `goto`, the back edges of loops.
    pub is_goto: bool,
    /// Reads a message from the customer on every run.
    pub waits: bool,
    /// The range of [`Graph::reads`] with the variables read (index into
    /// `ProgramInfo::variables`) and where.
    reads: (Id, Id),
    /// The variable assigned when the statement completes.
    binds: Id,
    /// `auto_link()`: the conversation is linked after it.
    pub links: bool,
    /// `erp.sign_contract`: needs `auto_link()` on every path before it.
    pub needs_link: bool,
    /// The card, when it runs on some channels only (`CardSpec::channels`).
    pub restricted: Option<&'static CardSpec>,
    /// The statement before it in the same block, and the statement it is nested in.
    prev: Id,
    parent: Id,
}

const _: () = assert!(std::mem::size_of::<Node>() <= 56);

/// A node id, flow or variable index, or a position in [`Graph::reads`], in 32 bits,
/// with [`Id::NONE`] for none. Each counts something in the program's source, whose
/// offsets are 32-bit already; a count past `u32::MAX - 1` would be stored as none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Id(u32);

impl Id {
    const NONE: Id = Id(u32::MAX);

    fn new(value: Option<usize>) -> Id {
        value
            .and_then(|it| u32::try_from(it).ok())
            .map_or(Id::NONE, Id)
    }

    fn of(value: usize) -> Id {
        Id::new(Some(value))
    }

    fn get(self) -> Option<usize> {
        (self != Id::NONE).then_some(self.0 as usize)
    }
}

impl Node {
    /// The flow (index of `ProgramInfo::flows`) the node belongs to.
    pub fn flow(&self) -> Option<usize> {
        self.flow.get()
    }

    pub fn binds(&self) -> Option<usize> {
        self.binds.get()
    }

    pub fn set_binds(&mut self, var: Option<usize>) {
        self.binds = Id::new(var);
    }

    pub fn prev(&self) -> Option<NodeId> {
        self.prev.get()
    }

    pub fn set_prev(&mut self, prev: Option<NodeId>) {
        self.prev = Id::new(prev);
    }

    pub fn parent(&self) -> Option<NodeId> {
        self.parent.get()
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Edge {
    pub to: NodeId,
    /// The edge leaves before the statement completes (a `fail_flow`): what the
    /// statement assigns is not assigned along it.
    pub from_in: bool,
    /// Along this edge the channel is known: the arm of `when channel`.
    pub channel: Option<Channel>,
}

impl Graph {
    /// The edges out of node `id`.
    pub fn succ(&self, id: NodeId) -> &[Edge] {
        match (self.starts.get(id), self.starts.get(id + 1)) {
            (Some(&start), Some(&end)) => &self.edges[start..end],
            _ => &[],
        }
    }

    /// The variables node `id` reads, and where.
    pub fn reads(&self, id: NodeId) -> &[(usize, Loc)] {
        self.nodes
            .get(id)
            .and_then(|node| {
                let (start, end) = (node.reads.0.get()?, node.reads.1.get()?);
                self.reads.get(start..end)
            })
            .unwrap_or(&[])
    }
}

impl Builder {
    /// A builder with room for `nodes` nodes (and about as many edges).
    pub fn with_capacity(nodes: usize) -> Builder {
        Builder {
            graph: Graph {
                nodes: Vec::with_capacity(nodes),
                flow_entry: Vec::new(),
                flow_exit: Vec::new(),
                edges: Vec::new(),
                starts: Vec::new(),
                reads: Vec::new(),
            },
            edges: Vec::with_capacity(nodes + nodes / 2),
        }
    }

    /// The id the next node added will get.
    pub fn next_id(&self) -> NodeId {
        self.graph.nodes.len()
    }

    pub fn flow_entry(&self, flow: usize) -> NodeId {
        self.graph.flow_entry[flow]
    }

    pub fn flow_exit(&self, flow: usize) -> NodeId {
        self.graph.flow_exit[flow]
    }

    /// Adds the entry and exit nodes of the next flow.
    pub fn add_flow(&mut self, flow: usize, loc: Loc) {
        let entry = self.add(NodeKind::Entry, flow, loc, None);
        let exit = self.add(NodeKind::Exit, flow, loc, None);
        self.graph.flow_entry.push(entry);
        self.graph.flow_exit.push(exit);
    }

    pub fn add(&mut self, kind: NodeKind, flow: usize, loc: Loc, parent: Option<NodeId>) -> NodeId {
        self.graph.nodes.push(Node {
            kind,
            flow: Id::of(flow),
            loc,
            is_goto: false,
            waits: false,
            reads: (Id(0), Id(0)),
            binds: Id::NONE,
            links: false,
            needs_link: false,
            restricted: None,
            prev: Id::NONE,
            parent: Id::new(parent),
        });
        self.graph.nodes.len() - 1
    }

    pub fn edge(&mut self, from: NodeId, to: NodeId) {
        self.edge_with(
            from,
            Edge {
                to,
                from_in: false,
                channel: None,
            },
        );
    }

    pub fn edge_with(&mut self, from: NodeId, edge: Edge) {
        if from < self.graph.nodes.len() {
            self.edges.push((from, edge));
        }
    }

    pub fn node_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        self.graph.nodes.get_mut(id)
    }

    /// Moves `reads` (emptied, its capacity kept) to node `id`, replacing what it had.
    pub fn set_reads(&mut self, id: NodeId, reads: &mut Vec<(usize, Loc)>) {
        let start = self.graph.reads.len();
        self.graph.reads.append(reads);
        if let Some(node) = self.graph.nodes.get_mut(id) {
            node.reads = (Id::of(start), Id::of(self.graph.reads.len()));
        }
    }

    /// The graph with every node's edges together (a counting sort by source node, which
    /// keeps each node's edges in the order they were added).
    pub fn finish(self) -> Graph {
        let Builder { mut graph, edges } = self;
        let n = graph.nodes.len();
        let mut starts = vec![0usize; n + 1];
        for (from, _) in &edges {
            starts[from + 1] += 1;
        }
        for id in 0..n {
            starts[id + 1] += starts[id];
        }
        let mut next = starts.clone();
        let placeholder = Edge {
            to: 0,
            from_in: false,
            channel: None,
        };
        let mut sorted = vec![placeholder; edges.len()];
        for (from, edge) in edges {
            sorted[next[from]] = edge;
            next[from] += 1;
        }
        graph.edges = sorted;
        graph.starts = starts;
        graph
    }
}

//! The control-flow graph the flow analyses run on: one node per statement, plus an
//! entry and an exit node per flow. Edges follow what the runtime does: the next
//! statement, each arm, `goto` to a flow or a label, `fail_flow` after a card's last
//! try, and the statement after an `ask`/`when`/`if` when a branch finishes.

use fluxo_stdlib::types::Channel;

use super::Loc;

pub(crate) type NodeId = usize;

#[derive(Debug)]
pub(crate) struct Graph {
    pub nodes: Vec<Node>,
    /// Per flow (index of `ProgramInfo::flows`).
    pub flow_entry: Vec<NodeId>,
    pub flow_exit: Vec<NodeId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Entry,
    Exit,
    Stmt,
    /// The condition of an `else if`: not a statement of its own.
    ElseIf,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub flow: usize,
    pub loc: Loc,
    /// `goto`, the back edges of loops.
    pub is_goto: bool,
    /// Reads a message from the customer on every run.
    pub waits: bool,
    /// Variables read (index into `ProgramInfo::variables`) and where.
    pub reads: Vec<(usize, Loc)>,
    /// The variable assigned when the statement completes.
    pub binds: Option<usize>,
    /// `auto_link()`: the conversation is linked after it.
    pub links: bool,
    /// `erp.sign_contract`: needs `auto_link()` on every path before it.
    pub needs_link: bool,
    /// A card restricted to some channels, and its name.
    pub channels: Option<(&'static [Channel], &'static str)>,
    pub succ: Vec<Edge>,
    /// The statement before it in the same block, and the statement it is nested in.
    pub prev: Option<NodeId>,
    pub parent: Option<NodeId>,
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
    pub fn new() -> Graph {
        Graph {
            nodes: Vec::new(),
            flow_entry: Vec::new(),
            flow_exit: Vec::new(),
        }
    }

    pub fn add(&mut self, kind: NodeKind, flow: usize, loc: Loc, parent: Option<NodeId>) -> NodeId {
        self.nodes.push(Node {
            kind,
            flow,
            loc,
            is_goto: false,
            waits: false,
            reads: Vec::new(),
            binds: None,
            links: false,
            needs_link: false,
            channels: None,
            succ: Vec::new(),
            prev: None,
            parent,
        });
        self.nodes.len() - 1
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
        if let Some(node) = self.nodes.get_mut(from) {
            node.succ.push(edge);
        }
    }

    pub fn node_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        self.nodes.get_mut(id)
    }
}

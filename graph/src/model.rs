//! The graph of a program as data: one [`FlowGraph`] per flow, its cards as nodes and
//! the ways between them as edges, with the checker's findings and a diff's changes
//! as marks. Every renderer (SVG, DOT, Mermaid) and the layout read only this.

use fluxo_grammar::ast::Span;
use fluxo_grammar::FileId;
use fluxo_stdlib::catalogue::Family;

/// A whole program: its flows in declaration order.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub flows: Vec<FlowGraph>,
}

#[derive(Clone, Debug)]
pub struct FlowGraph {
    pub name: String,
    pub title: Option<String>,
    /// The file the flow is in, as the sources name it.
    pub file: String,
    /// Node 0 is always the flow's start.
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// `fluxo check` says no path from the entry flow leads here (W0502).
    pub unreached: bool,
    /// In a diff: the flow as a whole was added or removed.
    pub change: Option<Change>,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub role: Role,
    /// The card's name in the catalogue (`ask_choice`, `erp.diagnose`); `None` for the
    /// flow's start, a jump to another flow and the conversation closing.
    pub card: Option<&'static str>,
    /// The card's family in the catalogue, which decides its colour.
    pub family: Option<Family>,
    /// The card's key text in full (renderers cut it to fit).
    pub text: String,
    /// The 1-based source line.
    pub line: Option<u32>,
    /// Where the statement is, to match the checker's diagnostics.
    pub at: Option<(FileId, Span)>,
    pub marks: Marks,
    pub change: Option<Change>,
}

/// What a node does to the way through the flow; each role has its own shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Where the flow begins (its name and title).
    Start,
    /// A card that goes on to the next one.
    Step,
    /// A card with arms: the way splits.
    Decision,
    /// A card after which the conversation leaves the bot (`end`, `transfer`).
    Ending,
    /// Another flow, reached by `goto` or `fail_flow`.
    Link,
    /// The flow ran off its end: the conversation closes.
    Close,
}

/// What `fluxo check` found at a node or an edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// W0503: the entry flow can run off its end after this card.
    pub dead_end: bool,
    /// W0501: this card can never run (or only follows cards that never run).
    pub unreachable: bool,
    /// E0502: part of a loop that never waits for the customer.
    pub waitless_loop: bool,
}

impl Marks {
    pub fn any(self) -> bool {
        self.dead_end || self.unreachable || self.waitless_loop
    }
}

/// How a node or flow differs from the old program in `--diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// The option, arm or outcome the way is taken on.
    pub label: Option<String>,
    pub kind: EdgeKind,
    /// The `goto` statement the edge stands for, to match the checker's diagnostics.
    pub at: Option<(FileId, Span)>,
    pub waitless_loop: bool,
    /// In a diff: a way of the old program that is gone.
    pub removed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// The next card, an arm, a `goto`.
    Normal,
    /// A card's `fail_flow`: taken when its tries run out or its call fails.
    Fail,
}

impl Node {
    pub fn new(role: Role, text: impl Into<String>) -> Node {
        Node {
            role,
            card: None,
            family: None,
            text: text.into(),
            line: None,
            at: None,
            marks: Marks::default(),
            change: None,
        }
    }
}

impl FlowGraph {
    /// The index of node `to`'s incoming edges' sources (for the layout and marks).
    pub fn predecessors(&self, to: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges
            .iter()
            .filter(move |it| it.to == to)
            .map(|it| it.from)
    }
}

impl Graph {
    pub fn flow(&self, name: &str) -> Option<&FlowGraph> {
        self.flows.iter().find(|it| it.name == name)
    }
}

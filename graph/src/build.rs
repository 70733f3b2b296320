//! From a checked program to its [`Graph`]: one node per card, in source order, and one
//! edge per way the runtime can take (the next card, each arm, `goto`, `fail_flow`).
//!
//! The ways are those of the checker's control-flow graph (`compiler/src/check/cfg.rs`):
//! a block's end goes on after the statement it is nested in, a flow's end closes the
//! conversation, and where the checker decided that execution may go on past a card's
//! arms (`ProgramInfo::falls_through`) the picture shows an "otherwise" way. A `goto`
//! to a label is an edge; a `goto` or `fail_flow` to another flow ends at a link node
//! naming that flow, one per flow named.

use std::collections::HashMap;

use fluxo_compiler::check::ProgramInfo;
use fluxo_compiler::{Checked, Sources};
use fluxo_grammar::ast::{self, Span, Stmt, StmtKind};
use fluxo_grammar::FileId;
use fluxo_stdlib::catalogue::{card, CardSpec, CALL_FAILURE_PARAMS, RETRY_PARAMS};

use crate::model::{Edge, EdgeKind, FlowGraph, Graph, Marks, Node, Role};

/// The graph of every flow the checker resolved (a second flow of the same name, which
/// it reports, is left out).
pub fn build(checked: &Checked, sources: &Sources) -> Graph {
    let program = &checked.program;
    let mut flows = Vec::new();
    for (idx, info) in program.flows.iter().enumerate() {
        let file = info.loc.file;
        let parsed = checked.files.iter().find(|it| it.id == file);
        let flow = parsed
            .and_then(|it| it.ast.items.get(info.item))
            .and_then(|item| match &item.kind {
                ast::ItemKind::Flow(flow) => Some(flow),
                _ => None,
            });
        let (Some(flow), Some(source)) = (flow, sources.get(file)) else {
            continue;
        };
        let mut builder = Builder {
            sources,
            program,
            flow_idx: idx,
            file,
            text: &source.text,
            graph: FlowGraph {
                name: info.name.clone(),
                title: flow.title.as_ref().map(ast::Str::display),
                file: source.name.clone(),
                nodes: Vec::new(),
                edges: Vec::new(),
                unreached: false,
                change: None,
            },
            labels: HashMap::new(),
            pending: Vec::new(),
            links: HashMap::new(),
        };
        builder.flow(flow);
        flows.push(builder.graph);
    }
    Graph { flows }
}

/// Where a way leads before every node exists.
#[derive(Clone, Debug)]
enum To {
    Node(usize),
    /// `goto <label>`: resolved once the flow is walked.
    Label(String),
}

/// Where a statement begins: a node, or (for `goto`) the place it jumps to, with the
/// `goto`'s own span for the edge.
#[derive(Clone, Debug)]
struct Entry {
    to: To,
    jump: Option<Span>,
}

/// A way out of a statement that goes on to whatever comes next.
#[derive(Clone, Debug)]
struct Open {
    from: usize,
    label: Option<String>,
}

struct Builder<'a> {
    sources: &'a Sources,
    program: &'a ProgramInfo,
    flow_idx: usize,
    file: FileId,
    text: &'a str,
    graph: FlowGraph,
    labels: HashMap<String, usize>,
    /// Edges whose target is a label, by edge index.
    pending: Vec<(usize, String)>,
    /// The link node of each flow named by a `goto` or `fail_flow`.
    links: HashMap<String, usize>,
}

impl<'a> Builder<'a> {
    fn flow(&mut self, flow: &'a ast::Flow) {
        let title = self.graph.title.clone();
        let mut start = Node::new(Role::Start, title.unwrap_or_default());
        start.line = Some(self.line(flow.name.span));
        start.at = Some((self.file, flow.name.span));
        self.graph.nodes.push(start);
        let (entry, opens) = self.block(&flow.body.stmts);
        let opens = match entry {
            Some(entry) => {
                self.edge(0, &entry, None, EdgeKind::Normal);
                opens
            }
            None => vec![Open {
                from: 0,
                label: None,
            }],
        };
        if !opens.is_empty() {
            let close = self.add(Node::new(Role::Close, "the conversation closes"));
            for open in opens {
                self.edge(open.from, &node_entry(close), open.label, EdgeKind::Normal);
            }
        }
        for (edge, label) in std::mem::take(&mut self.pending) {
            match self.labels.get(&label) {
                Some(&to) => self.graph.edges[edge].to = to,
                None => self.graph.edges[edge].to = usize::MAX,
            }
        }
        // A `goto` to a label that names no statement (already reported) leads nowhere.
        self.graph.edges.retain(|it| it.to != usize::MAX);
        // Each card's ways together, in the order written (the sort is stable).
        self.graph.edges.sort_by_key(|it| it.from);
    }

    /// Walks a block; returns where it begins (`None` when it is empty) and its ways
    /// out to whatever follows it.
    fn block(&mut self, stmts: &'a [Stmt]) -> (Option<Entry>, Vec<Open>) {
        let mut first: Option<Entry> = None;
        let mut opens: Vec<Open> = Vec::new();
        for (i, stmt) in stmts.iter().enumerate() {
            let (entry, out) = self.stmt(stmt);
            if let (Some(label), To::Node(node)) = (&stmt.label, &entry.to) {
                self.labels.entry(label.name.clone()).or_insert(*node);
            }
            for open in std::mem::take(&mut opens) {
                self.edge(open.from, &entry, open.label, EdgeKind::Normal);
            }
            if i == 0 {
                first = Some(entry);
            }
            opens = out;
        }
        (first, opens)
    }

    fn stmt(&mut self, stmt: &'a Stmt) -> (Entry, Vec<Open>) {
        let text = self.slice(stmt.span);
        match &stmt.kind {
            StmtKind::Say(s) => self.step(stmt, "say", s.display()),
            StmtKind::SayAudio(s) => self.step(stmt, "say_audio", s.display()),
            StmtKind::Tag(_) | StmtKind::Wait(_) | StmtKind::Set { .. } => {
                let name = match &stmt.kind {
                    StmtKind::Tag(_) => "tag",
                    StmtKind::Wait(_) => "wait",
                    _ => "set",
                };
                self.step(stmt, name, text)
            }
            StmtKind::Transfer { .. } => self.ending(stmt, "transfer", text),
            StmtKind::End => self.ending(stmt, "end", String::new()),
            StmtKind::Goto(target) => (self.goto(&target.name, stmt.span), Vec::new()),
            StmtKind::Ask(ask) => self.ask(stmt, ask),
            StmtKind::When(when) => {
                let header = self.slice(Span::new(
                    stmt.span.start as usize,
                    when.arms.span.start as usize,
                ));
                let node = self.card_node(stmt, "when", Role::Decision, header);
                let opens = self.arms(stmt, node, &when.arms);
                (node_entry(node), opens)
            }
            StmtKind::If(branch) => {
                let node = self.card_node(stmt, "if", Role::Decision, self.condition(branch));
                (node_entry(node), self.if_chain(node, branch))
            }
            StmtKind::Call(call) => self.call(stmt, call),
        }
    }

    fn step(&mut self, stmt: &Stmt, name: &str, text: String) -> (Entry, Vec<Open>) {
        let node = self.card_node(stmt, name, Role::Step, text);
        (node_entry(node), vec![open(node, None)])
    }

    fn ending(&mut self, stmt: &Stmt, name: &str, text: String) -> (Entry, Vec<Open>) {
        let node = self.card_node(stmt, name, Role::Ending, text);
        (node_entry(node), Vec::new())
    }

    fn ask(&mut self, stmt: &'a Stmt, ask: &'a ast::Ask) -> (Entry, Vec<Open>) {
        let prompt = ask.prompt.display();
        let (name, arms) = match &ask.kind {
            ast::AskKind::Choice { arms } => ("ask_choice", Some(arms)),
            ast::AskKind::Confirm { arms } => ("ask_confirm", Some(arms)),
            ast::AskKind::Input { .. } => ("ask_input", None),
        };
        let role = if arms.is_some() {
            Role::Decision
        } else {
            Role::Step
        };
        let text = match &ask.kind {
            ast::AskKind::Input { ty, var } => format!("{prompt} · {} as {}", ty.name, var.name),
            _ => prompt,
        };
        let node = self.card_node(stmt, name, role, text);
        self.fail_flow(node, &ask.args);
        let opens = match arms {
            Some(arms) => self.arms(stmt, node, arms),
            None => vec![open(node, None)],
        };
        (node_entry(node), opens)
    }

    fn call(&mut self, stmt: &'a Stmt, call: &'a ast::Call) -> (Entry, Vec<Open>) {
        let spec = card(&call.full_name());
        let key = call
            .args
            .iter()
            .find(|arg| !is_failure_param(&arg.name.name))
            .map(|arg| match &arg.value.kind {
                ast::ExprKind::Str(s) => s.display(),
                _ => format!("{}: {}", arg.name.name, self.slice(arg.value.span)),
            });
        let mut text: Vec<String> = key.into_iter().collect();
        if let Some(var) = &call.binding {
            text.push(format!("as {}", var.name));
        }
        let role = match spec {
            _ if call.arms.is_some() => Role::Decision,
            Some(spec) if !spec.continues => Role::Ending,
            _ => Role::Step,
        };
        let node = match spec {
            Some(spec) => self.spec_node(stmt, spec, role, text.join(" · ")),
            // An unknown card (reported by the checker) still has its place.
            None => {
                text.insert(0, call.full_name());
                self.card_node(stmt, "", role, text.join(" · "))
            }
        };
        self.fail_flow(node, &call.args);
        let opens = match &call.arms {
            Some(arms) => self.arms(stmt, node, arms),
            None if role == Role::Ending => Vec::new(),
            None => vec![open(node, None)],
        };
        (node_entry(node), opens)
    }

    /// The edges of each arm, and the ways out: arms that run to their end, and
    /// "otherwise" where the checker says no arm may match.
    fn arms(&mut self, stmt: &Stmt, node: usize, arms: &'a ast::Arms) -> Vec<Open> {
        let mut opens = Vec::new();
        for arm in &arms.arms {
            let label = self.pattern(&arm.pattern);
            let (entry, out) = self.block(arm.body.stmts());
            match entry {
                Some(entry) => self.edge(node, &entry, Some(label), EdgeKind::Normal),
                None => opens.push(open(node, Some(label))),
            }
            opens.extend(out);
        }
        let here = fluxo_compiler::check::Loc::new(self.file, stmt.span);
        if self.program.falls_through.contains(&here) {
            opens.push(open(node, Some("otherwise".to_string())));
        }
        opens
    }

    fn if_chain(&mut self, node: usize, branch: &'a ast::If) -> Vec<Open> {
        let (entry, mut opens) = self.block(&branch.then.stmts);
        match entry {
            Some(entry) => self.edge(node, &entry, Some("yes".into()), EdgeKind::Normal),
            None => opens.push(open(node, Some("yes".into()))),
        }
        match &branch.otherwise {
            None => opens.push(open(node, Some("no".into()))),
            Some(ast::Else::Block(block)) => {
                let (entry, out) = self.block(&block.stmts);
                match entry {
                    Some(entry) => self.edge(node, &entry, Some("no".into()), EdgeKind::Normal),
                    None => opens.push(open(node, Some("no".into()))),
                }
                opens.extend(out);
            }
            Some(ast::Else::If(nested, span)) => {
                let mut inner = Node::new(Role::Decision, self.condition(nested));
                inner.card = Some("if");
                inner.family = card("if").map(|it| it.family);
                inner.line = Some(self.line(*span));
                inner.at = Some((self.file, *span));
                let inner = self.add(inner);
                self.edge(
                    node,
                    &node_entry(inner),
                    Some("no".into()),
                    EdgeKind::Normal,
                );
                opens.extend(self.if_chain(inner, nested));
            }
        }
        opens
    }

    fn goto(&mut self, target: &str, at: Span) -> Entry {
        let flow = self.program.flows.get(self.flow_idx);
        let is_label = flow.is_some_and(|it| it.labels.iter().any(|l| l.name == target));
        let to = if is_label {
            To::Label(target.to_string())
        } else {
            To::Node(self.link(target))
        };
        Entry { to, jump: Some(at) }
    }

    /// A card's `fail_flow:`, dashed to the flow's link node.
    fn fail_flow(&mut self, node: usize, args: &[ast::Arg]) {
        let flow = args.iter().find_map(|arg| match &arg.value.kind {
            ast::ExprKind::Path(path) if arg.name.name == "fail_flow" => Some(path.dotted()),
            _ => None,
        });
        if let Some(flow) = flow {
            // A link of its own beside the card: fail paths shared with `goto`s would
            // cross the whole flow.
            let link = self.new_link(&flow);
            self.edge(
                node,
                &node_entry(link),
                Some("fails".into()),
                EdgeKind::Fail,
            );
        }
    }

    /// The node standing for flow `name`, one per flow named.
    fn link(&mut self, name: &str) -> usize {
        if let Some(&node) = self.links.get(name) {
            return node;
        }
        let node = self.new_link(name);
        self.links.insert(name.to_string(), node);
        node
    }

    fn new_link(&mut self, name: &str) -> usize {
        self.add(Node::new(Role::Link, name))
    }

    fn card_node(&mut self, stmt: &Stmt, name: &str, role: Role, text: String) -> usize {
        match card(name) {
            Some(spec) => self.spec_node(stmt, spec, role, text),
            None => {
                let mut node = Node::new(role, text);
                node.line = Some(self.line(stmt.span));
                node.at = Some((self.file, stmt.span));
                self.add(node)
            }
        }
    }

    fn spec_node(
        &mut self,
        stmt: &Stmt,
        spec: &'static CardSpec,
        role: Role,
        text: String,
    ) -> usize {
        let node = Node {
            role,
            card: Some(spec.name),
            family: Some(spec.family),
            text,
            line: Some(self.line(stmt.span)),
            at: Some((self.file, stmt.span)),
            marks: Marks::default(),
            change: None,
        };
        self.add(node)
    }

    fn add(&mut self, node: Node) -> usize {
        self.graph.nodes.push(node);
        self.graph.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: &Entry, label: Option<String>, kind: EdgeKind) {
        let target = match &to.to {
            To::Node(node) => *node,
            To::Label(name) => {
                self.pending.push((self.graph.edges.len(), name.clone()));
                usize::MAX
            }
        };
        let label = match (label, &to.to, to.jump) {
            (None, To::Label(name), Some(_)) => Some(format!("goto {name}")),
            (label, _, _) => label,
        };
        self.graph.edges.push(Edge {
            from,
            to: target,
            label,
            kind,
            at: to.jump.map(|span| (self.file, span)),
            waitless_loop: false,
            removed: false,
        });
    }

    fn pattern(&self, pattern: &ast::Pattern) -> String {
        match pattern {
            ast::Pattern::Str(s) => s.display(),
            other => self.slice(other.span()),
        }
    }

    fn condition(&self, branch: &ast::If) -> String {
        format!("if {}", self.slice(branch.cond.span))
    }

    /// The source text of a span, on one line.
    fn slice(&self, span: Span) -> String {
        let text = self.text.get(span.range()).unwrap_or("");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn line(&self, span: Span) -> u32 {
        self.sources.line_col(self.file, span.start).0
    }
}

/// The retry and failure parameters every such card shares: never a card's key text.
fn is_failure_param(name: &str) -> bool {
    RETRY_PARAMS
        .iter()
        .chain(CALL_FAILURE_PARAMS.iter())
        .any(|it| it.name == name)
}

fn node_entry(node: usize) -> Entry {
    Entry {
        to: To::Node(node),
        jump: None,
    }
}

fn open(from: usize, label: Option<String>) -> Open {
    Open { from, label }
}

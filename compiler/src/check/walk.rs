//! Step 3: every statement of every flow. Resolves names, types expressions, hands each
//! card to its checks in `crate::cards`, and builds the control-flow graph as it goes
//! (one node per statement, so the analyses after it never re-walk the syntax tree).

use fluxo_grammar::ast::{self, Ident, Stmt, StmtKind};
use fluxo_stdlib::catalogue::{CardId, CardKind, Channels};
use fluxo_stdlib::types::ItemKind;
use rustc_hash::FxHashMap;

use super::cfg::{Builder, Edge, Graph, NodeId, NodeKind};
use super::types;
use super::{suggest, Cx, Problem};
use crate::cards::{self, Position};
use crate::symbols::Symbol;
use crate::ParsedFile;

pub(super) fn walk(cx: &mut Cx, files: &[ParsedFile]) -> Graph {
    // Sized up front: the graph is the checker's largest structure, and growing it
    // copies it over and over.
    let n_nodes = 2 * cx.program.flows.len() + cx.program.statements;
    let mut graph = Builder::with_capacity(n_nodes);
    for (idx, flow) in cx.program.flows.iter().enumerate() {
        graph.add_flow(idx, flow.loc);
    }
    let entry_flow = cx.program.entry_flow();
    // A second flow of the same name was reported as a duplicate; only the first has a
    // place in the graph.
    for idx in 0..cx.program.flows.len() {
        let Some((file, flow)) = cx.program.flow_ast(files, idx) else {
            continue;
        };
        cx.file = file;
        let mut walker = Walker {
            cx,
            graph: &mut graph,
            flow: idx,
            labels: FxHashMap::default(),
            pending: Vec::new(),
        };
        walker.flow(&flow.body, entry_flow == Some(idx));
    }
    graph.finish()
}

struct Walker<'a> {
    cx: &'a mut Cx,
    graph: &'a mut Builder,
    flow: usize,
    /// The node each label of the flow stands on.
    labels: FxHashMap<&'a str, NodeId>,
    /// `goto <label>` nodes, resolved once the whole flow is walked.
    pending: Vec<(NodeId, &'a str)>,
}

impl<'a> Walker<'a> {
    fn flow(&mut self, body: &'a ast::Block, is_entry: bool) {
        let entry = self.graph.flow_entry(self.flow);
        let exit = self.graph.flow_exit(self.flow);
        let first = self.block(&body.stmts, exit, None, is_entry);
        self.graph.edge(entry, first);
        for (node, label) in std::mem::take(&mut self.pending) {
            if let Some(&target) = self.labels.get(label) {
                self.graph.edge(node, target);
            }
        }
    }

    /// Walks a block whose end continues at `cont`; returns the node it starts at.
    fn block(
        &mut self,
        stmts: &'a [Stmt],
        cont: NodeId,
        parent: Option<NodeId>,
        is_entry_start: bool,
    ) -> NodeId {
        if stmts.is_empty() {
            return cont;
        }
        // The block's statements get consecutive nodes, added before any nested one.
        let first = self.graph.next_id();
        for stmt in stmts {
            self.graph
                .add(NodeKind::Stmt, self.flow, self.cx.loc(stmt.span), parent);
        }
        let last = first + stmts.len() - 1;
        for (id, stmt) in (first..).zip(stmts) {
            let next = if id < last { id + 1 } else { cont };
            if let Some(node) = self.graph.node_mut(id) {
                node.set_prev((id > first).then(|| id - 1));
            }
            if let Some(label) = &stmt.label {
                self.labels.entry(&label.name).or_insert(id);
            }
            let position = if is_entry_start && id == first {
                Position::EntryStart
            } else {
                Position::Elsewhere
            };
            self.stmt(stmt, id, next, position);
        }
        first
    }

    /// Records the reads collected while checking the statement's own expressions.
    fn take_reads(&mut self, id: NodeId) {
        self.graph.set_reads(id, &mut self.cx.reads);
    }

    fn arms_bodies(
        &mut self,
        arms: &'a ast::Arms,
        id: NodeId,
        next: NodeId,
        channels: &[Option<fluxo_stdlib::types::Channel>],
    ) {
        for (i, arm) in arms.arms.iter().enumerate() {
            let first = self.block(arm.body.stmts(), next, Some(id), false);
            let channel = channels.get(i).copied().flatten();
            self.graph.edge_with(
                id,
                Edge {
                    to: first,
                    from_in: false,
                    channel,
                },
            );
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt, id: NodeId, next: NodeId, position: Position) {
        match &stmt.kind {
            StmtKind::Say(text) => {
                types::interpolations(self.cx, text);
                self.take_reads(id);
                self.graph.edge(id, next);
            }
            StmtKind::SayAudio(file) => {
                cards::say_audio::check(self.cx, file);
                self.take_reads(id);
                self.graph.edge(id, next);
            }
            StmtKind::Ask(ask) => self.ask(ask, stmt, id, next),
            StmtKind::When(when) => {
                let facts = cards::when::check(self.cx, when);
                self.take_reads(id);
                self.arms_bodies(&when.arms, id, next, &facts.arm_channels);
                if facts.falls_through {
                    self.fall_through(stmt, id, next);
                }
            }
            StmtKind::If(branch) => self.if_chain(branch, id, next),
            StmtKind::Goto(target) => self.goto(target, id),
            StmtKind::Transfer {
                department,
                attendant,
            } => {
                cards::transfer::check(self.cx, department, attendant.as_ref());
            }
            StmtKind::Tag(tags) => {
                for tag in tags {
                    self.cx.resolve(ItemKind::Tag, tag);
                }
                self.graph.edge(id, next);
            }
            StmtKind::Wait(_) => self.graph.edge(id, next),
            StmtKind::Set { var, value } => {
                let ty = types::expr(self.cx, value);
                self.take_reads(id);
                let var = cards::bind(self.cx, var, ty);
                if let Some(node) = self.graph.node_mut(id) {
                    node.set_binds(var);
                }
                self.graph.edge(id, next);
            }
            StmtKind::End => {}
            StmtKind::Call(call) => self.call(call, stmt, id, next, position),
        }
    }

    fn ask(&mut self, ask: &'a ast::Ask, stmt: &Stmt, id: NodeId, next: NodeId) {
        let card = match ask.kind {
            ast::AskKind::Choice { .. } => CardId::AskChoice,
            ast::AskKind::Confirm { .. } => CardId::AskConfirm,
            ast::AskKind::Input { .. } => CardId::AskInput,
        };
        let spec = card.spec();
        types::interpolations(self.cx, &ask.prompt);
        let facts = cards::args::check(self.cx, spec, &ask.args, stmt.span);
        self.take_reads(id);
        let mut binds = None;
        match &ask.kind {
            ast::AskKind::Choice { arms } => {
                cards::arms::strings(self.cx, spec, arms);
                cards::ask_choice::check(self.cx, &ask.args);
                self.arms_bodies(arms, id, next, &[]);
            }
            ast::AskKind::Confirm { arms } => {
                let complete = cards::arms::yes_no(self.cx, spec, arms, stmt.span);
                self.arms_bodies(arms, id, next, &[]);
                if !complete {
                    // The missing arm is reported; treating it as going on after the
                    // card keeps what follows from being reported unreachable as well.
                    self.fall_through(stmt, id, next);
                }
            }
            ast::AskKind::Input { ty, var } => {
                binds = cards::ask_input::check(self.cx, ty, var);
                self.graph.edge(id, next);
            }
        }
        self.finish_card(card, id, binds, facts.fail_flow);
    }

    fn call(
        &mut self,
        call: &'a ast::Call,
        stmt: &Stmt,
        id: NodeId,
        next: NodeId,
        position: Position,
    ) {
        let at = self.cx.loc(call.name_span());
        let card = super::call_card(call);
        match card.map(CardId::kind) {
            // Its arguments are not checked: what they should be is unknown, and a flow
            // named in `fail_flow:` would read as an unknown variable.
            None => {
                let name = call.full_name();
                let suggestion = suggest::card(&name);
                // Its `fail_flow:` still leads where it says, or that flow would be
                // reported unreached too.
                let fail_flow = call.args.iter().find_map(|arg| match &arg.value.kind {
                    ast::ExprKind::Path(path) if arg.name.name == "fail_flow" => {
                        self.cx.program.flow(&path.dotted())
                    }
                    _ => None,
                });
                if let Some(flow) = fail_flow {
                    self.fail_edge(id, flow);
                }
                self.cx.report(Problem::UnknownCard {
                    at,
                    name,
                    suggestion,
                });
            }
            Some(CardKind::Statement(_)) => {
                if let Some(spec) = card.map(CardId::spec) {
                    self.cx.report(Problem::StatementAsCall {
                        at,
                        card: cards::args::display_name(spec),
                        form: spec.form,
                    });
                }
            }
            Some(CardKind::Call(_)) => {}
        }
        let Some(card) = card.filter(|it| matches!(it.kind(), CardKind::Call(_))) else {
            self.graph.edge(id, next);
            return;
        };
        let facts = cards::check_call(self.cx, card, call, stmt, position);
        self.take_reads(id);
        if let Some(arms) = &call.arms {
            self.arms_bodies(arms, id, next, &[]);
        }
        if facts.falls_through {
            self.fall_through(stmt, id, next);
        }
        self.finish_card(card, id, facts.binds, facts.fail_flow);
    }

    /// Execution may go on past the arms of statement `id`.
    fn fall_through(&mut self, stmt: &Stmt, id: NodeId, next: NodeId) {
        self.cx.program.falls_through.push(self.cx.loc(stmt.span));
        self.graph.edge(id, next);
    }

    /// A card's failure path into `flow`.
    fn fail_edge(&mut self, id: NodeId, flow: usize) {
        let to = self.graph.flow_entry(flow);
        self.graph.edge_with(
            id,
            Edge {
                to,
                from_in: true,
                channel: None,
            },
        );
    }

    /// What every card's node carries from the catalogue.
    fn finish_card(
        &mut self,
        card: CardId,
        id: NodeId,
        binds: Option<usize>,
        fail_flow: Option<usize>,
    ) {
        if let Some(flow) = fail_flow {
            self.fail_edge(id, flow);
        }
        if let Some(node) = self.graph.node_mut(id) {
            let spec = card.spec();
            node.waits = spec.waits_for_customer;
            node.set_binds(binds);
            node.links = cards::sign_contract::links(card);
            node.needs_link = cards::sign_contract::needs_link(card);
            if let Channels::Only(_) = spec.channels {
                node.restricted = Some(spec);
            }
        }
    }

    fn if_chain(&mut self, branch: &'a ast::If, id: NodeId, next: NodeId) {
        let ty = types::expr(self.cx, &branch.cond);
        if !ty.is(fluxo_stdlib::types::Ty::Bool) {
            let found = self.cx.show(ty);
            self.cx.report(Problem::ConditionType {
                at: self.cx.loc(branch.cond.span),
                found,
            });
        }
        self.take_reads(id);
        let then = self.block(&branch.then.stmts, next, Some(id), false);
        self.graph.edge(id, then);
        match &branch.otherwise {
            None => self.graph.edge(id, next),
            Some(ast::Else::Block(block)) => {
                let first = self.block(&block.stmts, next, Some(id), false);
                self.graph.edge(id, first);
            }
            Some(ast::Else::If(nested, span)) => {
                let node =
                    self.graph
                        .add(NodeKind::ElseIf, self.flow, self.cx.loc(*span), Some(id));
                self.graph.edge(id, node);
                self.if_chain(nested, node, next);
            }
        }
    }

    fn goto(&mut self, target: &'a Ident, id: NodeId) {
        if let Some(node) = self.graph.node_mut(id) {
            node.is_goto = true;
        }
        if target.name.is_empty() {
            return;
        }
        let flow = &self.cx.program.flows[self.flow];
        if let Some(label) = flow.labels.iter().position(|it| it.name == target.name) {
            self.cx.used_labels.insert((self.flow, label));
            let (symbol, at) = (
                Symbol::Label {
                    flow: self.flow,
                    label,
                },
                self.cx.loc(target.span),
            );
            self.cx.program.symbols.push(symbol, at);
            self.pending.push((id, &target.name));
            return;
        }
        if let Some(to) = self.cx.program.flow(&target.name) {
            let at = self.cx.loc(target.span);
            self.cx
                .program
                .symbols
                .push(Symbol::Item(ItemKind::Flow, to), at);
            self.cx.program.resolved_goto(at, to);
            let entry = self.graph.flow_entry(to);
            self.graph.edge(id, entry);
            return;
        }
        let labels = flow.labels.iter().map(|it| it.name.as_str());
        let candidates: Vec<&str> = labels
            .chain(self.cx.program.names_of(ItemKind::Flow))
            .collect();
        let suggestion = suggest::closest(&target.name, candidates);
        self.cx.report(Problem::UnknownName {
            at: self.cx.loc(target.span),
            kind: "flow or label".to_string(),
            name: target.name.clone(),
            suggestion,
        });
    }
}

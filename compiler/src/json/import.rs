//! Opa JSON → syntax tree: entity records become declarations, each flow's graph becomes
//! nested statements, with labels and `goto`s where connectors join or loop back, and
//! `@id`/`@pos`/`@field` attributes keeping what the text has no syntax for.

use std::collections::HashMap;

use fluxo_grammar::ast::{
    Arm, AttrArg, Block, Branch, Else, Flow, Ident, If, Item, Span, Stmt, StmtKind,
};
use fluxo_stdlib::catalogue::CardId;
use serde_json::Value;

use super::export::join;
use super::fields::{
    self, attr_str, is_number, make_attr, text_arg, Decoded, DANGLING, ID, IMPLICIT, MISSING, POS,
};
use super::ids;
use super::ir::{self, BranchKind, Branches, CardInfo, CardNode, Dest, Node, Otherwise, Target};
use super::names::Names;
use super::schema::{FlowDto, IF_FALSE, IF_TRUE, NEXT};
use super::text::{ident, str_from_json};
use super::Warning;

/// The flow item of `dto` (`fluxos[index]` in messages).
pub fn flow_item(
    dto: &FlowDto,
    index: usize,
    names: &Names,
    warnings: &mut Vec<Warning>,
) -> Result<Item, super::JsonError> {
    let at = |rest: &str| format!("fluxos[{index}]{rest}");
    let err = |path: String, message: String| super::JsonError {
        path: Some(path),
        position: None,
        message,
    };
    let name = ident(&dto.nome).ok_or_else(|| {
        err(
            at(".nome"),
            format!(
                "`{}` is not a flow name (lower-case letters, digits, _)",
                dto.nome
            ),
        )
    })?;
    let title = match &dto.titulo {
        Value::Null => None,
        other => Some(
            str_from_json(other).ok_or_else(|| err(at(".titulo"), "expected a string".into()))?,
        ),
    };
    let mut cards = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    for (j, card) in dto.cards.iter().enumerate() {
        let path = at(&format!(".cards[{j}]"));
        if index_of.insert(card.id.as_str(), j).is_some() {
            return Err(err(
                format!("{path}._id"),
                format!("two cards have the id \"{}\"", card.id),
            ));
        }
        let decoded =
            fields::decode(&card.tipo, &card.campos, names).map_err(|m| err(path.clone(), m))?;
        for (axis, n) in [("x", &card.posicao.x), ("y", &card.posicao.y)] {
            if !is_number(&n.to_string()) {
                return Err(err(
                    format!("{path}.posicao.{axis}"),
                    format!("`{n}` must be a plain decimal number"),
                ));
            }
        }
        cards.push(decoded);
    }
    let graph = Graph::read(dto, &cards, &index_of, index, warnings).map_err(|(p, m)| err(p, m))?;
    let mut body = None;
    if let Some(hint) = &dto.estrutura {
        match hinted(hint, &cards, &index_of, &graph) {
            Ok(nodes) => body = Some(nodes),
            Err(why) => warnings.push(Warning {
                path: at(".estrutura"),
                message: format!("the text layout hint is ignored: {why}"),
            }),
        }
    }
    let body = match body {
        Some(nodes) => nodes,
        None => Canonical::run(&graph, &cards),
    };
    for (j, card) in dto.cards.iter().enumerate() {
        if graph.incoming[j] == 0 && graph.start != Dest::Card(j) {
            warnings.push(Warning {
                path: at(&format!(".cards[{j}]")),
                message: format!("card \"{}\" has no incoming connector (dangling)", card.id),
            });
        }
    }
    let ids: Vec<&str> = dto.cards.iter().map(|c| c.id.as_str()).collect();
    let mut asm = Assembler {
        flow: &dto.nome,
        dto,
        cards: &cards,
        ids: &ids,
        order: 0,
        labels: HashMap::new(),
    };
    asm.collect_targets(&body);
    let stmts = asm.block(&body, "", 0);
    let flow = Flow {
        name,
        title,
        body: Block {
            stmts,
            span: Span::default(),
        },
    };
    let mut attrs = Vec::new();
    if dto.id != ids::item_id("flow", &dto.nome) {
        attrs.push(make_attr(ID, vec![text_arg(&dto.id)]));
    }
    for attr in &dto.atributos {
        attrs.push(fields::attr_from_dto(attr).map_err(|m| err(at(".atributos"), m))?);
    }
    Ok(Item {
        attrs,
        kind: fluxo_grammar::ast::ItemKind::Flow(flow),
        span: Span::default(),
    })
}

/// The connectors of one flow, by card and output.
struct Graph {
    start: Dest,
    /// `outs[card]`: output name → destination.
    outs: Vec<HashMap<String, Dest>>,
    incoming: Vec<usize>,
    connectors: Vec<(String, String, String)>,
}

impl Graph {
    fn read(
        dto: &FlowDto,
        cards: &[Decoded],
        index_of: &HashMap<&str, usize>,
        flow: usize,
        warnings: &mut Vec<Warning>,
    ) -> Result<Graph, (String, String)> {
        let dest = |id: &str| {
            index_of
                .get(id)
                .map_or(Dest::Missing(id.to_string()), |c| Dest::Card(*c))
        };
        let start = dto.inicio.as_deref().map_or(Dest::End, dest);
        let mut outs = vec![HashMap::new(); cards.len()];
        let mut incoming = vec![0; cards.len()];
        let mut connectors = Vec::new();
        for (k, c) in dto.conectores.iter().enumerate() {
            let path = format!("fluxos[{flow}].conectores[{k}]");
            let Some(&from) = index_of.get(c.origem.as_str()) else {
                warnings.push(Warning {
                    path,
                    message: format!("connector from missing card \"{}\" is dropped", c.origem),
                });
                continue;
            };
            let card = &cards[from];
            let is_if = card.spec.name == CardId::If.name();
            let valid = match c.saida.as_str() {
                NEXT => card.spec.continues,
                IF_TRUE | IF_FALSE => is_if,
                other => card.outputs.iter().any(|o| o == other),
            };
            if !valid {
                return Err((
                    format!("{path}.saida"),
                    format!(
                        "card \"{}\" ({}) has no output \"{}\"",
                        c.origem, card.spec.opa_type, c.saida
                    ),
                ));
            }
            let to = dest(&c.destino);
            match &to {
                Dest::Card(t) => incoming[*t] += 1,
                Dest::Missing(id) => warnings.push(Warning {
                    path: format!("{path}.destino"),
                    message: format!("connector to missing card \"{id}\""),
                }),
                Dest::End => {}
            }
            if outs[from].insert(c.saida.clone(), to).is_some() {
                return Err((
                    path,
                    format!(
                        "output \"{}\" of card \"{}\" has two connectors",
                        c.saida, c.origem
                    ),
                ));
            }
            connectors.push((c.origem.clone(), c.saida.clone(), c.destino.clone()));
        }
        if let Dest::Card(s) = start {
            incoming[s] += 0;
        }
        for (j, card) in cards.iter().enumerate() {
            let mut names: Vec<&str> = card.outputs.iter().map(String::as_str).collect();
            if card.spec.name == CardId::If.name() {
                names.push(IF_TRUE);
            }
            for name in names {
                if !outs[j].contains_key(name) {
                    warnings.push(Warning {
                        path: format!("fluxos[{flow}].cards[{j}]"),
                        message: format!(
                            "output \"{name}\" of card \"{}\" has no connector",
                            dto.cards[j].id
                        ),
                    });
                }
            }
        }
        Ok(Graph {
            start,
            outs,
            incoming,
            connectors,
        })
    }

    fn out(&self, card: usize, name: &str) -> Dest {
        self.outs[card].get(name).cloned().unwrap_or(Dest::End)
    }
}

fn branch_kind(card: &Decoded) -> BranchKind {
    if card.spec.name == CardId::If.name() {
        return BranchKind::If;
    }
    let has_arms = match &card.stmt.kind {
        StmtKind::Ask(ask) => !matches!(ask.kind, fluxo_grammar::ast::AskKind::Input { .. }),
        StmtKind::When(_) => true,
        StmtKind::Call(call) => call.arms.is_some(),
        _ => false,
    };
    if has_arms {
        BranchKind::Arms(card.outputs.len())
    } else {
        BranchKind::None
    }
}

/// The blocks the hint describes, if it places every card once and wires to exactly
/// the connectors the document has.
fn hinted(
    hint: &[super::schema::EntryDto],
    cards: &[Decoded],
    index_of: &HashMap<&str, usize>,
    graph: &Graph,
) -> Result<Vec<Node>, String> {
    let kinds: Vec<BranchKind> = cards.iter().map(branch_kind).collect();
    let mut used = vec![false; cards.len()];
    let nodes = ir::from_hint(hint, index_of, &kinds, &mut used)?;
    if let Some(missing) = used.iter().position(|u| !u) {
        return Err(format!("it does not place card {missing}"));
    }
    let ids: Vec<&str> = index_of
        .iter()
        .fold(vec![""; cards.len()], |mut v, (id, i)| {
            v[*i] = id;
            v
        });
    let infos: Vec<CardInfo> = cards
        .iter()
        .zip(&ids)
        .map(|(c, id)| CardInfo {
            id,
            continues: c.spec.continues,
            outputs: &c.outputs,
        })
        .collect();
    let (start, wired) = ir::wire(&nodes, &infos)?;
    let mut wired: Vec<(String, String, String)> = wired
        .into_iter()
        .map(|c| (c.origem, c.saida, c.destino))
        .collect();
    let mut have = graph.connectors.clone();
    wired.sort();
    have.sort();
    if start != graph.start || wired != have {
        return Err("it does not match the connectors".into());
    }
    Ok(nodes)
}

/// Reads a graph into blocks: each card goes where it is first reached in reading order;
/// a card reached again becomes the target of a `goto`.
struct Canonical<'a> {
    graph: &'a Graph,
    cards: &'a [Decoded],
    placed: Vec<bool>,
}

impl<'a> Canonical<'a> {
    fn run(graph: &'a Graph, cards: &'a [Decoded]) -> Vec<Node> {
        let mut c = Canonical {
            graph,
            cards,
            placed: vec![false; cards.len()],
        };
        let mut body = Vec::new();
        c.seq(graph.start.clone(), &Dest::End, &mut body);
        for card in 0..cards.len() {
            if c.placed[card] {
                continue;
            }
            if c.can_continue(body.last()) {
                body.push(Node::End { label: None });
            }
            let first = body.len();
            c.seq(Dest::Card(card), &Dest::End, &mut body);
            if let Some(Node::Card(node)) = body.get_mut(first) {
                node.dangling = true;
            }
        }
        body
    }

    fn can_continue(&self, last: Option<&Node>) -> bool {
        match last {
            Some(Node::Card(node)) => self.cards[node.card].spec.continues,
            Some(_) => false,
            None => false,
        }
    }

    fn seq(&mut self, start: Dest, join: &Dest, out: &mut Vec<Node>) {
        let mut cur = start;
        loop {
            if &cur == join && *join != Dest::End {
                return;
            }
            match cur {
                Dest::End => {
                    if *join != Dest::End && (out.is_empty() || self.can_continue(out.last())) {
                        out.push(Node::End { label: None });
                    }
                    return;
                }
                Dest::Missing(id) => {
                    out.push(Node::Missing { id, label: None });
                    return;
                }
                Dest::Card(c) => {
                    if self.placed[c] {
                        out.push(Node::Goto {
                            target: Target::Card(c),
                            label: None,
                        });
                        return;
                    }
                    self.placed[c] = true;
                    let card = &self.cards[c];
                    let next = if card.spec.continues {
                        self.graph.out(c, NEXT)
                    } else {
                        Dest::End
                    };
                    let branches = match branch_kind(card) {
                        BranchKind::None => Branches::None,
                        BranchKind::Arms(_) => {
                            let mut arms = Vec::new();
                            for id in &card.outputs {
                                let mut nodes = Vec::new();
                                self.seq(self.graph.out(c, id), &next, &mut nodes);
                                arms.push(branch(nodes));
                            }
                            Branches::Arms(arms)
                        }
                        BranchKind::If => {
                            let mut then = Vec::new();
                            self.seq(self.graph.out(c, IF_TRUE), &next, &mut then);
                            let otherwise = match self.graph.outs[c].get(IF_FALSE) {
                                Some(dest) => {
                                    let mut nodes = Vec::new();
                                    self.seq(dest.clone(), &next, &mut nodes);
                                    Some(Otherwise::Block(nodes))
                                }
                                None => None,
                            };
                            Branches::If { then, otherwise }
                        }
                    };
                    out.push(Node::Card(CardNode {
                        card: c,
                        label: None,
                        dangling: false,
                        branches,
                    }));
                    if !card.spec.continues {
                        return;
                    }
                    cur = next;
                }
            }
        }
    }
}

/// Turns blocks into statements, giving `goto` targets their labels and leaving out the
/// attributes that export would generate anyway.
struct Assembler<'a> {
    flow: &'a str,
    dto: &'a FlowDto,
    cards: &'a [Decoded],
    ids: &'a [&'a str],
    order: usize,
    labels: HashMap<usize, String>,
}

impl Assembler<'_> {
    fn block(&mut self, nodes: &[Node], path: &str, depth: usize) -> Vec<Stmt> {
        nodes
            .iter()
            .enumerate()
            .map(|(i, n)| self.node(n, &join(path, &i.to_string()), depth))
            .collect()
    }

    fn collect_targets(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Goto {
                    target: Target::Card(c),
                    ..
                } => {
                    let name = ids::label_name(self.ids[*c], self.ids);
                    self.labels.insert(*c, name);
                }
                Node::Card(card) => self.collect_card_targets(card),
                _ => {}
            }
        }
    }

    fn collect_card_targets(&mut self, card: &CardNode) {
        match &card.branches {
            Branches::None => {}
            Branches::Arms(arms) => {
                for arm in arms {
                    match arm {
                        ir::Branch::Block(nodes) => self.collect_targets(nodes),
                        ir::Branch::Stmt(node) => {
                            self.collect_targets(std::slice::from_ref(node.as_ref()))
                        }
                    }
                }
            }
            Branches::If { then, otherwise } => {
                self.collect_targets(then);
                match otherwise {
                    Some(Otherwise::Block(nodes)) => self.collect_targets(nodes),
                    Some(Otherwise::If(inner)) => self.collect_card_targets(inner),
                    None => {}
                }
            }
        }
    }

    fn node(&mut self, node: &Node, path: &str, depth: usize) -> Stmt {
        let plain = |kind: StmtKind, label: &Option<String>, attrs| Stmt {
            attrs,
            label: label.as_deref().map(raw),
            kind,
            span: Span::default(),
        };
        match node {
            Node::Card(card) => self.card(card, path, depth),
            Node::Goto { target, label } => {
                let name = match target {
                    Target::Label(l) => l.clone(),
                    Target::Card(c) => self.labels.get(c).cloned().unwrap_or_default(),
                };
                plain(StmtKind::Goto(raw(&name)), label, Vec::new())
            }
            Node::Missing { id, label } => plain(
                StmtKind::End,
                label,
                vec![make_attr(MISSING, vec![text_arg(id)])],
            ),
            Node::End { label } => {
                plain(StmtKind::End, label, vec![make_attr(IMPLICIT, Vec::new())])
            }
        }
    }

    fn card(&mut self, node: &CardNode, path: &str, depth: usize) -> Stmt {
        let decoded = &self.cards[node.card];
        let mut stmt = decoded.stmt.clone();
        stmt.attrs = self.card_attrs(node, path, depth);
        stmt.label = node
            .label
            .clone()
            .or_else(|| self.labels.get(&node.card).cloned())
            .map(|l| raw(&l));
        self.order += 1;
        let id = self.ids[node.card];
        match (&mut stmt.kind, &node.branches) {
            (StmtKind::If(if_), Branches::If { then, otherwise }) => {
                self.fill_if(if_, then, otherwise.as_ref(), path, depth);
            }
            (kind, Branches::Arms(branches)) => {
                if let Some(arms) = arms_of(kind) {
                    for (j, (arm, branch)) in arms.iter_mut().zip(branches).enumerate() {
                        self.fill_arm(arm, branch, id, j, &join(path, &format!("a{j}")), depth + 1);
                    }
                }
            }
            _ => {}
        }
        stmt
    }

    fn card_attrs(
        &self,
        node: &CardNode,
        path: &str,
        depth: usize,
    ) -> Vec<fluxo_grammar::ast::Attr> {
        let card = &self.dto.cards[node.card];
        let mut attrs = Vec::new();
        if card.id != ids::card_id(self.flow, path) {
            attrs.push(make_attr(ID, vec![text_arg(&card.id)]));
        }
        let (x, y) = ids::layout(self.order, depth);
        let (px, py) = (card.posicao.x.to_string(), card.posicao.y.to_string());
        if px != x.to_string() || py != y.to_string() {
            attrs.push(make_attr(
                POS,
                vec![AttrArg::Number(px), AttrArg::Number(py)],
            ));
        }
        if node.dangling {
            attrs.push(make_attr(DANGLING, Vec::new()));
        }
        attrs.extend(self.cards[node.card].stmt.attrs.iter().cloned());
        attrs
    }

    fn fill_arm(
        &mut self,
        arm: &mut Arm,
        branch: &ir::Branch,
        card: &str,
        j: usize,
        path: &str,
        depth: usize,
    ) {
        if attr_str(&arm.attrs, ID).as_deref() == Some(ids::output_id(card, j).as_str()) {
            arm.attrs.retain(|a| a.name.name != ID);
        }
        arm.body = match branch {
            ir::Branch::Stmt(node) => {
                Branch::Stmt(Box::new(self.node(node, &join(path, "0"), depth)))
            }
            ir::Branch::Block(nodes) => Branch::Block(Block {
                stmts: self.block(nodes, path, depth),
                span: Span::default(),
            }),
        };
    }

    fn fill_if(
        &mut self,
        if_: &mut If,
        then: &[Node],
        otherwise: Option<&Otherwise>,
        path: &str,
        depth: usize,
    ) {
        if_.then = Block {
            stmts: self.block(then, &join(path, "t"), depth + 1),
            span: Span::default(),
        };
        let else_path = join(path, "e");
        if_.otherwise = match otherwise {
            None => None,
            Some(Otherwise::If(inner)) => Some(self.else_if(inner, &else_path, depth + 1)),
            Some(Otherwise::Block(nodes)) => match nodes.as_slice() {
                [Node::Card(inner)] if self.is_plain_if(inner, &else_path, depth + 1) => {
                    Some(self.else_if(inner, &else_path, depth + 1))
                }
                _ => Some(Else::Block(Block {
                    stmts: self.block(nodes, &else_path, depth + 1),
                    span: Span::default(),
                })),
            },
        };
    }

    /// An `if` card in an else branch that needs no attributes: written `else if`.
    fn is_plain_if(&self, node: &CardNode, path: &str, depth: usize) -> bool {
        matches!(node.branches, Branches::If { .. })
            && node.label.is_none()
            && !node.dangling
            && !self.labels.contains_key(&node.card)
            && self.cards[node.card].stmt.attrs.is_empty()
            && self.card_attrs(node, path, depth).is_empty()
    }

    fn else_if(&mut self, node: &CardNode, path: &str, depth: usize) -> Else {
        let stmt = self.card(node, path, depth);
        match stmt.kind {
            StmtKind::If(if_) => Else::If(Box::new(if_), Span::default()),
            _ => Else::Block(Block {
                stmts: Vec::new(),
                span: Span::default(),
            }),
        }
    }
}

/// An arm read from a graph: one statement is written without braces, except a bare
/// `if`, which needs them.
fn branch(mut nodes: Vec<Node>) -> ir::Branch {
    let is_if =
        |node: &Node| matches!(node, Node::Card(c) if matches!(c.branches, Branches::If { .. }));
    match nodes.as_slice() {
        [only] if !is_if(only) => ir::Branch::Stmt(Box::new(nodes.remove(0))),
        _ => ir::Branch::Block(nodes),
    }
}

fn arms_of(kind: &mut StmtKind) -> Option<&mut Vec<Arm>> {
    match kind {
        StmtKind::Ask(ask) => match &mut ask.kind {
            fluxo_grammar::ast::AskKind::Choice { arms }
            | fluxo_grammar::ast::AskKind::Confirm { arms } => Some(&mut arms.arms),
            fluxo_grammar::ast::AskKind::Input { .. } => None,
        },
        StmtKind::When(when) => Some(&mut when.arms.arms),
        StmtKind::Call(call) => call.arms.as_mut().map(|a| &mut a.arms),
        _ => None,
    }
}

fn raw(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: Span::default(),
    }
}

//! The shape both directions share: a flow as nested blocks of cards (what the text
//! nests), and the wiring that turns those blocks into connectors (what the editor
//! draws). Export builds it from the syntax tree; import builds it from the graph, or
//! from the `estrutura` hint, and checks the hint against the connectors with [`wire`].

use std::collections::HashMap;

use super::schema::{BranchDto, ConnectorDto, EntryDto, NodeDto, IF_FALSE, IF_TRUE, NEXT};

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Card(CardNode),
    /// A `goto` to a label of the same flow: a connector, not a card.
    Goto {
        target: Target,
        label: Option<String>,
    },
    /// A connector to a card the flow does not have (`@missing("id") end`).
    Missing {
        id: String,
        label: Option<String>,
    },
    /// An output with no connector, where text needs a statement (`@implicit end`).
    End {
        label: Option<String>,
    },
}

/// Where a `goto` goes: a label as written, or (when import reads a graph) a card that
/// gets a generated label.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Label(String),
    Card(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardNode {
    /// Index into the flow's cards.
    pub card: usize,
    pub label: Option<String>,
    pub dangling: bool,
    pub branches: Branches,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Branches {
    None,
    /// One per output of the card, in order.
    Arms(Vec<Branch>),
    If {
        then: Vec<Node>,
        otherwise: Option<Otherwise>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Branch {
    Block(Vec<Node>),
    Stmt(Box<Node>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Otherwise {
    Block(Vec<Node>),
    /// `else if`: the `if` card itself, without attributes of its own.
    If(Box<CardNode>),
}

/// What wiring needs to know of a card.
pub struct CardInfo<'a> {
    pub id: &'a str,
    /// False for `goto`, `transfer`, `end`, `forward_call`: no `proximo` output.
    pub continues: bool,
    pub outputs: &'a [String],
}

/// Where a statement leads: a card, a missing card, or nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dest {
    Card(usize),
    Missing(String),
    End,
}

/// The flow's start and its connectors, in the canonical order: cards in order, each
/// with its outputs, then `sim`/`nao`, then `proximo`.
pub fn wire(body: &[Node], cards: &[CardInfo]) -> Result<(Dest, Vec<ConnectorDto>), String> {
    let mut labels = HashMap::new();
    collect_labels(body, &mut labels)?;
    let mut w = Wiring {
        cards,
        labels,
        outs: vec![Vec::new(); cards.len()],
    };
    let start = w.block(body, Dest::End)?;
    let mut connectors = Vec::new();
    for (card, outs) in w.outs.into_iter().enumerate() {
        for (saida, dest) in outs {
            let destino = match dest {
                Dest::Card(c) => cards[c].id.to_string(),
                Dest::Missing(id) => id,
                Dest::End => continue,
            };
            connectors.push(ConnectorDto {
                origem: cards[card].id.to_string(),
                saida,
                destino,
            });
        }
    }
    Ok((start, connectors))
}

#[derive(Clone)]
enum LabelAt {
    Card(usize),
    Goto(Target),
    Missing(String),
    End,
}

fn collect_labels(nodes: &[Node], labels: &mut HashMap<String, LabelAt>) -> Result<(), String> {
    for node in nodes {
        let (label, at) = match node {
            Node::Card(card) => {
                collect_card(card, labels)?;
                (&card.label, LabelAt::Card(card.card))
            }
            Node::Goto { target, label } => (label, LabelAt::Goto(target.clone())),
            Node::Missing { id, label } => (label, LabelAt::Missing(id.clone())),
            Node::End { label } => (label, LabelAt::End),
        };
        if let Some(label) = label {
            if labels.insert(label.clone(), at).is_some() {
                return Err(format!("label `{label}` is defined twice in the flow"));
            }
        }
    }
    Ok(())
}

fn collect_card(card: &CardNode, labels: &mut HashMap<String, LabelAt>) -> Result<(), String> {
    match &card.branches {
        Branches::None => Ok(()),
        Branches::Arms(arms) => arms.iter().try_for_each(|arm| match arm {
            Branch::Block(nodes) => collect_labels(nodes, labels),
            Branch::Stmt(node) => collect_labels(std::slice::from_ref(node.as_ref()), labels),
        }),
        Branches::If { then, otherwise } => {
            collect_labels(then, labels)?;
            match otherwise {
                Some(Otherwise::Block(nodes)) => collect_labels(nodes, labels),
                Some(Otherwise::If(inner)) => collect_card(inner, labels),
                None => Ok(()),
            }
        }
    }
}

struct Wiring<'a> {
    cards: &'a [CardInfo<'a>],
    labels: HashMap<String, LabelAt>,
    outs: Vec<Vec<(String, Dest)>>,
}

impl Wiring<'_> {
    fn block(&mut self, nodes: &[Node], cont: Dest) -> Result<Dest, String> {
        let mut next = cont;
        for node in nodes.iter().rev() {
            next = self.node(node, next)?;
        }
        Ok(next)
    }

    fn node(&mut self, node: &Node, next: Dest) -> Result<Dest, String> {
        match node {
            Node::Card(card) => self.card(card, next),
            Node::Goto { target, .. } => self.resolve(target, 0),
            Node::Missing { id, .. } => Ok(Dest::Missing(id.clone())),
            Node::End { .. } => Ok(Dest::End),
        }
    }

    fn resolve(&self, target: &Target, depth: usize) -> Result<Dest, String> {
        let label = match target {
            Target::Card(c) => return Ok(Dest::Card(*c)),
            Target::Label(label) => label,
        };
        if depth > self.labels.len() {
            return Err(format!("the gotos at label `{label}` go round in a circle"));
        }
        match self.labels.get(label) {
            Some(LabelAt::Card(c)) => Ok(Dest::Card(*c)),
            Some(LabelAt::Goto(inner)) => self.resolve(inner, depth + 1),
            Some(LabelAt::Missing(id)) => Ok(Dest::Missing(id.clone())),
            Some(LabelAt::End) => Ok(Dest::End),
            None => Err(format!("`goto {label}`: the flow has no label `{label}`")),
        }
    }

    fn card(&mut self, card: &CardNode, next: Dest) -> Result<Dest, String> {
        let info = self
            .cards
            .get(card.card)
            .ok_or("internal: card index out of range")?;
        let mut outs = Vec::new();
        match &card.branches {
            Branches::None => {}
            Branches::Arms(arms) => {
                for (arm, id) in arms.iter().zip(info.outputs) {
                    let dest = match arm {
                        Branch::Block(nodes) => self.block(nodes, next.clone())?,
                        Branch::Stmt(node) => self.node(node, next.clone())?,
                    };
                    outs.push((id.clone(), dest));
                }
            }
            Branches::If { then, otherwise } => {
                let dest = self.block(then, next.clone())?;
                outs.push((IF_TRUE.to_string(), dest));
                let dest = match otherwise {
                    Some(Otherwise::Block(nodes)) => Some(self.block(nodes, next.clone())?),
                    Some(Otherwise::If(inner)) => Some(self.card(inner, next.clone())?),
                    None => None,
                };
                if let Some(dest) = dest {
                    outs.push((IF_FALSE.to_string(), dest));
                }
            }
        }
        if info.continues {
            outs.push((NEXT.to_string(), next));
        }
        self.outs[card.card] = outs;
        Ok(Dest::Card(card.card))
    }
}

/// The `estrutura` hint of a flow's blocks.
pub fn to_hint(nodes: &[Node], ids: &[&str]) -> Vec<EntryDto> {
    nodes.iter().map(|node| entry(node, ids)).collect()
}

fn entry(node: &Node, ids: &[&str]) -> EntryDto {
    let dto = match node {
        Node::Card(card) => {
            if card.label.is_none() && !card.dangling && card.branches == Branches::None {
                return EntryDto::Card(ids[card.card].to_string());
            }
            card_dto(card, ids)
        }
        Node::Goto { target, label } => NodeDto {
            goto: Some(match target {
                Target::Label(l) => l.clone(),
                Target::Card(c) => ids[*c].to_string(),
            }),
            rotulo: label.clone(),
            ..NodeDto::default()
        },
        Node::Missing { id, label } => NodeDto {
            ausente: Some(id.clone()),
            rotulo: label.clone(),
            ..NodeDto::default()
        },
        Node::End { label } => NodeDto {
            fim: true,
            rotulo: label.clone(),
            ..NodeDto::default()
        },
    };
    EntryDto::Node(Box::new(dto))
}

fn card_dto(card: &CardNode, ids: &[&str]) -> NodeDto {
    let mut dto = NodeDto {
        id: Some(ids[card.card].to_string()),
        rotulo: card.label.clone(),
        solto: card.dangling,
        ..NodeDto::default()
    };
    match &card.branches {
        Branches::None => {}
        Branches::Arms(arms) => {
            dto.ramos = Some(
                arms.iter()
                    .map(|arm| match arm {
                        Branch::Block(nodes) => BranchDto::Block(to_hint(nodes, ids)),
                        Branch::Stmt(node) => BranchDto::Stmt(entry(node, ids)),
                    })
                    .collect(),
            );
        }
        Branches::If { then, otherwise } => {
            dto.entao = Some(to_hint(then, ids));
            match otherwise {
                Some(Otherwise::Block(nodes)) => dto.senao = Some(to_hint(nodes, ids)),
                Some(Otherwise::If(inner)) => dto.senao_se = Some(Box::new(card_dto(inner, ids))),
                None => {}
            }
        }
    }
    dto
}

/// Reads an `estrutura` hint back; `kinds[i]` says what branches card `i` has.
pub fn from_hint(
    entries: &[EntryDto],
    index: &HashMap<&str, usize>,
    kinds: &[BranchKind],
    used: &mut [bool],
) -> Result<Vec<Node>, String> {
    entries
        .iter()
        .map(|e| from_entry(e, index, kinds, used))
        .collect()
}

/// The branches a card has, for checking a hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchKind {
    None,
    Arms(usize),
    If,
}

fn from_entry(
    entry: &EntryDto,
    index: &HashMap<&str, usize>,
    kinds: &[BranchKind],
    used: &mut [bool],
) -> Result<Node, String> {
    match entry {
        EntryDto::Card(id) => {
            let card = take(id, index, used)?;
            if kinds[card] != BranchKind::None {
                return Err(format!("card {id} has branches the hint does not list"));
            }
            Ok(Node::Card(CardNode {
                card,
                label: None,
                dangling: false,
                branches: Branches::None,
            }))
        }
        EntryDto::Node(dto) => {
            let label = dto.rotulo.clone();
            if let Some(target) = &dto.goto {
                return Ok(Node::Goto {
                    target: Target::Label(target.clone()),
                    label,
                });
            }
            if let Some(id) = &dto.ausente {
                return Ok(Node::Missing {
                    id: id.clone(),
                    label,
                });
            }
            if dto.fim {
                return Ok(Node::End { label });
            }
            Ok(Node::Card(card_from(dto, index, kinds, used)?))
        }
    }
}

fn card_from(
    dto: &NodeDto,
    index: &HashMap<&str, usize>,
    kinds: &[BranchKind],
    used: &mut [bool],
) -> Result<CardNode, String> {
    let id = dto.id.as_deref().ok_or("a hint entry names no card")?;
    let card = take(id, index, used)?;
    let branches = match (kinds[card], &dto.ramos, &dto.entao) {
        (BranchKind::None, None, None) => Branches::None,
        (BranchKind::Arms(n), Some(ramos), None) if ramos.len() == n => {
            let mut arms = Vec::new();
            for ramo in ramos {
                arms.push(match ramo {
                    BranchDto::Block(entries) => {
                        Branch::Block(from_hint(entries, index, kinds, used)?)
                    }
                    BranchDto::Stmt(entry) => {
                        Branch::Stmt(Box::new(from_entry(entry, index, kinds, used)?))
                    }
                });
            }
            Branches::Arms(arms)
        }
        (BranchKind::If, None, Some(then)) => {
            let then = from_hint(then, index, kinds, used)?;
            let otherwise = match (&dto.senao, &dto.senao_se) {
                (Some(entries), None) => {
                    Some(Otherwise::Block(from_hint(entries, index, kinds, used)?))
                }
                (None, Some(inner)) => Some(Otherwise::If(Box::new(card_from(
                    inner, index, kinds, used,
                )?))),
                (None, None) => None,
                _ => return Err(format!("card {id} has both `senao` and `senao_se`")),
            };
            Branches::If { then, otherwise }
        }
        _ => {
            return Err(format!(
                "the branches of card {id} do not match its outputs"
            ))
        }
    };
    Ok(CardNode {
        card,
        label: dto.rotulo.clone(),
        dangling: dto.solto,
        branches,
    })
}

fn take(id: &str, index: &HashMap<&str, usize>, used: &mut [bool]) -> Result<usize, String> {
    let card = *index
        .get(id)
        .ok_or_else(|| format!("the hint names no card of the flow: {id}"))?;
    if std::mem::replace(&mut used[card], true) {
        return Err(format!("the hint places card {id} twice"));
    }
    Ok(card)
}

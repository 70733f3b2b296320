//! Syntax tree → Opa JSON: platform entities become records with `_id`s, each flow's
//! statements become cards, and sequencing, arms, labels and local `goto`s become
//! connectors. Ids and positions come from `@id`/`@pos`, else from [`super::ids`].

use fluxo_grammar::ast::{
    AskKind, AttrArg, Branch, Else, File, Flow, If, Item, ItemKind as Kind, PeriodRule, Stmt,
    StmtKind, When,
};
use fluxo_stdlib::types::ItemKind;
use serde_json::{Number, Value};

use super::fields::{self, attr_str, attr_to_dto, Encoded, DANGLING, ID, IMPLICIT, MISSING, POS};
use super::ids;
use super::ir::{
    self, Branch as IrBranch, Branches, CardInfo, CardNode, Dest, Node, Otherwise, Target,
};
use super::names::Names;
use super::schema::*;
use super::text::str_to_json;
use super::{item_kind, JsonError};

/// The document of every item of `files`, in order.
pub fn document(files: &[File]) -> Result<Document, JsonError> {
    let items: Vec<&Item> = files.iter().flat_map(|f| &f.items).collect();
    let names = names_of(&items)?;
    let mut doc = Document {
        versao: VERSION,
        ..Document::default()
    };
    for item in &items {
        let attrs = other_attrs(item);
        let id = |kind: ItemKind, name: &str| names.id(kind, name).unwrap_or_default().to_string();
        match &item.kind {
            Kind::Erp(system) => doc.erp.push(ErpDto {
                id: attr_str(&item.attrs, ID).unwrap_or_else(|| ids::item_id("erp", &system.name)),
                sistema: system.name.clone(),
                atributos: attrs,
                texto: None,
            }),
            Kind::Entity(e) => {
                let kind = item_kind(e.kind);
                let dto = EntityDto {
                    id: id(kind, &e.name.name),
                    nome: e.name.name.clone(),
                    titulo: str_to_json(&e.title),
                    atributos: attrs,
                    texto: None,
                };
                match e.kind {
                    fluxo_grammar::ast::EntityKind::Department => doc.departamentos.push(dto),
                    fluxo_grammar::ast::EntityKind::Tag => doc.etiquetas.push(dto),
                    fluxo_grammar::ast::EntityKind::Group => doc.grupos.push(dto),
                    fluxo_grammar::ast::EntityKind::Branch => doc.filiais.push(dto),
                    fluxo_grammar::ast::EntityKind::Template => doc.modelos.push(dto),
                    fluxo_grammar::ast::EntityKind::Agent => doc.agentes.push(dto),
                }
            }
            Kind::Attendant(a) => doc.atendentes.push(AttendantDto {
                id: id(ItemKind::Attendant, &a.name.name),
                nome: a.name.name.clone(),
                titulo: str_to_json(&a.title),
                departamento: match names.id(ItemKind::Department, &a.department.name) {
                    Some(dept) => Value::String(dept.to_string()),
                    None => serde_json::json!({ "nome": a.department.name }),
                },
                atributos: attrs,
                texto: None,
            }),
            Kind::Period(p) => doc.periodos.push(PeriodDto {
                id: id(ItemKind::Period, &p.name.name),
                nome: p.name.name.clone(),
                titulo: str_to_json(&p.title),
                regras: p.rules.iter().map(rule).collect(),
                atributos: attrs,
                texto: None,
            }),
            Kind::Script(s) => doc.scripts.push(ScriptDto {
                id: id(ItemKind::Script, &s.name.name),
                nome: s.name.name.clone(),
                arquivo: str_to_json(&s.path),
                campos: s
                    .fields
                    .iter()
                    .map(|f| ScriptFieldDto {
                        nome: f.name.name.clone(),
                        tipo: f.ty.name.clone(),
                    })
                    .collect(),
                atributos: attrs,
                texto: None,
                fonte: None,
            }),
            Kind::Flow(flow) => {
                let index = doc.fluxos.len();
                let dto = flow_dto(item, flow, &names).map_err(|message| JsonError {
                    path: Some(format!("fluxos[{index}] (flow `{}`)", flow.name.name)),
                    position: None,
                    message,
                })?;
                doc.fluxos.push(dto);
            }
        }
    }
    Ok(doc)
}

fn other_attrs(item: &Item) -> Vec<AttrDto> {
    item.attrs
        .iter()
        .filter(|a| a.name.name != ID)
        .map(attr_to_dto)
        .collect()
}

fn names_of(items: &[&Item]) -> Result<Names, JsonError> {
    let mut names = Names::default();
    for item in items {
        let Some((kind, name)) = super::declared(item) else {
            continue;
        };
        let id = attr_str(&item.attrs, ID).unwrap_or_else(|| ids::item_id(kind.keyword(), name));
        if !names.insert(kind, name, &id) {
            return Err(JsonError {
                path: None,
                position: None,
                message: format!(
                    "two {}s are called `{name}` or share the id \"{id}\"",
                    kind.keyword()
                ),
            });
        }
    }
    Ok(names)
}

fn rule(rule: &PeriodRule) -> RuleDto {
    match rule {
        PeriodRule::Hours { days, spans, .. } => RuleDto::Hours {
            dias: days
                .iter()
                .map(|d| match d.to {
                    Some(to) => format!("{}..{}", d.from.name(), to.name()),
                    None => d.from.name().to_string(),
                })
                .collect(),
            horarios: spans
                .iter()
                .map(|s| {
                    format!(
                        "{}-{}",
                        super::expr::time_text(s.from),
                        super::expr::time_text(s.to)
                    )
                })
                .collect(),
        },
        PeriodRule::Holiday { date, .. } => RuleDto::Holiday {
            feriado: super::expr::date_text(*date),
        },
    }
}

/// One card on its way out.
struct Out {
    id: String,
    pos: (Number, Number),
    enc: Encoded,
    outputs: Vec<String>,
}

struct Builder<'a> {
    flow: &'a str,
    names: &'a Names,
    labels: Vec<String>,
    cards: Vec<Out>,
}

fn flow_dto(item: &Item, flow: &Flow, names: &Names) -> Result<FlowDto, String> {
    let mut labels = Vec::new();
    collect_labels(&flow.body.stmts, &mut labels);
    let mut b = Builder {
        flow: &flow.name.name,
        names,
        labels,
        cards: Vec::new(),
    };
    let body = b.block(&flow.body.stmts, "", 0)?;
    let infos: Vec<CardInfo> = b
        .cards
        .iter()
        .map(|c| CardInfo {
            id: &c.id,
            continues: c.enc.spec.continues,
            outputs: &c.outputs,
        })
        .collect();
    let (start, conectores) = ir::wire(&body, &infos)?;
    let ids: Vec<&str> = b.cards.iter().map(|c| c.id.as_str()).collect();
    let estrutura = ir::to_hint(&body, &ids);
    let inicio = match start {
        Dest::Card(c) => Some(b.cards[c].id.clone()),
        Dest::Missing(id) => Some(id),
        Dest::End => None,
    };
    let id = names
        .id(ItemKind::Flow, &flow.name.name)
        .unwrap_or_default()
        .to_string();
    let cards = b
        .cards
        .into_iter()
        .map(|c| CardDto {
            id: c.id,
            tipo: c.enc.spec.opa_type.to_string(),
            posicao: PositionDto {
                x: c.pos.0,
                y: c.pos.1,
            },
            campos: c.enc.campos,
        })
        .collect();
    let mut dto = FlowDto {
        id,
        nome: flow.name.name.clone(),
        titulo: flow.title.as_ref().map_or(Value::Null, str_to_json),
        inicio,
        cards,
        conectores,
        estrutura: None,
        atributos: other_attrs(item),
        texto: None,
    };
    // The hint is kept only when the graph alone would read back differently.
    let plain = super::import::flow_item(&dto, 0, names, &mut Vec::new());
    if plain.ok().as_ref() != Some(item) {
        dto.estrutura = Some(estrutura);
    }
    Ok(dto)
}

fn collect_labels(stmts: &[Stmt], out: &mut Vec<String>) {
    for stmt in stmts {
        if let Some(label) = &stmt.label {
            out.push(label.name.clone());
        }
        for_each_block(stmt, &mut |block| collect_labels(block, out));
    }
}

fn for_each_block(stmt: &Stmt, f: &mut dyn FnMut(&[Stmt])) {
    let arms = match &stmt.kind {
        StmtKind::Ask(ask) => match &ask.kind {
            AskKind::Choice { arms } | AskKind::Confirm { arms } => Some(arms),
            AskKind::Input { .. } => None,
        },
        StmtKind::When(When { arms, .. }) => Some(arms),
        StmtKind::Call(call) => call.arms.as_ref(),
        StmtKind::If(if_) => {
            if_blocks(if_, f);
            None
        }
        _ => None,
    };
    for arm in arms.into_iter().flat_map(|a| &a.arms) {
        f(arm.body.stmts());
    }
}

fn if_blocks(if_: &If, f: &mut dyn FnMut(&[Stmt])) {
    f(&if_.then.stmts);
    match &if_.otherwise {
        Some(Else::Block(block)) => f(&block.stmts),
        Some(Else::If(inner, _)) => if_blocks(inner, f),
        None => {}
    }
}

impl Builder<'_> {
    fn block(&mut self, stmts: &[Stmt], path: &str, depth: usize) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        for (i, stmt) in stmts.iter().enumerate() {
            nodes.push(self.stmt(stmt, &join(path, &i.to_string()), depth)?);
        }
        Ok(nodes)
    }

    fn stmt(&mut self, stmt: &Stmt, path: &str, depth: usize) -> Result<Node, String> {
        let label = stmt.label.as_ref().map(|l| l.name.clone());
        match &stmt.kind {
            StmtKind::Goto(name) if self.labels.contains(&name.name) => {
                return Ok(Node::Goto {
                    target: Target::Label(name.name.clone()),
                    label,
                });
            }
            StmtKind::End => {
                if let Some(id) = attr_str(&stmt.attrs, MISSING) {
                    return Ok(Node::Missing { id, label });
                }
                if stmt.attrs.iter().any(|a| a.name.name == IMPLICIT) {
                    return Ok(Node::End { label });
                }
            }
            _ => {}
        }
        let dangling = stmt.attrs.iter().any(|a| a.name.name == DANGLING);
        let card = self.card(stmt, path, depth)?;
        let branches = self.branches(&stmt.kind, path, depth)?;
        Ok(Node::Card(CardNode {
            card,
            label,
            dangling,
            branches,
        }))
    }

    fn card(&mut self, stmt: &Stmt, path: &str, depth: usize) -> Result<usize, String> {
        let id = attr_str(&stmt.attrs, ID).unwrap_or_else(|| ids::card_id(self.flow, path));
        let pos = match stmt.attrs.iter().find(|a| a.name.name == POS) {
            Some(attr) => match attr.args.as_slice() {
                [AttrArg::Number(x), AttrArg::Number(y)] => (number(x)?, number(y)?),
                _ => return Err("@pos takes two numbers: @pos(x, y)".into()),
            },
            None => {
                let (x, y) = ids::layout(self.cards.len(), depth);
                (Number::from(x), Number::from(y))
            }
        };
        let enc = fields::encode(stmt, &id, self.names).map_err(|e| format!("{path}: {e}"))?;
        let outputs = enc.outputs.iter().map(|o| o.id.clone()).collect();
        self.cards.push(Out {
            id,
            pos,
            enc,
            outputs,
        });
        Ok(self.cards.len() - 1)
    }

    fn branches(&mut self, kind: &StmtKind, path: &str, depth: usize) -> Result<Branches, String> {
        let arms = match kind {
            StmtKind::Ask(ask) => match &ask.kind {
                AskKind::Choice { arms } | AskKind::Confirm { arms } => Some(arms),
                AskKind::Input { .. } => None,
            },
            StmtKind::When(When { arms, .. }) => Some(arms),
            StmtKind::Call(call) => call.arms.as_ref(),
            StmtKind::If(if_) => return self.if_branches(if_, path, depth),
            _ => None,
        };
        let Some(arms) = arms else {
            return Ok(Branches::None);
        };
        let mut out = Vec::new();
        for (j, arm) in arms.arms.iter().enumerate() {
            let arm_path = join(path, &format!("a{j}"));
            out.push(match &arm.body {
                Branch::Stmt(stmt) => IrBranch::Stmt(Box::new(self.stmt(
                    stmt,
                    &join(&arm_path, "0"),
                    depth + 1,
                )?)),
                Branch::Block(block) => {
                    IrBranch::Block(self.block(&block.stmts, &arm_path, depth + 1)?)
                }
            });
        }
        Ok(Branches::Arms(out))
    }

    fn if_branches(&mut self, if_: &If, path: &str, depth: usize) -> Result<Branches, String> {
        let then = self.block(&if_.then.stmts, &join(path, "t"), depth + 1)?;
        let otherwise = match &if_.otherwise {
            None => None,
            Some(Else::Block(block)) => Some(Otherwise::Block(self.block(
                &block.stmts,
                &join(path, "e"),
                depth + 1,
            )?)),
            Some(Else::If(inner, span)) => {
                let inner_path = join(path, "e");
                let stmt = Stmt {
                    attrs: Vec::new(),
                    label: None,
                    kind: StmtKind::If(If {
                        cond: inner.cond.clone(),
                        then: fluxo_grammar::ast::Block {
                            stmts: Vec::new(),
                            span: *span,
                        },
                        otherwise: None,
                    }),
                    span: *span,
                };
                let card = self.card(&stmt, &inner_path, depth + 1)?;
                let branches = self.if_branches(inner, &inner_path, depth + 1)?;
                Some(Otherwise::If(Box::new(CardNode {
                    card,
                    label: None,
                    dangling: false,
                    branches,
                })))
            }
        };
        Ok(Branches::If { then, otherwise })
    }
}

pub fn join(path: &str, part: &str) -> String {
    if path.is_empty() {
        part.to_string()
    } else {
        format!("{path}.{part}")
    }
}

fn number(text: &str) -> Result<Number, String> {
    if let Ok(n) = text.parse::<i64>() {
        return Ok(Number::from(n));
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .ok_or_else(|| format!("@pos: `{text}` is not a number"))
}

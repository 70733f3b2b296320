//! One card's content: a statement's keyword, arguments, binding, `when` subject and arm
//! patterns as the card's `tipo`, its fields (named by the catalogue's `opa_field`) and
//! its outputs, and back.
//!
//! Every name and label comes from the stdlib catalogue (`card`, `card_by_opa_type`,
//! `when_subjects`, enum patterns); this module only decides how each part of the
//! syntax travels. Arm bodies and connectors are not its business (see `graph`).

use fluxo_grammar::ast::{
    Arg, Arms, Ask, AskKind, Attr, AttrArg, Call, Ident, Pattern, Span, Stmt, StmtKind, Subject,
    When,
};
use fluxo_stdlib::catalogue::{
    card, card_by_opa_type, when_subjects, CardId, CardKind, CardSpec, StatementCard,
    SubjectPatterns,
};
use fluxo_stdlib::catalogue::{Place, SubjectSpec, Syntax};
use fluxo_stdlib::types::{EnumKind, InputType, ItemKind};
use serde_json::{json, Map, Value};

use super::expr::{self, duration, duration_text, short};
use super::names::Names;
use super::schema::{key, AttrArgDto, AttrDto, OutputDto};
use super::text::{ident, path_from, str_from_json, str_to_json};

/// Attributes the frontend reads itself; all others travel in `atributos`.
pub const ID: &str = "id";
pub const POS: &str = "pos";
pub const FIELD: &str = "field";
pub const DANGLING: &str = "dangling";
pub const IMPLICIT: &str = "implicit";
pub const MISSING: &str = "missing";
const OWN_ATTRS: [&str; 6] = [ID, POS, FIELD, DANGLING, IMPLICIT, MISSING];

/// A card's content on its way to JSON.
pub struct Encoded {
    pub spec: &'static CardSpec,
    pub campos: Map<String, Value>,
    /// One per arm; `if` cards have none (their outputs are `sim`/`nao`).
    pub outputs: Vec<OutputDto>,
}

/// The card of statement `stmt` (never a local `goto`).
pub fn encode(stmt: &Stmt, card_id: &str, names: &Names) -> Result<Encoded, String> {
    let mut out = Builder {
        campos: Map::new(),
        names,
    };
    let (spec, arms): (&'static CardSpec, Option<(&Arms, Option<&SubjectSpec>)>) = match &stmt.kind
    {
        StmtKind::Say(text) => {
            let spec = CardId::Say.spec();
            out.put(spec, "text", str_to_json(text))?;
            (spec, None)
        }
        StmtKind::SayAudio(file) => {
            let spec = CardId::SayAudio.spec();
            out.put(spec, "file", str_to_json(file))?;
            (spec, None)
        }
        StmtKind::Ask(ask) => out.ask(ask)?,
        StmtKind::When(When { subject, arms }) => {
            let spec = CardId::When.spec();
            let subject = out.subject(subject, arms)?;
            (spec, Some((arms, Some(subject))))
        }
        StmtKind::If(if_) => {
            let spec = CardId::If.spec();
            out.put(spec, "condition", expr::tree(&if_.cond))?;
            (spec, None)
        }
        StmtKind::Goto(flow) => {
            let spec = CardId::Goto.spec();
            let target = out.reference(ItemKind::Flow, flow);
            out.put(spec, "flow", target)?;
            (spec, None)
        }
        StmtKind::Transfer {
            department,
            attendant,
        } => {
            let spec = CardId::Transfer.spec();
            let dept = out.reference(ItemKind::Department, department);
            out.put(spec, "department", dept)?;
            if let Some(attendant) = attendant {
                let who = out.reference(ItemKind::Attendant, attendant);
                out.put(spec, "attendant", who)?;
            }
            (spec, None)
        }
        StmtKind::Tag(tags) => {
            let spec = CardId::Tag.spec();
            let ids = tags
                .iter()
                .map(|t| out.reference(ItemKind::Tag, t))
                .collect();
            out.put(spec, "tags", Value::Array(ids))?;
            (spec, None)
        }
        StmtKind::Wait(d) => {
            let spec = CardId::Wait.spec();
            out.put(spec, "duration", Value::String(duration_text(*d)))?;
            (spec, None)
        }
        StmtKind::Set { var, value } => {
            out.campos
                .insert(key::VARIABLE.into(), Value::String(var.name.clone()));
            out.campos.insert(key::VALUE.into(), expr::tree(value));
            (CardId::Set.spec(), None)
        }
        StmtKind::End => (CardId::End.spec(), None),
        StmtKind::Call(call) => out.call(call)?,
    };
    let mut outputs = Vec::new();
    if let Some((arms, subject)) = arms {
        for (index, arm) in arms.arms.iter().enumerate() {
            let id =
                attr_str(&arm.attrs, ID).unwrap_or_else(|| super::ids::output_id(card_id, index));
            let mut padrao = out.pattern(&arm.pattern, subject);
            put_attrs(&mut padrao, &arm.attrs)?;
            outputs.push(OutputDto { id, padrao });
        }
    }
    let mut campos = out.campos;
    if arms.is_some() {
        let list = serde_json::to_value(&outputs).map_err(|e| e.to_string())?;
        campos.insert(key::OUTPUTS.into(), list);
    }
    for attr in &stmt.attrs {
        if attr.name.name == FIELD {
            let (name, value) = field_attr(attr)?;
            if campos.contains_key(&name) {
                return Err(format!(
                    "@field(\"{name}\", ...) repeats a field the card has"
                ));
            }
            campos.insert(name, value);
        }
    }
    put_attrs(&mut campos, &stmt.attrs)?;
    Ok(Encoded {
        spec,
        campos,
        outputs,
    })
}

struct Builder<'n> {
    campos: Map<String, Value>,
    names: &'n Names,
}

type WithArms<'a> = (
    &'static CardSpec,
    Option<(&'a Arms, Option<&'static SubjectSpec>)>,
);

impl Builder<'_> {
    fn put(&mut self, spec: &CardSpec, param: &str, value: Value) -> Result<(), String> {
        let field = spec
            .param(param)
            .ok_or_else(|| format!("the catalogue's `{}` has no parameter `{param}`", spec.name))?
            .opa_field;
        self.campos.insert(field.to_string(), value);
        Ok(())
    }

    fn reference(&self, kind: ItemKind, name: &Ident) -> Value {
        match self.names.id(kind, &name.name) {
            Some(id) => Value::String(id.to_string()),
            None => json!({ "nome": name.name }),
        }
    }

    fn ask<'a>(&mut self, ask: &'a Ask) -> Result<WithArms<'a>, String> {
        let (spec, arms) = match &ask.kind {
            AskKind::Choice { arms } => (CardId::AskChoice.spec(), Some((arms, None))),
            AskKind::Confirm { arms } => (CardId::AskConfirm.spec(), Some((arms, None))),
            AskKind::Input { ty, var } => {
                let spec = CardId::AskInput.spec();
                let label = match InputType::from_name(&ty.name) {
                    Some(input) => Value::String(input.opa_label().to_string()),
                    None => json!({ "nome": ty.name }),
                };
                self.put(spec, "type", label)?;
                self.campos
                    .insert(key::VARIABLE.into(), Value::String(var.name.clone()));
                (spec, None)
            }
        };
        self.put(spec, "question", str_to_json(&ask.prompt))?;
        self.args(spec, &ask.args)?;
        Ok((spec, arms))
    }

    fn call<'a>(&mut self, call: &'a Call) -> Result<WithArms<'a>, String> {
        let name = call.full_name();
        let spec = card(&name).ok_or_else(|| format!("`{name}` is not a card of the catalogue"))?;
        if spec.syntax != Syntax::Call {
            return Err(format!(
                "`{name}` is written with its own keyword, not as a call"
            ));
        }
        self.args(spec, &call.args)?;
        if let Some(var) = &call.binding {
            self.campos
                .insert(key::VARIABLE.into(), Value::String(var.name.clone()));
        }
        Ok((spec, call.arms.as_ref().map(|arms| (arms, None))))
    }

    fn args(&mut self, spec: &CardSpec, args: &[Arg]) -> Result<(), String> {
        let params: Vec<_> = spec.args().collect();
        let mut positions = Vec::new();
        for arg in args {
            let found = params.iter().position(|p| p.name == arg.name.name);
            let Some(index) = found else {
                return Err(format!(
                    "`{}` takes no argument `{}`",
                    spec.name, arg.name.name
                ));
            };
            let param = params[index];
            if self.campos.contains_key(param.opa_field) {
                return Err(format!("argument `{}` is given twice", arg.name.name));
            }
            let value = expr::encode(&arg.value, param.ty, self.names);
            self.campos.insert(param.opa_field.to_string(), value);
            positions.push(index);
        }
        if positions.windows(2).any(|w| w[0] > w[1]) {
            let order = args
                .iter()
                .map(|a| Value::String(a.name.name.clone()))
                .collect();
            self.campos
                .insert(key::ARG_ORDER.into(), Value::Array(order));
        }
        Ok(())
    }

    fn subject(&mut self, subject: &Subject, arms: &Arms) -> Result<&'static SubjectSpec, String> {
        let by_keyword = |word: &str| when_subjects().iter().find(|s| s.keyword == Some(word));
        let missing = || "the catalogue lacks a `when` subject".to_string();
        let spec = match subject {
            Subject::Hours(period) => {
                let spec = by_keyword("hours").ok_or_else(missing)?;
                let value = self.reference(ItemKind::Period, period);
                self.campos.insert(spec.opa_title.to_string(), value);
                spec
            }
            Subject::Tag(_) => by_keyword("tag").ok_or_else(missing)?,
            Subject::Branch(_) => by_keyword("branch").ok_or_else(missing)?,
            Subject::Path(path) => {
                let keyword = match path.segments.as_slice() {
                    [only] => by_keyword(&only.name).filter(|s| s.operand.is_none()),
                    _ => None,
                };
                match keyword {
                    Some(spec) => spec,
                    None => {
                        let spec = variable_subject(arms);
                        let value = Value::String(path.dotted());
                        self.campos.insert(spec.opa_title.to_string(), value);
                        spec
                    }
                }
            }
        };
        self.campos.insert(
            key::CONDITION_KIND.into(),
            Value::String(spec.opa_kind.into()),
        );
        Ok(spec)
    }

    fn pattern(&self, pattern: &Pattern, subject: Option<&SubjectSpec>) -> Map<String, Value> {
        let value = match pattern {
            Pattern::Str(s) => json!({ "opcao": str_to_json(s) }),
            Pattern::Yes(_) => json!({ "resposta": "sim" }),
            Pattern::No(_) => json!({ "resposta": "nao" }),
            Pattern::Else(_) => json!({ "senao": true }),
            Pattern::Name(name) => {
                let named = match subject.map(|s| s.patterns) {
                    Some(SubjectPatterns::Enum(kind)) => kind
                        .pattern(&name.name)
                        .map(|p| json!({ "valor": p.opa_label })),
                    Some(SubjectPatterns::Items(kind)) => self
                        .names
                        .id(kind, &name.name)
                        .map(|id| json!({ "item": id })),
                    _ => None,
                };
                named.unwrap_or_else(|| json!({ "nome": name.name }))
            }
        };
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

/// `when <var>`: the editor's Diagnóstico conditional when every named arm is a
/// diagnosis, its Variável conditional otherwise.
fn variable_subject(arms: &Arms) -> &'static SubjectSpec {
    use fluxo_stdlib::catalogue::when_subject_for_variable;
    let names: Vec<&str> = arms
        .arms
        .iter()
        .filter_map(|arm| match &arm.pattern {
            Pattern::Name(n) => Some(n.name.as_str()),
            _ => None,
        })
        .collect();
    let diagnosis = !names.is_empty()
        && names
            .iter()
            .all(|n| EnumKind::Diagnosis.pattern(n).is_some());
    let kind = if diagnosis {
        EnumKind::Diagnosis
    } else {
        EnumKind::Channel
    };
    when_subject_for_variable(kind)
}

/// Attribute value `@name("text")` of the first attribute called `name`.
pub fn attr_str(attrs: &[Attr], name: &str) -> Option<String> {
    let attr = attrs.iter().find(|a| a.name.name == name)?;
    match attr.args.as_slice() {
        [AttrArg::Str(s)] => s.as_plain(),
        _ => None,
    }
}

fn field_attr(attr: &Attr) -> Result<(String, Value), String> {
    let bad = || "@field takes a field name and its JSON value, both strings".to_string();
    let [AttrArg::Str(name), AttrArg::Str(value)] = attr.args.as_slice() else {
        return Err(bad());
    };
    let (name, text) = (
        name.as_plain().ok_or_else(bad)?,
        value.as_plain().ok_or_else(bad)?,
    );
    let value = serde_json::from_str(&text)
        .map_err(|e| format!("@field(\"{name}\", ...) holds invalid JSON: {e}"))?;
    Ok((name, value))
}

/// Adds the attributes the frontend does not read itself as `atributos`.
fn put_attrs(map: &mut Map<String, Value>, attrs: &[Attr]) -> Result<(), String> {
    let others: Vec<AttrDto> = attrs
        .iter()
        .filter(|a| !OWN_ATTRS.contains(&a.name.name.as_str()))
        .map(attr_to_dto)
        .collect();
    if !others.is_empty() {
        let value = serde_json::to_value(others).map_err(|e| e.to_string())?;
        map.insert(key::ATTRIBUTES.into(), value);
    }
    Ok(())
}

pub fn attr_to_dto(attr: &Attr) -> AttrDto {
    let args = attr
        .args
        .iter()
        .map(|arg| match arg {
            AttrArg::Str(s) => AttrArgDto::Texto(str_to_json(s)),
            AttrArg::Number(n) => AttrArgDto::Numero(n.clone()),
            AttrArg::Ident(i) => AttrArgDto::Nome(i.name.clone()),
        })
        .collect();
    AttrDto {
        nome: attr.name.name.clone(),
        args,
    }
}

pub fn attr_from_dto(dto: &AttrDto) -> Result<Attr, String> {
    let name =
        ident(&dto.nome).ok_or_else(|| format!("`{}` is not an attribute name", dto.nome))?;
    let mut args = Vec::new();
    for arg in &dto.args {
        args.push(match arg {
            AttrArgDto::Texto(v) => AttrArg::Str(str_from_json(v).ok_or("bad attribute text")?),
            AttrArgDto::Numero(n) if is_number(n) => AttrArg::Number(n.clone()),
            AttrArgDto::Numero(n) => return Err(format!("`{n}` is not a plain number")),
            AttrArgDto::Nome(n) => AttrArg::Ident(ident(n).ok_or("bad attribute name")?),
        });
    }
    Ok(Attr {
        name,
        args,
        span: Span::default(),
    })
}

/// `-?[0-9]+(\.[0-9]+)?`, the numbers an attribute may hold.
pub fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && frac.is_none_or(all_digits)
}

pub fn make_attr(name: &str, args: Vec<AttrArg>) -> Attr {
    let name = Ident {
        name: name.to_string(),
        span: Span::default(),
    };
    Attr {
        name,
        args,
        span: Span::default(),
    }
}

/// A card read back: the statement with empty arm and `if` bodies, and its outputs.
pub struct Decoded {
    pub stmt: Stmt,
    pub spec: &'static CardSpec,
    /// The output ids, one per arm, in order.
    pub outputs: Vec<String>,
}

/// Reads the content of `campos` for a card of type `tipo`; `path` names the card in
/// messages. Fields the model does not know come back as `@field` attributes.
pub fn decode(tipo: &str, campos: &Map<String, Value>, names: &Names) -> Result<Decoded, String> {
    let spec = card_by_opa_type(tipo)
        .ok_or_else(|| format!("unknown card type \"{tipo}\" (see `fluxo cards`)"))?;
    let mut r = Reader {
        campos,
        used: Vec::new(),
        names,
    };
    let kind = r.kind(spec)?;
    let mut outputs = Vec::new();
    let kind = r.arms(spec, kind, &mut outputs)?;
    let mut attrs = Vec::new();
    for (name, value) in campos {
        if !r.used.contains(&name.as_str()) && name != key::ATTRIBUTES {
            let text = |t: String| {
                AttrArg::Str(fluxo_grammar::ast::Str {
                    parts: vec![fluxo_grammar::ast::StrPart::Text(t)],
                    triple: false,
                    span: Span::default(),
                })
            };
            let args = vec![text(name.clone()), text(value.to_string())];
            attrs.push(make_attr(FIELD, args));
        }
    }
    attrs.extend(attrs_of(campos)?);
    let stmt = Stmt {
        attrs,
        label: None,
        kind,
        span: Span::default(),
    };
    Ok(Decoded {
        stmt,
        spec,
        outputs,
    })
}

/// The `atributos` of a card or output, as attributes.
pub fn attrs_of(map: &Map<String, Value>) -> Result<Vec<Attr>, String> {
    let Some(value) = map.get(key::ATTRIBUTES) else {
        return Ok(Vec::new());
    };
    let dtos: Vec<AttrDto> =
        serde_json::from_value(value.clone()).map_err(|e| format!("`atributos`: {e}"))?;
    dtos.iter().map(attr_from_dto).collect()
}

struct Reader<'a> {
    campos: &'a Map<String, Value>,
    used: Vec<&'a str>,
    names: &'a Names,
}

impl<'a> Reader<'a> {
    fn take(&mut self, field: &str) -> Option<&'a Value> {
        let (k, v) = self.campos.get_key_value(field)?;
        self.used.push(k.as_str());
        Some(v)
    }

    fn field(&mut self, spec: &CardSpec, param: &str) -> Result<Option<&'a Value>, String> {
        let field = spec
            .param(param)
            .ok_or_else(|| format!("the catalogue's `{}` has no parameter `{param}`", spec.name))?
            .opa_field;
        Ok(self.take(field))
    }

    fn required(&mut self, spec: &CardSpec, param: &str) -> Result<&'a Value, String> {
        let label = spec.param(param).map_or(param, |p| p.opa_field);
        self.field(spec, param)?
            .ok_or_else(|| format!("the card lacks its field \"{label}\""))
    }

    fn message(&mut self, spec: &CardSpec, param: &str) -> Result<fluxo_grammar::ast::Str, String> {
        let value = self.required(spec, param)?;
        str_from_json(value).ok_or_else(|| format!("expected a message, found {}", short(value)))
    }

    fn name(&mut self, field: &str) -> Result<Ident, String> {
        let value = self
            .take(field)
            .ok_or_else(|| format!("the card lacks its \"{field}\""))?;
        value.as_str().and_then(ident).ok_or_else(|| {
            format!(
                "\"{field}\" must be a name such as `motivo`, found {}",
                short(value)
            )
        })
    }

    fn reference(&self, kind: ItemKind, value: &Value) -> Result<Ident, String> {
        match value {
            Value::String(id) => match self.names.name(kind, id) {
                Some(name) => ident(name).ok_or_else(|| format!("bad name `{name}`")),
                None => Err(format!("no {} has `_id` \"{id}\"", kind.keyword())),
            },
            Value::Object(map) if map.len() == 1 => map
                .get("nome")
                .and_then(Value::as_str)
                .and_then(ident)
                .ok_or_else(|| format!("expected an `_id`, found {}", short(value))),
            _ => Err(format!("expected an `_id`, found {}", short(value))),
        }
    }

    fn kind(&mut self, spec: &'static CardSpec) -> Result<StmtKind, String> {
        let empty = || Arms {
            arms: Vec::new(),
            span: Span::default(),
        };
        let id = CardId::from_name(spec.name)
            .ok_or_else(|| format!("`{}` is not a card of the catalogue", spec.name))?;
        let CardKind::Statement(statement) = id.kind() else {
            return self.call_kind(spec);
        };
        Ok(match statement {
            StatementCard::Say => StmtKind::Say(self.message(spec, "text")?),
            StatementCard::SayAudio => StmtKind::SayAudio(self.message(spec, "file")?),
            StatementCard::AskChoice | StatementCard::AskConfirm | StatementCard::AskInput => {
                let prompt = self.message(spec, "question")?;
                let kind = match statement {
                    StatementCard::AskChoice => AskKind::Choice { arms: empty() },
                    StatementCard::AskConfirm => AskKind::Confirm { arms: empty() },
                    _ => {
                        let label = self.required(spec, "type")?;
                        let ty = match label {
                            Value::String(l) => InputType::ALL
                                .into_iter()
                                .find(|t| t.opa_label() == l)
                                .and_then(|t| ident(t.name()))
                                .ok_or_else(|| format!("`{l}` is not an input type"))?,
                            other => self
                                .reference(ItemKind::Flow, other)
                                .map_err(|_| format!("`{}` is not an input type", short(other)))?,
                        };
                        AskKind::Input {
                            ty,
                            var: self.name(key::VARIABLE)?,
                        }
                    }
                };
                StmtKind::Ask(Ask {
                    prompt,
                    kind,
                    args: self.args(spec)?,
                })
            }
            StatementCard::When => {
                let subject = self.subject()?;
                StmtKind::When(When {
                    subject,
                    arms: empty(),
                })
            }
            StatementCard::If => {
                let cond = expr::from_tree(self.required(spec, "condition")?)?;
                let then = fluxo_grammar::ast::Block {
                    stmts: Vec::new(),
                    span: Span::default(),
                };
                StmtKind::If(fluxo_grammar::ast::If {
                    cond,
                    then,
                    otherwise: None,
                })
            }
            StatementCard::Goto => {
                let flow = self.required(spec, "flow")?;
                StmtKind::Goto(self.reference(ItemKind::Flow, flow)?)
            }
            StatementCard::Transfer => {
                let department = self.required(spec, "department")?;
                let department = self.reference(ItemKind::Department, department)?;
                let attendant = match self.field(spec, "attendant")? {
                    Some(v) => Some(self.reference(ItemKind::Attendant, v)?),
                    None => None,
                };
                StmtKind::Transfer {
                    department,
                    attendant,
                }
            }
            StatementCard::Tag => {
                let list = self.required(spec, "tags")?;
                let items = list.as_array().ok_or("\"Etiquetas\" must be an array")?;
                let tags: Result<Vec<Ident>, String> = items
                    .iter()
                    .map(|v| self.reference(ItemKind::Tag, v))
                    .collect();
                StmtKind::Tag(tags?)
            }
            StatementCard::Wait => {
                let value = self.required(spec, "duration")?;
                let d = value.as_str().and_then(duration);
                StmtKind::Wait(d.ok_or_else(|| {
                    format!(
                        "expected a duration such as \"30s\", found {}",
                        short(value)
                    )
                })?)
            }
            StatementCard::Set => {
                let var = self.name(key::VARIABLE)?;
                let value = self
                    .take(key::VALUE)
                    .ok_or("the card lacks its \"valor\"")?;
                StmtKind::Set {
                    var,
                    value: expr::from_tree(value)?,
                }
            }
            StatementCard::End => StmtKind::End,
        })
    }

    /// A call card: they all travel in one generic form, read from the catalogue entry.
    fn call_kind(&mut self, spec: &'static CardSpec) -> Result<StmtKind, String> {
        let (namespace, name) = match spec.name.split_once('.') {
            Some((ns, n)) => (ident(ns).or_else(|| Some(raw(ns))), n),
            None => (None, spec.name),
        };
        let args = self.args(spec)?;
        let binding = match self.campos.contains_key(key::VARIABLE) {
            true => Some(self.name(key::VARIABLE)?),
            false => None,
        };
        let arms = self.campos.contains_key(key::OUTPUTS).then(|| Arms {
            arms: Vec::new(),
            span: Span::default(),
        });
        Ok(StmtKind::Call(Call {
            namespace,
            name: raw(name),
            args,
            binding,
            arms,
        }))
    }

    fn args(&mut self, spec: &CardSpec) -> Result<Vec<Arg>, String> {
        let params: Vec<_> = spec.args().filter(|p| p.place == Place::Arg).collect();
        let mut order: Vec<usize> = Vec::new();
        if let Some(listed) = self.take(key::ARG_ORDER) {
            let listed = listed
                .as_array()
                .ok_or("`_ordem` must be an array of names")?;
            for name in listed {
                let index = params
                    .iter()
                    .position(|p| Some(p.name) == name.as_str())
                    .ok_or_else(|| format!("`_ordem` names no parameter: {name}"))?;
                if order.contains(&index) {
                    return Err(format!("`_ordem` repeats {name}"));
                }
                order.push(index);
            }
        }
        for index in 0..params.len() {
            if !order.contains(&index) {
                order.push(index);
            }
        }
        let mut args = Vec::new();
        for index in order {
            let param = params[index];
            if let Some(value) = self.take(param.opa_field) {
                let value = expr::decode(value, param.ty, self.names)
                    .map_err(|e| format!("\"{}\": {e}", param.opa_field))?;
                args.push(Arg {
                    name: raw(param.name),
                    value,
                    span: Span::default(),
                });
            }
        }
        Ok(args)
    }

    fn subject(&mut self) -> Result<Subject, String> {
        let kind = self.take(key::CONDITION_KIND).and_then(Value::as_str);
        let kind = kind.ok_or("a Condicional card needs its \"tipo_condicao\"")?;
        let spec = when_subjects()
            .iter()
            .find(|s| s.opa_kind == kind)
            .ok_or_else(|| format!("unknown condition kind \"{kind}\""))?;
        Ok(match spec.keyword {
            Some("hours") => {
                let period = self
                    .take(spec.opa_title)
                    .ok_or("the card lacks its period")?;
                Subject::Hours(self.reference(ItemKind::Period, period)?)
            }
            Some("tag") => Subject::Tag(Span::default()),
            Some("branch") => Subject::Branch(Span::default()),
            Some(word) => Subject::Path(path_from(word).unwrap_or_else(|| raw_path(word))),
            None => {
                let var = self.take(spec.opa_title).and_then(Value::as_str);
                let var =
                    var.ok_or_else(|| format!("the card lacks its \"{}\"", spec.opa_title))?;
                Subject::Path(path_from(var).ok_or_else(|| format!("`{var}` is not a variable"))?)
            }
        })
    }

    /// Reads the outputs into empty arms of `kind`.
    fn arms(
        &mut self,
        spec: &CardSpec,
        mut kind: StmtKind,
        ids: &mut Vec<String>,
    ) -> Result<StmtKind, String> {
        let subject = match &kind {
            StmtKind::When(w) => when_spec(&w.subject, self.campos),
            _ => None,
        };
        let arms = match &mut kind {
            StmtKind::Ask(Ask {
                kind: AskKind::Choice { arms } | AskKind::Confirm { arms },
                ..
            })
            | StmtKind::When(When { arms, .. }) => Some(arms),
            StmtKind::Call(call) => call.arms.as_mut(),
            _ => None,
        };
        let Some(arms) = arms else {
            if self.campos.contains_key(key::OUTPUTS) {
                return Err(format!("a \"{}\" card has no outputs", spec.opa_type));
            }
            return Ok(kind);
        };
        let list = self
            .take(key::OUTPUTS)
            .map(|v| v.as_array().ok_or("`saidas` must be an array"));
        for (i, output) in list.transpose()?.into_iter().flatten().enumerate() {
            let output: OutputDto =
                serde_json::from_value(output.clone()).map_err(|e| format!("saidas[{i}]: {e}"))?;
            // Connectors name an output by its `_id`: two outputs with one `_id` would make
            // a connector ambiguous, and the export would give that output two connectors.
            if ids.contains(&output.id) {
                return Err(format!(
                    "saidas[{i}]: another output of this card has the `_id` \"{}\"",
                    output.id
                ));
            }
            let pattern = self
                .pattern(&output.padrao, subject)
                .map_err(|e| format!("saidas[{i}]: {e}"))?;
            let mut attrs = vec![make_attr(ID, vec![text_arg(&output.id)])];
            attrs.extend(attrs_of(&output.padrao).map_err(|e| format!("saidas[{i}]: {e}"))?);
            let body = fluxo_grammar::ast::Branch::Block(fluxo_grammar::ast::Block {
                stmts: Vec::new(),
                span: Span::default(),
            });
            arms.arms.push(fluxo_grammar::ast::Arm {
                attrs,
                pattern,
                body,
                span: Span::default(),
            });
            ids.push(output.id);
        }
        Ok(kind)
    }

    fn pattern(
        &self,
        map: &Map<String, Value>,
        subject: Option<&SubjectSpec>,
    ) -> Result<Pattern, String> {
        let span = Span::default();
        let bad = || {
            format!(
                "not an output pattern: {}",
                short(&Value::Object(map.clone()))
            )
        };
        let (k, v) = map
            .iter()
            .find(|(k, _)| k.as_str() != key::ATTRIBUTES)
            .ok_or_else(bad)?;
        Ok(match (k.as_str(), v) {
            ("opcao", _) => Pattern::Str(str_from_json(v).ok_or_else(bad)?),
            ("resposta", Value::String(s)) if s == "sim" => Pattern::Yes(span),
            ("resposta", Value::String(s)) if s == "nao" => Pattern::No(span),
            ("senao", Value::Bool(true)) => Pattern::Else(span),
            ("nome", Value::String(n)) => Pattern::Name(ident(n).ok_or_else(bad)?),
            ("valor", Value::String(label)) => {
                let Some(SubjectPatterns::Enum(kind)) = subject.map(|s| s.patterns) else {
                    return Err(bad());
                };
                let p = kind.patterns().iter().find(|p| p.opa_label == label);
                let p = p.ok_or_else(|| {
                    format!("`{label}` is not one of the {} options", kind.name())
                })?;
                Pattern::Name(ident(p.name).unwrap_or_else(|| raw(p.name)))
            }
            ("item", id) => {
                let Some(SubjectPatterns::Items(kind)) = subject.map(|s| s.patterns) else {
                    return Err(bad());
                };
                Pattern::Name(self.reference(kind, id)?)
            }
            _ => return Err(bad()),
        })
    }
}

fn when_spec(subject: &Subject, campos: &Map<String, Value>) -> Option<&'static SubjectSpec> {
    let _ = subject;
    let kind = campos.get(key::CONDITION_KIND)?.as_str()?;
    when_subjects().iter().find(|s| s.opa_kind == kind)
}

fn raw(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: Span::default(),
    }
}

fn raw_path(name: &str) -> fluxo_grammar::ast::Path {
    fluxo_grammar::ast::Path {
        segments: vec![raw(name)],
        span: Span::default(),
    }
}

pub fn text_arg(text: &str) -> AttrArg {
    AttrArg::Str(fluxo_grammar::ast::Str {
        parts: vec![fluxo_grammar::ast::StrPart::Text(text.to_string())],
        triple: false,
        span: Span::default(),
    })
}

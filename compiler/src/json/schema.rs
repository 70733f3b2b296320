//! The Opa JSON exchange format as serde types (version [`VERSION`]), its migrations, and
//! the recognition of documents that are not Opa flow exports.
//!
//! This is the one module that knows the wire shape: top-level keys, entity records,
//! flows, cards, outputs and connectors. Matching a real Opa export later means changing
//! this module (and adding a migration), not the rest of the frontend. It knows nothing
//! about syntax trees or the card catalogue; card fields stay a free JSON map here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The format version written by `export`; `import` migrates older ones up to it.
pub const VERSION: u64 = 1;

/// The connector output a card takes to its next card (and, for a branching card, where
/// its arms rejoin and where a `when` with no matching arm goes).
pub const NEXT: &str = "proximo";
/// The outputs of an `if` card (Condicional, Variável): condition true / false.
pub const IF_TRUE: &str = "sim";
pub const IF_FALSE: &str = "nao";

/// Card keys the frontend itself defines (the catalogue's `opa_field` labels are the rest).
pub mod key {
    /// The variable a card binds (`as <var>`, `input ... as <var>`, `set <var>`).
    pub const VARIABLE: &str = "variavel";
    /// The value `set` assigns.
    pub const VALUE: &str = "valor";
    /// The kind of a Condicional card (the catalogue's `SubjectSpec::opa_kind`).
    pub const CONDITION_KIND: &str = "tipo_condicao";
    /// The order the card's arguments were written in, when not the catalogue's.
    pub const ARG_ORDER: &str = "_ordem";
    pub const OUTPUTS: &str = "saidas";
    pub const ATTRIBUTES: &str = "atributos";
}

/// One exported project: the company's platform entities and its flows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub versao: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erp: Vec<ErpDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departamentos: Vec<EntityDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub atendentes: Vec<AttendantDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub etiquetas: Vec<EntityDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grupos: Vec<EntityDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filiais: Vec<EntityDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periodos: Vec<PeriodDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modelos: Vec<EntityDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agentes: Vec<EntityDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scripts: Vec<ScriptDto>,
    #[serde(default)]
    pub fluxos: Vec<FlowDto>,
}

/// An attribute that has no field of its own: `@name(args)` kept verbatim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttrDto {
    pub nome: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<AttrArgDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttrArgDto {
    Texto(Value),
    Numero(String),
    Nome(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErpDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub sistema: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub atributos: Vec<AttrDto>,
    /// Where the text has this record (`_texto`), which the editor keeps as it keeps
    /// any field it does not know.
    #[serde(rename = "_texto", default, skip_serializing_if = "Option::is_none")]
    pub texto: Option<TextDto>,
}

/// A department, tag, group, branch, template or agent: a name and a title.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub nome: String,
    pub titulo: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub atributos: Vec<AttrDto>,
    /// Where the text has this record (`_texto`), which the editor keeps as it keeps
    /// any field it does not know.
    #[serde(rename = "_texto", default, skip_serializing_if = "Option::is_none")]
    pub texto: Option<TextDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttendantDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub nome: String,
    pub titulo: Value,
    /// The `_id` of the attendant's department.
    pub departamento: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub atributos: Vec<AttrDto>,
    /// Where the text has this record (`_texto`), which the editor keeps as it keeps
    /// any field it does not know.
    #[serde(rename = "_texto", default, skip_serializing_if = "Option::is_none")]
    pub texto: Option<TextDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub nome: String,
    pub titulo: Value,
    pub regras: Vec<RuleDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub atributos: Vec<AttrDto>,
    /// Where the text has this record (`_texto`), which the editor keeps as it keeps
    /// any field it does not know.
    #[serde(rename = "_texto", default, skip_serializing_if = "Option::is_none")]
    pub texto: Option<TextDto>,
}

/// `{"dias": ["seg-sex"], "horarios": ["08:00-18:00"]}` or `{"feriado": "2026-12-25"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RuleDto {
    Hours {
        dias: Vec<String>,
        horarios: Vec<String>,
    },
    Holiday {
        feriado: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub nome: String,
    pub arquivo: Value,
    pub campos: Vec<ScriptFieldDto>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub atributos: Vec<AttrDto>,
    /// Where the text has this record (`_texto`), which the editor keeps as it keeps
    /// any field it does not know.
    #[serde(rename = "_texto", default, skip_serializing_if = "Option::is_none")]
    pub texto: Option<TextDto>,
    /// The script's source (`_fonte`), so that a project travels with its Low Code.
    #[serde(rename = "_fonte", default, skip_serializing_if = "Option::is_none")]
    pub fonte: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptFieldDto {
    pub nome: String,
    pub tipo: String,
}

/// One flow, one screen of the editor: cards joined by connectors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub nome: String,
    #[serde(default)]
    pub titulo: Value,
    /// The `_id` of the first card; null for an empty flow.
    #[serde(default)]
    pub inicio: Option<String>,
    #[serde(default)]
    pub cards: Vec<CardDto>,
    #[serde(default)]
    pub conectores: Vec<ConnectorDto>,
    /// How the cards nest as text, present only when the graph alone would read back
    /// differently (see docs/opa-json.md, "Text layout hint").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estrutura: Option<Vec<EntryDto>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub atributos: Vec<AttrDto>,
    /// Where the text has this record (`_texto`), which the editor keeps as it keeps
    /// any field it does not know.
    #[serde(rename = "_texto", default, skip_serializing_if = "Option::is_none")]
    pub texto: Option<TextDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub tipo: String,
    pub posicao: PositionDto,
    /// The card's fields, keyed by the editor's labels, plus the keys of [`key`].
    #[serde(flatten)]
    pub campos: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PositionDto {
    pub x: serde_json::Number,
    pub y: serde_json::Number,
}

/// One output of a branching card: a choice option, yes/no, a `when` pattern, `else`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputDto {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(flatten)]
    pub padrao: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorDto {
    /// The `_id` of the card the connector leaves.
    pub origem: String,
    /// [`NEXT`], [`IF_TRUE`]/[`IF_FALSE`] or the `_id` of one of the card's outputs.
    pub saida: String,
    /// The `_id` of the card the connector enters.
    pub destino: String,
}

/// Where a record stands in the project's text (see docs/opa-json.md, "Project text").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextDto {
    /// The `.flow` file, relative to the project folder, with `/` between folders.
    pub arquivo: String,
    /// The record's place among the file's items, from 0.
    pub ordem: usize,
    /// The file's fingerprint at export (`fluxo import` refuses to overwrite a file
    /// changed since, unless forced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// How many tokens the item had at export.
    pub simbolos: usize,
    /// Comments and blank lines, by the token they come before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trechos: Vec<GapDto>,
    /// What follows the file's last token (only on its last item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<String>,
}

/// Text between two tokens that the bare formatting would not write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GapDto {
    /// The index, in the item, of the token the text comes before, not counting the
    /// tokens of attributes (the editor adds `@id`s and `@pos`es).
    pub antes: usize,
    /// How many tokens of attributes come between that token's predecessor and the text.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub atributo: usize,
    pub texto: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One statement of the text layout hint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EntryDto {
    /// A card with no label and no nested blocks.
    Card(String),
    Node(Box<NodeDto>),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeDto {
    /// The card; absent for a `goto`, a missing target or an implicit end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotulo: Option<String>,
    /// A `goto <label>` inside the flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goto: Option<String>,
    /// A connector to a card the flow does not have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ausente: Option<String>,
    /// An `end` that stands for "no connector" and is no card.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fim: bool,
    /// The card had no incoming connector.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub solto: bool,
    /// One per output of the card, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramos: Option<Vec<BranchDto>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entao: Option<Vec<EntryDto>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub senao: Option<Vec<EntryDto>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub senao_se: Option<Box<NodeDto>>,
}

/// An arm's body: a braced block (array) or a single statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BranchDto {
    Block(Vec<EntryDto>),
    Stmt(EntryDto),
}

/// Why a JSON document cannot be read as an Opa flow export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

/// Checks that `value` is an Opa flow export and brings it up to [`VERSION`].
pub fn migrate(mut value: Value) -> Result<Value, Refusal> {
    let Some(object) = value.as_object() else {
        return Err(Refusal(format!(
            "expected a JSON object (an Opa flow export), found {}",
            kind_of(&value)
        )));
    };
    if !object.contains_key("fluxos") {
        return Err(Refusal(foreign(object)));
    }
    let version = match object.get("versao") {
        Some(Value::Number(n)) => n.as_u64(),
        None => {
            return Err(Refusal(
                "the export has no `versao` (format version) field".into(),
            ))
        }
        Some(_) => None,
    };
    let Some(mut version) = version else {
        return Err(Refusal("`versao` must be a whole number".into()));
    };
    if version == 0 || version > VERSION {
        return Err(Refusal(format!(
            "format version {version} is not supported; this Fluxo reads versions 1 to {VERSION}"
        )));
    }
    while version < VERSION {
        value = MIGRATIONS[(version - 1) as usize](value);
        version += 1;
    }
    Ok(value)
}

/// `MIGRATIONS[n - 1]` turns a version-`n` document into a version-`n + 1` one. Version 1
/// is the first, so there is none yet; a change of shape adds one here with its version.
const MIGRATIONS: [fn(Value) -> Value; (VERSION - 1) as usize] = [];

/// Names what a JSON object that is not an Opa export looks like.
fn foreign(object: &Map<String, Value>) -> String {
    let has = |key: &str| object.contains_key(key);
    let definition = object.get("definition").and_then(Value::as_object);
    let what = if has("typebot") || (has("groups") && (has("edges") || has("events"))) {
        Some("a Typebot export (it has `groups` and `edges`)")
    } else if has("states") && (has("initial_state") || has("flags"))
        || definition.is_some_and(|d| d.contains_key("states"))
    {
        Some("a Twilio Studio flow definition (it has `states` and `initial_state`)")
    } else if has("nodes") && has("connections") {
        Some("an n8n workflow (it has `nodes` and `connections`)")
    } else if has("nodes") && has("edges") {
        Some("a node-and-edge graph from another flow builder (it has `nodes` and `edges`)")
    } else {
        None
    };
    match what {
        Some(what) => format!("this is not an Opa flow export: it looks like {what}"),
        None => {
            let mut keys: Vec<&str> = object.keys().map(String::as_str).take(8).collect();
            keys.sort_unstable();
            let keys = if keys.is_empty() {
                "none".to_string()
            } else {
                keys.join(", ")
            };
            format!(
                "this is not an Opa flow export: it has no `fluxos` list (top-level keys: {keys})"
            )
        }
    }
}

pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

//! The subjects a `when` can branch on, each one kind of the Opa editor's Condicional
//! card, with the patterns its arms use.

use crate::types::{EnumKind, ItemKind};

/// One kind of `when`.
#[derive(Debug, PartialEq, Eq)]
pub struct SubjectSpec {
    /// The word after `when`; `None` for a subject that is a variable.
    pub keyword: Option<&'static str>,
    /// How the subject is written.
    pub form: &'static str,
    /// The declared item the subject names after its keyword (`when hours comercial`).
    pub operand: Option<ItemKind>,
    pub patterns: SubjectPatterns,
    /// The conditional's kind in Fluxo's Opa JSON.
    pub opa_kind: &'static str,
    /// The conditional's kind as the Opa editor names it.
    pub opa_title: &'static str,
    pub doc: &'static str,
}

/// What a `when` arm's pattern names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectPatterns {
    Enum(EnumKind),
    /// Declared items of this kind; the `when` is exhaustive when it names them all.
    Items(ItemKind),
    /// The patterns of the variable's own enum type.
    VariableEnum,
}

/// Indices of the two variable subjects in `SUBJECTS`.
const DIAGNOSIS_VARIABLE: usize = 7;
const ENUM_VARIABLE: usize = 8;

static SUBJECTS: [SubjectSpec; 9] = [
    SubjectSpec {
        keyword: Some("channel"),
        form: "when channel",
        operand: None,
        patterns: SubjectPatterns::Enum(EnumKind::Channel),
        opa_kind: "canal",
        opa_title: "Canal",
        doc: "The channel the customer wrote in.",
    },
    SubjectSpec {
        keyword: Some("branch"),
        form: "when branch",
        operand: None,
        patterns: SubjectPatterns::Items(ItemKind::Branch),
        opa_kind: "filial",
        opa_title: "Filial",
        doc: "The branch (filial) the conversation belongs to; a conversation of no declared branch takes `else`.",
    },
    SubjectSpec {
        keyword: Some("hours"),
        form: "when hours <period>",
        operand: Some(ItemKind::Period),
        patterns: SubjectPatterns::Enum(EnumKind::Hours),
        opa_kind: "periodo_atendimento",
        opa_title: "Período de atendimento",
        doc: "`open` inside the period's business hours (America/Sao_Paulo, `from` inclusive, `to` exclusive), `closed` outside them and all day on its holidays.",
    },
    SubjectSpec {
        keyword: Some("shift"),
        form: "when shift",
        operand: None,
        patterns: SubjectPatterns::Enum(EnumKind::Shift),
        opa_kind: "turno",
        opa_title: "Turno",
        doc: "The time of day in America/Sao_Paulo: `morning` 06:00-11:59, `afternoon` 12:00-17:59, `night` 18:00-05:59.",
    },
    SubjectSpec {
        keyword: Some("tag"),
        form: "when tag",
        operand: None,
        patterns: SubjectPatterns::Items(ItemKind::Tag),
        opa_kind: "etiqueta_atendimento",
        opa_title: "Etiqueta do atendimento",
        doc: "The tags on the conversation or its contact. Arms are tried in order; an arm matches when any of the tags it names is on.",
    },
    SubjectSpec {
        keyword: Some("registration"),
        form: "when registration",
        operand: None,
        patterns: SubjectPatterns::Enum(EnumKind::Registration),
        opa_kind: "tipo_cadastro",
        opa_title: "Tipo de cadastro",
        doc: "Whether the contact is linked to a client, a supplier or no registration.",
    },
    SubjectSpec {
        keyword: Some("origin"),
        form: "when origin",
        operand: None,
        patterns: SubjectPatterns::Enum(EnumKind::Origin),
        opa_kind: "origem_atendimento",
        opa_title: "Origem do atendimento",
        doc: "`ad` when the conversation came from an ad campaign (the editor's positive path, counted in campaign metrics), `organic` otherwise (the negative path).",
    },
    SubjectSpec {
        keyword: None,
        form: "when <var>",
        operand: None,
        patterns: SubjectPatterns::Enum(EnumKind::Diagnosis),
        opa_kind: "diagnostico",
        opa_title: "Diagnóstico",
        doc: "A variable bound by `erp.diagnose`: the state of the connection.",
    },
    SubjectSpec {
        keyword: None,
        form: "when <var>",
        operand: None,
        patterns: SubjectPatterns::VariableEnum,
        opa_kind: "variavel",
        opa_title: "Variável",
        doc: "A variable of any other enum type (such as the built-in `channel`), matched against that enum's patterns.",
    },
];

/// Every `when` subject, keyword subjects first.
pub fn when_subjects() -> &'static [SubjectSpec] {
    &SUBJECTS
}

/// The keyword subject `keyword` (`channel`, `hours`, ...).
pub fn when_subject(keyword: &str) -> Option<&'static SubjectSpec> {
    SUBJECTS.iter().find(|it| it.keyword == Some(keyword))
}

/// The subject of `when <var>` for a variable of enum type `kind`: the editor's
/// Diagnóstico conditional for a diagnosis, its Variável conditional otherwise.
pub fn when_subject_for_variable(kind: EnumKind) -> &'static SubjectSpec {
    if kind == EnumKind::Diagnosis {
        &SUBJECTS[DIAGNOSIS_VARIABLE]
    } else {
        &SUBJECTS[ENUM_VARIABLE]
    }
}

//! The types of the flow language as the catalogue speaks of them: value types, the
//! input types of `ask ... input`, the closed enums that `when` branches on, the kinds
//! of declared items, and the literals a card parameter may default to.
//!
//! This module knows names, patterns and Portuguese labels; it knows nothing about
//! syntax trees, spans or how a checker unifies types.

use std::fmt;

use crate::erp::Diagnosis;

/// The type of a card parameter, a bound variable or a built-in variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Text,
    Number,
    Bool,
    /// `30s`, `5m`, `2h`.
    Duration,
    /// A clock time, `08:00`.
    Time,
    /// A calendar date, `dd/mm/aaaa` when a customer types it.
    Date,
    /// A customer's answer that passed the validator of its input type.
    Input(InputType),
    Enum(EnumKind),
    /// The record a Low Code script declares (`script s "..." -> { dbm: number }`); its
    /// fields come from the script item the card names, not from the catalogue.
    Record,
    /// `1..5`, both ends included.
    Range,
    /// A file path or URL literal whose extension must be one of `FileKind::extensions`.
    File(FileKind),
    /// Several values: a list literal `["a", "b"]` as an argument, or the statement
    /// syntax `tag a, b`.
    List(&'static Ty),
    /// The name of a declared item of this kind.
    Ref(ItemKind),
}

impl Ty {
    /// The type a value of this type has in expressions and comparisons.
    ///
    /// A validated answer is still text (or a number or a date): `if cpf == "..."` must
    /// type-check, so checkers compare `base()`s, while `Ty` itself keeps the finer type
    /// for docs, hovers and the JSON frontend.
    pub fn base(self) -> Ty {
        match self {
            Ty::Input(input) => input.value_ty(),
            Ty::File(_) => Ty::Text,
            other => other,
        }
    }

    /// Whether `literal` is a valid value of this type, as a card default.
    pub fn accepts(self, literal: &Literal) -> bool {
        match (self.base(), literal) {
            (Ty::Text, Literal::Text(_))
            | (Ty::Number, Literal::Number(_))
            | (Ty::Bool, Literal::Bool(_))
            | (Ty::Duration, Literal::Duration(_)) => true,
            (Ty::Range, Literal::Range(low, high)) => low < high,
            (Ty::Enum(kind), Literal::Pattern(name)) => kind.pattern(name).is_some(),
            _ => false,
        }
    }
}

impl fmt::Display for Ty {
    /// The name engineers read in diagnostics and docs: `number`, `cpf`, `channel`,
    /// `department`, `list of tag`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Text => f.write_str("text"),
            Ty::Number => f.write_str("number"),
            Ty::Bool => f.write_str("bool"),
            Ty::Duration => f.write_str("duration"),
            Ty::Time => f.write_str("time"),
            Ty::Date => f.write_str("date"),
            Ty::Input(input) => f.write_str(input.name()),
            Ty::Enum(kind) => f.write_str(kind.name()),
            Ty::Record => f.write_str("record"),
            Ty::Range => f.write_str("range"),
            Ty::File(kind) => f.write_str(kind.name()),
            Ty::List(item) => write!(f, "list of {item}"),
            Ty::Ref(kind) => f.write_str(kind.keyword()),
        }
    }
}

/// One name a `when` arm (or an enum-typed argument) may use, with the label the Opa
/// editor shows for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub name: &'static str,
    pub opa_label: &'static str,
}

const fn pattern(name: &'static str, opa_label: &'static str) -> Pattern {
    Pattern { name, opa_label }
}

/// The kinds of answer `ask <question> input <type>` waits for; each has a validator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputType {
    Text,
    Number,
    Cpf,
    Cnpj,
    /// A CPF or a CNPJ, whichever the customer typed.
    Document,
    Email,
    Phone,
    Date,
    Cep,
}

impl InputType {
    pub const ALL: [InputType; 9] = [
        InputType::Text,
        InputType::Number,
        InputType::Cpf,
        InputType::Cnpj,
        InputType::Document,
        InputType::Email,
        InputType::Phone,
        InputType::Date,
        InputType::Cep,
    ];

    /// In the order of `ALL`, so `self as usize` indexes it.
    pub const PATTERNS: [Pattern; 9] = [
        pattern("text", "Texto"),
        pattern("number", "Número"),
        pattern("cpf", "CPF"),
        pattern("cnpj", "CNPJ"),
        pattern("document", "CPF/CNPJ"),
        pattern("email", "E-mail"),
        pattern("phone", "Telefone"),
        pattern("date", "Data"),
        pattern("cep", "CEP"),
    ];

    /// The name written after `input`: `cpf` in `ask "..." input cpf as doc`.
    pub fn name(self) -> &'static str {
        InputType::PATTERNS[self as usize].name
    }

    pub fn opa_label(self) -> &'static str {
        InputType::PATTERNS[self as usize].opa_label
    }

    pub fn from_name(name: &str) -> Option<InputType> {
        InputType::ALL.into_iter().find(|it| it.name() == name)
    }

    /// What a validated answer is in expressions: numbers compare as numbers, dates as
    /// dates, everything else (CPF, phone, ...) as its normalized text.
    pub fn value_ty(self) -> Ty {
        match self {
            InputType::Number => Ty::Number,
            InputType::Date => Ty::Date,
            _ => Ty::Text,
        }
    }
}

/// A channel a conversation runs in; the patterns of `when channel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Whatsapp,
    Telegram,
    Facebook,
    Instagram,
    Telephony,
    Webchat,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Whatsapp,
        Channel::Telegram,
        Channel::Facebook,
        Channel::Instagram,
        Channel::Telephony,
        Channel::Webchat,
    ];

    /// In the order of `ALL`, so `self as usize` indexes it.
    pub const PATTERNS: [Pattern; 6] = [
        pattern("whatsapp", "WhatsApp"),
        pattern("telegram", "Telegram"),
        pattern("facebook", "Facebook"),
        pattern("instagram", "Instagram"),
        pattern("telephony", "Telefonia"),
        pattern("webchat", "Webchat"),
    ];

    pub fn name(self) -> &'static str {
        Channel::PATTERNS[self as usize].name
    }

    pub fn opa_label(self) -> &'static str {
        Channel::PATTERNS[self as usize].opa_label
    }

    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|it| it.name() == name)
    }
}

/// The closed sets of names that `when` arms and enum-typed arguments use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnumKind {
    Channel,
    /// The time of day: see `shift_of_hour`.
    Shift,
    /// Whether the contact is linked to a client, a supplier or nothing.
    Registration,
    /// How the conversation began: from an ad campaign (the positive path) or not.
    Origin,
    /// `when hours <period>`: inside or outside the period's business hours.
    Hours,
    /// What `erp.diagnose` reports.
    Diagnosis,
    /// Whom a satisfaction survey rates.
    SurveyTarget,
    /// The order the survey's scale is listed in.
    SurveyOrder,
    /// The type written after `ask ... input`.
    InputType,
}

const SHIFT: [Pattern; 3] = [
    pattern("morning", "Manhã"),
    pattern("afternoon", "Tarde"),
    pattern("night", "Noite"),
];
const REGISTRATION: [Pattern; 3] = [
    pattern("client", "Cliente"),
    pattern("supplier", "Fornecedor"),
    pattern("none", "Sem cadastro"),
];
const ORIGIN: [Pattern; 2] = [pattern("ad", "Anúncio"), pattern("organic", "Orgânico")];
const HOURS: [Pattern; 2] = [
    pattern("open", "Dentro do horário"),
    pattern("closed", "Fora do horário"),
];
const SURVEY_TARGET: [Pattern; 3] = [
    pattern("company", "Empresa"),
    pattern("attendant", "Atendente"),
    pattern("both", "Ambos"),
];
const SURVEY_ORDER: [Pattern; 2] = [
    pattern("ascending", "Crescente"),
    pattern("descending", "Decrescente"),
];

impl EnumKind {
    pub const ALL: [EnumKind; 9] = [
        EnumKind::Channel,
        EnumKind::Shift,
        EnumKind::Registration,
        EnumKind::Origin,
        EnumKind::Hours,
        EnumKind::Diagnosis,
        EnumKind::SurveyTarget,
        EnumKind::SurveyOrder,
        EnumKind::InputType,
    ];

    /// The type's name in diagnostics and docs.
    pub fn name(self) -> &'static str {
        match self {
            EnumKind::Channel => "channel",
            EnumKind::Shift => "shift",
            EnumKind::Registration => "registration",
            EnumKind::Origin => "origin",
            EnumKind::Hours => "hours",
            EnumKind::Diagnosis => "diagnosis",
            EnumKind::SurveyTarget => "survey target",
            EnumKind::SurveyOrder => "survey order",
            EnumKind::InputType => "input type",
        }
    }

    pub fn patterns(self) -> &'static [Pattern] {
        match self {
            EnumKind::Channel => &Channel::PATTERNS,
            EnumKind::Shift => &SHIFT,
            EnumKind::Registration => &REGISTRATION,
            EnumKind::Origin => &ORIGIN,
            EnumKind::Hours => &HOURS,
            EnumKind::Diagnosis => &Diagnosis::PATTERNS,
            EnumKind::SurveyTarget => &SURVEY_TARGET,
            EnumKind::SurveyOrder => &SURVEY_ORDER,
            EnumKind::InputType => &InputType::PATTERNS,
        }
    }

    pub fn pattern(self, name: &str) -> Option<&'static Pattern> {
        self.patterns().iter().find(|it| it.name == name)
    }
}

/// The shift (`morning`, `afternoon`, `night`) that an hour of the day in
/// America/Sao_Paulo falls in: morning is 06:00-11:59, afternoon 12:00-17:59 and night
/// 18:00-05:59, the usual Brazilian reading of manhã, tarde and noite. `None` for an
/// hour above 23.
pub fn shift_of_hour(hour: u8) -> Option<&'static str> {
    let idx = match hour {
        6..=11 => 0,
        12..=17 => 1,
        0..=5 | 18..=23 => 2,
        _ => return None,
    };
    Some(SHIFT[idx].name)
}

/// The kinds of file a file-typed parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `say audio`: the Opa editor takes MP3 only.
    Audio,
    /// `send_file`: the formats the channels deliver.
    Attachment,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Audio => "audio file",
            FileKind::Attachment => "file",
        }
    }

    /// Lower-case extensions without the dot; the checker compares case-insensitively.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Audio => &["mp3"],
            FileKind::Attachment => &[
                "png", "jpg", "jpeg", "pdf", "mp3", "mp4", "ogg", "docx", "xlsx",
            ],
        }
    }

    /// Whether `path` (a file name or URL) ends in one of the accepted extensions.
    pub fn accepts(self, path: &str) -> bool {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        match path.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && !ext.contains('/') => self
                .extensions()
                .iter()
                .any(|it| it.eq_ignore_ascii_case(ext)),
            _ => false,
        }
    }
}

/// The kinds of top-level item a program declares and cards refer to by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Flow,
    Department,
    Attendant,
    Tag,
    Group,
    Branch,
    Period,
    Template,
    Agent,
    Script,
}

impl ItemKind {
    pub const ALL: [ItemKind; 10] = [
        ItemKind::Flow,
        ItemKind::Department,
        ItemKind::Attendant,
        ItemKind::Tag,
        ItemKind::Group,
        ItemKind::Branch,
        ItemKind::Period,
        ItemKind::Template,
        ItemKind::Agent,
        ItemKind::Script,
    ];

    /// The keyword that declares the item: `department suporte "Suporte"`.
    pub fn keyword(self) -> &'static str {
        match self {
            ItemKind::Flow => "flow",
            ItemKind::Department => "department",
            ItemKind::Attendant => "attendant",
            ItemKind::Tag => "tag",
            ItemKind::Group => "group",
            ItemKind::Branch => "branch",
            ItemKind::Period => "period",
            ItemKind::Template => "template",
            ItemKind::Agent => "agent",
            ItemKind::Script => "script",
        }
    }

    /// The English name for prose: "unknown business-hours period `x`".
    pub fn english(self) -> &'static str {
        match self {
            ItemKind::Flow => "flow",
            ItemKind::Department => "department",
            ItemKind::Attendant => "attendant",
            ItemKind::Tag => "tag",
            ItemKind::Group => "notification group",
            ItemKind::Branch => "branch",
            ItemKind::Period => "business-hours period",
            ItemKind::Template => "WhatsApp template",
            ItemKind::Agent => "AI virtual agent",
            ItemKind::Script => "Low Code script",
        }
    }

    pub fn from_keyword(keyword: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|it| it.keyword() == keyword)
    }
}

/// A value a card parameter defaults to.
///
/// Text defaults are string contents in the language's own syntax: they may interpolate
/// built-in variables (`{company_name}`), and the lowering treats a default exactly like
/// the same text written as the argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Literal {
    Text(&'static str),
    Number(i64),
    Bool(bool),
    /// In seconds.
    Duration(u64),
    /// Both ends included.
    Range(i64, i64),
    /// An enum pattern name, `both`.
    Pattern(&'static str),
}

impl Literal {
    /// The literal as a program would write it: `"Olá"`, `3`, `10s`, `1..5`, `both`.
    pub fn to_source(&self) -> String {
        match *self {
            Literal::Text(text) => {
                let mut out = String::with_capacity(text.len() + 2);
                out.push('"');
                for ch in text.chars() {
                    match ch {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        other => out.push(other),
                    }
                }
                out.push('"');
                out
            }
            Literal::Number(number) => number.to_string(),
            Literal::Bool(value) => value.to_string(),
            Literal::Duration(secs) => duration_source(secs),
            Literal::Range(low, high) => format!("{low}..{high}"),
            Literal::Pattern(name) => name.to_string(),
        }
    }
}

/// The largest unit that writes the duration exactly: `7200` is `2h`, `90` is `90s`.
fn duration_source(secs: u64) -> String {
    if secs != 0 && secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if secs != 0 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_types_and_channels_round_trip_their_names() {
        for input in InputType::ALL {
            assert_eq!(InputType::from_name(input.name()), Some(input));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::from_name(channel.name()), Some(channel));
        }
        for kind in ItemKind::ALL {
            assert_eq!(ItemKind::from_keyword(kind.keyword()), Some(kind));
        }
        assert_eq!(InputType::from_name("cpf"), Some(InputType::Cpf));
        assert_eq!(InputType::from_name("CPF"), None);
    }

    #[test]
    fn enum_patterns_are_unique_within_a_kind() {
        for kind in EnumKind::ALL {
            let names: Vec<_> = kind.patterns().iter().map(|it| it.name).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "duplicate pattern in {kind:?}");
            assert!(!names.is_empty());
        }
    }

    #[test]
    fn shifts_cover_the_day() {
        assert_eq!(shift_of_hour(0), Some("night"));
        assert_eq!(shift_of_hour(5), Some("night"));
        assert_eq!(shift_of_hour(6), Some("morning"));
        assert_eq!(shift_of_hour(11), Some("morning"));
        assert_eq!(shift_of_hour(12), Some("afternoon"));
        assert_eq!(shift_of_hour(17), Some("afternoon"));
        assert_eq!(shift_of_hour(18), Some("night"));
        assert_eq!(shift_of_hour(23), Some("night"));
        assert_eq!(shift_of_hour(24), None);
    }

    #[test]
    fn base_types_strip_validation() {
        assert_eq!(Ty::Input(InputType::Cpf).base(), Ty::Text);
        assert_eq!(Ty::Input(InputType::Number).base(), Ty::Number);
        assert_eq!(Ty::Input(InputType::Date).base(), Ty::Date);
        assert_eq!(Ty::File(FileKind::Audio).base(), Ty::Text);
        assert_eq!(
            Ty::Enum(EnumKind::Channel).base(),
            Ty::Enum(EnumKind::Channel)
        );
    }

    #[test]
    fn types_accept_only_their_literals() {
        assert!(Ty::Number.accepts(&Literal::Number(3)));
        assert!(!Ty::Number.accepts(&Literal::Text("3")));
        assert!(Ty::Range.accepts(&Literal::Range(1, 5)));
        assert!(!Ty::Range.accepts(&Literal::Range(5, 5)));
        let target = Ty::Enum(EnumKind::SurveyTarget);
        assert!(target.accepts(&Literal::Pattern("both")));
        assert!(!target.accepts(&Literal::Pattern("ascending")));
        assert!(!Ty::Ref(ItemKind::Flow).accepts(&Literal::Pattern("main")));
    }

    #[test]
    fn literals_print_as_source() {
        assert_eq!(Literal::Duration(10).to_source(), "10s");
        assert_eq!(Literal::Duration(300).to_source(), "5m");
        assert_eq!(Literal::Duration(7200).to_source(), "2h");
        assert_eq!(Literal::Duration(0).to_source(), "0s");
        assert_eq!(Literal::Range(1, 5).to_source(), "1..5");
        assert_eq!(
            Literal::Text("Diga \"sim\"\\\n{protocol}").to_source(),
            r#""Diga \"sim\"\\\n{protocol}""#
        );
    }

    #[test]
    fn file_kinds_check_extensions() {
        assert!(FileKind::Audio.accepts("boas-vindas.mp3"));
        assert!(FileKind::Audio.accepts("https://cdn.example.com/a/B.MP3?v=2"));
        assert!(!FileKind::Audio.accepts("boas-vindas.wav"));
        assert!(!FileKind::Audio.accepts("mp3"));
        assert!(!FileKind::Audio.accepts(".mp3"));
        assert!(!FileKind::Audio.accepts("https://example.com/x.mp3/"));
        assert!(FileKind::Attachment.accepts("contrato.PDF"));
        assert!(FileKind::Attachment.accepts("planilha.xlsx"));
        assert!(!FileKind::Attachment.accepts("script.exe"));
    }

    #[test]
    fn types_display_their_names() {
        assert_eq!(Ty::Input(InputType::Cpf).to_string(), "cpf");
        assert_eq!(Ty::Ref(ItemKind::Group).to_string(), "group");
        assert_eq!(Ty::List(&Ty::Ref(ItemKind::Tag)).to_string(), "list of tag");
        assert_eq!(Ty::Enum(EnumKind::Diagnosis).to_string(), "diagnosis");
    }
}

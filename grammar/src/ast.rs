//! The syntax tree of a `.flow` file: what was written, with a byte span on every node.
//!
//! The tree knows nothing about names, types or cards: `erp.second_copy(retries: 3)` is a
//! generic [`Call`] whose meaning the checker looks up in the stdlib catalogue. Equality
//! ignores spans (see [`Span`]), so "formatting keeps the meaning" is `parse(fmt(x)) == parse(x)`.

use std::fmt;

/// A byte range in one source file.
///
/// Two spans always compare equal: trees are compared for what they say, not where it
/// was written. Code that needs the position reads `start` and `end`.
#[derive(Clone, Copy, Default, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: clamp_u32(start),
            end: clamp_u32(end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A name as written: a flow, a department, a variable, a card parameter...
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole source file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct File {
    pub items: Vec<Item>,
}

/// Editor metadata such as `@id("c81f")` or `@pos(120, 340)`; the compiler ignores it,
/// the Opa JSON frontend reads and writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub name: Ident,
    pub args: Vec<AttrArg>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AttrArg {
    Str(Str),
    /// A number as written, sign included, so that ids and coordinates survive exactly.
    Number(String),
    Ident(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub attrs: Vec<Attr>,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Erp(Ident),
    Entity(Entity),
    Attendant(Attendant),
    Period(Period),
    Script(Script),
    Flow(Flow),
}

/// The platform entities that are a name and a title and nothing more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Department,
    Tag,
    Group,
    Branch,
    Template,
    Agent,
}

impl EntityKind {
    pub fn keyword(self) -> &'static str {
        match self {
            EntityKind::Department => "department",
            EntityKind::Tag => "tag",
            EntityKind::Group => "group",
            EntityKind::Branch => "branch",
            EntityKind::Template => "template",
            EntityKind::Agent => "agent",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub kind: EntityKind,
    pub name: Ident,
    pub title: Str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attendant {
    pub name: Ident,
    pub title: Str,
    pub department: Ident,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Period {
    pub name: Ident,
    pub title: Str,
    pub rules: Vec<PeriodRule>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PeriodRule {
    /// `mon..fri 08:00-12:00 13:00-18:00`
    Hours {
        days: Vec<DayRange>,
        spans: Vec<TimeSpan>,
        span: Span,
    },
    /// `holiday 2026-12-25`
    Holiday { date: Date, span: Span },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }
}

/// `mon` or `mon..fri`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayRange {
    pub from: Weekday,
    pub to: Option<Weekday>,
    pub span: Span,
}

/// `08:00-18:00`: `from` inclusive, `to` exclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeSpan {
    pub from: Time,
    pub to: Time,
    pub span: Span,
}

/// `script sinal "scripts/sinal.rhai" -> { dbm: number, olt: text }`
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    pub name: Ident,
    pub path: Str,
    pub fields: Vec<RecordField>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordField {
    pub name: Ident,
    pub ty: Ident,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub name: Ident,
    pub title: Option<Str>,
    pub body: Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub attrs: Vec<Attr>,
    /// `name:` before the statement, the target of a `goto name` inside the flow.
    pub label: Option<Ident>,
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Say(Str),
    SayAudio(Str),
    Ask(Ask),
    When(When),
    If(If),
    Goto(Ident),
    Transfer {
        department: Ident,
        attendant: Option<Ident>,
    },
    Tag(Vec<Ident>),
    Wait(Duration),
    Set {
        var: Ident,
        value: Expr,
    },
    End,
    Call(Call),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ask {
    pub prompt: Str,
    pub kind: AskKind,
    pub args: Vec<Arg>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AskKind {
    Choice {
        arms: Arms,
    },
    Confirm {
        arms: Arms,
    },
    /// `input cpf as doc`
    Input {
        ty: Ident,
        var: Ident,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct When {
    pub subject: Subject,
    pub arms: Arms,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    /// `when hours comercial`
    Hours(Ident),
    /// `when tag`
    Tag(Span),
    /// `when branch`
    Branch(Span),
    /// `when channel`, `when shift`, `when diag`: a built-in subject or a variable.
    Path(Path),
}

#[derive(Clone, Debug, PartialEq)]
pub struct If {
    pub cond: Expr,
    pub then: Block,
    pub otherwise: Option<Else>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Else {
    If(Box<If>, Span),
    Block(Block),
}

/// A card written as a call: `notify(group: noc, message: "...")`, `erp.diagnose() as d`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// `erp` in `erp.second_copy`.
    pub namespace: Option<Ident>,
    pub name: Ident,
    pub args: Vec<Arg>,
    pub binding: Option<Ident>,
    pub arms: Option<Arms>,
}

impl Call {
    /// The card's full name as the catalogue knows it: `erp.second_copy`.
    pub fn full_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}.{}", ns.name, self.name.name),
            None => self.name.name.clone(),
        }
    }

    pub fn name_span(&self) -> Span {
        match &self.namespace {
            Some(ns) => ns.span.cover(self.name.span),
            None => self.name.span,
        }
    }
}

/// `retries: 3`
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arms {
    pub arms: Vec<Arm>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub attrs: Vec<Attr>,
    pub pattern: Pattern,
    pub body: Branch,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// A choice option or an intent: `"Financeiro"`.
    Str(Str),
    /// An enum value, a tag, a branch: `overdue`, `whatsapp`.
    Name(Ident),
    Yes(Span),
    No(Span),
    Else(Span),
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Str(s) => s.span,
            Pattern::Name(id) => id.span,
            Pattern::Yes(span) | Pattern::No(span) | Pattern::Else(span) => *span,
        }
    }
}

/// What an arm runs: one statement, or a braced block.
#[derive(Clone, Debug, PartialEq)]
pub enum Branch {
    Stmt(Box<Stmt>),
    Block(Block),
}

impl Branch {
    pub fn stmts(&self) -> &[Stmt] {
        match self {
            Branch::Stmt(stmt) => std::slice::from_ref(stmt),
            Branch::Block(block) => &block.stmts,
        }
    }
}

/// A string literal, already unescaped and split at its `{name}` interpolations.
#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    pub parts: Vec<StrPart>,
    /// Written as `"""..."""` (the formatter keeps the form).
    pub triple: bool,
    pub span: Span,
}

impl Str {
    /// The text when there is no interpolation, for names, paths and file names.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                StrPart::Text(text) => out.push_str(text),
                StrPart::Var(_) => return None,
            }
        }
        Some(out)
    }

    /// The text with interpolations written back as `{name}`, for messages to engineers.
    pub fn display(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                StrPart::Text(text) => out.push_str(text),
                StrPart::Var(path) => {
                    out.push('{');
                    out.push_str(&path.dotted());
                    out.push('}');
                }
            }
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    Var(Path),
}

/// `sinal_rx.dbm`: a variable and its record fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }

    pub fn root(&self) -> Option<&Ident> {
        self.segments.first()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Str(Str),
    /// Non-negative as written; `-27` is `Unary(Neg, 27)`.
    Number(f64),
    Bool(bool),
    Duration(Duration),
    Time(Time),
    Date(Date),
    Range {
        from: u32,
        to: u32,
    },
    List(Vec<Expr>),
    Path(Path),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// Kept so that the formatter writes the parentheses the author wrote.
    Paren(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Binding power: higher binds tighter. Shared by the parser and the formatter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq | BinaryOp::Ne => 3,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl DurationUnit {
    pub fn suffix(self) -> char {
        match self {
            DurationUnit::Seconds => 's',
            DurationUnit::Minutes => 'm',
            DurationUnit::Hours => 'h',
            DurationUnit::Days => 'd',
        }
    }

    pub fn seconds(self) -> u64 {
        match self {
            DurationUnit::Seconds => 1,
            DurationUnit::Minutes => 60,
            DurationUnit::Hours => 3600,
            DurationUnit::Days => 86400,
        }
    }
}

/// `30s`, `5m`, `2h`: the unit is kept as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    pub value: u64,
    pub unit: DurationUnit,
    pub span: Span,
}

impl Duration {
    pub fn as_secs(self) -> u64 {
        self.value.saturating_mul(self.unit.seconds())
    }
}

/// `08:00`; `24:00` is allowed as the end of a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Time {
    pub hour: u8,
    pub minute: u8,
    pub span: Span,
}

impl Time {
    pub fn minutes(self) -> u16 {
        u16::from(self.hour) * 60 + u16::from(self.minute)
    }
}

/// `2026-12-25`, a real calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub span: Span,
}

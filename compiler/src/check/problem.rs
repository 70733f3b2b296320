//! Every problem the checker finds, as data (spans and facts), and the one function that
//! words it as a [`Diagnostic`].
//!
//! Checks never format messages themselves: they push a [`Problem`], so that the wording
//! of each code lives in one place and matches `codes.rs`.

use fluxo_grammar::ast::Span;
use fluxo_grammar::{Diagnostic, FileId, Label};
use fluxo_stdlib::erp::ErpSystem;

/// A place in the sources. Unlike spans, two places are equal only when they are the
/// same bytes of the same file.
#[derive(Clone, Copy, Debug)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

impl PartialEq for Loc {
    fn eq(&self, other: &Loc) -> bool {
        (self.file, self.span.start, self.span.end)
            == (other.file, other.span.start, other.span.end)
    }
}

impl Eq for Loc {}

impl Loc {
    pub fn new(file: FileId, span: Span) -> Loc {
        Loc { file, span }
    }

    fn label(self, message: impl Into<String>) -> Label {
        Label::new(self.file, self.span, message)
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Problem {
    UnknownName {
        at: Loc,
        kind: String,
        name: String,
        suggestion: Option<String>,
    },
    UnknownVariable {
        at: Loc,
        name: String,
        suggestion: Option<String>,
    },
    Duplicate {
        at: Loc,
        first: Option<Loc>,
        kind: String,
        name: String,
    },
    UnknownCard {
        at: Loc,
        name: String,
        suggestion: Option<String>,
    },
    StatementAsCall {
        at: Loc,
        card: String,
        form: &'static str,
    },
    UnknownField {
        at: Loc,
        var: String,
        field: String,
        fields: Vec<String>,
        suggestion: Option<String>,
    },
    UnknownErp {
        at: Loc,
        name: String,
        suggestion: Option<String>,
    },
    SecondErp {
        at: Loc,
        first: Loc,
    },
    MissingEntry {
        at: Loc,
        entry: String,
    },
    UnknownType {
        at: Loc,
        name: String,
        what: &'static str,
        options: Vec<&'static str>,
        suggestion: Option<String>,
    },
    ArgumentType {
        at: Loc,
        card: String,
        param: String,
        expected: String,
        found: String,
    },
    OperatorType {
        at: Loc,
        op: &'static str,
        expected: &'static str,
        found: String,
    },
    ConditionType {
        at: Loc,
        found: String,
    },
    VariableType {
        at: Loc,
        name: String,
        ty: String,
        first: Loc,
        first_ty: String,
    },
    UnknownPattern {
        at: Loc,
        name: String,
        of: String,
        options: Vec<&'static str>,
        suggestion: Option<String>,
    },
    WhenSubject {
        at: Loc,
        name: String,
        found: String,
    },
    NoFields {
        at: Loc,
        var: String,
        ty: String,
    },
    InterpolatedRecord {
        at: Loc,
        var: String,
        fields: Vec<String>,
    },
    UnknownArgument {
        at: Loc,
        card: String,
        name: String,
        params: Vec<&'static str>,
        suggestion: Option<String>,
    },
    MissingArgument {
        at: Loc,
        card: String,
        param: &'static str,
    },
    DuplicateArgument {
        at: Loc,
        first: Loc,
        card: String,
        name: String,
    },
    ErpNotOffered {
        at: Loc,
        card: String,
        erp: ErpSystem,
    },
    ErpMissing {
        at: Loc,
        card: String,
    },
    OptinPosition {
        at: Loc,
        entry: String,
    },
    OptionLength {
        at: Loc,
        option: String,
        n_chars: usize,
        max: usize,
    },
    OptionCount {
        at: Loc,
        card: String,
        n_options: usize,
        max: usize,
    },
    FileType {
        at: Loc,
        card: String,
        file: String,
        accepted: &'static [&'static str],
    },
    ChoiceAiAgent {
        at: Loc,
        agent: Loc,
    },
    SurveyScale {
        at: Loc,
        message: String,
    },
    TransferAttendant {
        at: Loc,
        attendant: String,
        department: String,
        actual: String,
        declared: Loc,
    },
    DuplicateArm {
        at: Loc,
        first: Loc,
        pattern: String,
    },
    Binding {
        at: Loc,
        card: String,
        missing: bool,
    },
    Arms {
        at: Loc,
        card: String,
        message: String,
    },
    ArgumentRange {
        at: Loc,
        card: String,
        param: String,
        message: &'static str,
    },
    ScriptCompile {
        /// Inside the script.
        at: Loc,
        /// The `script` item's path.
        declared: Loc,
        script: String,
        message: String,
    },
    ScriptUnreadable {
        at: Loc,
        path: String,
        looked_for: String,
        reason: String,
    },
    Unassigned {
        at: Loc,
        name: String,
    },
    EndlessLoop {
        at: Loc,
        others: Vec<Loc>,
    },
    SignContractLink {
        at: Loc,
    },
    ChannelOnly {
        at: Loc,
        card: String,
        channels: Vec<&'static str>,
    },
    WhenExhaustive {
        at: Loc,
        missing: Vec<String>,
    },
    Unreachable {
        at: Loc,
    },
    UnreachedFlow {
        at: Loc,
        flow: String,
        entry: String,
    },
    ClosesUnexpectedly {
        at: Loc,
        flow: String,
    },
    UnusedDeclaration {
        at: Loc,
        kind: &'static str,
        name: String,
        how: String,
    },
    UnusedLabel {
        at: Loc,
        name: String,
    },
}

fn did_you_mean(diag: Diagnostic, suggestion: &Option<String>) -> Diagnostic {
    match suggestion {
        Some(name) => diag.with_note(format!("did you mean `{name}`?")),
        None => diag,
    }
}

fn list(names: &[impl AsRef<str>]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|it| format!("`{}`", it.as_ref()))
        .collect();
    quoted.join(", ")
}

impl Problem {
    pub(crate) fn into_diagnostic(self) -> Diagnostic {
        use Problem::*;
        let err = |code, message: String, label: Label| Diagnostic::error(code, message, label);
        let warn = |code, message: String, label: Label| Diagnostic::warning(code, message, label);
        match self {
            UnknownName { at, kind, name, suggestion } => did_you_mean(
                err("E0201", format!("unknown {kind} `{name}`"), at.label(format!("no {kind} is called `{name}`"))),
                &suggestion,
            ),
            UnknownVariable { at, name, suggestion } => did_you_mean(
                err("E0202", format!("unknown variable `{name}`"), at.label("nothing assigns this variable"))
                    .with_note("variables are made by `set`, `as` or `ask ... input ... as`"),
                &suggestion,
            ),
            Duplicate { at, first, kind, name } => {
                let diag = match first {
                    Some(first) => err("E0203", format!("{kind} `{name}` is defined twice"), at.label("defined again here"))
                        .with_secondary(first.label("first defined here"))
                        .with_note("rename one of them"),
                    None => err("E0203", format!("`{name}` is a built-in variable"), at.label("cannot be assigned"))
                        .with_note("pick another name for your variable"),
                };
                diag
            }
            UnknownCard { at, name, suggestion } => did_you_mean(
                err("E0204", format!("unknown card `{name}`"), at.label("no card has this name"))
                    .with_note("`fluxo cards` lists every card"),
                &suggestion,
            ),
            StatementAsCall { at, card, form } => err("E0419", format!("`{card}` is a statement, not a call"), at.label("written as a call"))
                .with_note(format!("write it as `{form}`")),
            UnknownField { at, var, field, fields, suggestion } => did_you_mean(
                err("E0205", format!("`{var}` has no field `{field}`"), at.label("unknown field"))
                    .with_note(format!("its fields are {}", list(&fields))),
                &suggestion,
            ),
            UnknownErp { at, name, suggestion } => {
                let names: Vec<&str> = ErpSystem::ALL.iter().map(|it| it.name()).collect();
                did_you_mean(
                    err("E0206", format!("unknown ERP system `{name}`"), at.label("not an ERP Fluxo integrates with"))
                        .with_note(format!("the systems are {}", list(&names))),
                    &suggestion,
                )
            }
            SecondErp { at, first } => err("E0207", "more than one `erp` line".to_string(), at.label("second `erp` line"))
                .with_secondary(first.label("the ERP is declared here"))
                .with_note("a program integrates with one ERP"),
            MissingEntry { at, entry } => err("E0208", format!("no entry flow `{entry}`"), at.label(format!("the program has no flow `{entry}`")))
                .with_note(format!("declare `flow {entry} {{ ... }}` or name the entry flow with `--entry`")),
            UnknownType { at, name, what, options, suggestion } => did_you_mean(
                err("E0209", format!("unknown {what} `{name}`"), at.label(format!("not {}", super::types::with_article(what))))
                    .with_note(format!("the {what}s are {}", list(&options))),
                &suggestion,
            ),
            ArgumentType { at, card, param, expected, found } => err(
                "E0301",
                format!("`{card}`: `{param}` takes {expected}"),
                at.label(format!("this is {found}")),
            ),
            OperatorType { at, op, expected, found } => err(
                "E0302",
                format!("`{op}` takes {expected}"),
                at.label(format!("this is {found}")),
            ),
            ConditionType { at, found } => err("E0303", "the condition is not a bool".to_string(), at.label(format!("this is {found}")))
                .with_note("compare it: `x == ...`, `x > ...`"),
            VariableType { at, name, ty, first, first_ty } => err(
                "E0304",
                format!("`{name}` would be {ty} here, but it is {first_ty}"),
                at.label(format!("{ty} assigned here")),
            )
            .with_secondary(first.label(format!("`{name}` is {first_ty} from here")))
            .with_note("a variable has one type in the whole program; use another name"),
            UnknownPattern { at, name, of, options, suggestion } => did_you_mean(
                err("E0305", format!("`{name}` is not a {of}"), at.label("unknown value"))
                    .with_note(format!("the values are {}", list(&options))),
                &suggestion,
            ),
            WhenSubject { at, name, found } => err("E0306", format!("`when` cannot branch on `{name}`"), at.label(format!("this is {found}, not an enum")))
                .with_note("`when` takes `channel`, `branch`, `hours <period>`, `shift`, `tag`, `registration`, `origin` or an enum variable; use `if` for other values"),
            NoFields { at, var, ty } => err("E0307", format!("`{var}` has no fields"), at.label(format!("`{var}` is {ty}, not a record"))),
            InterpolatedRecord { at, var, fields } => {
                let note = match fields.first() {
                    Some(field) => format!("interpolate its fields, such as `{{{var}.{field}}}`; its fields are {}", list(&fields)),
                    None => "its script declares no fields; declare the ones to show".to_string(),
                };
                err("E0308", format!("`{var}` is a whole record"), at.label("a record cannot be shown as text")).with_note(note)
            }
            UnknownArgument { at, card, name, params, suggestion } => {
                let takes = if params.is_empty() { "no arguments".to_string() } else { list(&params) };
                did_you_mean(
                    err("E0401", format!("`{card}` has no parameter `{name}`"), at.label("unknown argument"))
                        .with_note(format!("`{card}` takes {takes}")),
                    &suggestion,
                )
            }
            MissingArgument { at, card, param } => err("E0402", format!("`{card}` needs `{param}`"), at.label(format!("`{param}` is missing")))
                .with_note(format!("add `{param}: ...`")),
            DuplicateArgument { at, first, card, name } => err("E0403", format!("`{card}`: `{name}` is given twice"), at.label("given again here"))
                .with_secondary(first.label("first given here")),
            ErpNotOffered { at, card, erp } => {
                let offered: Vec<String> = erp.actions().iter().map(|it| format!("erp.{}", it.name())).collect();
                err("E0404", format!("{} does not offer `{card}`", erp.title()), at.label(format!("not offered by `erp {}`", erp.name())))
                    .with_note(format!("{} offers {}", erp.title(), list(&offered)))
            }
            ErpMissing { at, card } => err("E0405", format!("`{card}` needs an `erp` line"), at.label("no ERP is declared"))
                .with_note("declare the company's ERP at the top level, such as `erp ixc`"),
            OptinPosition { at, entry } => err("E0406", "`optin()` must be the first card of the entry flow".to_string(), at.label("not the first card of the entry flow"))
                .with_note(format!("move it to the start of flow `{entry}`")),
            OptionLength { at, option, n_chars, max } => err("E0407", format!("option `{option}` has {n_chars} characters"), at.label(format!("more than {max} characters")))
                .with_note("interactive menus show at most 24 characters per option; shorten it"),
            OptionCount { at, card, n_options, max } => err("E0408", format!("`{card}` has {n_options} options"), at.label(format!("more than {max} options")))
                .with_note("split the menu in two questions"),
            FileType { at, card, file, accepted } => {
                let upper: Vec<String> = accepted.iter().map(|it| it.to_uppercase()).collect();
                err("E0409", format!("`{card}` cannot send `{file}`"), at.label("file type not accepted"))
                    .with_note(format!("accepted types: {}", upper.join(", ")))
            }
            ChoiceAiAgent { at, agent } => err("E0410", "`ai` and `agent` cannot be used together".to_string(), at.label("`ai` here"))
                .with_secondary(agent.label("`agent` here"))
                .with_note("keep one: `ai: true` classifies the answer, `agent` answers questions"),
            SurveyScale { at, message } => err("E0411", "the survey's labels do not fit its scale".to_string(), at.label(message)),
            TransferAttendant { at, attendant, department, actual, declared } => err(
                "E0412",
                format!("attendant `{attendant}` is not in department `{department}`"),
                at.label(format!("`{attendant}` is in `{actual}`")),
            )
            .with_secondary(declared.label("declared here")),
            DuplicateArm { at, first, pattern } => err("E0413", format!("duplicate arm `{pattern}`"), at.label("this arm can never run"))
                .with_secondary(first.label("the same case is matched here")),
            Binding { at, card, missing } => {
                if missing {
                    err("E0414", format!("`{card}` needs `as <var>`"), at.label("the result must be bound"))
                        .with_note(format!("write `{card}(...) as <name>`"))
                } else {
                    err("E0414", format!("`{card}` binds no variable"), at.label("remove `as ...`"))
                }
            }
            Arms { at, card, message } => err("E0415", format!("`{card}`: {message}"), at.label(message)),
            ArgumentRange { at, card, param, message } => err("E0416", format!("`{card}`: `{param}` {message}"), at.label("out of range")),
            ScriptCompile { at, declared, script, message } => err("E0417", format!("script `{script}` does not compile"), at.label(message))
                .with_secondary(declared.label(format!("the script `{script}` is declared here")))
                .with_note("scripts are Rhai run in the Low Code sandbox; see docs/lowcode.md"),
            ScriptUnreadable { at, path, looked_for, reason } => err("E0418", format!("cannot read script file \"{path}\""), at.label(reason))
                .with_note(format!("looked for {looked_for}; a script's path is relative to the .flow file that declares it")),
            Unassigned { at, name } => err("E0501", format!("`{name}` may be unassigned here"), at.label("read here"))
                .with_note("some path to this point does not assign it; assign it on every path, or move the read"),
            EndlessLoop { at, others } => {
                let mut diag = err("E0502", "this loop can run forever without waiting for the customer".to_string(), at.label("the loop jumps back here"));
                for other in others {
                    diag = diag.with_secondary(other.label("part of the loop"));
                }
                diag.with_note("put a card that reads the customer's answer in the loop, or break it")
            }
            SignContractLink { at } => err("E0503", "`erp.sign_contract` may run before `auto_link()`".to_string(), at.label("some path here has no `auto_link()`"))
                .with_note("run `auto_link()` on every path before it"),
            ChannelOnly { at, card, channels } => err(
                "E0504",
                format!("`{card}` works on {} only", channels.join(", ")),
                at.label("the channel is not known here"),
            )
            .with_note(format!("put it inside `when channel {{ {} => ... }}`", channels.first().copied().unwrap_or("telephony"))),
            WhenExhaustive { at, missing } => warn("W0401", "`when` does not cover every case".to_string(), at.label(format!("missing {}", list(&missing))))
                .with_note("add the missing arms or an `else`"),
            Unreachable { at } => warn("W0501", "unreachable statement".to_string(), at.label("this can never run")),
            UnreachedFlow { at, flow, entry } => warn("W0502", format!("flow `{flow}` is never reached"), at.label(format!("no path from `{entry}` leads here"))),
            ClosesUnexpectedly { at, flow } => warn("W0503", "the conversation would close unexpectedly".to_string(), at.label(format!("`{flow}` can run off its end after this")))
                .with_note("end with `end`, `transfer to ...` or `goto ...`"),
            UnusedDeclaration { at, kind, name, how } => warn("W0201", format!("{kind} `{name}` is never used"), at.label("declared here, used nowhere"))
                .with_note(format!("remove it, or {how}")),
            UnusedLabel { at, name } => warn("W0202", format!("label `{name}` is never used"), at.label("no `goto` jumps here"))
                .with_note(format!("remove the label, or jump to it with `goto {name}`")),
        }
    }
}

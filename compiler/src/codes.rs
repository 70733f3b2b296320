//! The registry of every diagnostic code: its severity, one-line title and explanation.
//!
//! `fluxo explain <code>` prints an entry and `docs/diagnostics.md` is generated from
//! this table (a test keeps the file in step). The syntax codes' titles come from the
//! grammar crate (`fluxo_grammar::SYNTAX_CODES`); their explanations live here.
//! Codes: E01xx syntax, E02xx names, E03xx types, E04xx cards, E05xx flow analysis;
//! W-codes are warnings.

use fluxo_grammar::Severity;

/// One diagnostic code as the docs and `fluxo explain` show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeDoc {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// What the rule is and what to do, in Markdown.
    pub explanation: &'static str,
    /// The file stem of the rule's examples in the test data
    /// (`tests/data/diagnostics/<area>/<rule>.flow` fails, `tests/data/check/ok/<rule>.flow`
    /// passes); `None` for syntax codes, whose examples the parser's tests own.
    pub rule: Option<&'static str>,
}

impl CodeDoc {
    /// The test-data folder of the rule's failing example.
    pub fn area(&self) -> &'static str {
        match self.code.get(..3) {
            Some("E01") => "syntax",
            Some("E02") | Some("W02") => "resolve",
            Some("E03") => "types",
            Some("E04") | Some("W04") => "cards",
            _ => "flow",
        }
    }
}

/// The explanations of the syntax codes, whose titles the grammar crate owns.
const SYNTAX_EXPLANATIONS: &[(&str, &str)] = &[
    ("E0101", "The parser met something it cannot read at this place. The message says what it expected (a statement, an item, an argument...). Check the line for a missing `{`, `(`, `,` or keyword."),
    ("E0102", "A string was opened and never closed. A `\"...\"` string ends on its own line; for text on several lines use `\"\"\"...\"\"\"` or `\\n`."),
    ("E0103", "Inside a string, `\\` starts an escape. The escapes are `\\\"`, `\\\\`, `\\n`, `\\{` and `\\}`."),
    ("E0104", "`{` inside a string starts an interpolation, which must be `{name}` or `{name.field}`. Write `\\{` for a literal brace."),
    ("E0105", "Times are `HH:MM`: hours from 00 to 23 (`24:00` closes a day) and minutes from 00 to 59."),
    ("E0106", "Dates are `YYYY-MM-DD` and must be real calendar days (`2026-02-30` is not)."),
    ("E0107", "Names (flows, departments, variables...) are lowercase: `[a-z_][a-z0-9_]*`. The title in quotes can have any case."),
    ("E0108", "Keywords such as `flow`, `say` or `end` cannot name anything. Pick another name, such as `end_flow`."),
    ("E0109", "A `{` has no matching `}`. Every flow, block and arm list must be closed. The error points at the `{` left open, found as rustc finds it, by the indentation: a `}` that starts a line less indented than the line of the innermost open `{` closes an outer brace, so the inner one was left open; its block ends before the first line indented no deeper than its own, which the second label shows (or the next item, or the end of the file). The parser then reads on as if the `}` were there, so the rest of the flow, and the flows after it, are still checked."),
    ("E0110", "A `}` closes nothing. Remove it or add the `{` it belongs to."),
    ("E0111", "The number does not fit in the range the language supports."),
    ("E0112", "Statements live inside `flow <name> { ... }`; at the top level only items (`erp`, `department`, `flow`, ...) may appear."),
    ("E0113", "Constructs nest more than 256 levels deep: blocks, arm lists, parentheses, lists, `if`s (an `else if` chain counts each `if`), the binary operators of one expression and a run of `not`/`-`. Nothing written by hand gets there; split generated code into flows and `goto` them."),
];

/// The codes of the checker, in order.
static CHECK_CODES: &[CodeDoc] = &[
    doc("E0201", Severity::Error, "unknown name", "unknown_name",
        "A name refers to a declared item (a flow, department, attendant, tag, group, branch, period, template, agent or script) or to a label, but nothing of that kind has the name. Each kind has its own namespace: `goto` takes a flow or a label of the same flow, `transfer to` a department, `tag` a tag. The hint names the closest declared name of the right kind. Declare the item or fix the spelling."),
    doc("E0202", Severity::Error, "unknown variable", "unknown_variable",
        "A variable is read (in an expression or in a `{name}` interpolation) but no `set`, `as` or `ask ... input ... as` in the program assigns it, and it is not a built-in (`protocol user_name client_name contact_phone company_name attendant_name channel now`)."),
    doc("E0203", Severity::Error, "defined twice", "duplicate_definition",
        "Two items of the same kind, or two labels of one flow, have the same name; or a program assigns a built-in variable. The second definition is reported, pointing back at the first. Rename one of them."),
    doc("E0204", Severity::Error, "unknown card", "unknown_card",
        "A call names no card of the catalogue. `fluxo cards` lists every card; ERP actions are written `erp.<action>`."),
    doc("E0205", Severity::Error, "unknown record field", "unknown_field",
        "`var.field` reads a field that the record does not have. A Low Code result's fields are those its `script` item declares: `script sinal \"sinal.rhai\" -> { dbm: number }`."),
    doc("E0206", Severity::Error, "unknown ERP system", "unknown_erp",
        "The `erp` line names a system Fluxo does not integrate with. The systems are `ixc beesweb adapter mkauth mksolutions sgp synsuite controllr hubsoft routerbox sami`."),
    doc("E0207", Severity::Error, "more than one `erp` line", "second_erp",
        "A company integrates with one ERP, so a program has at most one `erp` line (across all its files)."),
    doc("E0208", Severity::Error, "no entry flow", "missing_entry",
        "Conversations start at the entry flow, `main` unless the CLI names another (`--entry`). Declare `flow main { ... }` or pass the name of the flow conversations start at."),
    doc("E0209", Severity::Error, "unknown type", "unknown_type",
        "`ask ... input <type>` takes one of `text number cpf cnpj document email phone date cep`; a script's record fields take `text number bool duration time date`."),
    doc("E0301", Severity::Error, "argument of the wrong type", "argument_type",
        "Each card parameter has a type in the catalogue (`fluxo cards`): text, number, bool, duration, a range `1..5`, a list `[...]`, a file name, an enum value such as `both`, or the name of a declared item such as a flow. The argument given is of another type."),
    doc("E0302", Severity::Error, "operator on the wrong types", "operator_type",
        "`and or not` take bools; `+ - * /` and unary `-` take numbers; `< <= > >=` compare two numbers, durations, times or dates; `== !=` compare two values of one type (an enum variable may be compared with one of its values: `channel == telephony`)."),
    doc("E0303", Severity::Error, "condition is not a bool", "condition_type",
        "The condition of `if` must be a bool: a comparison, a bool variable, or `and`/`or`/`not` of those."),
    doc("E0304", Severity::Error, "a variable with two types", "variable_type",
        "Variables are conversation-wide and have one type in the whole program. The first assignment in source order (a `set`, an `as`, an `ask ... input ... as`) fixes it; a later one of another type is an error. Validated input types count as their value type: a `cpf` is text."),
    doc("E0305", Severity::Error, "unknown pattern", "unknown_pattern",
        "A `when` arm or an enum-typed argument names a value that the enum does not have: `when channel` takes `whatsapp telegram facebook instagram telephony webchat`, `when hours` takes `open closed`, a diagnosis takes `active inactive blocked overdue trust_unlocked reduced awaiting_signature`, and so on."),
    doc("E0306", Severity::Error, "`when` on a value that is not an enum", "when_subject",
        "`when` branches on `channel`, `branch`, `hours <period>`, `shift`, `tag`, `registration`, `origin` or a variable of enum type (such as one bound by `erp.diagnose`). Use `if` for other values."),
    doc("E0307", Severity::Error, "field of a value without fields", "no_fields",
        "Only records (the results of `lowcode` with a declared script) have fields; `x.y` on another value is an error."),
    doc("E0308", Severity::Error, "a whole record interpolated", "interpolated_record",
        "A Low Code result is a record, which has no text form a customer should see: `{sinal_rx}` in a message is an error. Interpolate its fields one by one: `{sinal_rx.dbm}`."),
    doc("E0401", Severity::Error, "unknown argument", "unknown_argument",
        "The card takes no parameter of this name. The message lists the parameters it takes, and the hint names the closest one."),
    doc("E0402", Severity::Error, "missing argument", "missing_argument",
        "The card has a required parameter that the call does not give."),
    doc("E0403", Severity::Error, "argument given twice", "duplicate_argument",
        "Each parameter may be given once per card."),
    doc("E0404", Severity::Error, "ERP action not offered", "erp_not_offered",
        "The declared ERP's integration does not offer this action (see the ERP matrix in `fluxo cards`). The message lists what the ERP offers."),
    doc("E0405", Severity::Error, "ERP card without an `erp` line", "erp_missing",
        "`erp.*` cards need the program to declare the company's ERP: `erp ixc`."),
    doc("E0406", Severity::Error, "`optin()` not the first card", "optin_position",
        "WhatsApp policy: consent is asked before anything else, so `optin()` may only be the first card of the entry flow."),
    doc("E0407", Severity::Error, "option too long", "option_length",
        "Options of interactive menus (`ask ... choice`, `interactive_template`) have at most 24 characters, counted as characters, not bytes."),
    doc("E0408", Severity::Error, "too many options", "option_count",
        "Interactive menus have at most 10 options."),
    doc("E0409", Severity::Error, "file type not accepted", "file_type",
        "`say audio` takes MP3 files only; `send_file` takes PNG, JPEG, PDF, MP3, MP4, OGG, DOCX and XLSX. The extension is compared case-insensitively."),
    doc("E0410", Severity::Error, "`ai` and `agent` together", "choice_ai_agent",
        "On `ask ... choice`, an answer that matches no option is either classified by the AI (`ai: true`) or handed to a virtual agent (`agent: <agent>`), not both."),
    doc("E0411", Severity::Error, "survey labels do not fit the scale", "survey_scale",
        "A survey's `labels` give one label per value of `scale`, and a scale has at most 10 values."),
    doc("E0412", Severity::Error, "attendant of another department", "transfer_attendant",
        "`transfer to <department> attendant <attendant>` needs the attendant to be declared `in` that department."),
    doc("E0413", Severity::Error, "duplicate arm", "duplicate_arm",
        "Two arms of one card match the same thing: the second could never run. Choice options are compared as customers' answers are, ignoring case, accents and extra spaces."),
    doc("E0414", Severity::Error, "`as` not allowed or missing", "binding",
        "Some cards bind a variable with `as <var>` (`erp.diagnose` must), others bind nothing."),
    doc("E0415", Severity::Error, "arms do not fit the card", "arms",
        "Only some cards take arms: `ask ... choice` and `intent` take string arms, `interactive_template` string arms and `else`, `ask ... confirm` exactly `yes` and `no`, `when` the subject's patterns. Other cards take none."),
    doc("E0416", Severity::Error, "argument out of range", "argument_range",
        "`retries` is a whole number of at least 1."),
    doc("E0417", Severity::Error, "Low Code script does not compile", "lowcode_script_syntax",
        "The Rhai script a `script` item names does not compile in the Low Code sandbox, which the runtime loads it with. The diagnostic points into the script at the line and column Rhai reports. Common causes: a name used without `let` or `const` (only `input` is predefined), a missing `;` or `}`, a function the sandbox does not offer. See `docs/lowcode.md` for the script language."),
    doc("E0418", Severity::Error, "script file cannot be read", "lowcode_script_missing",
        "The file a `script` item names does not exist or cannot be read as UTF-8 text. The path is relative to the `.flow` file that declares the script: `script sinal \"scripts/sinal.rhai\"` in `provedor/main.flow` is `provedor/scripts/sinal.rhai`."),
    doc("E0419", Severity::Error, "a statement card written as a call", "statement_as_call",
        "`ask`, `when`, `if`, `goto`, `transfer`, `tag`, `wait`, `set`, `end` and `say` have syntax of their own: `ask_confirm()` or `set()` is not how they are written, and the runtime has no card to call by that name. The help shows the card's form; `fluxo cards` lists every card with its form."),
    doc("E0501", Severity::Error, "variable may be unassigned", "unassigned",
        "A variable is read where some path from the start of the conversation has not assigned it. Variables are conversation-wide: a flow reached by `goto` (or `fail_flow`) knows only what is assigned on every path into it. Assign the variable on every path, or read it only where it is."),
    doc("E0502", Severity::Error, "loop that never waits for the customer", "endless_loop",
        "A cycle of `goto`s (between flows or labels) that passes no card that reads the customer's answer would run forever. Put a question in the loop or break it. `wait` does not count: it does not wait for the customer."),
    doc("E0503", Severity::Error, "`erp.sign_contract` without `auto_link()`", "sign_contract_link",
        "The electronic acceptance is valid only from the registration's own number, so `auto_link()` must run on every path to `erp.sign_contract`, across `goto`s."),
    doc("E0504", Severity::Error, "card outside its channel", "channel_only",
        "`forward_call` and `migrate_whatsapp` work on telephony only, so they must sit where the channel is known to be telephony: inside `when channel { telephony => ... }`, or in a flow reached only from such arms."),
    doc("W0201", Severity::Warning, "declaration never used", "unused_declaration",
        "A department, tag, notification group, business-hours period, WhatsApp template or Low Code script is declared but nothing refers to it: no `transfer to`, `tag`, `when tag`, `notify`, `when hours`, template argument or `lowcode(script: ...)` names it. It is most often a leftover, or a reference misspelt as another declared name. Remove it or use it. Attendants, branches and agents are not reported: they mirror the company's records.\n\n```flow\ndepartment vendas \"Vendas\"   // W0201: no `transfer to vendas`\n```"),
    doc("W0202", Severity::Warning, "label never used", "unused_label",
        "A label (`menu: ask ...`) names a statement that no `goto` of its flow jumps to. Remove the label, or jump to it with `goto <label>`.\n\n```flow\nflow main {\n    inicio: say \"Olá!\"   // W0202: no `goto inicio`\n    end\n}\n```"),
    doc("W0401", Severity::Warning, "`when` does not cover every case", "when_exhaustive",
        "A `when` without `else` that does not name every pattern of its subject continues after the `when` when nothing matches. Add the missing arms or an `else`."),
    doc("W0501", Severity::Warning, "unreachable statement", "unreachable",
        "The statement can never run: it follows a `goto`, `transfer`, `end` (or a card whose every way on leaves the block), and no `goto` reaches a label on it."),
    doc("W0502", Severity::Warning, "flow never reached", "unreached_flow",
        "No `goto` or `fail_flow` reachable from the entry flow leads to this flow."),
    doc("W0503", Severity::Warning, "the conversation would close unexpectedly", "closes_unexpectedly",
        "A path of the entry flow runs off its end without `end`, `transfer` or `goto`: the conversation would just close. End it on purpose with `end`, or send it somewhere."),
];

const fn doc(
    code: &'static str,
    severity: Severity,
    title: &'static str,
    rule: &'static str,
    explanation: &'static str,
) -> CodeDoc {
    CodeDoc {
        code,
        severity,
        title,
        explanation,
        rule: Some(rule),
    }
}

/// Every code: syntax codes first, then the checker's.
pub fn all() -> Vec<CodeDoc> {
    let mut res: Vec<CodeDoc> = fluxo_grammar::SYNTAX_CODES
        .iter()
        .map(|(code, title)| CodeDoc {
            code,
            severity: Severity::Error,
            title,
            explanation: SYNTAX_EXPLANATIONS
                .iter()
                .find(|(c, _)| c == code)
                .map_or("", |(_, text)| text),
            rule: None,
        })
        .collect();
    res.extend_from_slice(CHECK_CODES);
    res
}

/// The entry of `code` (case-insensitive: `e0201` works).
pub fn lookup(code: &str) -> Option<CodeDoc> {
    all()
        .into_iter()
        .find(|it| it.code.eq_ignore_ascii_case(code))
}

/// `docs/diagnostics.md`: every code with its explanation.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
         <!-- Generated from compiler/src/codes.rs by `fluxo explain --all`; a test keeps it in step. -->\n\n\
         Every diagnostic has a stable code: E01xx syntax, E02xx names, E03xx types, \
         E04xx cards, E05xx flow analysis; W-codes are warnings. \
         `fluxo explain <code>` prints one entry.\n\n\
         One mistake gives one error. After a syntax error the parser skips the broken line \
         (or the block it opens) and reads on, and the checker does not report what the \
         skipped text may explain: a variable it assigned, a flow its `goto` reached, the \
         options of its menu, the ending of its flow. Everything else, in that flow and in \
         the others, is still checked. Diagnostics come sorted by file and line, errors \
         before warnings within a line. Hints (\"did you mean\") name the closest keyword, \
         name, argument, enum value or card, counting typos, swapped letters and \
         abbreviations (`fail_msg` for `fail_message`); a card is also found by its \
         Portuguese name in the Opa editor (`erp.segunda_via` for `erp.second_copy`).\n",
    );
    for entry in all() {
        out.push_str(&format!("\n## {}: {}\n\n", entry.code, entry.title));
        let kind = match entry.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        out.push_str(&format!("{kind}. {}\n", entry.explanation));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_explained() {
        let all = all();
        for pair in all.windows(2) {
            assert!(
                pair[0].code < pair[1].code
                    || pair[0].code.starts_with('E') && pair[1].code.starts_with('W'),
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for entry in &all {
            assert!(
                !entry.explanation.is_empty(),
                "{} has no explanation",
                entry.code
            );
            assert!(!entry.title.is_empty(), "{} has no title", entry.code);
        }
        assert_eq!(SYNTAX_EXPLANATIONS.len(), fluxo_grammar::SYNTAX_CODES.len());
    }

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(lookup("e0201").map(|it| it.title), Some("unknown name"));
        assert!(lookup("E9999").is_none());
    }
}

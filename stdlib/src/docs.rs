//! Renders the catalogue as the Markdown reference `docs/cards.md`: every card with its
//! form, Opa names, parameters and behaviour, the `when` subjects, the shared
//! parameters, built-in variables, default texts, enums and the ERP matrix.
//!
//! The rendering is deterministic, so a test can keep the committed file equal to it.
//! Writing the file is the caller's business; this module only builds the string.

use std::fmt::Write;

use crate::builtins::{builtins, DEFAULT_TEXTS};
use crate::catalogue::{
    cards, when_subjects, ArmsSpec, Binds, CardSpec, Channels, Fails, ParamDefault, ParamSpec,
    Place, SubjectPatterns, Syntax, CALL_FAILURE_PARAMS, RETRY_PARAMS,
};
use crate::erp::{ErpAction, ErpSystem};
use crate::types::{EnumKind, InputType};

/// The whole card reference, as committed in `docs/cards.md`.
pub fn cards_markdown() -> String {
    let mut out = String::new();
    out.push_str(HEADER);
    render_index(&mut out);
    out.push_str("\n## Statement cards\n");
    for card in cards().iter().filter(|it| it.syntax == Syntax::Statement) {
        render_card(&mut out, card);
    }
    out.push_str("\n## Call cards\n");
    for card in cards()
        .iter()
        .filter(|it| it.syntax == Syntax::Call && it.erp_action.is_none())
    {
        render_card(&mut out, card);
    }
    out.push_str("\n## ERP cards\n\n");
    out.push_str("Each `erp.*` card is available only when the program's `erp` line names a system that offers it:\n");
    render_erp_matrix(&mut out);
    for card in cards().iter().filter(|it| it.erp_action.is_some()) {
        render_card(&mut out, card);
    }
    render_shared_params(&mut out);
    render_builtins(&mut out);
    render_default_texts(&mut out);
    render_enums(&mut out);
    out
}

const HEADER: &str = "# Card catalogue

<!-- Generated from the stdlib catalogue by `fluxo_stdlib::docs::cards_markdown()`; do not edit.
     Regenerate with `FLUXO_BLESS=1 cargo test -p fluxo-stdlib`. -->

Every card of the flow language: how it is written, the Opa editor card it stands for,
its parameters with their types and defaults, and what it does when it runs.
Statement cards have their own syntax; call cards are written
`name(<named args>) [as <var>] [{ <arms> }]`.
Text parameters interpolate variables (`{client_name}`), and so do text defaults.
Cards that can fail on the customer's answer also take the [retry parameters](#retry-parameters).

";

fn render_index(out: &mut String) {
    out.push_str("| card | Opa card | summary |\n|---|---|---|\n");
    for card in cards() {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            card.name,
            anchor(card.name),
            cell(card.opa_title),
            cell(card.summary)
        );
    }
}

fn render_card(out: &mut String, card: &CardSpec) {
    let _ = write!(
        out,
        "\n### `{}`\n\n```flow\n{}\n```\n\n",
        card.name, card.form
    );
    let _ = writeln!(out, "{}\n", card.summary);
    out.push_str("| | |\n|---|---|\n");
    let _ = writeln!(
        out,
        "| Opa card | {} (`{}`) |",
        cell(card.opa_title),
        card.opa_type
    );
    let _ = writeln!(
        out,
        "| family | {} ({}) |",
        card.family.english(),
        card.family.opa_label()
    );
    let _ = writeln!(out, "| channels | {} |", channels(card.channels));
    let _ = writeln!(out, "| binds | {} |", binds(card.binds));
    let _ = writeln!(out, "| arms | {} |", arms(card.arms));
    let _ = writeln!(
        out,
        "| on a wrong answer or failure | {} |",
        fails(card.fails)
    );
    let _ = writeln!(
        out,
        "| always reads a customer message | {} |",
        yes_no(card.waits_for_customer)
    );
    let _ = writeln!(
        out,
        "| goes on to the next statement | {} |",
        yes_no(card.continues)
    );
    if let Some(action) = card.erp_action {
        let _ = writeln!(out, "| offered by | {} |", offered_by(action));
    }
    let _ = writeln!(out, "\n{}", card.doc);
    if !card.own_params.is_empty() {
        out.push('\n');
        render_params(out, card.own_params);
    }
    if card.arms == ArmsSpec::Subject {
        render_subjects(out);
    }
}

fn render_params(out: &mut String, params: &[ParamSpec]) {
    out.push_str("| parameter | type | default | Opa field | |\n|---|---|---|---|---|\n");
    for param in params {
        let name = match param.place {
            Place::Arg => format!("`{}:`", param.name),
            Place::Syntax => format!("`<{}>` (syntax)", param.name),
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            name,
            cell(&param.ty.to_string()),
            default(param.default),
            cell(param.opa_field),
            cell(param.doc)
        );
    }
}

fn render_subjects(out: &mut String) {
    out.push_str("\n| subject | patterns | Opa conditional | |\n|---|---|---|---|\n");
    for subject in when_subjects() {
        let patterns = match subject.patterns {
            SubjectPatterns::Enum(kind) => pattern_names(kind),
            SubjectPatterns::Items(kind) => format!("declared {} names", kind.english()),
            SubjectPatterns::VariableEnum => "the variable's enum patterns".to_string(),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} (`{}`) | {} |",
            cell(subject.form),
            patterns,
            cell(subject.opa_title),
            subject.opa_kind,
            cell(subject.doc)
        );
    }
}

fn render_erp_matrix(out: &mut String) {
    out.push_str("\n| ERP |");
    for action in ErpAction::ALL {
        let _ = write!(out, " {} |", action.name());
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(ErpAction::ALL.len()));
    out.push('\n');
    for system in ErpSystem::ALL {
        let _ = write!(out, "| {} (`{}`) |", system.title(), system.name());
        for action in ErpAction::ALL {
            out.push_str(if system.offers(action) {
                " ✓ |"
            } else {
                " |"
            });
        }
        out.push('\n');
    }
}

fn render_shared_params(out: &mut String) {
    out.push_str("\n## Shared parameters\n\n### Retry parameters\n\n");
    out.push_str("Taken by every card that reads the customer's answer and can find it wrong.\n\n");
    render_params(out, &RETRY_PARAMS);
    out.push_str("\n### Call-failure parameters\n\n");
    out.push_str(
        "Taken by cards whose host call can fail without the customer at fault (`lowcode`).\n\n",
    );
    render_params(out, &CALL_FAILURE_PARAMS);
}

fn render_builtins(out: &mut String) {
    out.push_str(
        "\n## Built-in variables\n\n| variable | type | Opa variable | |\n|---|---|---|---|\n",
    );
    for var in builtins() {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            var.name,
            var.ty,
            var.opa_label.map_or_else(|| "—".to_string(), cell),
            cell(var.doc)
        );
    }
}

fn render_default_texts(out: &mut String) {
    out.push_str("\n## Default texts\n\n");
    out.push_str("The Opa editor pre-fills some fields with legally reviewed wording that the seeds do not quote; these are Fluxo's own texts for the same places (constants of `fluxo_stdlib::builtins`).\n\n");
    out.push_str("| constant | where | text |\n|---|---|---|\n");
    for text in &DEFAULT_TEXTS {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            text.name,
            cell(text.used_by),
            cell(text.text)
        );
    }
}

fn render_enums(out: &mut String) {
    out.push_str("\n## Enums and input types\n\n| type | patterns (Opa label) |\n|---|---|\n");
    for kind in EnumKind::ALL {
        let patterns: Vec<String> = kind
            .patterns()
            .iter()
            .map(|it| format!("`{}` ({})", it.name, it.opa_label))
            .collect();
        let _ = writeln!(out, "| {} | {} |", kind.name(), cell(&patterns.join(", ")));
    }
    out.push_str("\nAn answer to `ask ... input <type>` is validated and normalized by `fluxo_stdlib::validate`; in expressions it has this type:\n\n| input type | value type |\n|---|---|\n");
    for input in InputType::ALL {
        let _ = writeln!(out, "| `{}` | `{}` |", input.name(), input.value_ty());
    }
}

fn channels(channels: Channels) -> String {
    match channels {
        Channels::Any => "any".to_string(),
        Channels::Only(list) => {
            let names: Vec<&str> = list.iter().map(|it| it.name()).collect();
            format!("only {}", names.join(", "))
        }
    }
}

fn binds(binds: Binds) -> String {
    match binds {
        Binds::None => "—".to_string(),
        Binds::Optional(ty) => format!("optional `as <var>`: `{ty}`"),
        Binds::Required(ty) => format!("required `as <var>`: `{ty}`"),
        Binds::ByInputType => "required `as <var>`: the input type".to_string(),
    }
}

fn arms(arms: ArmsSpec) -> String {
    match arms {
        ArmsSpec::None => "—".to_string(),
        ArmsSpec::YesNo => "`yes` and `no`".to_string(),
        ArmsSpec::Subject => "the subject's patterns (below), `else` allowed".to_string(),
        ArmsSpec::Strings(limits) => {
            let mut text = "string keys".to_string();
            if let Some(count) = limits.max_count {
                let _ = write!(text, ", at most {count}");
            }
            if let Some(len) = limits.max_len {
                let _ = write!(text, ", each at most {len} characters");
            }
            text.push_str(if limits.else_allowed {
                ", `else` allowed"
            } else {
                ", no `else`"
            });
            text
        }
    }
}

fn fails(fails: Fails) -> &'static str {
    match fails {
        Fails::Never => "—",
        Fails::OnInput => "asks again; [retry parameters](#retry-parameters)",
        Fails::OnCall => "[call-failure parameters](#call-failure-parameters)",
    }
}

fn offered_by(action: ErpAction) -> String {
    let names: Vec<String> = ErpSystem::ALL
        .into_iter()
        .filter(|it| it.offers(action))
        .map(|it| format!("`{}`", it.name()))
        .collect();
    names.join(", ")
}

fn default(default: ParamDefault) -> String {
    match default {
        ParamDefault::Required => "required".to_string(),
        ParamDefault::Optional => "none".to_string(),
        ParamDefault::Value(literal) => format!("`{}`", cell(&literal.to_source())),
    }
}

fn pattern_names(kind: EnumKind) -> String {
    let names: Vec<String> = kind
        .patterns()
        .iter()
        .map(|it| format!("`{}`", it.name))
        .collect();
    names.join(" ")
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// The GitHub anchor of a `### \`name\`` heading: `erp.second_copy` becomes
/// `erpsecond_copy`.
fn anchor(name: &str) -> String {
    name.chars()
        .filter(|it| it.is_alphanumeric() || *it == '_' || *it == '-')
        .collect()
}

/// Text safe inside a table cell: pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/cards.md");

    /// `docs/cards.md` is generated: this fails when it is stale, and rewrites it when
    /// `FLUXO_BLESS=1` is set.
    #[test]
    fn committed_reference_is_up_to_date() {
        let expected = cards_markdown();
        if std::env::var_os("FLUXO_BLESS").is_some_and(|it| it == "1") {
            if let Err(err) = std::fs::write(DOC_PATH, &expected) {
                panic!("cannot write {DOC_PATH}: {err}");
            }
            return;
        }
        let actual = std::fs::read_to_string(DOC_PATH).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/cards.md is out of date with the stdlib catalogue; regenerate it with `./bless` (or `FLUXO_BLESS=1 cargo test -p fluxo-stdlib`)"
        );
    }

    #[test]
    fn every_card_and_subject_is_rendered() {
        let markdown = cards_markdown();
        for card in cards() {
            assert!(
                markdown.contains(&format!("\n### `{}`\n", card.name)),
                "{}",
                card.name
            );
            assert!(markdown.contains(card.opa_type));
        }
        for subject in when_subjects() {
            assert!(markdown.contains(subject.opa_kind));
        }
        assert!(markdown.contains("| IXC Provedor (`ixc`) | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |"));
        assert!(markdown.contains("| MK-Auth (`mkauth`) | ✓ | | | | | | | | |"));
    }

    #[test]
    fn cells_escape_pipes_and_anchors_drop_dots() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(anchor("erp.second_copy"), "erpsecond_copy");
        assert_eq!(anchor("say_audio"), "say_audio");
    }
}

//! Consistency of the catalogue: the invariants the checker, the JSON frontend and the
//! runtime rely on when they read it.

use std::collections::HashSet;

use super::*;
use crate::builtins::{builtin, interpolated_names};
use crate::types::{EnumKind, InputType, ItemKind};

/// The cards of LANGUAGE.md §4 and CARDS.md.
const EXPECTED: [&str; 36] = [
    "say",
    "say_audio",
    "ask_choice",
    "ask_confirm",
    "ask_input",
    "when",
    "if",
    "goto",
    "transfer",
    "tag",
    "wait",
    "set",
    "end",
    "optin",
    "send_file",
    "survey",
    "describe",
    "notify",
    "migrate_whatsapp",
    "forward_call",
    "validate_document",
    "auto_link",
    "account_add",
    "account_switch",
    "intent",
    "lowcode",
    "interactive_template",
    "erp.second_copy",
    "erp.invoice",
    "erp.trust_unlock",
    "erp.release_speed",
    "erp.diagnose",
    "erp.sign_contract",
    "erp.open_ticket",
    "erp.authenticate",
    "erp.wifi_password",
];

const SHARED_NAMES: [&str; 4] = ["retries", "invalid_message", "fail_message", "fail_flow"];

#[test]
fn every_card_of_the_language_is_there_once() {
    let names: Vec<&str> = cards().iter().map(|it| it.name).collect();
    assert_eq!(names, EXPECTED);
    for name in EXPECTED {
        assert_eq!(card(name).map(|it| it.name), Some(name));
    }
    assert!(card("erp.unknown").is_none());
    assert!(card("ask").is_none());
}

/// The registry's ids and the catalogue's entries are one-to-one, in the same order
/// (bytecode stores a card as its index), and every id finds its card again by name and
/// Opa type. What a compile error cannot show: that each table row pairs an id with its
/// own card, which the variant's spelling checks.
#[test]
fn every_card_id_round_trips_and_every_card_has_its_id() {
    assert_eq!(CardId::ALL.len(), cards().len());
    for (idx, id) in CardId::ALL.into_iter().enumerate() {
        let spec = id.spec();
        assert!(std::ptr::eq(spec, &cards()[idx]), "{id:?}");
        assert_eq!(id.index() as usize, idx);
        assert_eq!(CardId::from_index(id.index()), Some(id));
        assert_eq!(CardId::from_name(spec.name), Some(id));
        assert_eq!(CardId::from_opa_type(spec.opa_type), Some(id));
        assert!(std::ptr::eq(card(spec.name).unwrap_or(&cards()[0]), spec));
        assert_eq!(snake_case(&format!("{id:?}")), spec.name.replace('.', "_"));
    }
    for spec in cards() {
        let id = CardId::from_name(spec.name);
        assert!(
            id.is_some_and(|it| std::ptr::eq(it.spec(), spec)),
            "{}",
            spec.name
        );
    }
    for id in CardId::ALL {
        let (syntax, back) = match id.kind() {
            CardKind::Statement(card) => (Syntax::Statement, card.id()),
            CardKind::Call(card) => (Syntax::Call, card.id()),
        };
        assert_eq!(
            id.spec().syntax,
            syntax,
            "{id:?} is in the wrong group of the table"
        );
        assert_eq!(back, id);
    }
    let past_the_end = u32::try_from(cards().len()).unwrap_or(u32::MAX);
    assert_eq!(CardId::from_index(past_the_end), None);
    assert_eq!(CardId::from_index(u32::MAX), None);
    assert_eq!(CardId::from_name("erp.unknown"), None);
}

/// `ErpSecondCopy` as `erp_second_copy`.
fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for ch in camel.chars() {
        if ch.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

#[test]
fn opa_types_are_unique_snake_case_and_found() {
    let mut seen = HashSet::new();
    for card in cards() {
        assert!(
            seen.insert(card.opa_type),
            "duplicate opa type {}",
            card.opa_type
        );
        assert!(
            !card.opa_type.is_empty()
                && card
                    .opa_type
                    .bytes()
                    .all(|it| it.is_ascii_lowercase() || it == b'_'),
            "{} is not snake case",
            card.opa_type
        );
        assert_eq!(
            card_by_opa_type(card.opa_type).map(|it| it.name),
            Some(card.name)
        );
    }
    assert!(card_by_opa_type("Enviar mensagem").is_none());
}

#[test]
fn every_erp_action_has_its_card() {
    for action in ErpAction::ALL {
        let spec = erp_card(action).unwrap_or_else(|| panic!("no card for {action:?}"));
        assert_eq!(spec.name, format!("erp.{}", action.name()));
        assert_eq!(spec.syntax, Syntax::Call);
        assert_eq!(spec.fails, Fails::OnInput, "{}", spec.name);
        assert_eq!(
            cards()
                .iter()
                .filter(|it| it.erp_action == Some(action))
                .count(),
            1
        );
    }
    for card in cards() {
        assert_eq!(
            card.name.starts_with("erp."),
            card.erp_action.is_some(),
            "{}",
            card.name
        );
    }
    assert_eq!(
        card("erp.diagnose").map(|it| it.binds),
        Some(Binds::Required(Ty::Enum(EnumKind::Diagnosis)))
    );
}

#[test]
fn defaults_are_values_of_their_types() {
    for card in cards() {
        for param in card.params() {
            if let ParamDefault::Value(literal) = param.default {
                assert!(
                    param.ty.accepts(&literal),
                    "{}.{}: {literal:?} is no {}",
                    card.name,
                    param.name,
                    param.ty
                );
                assert!(!literal.to_source().is_empty());
            }
        }
    }
}

#[test]
fn text_defaults_interpolate_only_builtins() {
    for card in cards() {
        for param in card.params() {
            if let ParamDefault::Value(Literal::Text(text)) = param.default {
                assert!(!text.trim().is_empty(), "{}.{}", card.name, param.name);
                for name in interpolated_names(text) {
                    assert!(
                        builtin(name).is_some(),
                        "{}.{}: `{{{name}}}`",
                        card.name,
                        param.name
                    );
                }
            }
        }
    }
}

#[test]
fn failure_params_come_only_from_the_shared_groups() {
    for card in cards() {
        for param in card.own_params {
            assert!(
                !SHARED_NAMES.contains(&param.name),
                "{} redefines {}",
                card.name,
                param.name
            );
        }
        let names: Vec<&str> = card.params().map(|it| it.name).collect();
        let has_retry = SHARED_NAMES.iter().all(|it| names.contains(it));
        assert_eq!(has_retry, card.fails == Fails::OnInput, "{}", card.name);
        let has_failure = ["fail_message", "fail_flow"]
            .iter()
            .all(|it| names.contains(it));
        assert_eq!(has_failure, card.fails != Fails::Never, "{}", card.name);
    }
    assert_eq!(card("lowcode").map(|it| it.fails), Some(Fails::OnCall));
    let retries = RETRY_PARAMS.iter().find(|it| it.name == "retries");
    assert_eq!(
        retries.map(|it| it.default),
        Some(ParamDefault::Value(Literal::Number(3)))
    );
    assert_eq!(
        retries.map(|it| it.opa_field),
        Some("Quantidade de tentativas")
    );
}

#[test]
fn parameter_names_are_unique_within_a_card() {
    for card in cards() {
        let mut seen = HashSet::new();
        for param in card.params() {
            assert!(
                seen.insert(param.name),
                "{} repeats {}",
                card.name,
                param.name
            );
            assert!(
                !param.opa_field.is_empty() && !param.doc.is_empty(),
                "{}.{}",
                card.name,
                param.name
            );
        }
        assert_eq!(card.param("no_such_param"), None);
    }
}

#[test]
fn forms_match_the_syntax() {
    for card in cards() {
        match card.syntax {
            Syntax::Call => {
                assert!(
                    card.form.starts_with(&format!("{}(", card.name)),
                    "{}",
                    card.form
                );
                assert!(
                    card.params().all(|it| it.place == Place::Arg),
                    "{}",
                    card.name
                );
            }
            Syntax::Statement => {
                let keyword = card.name.split('_').next().unwrap_or(card.name);
                assert!(card.form.starts_with(keyword), "{}", card.form);
            }
        }
        let mentions_as = card.form.contains("as <var>");
        assert_eq!(mentions_as, card.binds != Binds::None, "{}", card.name);
        assert!(
            !card.summary.contains('\n') && card.summary.ends_with('.'),
            "{}",
            card.name
        );
        assert!(!card.doc.is_empty() && !card.opa_title.is_empty());
    }
}

#[test]
fn shapes_fit_where_they_are_used() {
    for card in cards() {
        assert_eq!(card.arms == ArmsSpec::Subject, card.name == "when");
        if card.binds == Binds::ByInputType {
            assert_eq!(
                card.param("type").map(|it| it.ty),
                Some(Ty::Enum(EnumKind::InputType))
            );
        }
        if let Channels::Only(list) = card.channels {
            assert!(!list.is_empty());
        }
        if !card.continues {
            assert_eq!(card.arms, ArmsSpec::None, "{}", card.name);
        }
    }
    let telephony_only: Vec<&str> = cards()
        .iter()
        .filter(|it| !it.channels.allows(Channel::Whatsapp))
        .map(|it| it.name)
        .collect();
    assert_eq!(telephony_only, ["migrate_whatsapp", "forward_call"]);
    let ends: Vec<&str> = cards()
        .iter()
        .filter(|it| !it.continues)
        .map(|it| it.name)
        .collect();
    assert_eq!(ends, ["goto", "transfer", "end", "forward_call"]);
}

#[test]
fn choice_limits_are_the_interactive_menu_limits() {
    let choice = card("ask_choice").map(|it| it.arms);
    assert_eq!(
        choice,
        Some(ArmsSpec::Strings(StringArms {
            max_len: Some(24),
            max_count: Some(10),
            else_allowed: false
        }))
    );
    assert_eq!(card("ask_confirm").map(|it| it.arms), Some(ArmsSpec::YesNo));
    let validate = card("validate_document").map(|it| it.binds);
    assert_eq!(
        validate,
        Some(Binds::Optional(Ty::Input(InputType::Document)))
    );
}

#[test]
fn args_leave_out_statement_syntax() {
    let ask = card("ask_choice").map(|it| it.args().map(|p| p.name).collect::<Vec<_>>());
    assert_eq!(
        ask,
        Some(vec![
            "ai",
            "agent",
            "retries",
            "invalid_message",
            "fail_message",
            "fail_flow"
        ])
    );
    let transfer = card("transfer").map(|it| it.args().count());
    assert_eq!(transfer, Some(0));
    assert_eq!(
        card("goto").and_then(|it| it.param("flow")).map(|it| it.ty),
        Some(Ty::Ref(ItemKind::Flow))
    );
}

#[test]
fn when_subjects_are_unique_and_found() {
    let mut seen = HashSet::new();
    for subject in when_subjects() {
        assert!(
            seen.insert(subject.opa_kind),
            "duplicate {}",
            subject.opa_kind
        );
        if let Some(keyword) = subject.keyword {
            assert_eq!(when_subject(keyword), Some(subject));
            assert!(subject.form.starts_with(&format!("when {keyword}")));
        }
    }
    assert_eq!(
        when_subject("hours").and_then(|it| it.operand),
        Some(ItemKind::Period)
    );
    assert!(when_subject("diagnosis").is_none());
    assert_eq!(
        when_subject_for_variable(EnumKind::Diagnosis).opa_kind,
        "diagnostico"
    );
    assert_eq!(
        when_subject_for_variable(EnumKind::Channel).opa_kind,
        "variavel"
    );
}

//! The pest grammar held to the keyword table (`crate::keywords`): `flow.pest` must spell
//! the keywords out in its own notation, and the rule lists of `describe` name them
//! again as rules, so these tests are what keeps all of them the table's words.

use std::collections::BTreeSet;

use crate::keywords::{Keyword, KEYWORDS, RESERVED};

use super::describe::{is_keyword, starts_item, starts_statement};
use super::Rule;

const GRAMMAR: &str = include_str!("../flow.pest");

/// The quoted words of the grammar's `reserved = @{ ... }` rule.
fn reserved_rule_words() -> Vec<&'static str> {
    let start = GRAMMAR
        .find("\nreserved = @{")
        .expect("flow.pest has a `reserved` rule");
    let body = &GRAMMAR[start..];
    let body = &body[..body.find('}').expect("`reserved` is closed")];
    body.split('"').skip(1).step_by(2).collect()
}

/// Every `kw_name = @{ "word" ... }` rule of the grammar, as (name, word).
fn keyword_rules() -> Vec<(&'static str, &'static str)> {
    GRAMMAR
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.strip_prefix("kw_")?.split_once('=')?;
            let word = rest
                .split('"')
                .nth(1)
                .expect("a keyword rule quotes its word");
            Some((name.trim(), word))
        })
        .collect()
}

fn keyword_of(rule: Rule) -> Option<&'static Keyword> {
    let name = format!("{rule:?}");
    let word = name.strip_prefix("kw_")?;
    KEYWORDS.iter().find(|k| k.word == word)
}

#[test]
fn the_reserved_rule_lists_the_reserved_words_of_the_table() {
    let words = reserved_rule_words();
    let set: BTreeSet<&str> = words.iter().copied().collect();
    assert_eq!(set.len(), words.len(), "a word is listed twice");
    assert_eq!(set, RESERVED.into_iter().collect::<BTreeSet<_>>());
}

#[test]
fn there_is_one_keyword_rule_per_keyword_of_the_table() {
    let rules = keyword_rules();
    for (name, word) in &rules {
        assert_eq!(name, word, "`kw_{name}` matches `{word}`");
    }
    let words: BTreeSet<&str> = rules.iter().map(|(_, word)| *word).collect();
    assert_eq!(words.len(), rules.len(), "a keyword has two rules");
    assert_eq!(
        words,
        KEYWORDS.iter().map(|k| k.word).collect::<BTreeSet<_>>()
    );
}

/// `describe`'s rule lists, which the builder and the error messages use, against the
/// table's roles.
#[test]
fn the_rule_lists_agree_with_the_table() {
    for &rule in Rule::all_rules() {
        let keyword = keyword_of(rule);
        let is_kw_rule = format!("{rule:?}").starts_with("kw_");
        assert_eq!(is_kw_rule, keyword.is_some(), "{rule:?} has no keyword");
        assert_eq!(is_keyword(rule), is_kw_rule, "{rule:?}");
        let Some(keyword) = keyword else { continue };
        assert_eq!(starts_statement(rule), keyword.starts_statement, "{rule:?}");
        // A word that starts both (`tag`) counts as a statement: pest expects `kw_tag`
        // in every flow body, which would otherwise read as the top level.
        let item_only = keyword.starts_item && !keyword.starts_statement;
        assert_eq!(starts_item(rule), item_only, "{rule:?}");
    }
}

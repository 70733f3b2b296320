//! The language's keywords, listed once.
//!
//! Both grammars must spell them out in their own notation: `flow.pest` as its
//! `reserved` and `kw_*` rules, the fast parser as its logos token attributes
//! (`descent/token.rs`). Neither can read a Rust constant, so each is held to this table
//! by tests instead (`pest_path/tests.rs`, `descent/token.rs`). Every list
//! written in Rust — the scan's item boundaries, the error messages' reserved-word check
//! and "did you mean", the property tests' name generator — reads this table, so a new
//! keyword is added here and in the two grammars, and the tests say if one is missing.

/// A keyword and the roles the rest of the crate asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyword {
    pub word: &'static str,
    /// Whether the word can never be a name. Only `hours` is not: it is a keyword only
    /// before a name (`when hours comercial`), and a name everywhere else.
    pub reserved: bool,
    /// Whether the word begins a top-level item (the scan cuts the source there).
    pub starts_item: bool,
    /// Whether the word begins a statement.
    pub starts_statement: bool,
}

impl Keyword {
    const fn new(word: &'static str, starts_item: bool, starts_statement: bool) -> Keyword {
        Keyword {
            word,
            reserved: true,
            starts_item,
            starts_statement,
        }
    }
}

/// Every keyword. The order is the order "did you mean" tries them in: when a misspelt
/// word is as close to two keywords, the earlier one is suggested (`sag` gets `say`, not
/// `tag`). The grammars' order does not matter here; the tests compare sets.
pub const KEYWORDS: [Keyword; 37] = [
    Keyword::new("erp", true, false),
    Keyword::new("department", true, false),
    Keyword::new("attendant", true, false),
    Keyword::new("say", false, true),
    Keyword::new("ask", false, true),
    Keyword::new("when", false, true),
    Keyword::new("if", false, true),
    Keyword::new("goto", false, true),
    Keyword::new("transfer", false, true),
    // `tag suporte "Suporte"` declares a tag; `tag vip` in a flow sets one.
    Keyword::new("tag", true, true),
    Keyword::new("group", true, false),
    Keyword::new("branch", true, false),
    Keyword::new("period", true, false),
    Keyword::new("template", true, false),
    Keyword::new("agent", true, false),
    Keyword::new("script", true, false),
    Keyword::new("flow", true, false),
    Keyword::new("wait", false, true),
    Keyword::new("set", false, true),
    Keyword::new("end", false, true),
    Keyword::new("holiday", false, false),
    Keyword::new("audio", false, false),
    Keyword::new("choice", false, false),
    Keyword::new("confirm", false, false),
    Keyword::new("input", false, false),
    Keyword::new("as", false, false),
    Keyword::new("else", false, false),
    Keyword::new("to", false, false),
    Keyword::new("yes", false, false),
    Keyword::new("no", false, false),
    Keyword::new("true", false, false),
    Keyword::new("false", false, false),
    Keyword::new("and", false, false),
    Keyword::new("or", false, false),
    Keyword::new("not", false, false),
    Keyword::new("in", false, false),
    Keyword {
        word: "hours",
        reserved: false,
        starts_item: false,
        starts_statement: false,
    },
];

/// The words no name may be.
pub const RESERVED: [&str; count(Role::Reserved)] = words(Role::Reserved);

/// The words that begin a top-level item, in suggestion order.
pub(crate) const ITEM_STARTS: [&str; count(Role::StartsItem)] = words(Role::StartsItem);

/// The words that begin a statement, in suggestion order.
pub(crate) const STATEMENT_STARTS: [&str; count(Role::StartsStatement)] =
    words(Role::StartsStatement);

/// Whether no name may be `word`.
pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

// The lists above are cut from the table at compile time, so that their users keep plain
// arrays (no search of the whole table on the scan's path).

#[derive(Clone, Copy)]
enum Role {
    Reserved,
    StartsItem,
    StartsStatement,
}

const fn has(keyword: &Keyword, role: Role) -> bool {
    match role {
        Role::Reserved => keyword.reserved,
        Role::StartsItem => keyword.starts_item,
        Role::StartsStatement => keyword.starts_statement,
    }
}

const fn count(role: Role) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < KEYWORDS.len() {
        if has(&KEYWORDS[i], role) {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn words<const N: usize>(role: Role) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut i = 0;
    while i < KEYWORDS.len() {
        if has(&KEYWORDS[i], role) {
            out[n] = KEYWORDS[i].word;
            n += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_listed_once_and_written_like_a_name() {
        for (i, keyword) in KEYWORDS.iter().enumerate() {
            assert!(
                keyword.word.bytes().all(|b| b.is_ascii_lowercase()),
                "{}",
                keyword.word
            );
            assert!(
                KEYWORDS[..i].iter().all(|k| k.word != keyword.word),
                "`{}` is listed twice",
                keyword.word
            );
            let starts_something = keyword.starts_item || keyword.starts_statement;
            assert!(keyword.reserved || !starts_something, "{}", keyword.word);
        }
    }

    #[test]
    fn the_cut_lists_keep_the_table_order() {
        assert_eq!(RESERVED.len(), 36);
        assert_eq!(
            ITEM_STARTS,
            [
                "erp",
                "department",
                "attendant",
                "tag",
                "group",
                "branch",
                "period",
                "template",
                "agent",
                "script",
                "flow"
            ]
        );
        assert_eq!(
            STATEMENT_STARTS,
            ["say", "ask", "when", "if", "goto", "transfer", "tag", "wait", "set", "end"]
        );
        assert!(is_reserved("not") && !is_reserved("hours") && !is_reserved("sayonara"));
    }
}

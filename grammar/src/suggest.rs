//! "Did you mean" hints: the closest of some candidates to a mistyped word, shared by
//! the parser's keyword hints and the checker's name, argument, card and value hints.
//!
//! A hint must be a likely slip, never a random word, so a candidate is offered only
//! when it is close enough:
//! - within a third of the word's length in edits (at least one edit), one more when
//!   the two share their first four letters;
//! - or the word abbreviates it, word by word (`fail_msg` for `fail_message`, `desc`
//!   for `descending`): each `_`-separated part starts the same and its letters appear
//!   in order in the candidate's part;
//! - or the word is the candidate's stem but for its last letter (`retry` for `retries`),
//!   four letters at least.
//!
//! Typos win over abbreviations, and the closer typo wins; among equals, the first
//! candidate (callers pass them in declaration order, so hints do not depend on hashing).

/// The candidate closest to `word`, if one is close enough to be a likely slip.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let n_chars = word.chars().count();
    let mut best: Option<((bool, usize), &str)> = None;
    for candidate in candidates {
        if candidate == word || candidate.is_empty() {
            continue;
        }
        let distance = edit_distance(word, candidate);
        let shared = word
            .chars()
            .zip(candidate.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let limit = (n_chars / 3).max(1) + usize::from(shared >= 4);
        let rank = if distance <= limit {
            (false, distance)
        } else if abbreviates(word, candidate) || (shared >= 4 && shared + 1 >= n_chars) {
            (true, distance)
        } else {
            continue;
        };
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, candidate));
        }
    }
    best.map(|(_, it)| it)
}

/// Whether `word` abbreviates `candidate` part by part (parts split at `_`).
fn abbreviates(word: &str, candidate: &str) -> bool {
    let parts: Vec<&str> = word.split('_').collect();
    let full: Vec<&str> = candidate.split('_').collect();
    word.chars().count() >= 3
        && parts.len() == full.len()
        && parts.iter().zip(&full).all(|(part, full)| {
            let mut letters = full.chars();
            part.chars().next() == full.chars().next()
                && part.chars().all(|c| letters.any(|f| f == c))
        })
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_typos_and_abbreviations_only() {
        assert_eq!(closest("suprote", ["suporte", "financeiro"]), Some("suporte"));
        assert_eq!(closest("financero", ["suporte", "financeiro"]), Some("financeiro"));
        assert_eq!(closest("xyz", ["suporte", "financeiro"]), None);
        assert_eq!(closest("a", ["b"]), Some("b"));
        assert_eq!(closest("same", ["same"]), None);
        assert_eq!(closest("retry", ["retries", "fail_message"]), Some("retries"));
        assert_eq!(closest("fail_msg", ["retries", "fail_message", "fail_flow"]), Some("fail_message"));
        assert_eq!(closest("desc", ["ascending", "descending"]), Some("descending"));
        assert_eq!(closest("fal", ["fail_flow"]), None);
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(edit_distance("técnico", "tecnico"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}

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

/// Edit distance over characters, where swapping two neighbours is one edit
/// (`flwo` for `flow`), as well as inserting, deleting or replacing one.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the optimal-string-alignment table: two back, one back, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            cur[j] = best;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_typos_and_abbreviations_only() {
        assert_eq!(
            closest("suprote", ["suporte", "financeiro"]),
            Some("suporte")
        );
        assert_eq!(
            closest("financero", ["suporte", "financeiro"]),
            Some("financeiro")
        );
        assert_eq!(closest("xyz", ["suporte", "financeiro"]), None);
        assert_eq!(closest("a", ["b"]), Some("b"));
        assert_eq!(closest("same", ["same"]), None);
        assert_eq!(
            closest("retry", ["retries", "fail_message"]),
            Some("retries")
        );
        assert_eq!(
            closest("fail_msg", ["retries", "fail_message", "fail_flow"]),
            Some("fail_message")
        );
        assert_eq!(
            closest("desc", ["ascending", "descending"]),
            Some("descending")
        );
        assert_eq!(closest("fal", ["fail_flow"]), None);
        assert_eq!(closest("flwo", ["flow", "department"]), Some("flow"));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(edit_distance("técnico", "tecnico"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("flwo", "flow"), 1);
        assert_eq!(edit_distance("trasnfer", "transfer"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

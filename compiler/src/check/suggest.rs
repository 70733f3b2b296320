//! "Did you mean" hints: the closest name of the right kind by edit distance.
//!
//! Only close candidates are offered (at most a third of the name's length away, and at
//! least one edit allowed), so a hint is a likely typo, never a random name.

/// The candidate closest to `name`, if one is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let n_chars = name.chars().count();
    let limit = (n_chars / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name || candidate.is_empty() {
            continue;
        }
        let distance = edit_distance(name, candidate);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, it)| it.to_string())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_only_close_names() {
        assert_eq!(
            closest("suprote", ["suporte", "financeiro"]),
            Some("suporte".to_string())
        );
        assert_eq!(
            closest("financero", ["suporte", "financeiro"]),
            Some("financeiro".to_string())
        );
        assert_eq!(closest("xyz", ["suporte", "financeiro"]), None);
        assert_eq!(closest("a", ["b"]), Some("b".to_string()));
        assert_eq!(closest("same", ["same"]), None);
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(edit_distance("técnico", "tecnico"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}

//! A line diff (longest common subsequence) for transcript mismatches: `-` lines the
//! transcript expects, `+` lines the bot produced, ` ` lines both have.

/// The diff of `expected` against `actual`, one marked line each.
pub fn diff(expected: &[String], actual: &[String]) -> Vec<String> {
    let (n, m) = (expected.len(), actual.len());
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if expected[i] == actual[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            out.push(format!("  {}", expected[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || table[i][j + 1] >= table[i + 1][j]) {
            out.push(format!("+ {}", actual[j]));
            j += 1;
        } else {
            out.push(format!("- {}", expected[i]));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.split(',').map(str::to_string).collect()
    }

    #[test]
    fn marks_changes() {
        assert_eq!(
            diff(&lines("a,b,c"), &lines("a,x,c")),
            ["  a", "+ x", "- b", "  c"]
        );
        assert_eq!(diff(&lines("a"), &lines("a,b")), ["  a", "+ b"]);
        assert_eq!(diff(&lines("a,b"), &lines("a")), ["  a", "- b"]);
    }
}

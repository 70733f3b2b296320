//! A transcript mismatch as a diff in the order `diff -u` uses: `-` lines the
//! transcript expects (with their line numbers in the file), then `+` lines the bot
//! produced, with three lines of context around each change.

use similar::{capture_diff_slices, group_diff_ops, Algorithm, ChangeTag};

/// Lines of context around a change.
const CONTEXT: usize = 3;

/// The diff of `expected` (the transcript's event lines, at the 1-based file lines
/// `numbers`) against `actual`; empty when they are equal.
pub fn diff(expected: &[String], numbers: &[usize], actual: &[String]) -> Vec<String> {
    let ops = capture_diff_slices(Algorithm::Myers, expected, actual);
    let mut out = Vec::new();
    for group in group_diff_ops(ops, CONTEXT) {
        let Some(first) = group.first() else {
            continue;
        };
        let start = first.old_range().start;
        let line = numbers
            .get(start)
            .copied()
            .unwrap_or_else(|| numbers.last().map_or(1, |it| it + 1));
        out.push(format!("@@ line {line} @@"));
        for op in &group {
            for change in op.iter_changes(expected, actual) {
                let number = |index: Option<usize>| {
                    index
                        .and_then(|it| numbers.get(it))
                        .map_or(String::new(), ToString::to_string)
                };
                out.push(match change.tag() {
                    ChangeTag::Equal => {
                        format!("{:>5}   {}", number(change.old_index()), change.value())
                    }
                    ChangeTag::Delete => {
                        format!("{:>5} - {}", number(change.old_index()), change.value())
                    }
                    ChangeTag::Insert => format!("{:>5} + {}", "", change.value()),
                });
            }
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
    fn removals_before_additions_with_line_numbers() {
        assert_eq!(
            diff(&lines("a,b,c"), &[3, 4, 6], &lines("a,x,c")),
            [
                "@@ line 3 @@",
                "    3   a",
                "    4 - b",
                "      + x",
                "    6   c"
            ]
        );
        assert_eq!(
            diff(&lines("a"), &[2], &lines("a,b")),
            ["@@ line 2 @@", "    2   a", "      + b"]
        );
        assert!(diff(&lines("a"), &[1], &lines("a")).is_empty());
    }

    #[test]
    fn keeps_three_lines_of_context() {
        let expected = lines("1,2,3,4,5,6,7,8,9");
        let numbers: Vec<usize> = (1..=9).collect();
        let actual = lines("1,2,3,4,5,6,7,8,X");
        let out = diff(&expected, &numbers, &actual);
        assert_eq!(out[0], "@@ line 6 @@");
        assert_eq!(out.len(), 6, "{out:#?}");
    }
}

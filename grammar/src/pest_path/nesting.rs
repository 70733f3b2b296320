//! The pest path's bound on nesting (E0113), checked on pest's pairs before any tree is
//! built: everything downstream recurses over the tree, so the bound is the crate's
//! promise that no input, however deep, exhausts a stack.

use pest::iterators::Pair;

use super::{describe, Rule};

/// How deep constructs may nest. The tree builder, the checker, the lowering and the
/// formatter all recurse over nesting, so a bound here keeps any input from exhausting
/// their stacks; real flows stay under 20 levels.
/// (The fast parser gives up at 64 levels of its own count, so every file it accepts is
/// within this bound too, and the two parsers agree.)
pub(super) const MAX_NESTING: usize = 256;

/// The first construct nested deeper than [`MAX_NESTING`], found without recursion.
/// A level is a block, an arm list, a parenthesis, a list, an `if` (so `else if` chains
/// count), each binary operator of an expression (`a + b + c` is a tree two deep) and
/// each operator of its longest run of prefix operators (`- - x`).
pub(super) fn too_deep(file: Pair<'_, Rule>) -> Option<pest::Span<'_>> {
    let mut stack = vec![(file, 0usize)];
    while let Some((pair, depth)) = stack.pop() {
        let rule = pair.as_rule();
        let levels = match rule {
            Rule::block | Rule::arms | Rule::paren | Rule::list | Rule::if_stmt => 1,
            Rule::expr => expr_depth(&pair),
            _ => 0,
        };
        let depth = depth + levels;
        if depth > MAX_NESTING {
            return Some(pair.as_span());
        }
        stack.extend(pair.into_inner().map(|inner| (inner, depth)));
    }
    None
}

fn expr_depth(expr: &Pair<'_, Rule>) -> usize {
    let (mut binary, mut run, mut longest) = (0, 0, 0);
    for inner in expr.clone().into_inner() {
        match inner.as_rule() {
            Rule::op_not | Rule::op_neg => {
                run += 1;
                longest = longest.max(run);
            }
            // The infix operators, as `describe` knows them for error messages.
            rule if describe::is_operator(rule) => binary += 1,
            _ => run = 0,
        }
    }
    binary + longest
}

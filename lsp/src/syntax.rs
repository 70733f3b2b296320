//! What the text around the cursor says, read lexically: the word under it, the card
//! whose parentheses it is in. Editors ask about half-written code, which the syntax
//! tree may not hold yet, so these read the text itself.

use fluxo_grammar::ast::{self, Flow};
use fluxo_stdlib::catalogue::CardId;

/// The word (letters, digits, `_` and `.`) around byte `offset`, with its start.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, &str)> {
    let is_word = |ch: char| ch.is_alphanumeric() || ch == '_' || ch == '.';
    let offset = floor(text, offset);
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, ch)| is_word(*ch))
        .last()
        .map_or(offset, |(at, _)| at);
    let end = text[offset..]
        .char_indices()
        .find(|(_, ch)| !is_word(*ch))
        .map_or(text.len(), |(at, _)| offset + at);
    (start < end).then(|| (start, &text[start..end]))
}

/// The largest character boundary at or before `offset`.
pub fn floor(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The card whose argument list `(...)` holds byte `offset`, with the offset just past
/// its `(`: scans back for an unclosed parenthesis, skipping string literals on the way.
pub fn enclosing_call(text: &str, offset: usize) -> Option<(CardId, usize)> {
    let before = &text[..floor(text, offset)];
    let paren = unclosed(before, '(', ')', &['{', '}'])?;
    card_before(before, paren).map(|it| (it, paren + 1))
}

/// The offset of the last `open` in `before` that no `close` after it matches, skipping
/// string literals; `None` when a `stop` character comes first.
fn unclosed(before: &str, open: char, close: char, stop: &[char]) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (at, ch) in before.char_indices().rev() {
        match ch {
            '"' => in_string = !in_string,
            _ if in_string => {}
            _ if ch == close => depth += 1,
            _ if ch == open => match depth.checked_sub(1) {
                Some(rest) => depth = rest,
                None => return Some(at),
            },
            _ if stop.contains(&ch) => return None,
            _ => {}
        }
    }
    None
}

/// The subject of the `when` whose arms' braces hold byte `offset` (`channel`,
/// `hours`, a variable's name), when the cursor stands where an arm's pattern goes.
pub fn when_subject(text: &str, offset: usize) -> Option<&str> {
    let before = &text[..floor(text, offset)];
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let typed = before[line_start..].trim_start();
    if !typed.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
        return None;
    }
    let brace = unclosed(&before[..line_start], '{', '}', &[])?;
    let head = &before[..brace];
    let line = head[head.rfind('\n').map_or(0, |it| it + 1)..].trim();
    let mut words = line.split_whitespace();
    match (words.next(), words.next()) {
        (Some("when"), Some(subject)) => Some(subject),
        _ => None,
    }
}

/// The card a `(` at `paren` opens the arguments of: the call named just before it, or
/// the `ask` statement of its line.
fn card_before(text: &str, paren: usize) -> Option<CardId> {
    let head = text[..paren].trim_end();
    if let Some((_, word)) = word_at(head, head.len()) {
        if let Some(card) = CardId::from_name(word) {
            return Some(card);
        }
    }
    ask_card(&head[head.rfind('\n').map_or(0, |at| at + 1)..])
}

/// Which of the three `ask` cards a line that starts with `ask` writes.
pub fn ask_card(line: &str) -> Option<CardId> {
    if !line.trim_start().starts_with("ask") {
        return None;
    }
    Some(if line.contains(" choice") {
        CardId::AskChoice
    } else if line.contains(" confirm") {
        CardId::AskConfirm
    } else {
        CardId::AskInput
    })
}

/// The flow whose span holds byte `offset`.
pub fn enclosing_flow(file: &ast::File, offset: u32) -> Option<&Flow> {
    file.items.iter().find_map(|item| match &item.kind {
        ast::ItemKind::Flow(flow) if item.span.start <= offset && offset <= item.span.end => {
            Some(flow)
        }
        _ => None,
    })
}

/// Calls `each` with every block of statements nested in `stmts` (arms, branches), at
/// any depth, `stmts` excluded.
pub fn nested_blocks<'a>(stmts: &'a [ast::Stmt], each: &mut dyn FnMut(&'a ast::Block)) {
    for stmt in stmts {
        let arms = match &stmt.kind {
            ast::StmtKind::Ask(ask) => match &ask.kind {
                ast::AskKind::Choice { arms } | ast::AskKind::Confirm { arms } => Some(arms),
                ast::AskKind::Input { .. } => None,
            },
            ast::StmtKind::When(when) => Some(&when.arms),
            ast::StmtKind::Call(call) => call.arms.as_ref(),
            ast::StmtKind::If(branch) => {
                if_blocks(branch, each);
                None
            }
            _ => None,
        };
        for arm in arms.iter().flat_map(|it| &it.arms) {
            match &arm.body {
                ast::Branch::Block(block) => {
                    each(block);
                    nested_blocks(&block.stmts, each);
                }
                ast::Branch::Stmt(stmt) => nested_blocks(std::slice::from_ref(stmt), each),
            }
        }
    }
}

fn if_blocks<'a>(branch: &'a ast::If, each: &mut dyn FnMut(&'a ast::Block)) {
    each(&branch.then);
    nested_blocks(&branch.then.stmts, each);
    match &branch.otherwise {
        Some(ast::Else::Block(block)) => {
            each(block);
            nested_blocks(&block.stmts, each);
        }
        Some(ast::Else::If(nested, _)) => if_blocks(nested, each),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_card_of_an_argument_list() {
        let text = "notify(group: noc, message: \"a (b\", ";
        assert_eq!(enclosing_call(text, text.len()), Some((CardId::Notify, 7)));
        let text = "ask \"CPF?\" input cpf as doc (retries: 3, ";
        assert_eq!(
            enclosing_call(text, text.len()).map(|it| it.0),
            Some(CardId::AskInput)
        );
        assert_eq!(enclosing_call("notify(group: noc) ", 19), None);
        assert_eq!(
            word_at("goto erp.second_copy(", 9),
            Some((5, "erp.second_copy"))
        );
        assert_eq!(word_at("é", 1), Some((0, "é")));
        let text = "when channel {\n    whatsapp => say \"{x}\"\n    te";
        assert_eq!(when_subject(text, text.len()), Some("channel"));
        assert_eq!(when_subject(text, text.len() - 10), None);
    }
}

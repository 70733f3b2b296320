//! How the VM reads a customer's answer against what it offered: the rules are
//! `fluxo_stdlib::answers`' (an option by its number or by its text folded: trimmed,
//! lower-cased, without accents, whitespace runs made one space; `1`/`2` or a yes/no
//! word for a yes/no question). This module applies them without folding the same text
//! on every turn, as most turns read an answer: the labels of program menus are folded
//! once per program (`Program::option_by_folded_label`), the yes/no words once per
//! process, an option number is read as it was typed, and an ASCII answer is compared
//! in folded form without being copied. The tests hold it to the stdlib's answers.

use std::sync::OnceLock;

use fluxo_stdlib::answers::fold;
use fluxo_stdlib::builtins::{NO_WORDS, YES_WORDS};

use crate::bytecode::Program;
use crate::session::Message;

/// The option a message picks: an interactive reply id (the option's number or its
/// text), else the number or the text typed.
pub(crate) fn pick<S: AsRef<str>>(message: &Message, options: &[S]) -> Option<usize> {
    pick_with(message, options.len(), |answer| {
        options.iter().position(|it| answer.is(&fold(it.as_ref())))
    })
}

/// `pick` on the options of program menu `menu` (`options` of them).
pub(crate) fn pick_in_menu(
    program: &Program,
    menu: u32,
    options: usize,
    message: &Message,
) -> Option<usize> {
    pick_with(message, options, |answer| {
        program.option_by_folded_label(menu, |label| answer.is(label))
    })
}

/// A yes/no answer, tapped or typed: `Some(true)` for yes.
pub(crate) fn read_yes_no(message: &Message) -> Option<bool> {
    message
        .reply_id
        .as_deref()
        .and_then(yes_or_no)
        .or_else(|| yes_or_no(&message.text))
}

/// `pick` with `by_label` finding the option whose folded label the answer is.
fn pick_with(
    message: &Message,
    options: usize,
    by_label: impl Fn(&Answer) -> Option<usize>,
) -> Option<usize> {
    if let Some(id) = &message.reply_id {
        if let Some(idx) = match_option(id, options, &by_label) {
            return Some(idx);
        }
    }
    match_option(&message.text, options, &by_label)
}

/// `fluxo_stdlib::answers::match_option`: the option numbered by the answer (from 1),
/// or the first whose label folds like it.
fn match_option(
    answer: &str,
    options: usize,
    by_label: impl Fn(&Answer) -> Option<usize>,
) -> Option<usize> {
    let answer = Answer::new(answer);
    match answer.number() {
        Some(number) => (1..=options).contains(&number).then(|| number - 1),
        None => by_label(&answer),
    }
}

/// `fluxo_stdlib::answers::read_confirm`.
fn yes_or_no(answer: &str) -> Option<bool> {
    static WORDS: OnceLock<[Vec<String>; 2]> = OnceLock::new();
    let [yes, no] = WORDS.get_or_init(|| {
        let folded = |words: &[&str]| words.iter().map(|it| fold(it)).collect();
        [folded(YES_WORDS), folded(NO_WORDS)]
    });
    let answer = Answer::new(answer);
    if answer.is("1") || yes.iter().any(|it| answer.is(it)) {
        Some(true)
    } else if answer.is("2") || no.iter().any(|it| answer.is(it)) {
        Some(false)
    } else {
        None
    }
}

/// An answer in folded form, made only when it cannot be read in place: folding an
/// ASCII text only drops its outer whitespace, makes inner runs one space and lowers
/// its letters, which a comparison can do as it goes.
enum Answer<'a> {
    Ascii(&'a str),
    Folded(String),
}

impl Answer<'_> {
    fn new(answer: &str) -> Answer<'_> {
        if answer.is_ascii() {
            Answer::Ascii(answer)
        } else {
            Answer::Folded(fold(answer))
        }
    }

    /// The number the folded answer reads as, if it is one.
    fn number(&self) -> Option<usize> {
        match self {
            // With whitespace inside, neither the trimmed text nor the folded one (a
            // space inside) is a number; without, they are the same text.
            Answer::Ascii(text) => text.trim().parse().ok(),
            Answer::Folded(text) => text.parse().ok(),
        }
    }

    /// Whether the answer, folded, is `folded`.
    fn is(&self, folded: &str) -> bool {
        match self {
            Answer::Folded(text) => text == folded,
            Answer::Ascii(text) => {
                let mut rest = folded.as_bytes();
                for (idx, word) in text.split_whitespace().enumerate() {
                    if idx > 0 {
                        match rest.split_first() {
                            Some((b' ', after)) => rest = after,
                            _ => return false,
                        }
                    }
                    let Some((head, after)) = rest.split_at_checked(word.len()) else {
                        return false;
                    };
                    if !head
                        .iter()
                        .zip(word.bytes())
                        .all(|(it, ch)| ch.to_ascii_lowercase() == *it)
                    {
                        return false;
                    }
                    rest = after;
                }
                rest.is_empty()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use fluxo_stdlib::answers::{match_option as stdlib_match, read_confirm};

    use super::*;
    use crate::bytecode::program::{Menu, MenuOption};

    /// Every string of up to `len` characters over `alphabet`.
    fn strings(alphabet: &[char], len: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..len {
            last = last
                .iter()
                .flat_map(|it| alphabet.iter().map(move |ch| format!("{it}{ch}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    const OPTIONS: [&str; 6] = [
        "Financeiro",
        "Suporte técnico",
        "2ª via",
        "a b",
        "+3",
        "nao",
    ];

    fn answers() -> Vec<String> {
        let alphabet = [
            'a', 'B', ' ', '\t', '\u{b}', '1', '0', '+', 'ã', 'Ã', '\u{a0}', 'ª',
        ];
        let mut all = strings(&alphabet, 4);
        for option in OPTIONS.iter().chain(YES_WORDS).chain(NO_WORDS) {
            for answer in [
                option.to_string(),
                option.to_uppercase(),
                format!("  {option} "),
                option.replace(' ', " \t "),
                fold(option),
            ] {
                all.push(answer);
            }
        }
        all.extend(
            [
                "99999999999999999999999",
                "06",
                " 2 ",
                "+1",
                "sim",
                "SIM",
                "NÃO",
                "n",
                "s ",
            ]
            .map(str::to_string),
        );
        all
    }

    fn message(text: &str) -> Message {
        Message {
            text: text.to_string(),
            ..Message::default()
        }
    }

    #[test]
    fn picks_what_the_stdlib_picks() {
        let mut program = Program {
            strings: OPTIONS.iter().map(|it| it.to_string()).collect(),
            ..Program::default()
        };
        program.menus.push(Menu {
            options: (0..OPTIONS.len() as u32)
                .map(|label| MenuOption { label, target: 0 })
                .collect(),
            otherwise: None,
        });
        for answer in answers() {
            let expected = stdlib_match(&answer, &OPTIONS);
            assert_eq!(pick(&message(&answer), &OPTIONS), expected, "{answer:?}");
            let in_menu = pick_in_menu(&program, 0, OPTIONS.len(), &message(&answer));
            assert_eq!(in_menu, expected, "{answer:?} in a program menu");
        }
    }

    #[test]
    fn reads_yes_and_no_as_the_stdlib_does() {
        for answer in answers() {
            assert_eq!(yes_or_no(&answer), read_confirm(&answer), "{answer:?}");
        }
    }

    #[test]
    fn a_reply_id_comes_before_the_text() {
        let tapped = Message {
            text: "Financeiro".to_string(),
            reply_id: Some("2".to_string()),
            media: None,
        };
        assert_eq!(pick(&tapped, &OPTIONS), Some(1));
        let stale = Message {
            reply_id: Some("9".to_string()),
            ..tapped.clone()
        };
        assert_eq!(pick(&stale, &OPTIONS), Some(0));
        let no = Message {
            reply_id: Some("2".to_string()),
            ..message("sim")
        };
        assert_eq!(read_yes_no(&no), Some(false));
    }
}

//! How a customer's answer is matched against the options of a menu: by number, or by
//! text ignoring case, accents and extra spaces. The runtime matches answers with these
//! functions and the checker uses `fold` to refuse options that only differ in case or
//! accents (a customer could not tell them apart).

use crate::builtins::{NO_WORDS, YES_WORDS};

/// The form answers and options are compared in: trimmed, lower-cased, without the
/// accents of Portuguese (and their capitals), runs of whitespace made one space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for ch in word.chars().flat_map(char::to_lowercase) {
            out.push(strip_accent(ch));
        }
    }
    out
}

fn strip_accent(ch: char) -> char {
    match ch {
        'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

/// The index of the option `answer` picks: its number counted from 1 (`2`, ` 2 `), or
/// its text in folded form. `None` when it picks none.
pub fn match_option<S: AsRef<str>>(answer: &str, options: &[S]) -> Option<usize> {
    let folded = fold(answer);
    if let Ok(number) = folded.parse::<usize>() {
        return (1..=options.len()).contains(&number).then(|| number - 1);
    }
    options.iter().position(|it| fold(it.as_ref()) == folded)
}

/// A yes/no answer: `1` or a yes word is `Some(true)`, `2` or a no word `Some(false)`,
/// anything else `None`.
pub fn read_confirm(answer: &str) -> Option<bool> {
    let folded = fold(answer);
    let is = |words: &[&str]| words.iter().any(|it| fold(it) == folded);
    if folded == "1" || is(YES_WORDS) {
        Some(true)
    } else if folded == "2" || is(NO_WORDS) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_spaces() {
        assert_eq!(fold("  Suporte   Técnico "), "suporte tecnico");
        assert_eq!(fold("AÇÃO"), "acao");
        assert_eq!(fold("2ª via de boleto"), "2ª via de boleto");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn matches_options_by_number_or_text() {
        let options = ["Financeiro", "Suporte técnico", "Falar com alguém"];
        assert_eq!(match_option("1", &options), Some(0));
        assert_eq!(match_option(" 3 ", &options), Some(2));
        assert_eq!(match_option("suporte tecnico", &options), Some(1));
        assert_eq!(match_option("FALAR COM ALGUÉM", &options), Some(2));
        assert_eq!(match_option("0", &options), None);
        assert_eq!(match_option("4", &options), None);
        assert_eq!(match_option("suporte", &options), None);
        assert_eq!(match_option("99999999999999999999999", &options), None);
        let none: [&str; 0] = [];
        assert_eq!(match_option("1", &none), None);
    }

    #[test]
    fn reads_yes_and_no() {
        for yes in ["1", "sim", "Sim", " S ", "SIM"] {
            assert_eq!(read_confirm(yes), Some(true), "{yes}");
        }
        for no in ["2", "não", "NÃO", "nao", "n", "N"] {
            assert_eq!(read_confirm(no), Some(false), "{no}");
        }
        for other in ["", "talvez", "3", "sim não"] {
            assert_eq!(read_confirm(other), None, "{other}");
        }
    }
}

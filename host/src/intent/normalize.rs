//! Turning Portuguese chat text into comparable tokens: lower case, no
//! accents or punctuation, ordinals in one spelling ("2ª", "segunda" and "2a"
//! are one token), filler words dropped. Also the edit distance used for
//! typos. Knows nothing about options or scores.

/// Words that carry no intent in customer messages: articles, prepositions,
/// pronouns, greetings and request verbs ("quero", "preciso").
#[rustfmt::skip]
const STOPWORDS: &[&str] = &[
    "a", "o", "as", "os", "um", "uma", "uns", "umas", "de", "do", "da", "dos", "das", "em", "no",
    "na", "nos", "nas", "ao", "aos", "por", "pelo", "pela", "para", "pra", "pro", "com", "e", "ou",
    "que", "se", "eu", "me", "mim", "meu", "minha", "meus", "minhas", "seu", "sua", "voce", "vc",
    "voces", "ele", "ela", "isso", "esse", "essa", "este", "esta", "aqui", "ai", "la", "ja", "oi",
    "ola", "opa", "bom", "boa", "dia", "tarde", "noite", "tudo", "bem", "obrigado", "obrigada",
    "favor", "gostaria", "queria", "quero", "preciso", "precisava", "poderia", "pode", "podia",
    "consegue", "sobre", "ver", "saber", "fazer", "ter", "tenho", "estou", "to", "ta", "sim",
    "ajuda", "ajudar", "gente", "moco", "moca", "ok", "mas", "muito", "desde", "ainda", "vou",
    "vamos", "queremos",
];

/// Word endings stripped to compare words of one family ("mudar", "mudança";
/// "cancelar", "cancelamento"), longest first. Accents are already folded.
#[rustfmt::skip]
const SUFFIXES: &[&str] = &[
    "amentos", "imentos", "amento", "imento", "mentos", "mento", "acoes", "icoes", "ancas",
    "encias", "acao", "icao", "anca", "encia", "ando", "endo", "indo", "ados", "adas", "idos",
    "idas", "ado", "ada", "ido", "ida", "ar", "er", "ir", "as", "es", "os", "a", "e", "o", "s",
];

/// The shortest stem a suffix may leave: "mud" from "mudar", but "caiu" stays whole.
const MIN_STEM_LEN: usize = 3;

/// Words a customer writes around an option number: "opção 2", "é a 3", "nº 4".
/// ("nº" folds to "no".)
const NUMBER_PREFIXES: &[&str] = &[
    "opcao",
    "opc",
    "op",
    "numero",
    "num",
    "n",
    "no",
    "item",
    "alternativa",
    "a",
    "o",
    "e",
];

/// Ordinals, spelled out or abbreviated, mapped to one token per position.
#[rustfmt::skip]
const ORDINALS: &[(&str, &str)] = &[
    ("primeira", "#1"), ("primeiro", "#1"), ("1a", "#1"), ("1o", "#1"),
    ("segunda", "#2"), ("segundo", "#2"), ("2a", "#2"), ("2o", "#2"),
    ("terceira", "#3"), ("terceiro", "#3"), ("3a", "#3"), ("3o", "#3"),
    ("quarta", "#4"), ("quarto", "#4"), ("4a", "#4"), ("4o", "#4"),
    ("quinta", "#5"), ("quinto", "#5"), ("5a", "#5"), ("5o", "#5"),
];

/// Cardinals a customer may type instead of the option's digit.
#[rustfmt::skip]
const CARDINALS: &[(&str, u32)] = &[
    ("um", 1), ("uma", 1), ("dois", 2), ("duas", 2), ("tres", 3), ("quatro", 4), ("cinco", 5),
    ("seis", 6), ("sete", 7), ("oito", 8), ("nove", 9), ("dez", 10),
];

/// Lower case, accents stripped, "ª"/"º" as letters, keycap emoji as their
/// digit, everything else that is not a letter or digit turned into spaces.
pub(crate) fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' | 'ª' => folded.push('a'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'í' | 'ì' | 'î' | 'ï' => folded.push('i'),
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'º' | '°' => folded.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => folded.push('u'),
            'ç' => folded.push('c'),
            'ñ' => folded.push('n'),
            'ý' | 'ÿ' => folded.push('y'),
            // Keycap emoji ("2️⃣") are a digit followed by these two marks;
            // a hyphen joins ("wi-fi" is "wifi").
            '\u{fe0f}' | '\u{20e3}' | '-' => {}
            c if c.is_alphanumeric() => folded.push(c),
            _ => folded.push(' '),
        }
    }
    folded
}

/// The content tokens of `text`, in order, duplicates kept.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split_whitespace()
        .map(canonical)
        .filter(|token| !STOPWORDS.contains(&token.as_str()))
        .collect()
}

/// Ordinals and bare numbers become `#<n>`, so "2 via", "2ª via" and
/// "segunda via" agree.
fn canonical(word: &str) -> String {
    if let Ok(number) = word.parse::<u64>() {
        return format!("#{number}");
    }
    ORDINALS
        .iter()
        .find(|(spelling, _)| *spelling == word)
        .map_or_else(|| word.to_string(), |(_, token)| token.to_string())
}

/// A light Portuguese stem: the word without its longest known ending, when what is
/// left is long enough to still mean something. Not a full stemmer (no irregular
/// forms): it only lets the classifier see that two spellings are one word family.
pub(crate) fn stem(word: &str) -> &str {
    SUFFIXES
        .iter()
        .find_map(|suffix| {
            word.strip_suffix(suffix)
                .filter(|rest| rest.chars().count() >= MIN_STEM_LEN)
        })
        .unwrap_or(word)
}

/// The option number a message consists of, if that is all it says:
/// "2", "2)", "opção 2", "dois", "2️⃣".
pub(crate) fn option_number(text: &str) -> Option<u32> {
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split_whitespace()
        .filter(|word| !NUMBER_PREFIXES.contains(word))
        .collect();
    match words.as_slice() {
        [word] => word.parse().ok().or_else(|| {
            CARDINALS
                .iter()
                .find(|(spelling, _)| spelling == word)
                .map(|(_, n)| *n)
        }),
        _ => None,
    }
}

/// Levenshtein distance over characters, stopping early once it must exceed
/// `limit` (then it returns `limit + 1`).
pub(crate) fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        if current.iter().min().is_some_and(|&best| best > limit) {
            return limit + 1;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()].min(limit + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("2ª Via, de BOLETO!"), "2a via  de boleto ");
        assert_eq!(fold("Não consigo: conexão"), "nao consigo  conexao");
        assert_eq!(fold("2️⃣"), "2");
    }

    #[test]
    fn tokens_drop_fillers_and_unify_ordinals() {
        assert_eq!(
            tokens("Oi, bom dia! Quero a segunda via do boleto"),
            ["#2", "via", "boleto"]
        );
        assert_eq!(tokens("2ª via de boleto"), ["#2", "via", "boleto"]);
        assert_eq!(
            tokens("minha internet não funciona"),
            ["internet", "nao", "funciona"]
        );
    }

    #[test]
    fn stems_join_word_families() {
        assert_eq!(stem("mudar"), "mud");
        assert_eq!(stem("mudanca"), "mud");
        assert_eq!(stem("cancelar"), "cancel");
        assert_eq!(stem("cancelamento"), "cancel");
        assert_eq!(stem("boletos"), "bolet");
        assert_eq!(stem("internet"), "internet");
        // Too short a stem would join unrelated words.
        assert_eq!(stem("caiu"), "caiu");
        assert_eq!(stem("via"), "via");
    }

    #[test]
    fn option_numbers() {
        assert_eq!(option_number("2"), Some(2));
        assert_eq!(option_number(" 3) "), Some(3));
        assert_eq!(option_number("Opção 1"), Some(1));
        assert_eq!(option_number("dois"), Some(2));
        assert_eq!(option_number("2️⃣"), Some(2));
        assert_eq!(option_number("nº 4"), Some(4));
        assert_eq!(option_number("2 boletos"), None);
        assert_eq!(option_number("segunda via"), None);
    }

    #[test]
    fn edit_distance_with_limit() {
        assert_eq!(edit_distance("boleto", "boletu", 2), 1);
        assert_eq!(edit_distance("internet", "intenet", 2), 1);
        assert_eq!(edit_distance("kitten", "sitting", 5), 3);
        assert_eq!(edit_distance("abc", "xyzxyz", 1), 2);
        assert_eq!(edit_distance("", "", 0), 0);
    }
}

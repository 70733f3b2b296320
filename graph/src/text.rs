//! Text on the picture: cutting and wrapping a card's text to fit its box, measuring
//! it without a font engine, and escaping it for SVG, DOT and Mermaid.
//!
//! Widths are estimated from DejaVu Sans's advances (the font PNGs are drawn with and
//! the first the SVG asks for), rounded up per class of character so that a box is
//! never narrower than its text.

/// `text` cut to at most `max` characters, with `…` where it was cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// `text` in lines of at most `width` characters, broken at spaces, at most `lines`
/// of them (the last cut with `…` when the text goes on).
pub fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut rest = words.as_slice();
    while let Some((word, tail)) = rest.split_first() {
        let len = current.chars().count();
        let fits = len == 0 || len + 1 + word.chars().count() <= width;
        if fits {
            if len > 0 {
                current.push(' ');
            }
            current.push_str(word);
            rest = tail;
            continue;
        }
        out.push(std::mem::take(&mut current));
        if out.len() == lines {
            break;
        }
    }
    if !current.is_empty() && out.len() < lines {
        out.push(current);
    }
    if !rest.is_empty() {
        if let Some(last) = out.last_mut() {
            let more = format!("{last} {}", rest.join(" "));
            *last = cut(&more, width);
        }
    }
    out.iter().map(|line| cut(line, width)).collect()
}

/// The width of `text` in pixels at `size` pixels, an upper estimate.
pub fn width(text: &str, size: f32) -> f32 {
    let em: f32 = text.chars().map(advance).sum();
    em * size
}

/// DejaVu Sans advances in em, rounded up within each class.
fn advance(c: char) -> f32 {
    match c {
        'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' => 0.32,
        ' ' => 0.33,
        'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '{' | '}' | '-' => 0.42,
        'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.95,
        'A'..='Z' => 0.78,
        '0'..='9' => 0.64,
        'a'..='z' => 0.63,
        _ if c.is_ascii() => 0.70,
        // Accented letters are as wide as their base letters; symbols may be wider.
        _ if c.is_alphabetic() => 0.72,
        _ => 1.0,
    }
}

/// Text escaped for SVG and XML attributes.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_the_last_line() {
        let lines = wrap(
            "Olá! Você está falando com a empresa. Protocolo 123 e mais texto aqui",
            20,
            2,
        );
        assert_eq!(lines, vec!["Olá! Você está", "falando com a empre…"]);
        assert_eq!(wrap("", 20, 2), Vec::<String>::new());
        assert_eq!(wrap("curto", 20, 2), vec!["curto"]);
    }

    #[test]
    fn cut_keeps_short_text() {
        assert_eq!(cut("Financeiro", 26), "Financeiro");
        assert_eq!(cut("abcdefghij", 5), "abcd…");
    }
}

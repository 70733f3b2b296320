//! How `fluxo run` shows a conversation. Off a terminal (piped, or `NO_COLOR` set) it
//! writes plain transcript lines, so the output is a valid `.chat` file; on a
//! terminal each bot message is a block with a bar down its left side, effects and
//! host calls are dim, and the runtime's own notes (a script's log, why it failed)
//! are yellow on stderr, so none of them can be taken for what the bot says.
//!
//! Every text shown comes from outside (the customer, the flow's messages, ERP and
//! script data), so it is sanitised first: control characters, escape sequences and
//! bidirectional overrides are shown as `\u{..}` escapes instead of acting on the
//! terminal.

use std::borrow::Cow;
use std::io::Write;

/// `text` with every character that could move the cursor, change colours or
/// reorder the line replaced by its escape (`\u{1b}`). Tabs are kept.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if unsafe_char(ch) {
            out.push_str(&ch.escape_unicode().to_string());
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

fn unsafe_char(ch: char) -> bool {
    (ch.is_control() && ch != '\t')
        || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Where and how the conversation is shown.
pub struct Screen<W: Write> {
    pub out: W,
    /// A terminal that takes colour: blocks and colours instead of transcript lines.
    pub styled: bool,
}

impl<W: Write> Screen<W> {
    /// One bot message, which may span several lines.
    pub fn message(&mut self, lines: &[String]) {
        for (index, line) in lines.iter().enumerate() {
            let line = sanitize(line);
            let _ = match (self.styled, index) {
                (true, 0) => writeln!(self.out, "\x1b[1;32m┃\x1b[0m {line}"),
                (true, _) => writeln!(self.out, "\x1b[32m┃\x1b[0m {line}"),
                (false, _) if line.is_empty() => writeln!(self.out, "<"),
                (false, _) => writeln!(self.out, "< {line}"),
            };
        }
        if self.styled {
            let _ = writeln!(self.out);
        }
    }

    /// An effect or host call (`= ...` in a transcript).
    pub fn effect(&mut self, text: &str) {
        let text = sanitize(text);
        let _ = if self.styled {
            writeln!(self.out, "\x1b[2;36m= {text}\x1b[0m")
        } else {
            writeln!(self.out, "= {text}")
        };
    }

    /// The customer's message, echoed when the terminal has not shown it already.
    pub fn customer(&mut self, text: &str) {
        if !self.styled {
            let text = sanitize(text);
            let _ = if text.is_empty() {
                writeln!(self.out, ">")
            } else {
                writeln!(self.out, "> {text}")
            };
        }
    }

    /// A comment line: `// text` (the banner, the ending).
    pub fn comment(&mut self, text: &str) {
        let text = sanitize(text);
        let _ = if self.styled {
            writeln!(self.out, "\x1b[2m// {text}\x1b[0m")
        } else {
            writeln!(self.out, "// {text}")
        };
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

/// A note from the runtime, on stderr: never mistaken for the bot's text, never part
/// of the transcript on stdout.
pub fn note(text: &str, styled: bool) {
    let text = sanitize(text);
    if styled {
        eprintln!("\x1b[33mnote: {text}\x1b[0m");
    } else {
        eprintln!("note: {text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_acts_on_a_terminal() {
        assert_eq!(sanitize("Olá,\tAna"), "Olá,\tAna");
        assert_eq!(sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\u{202e}y\r"), "x\\u{202e}y\\u{d}");
        assert_eq!(sanitize("\u{9b}"), "\\u{9b}");
    }

    #[test]
    fn a_message_is_one_block_on_a_terminal_and_transcript_lines_off_it() {
        let lines = ["Qual?".to_string(), "  1) Sim".to_string(), String::new()];
        let mut styled = Screen {
            out: Vec::new(),
            styled: true,
        };
        styled.message(&lines);
        assert_eq!(
            String::from_utf8_lossy(&styled.out),
            "\x1b[1;32m┃\x1b[0m Qual?\n\x1b[32m┃\x1b[0m   1) Sim\n\x1b[32m┃\x1b[0m \n\n"
        );
        let mut plain = Screen {
            out: Vec::new(),
            styled: false,
        };
        plain.message(&lines);
        plain.customer("\x1b");
        assert_eq!(
            String::from_utf8_lossy(&plain.out),
            "< Qual?\n<   1) Sim\n<\n> \\u{1b}\n"
        );
    }
}

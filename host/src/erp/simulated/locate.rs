//! Finds where a value sits in JSON text, so that a fixture error found after parsing
//! (an invalid CPF, a duplicate id) can point at a line and column like a parse error.
//!
//! Only ever run on text `serde_json` has already accepted; on anything else it gives
//! up and returns `None` rather than guess.

/// One step of a path into a JSON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(&'static str),
    Index(usize),
}

/// The 1-based line and column where the value at `path` starts.
pub(crate) fn locate(text: &str, path: &[Step]) -> Option<(usize, usize)> {
    let mut cursor = Cursor { text, at: 0 };
    cursor.skip_ws();
    for step in path {
        match step {
            Step::Key(key) => cursor.enter_key(key)?,
            Step::Index(idx) => cursor.enter_index(*idx)?,
        }
    }
    Some(line_column(text, cursor.at))
}

/// Renders a path the way error messages show it: `customers[2].document`.
pub(crate) fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(idx) => out.push_str(&format!("[{idx}]")),
        }
    }
    out
}

fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |it| it.chars().count() + 1);
    (line, column)
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn expect_byte(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.at += 1;
            Some(())
        } else {
            None
        }
    }

    /// Moves from the start of an object to the start of `key`'s value.
    fn enter_key(&mut self, key: &str) -> Option<()> {
        self.expect_byte(b'{')?;
        loop {
            self.skip_ws();
            if self.peek() == Some(b'}') {
                return None;
            }
            let name = self.string()?;
            self.expect_byte(b':')?;
            self.skip_ws();
            if name == key {
                return Some(());
            }
            self.skip_value()?;
            self.skip_ws();
            if self.peek() == Some(b',') {
                self.at += 1;
            }
        }
    }

    /// Moves from the start of an array to the start of its `idx`th element.
    fn enter_index(&mut self, idx: usize) -> Option<()> {
        self.expect_byte(b'[')?;
        for _ in 0..idx {
            self.skip_ws();
            self.skip_value()?;
            self.expect_byte(b',')?;
        }
        self.skip_ws();
        Some(())
    }

    /// Reads a string's content, escapes left as written (keys we look for have none).
    fn string(&mut self) -> Option<String> {
        self.expect_byte(b'"')?;
        let start = self.at;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => break,
                _ => self.at += 1,
            }
        }
        let content = self.text.get(start..self.at)?.to_string();
        self.at += 1;
        Some(content)
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.at += 1;
                loop {
                    self.skip_ws();
                    match self.peek()? {
                        byte if byte == close => {
                            self.at += 1;
                            return Some(());
                        }
                        b',' | b':' => self.at += 1,
                        _ => self.skip_value()?,
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                ) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\\\"y\"}],\n  \"c\": [\n    {\"d\": 1},\n    {\"d\": \"here\"}\n  ]\n}";
        let path = [Step::Key("c"), Step::Index(1), Step::Key("d")];
        assert_eq!(locate(text, &path), Some((5, 11)));
        assert_eq!(render(&path), "c[1].d");
        assert_eq!(locate(text, &[Step::Key("zz")]), None);
        assert_eq!(locate(text, &[Step::Key("c"), Step::Index(7)]), None);
    }
}

//! The line printer under the formatter: indentation, line breaks, blank lines, and the
//! placement of comments.
//!
//! The formatter hands over tokens in source order, each with the source position it came
//! from; the printer weaves the `//` comments in by position, so no comment is ever lost
//! or reordered. A comment that follows the last token of a source line stays at the end
//! of the output line; a comment on its own line stays on its own line before what
//! follows it; a comment caught in the middle of an output line (inside an expression,
//! say) moves to the end of that line. The printer knows nothing about the syntax tree.

use crate::lexer::Comment;

/// Output indentation: four spaces per level.
pub(super) const INDENT: &str = "    ";

/// Whether the next line that starts may be preceded by a blank line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Blank {
    /// Never: right after an opening brace, or before a closing one.
    Suppress,
    /// When the author left one in the source (several collapse into one).
    Source,
    /// Always (except at the top of the file): between top-level items.
    Force,
}

pub(super) struct Printer<'a> {
    src: &'a str,
    comments: &'a [Comment],
    next_comment: usize,
    out: String,
    indent: usize,
    /// The current output line, without its indentation.
    line: String,
    line_indent: usize,
    line_open: bool,
    /// A line break was asked for; it happens when the next token or comment comes.
    break_pending: bool,
    blank: Blank,
    trailing: Option<&'a Comment>,
    /// Comments met in the middle of the current line, written when it ends.
    deferred: Vec<&'a Comment>,
    /// Where the last written token or comment ends in the source.
    last_end: usize,
}

impl<'a> Printer<'a> {
    pub(super) fn new(src: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            src,
            comments,
            next_comment: 0,
            out: String::new(),
            indent: 0,
            line: String::new(),
            line_indent: 0,
            line_open: false,
            break_pending: false,
            blank: Blank::Suppress,
            trailing: None,
            deferred: Vec::new(),
            last_end: 0,
        }
    }

    /// Writes `text`, which was written at `start..end` in the source (an estimate is fine
    /// for tokens in the middle of a line). `text` may span lines (a triple-quoted string),
    /// in which case it carries its own indentation.
    pub(super) fn token(&mut self, text: &str, start: usize, end: usize) {
        self.flush_comments(start);
        if self.break_pending {
            self.finish_line();
        }
        if !self.line_open {
            self.start_line(start);
        }
        self.line.push_str(text);
        // Comments inside the token's own stretch (an expression split over lines) wait
        // for the end of the line.
        self.flush_comments(end);
        self.mark_end(end);
    }

    /// A token with no source position of its own (a keyword, `=>`): it sits at the last
    /// known position.
    pub(super) fn word(&mut self, text: &str) {
        let at = self.last_end;
        self.token(text, at, at);
    }

    pub(super) fn space(&mut self) {
        if self.line_open && !self.break_pending {
            self.line.push(' ');
        }
    }

    pub(super) fn spaces(&mut self, n: usize) {
        if self.line_open && !self.break_pending {
            self.line.extend(std::iter::repeat_n(' ', n));
        }
    }

    pub(super) fn newline(&mut self) {
        if self.line_open {
            self.break_pending = true;
        }
    }

    /// Records that the source has been read up to `end` (the end of a statement or item).
    pub(super) fn mark_end(&mut self, end: usize) {
        self.last_end = self.last_end.max(end);
    }

    pub(super) fn indent(&mut self) {
        self.indent += 1;
    }

    /// Ends the current line after an opening brace: what follows starts a fresh block.
    pub(super) fn open_block(&mut self) {
        self.newline();
        self.indent();
        self.blank = Blank::Suppress;
    }

    /// Writes a closing token (`}`, `)`) on its own line, one level out. Comments that come
    /// before it in the source stay inside the block.
    pub(super) fn close_block(&mut self, text: &str, start: usize, end: usize) {
        self.flush_comments(start);
        self.newline();
        self.indent = self.indent.saturating_sub(1);
        self.blank = Blank::Suppress;
        self.token(text, start, end);
    }

    /// The next line that starts follows the author's blank lines.
    pub(super) fn keep_source_blank(&mut self) {
        if self.blank != Blank::Force {
            self.blank = Blank::Source;
        }
    }

    /// The next line that starts is preceded by a blank line.
    pub(super) fn force_blank(&mut self) {
        self.blank = Blank::Force;
    }

    /// The column (in characters) where the next token would go.
    pub(super) fn column(&self) -> usize {
        match self.line.rfind('\n') {
            Some(n) => self.line[n + 1..].chars().count(),
            None => self.line_indent * INDENT.len() + self.line.chars().count(),
        }
    }

    pub(super) fn current_indent(&self) -> usize {
        if self.line_open && !self.break_pending {
            self.line_indent
        } else {
            self.indent
        }
    }

    /// Whether a comment lies in `start..end` of the source.
    pub(super) fn has_comment_in(&self, start: usize, end: usize) -> bool {
        let first = self
            .comments
            .partition_point(|c| (c.span.start as usize) < start);
        self.comments
            .get(first)
            .is_some_and(|c| (c.span.start as usize) < end)
    }

    /// Whether the source has an empty line between `start` and `end`.
    pub(super) fn blank_between(&self, start: usize, end: usize) -> bool {
        self.src.get(start..end).is_some_and(has_blank_line)
    }

    /// The position of `text` at or after `from`, skipping whitespace, commas and comments;
    /// `from` itself if it is not there (a tree built by hand has no source).
    pub(super) fn locate(&self, from: usize, text: &str) -> usize {
        let bytes = self.src.as_bytes();
        let mut pos = from;
        while pos < bytes.len() {
            match bytes[pos] {
                b' ' | b'\t' | b'\r' | b'\n' | b',' => pos += 1,
                b'/' if self.src[pos..].starts_with("//") => {
                    pos = self.src[pos..].find('\n').map_or(bytes.len(), |n| pos + n);
                }
                _ => break,
            }
        }
        if self
            .src
            .get(pos..)
            .is_some_and(|rest| rest.starts_with(text))
        {
            pos
        } else {
            from
        }
    }

    pub(super) fn finish(mut self) -> String {
        self.flush_comments(usize::MAX);
        if self.line_open {
            self.finish_line();
        }
        self.out
    }

    /// Places every comment that starts before `pos`.
    fn flush_comments(&mut self, pos: usize) {
        while let Some(comment) = self.comments.get(self.next_comment) {
            if comment.span.start as usize >= pos {
                break;
            }
            self.next_comment += 1;
            let start = comment.span.start as usize;
            if self.line_open && !self.break_pending {
                self.deferred.push(comment);
            } else if self.line_open {
                let same_line = self.trailing.is_none()
                    && self.deferred.is_empty()
                    && self
                        .src
                        .get(self.last_end..start)
                        .is_some_and(|gap| !gap.contains('\n'));
                if same_line {
                    self.trailing = Some(comment);
                    self.mark_end(comment.span.end as usize);
                } else {
                    self.finish_line();
                    self.own_line_comment(comment);
                }
            } else {
                self.own_line_comment(comment);
            }
        }
    }

    fn start_line(&mut self, start: usize) {
        self.blank_line_before(start);
        self.line_open = true;
        self.line_indent = self.indent;
    }

    fn finish_line(&mut self) {
        for _ in 0..self.line_indent {
            self.out.push_str(INDENT);
        }
        self.out.push_str(&self.line);
        let mut deferred = std::mem::take(&mut self.deferred).into_iter();
        if let Some(comment) = self.trailing.take().or_else(|| deferred.next()) {
            self.out.push(' ');
            self.out.push_str(&comment.text);
            self.mark_end(comment.span.end as usize);
        }
        self.out.push('\n');
        self.line.clear();
        self.line_open = false;
        self.break_pending = false;
        for comment in deferred {
            self.own_line_comment(comment);
        }
    }

    fn own_line_comment(&mut self, comment: &Comment) {
        self.blank_line_before(comment.span.start as usize);
        for _ in 0..self.indent {
            self.out.push_str(INDENT);
        }
        self.out.push_str(&comment.text);
        self.out.push('\n');
        self.mark_end(comment.span.end as usize);
    }

    fn blank_line_before(&mut self, start: usize) {
        let wanted = match self.blank {
            Blank::Suppress => false,
            Blank::Force => true,
            Blank::Source => self
                .src
                .get(self.last_end..start)
                .is_some_and(has_blank_line),
        };
        if wanted && !self.out.is_empty() {
            self.out.push('\n');
        }
        self.blank = Blank::Source;
    }
}

/// Whether the text between two tokens holds an empty line.
fn has_blank_line(gap: &str) -> bool {
    let mut lines = gap.split('\n');
    lines.next();
    let mut inner: Vec<&str> = lines.collect();
    inner.pop();
    inner.iter().any(|line| line.trim().is_empty())
}

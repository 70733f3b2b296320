//! The wire: JSON-RPC messages framed by `Content-Length` headers on a byte stream.
//!
//! Written here rather than taken from `lsp-server`'s stdio transport, which ends the
//! session on the first malformed message: this one reports what it can and reads on.
//! A header block without a usable `Content-Length` is skipped; a body longer than
//! [`MAX_BODY`] is read and dropped, never held in memory.

use std::io::{self, BufRead, Read, Write};

/// The largest message body read into memory (a whole project's text fits many times).
pub const MAX_BODY: usize = 64 << 20;

/// What one frame held.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    Body(String),
    /// A frame that could not be read; the reason, for the log.
    Invalid(String),
}

/// Reads the next frame; `None` at the end of the stream.
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut problem: Option<String> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => problem = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some(_) => {}
            None => problem = Some(format!("not a header: `{}`", truncate(line))),
        }
    }
    let Some(length) = length else {
        return Ok(Some(Frame::Invalid(problem.unwrap_or_else(|| {
            "a message without Content-Length".to_string()
        }))));
    };
    if length > MAX_BODY {
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Ok(Some(Frame::Invalid(format!(
            "a message of {length} bytes, over the limit of {MAX_BODY}"
        ))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(match String::from_utf8(body) {
        Ok(body) => Frame::Body(body),
        Err(_) => Frame::Invalid("a message body that is not UTF-8".to_string()),
    }))
}

/// Writes one message.
pub fn write(output: &mut impl Write, body: &str) -> io::Result<()> {
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}

fn truncate(line: &str) -> &str {
    let end = crate::syntax::floor(line, 80);
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_frames_and_survives_bad_ones() {
        let input = "Content-Length: 2\r\n\r\n{}garbage\r\n\r\nContent-Length: x\r\n\r\nContent-Length: 99999999999\r\n\r\nContent-Length: 3\r\n\r\n[1]";
        let mut input = io::Cursor::new(input.as_bytes());
        let mut frames = Vec::new();
        while let Some(frame) = read(&mut input).unwrap() {
            frames.push(frame);
        }
        assert_eq!(frames[0], Frame::Body("{}".to_string()));
        assert!(matches!(&frames[1], Frame::Invalid(why) if why.contains("not a header")));
        assert!(matches!(&frames[2], Frame::Invalid(why) if why.contains("bad Content-Length")));
        // The oversized body swallows the rest of this short stream.
        assert!(matches!(&frames[3], Frame::Invalid(why) if why.contains("over the limit")));
        assert_eq!(frames.len(), 4);
    }
}

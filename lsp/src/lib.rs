//! `fluxo lsp`: the Fluxo language server. Diagnostics as you type (the checker's, with
//! codes, related places and help), hover, go to definition, references, completion,
//! rename, formatting, document symbols and folding, over the Language Server Protocol
//! on standard input and output.
//!
//! It reads the front end only (grammar, stdlib, compiler): no host, no server, no
//! async runtime. One thread: each message is answered before the next is read, and a
//! change re-parses the file it touched and re-checks the program (see `project.rs`).

// A panic here ends an engineer's editing session: errors are answered, never unwrapped.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod completion;
mod diagnostics;
mod hover;
mod line_index;
mod navigation;
mod outline;
mod project;
mod server;
mod syntax;
pub mod transport;
mod uri;

use std::io::{self, BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub use server::Server;
pub use uri::from_path as file_uri;

/// Serves one client on `input` and `output` until it sends `exit` or the stream ends;
/// returns the exit code the protocol asks for (0 after `shutdown`, else 1).
pub fn serve(
    input: &mut impl BufRead,
    output: &mut impl Write,
    log: &mut impl Write,
) -> io::Result<i32> {
    let mut server = Server::new();
    while let Some(frame) = transport::read(input)? {
        let replies = match frame {
            transport::Frame::Body(body) => {
                // A bug must not end the editing session: the message is answered with
                // an error and the session goes on.
                match catch_unwind(AssertUnwindSafe(|| server.handle_text(&body))) {
                    Ok(replies) => replies,
                    Err(_) => {
                        let _ = writeln!(
                            log,
                            "fluxo lsp: internal error on a message; it was dropped"
                        );
                        Vec::new()
                    }
                }
            }
            transport::Frame::Invalid(why) => {
                let _ = writeln!(log, "fluxo lsp: skipped a malformed message: {why}");
                Vec::new()
            }
        };
        for reply in replies {
            transport::write(output, &reply)?;
        }
        if let Some(code) = server.exit_code() {
            return Ok(code);
        }
    }
    Ok(1)
}

/// [`serve`] on the process's standard streams.
pub fn serve_stdio() -> io::Result<i32> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    serve(&mut stdin.lock(), &mut stdout.lock(), &mut io::stderr())
}

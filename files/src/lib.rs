//! Reading the files of a Fluxo program, bounded: the one reader of the CLI (flows,
//! scripts, transcripts, fixtures, Opa JSON, `.fxb` programs, configuration) and of the
//! language server (the workspace's `.flow` files and the scripts they name).
//!
//! Only regular files are read, and no more than the [`Limit`] of their kind. Opening a
//! FIFO waits for a writer and `/dev/zero` never ends, so the kind of file is checked
//! before opening, and again on the handle, opened without waiting: the path may have
//! been swapped for a FIFO in between. A file that grows while it is read costs at most
//! one byte past the limit. Errors say which kind of file was met or how large it was,
//! and [`describe`] words any I/O error as both tools report it.
//!
//! It knows nothing of the language: which files make a program is the callers'
//! business (the compiler does no I/O; it says which scripts it wants).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// How large a file of one kind may be, and the kind's name for the error that says so.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub bytes: u64,
    pub what: &'static str,
}

/// Flows, Low Code scripts, transcripts, fixtures, Opa JSON documents and `.fxb`
/// programs: three times the largest real input (the build scaling bench compiles a
/// 20 MB source), small enough that a file named by mistake or by a hostile header
/// cannot take the machine's memory.
pub const INPUT: Limit = Limit {
    bytes: 64 << 20,
    what: "an input file",
};

/// `fluxo.toml` and the server's configuration: a few hundred lines written by hand.
pub const CONFIG: Limit = Limit {
    bytes: 1 << 20,
    what: "a configuration file",
};

/// The bytes of the regular file at `path`, refused when it is anything else (a FIFO,
/// a device, a folder) or larger than `limit`.
pub fn read_limited(path: &Path, limit: Limit) -> io::Result<Vec<u8>> {
    // Checked before opening: opening a FIFO waits for a writer.
    check_file(&std::fs::metadata(path)?, limit)?;
    let file = open_regular(path, limit)?;
    // And the length may grow while it is read.
    take_limited(file, limit)
}

/// [`read_limited`] for text; bytes that are not UTF-8 are an
/// [`io::ErrorKind::InvalidData`] error.
pub fn read_text(path: &Path, limit: Limit) -> io::Result<String> {
    String::from_utf8(read_limited(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8 text"))
}

/// Reads `reader` (standard input, or a file already checked) to its end, refusing it
/// when it holds more than `limit`: at most one byte past the limit is read, so that a
/// longer stream is refused having cost no more than the limit.
pub fn take_limited(reader: impl Read, limit: Limit) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit.bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(io::Error::other(format!(
            "more than the {} allowed for {}",
            mib(limit),
            limit.what
        )));
    }
    Ok(bytes)
}

/// An I/O error as the end of a sentence ("no such file or directory"), without the
/// operating system's error number: the reason the CLI prints after a path and the
/// language server logs.
pub fn describe(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::InvalidData => "not valid UTF-8 text".to_string(),
        _ => err.to_string(),
    }
}

/// The file at `path`, opened without waiting and checked on the handle: the path may
/// have been swapped for a FIFO since it was checked. (`O_NONBLOCK` changes nothing
/// for a regular file's reads.)
fn open_regular(path: &Path, limit: Limit) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    check_file(&file.metadata()?, limit)?;
    Ok(file)
}

fn check_file(meta: &Metadata, limit: Limit) -> io::Result<()> {
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "not a regular file ({}); only regular files are read",
            file_kind(meta)
        )));
    }
    if meta.len() > limit.bytes {
        return Err(io::Error::other(format!(
            "{} bytes, more than the {} allowed for {}",
            meta.len(),
            mib(limit),
            limit.what
        )));
    }
    Ok(())
}

fn mib(limit: Limit) -> String {
    format!("{} MiB", limit.bytes >> 20)
}

/// What a file that is not a regular file is, in words.
fn file_kind(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    use std::path::PathBuf;
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// A fresh folder for one test, removed when the test ends.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("fluxo-files-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn join(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn mkfifo(path: &Path) {
        let name = CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    /// What `read` answers, run on a thread so that a read that waits for a FIFO's
    /// writer fails the test instead of hanging it (a guard, not a timing).
    fn without_waiting<T: Send + 'static>(
        read: impl FnOnce() -> io::Result<T> + Send + 'static,
    ) -> io::Result<T> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || tx.send(read()));
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the read waited for a writer")
    }

    fn refusal(result: io::Result<impl std::fmt::Debug>) -> String {
        describe(&result.unwrap_err())
    }

    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = Scratch::new("fifo");
        let fifo = dir.join("x.flow");
        mkfifo(&fifo);
        let refused = "not a regular file (a FIFO); only regular files are read";
        let path = fifo.clone();
        assert_eq!(
            refusal(without_waiting(move || read_text(&path, INPUT))),
            refused
        );
        // As if the path became a FIFO after `read_limited`'s first check: the open
        // itself must not wait.
        assert_eq!(
            refusal(without_waiting(move || open_regular(&fifo, INPUT))),
            refused
        );
    }

    #[test]
    fn folders_and_devices_are_refused_by_kind() {
        let dir = Scratch::new("kinds");
        assert_eq!(
            refusal(read_limited(&dir.0, INPUT)),
            "not a regular file (a folder); only regular files are read"
        );
        let zero = "not a regular file (a character device); only regular files are read";
        assert_eq!(refusal(read_limited(Path::new("/dev/zero"), INPUT)), zero);
        // A link is followed: what it points at is what would be read.
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero.flow")).unwrap();
        assert_eq!(refusal(read_text(&dir.join("zero.flow"), INPUT)), zero);
    }

    #[test]
    fn a_file_past_the_limit_is_refused_by_its_size_unread() {
        let dir = Scratch::new("size");
        let (exact, over) = (dir.join("exact.toml"), dir.join("over.toml"));
        // Sparse: the size is what is checked, nothing is written.
        File::create(&exact)
            .and_then(|it| it.set_len(CONFIG.bytes))
            .unwrap();
        File::create(&over)
            .and_then(|it| it.set_len(CONFIG.bytes + 1))
            .unwrap();
        assert_eq!(
            read_limited(&exact, CONFIG).unwrap().len() as u64,
            CONFIG.bytes
        );
        assert_eq!(
            refusal(read_limited(&over, CONFIG)),
            "1048577 bytes, more than the 1 MiB allowed for a configuration file"
        );
        File::create(&over)
            .and_then(|it| it.set_len(INPUT.bytes + 1))
            .unwrap();
        assert_eq!(
            refusal(read_limited(&over, INPUT)),
            "67108865 bytes, more than the 64 MiB allowed for an input file"
        );
    }

    #[test]
    fn a_file_growing_past_the_limit_after_its_check_is_refused() {
        let dir = Scratch::new("growing");
        let path = dir.join("growing.toml");
        std::fs::write(&path, "a = 1\n").unwrap();
        let file = open_regular(&path, CONFIG).unwrap();
        // Written to after the checks, before the read.
        let mut writer = OpenOptions::new().append(true).open(&path).unwrap();
        writer
            .write_all(&vec![b'#'; CONFIG.bytes as usize])
            .unwrap();
        assert_eq!(
            refusal(take_limited(file, CONFIG)),
            "more than the 1 MiB allowed for a configuration file"
        );
    }

    #[test]
    fn a_stream_is_read_up_to_its_limit_and_refused_past_it() {
        let exact = take_limited(io::repeat(b'a').take(CONFIG.bytes), CONFIG);
        assert_eq!(exact.unwrap().len() as u64, CONFIG.bytes);
        // A stream that never ends, as `/dev/zero` piped to standard input.
        assert_eq!(
            refusal(take_limited(io::repeat(0), CONFIG)),
            "more than the 1 MiB allowed for a configuration file"
        );
    }

    #[test]
    fn text_and_missing_files_are_worded_for_a_sentence() {
        let dir = Scratch::new("text");
        let latin1 = dir.join("latin1.flow");
        std::fs::write(&latin1, b"say \"ol\xe1\"\n").unwrap();
        assert_eq!(refusal(read_text(&latin1, INPUT)), "not valid UTF-8 text");
        assert_eq!(
            refusal(read_text(&dir.join("nowhere.flow"), INPUT)),
            "no such file or directory"
        );
        std::fs::write(dir.join("oi.flow"), "flow oi {}\n").unwrap();
        assert_eq!(
            read_text(&dir.join("oi.flow"), INPUT).unwrap(),
            "flow oi {}\n"
        );
    }
}

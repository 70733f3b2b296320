//! Hostile files given to the `fluxo` binary (issue 18), run as a child process with
//! its data segment limited to 256 MiB (`setrlimit(RLIMIT_DATA)`, which counts the heap
//! and private writable mappings, not the mapped binary): each is refused cleanly or
//! read, and none exits with a signal or 101.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fluxo_runtime::bytecode::format::{catalogue_fingerprint, FLAG_DEFLATE, MAGIC, VERSION};
use fluxo_runtime::bytecode::hash::crc32;

const LIMIT: u64 = 256 << 20;

fn fluxo(args: &[&Path]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fluxo"));
    command.args(args);
    limit_memory(&mut command);
    command.output().expect("the fluxo binary runs")
}

/// Limits the child's data segment to [`LIMIT`].
fn limit_memory(command: &mut Command) {
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: LIMIT,
                rlim_max: LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_DATA, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxo-hostile-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Exited by itself with `code`, not by a signal or a panic.
fn assert_exit(out: &Output, code: i32) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(code), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn transcripts_from_any_editor_are_read_or_refused() {
    let dir = temp_dir("chat");
    std::fs::write(
        dir.join("oi.flow"),
        "flow main {\n    say \"Olá!\"\n    end\n}\n",
    )
    .expect("flow");
    std::fs::write(dir.join("bom.chat"), "\u{feff}< Olá!\n= end\n").expect("chat");
    std::fs::write(dir.join("acento.chat"), "< Olá!\nÉ isso\n").expect("chat");
    let passes = fluxo(&[Path::new("test"), &dir.join("bom.chat")]);
    let refused = fluxo(&[Path::new("test"), &dir.join("acento.chat")]);
    std::fs::remove_dir_all(&dir).ok();
    assert_exit(&passes, 0);
    assert_exit(&refused, 1);
    let text = String::from_utf8_lossy(&refused.stderr).to_string()
        + &String::from_utf8_lossy(&refused.stdout);
    assert!(text.contains("line 2"), "{text}");
}

/// A 65 KB `.fxb` whose payload inflates to 64 MiB: a strings section of 64 million
/// empty strings (one byte each, 24 bytes decoded: 1.6 GB before the decode budget).
fn deflate_bomb() -> Vec<u8> {
    let count: u32 = (64 << 20) - 64;
    let mut section = Vec::new();
    let mut value = count;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            section.push(byte);
            break;
        }
        section.push(byte | 0x80);
    }
    let body_len = section.len() + count as usize;
    let mut payload = vec![1, 2, 0, 0, 2];
    let mut value = body_len as u32;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            payload.push(byte);
            break;
        }
        payload.push(byte | 0x80);
    }
    payload.extend_from_slice(&section);
    payload.resize(payload.len() + count as usize, 0);
    let mut stored = (payload.len() as u32).to_le_bytes().to_vec();
    stored.extend(miniz_oxide::deflate::compress_to_vec(&payload, 9));
    let mut file = MAGIC.to_vec();
    file.extend_from_slice(&VERSION.to_le_bytes());
    file.extend_from_slice(&FLAG_DEFLATE.to_le_bytes());
    file.extend_from_slice(&0u64.to_le_bytes());
    file.extend_from_slice(&catalogue_fingerprint().to_le_bytes());
    file.extend_from_slice(&(stored.len() as u32).to_le_bytes());
    file.extend_from_slice(&crc32(&stored).to_le_bytes());
    file.extend_from_slice(&stored);
    file
}

#[test]
fn a_deflate_bomb_is_refused_within_the_memory_limit() {
    let dir = temp_dir("fxb");
    let bomb = deflate_bomb();
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    let path = dir.join("bomba.fxb");
    std::fs::write(&path, &bomb).expect("fxb");
    let out = fluxo(&[Path::new("disasm"), &path]);
    std::fs::remove_dir_all(&dir).ok();
    assert_exit(&out, 1);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("MiB of memory a program may take"), "{text}");
}

/// Every file the CLI reads goes through one bounded reader (`src/files.rs`): only
/// regular files, no larger than their kind's limit, standard input included. Each
/// command is run on a FIFO (nobody ever writes to it: a blocking open would hang),
/// `/dev/zero` (a read that never ends), a folder and a sparse file past the limit
/// (no disk used), named directly or by a `.chat`'s headers; the texts are the
/// snapshot.
mod bounded_reads {
    use std::ffi::CString;
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::temp_dir;

    /// Past every input limit (64 MiB) by one byte.
    const TOO_BIG: u64 = (64 << 20) + 1;

    /// Runs `fluxo args` in `dir`, stdin fed `stdin`, and returns the line the
    /// snapshot shows: the exit code and what it printed. A run still going after a minute is killed and reported: the
    /// guard keeps a broken check from hanging the suite, it times nothing.
    fn run(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> String {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fluxo"));
        command
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        super::limit_memory(&mut command);
        let mut child = command.spawn().expect("the fluxo binary runs");
        if let Some(bytes) = stdin {
            let mut pipe = child.stdin.take().expect("stdin");
            // The child stops reading at its limit: a broken pipe is expected.
            std::thread::spawn(move || pipe.write_all(&bytes));
        }
        let start = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if start.elapsed() > Duration::from_secs(60) {
                child.kill().ok();
                child.wait().ok();
                return format!("$ fluxo {} → HUNG (killed)", args.join(" "));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().expect("output");
        let said = String::from_utf8_lossy(&out.stderr) + String::from_utf8_lossy(&out.stdout);
        let said: Vec<&str> = said.lines().filter(|it| !it.trim().is_empty()).collect();
        let code = out
            .status
            .code()
            .map_or_else(|| format!("{:?}", out.status), |it| it.to_string());
        format!(
            "$ fluxo {} → exit {code}: {}",
            args.join(" "),
            said.join(" / ")
        )
    }

    fn mkfifo(path: &Path) {
        let name = CString::new(path.as_os_str().as_bytes()).expect("path");
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    fn sparse(path: &Path) {
        std::fs::File::create(path)
            .and_then(|file| file.set_len(TOO_BIG))
            .expect("sparse file");
    }

    #[test]
    fn every_command_refuses_devices_fifos_folders_and_huge_files() {
        let dir = temp_dir("bounded");
        let flow = "flow main {\n    say \"Olá!\"\n    end\n}\n";
        std::fs::write(dir.join("oi.flow"), flow).expect("flow");
        let scripted = format!("script sinal \"fifo.rhai\" -> {{ x: text }}\n{flow}");
        std::fs::write(dir.join("script.flow"), scripted).expect("flow");
        for name in [
            "fifo.rhai",
            "fifo.flow",
            "fifo.fxb",
            "fifo.json",
            "fifo.chat",
            "fifo.toml",
        ] {
            mkfifo(&dir.join(name));
        }
        for name in ["big.flow", "big.fxb", "big.json", "big.chat", "big.toml"] {
            sparse(&dir.join(name));
        }
        std::fs::create_dir(dir.join("pasta.json")).expect("folder");
        let chats = [
            ("program-zero", "@program /dev/zero"),
            ("program-fifo", "@program fifo.flow"),
            ("program-big", "@program big.flow"),
            ("program-fxb-fifo", "@program fifo.fxb"),
            ("erp-zero", "@program oi.flow\n@erp /dev/zero"),
            ("erp-fifo", "@program oi.flow\n@erp fifo.json"),
            ("erp-big", "@program oi.flow\n@erp big.json"),
            ("erp-folder", "@program oi.flow\n@erp pasta.json"),
        ];
        for (name, header) in chats {
            let text = format!("{header}\n< Olá!\n= end\n");
            std::fs::write(dir.join(format!("{name}.chat")), text).expect("chat");
        }
        let mut lines = Vec::new();
        let mut each = |args: &[&str]| lines.push(run(&dir, args, None));
        for path in ["/dev/zero", "fifo.flow", "big.flow"] {
            each(&["check", path]);
            each(&["build", path, "-o", "out.fxb"]);
            each(&["fmt", path]);
            each(&["run", path]);
        }
        each(&["check", "script.flow"]);
        for (name, _) in chats {
            each(&["test", &format!("{name}.chat")]);
        }
        each(&["test", "fifo.chat"]);
        each(&["test", "big.chat"]);
        for path in ["/dev/zero", "fifo.json", "big.json", "pasta.json"] {
            each(&["import", path, "-o", "importado"]);
            each(&["run", "oi.flow", "--fixture", path]);
        }
        for path in ["/dev/zero", "fifo.fxb", "big.fxb", "pasta.json"] {
            each(&["disasm", path]);
        }
        for path in ["/dev/zero", "fifo.toml", "big.toml"] {
            each(&["serve", "oi.flow", "--data", "dados", "--config", path]);
        }
        for path in ["/dev/zero", "fifo.fxb", "big.fxb"] {
            each(&["serve", path, "--data", "dados"]);
        }
        let past_limit = vec![b'\n'; TOO_BIG as usize];
        lines.push(run(&dir, &["check", "-"], Some(past_limit.clone())));
        lines.push(run(&dir, &["disasm", "-"], Some(past_limit)));
        std::fs::remove_dir_all(&dir).ok();
        let text = lines.join("\n").replace(&dir.display().to_string(), "$DIR");
        assert!(!text.contains("HUNG"), "{text}");
        assert!(!text.contains("panicked"), "{text}");
        insta::assert_snapshot!(text);
    }
}

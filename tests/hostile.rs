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
    command.output().expect("the fluxo binary runs")
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

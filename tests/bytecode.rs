//! Bytecode: every example and test program compiles to a verified program, survives
//! `.fxb` encode → decode unchanged, and disassembles as its snapshot says; and no
//! mutation of real program bytes can make loading panic — a load either fails with an
//! error or returns a program that passes the verifier again.

use std::path::{Path, PathBuf};

use fluxo_compiler::{compile, CompileOptions, Sources};
use fluxo_runtime::bytecode::disasm::disassemble;
use fluxo_runtime::bytecode::{Program, OPCODES};
use proptest::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn flow_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(flow_files(&path));
        } else if path.extension().is_some_and(|e| e == "flow") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Each program to test: a name and its files. An example folder is one program; a
/// test flow file is one program.
fn programs() -> Vec<(String, Vec<PathBuf>)> {
    let mut out = Vec::new();
    let examples = root().join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&examples)
        .map(|it| it.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let name = format!(
            "examples/{}",
            dir.file_name().unwrap_or_default().to_string_lossy()
        );
        if dir.is_dir() {
            out.push((name, flow_files(&dir)));
        } else if dir.extension().is_some_and(|e| e == "flow") {
            out.push((name, vec![dir]));
        }
    }
    for folder in ["tests/data/bytecode", "tests/data/check/ok"] {
        for file in flow_files(&root().join(folder)) {
            let name = file
                .strip_prefix(root())
                .unwrap_or(&file)
                .to_string_lossy()
                .to_string();
            out.push((name, vec![file]));
        }
    }
    out
}

fn sources(files: &[PathBuf]) -> Sources {
    let mut sources = Sources::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let name = file
            .strip_prefix(root())
            .unwrap_or(file)
            .to_string_lossy()
            .to_string();
        sources.add(name, text);
    }
    sources
}

fn compiled(files: &[PathBuf]) -> Program {
    let sources = sources(files);
    let res = compile(&sources, &CompileOptions::default());
    let errors: Vec<_> = res.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{files:?} does not compile: {errors:#?}");
    let Some(program) = res.program else {
        panic!("{files:?}: no program and no errors");
    };
    program
}

fn source_line(files: &[PathBuf]) -> impl Fn(&str, u32) -> Option<String> + '_ {
    move |name: &str, line: u32| {
        let file = files
            .iter()
            .find(|it| it.strip_prefix(root()).unwrap_or(it).to_string_lossy() == name)?;
        let text = std::fs::read_to_string(file).ok()?;
        text.lines()
            .nth(line.checked_sub(1)? as usize)
            .map(str::to_string)
    }
}

#[test]
fn every_program_compiles_round_trips_and_disassembles() {
    let programs = programs();
    assert!(programs.iter().any(|(name, _)| name == "examples/provedor"));
    assert!(
        programs
            .iter()
            .filter(|(name, _)| name.starts_with("tests/data/bytecode/"))
            .count()
            >= 4
    );
    for (name, files) in &programs {
        let program = compiled(files);
        let bytes = program.to_bytes();
        let loaded = Program::from_bytes(&bytes).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(loaded, program, "{name}: decode(encode(p)) != p");
        assert_eq!(
            loaded.to_bytes(),
            bytes,
            "{name}: encoding is not deterministic"
        );
        if name.starts_with("examples/") || name.starts_with("tests/data/bytecode/") {
            let lookup = source_line(files);
            let text = disassemble(&program, Some(&lookup));
            let snapshot = name.replace(['/', '.'], "_");
            insta::assert_snapshot!(snapshot, text);
        }
    }
}

#[test]
fn build_then_disasm_works_on_every_program() {
    let out_dir = std::env::temp_dir().join(format!("fluxo-bytecode-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("temp dir");
    for (idx, (name, files)) in programs().iter().enumerate() {
        let input = if name.starts_with("examples/") {
            root().join(name)
        } else {
            files[0].clone()
        };
        let fxb = out_dir.join(format!("{idx}.fxb"));
        let build = std::process::Command::new(env!("CARGO_BIN_EXE_fluxo"))
            .current_dir(root())
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(&fxb)
            .output()
            .expect("run fluxo build");
        assert!(
            build.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&build.stderr)
        );
        let disasm = std::process::Command::new(env!("CARGO_BIN_EXE_fluxo"))
            .current_dir(root())
            .arg("disasm")
            .arg(&fxb)
            .output()
            .expect("run fluxo disasm");
        assert!(
            disasm.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&disasm.stderr)
        );
        let text = String::from_utf8_lossy(&disasm.stdout);
        assert!(text.contains("flow main"), "{name}: {text}");
        // The sources are found from the paths recorded at build time.
        assert!(text.contains(" | "), "{name}: no source lines in\n{text}");
    }
    let broken = out_dir.join("broken.fxb");
    std::fs::write(&broken, b"FXB\0\x01\x00").expect("write");
    let disasm = std::process::Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("disasm")
        .arg(&broken)
        .output()
        .expect("run fluxo disasm");
    assert_eq!(disasm.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&disasm.stderr).contains("unexpected end of the file"));
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// Real program bytes to mutate: the smallest test flow and the largest example,
/// compiled once for all cases, each stored plain (so mutations reach the section
/// parser) and deflated (so they reach the inflater).
fn samples() -> &'static [Vec<u8>] {
    static SAMPLES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(|| {
        let small = compiled(&[root().join("tests/data/bytecode/minimal.flow")]);
        let provedor = compiled(&flow_files(&root().join("examples/provedor")));
        vec![
            small.to_plain_bytes(),
            provedor.to_plain_bytes(),
            small.to_bytes(),
            provedor.to_bytes(),
        ]
    })
}

/// Loading either fails cleanly or yields a program that verifies and re-encodes.
fn load_is_sound(bytes: &[u8]) {
    if let Ok(program) = Program::from_bytes(bytes) {
        assert!(program.verify().is_ok());
        let again = Program::from_bytes(&program.to_bytes());
        assert_eq!(again.as_ref().ok(), Some(&program));
    }
}

/// The bytes with the payload checksum recomputed, so mutations reach the parser and
/// the verifier instead of stopping at the checksum.
fn rechecksummed(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.len() >= 32 {
        let crc = fluxo_runtime::bytecode::hash::crc32(&bytes[32..]);
        bytes[28..32].copy_from_slice(&crc.to_le_bytes());
    }
    bytes
}

#[test]
fn every_bit_flip_of_a_small_program_loads_soundly() {
    let small = &samples()[0];
    let mut rejected = 0;
    for pos in 0..small.len() {
        for bit in 0..8 {
            let mut bytes = small.clone();
            bytes[pos] ^= 1 << bit;
            // The source hash (bytes 8..16) is informative and outside the checksum.
            if !(8..16).contains(&pos) {
                assert!(
                    Program::from_bytes(&bytes).is_err(),
                    "flip {pos}.{bit} was not detected"
                );
            }
            let fixed = rechecksummed(bytes);
            load_is_sound(&fixed);
            rejected += usize::from(Program::from_bytes(&fixed).is_err());
        }
    }
    assert!(rejected > 0);
}

#[test]
fn every_truncation_and_extension_is_refused() {
    for sample in samples() {
        let sample = sample.clone();
        for len in 0..sample.len() {
            let cut = &sample[..len];
            assert!(
                Program::from_bytes(cut).is_err(),
                "truncation to {len} loaded"
            );
            load_is_sound(&rechecksummed(cut.to_vec()));
        }
        for extra in [&[0u8][..], &[0xff, 0xff], b"FXB\0"] {
            let mut long = sample.clone();
            long.extend_from_slice(extra);
            assert!(Program::from_bytes(&long).is_err());
        }
    }
}

#[test]
fn byte_swaps_and_seeded_overwrites_load_soundly() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for sample in samples() {
        let sample = sample.clone();
        let len = sample.len();
        for _ in 0..2000 {
            let mut bytes = sample.clone();
            let a = (next() as usize) % len;
            let b = (next() as usize) % len;
            bytes.swap(a, b);
            load_is_sound(&rechecksummed(bytes.clone()));
            let start = 32 + (next() as usize) % (len - 32);
            let chunk = 1 + (next() as usize) % 8;
            let end = (start + chunk).min(len);
            for byte in &mut bytes[start..end] {
                *byte = next() as u8;
            }
            load_is_sound(&rechecksummed(bytes));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_load_soundly(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        load_is_sound(&bytes);
        let mut framed = samples()[0][..32].to_vec();
        framed.extend_from_slice(&bytes);
        let len = u32::try_from(bytes.len()).unwrap_or(0);
        framed[24..28].copy_from_slice(&len.to_le_bytes());
        load_is_sound(&rechecksummed(framed));
    }

    #[test]
    fn random_overwrites_of_real_programs_load_soundly(
        which in 0usize..4,
        at in any::<prop::sample::Index>(),
        chunk in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let mut bytes = samples()[which].clone();
        let start = at.index(bytes.len());
        for (i, byte) in chunk.iter().enumerate() {
            if let Some(slot) = bytes.get_mut(start + i) {
                *slot = *byte;
            }
        }
        load_is_sound(&rechecksummed(bytes));
    }
}

#[test]
fn a_program_from_another_format_version_is_refused_with_its_offset() {
    let mut bytes = samples()[0].clone();
    bytes[4] = 99;
    let err = Program::from_bytes(&bytes).err().map(|it| it.to_string());
    assert_eq!(
        err.as_deref(),
        Some("at byte 4 (0x4): bytecode format version 99 is not supported (this runtime reads version 1); rebuild the program")
    );
}

#[test]
fn programs_are_stored_deflated_and_load_either_way() {
    let provedor = compiled(&flow_files(&root().join("examples/provedor")));
    let (deflated, plain) = (provedor.to_bytes(), provedor.to_plain_bytes());
    assert_eq!(&deflated[6..8], &[1, 0], "the deflate flag");
    assert_eq!(&plain[6..8], &[0, 0]);
    // Under two thirds: the example is mostly Portuguese text, which deflates well.
    assert!(
        3 * deflated.len() < 2 * plain.len(),
        "{} vs {}",
        deflated.len(),
        plain.len()
    );
    assert_eq!(Program::from_bytes(&deflated).ok(), Some(provedor.clone()));
    assert_eq!(Program::from_bytes(&plain).ok(), Some(provedor));
}

/// `bytes` with its stored payload replaced by `stored`, length and checksum fixed.
fn restored(bytes: &[u8], flags: u16, stored: &[u8]) -> Vec<u8> {
    let mut out = bytes[..32].to_vec();
    out[6..8].copy_from_slice(&flags.to_le_bytes());
    let len = u32::try_from(stored.len()).unwrap_or(u32::MAX);
    out[24..28].copy_from_slice(&len.to_le_bytes());
    out.extend_from_slice(stored);
    rechecksummed(out)
}

#[test]
fn a_bad_deflated_payload_is_refused_in_words() {
    let deflated = &samples()[3];
    let error = |bytes: &[u8]| Program::from_bytes(bytes).err().map(|it| it.to_string());
    let stream = &deflated[36..];

    let mut huge = (64u32 << 20) + 1;
    let bomb = [&huge.to_le_bytes()[..], stream].concat();
    assert_eq!(
        error(&restored(deflated, 1, &bomb)).as_deref(),
        Some("at byte 32 (0x20): malformed program: the deflated payload declares 67108865 bytes, more than the 67108864 a program may have")
    );
    huge = u32::from_le_bytes([deflated[32], deflated[33], deflated[34], deflated[35]]) + 1;
    let longer = [&huge.to_le_bytes()[..], stream].concat();
    let message = error(&restored(deflated, 1, &longer)).unwrap_or_default();
    assert!(message.contains("inflates to"), "{message}");
    let garbage = [&deflated[32..36], &[0xff; 40][..]].concat();
    let message = error(&restored(deflated, 1, &garbage)).unwrap_or_default();
    assert!(message.contains("does not inflate"), "{message}");
    assert_eq!(
        error(&restored(deflated, 1, &[1, 0])).as_deref(),
        Some("at byte 32 (0x20): unexpected end of the file")
    );
    assert_eq!(
        error(&restored(deflated, 2, stream)).as_deref(),
        Some("at byte 6 (0x6): malformed program: unknown header flags 0x0002")
    );
}

#[test]
fn docs_list_every_opcode() {
    let mut table = String::from("| byte | op | operands | stack | doc |\n|---|---|---|---|---|\n");
    for op in OPCODES {
        let operands: Vec<String> = op
            .operands
            .iter()
            .map(|it| format!("{}:{:?}", it.name, it.kind))
            .collect();
        table.push_str(&format!(
            "| 0x{:02x} | `{}` | {} | {} → {} | {} |\n",
            op.code,
            op.name,
            operands.join(", "),
            op.pops,
            op.pushes,
            op.doc
        ));
    }
    let path = root().join("docs/bytecode.md");
    let docs = std::fs::read_to_string(&path).unwrap_or_default();
    let begin = "<!-- opcodes:begin -->\n";
    let end = "<!-- opcodes:end -->";
    let current = docs
        .split_once(begin)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(table, _)| table.to_string());
    if current.as_deref() != Some(table.as_str()) {
        if std::env::var_os("FLUXO_BLESS").is_some() {
            if let Some((head, rest)) = docs.split_once(begin) {
                if let Some((_, tail)) = rest.split_once(end) {
                    let blessed = format!("{head}{begin}{table}{end}{tail}");
                    if std::fs::write(&path, blessed).is_ok() {
                        return;
                    }
                }
            }
        }
        panic!("docs/bytecode.md's instruction table is stale; rerun with `./bless`\n{table}");
    }
}

/// `fluxo disasm` on a program whose file table names `name`, from `cwd`: its output.
fn disasm_naming(name: &str, dir: &Path) -> String {
    let mut program = compiled(&[root().join("tests/data/bytecode/minimal.flow")]);
    program.files = vec![name.to_string()];
    let fxb = dir.join("hostile.fxb");
    std::fs::write(&fxb, program.to_bytes()).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .current_dir(dir)
        .arg("disasm")
        .arg(&fxb)
        .output()
        .expect("run fluxo disasm");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("flow main"), "{name}: {text}");
    text
}

#[test]
fn disasm_reads_sources_only_from_the_folders_the_user_points_at() {
    let dir = std::env::temp_dir().join(format!("fluxo-disasm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A real source beside the .fxb is found by its file name and shown.
    std::fs::write(
        dir.join("ok.flow"),
        "//\nflow main {\n    say \"from ok.flow\"\n}\n",
    )
    .expect("write");
    assert!(disasm_naming("elsewhere/ok.flow", &dir).contains("from ok.flow"));
    // Neither a system file nor a device, named directly or through a link beside the
    // .fxb, is read: no line of them shows, and a device that never ends does not hang.
    std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd.flow")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.flow")).expect("symlink");
    for name in [
        "/etc/passwd",
        "../../etc/passwd",
        "passwd.flow",
        "/dev/zero",
        "zero.flow",
    ] {
        let text = disasm_naming(name, &dir);
        assert!(
            !text.contains(":x:") && !text.contains('\0'),
            "{name}: {text}"
        );
        assert!(!text.contains(" | "), "{name} shows a source line: {text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

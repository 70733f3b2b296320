//! The CLI's own modules, compiled into the fuzz crate by path, so that the `chat`,
//! `disasm` and `import` targets drive the very functions `fluxo test`, `fluxo disasm`
//! and `fluxo import` run (the binary's modules are not a library: its library half
//! has only `files`, and depending on the root package would build the server too).
//! Each `#[path]` names the file the CLI compiles; nothing here is a copy.

#![allow(dead_code)]

#[path = "../../src/files.rs"]
pub mod files;

#[path = "../../src/report.rs"]
pub mod report;

#[path = "../../src/chat/mod.rs"]
pub mod chat;

#[path = "../../src/cmd/disasm.rs"]
pub mod disasm;
#[path = "../../src/cmd/export.rs"]
pub mod export;
#[path = "../../src/cmd/import.rs"]
pub mod import;
#[path = "../../src/cmd/test.rs"]
pub mod test;

/// The commands, where the CLI has them (`crate::cmd::export::relative`).
pub mod cmd {
    pub use super::{disasm, export, import, test};
}

/// A fresh scratch folder for this process, under the system's temporary folder.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxo-fuzz-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

//! One module per subcommand, each with its clap `Args` and a `run` returning the exit code.

pub mod build;
pub mod cards;
pub mod check;
pub mod disasm;
pub mod explain;
pub mod export;
pub mod fmt;
pub mod graph;
pub mod import;
pub mod lsp;
pub mod report;
pub mod run;
pub mod serve;
pub mod test;

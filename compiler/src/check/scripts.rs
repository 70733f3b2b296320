//! Low Code scripts: finding the files a program's `script` items name, and checking
//! that each compiles in the Low Code sandbox.
//!
//! The compiler reads no files. [`wanted_scripts`] works out where each script is (its
//! path is relative to the `.flow` file that declares it); the host reads them and puts
//! the answers into the [`Sources`]. The checker step [`check`] then compiles every
//! script the host supplied with `fluxo_lowcode::compile`, the function the host loads
//! scripts with, so a script that passes here loads there.
//! A script the host did not supply (an in-memory program) is not checked.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use fluxo_grammar::ast::{self, Span};
use fluxo_grammar::FileId;

use super::{Cx, Loc, Problem};
use crate::source::{ScriptFile, Sources};
use crate::ParsedFile;

/// A script that a `script` item of the program names: what the host should read
/// and record in the [`Sources`] (`add_script`, or `add_unreadable_script` when it
/// cannot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WantedScript {
    /// The flow file whose `script` item names it.
    pub from: FileId,
    /// The path as the item writes it.
    pub path: String,
    /// Where it is: `path` relative to the folder of the flow file's name (the names
    /// are paths, as the CLI gives them).
    pub resolved: PathBuf,
}

/// The script of every `script` item of the program's flow files, in order.
pub fn wanted_scripts(sources: &Sources) -> Vec<WantedScript> {
    scripts_wanted_by(sources, &crate::parse_all(sources).0)
}

/// [`wanted_scripts`] from the flow files already parsed ([`crate::parse_all`]), so that
/// a host which then checks them parses each file once.
pub fn scripts_wanted_by(sources: &Sources, files: &[ParsedFile]) -> Vec<WantedScript> {
    let mut wanted = Vec::new();
    for file in files {
        let Some(source) = sources.get(file.id) else {
            continue;
        };
        for item in &file.ast.items {
            if let ast::ItemKind::Script(script) = &item.kind {
                let path = script.path.display();
                let resolved = resolve(&source.name, &path);
                wanted.push(WantedScript {
                    from: file.id,
                    path,
                    resolved,
                });
            }
        }
    }
    wanted
}

/// Where the script `path` of the flow file called `flow_name` is.
fn resolve(flow_name: &str, path: &str) -> PathBuf {
    match Path::new(flow_name).parent() {
        Some(dir) => dir.join(path),
        None => PathBuf::from(path),
    }
}

/// Reports every declared script the host could not read (E0418) or that does not
/// compile (E0417, pointing into the script). A file shared by several items is
/// compiled and reported once.
pub(crate) fn check(cx: &mut Cx, files: &[ParsedFile], sources: &Sources) {
    let mut compiled: HashSet<FileId> = HashSet::new();
    let scripts = cx.program.scripts.clone();
    for info in &scripts {
        let Some(declared) = path_loc(files, info.loc.file, info.item) else {
            continue;
        };
        match sources.script(info.loc.file, &info.path) {
            None => {}
            Some(ScriptFile::Unreadable { looked_for, reason }) => {
                cx.report(Problem::ScriptUnreadable {
                    at: declared,
                    path: info.path.clone(),
                    looked_for: looked_for.clone(),
                    reason: reason.clone(),
                });
            }
            Some(ScriptFile::Loaded(id)) => {
                if !compiled.insert(*id) {
                    continue;
                }
                let Some(file) = sources.get(*id) else {
                    continue;
                };
                if let Err(err) = fluxo_lowcode::compile(&info.name, &file.text) {
                    let start = sources.offset(*id, err.line, err.column);
                    cx.report(Problem::ScriptCompile {
                        at: Loc::new(*id, token_span(&file.text, start)),
                        declared,
                        script: info.name.clone(),
                        message: err.message,
                    });
                }
            }
        }
    }
}

/// The path string of the `script` item `item` of file `file`.
fn path_loc(files: &[ParsedFile], file: FileId, item: usize) -> Option<Loc> {
    let parsed = files.iter().find(|it| it.id == file)?;
    match &parsed.ast.items.get(item)?.kind {
        ast::ItemKind::Script(script) => Some(Loc::new(file, script.path.span)),
        _ => None,
    }
}

/// The word (a name or a number) at `start`, else the character there, else an empty
/// span at the end of a line or of the text: Rhai reports a position, not a range.
fn token_span(text: &str, start: u32) -> Span {
    let rest = text.get(start as usize..).unwrap_or("");
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let width = match rest.chars().next() {
        Some(c) if is_word(c) => rest.find(|c: char| !is_word(c)).unwrap_or(rest.len()),
        Some(c) if c != '\n' && c != '\r' => c.len_utf8(),
        _ => 0,
    };
    let start = start as usize;
    Span::new(start, start + width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_found_next_to_their_flow_file() {
        assert_eq!(
            resolve("examples/provedor/main.flow", "scripts/sinal.rhai"),
            Path::new("examples/provedor/scripts/sinal.rhai")
        );
        assert_eq!(resolve("main.flow", "s.rhai"), Path::new("s.rhai"));
    }

    #[test]
    fn every_script_item_is_wanted_relative_to_its_flow_file() {
        let mut sources = Sources::new();
        let flow = "script a \"a.rhai\" -> { x: number }\nscript b \"b.rhai\" -> { y: text }\n";
        let main = sources.add("p/main.flow", flow);
        sources.add_script(main, "a.rhai", "p/a.rhai", "#{ x: 1 }");
        let wanted = wanted_scripts(&sources);
        let found: Vec<(FileId, &str, &Path)> = wanted
            .iter()
            .map(|it| (it.from, it.path.as_str(), it.resolved.as_path()))
            .collect();
        assert_eq!(
            found,
            [
                (main, "a.rhai", Path::new("p/a.rhai")),
                (main, "b.rhai", Path::new("p/b.rhai"))
            ],
            "scripts already added are not parsed as flows"
        );
    }

    const FLOW: &str = "script a \"a.rhai\" -> { x: number }\n\
                        flow main {\n    lowcode(script: a) as r\n    say \"{r.x}\"\n    end\n}\n";

    fn codes(sources: &Sources) -> Vec<(&'static str, FileId, std::ops::Range<usize>)> {
        crate::check(sources)
            .diagnostics
            .iter()
            .map(|d| (d.code, d.primary.file, d.primary.span.range()))
            .collect()
    }

    #[test]
    fn a_script_error_points_into_the_script_once_per_file() {
        let mut sources = Sources::new();
        let main = sources.add("main.flow", FLOW);
        let other = sources.add("other.flow", "script b \"a.rhai\" -> { y: text }\n");
        let script =
            sources.add_script(main, "a.rhai", "a.rhai", "let y = 1;\nlet z = inptu;\n#{}");
        sources.add_script(other, "a.rhai", "a.rhai", "");
        // Script `b` is used nowhere (W0201): only the errors matter here.
        let errors: Vec<_> = codes(&sources)
            .into_iter()
            .filter(|(code, ..)| code.starts_with('E'))
            .collect();
        assert_eq!(errors, [("E0417", script, 19..24)]);
    }

    #[test]
    fn scripts_that_compile_or_were_not_supplied_are_quiet() {
        let mut sources = Sources::new();
        let main = sources.add("main.flow", FLOW);
        assert_eq!(codes(&sources), [], "not supplied: not checked");
        sources.add_script(main, "a.rhai", "a.rhai", "#{ x: input.n + 1 }");
        assert_eq!(codes(&sources), []);
    }

    #[test]
    fn an_unreadable_script_is_reported_at_its_path() {
        let mut sources = Sources::new();
        let main = sources.add("main.flow", FLOW);
        sources.add_unreadable_script(main, "a.rhai", "a.rhai", "permission denied");
        assert_eq!(codes(&sources), [("E0418", main, 9..17)]);
    }

    #[test]
    fn token_span_covers_the_word_at_the_position() {
        assert_eq!(token_span("let x = inptu.a;", 8).range(), 8..13);
        assert_eq!(token_span("aç;", 0).range(), 0..3);
        assert_eq!(token_span("a + b", 2).range(), 2..3);
        assert_eq!(token_span("a\nb", 1).range(), 1..1);
        assert_eq!(token_span("a", 1).range(), 1..1);
        assert_eq!(token_span("a", 9).range(), 9..9);
    }
}

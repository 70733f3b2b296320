//! Before a crash run: the program copied with the run's fixture (one family of
//! customers per conversation), the conversations, and their oracles, computed by
//! `fluxo run` two at a time.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::{Case, CrashOptions, CrashReport};
use crate::fixture::Families;
use crate::oracle::{Expected, Oracle};
use crate::script::{self, Conversation};
use crate::Result;

/// The program with the run's fixture, and the conversations with their oracles.
pub(super) fn prepare(
    options: &CrashOptions,
    report: &mut CrashReport,
) -> Result<(PathBuf, Vec<Case>)> {
    let program = options.work.join("program");
    let _ = std::fs::remove_dir_all(&options.work);
    copy_program(&options.program, &program)?;
    let demo = read(&options.program.join("erp-demo.json"))?;
    let families = Families::new(&demo)?;
    let chats = script::load_chats(&options.program)?;
    let fixtures = options.work.join("fixtures");
    std::fs::create_dir_all(&fixtures).map_err(|err| format!("{}: {err}", fixtures.display()))?;
    // Two oracle processes at a time: the machine's cores, not more.
    let workers = 2;
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<(usize, Conversation, Expected)>> = Mutex::new(Vec::new());
    let dropped = AtomicUsize::new(0);
    let error: Mutex<Option<String>> = Mutex::new(None);
    let wanted = options.conversations;
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let (next, found, dropped, error) = (&next, &found, &dropped, &error);
            let (families, chats, program) = (&families, &chats, &program);
            let fixture = fixtures.join(format!("worker{worker}.json"));
            scope.spawn(move || loop {
                let have = found.lock().map(|it| it.len()).unwrap_or(wanted);
                if have >= wanted || error.lock().map(|it| it.is_some()).unwrap_or(true) {
                    return;
                }
                let index = next.fetch_add(1, Ordering::SeqCst);
                let conversation = script::conversation(chats, families, options.seed, index);
                let oracle = Oracle {
                    fluxo: options.fluxo.clone(),
                    program: program.clone(),
                    now: options.now.clone(),
                    fixture: Some(fixture.clone()),
                };
                let outcome = std::fs::write(&fixture, families.fixture([index]))
                    .map_err(|err| format!("{}: {err}", fixture.display()))
                    .and_then(|()| oracle.expected(&conversation));
                match outcome {
                    Ok(Some(expected)) => {
                        if let Ok(mut found) = found.lock() {
                            found.push((index, conversation, expected));
                        }
                    }
                    Ok(None) => {
                        dropped.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(err) => {
                        if let Ok(mut error) = error.lock() {
                            *error = Some(err);
                        }
                    }
                }
            });
        }
    });
    if let Some(err) = error.into_inner().ok().flatten() {
        return Err(err);
    }
    let mut found = found
        .into_inner()
        .map_err(|_| "an oracle worker panicked")?;
    found.sort_by_key(|(index, ..)| *index);
    found.truncate(wanted);
    report.dropped = dropped.load(Ordering::SeqCst);
    let fixture = families.fixture(found.iter().map(|(index, ..)| *index));
    let path = program.join("erp-demo.json");
    std::fs::write(&path, fixture).map_err(|err| format!("{}: {err}", path.display()))?;
    // The oracle's transcripts, for whoever reads a failure.
    let expected = options.work.join("expected");
    std::fs::create_dir_all(&expected).map_err(|err| format!("{}: {err}", expected.display()))?;
    for (_, conversation, it) in &found {
        let path = expected.join(format!("{}.chat", conversation.key));
        let text = format!("// {}\n{}\n", conversation.origin, it.lines.join("\n"));
        std::fs::write(&path, text).map_err(|err| format!("{}: {err}", path.display()))?;
    }
    let cases = found
        .into_iter()
        .map(|(_, conversation, expected)| Case {
            conversation,
            expected,
            reply_problems: Mutex::new(Vec::new()),
        })
        .collect();
    Ok((program, cases))
}

/// Copies the program folder without its transcripts (recursively: scripts).
fn copy_program(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|err| format!("{}: {err}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|err| format!("{}: {err}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_program(&path, &target)?;
        } else if path.extension().is_none_or(|it| it != "chat") {
            std::fs::copy(&path, &target).map_err(|err| format!("{}: {err}", path.display()))?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
}

//! The oracle: the offline engine. The VM is deterministic, so what `fluxo run`
//! prints for a conversation's inputs (piped: `< ` bot, `> ` customer, `= ` effects and
//! host calls) is exactly what the server's transcript must hold. `judge` compares the
//! two and accepts one divergence only: a write whose outcome a crash made unknown,
//! which takes the card's fail path (SERVER.md §3).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::script::Conversation;
use crate::Result;

/// The ERP actions that change the ERP (SERVER.md §3: journalled, never sent twice).
pub const WRITES: &[&str] = &[
    "trust_unlock",
    "release_speed",
    "sign_contract",
    "open_ticket",
    "wifi_password",
];

/// Runs `fluxo run` on the program the server serves.
#[derive(Clone, Debug)]
pub struct Oracle {
    pub fluxo: PathBuf,
    pub program: PathBuf,
    /// The opening clock, as the server's `--now`.
    pub now: String,
    /// The ERP fixture, when not the program's `erp-demo.json`.
    pub fixture: Option<PathBuf>,
}

/// What the server must show for a conversation: the transcript, and the inputs it
/// answers (those to send; a conversation that ends early leaves the rest unsent).
#[derive(Clone, Debug, PartialEq)]
pub struct Expected {
    pub lines: Vec<String>,
    pub inputs: Vec<String>,
}

impl Oracle {
    /// The transcript `fluxo run` prints for the conversation's inputs.
    pub fn run(&self, conversation: &Conversation) -> Result<Vec<String>> {
        let contact = format!(
            "name=\"{}\" phone=\"{}\"",
            conversation.name, conversation.phone
        );
        let mut command = Command::new(&self.fluxo);
        command
            .arg("run")
            .arg(&self.program)
            .args(["--now", &self.now, "--contact", &contact]);
        if let Some(fixture) = &self.fixture {
            command.arg("--fixture").arg(fixture);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", self.fluxo.display()))?;
        let mut input = conversation.inputs.join("\n");
        input.push('\n');
        if let Some(mut stdin) = child.stdin.take() {
            // The engine may stop reading when the conversation ends early.
            let _ = stdin.write_all(input.as_bytes());
        }
        let out = child
            .wait_with_output()
            .map_err(|err| format!("fluxo run: {err}"))?;
        if !out.status.success() {
            return Err(format!(
                "fluxo run failed on {} ({})",
                conversation.key, out.status
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect())
    }

    /// The expected transcript, cut (`cut`); `None` when nothing of it is left.
    pub fn expected(&self, conversation: &Conversation) -> Result<Option<Expected>> {
        Ok(cut(self.run(conversation)?))
    }
}

/// The text of a customer line (`> text`, or `>` for an empty message).
pub fn customer(line: &str) -> Option<&str> {
    line.strip_prefix("> ")
        .or_else(|| (line == ">").then_some(""))
}

/// Whether the line is an ERP write call (`= erp trust_unlock 5002`).
pub fn is_write(line: &str) -> bool {
    line.strip_prefix("= erp ")
        .and_then(|rest| rest.split(' ').next())
        .is_some_and(|op| WRITES.contains(&op))
}

/// Ends the transcript before the turn that would reach what a server run cannot
/// reproduce like the offline engine: a `wait` (the engine fires timers at once, the
/// server in real time) and any ERP call after a write (the simulated ERP's memory of
/// the write is lost when the server is killed, so what it answers next depends on
/// when the kill came). `None` when that turn is the opening one.
pub fn cut(lines: Vec<String>) -> Option<Expected> {
    let mut stop = None;
    let mut written = false;
    for (at, line) in lines.iter().enumerate() {
        if line.starts_with("= wait ") || (written && line.starts_with("= erp ")) {
            stop = Some(at);
            break;
        }
        written |= is_write(line);
    }
    let lines = match stop {
        None => lines,
        Some(at) => {
            let turn = lines[..at].iter().rposition(|it| customer(it).is_some())?;
            lines[..turn].to_vec()
        }
    };
    let inputs: Vec<String> = lines
        .iter()
        .filter_map(|it| customer(it).map(str::to_string))
        .collect();
    (!inputs.is_empty()).then_some(Expected { lines, inputs })
}

/// How a server's transcript compares with the expected one.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Same,
    /// A strict prefix: the server has not caught up yet (or lost the rest).
    Behind,
    /// The only accepted divergence: right at a write, which is not repeated later.
    OutcomeUnknown {
        write: String,
    },
    Differs {
        at: usize,
        expected: Option<String>,
        got: Option<String>,
    },
}

pub fn judge(expected: &[String], got: &[String]) -> Verdict {
    let at = expected
        .iter()
        .zip(got)
        .position(|(want, have)| want != have)
        .unwrap_or(expected.len().min(got.len()));
    if at == expected.len() && at == got.len() {
        return Verdict::Same;
    }
    if at == got.len() {
        return Verdict::Behind;
    }
    // The write's line is shown (the call was made), then the paths part; or the
    // server annotates the line itself (`= erp trust_unlock 5002 ...`).
    let annotated = expected
        .get(at)
        .filter(|want| is_write(want) && got.get(at).is_some_and(|have| have.starts_with(*want)));
    let write = at
        .checked_sub(1)
        .and_then(|it| expected.get(it))
        .filter(|it| is_write(it))
        .or(annotated);
    if let Some(write) = write {
        let sent = |lines: &[String]| lines.iter().filter(|it| *it == write).count();
        let expected_before = sent(&expected[..at.min(expected.len())]);
        if sent(got) <= expected_before.max(1) && at < got.len() {
            return Verdict::OutcomeUnknown {
                write: write.clone(),
            };
        }
    }
    Verdict::Differs {
        at,
        expected: expected.get(at).cloned(),
        got: got.get(at).cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_wait_or_an_erp_call_after_a_write_cuts_before_its_turn() {
        let full = lines("< menu\n> 1\n= erp trust_unlock 5\n< ok\n> 1\n< menu\n> 2\n= erp trust_unlock 5\n< no\n");
        let kept = cut(full).unwrap();
        assert_eq!(
            kept.lines,
            lines("< menu\n> 1\n= erp trust_unlock 5\n< ok\n> 1\n< menu")
        );
        assert_eq!(kept.inputs, ["1", "1"]);
        let timer = lines("< a\n> 1\n< b\n> 2\n< wait\n= wait 2m\n< c\n> 3\n");
        assert_eq!(cut(timer).unwrap().inputs, ["1"]);
        assert_eq!(cut(lines("< a\n= wait 1m\n> 1\n")), None);
        assert_eq!(cut(lines("< a\n> 1\n< b\n")).unwrap().lines.len(), 3);
    }

    #[test]
    fn only_a_divergence_at_a_write_is_accepted() {
        let want = lines("< a\n> 1\n= erp trust_unlock 5\n< ok\n> 2\n< b");
        assert_eq!(judge(&want, &want), Verdict::Same);
        assert_eq!(judge(&want, &want[..3]), Verdict::Behind);
        let failed = lines("< a\n> 1\n= erp trust_unlock 5\n< Vamos te transferir\n> 2\n");
        assert_eq!(
            judge(&want, &failed),
            Verdict::OutcomeUnknown {
                write: "= erp trust_unlock 5".into()
            }
        );
        let twice = lines("< a\n> 1\n= erp trust_unlock 5\n= erp trust_unlock 5\n< ok\n");
        assert!(matches!(
            judge(&want, &twice),
            Verdict::Differs { at: 3, .. }
        ));
        let lost = lines("< a\n> 1\n< b");
        assert!(matches!(
            judge(&want, &lost),
            Verdict::Differs { at: 2, .. }
        ));
        let longer = lines("< a\n> 1\n= erp trust_unlock 5\n< ok\n> 2\n< b\n> 2\n< b");
        assert!(matches!(
            judge(&want, &longer),
            Verdict::Differs { at: 6, .. }
        ));
        let read = lines("< a\n> 1\n= erp diagnose 5\n< ok\n");
        assert!(matches!(
            judge(&read, &lines("< a\n> 1\n= erp diagnose 5\n< other\n")),
            Verdict::Differs { .. }
        ));
    }

    #[test]
    fn customer_lines_are_recognised() {
        assert_eq!(customer("> sim"), Some("sim"));
        assert_eq!(customer(">"), Some(""));
        assert_eq!(customer("< sim"), None);
    }
}

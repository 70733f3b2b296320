//! `fluxo serve` as a child process: started on a free loopback port (its first line
//! of stdout says which, SERVER.md §6), killed with SIGKILL, started again on the
//! same `--data`. Its output goes to a log file, where a run looks for what the
//! server said about outcomes it could not know.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::Result;

/// How to start the server; every start uses the same data directory.
#[derive(Clone, Debug)]
pub struct ServerSpec {
    pub fluxo: PathBuf,
    pub program: PathBuf,
    pub data: PathBuf,
    pub now: Option<String>,
    pub config: Option<PathBuf>,
    /// `--store`: a PostgreSQL URL that several servers share (`data` is then unused).
    pub store: Option<String>,
    /// Where stdout (after the first line) and stderr of every start are appended.
    pub log: PathBuf,
    /// How long a start may take to print its first line.
    pub start_timeout: Duration,
}

/// A running server; dropping it kills it.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, from the first line.
    pub base: String,
}

impl ServerSpec {
    /// A server of `program` keeping its data and log in the scratch folder `work`.
    pub fn in_work(fluxo: &Path, program: &Path, work: &Path, now: &str) -> ServerSpec {
        ServerSpec {
            fluxo: fluxo.to_path_buf(),
            program: program.to_path_buf(),
            data: work.join("data"),
            now: Some(now.to_string()),
            config: None,
            store: None,
            log: work.join("server.log"),
            start_timeout: Duration::from_secs(60),
        }
    }

    pub fn start(&self) -> Result<Server> {
        let log = self.log_file()?;
        let stderr = log
            .try_clone()
            .map_err(|err| format!("{}: {err}", self.log.display()))?;
        let mut command = Command::new(&self.fluxo);
        command
            .arg("serve")
            .arg(&self.program)
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(&self.data);
        if let Some(now) = &self.now {
            command.args(["--now", now]);
        }
        if let Some(config) = &self.config {
            command.arg("--config").arg(config);
        }
        if let Some(store) = &self.store {
            command.args(["--store", store]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", self.fluxo.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err("the server's stdout was not captured".into());
        };
        let (first_tx, first_rx) = mpsc::channel();
        std::thread::spawn(move || copy_after_first_line(stdout, log, first_tx));
        let first = match first_rx.recv_timeout(self.start_timeout) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "fluxo serve printed no first line within {:?} (its log: {})",
                    self.start_timeout,
                    self.log.display()
                ));
            }
        };
        let base = first
            .trim()
            .strip_prefix("listening on ")
            .map(str::to_string);
        match base {
            Some(base) if base.starts_with("http://") => Ok(Server { child, base }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!(
                    "fluxo serve's first line is `{}`, not `listening on http://...` (its log: {})",
                    first.trim(),
                    self.log.display()
                ))
            }
        }
    }

    fn log_file(&self) -> Result<File> {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|err| format!("cannot open {}: {err}", self.log.display()))
    }

    /// How many lines of the log mention an outcome the server could not know.
    pub fn outcome_unknown_lines(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|text| {
                text.lines()
                    .filter(|it| it.to_lowercase().contains("outcome unknown"))
                    .count()
            })
            .unwrap_or(0)
    }
}

/// Sends the first line (an empty one at end of output), then copies the rest.
fn copy_after_first_line(stdout: impl std::io::Read, mut log: File, first: mpsc::Sender<String>) {
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let _ = first.send(line);
    let mut rest = String::new();
    while matches!(reader.read_line(&mut rest), Ok(n) if n > 0) {
        let _ = log.write_all(rest.as_bytes());
        rest.clear();
    }
}

impl Server {
    /// SIGKILL (what `Child::kill` sends on Unix): no chance to flush or clean up.
    pub fn kill(mut self) -> Result<()> {
        self.child
            .kill()
            .map_err(|err| format!("cannot kill the server: {err}"))?;
        self.child
            .wait()
            .map_err(|err| format!("the killed server: {err}"))?;
        Ok(())
    }

    /// Whether it exited on its own (a crash the harness did not cause).
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(fluxo: &str, dir: &std::path::Path) -> ServerSpec {
        ServerSpec {
            fluxo: fluxo.into(),
            program: dir.into(),
            data: dir.join("data"),
            now: None,
            config: None,
            store: None,
            log: dir.join("server.log"),
            start_timeout: Duration::from_secs(5),
        }
    }

    /// A stand-in for `fluxo serve`: a shell script printing the contract's line.
    fn fake(dir: &std::path::Path, body: &str) -> String {
        let path = dir.join("fake-serve");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        let status = Command::new("chmod").arg("+x").arg(&path).status().unwrap();
        assert!(status.success());
        path.to_string_lossy().into_owned()
    }

    #[test]
    fn the_first_line_gives_the_address_and_the_rest_goes_to_the_log() {
        let dir = std::env::temp_dir().join(format!("loadtest-server-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fluxo = fake(
            &dir,
            "echo listening on http://127.0.0.1:4321; echo 'write outcome unknown' >&2; echo later; sleep 30",
        );
        let serving = spec(&fluxo, &dir);
        let server = serving.start().unwrap();
        assert_eq!(server.base, "http://127.0.0.1:4321");
        std::thread::sleep(Duration::from_millis(200));
        server.kill().unwrap();
        assert_eq!(serving.outcome_unknown_lines(), 1);
        assert!(std::fs::read_to_string(&serving.log)
            .unwrap()
            .contains("later"));

        let silent = spec(&fake(&dir, "echo something else"), &dir);
        let err = silent.start().err().unwrap();
        assert!(err.contains("not `listening on"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

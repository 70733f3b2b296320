//! A `fluxo serve` process for tests, a minimal HTTP/1.1 client over loopback (the
//! tests need nothing more than one request per connection) and a fake webhook.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub const NOW: &str = "2026-11-23T10:00:00-03:00";

/// A running `fluxo serve`; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `fluxo serve program --listen 127.0.0.1:0 --data data --now NOW` plus
    /// `extra`, and reads the address from its first line of output.
    pub fn start(program: &Path, data: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(program, data, extra, &[])
    }

    /// `start`, with these environment variables set.
    pub fn start_with_env(
        program: &Path,
        data: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        std::fs::create_dir_all(data).unwrap();
        let log = data.join(format!("server-{}.log", std::process::id()));
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_fluxo"))
            .arg("serve")
            .arg(program)
            .args(["--listen", "127.0.0.1:0", "--now", NOW, "--data"])
            .arg(data)
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first).unwrap();
        let addr = first
            .trim_end()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "the first line was {first:?}; log: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_string();
        Server { child, addr, log }
    }

    /// SIGKILL: no shutdown of any kind.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        request(&self.addr, "GET", path, None, &[])
    }

    pub fn post(&self, path: &str, body: &str) -> (u16, String) {
        request(&self.addr, "POST", path, Some(body), &[])
    }

    /// Sends customer message `id` with `text` to conversation `key`.
    pub fn say(&self, key: &str, id: &str, text: &str, wait: bool) -> (u16, String) {
        let body = serde_json::json!({"id": id, "text": text}).to_string();
        let query = if wait { "?wait=true" } else { "" };
        self.post(&format!("/v1/conversations/{key}/messages{query}"), &body)
    }

    pub fn transcript(&self, key: &str) -> String {
        let (status, body) = self.get(&format!("/v1/conversations/{key}/transcript"));
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Polls the conversation until `done` holds for its transcript (10 s at most).
    pub fn transcript_when(&self, key: &str, done: impl Fn(&str) -> bool) -> String {
        for _ in 0..200 {
            let (status, body) = self.get(&format!("/v1/conversations/{key}/transcript"));
            if status == 200 && done(&body) {
                return body;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "the transcript of {key} never got there: {}\nlog: {}",
            self.transcript(key),
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a fresh connection; the status and the body.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = body.unwrap_or("");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let chunked = head
        .lines()
        .any(|it| it.eq_ignore_ascii_case("transfer-encoding: chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, body)
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

/// One request a [`Sink`] received.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub idempotency_key: String,
    /// Read by the channel tests (the platform's token).
    #[allow(dead_code)]
    pub authorization: String,
    pub body: serde_json::Value,
}

/// A fake webhook (or platform API) on loopback: records every request and answers
/// 500 to the first `failures` of them, 200 to the rest; or answers as scripted.
pub struct Sink {
    pub addr: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    pub fn start(failures: usize) -> Sink {
        Sink::scripted(vec![(500, String::new()); failures])
    }

    /// Answers the n-th request with `answers[n]` (a status and a JSON body), and
    /// `200 {}` once they run out.
    pub fn scripted(answers: Vec<(u16, String)>) -> Sink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                log.lock().unwrap().push(request);
                let (status, body) = answers.get(n).cloned().unwrap_or((200, "{}".to_string()));
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Sink { addr, received }
    }

    /// The requests so far, once there are at least `n` (10 s at most).
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the sink got {:?}", self.received.lock().unwrap());
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split(' ').nth(1)?.to_string();
    let (mut length, mut key, mut authorization) = (0, String::new(), String::new());
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(": ")?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().ok()?,
            "idempotency-key" => key = value.to_string(),
            "authorization" => authorization = value.to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        path,
        idempotency_key: key,
        authorization,
        body: serde_json::from_slice(&body).ok()?,
    })
}

/// A fresh folder under the target's temporary directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "serve-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What `fluxo run PROGRAM --now NOW` prints with `input` piped in.
pub fn fluxo_run(program: &Path, input: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("run")
        .arg(program)
        .args(["--now", NOW])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for line in input {
        writeln!(stdin, "{line}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Builds a one-line program whose greeting is `greeting`, as `.fxb` bytes.
pub fn program_saying(dir: &Path, greeting: &str) -> Vec<u8> {
    let flow = dir.join("greeting.flow");
    let fxb = dir.join("greeting.fxb");
    std::fs::write(
        &flow,
        format!("flow main {{\n    say \"{greeting}\"\n    end\n}}\n"),
    )
    .unwrap();
    let built = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .args(["build", flow.to_str().unwrap(), "-o", fxb.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(built.success());
    std::fs::read(&fxb).unwrap()
}

/// POSTs `.fxb` bytes to the admin API with the tests' admin token, `s3cret` (the
/// test client sends text bodies only).
pub fn publish(addr: &str, bytes: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /v1/admin/programs HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer s3cret\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        bytes.len()
    )
    .unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (
        head.split(' ').nth(1).unwrap().parse().unwrap(),
        body.to_string(),
    )
}

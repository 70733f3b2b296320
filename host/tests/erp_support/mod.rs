//! A fake ERP for the adapter tests: an HTTP/1.1 server on 127.0.0.1 that records
//! each request and answers with what the test's handler returns. One request per
//! connection (`Connection: close`), enough for reqwest and for replaying the
//! request/response shapes documented in docs/erp.md.
#![allow(dead_code)]

pub mod ixc;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fluxo_host::erp::HttpSettings;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the fake server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// A form-encoded body's field.
    pub fn form(&self, name: &str) -> Option<String> {
        pairs(&self.body)
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// A field of the body, JSON or form-encoded.
    pub fn field(&self, name: &str) -> Option<String> {
        match self.json().get(name) {
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => Some(other.to_string()),
            None => self.form(name),
        }
    }
}

/// What the fake server answers.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

impl Answer {
    pub fn json(value: Value) -> Answer {
        Answer {
            status: 200,
            body: value.to_string().into_bytes(),
            delay: None,
        }
    }

    pub fn status(status: u16, value: Value) -> Answer {
        Answer {
            status,
            ..Answer::json(value)
        }
    }

    pub fn text(body: &str) -> Answer {
        Answer {
            status: 200,
            body: body.as_bytes().to_vec(),
            delay: None,
        }
    }

    pub fn bytes(body: &[u8]) -> Answer {
        Answer {
            status: 200,
            body: body.to_vec(),
            delay: None,
        }
    }

    pub fn slow(self, delay: Duration) -> Answer {
        Answer {
            delay: Some(delay),
            ..self
        }
    }
}

type Handler = dyn Fn(&Seen) -> Answer + Send + Sync;

/// A running fake ERP.
pub struct FakeErp {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeErp {
    pub async fn start(handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> FakeErp {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    serve(stream, handler, log).await;
                });
            }
        });
        FakeErp { url, seen }
    }

    pub fn settings(&self) -> HttpSettings {
        HttpSettings {
            base_url: self.url.clone(),
            timeout: Duration::from_secs(5),
            accept_invalid_certs: false,
        }
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("log").clone()
    }

    /// The paths requested so far, in order.
    pub fn paths(&self) -> Vec<String> {
        self.seen().into_iter().map(|it| it.path).collect()
    }
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n") {
            break at;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_lowercase(), value.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(key, _)| key == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_string(), pairs(query)),
        None => (target.clone(), Vec::new()),
    };
    let seen = Seen {
        method,
        path: decode(&path),
        query,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    };
    log.lock().expect("log").push(seen.clone());
    let answer = handler(&seen);
    if let Some(delay) = answer.delay {
        tokio::time::sleep(delay).await;
    }
    let head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&answer.body).await;
    let _ = stream.shutdown().await;
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|it| it == needle)
}

fn pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|it| !it.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes[idx] {
            b'+' => out.push(b' '),
            b'%' if idx + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[idx + 1..idx + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        idx += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        idx += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// A PDF's first bytes, for the routes that return documents.
pub const PDF: &[u8] = b"%PDF-1.4\n%fake\n";

//! What `load` compares the server's figures against, measured in the same run on
//! the same machine: an HTTP handler that does nothing (what the client and the
//! loopback cost by themselves) and the disk's synchronous writes per second (the
//! ceiling of durable commits without group commit).

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::Result;

/// Starts a no-op HTTP/1.1 server on a free loopback port: every request, whatever
/// it says, is answered `202` with an empty body, on a kept-alive connection. Returns
/// its base address; it runs until the runtime stops.
pub async fn noop_server() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|err| format!("cannot listen on loopback: {err}"))?;
    let address = listener
        .local_addr()
        .map_err(|err| format!("the no-op server's address: {err}"))?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer_all(stream));
        }
    });
    Ok(format!("http://{address}"))
}

async fn answer_all(mut stream: TcpStream) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        while let Some(end) = request_end(&buffer) {
            buffer.drain(..end);
            let reply = b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n";
            if stream.write_all(reply).await.is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The length of the first complete request in `buffer` (head and body).
fn request_end(buffer: &[u8]) -> Option<usize> {
    let head = buffer.windows(4).position(|it| it == b"\r\n\r\n")? + 4;
    let text = String::from_utf8_lossy(&buffer[..head]).to_lowercase();
    let body = text
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|it| it.trim().parse::<usize>().ok())
        .unwrap_or(0);
    (buffer.len() >= head + body).then_some(head + body)
}

/// Small writes each followed by `fdatasync`, for `during`, in a file under `dir`:
/// synchronous writes per second.
pub fn syncs_per_second(dir: &Path, during: Duration) -> Result<f64> {
    std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let path = dir.join("fsync-probe");
    let mut file =
        std::fs::File::create(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    let started = Instant::now();
    let mut count = 0u64;
    while started.elapsed() < during {
        file.write_all(&[b'x'; 128])
            .and_then(|()| file.sync_data())
            .map_err(|err| format!("{}: {err}", path.display()))?;
        count += 1;
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    Ok(rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_framed_by_content_length() {
        let two = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n\r\n";
        assert_eq!(request_end(two), Some(42));
        assert_eq!(request_end(&two[42..]), Some(19));
        assert_eq!(
            request_end(b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nab"),
            None
        );
        assert_eq!(request_end(b"GET / HTTP/1.1\r\n"), None);
    }

    #[test]
    fn the_noop_server_acknowledges_what_the_client_sends() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let base = noop_server().await.unwrap();
            let api = crate::client::Api::new(Duration::from_secs(5)).unwrap();
            let message = crate::client::Message {
                key: "k",
                id: "m-1",
                text: "1",
                name: "Ana",
                phone: "+5548999112233",
            };
            for _ in 0..3 {
                let ack = api.send(&base, &message, false).await;
                assert_eq!(ack, Ok(crate::client::Ack::Stored));
            }
        });
    }
}

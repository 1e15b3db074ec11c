//! A fast loopback model server for load tests and `scripts/bench-load.sh`: HTTP/1.1 keep-alive,
//! a thread per connection, every request answered at once with an OpenAI Chat Completions
//! answer that echoes the user message (`answer: <text>`), so that a client's answers can be
//! checked one by one. A connection idle for longer than the idle timeout is closed, as real
//! servers do, which lets a client's pool of idle connections drain. `GET .../stats` answers
//! `{"requests": N}`.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use serde_json::{json, Value as Json};

/// The server; stops accepting when dropped (open connections end at their idle timeout).
pub struct KeepAliveServer {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl KeepAliveServer {
    /// A server on a free loopback port that closes connections idle for `idle`.
    pub fn start(idle: Duration) -> KeepAliveServer {
        let listener = super::listen::loopback_listener();
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, stopping) = (requests.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let counted = counted.clone();
                thread::spawn(move || serve(stream, &counted, idle));
            }
        });
        KeepAliveServer { addr, requests, stop }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The base URL, ending in `/v1` as providers' base URLs do.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Model requests answered so far.
    pub fn request_count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for KeepAliveServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Answers the requests of one connection until the client closes it or it stays idle.
fn serve(stream: TcpStream, requests: &AtomicUsize, idle: Duration) {
    let _ = stream.set_read_timeout(Some(idle));
    let _ = stream.set_nodelay(true);
    let Ok(reading) = stream.try_clone() else { return };
    let mut reader = BufReader::new(reading);
    let mut writer = &stream;
    while let Some((path, body)) = read_request(&mut reader) {
        let answer = if path.ends_with("/stats") {
            json!({"requests": requests.load(Ordering::SeqCst)})
        } else {
            requests.fetch_add(1, Ordering::SeqCst);
            completion(&format!("answer: {}", user_text(&body)))
        }
        .to_string();
        let response = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}", answer.len());
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// The path and body of the next request; `None` at the end of the connection.
fn read_request(reader: &mut impl BufRead) -> Option<(String, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, body))
}

/// The text of the last message of an OpenAI request (the user's).
fn user_text(body: &[u8]) -> String {
    let request: Json = serde_json::from_slice(body).unwrap_or(Json::Null);
    let last = request["messages"].as_array().and_then(|m| m.last()).map(|m| m["content"].clone()).unwrap_or(Json::Null);
    match last {
        Json::String(s) => s,
        Json::Array(parts) => parts.first().and_then(|p| p["text"].as_str()).unwrap_or("").to_string(),
        _ => String::new(),
    }
}

fn completion(text: &str) -> Json {
    json!({
        "id": "chatcmpl-load",
        "object": "chat.completion",
        "model": "test",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    })
}

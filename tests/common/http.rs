//! A scriptable loopback HTTP/1.1 server standing in for model providers in end-to-end tests.
//!
//! Every connection gets its own thread: the request line, headers and `Content-Length` body are
//! read, recorded, and handed to the test's handler, which decides what happens: a response
//! (status, headers, body) after an optional delay, or a dropped connection. Every response
//! carries `Connection: close`, so each request is one connection and the number of requests
//! being handled at once is the number of calls in flight.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Arrival order, from 0.
    pub index: usize,
    pub method: String,
    pub path: String,
    /// Header names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub received_at: Instant,
}

impl Recorded {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (`null` when it is not JSON).
    pub fn json(&self) -> Json {
        serde_json::from_slice(&self.body).unwrap_or(Json::Null)
    }

    /// OpenAI: the user message's text (plain content, or the first text part).
    pub fn openai_user_text(&self) -> String {
        let content = &self.json()["messages"][1]["content"];
        match content {
            Json::String(s) => s.clone(),
            Json::Array(parts) => parts[0]["text"].as_str().unwrap_or("").to_string(),
            _ => String::new(),
        }
    }
}

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    Respond { status: u16, headers: Vec<(String, String)>, body: String, delay: Duration },
    /// Close the connection without answering (after the delay).
    Drop { delay: Duration },
}

impl Reply {
    pub fn status(status: u16, body: impl Into<String>) -> Reply {
        Reply::Respond { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into(), delay: Duration::ZERO }
    }

    pub fn json(status: u16, body: Json) -> Reply {
        Reply::status(status, body.to_string())
    }

    /// An OpenAI Chat Completions answer with the given usage.
    pub fn openai(text: &str, prompt_tokens: u64, completion_tokens: u64) -> Reply {
        Reply::json(
            200,
            json!({
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": "test",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
            }),
        )
    }

    /// An Anthropic Messages answer made of the given text blocks.
    pub fn anthropic(blocks: &[&str], input_tokens: u64, output_tokens: u64) -> Reply {
        let content: Vec<Json> = blocks.iter().map(|t| json!({"type": "text", "text": t})).collect();
        Reply::json(
            200,
            json!({
                "id": "msg_test",
                "type": "message",
                "role": "assistant",
                "model": "test",
                "content": content,
                "stop_reason": "end_turn",
                "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
            }),
        )
    }

    /// A provider error in the shape both providers use (`{"error": {"message": ...}}`).
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, json!({"error": {"message": message, "type": "test_error"}}))
    }

    pub fn drop_connection() -> Reply {
        Reply::Drop { delay: Duration::ZERO }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    pub fn after(mut self, wait: Duration) -> Reply {
        match &mut self {
            Reply::Respond { delay, .. } | Reply::Drop { delay } => *delay = wait,
        }
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    requests: Mutex<Vec<Recorded>>,
    next_index: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    stop: AtomicBool,
}

/// The server; stops accepting when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl MockServer {
    /// A server whose replies `handler` decides, request by request.
    pub fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> MockServer {
        let listener = super::listen::loopback_listener();
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            requests: Mutex::new(Vec::new()),
            next_index: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let accepting = shared.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = accepting.clone();
                thread::spawn(move || serve(stream, &shared));
            }
        });
        MockServer { addr, shared }
    }

    /// A server that gives `replies` in order, then `fallback` to every later request.
    pub fn sequence(replies: Vec<Reply>, fallback: Reply) -> MockServer {
        let queue = Mutex::new(std::collections::VecDeque::from(replies));
        MockServer::start(move |_| queue.lock().unwrap().pop_front().unwrap_or_else(|| fallback.clone()))
    }

    /// A server that always gives `reply`.
    pub fn always(reply: Reply) -> MockServer {
        MockServer::start(move |_| reply.clone())
    }

    /// The base URL, ending in `/v1` as providers' base URLs do.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        let mut requests = self.shared.requests.lock().unwrap().clone();
        requests.sort_by_key(|r| r.index);
        requests
    }

    pub fn request_count(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }

    /// The most requests that were being handled (received, not yet answered) at one time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Some(mut request) = read_request(&stream) else { return };
    request.index = shared.next_index.fetch_add(1, Ordering::SeqCst);
    shared.requests.lock().unwrap().push(request.clone());
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let reply = (shared.handler)(&request);
    // The request stops counting as in flight before its answer is sent: the client may start
    // its next request as soon as it reads the answer.
    let answered = || shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    match reply {
        Reply::Respond { status, headers, body, delay } => {
            thread::sleep(delay);
            answered();
            let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (name, value) in &headers {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
            out.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
            out.push_str(&body);
            let mut stream = &stream;
            let _ = stream.write_all(out.as_bytes());
            let _ = stream.flush();
        }
        Reply::Drop { delay } => {
            thread::sleep(delay);
            answered();
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

fn read_request(stream: &TcpStream) -> Option<Recorded> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded { index: 0, method, path, headers, body, received_at: Instant::now() })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

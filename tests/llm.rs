//! End-to-end tests of the model-call primitives through the `rlmsh` binary, against a
//! loopback HTTP server that plays the provider (`tests/common/http.rs`): the OpenAI and
//! Anthropic wire formats, JSON mode, retries and timeouts, concurrency limits, `map-async`,
//! `await-any`, `cancel`, token budgets and accounting, and that the API key never shows.
//! The offline model is tested by `tests/rlmsh/llm-offline-*.scm`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::http::{MockServer, Recorded, Reply};
use common::{run_command, Out, MODEL_ENV};
use serde_json::{json, Value as Json};

/// A recognisable fake key: no output of any run may contain it.
const KEY: &str = "sk-test-RLMSH-SECRET-7c1f3a9e55";

/// One program run: its source, flags, environment and extra files beside it.
struct Prog {
    source: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    files: Vec<(String, Vec<u8>)>,
}

impl Prog {
    fn new(source: &str) -> Prog {
        Prog { source: source.to_string(), args: Vec::new(), env: Vec::new(), files: Vec::new() }
    }

    fn args(mut self, args: &[&str]) -> Prog {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    fn env(mut self, name: &str, value: &str) -> Prog {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    /// OpenAI-compatible calls go to `server`, with the fake key.
    fn openai(self, server: &MockServer) -> Prog {
        self.env("OPENAI_BASE_URL", &server.base_url()).env("OPENAI_API_KEY", KEY)
    }

    /// Anthropic calls go to `server`, with the fake key.
    fn anthropic(self, server: &MockServer) -> Prog {
        self.env("ANTHROPIC_BASE_URL", &server.base_url()).env("ANTHROPIC_API_KEY", KEY)
    }

    fn file(mut self, name: &str, contents: &[u8]) -> Prog {
        self.files.push((name.to_string(), contents.to_vec()));
        self
    }

    /// The command, run in a fresh directory holding `prog.scm` and the extra files.
    fn command(&self, dir: &Path) -> Command {
        std::fs::write(dir.join("prog.scm"), &self.source).expect("write program");
        for (name, contents) in &self.files {
            std::fs::write(dir.join(name), contents).expect("write file");
        }
        let mut cmd = Command::new(common::rlmsh_bin());
        cmd.arg("run").args(&self.args).arg("prog.scm").current_dir(dir);
        for name in MODEL_ENV {
            cmd.env_remove(name);
        }
        cmd.env("NO_PROXY", "127.0.0.1,localhost").env("XDG_CONFIG_HOME", dir);
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        cmd
    }

    /// Runs the program; whatever happens, the API key must not be in its output.
    fn run(&self) -> Out {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = Out::of(run_command(&mut self.command(dir.path()), common::TIMEOUT), &self.source);
        assert!(
            !out.stdout.contains(KEY) && !out.stderr.contains(KEY),
            "the API key leaked\nstdout: {}\nstderr: {}",
            out.stdout,
            out.stderr
        );
        out
    }
}

/// A server answering every request with `answer: <user text>` and the given usage.
fn echo_server(prompt_tokens: u64, completion_tokens: u64) -> MockServer {
    MockServer::start(move |r| Reply::openai(&format!("answer: {}", r.openai_user_text()), prompt_tokens, completion_tokens))
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

fn body(r: &Recorded) -> Json {
    r.json()
}

// ---------------------------------------------------------------------------------------------
// Wire formats

#[test]
fn openai_request_carries_model_messages_options_and_bearer_key() {
    let server = echo_server(11, 7);
    let out = Prog::new(
        r#"
(define r (llm-query #:instruction "Summarise." #:data "The data." #:model "gpt-4o" #:temperature 0.25 #:max-tokens 77))
(write r) (newline)
(displayln (syntax? r))
(displayln (syntax-e r))
(displayln (string-upcase (syntax-e r)))
(define p (unsafe-raw-query #:instruction "Plain."))
(write p) (newline)
(displayln (syntax? p))
(displayln (syntax-e p))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    assert_eq!(
        lines(&out.stdout),
        [
            r#"#<syntax "answer: The data.">"#,
            "#t",
            "answer: The data.",
            "ANSWER: THE DATA.",
            r#""answer: (no data provided)""#,
            "#f",
            "answer: (no data provided)",
        ]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/v1/chat/completions");
    assert_eq!(first.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert!(first.header("content-type").unwrap_or("").starts_with("application/json"), "{:?}", first.headers);
    let b = body(first);
    assert_eq!(b["model"], "gpt-4o");
    assert_eq!(
        b["messages"],
        json!([{"role": "system", "content": "Summarise."}, {"role": "user", "content": "The data."}])
    );
    assert_eq!(b["temperature"].as_f64(), Some(0.25));
    assert_eq!(b["max_tokens"].as_u64(), Some(77));
    assert!(b.get("response_format").is_none(), "{b}");

    let b = body(&requests[1]);
    assert_eq!(b["model"], "gpt-4o-mini", "the default model");
    assert_eq!(
        b["messages"],
        json!([{"role": "system", "content": "Plain."}, {"role": "user", "content": "(no data provided)"}])
    );
    assert!(b.get("temperature").is_none() && b.get("max_tokens").is_none(), "{b}");
}

#[test]
fn default_model_comes_from_flag_then_env_then_gpt_4o_mini() {
    let server = echo_server(1, 1);
    let program = r#"(llm-query #:data "x") (llm-query #:data "y" #:model "openai/gpt-4.1")"#;
    Prog::new(program).openai(&server).run().ok();
    Prog::new(program).openai(&server).env("RLMSH_MODEL", "model-from-env").run().ok();
    Prog::new(program).openai(&server).env("RLMSH_MODEL", "model-from-env").args(&["--model", "model-from-flag"]).run().ok();
    let models: Vec<String> = server.requests().iter().map(|r| body(r)["model"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(models, ["gpt-4o-mini", "gpt-4.1", "model-from-env", "gpt-4.1", "model-from-flag", "gpt-4.1"]);
}

#[test]
fn anthropic_request_and_usage_mapping() {
    let server = MockServer::always(Reply::anthropic(&["Hello, ", "world"], 1000, 500));
    let out = Prog::new(
        r#"
(define r (llm-query #:instruction "Be brief." #:data "Question?" #:model "claude-3-5-haiku-latest" #:temperature 0.5))
(write r) (newline)
(displayln (unsafe-raw-query #:instruction "Again." #:data "Q2" #:model "anthropic/claude-sonnet-4-20250514" #:max-tokens 100))
(define t (tokens-used))
(displayln (list (hash-ref t 'prompt_tokens) (hash-ref t 'completion_tokens) (hash-ref t 'total_tokens) (hash-ref t 'calls)))
(define haiku (hash-ref (hash-ref t 'by_model) "anthropic/claude-3-5-haiku-latest"))
(displayln (list (hash-ref haiku 'calls) (hash-ref haiku 'prompt_tokens) (hash-ref haiku 'completion_tokens) (hash-ref haiku 'total_tokens)))
(displayln (< (abs (- (hash-ref haiku 'cost_usd) 0.0028)) 1e-9))
(displayln (< (abs (- (hash-ref t 'cost_usd) (+ 0.0028 0.0105))) 1e-9))
(displayln (sort (hash-keys (hash-ref t 'by_model)) string<?))
"#,
    )
    .anthropic(&server)
    .run();
    out.ok();
    assert_eq!(
        lines(&out.stdout),
        [
            r#"#<syntax "Hello, world">"#,
            "Hello, world",
            "(2000 1000 3000 2)",
            "(1 1000 500 1500)",
            "#t",
            "#t",
            "(anthropic/claude-3-5-haiku-latest anthropic/claude-sonnet-4-20250514)",
        ]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/v1/messages");
    assert_eq!(first.header("x-api-key"), Some(KEY));
    assert_eq!(first.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(first.header("authorization"), None);
    let b = body(first);
    assert_eq!(b["model"], "claude-3-5-haiku-latest");
    assert_eq!(b["system"], "Be brief.");
    assert_eq!(b["max_tokens"].as_u64(), Some(4096), "Anthropic requires max_tokens; the default is 4096");
    assert_eq!(b["temperature"].as_f64(), Some(0.5));
    assert_eq!(b["messages"], json!([{"role": "user", "content": [{"type": "text", "text": "Question?"}]}]));
    let b = body(&requests[1]);
    assert_eq!(b["model"], "claude-sonnet-4-20250514");
    assert_eq!(b["system"], "Again.");
    assert_eq!(b["max_tokens"].as_u64(), Some(100));
    assert!(b.get("temperature").is_none(), "{b}");
}

#[test]
fn a_claude_model_set_by_flag_goes_to_anthropic() {
    let server = MockServer::always(Reply::anthropic(&["hi"], 1, 1));
    let out = Prog::new(r#"(displayln (unsafe-raw-query #:data "x"))"#).anthropic(&server).args(&["--model", "claude-3-haiku-20240307"]).run();
    out.ok();
    assert_eq!(out.stdout, "hi\n");
    let requests = server.requests();
    assert_eq!(requests[0].path, "/v1/messages");
    assert_eq!(body(&requests[0])["model"], "claude-3-haiku-20240307");
}

/// The first bytes of a PNG file, as base64.
const PNG_BYTES: &[u8] = &[137, 80, 78, 71];
const PNG_BASE64: &str = "iVBORw==";

#[test]
fn images_become_content_parts_in_both_wire_formats() {
    let openai = echo_server(1, 1);
    let anthropic = MockServer::always(Reply::anthropic(&["seen"], 1, 1));
    let program = r#"
(displayln (unsafe-raw-query #:data "Describe" #:image "pic.png" #:images (list "https://example.com/cat.jpg")))
(displayln (unsafe-raw-query #:data "Describe" #:image "pic.png" #:images (list "https://example.com/cat.jpg") #:model "claude-3-5-haiku-latest"))
"#;
    let out = Prog::new(program).openai(&openai).anthropic(&anthropic).file("pic.png", PNG_BYTES).run();
    out.ok();
    assert_eq!(lines(&out.stdout), ["answer: Describe", "seen"]);
    assert_eq!(
        body(&openai.requests()[0])["messages"][1]["content"],
        json!([
            {"type": "text", "text": "Describe"},
            {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG_BASE64}")}},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
        ])
    );
    assert_eq!(
        body(&anthropic.requests()[0])["messages"][0]["content"],
        json!([
            {"type": "text", "text": "Describe"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_BASE64}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        ])
    );
}

#[test]
fn bad_images_are_refused_before_sending() {
    let server = echo_server(1, 1);
    let out = Prog::new(
        r#"
(define (try thunk) (with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (thunk)))
(try (lambda () (llm-query #:data "x" #:image "notes.txt")))
(try (lambda () (llm-query #:data "x" #:image "missing.png")))
(try (lambda () (llm-query #:data "x" #:images (list "pic.png" 42))))
"#,
    )
    .openai(&server)
    .file("notes.txt", b"text")
    .file("pic.png", PNG_BYTES)
    .run();
    out.ok();
    let printed = lines(&out.stdout);
    assert!(printed[0].contains("notes.txt") && printed[0].contains(".png"), "{}", out.stdout);
    assert!(printed[1].contains("cannot read image missing.png"), "{}", out.stdout);
    assert!(out.stdout.contains("expected: string?"), "{}", out.stdout);
    assert_eq!(server.request_count(), 0);
}

// ---------------------------------------------------------------------------------------------
// JSON mode

#[test]
fn json_mode_asks_for_json_and_appends_the_sentence_only_when_needed() {
    let server = MockServer::always(Reply::openai(r#"{"a": 1}"#, 5, 5));
    let out = Prog::new(
        r#"
(displayln (syntax-e (llm-query #:instruction "Classify the text." #:data "d" #:json #t)))
(displayln (unsafe-raw-query #:instruction "Return JSON: {a: int}" #:data "d" #:json #t))
(displayln (unsafe-raw-query #:instruction "Classify." #:data "d" #:json #f))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    assert_eq!(lines(&out.stdout), [r#"{"a": 1}"#, r#"{"a": 1}"#, r#"{"a": 1}"#]);
    let requests = server.requests();
    let b = body(&requests[0]);
    assert_eq!(b["messages"][0]["content"], "Classify the text.\n\nRespond with a JSON object.");
    assert_eq!(b["response_format"], json!({"type": "json_object"}));
    let b = body(&requests[1]);
    assert_eq!(b["messages"][0]["content"], "Return JSON: {a: int}");
    assert_eq!(b["response_format"], json!({"type": "json_object"}));
    let b = body(&requests[2]);
    assert_eq!(b["messages"][0]["content"], "Classify.");
    assert!(b.get("response_format").is_none(), "{b}");
}

#[test]
fn json_mode_for_anthropic_asks_in_the_system_prompt() {
    let server = MockServer::always(Reply::anthropic(&[r#"{"ok": true}"#], 1, 1));
    let out = Prog::new(r#"(displayln (unsafe-raw-query #:instruction "Check it." #:data "d" #:json #t #:model "claude-3-5-haiku-latest"))"#)
        .anthropic(&server)
        .run();
    out.ok();
    assert_eq!(out.stdout, "{\"ok\": true}\n");
    let b = body(&server.requests()[0]);
    assert_eq!(b["system"], "Check it.\n\nRespond with a JSON object.");
    assert!(b.get("response_format").is_none(), "{b}");
}

#[test]
fn json_mode_asks_again_after_an_answer_that_is_not_json() {
    let server = MockServer::sequence(vec![Reply::openai("Sure! Here it is: {a: 1", 10, 3)], Reply::openai(r#"{"a": 1}"#, 10, 4));
    let out = Prog::new(
        r#"
(displayln (unsafe-raw-query #:instruction "Give JSON." #:data "d" #:json #t))
(define t (tokens-used))
(displayln (list (hash-ref t 'prompt_tokens) (hash-ref t 'completion_tokens)))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    assert_eq!(lines(&out.stdout), [r#"{"a": 1}"#, "(20 7)"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(body(&requests[0]), body(&requests[1]), "the second request repeats the first");
}

#[test]
fn json_mode_fails_with_the_raw_answer_after_two_non_json_answers() {
    let server = MockServer::always(Reply::openai("I cannot do JSON today", 1, 1));
    let out = Prog::new(
        r#"
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))])
  (llm-query #:instruction "Give JSON." #:data "d" #:json #t))
(llm-query #:instruction "Give JSON." #:data "d" #:json #t)
"#,
    )
    .openai(&server)
    .run();
    out.failed(1);
    assert!(out.stdout.contains("I cannot do JSON today") && out.stdout.contains("JSON"), "{}", out.stdout);
    assert!(out.stderr.contains("I cannot do JSON today"), "{}", out.stderr);
    assert_eq!(server.request_count(), 4, "two requests per call");
}

// ---------------------------------------------------------------------------------------------
// Reliability

#[test]
fn server_errors_are_retried() {
    let server = MockServer::sequence(vec![Reply::error(500, "boom"), Reply::error(502, "bad gateway")], Reply::openai("fine", 1, 1));
    let out = Prog::new(r#"(displayln (unsafe-raw-query #:data "x"))"#).openai(&server).run();
    out.ok();
    assert_eq!(out.stdout, "fine\n");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    // Backoff: about 0.5 s then 1 s, each scaled by a factor in [0.5, 1].
    let first_gap = requests[1].received_at - requests[0].received_at;
    let second_gap = requests[2].received_at - requests[1].received_at;
    assert!(first_gap >= Duration::from_millis(200), "{first_gap:?}");
    assert!(second_gap >= Duration::from_millis(450), "{second_gap:?}");
}

#[test]
fn too_many_requests_honours_retry_after() {
    let server = MockServer::sequence(
        vec![Reply::error(429, "slow down").with_header("Retry-After", "0"); 3],
        Reply::openai("at last", 1, 1),
    );
    let out = Prog::new(r#"(displayln (unsafe-raw-query #:data "x"))"#).openai(&server).run();
    out.ok();
    assert_eq!(out.stdout, "at last\n");
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    // Without Retry-After the three waits would take at least 0.25 + 0.5 + 1 s.
    let span = requests[3].received_at - requests[0].received_at;
    assert!(span < Duration::from_millis(1000), "Retry-After: 0 was not honoured: {span:?}");

    let server = MockServer::sequence(vec![Reply::error(429, "slow down").with_header("Retry-After", "1")], Reply::openai("ok", 1, 1));
    Prog::new(r#"(unsafe-raw-query #:data "x")"#).openai(&server).run().ok();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].received_at - requests[0].received_at;
    assert!(gap >= Duration::from_millis(950), "Retry-After: 1 was not honoured: {gap:?}");
}

#[test]
fn retries_run_out_after_max_retries() {
    let server = MockServer::always(Reply::error(503, "overloaded right now"));
    let out = Prog::new(r#"(llm-query #:data "x")"#).openai(&server).args(&["--max-retries", "2"]).run();
    out.failed(1);
    assert_eq!(server.request_count(), 3);
    assert!(out.stderr.contains("503") && out.stderr.contains("overloaded right now"), "{}", out.stderr);

    let server = MockServer::always(Reply::error(500, "down"));
    let out = Prog::new(r#"(llm-query #:data "x")"#).openai(&server).args(&["--max-retries", "0"]).run();
    out.failed(1);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn client_errors_fail_at_once_with_the_provider_message() {
    let server = MockServer::always(Reply::error(401, "Incorrect API key provided: sk-te...ab12."));
    let out = Prog::new(
        r#"
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))])
  (llm-query #:data "x"))
(llm-query #:data "x")
"#,
    )
    .openai(&server)
    .run();
    out.failed(1);
    assert!(out.stdout.contains("401") && out.stdout.contains("Incorrect API key provided: sk-te...ab12."), "{}", out.stdout);
    assert!(out.stderr.contains("Incorrect API key provided"), "{}", out.stderr);
    assert_eq!(server.request_count(), 2, "one request per call: a 401 is not retried");

    let server = MockServer::always(Reply::error(400, "max_tokens is too large"));
    let out = Prog::new(r#"(llm-query #:data "x" #:max-tokens 999999)"#).openai(&server).run();
    out.failed(1);
    assert!(out.stderr.contains("max_tokens is too large"), "{}", out.stderr);
    assert_eq!(server.request_count(), 1);

    // An error body that is not JSON is shown as it is.
    let server = MockServer::always(Reply::status(404, "no such route"));
    let out = Prog::new(r#"(llm-query #:data "x")"#).openai(&server).run();
    out.failed(1);
    assert!(out.stderr.contains("404") && out.stderr.contains("no such route"), "{}", out.stderr);
    assert_eq!(server.request_count(), 1);
}

#[test]
fn a_request_that_takes_too_long_times_out_and_is_retried() {
    let server = MockServer::always(Reply::openai("too late", 1, 1).after(Duration::from_secs(5)));
    let out = Prog::new(r#"(llm-query #:data "x")"#).openai(&server).args(&["--request-timeout", "0.5", "--max-retries", "1"]).run();
    out.failed(1);
    assert!(out.stderr.contains("timed out"), "{}", out.stderr);
    assert_eq!(server.request_count(), 2);
    assert!(out.elapsed < Duration::from_millis(4000), "{:?}", out.elapsed);
}

#[test]
fn a_dropped_connection_is_retried() {
    let server = MockServer::sequence(vec![Reply::drop_connection()], Reply::openai("second time lucky", 1, 1));
    let out = Prog::new(r#"(displayln (unsafe-raw-query #:data "x"))"#).openai(&server).run();
    out.ok();
    assert_eq!(out.stdout, "second time lucky\n");
    assert_eq!(server.request_count(), 2);

    let server = MockServer::always(Reply::drop_connection());
    let out = Prog::new(r#"(llm-query #:data "x")"#).openai(&server).args(&["--max-retries", "1"]).run();
    out.failed(1);
    assert!(out.stderr.contains("connection failed"), "{}", out.stderr);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn connection_refused_is_an_error_without_the_key() {
    // A port nobody listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = Prog::new(r#"(llm-query #:data "x")"#)
        .env("OPENAI_BASE_URL", &format!("http://127.0.0.1:{port}/v1"))
        .env("OPENAI_API_KEY", KEY)
        .args(&["--max-retries", "0"])
        .run();
    out.failed(1);
    assert!(out.stderr.contains("connection failed"), "{}", out.stderr);
}

#[test]
fn an_unreadable_answer_is_an_error() {
    let server = MockServer::always(Reply::status(200, "this is not JSON"));
    let out = Prog::new(r#"(llm-query #:data "x")"#).openai(&server).run();
    out.failed(1);
    assert!(out.stderr.contains("could not be read"), "{}", out.stderr);
    assert_eq!(server.request_count(), 1);
    let server = MockServer::always(Reply::json(200, json!({"choices": []})));
    let out = Prog::new(r#"(llm-query #:data "x")"#).openai(&server).run();
    out.failed(1);
    assert!(out.stderr.contains("choices[0].message.content"), "{}", out.stderr);
}

#[test]
fn max_concurrency_caps_calls_in_flight_across_the_run() {
    let server = MockServer::start(|r| Reply::openai(&r.openai_user_text(), 1, 1).after(Duration::from_millis(150)));
    let out = Prog::new(
        r#"
(define hs (for/list ([i 8]) (llm-query-async #:data (number->string i))))
(displayln (await-all hs))
"#,
    )
    .openai(&server)
    .args(&["--max-concurrency", "2"])
    .run();
    out.ok();
    assert_eq!(out.stdout, "(0 1 2 3 4 5 6 7)\n");
    assert_eq!(server.request_count(), 8);
    assert_eq!(server.max_in_flight(), 2);
}

#[test]
fn ctrl_c_while_waiting_for_a_call_is_a_break() {
    let server = MockServer::always(Reply::openai("never", 1, 1).after(Duration::from_secs(20)));
    let prog = Prog::new(r#"(displayln "waiting") (llm-query #:data "x") (displayln "not reached")"#).openai(&server);
    let dir = tempfile::tempdir().unwrap();
    let child = prog.command(dir.path()).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.request_count() == 0 {
        assert!(Instant::now() < deadline, "the request never arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Instant::now();
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let output = child.wait_with_output();
        let _ = tx.send(());
        output
    });
    if rx.recv_timeout(Duration::from_secs(10)).is_err() {
        panic!("rlmsh did not stop within 10 s of Ctrl-C");
    }
    let output = waiter.join().unwrap().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(5));
    assert_eq!(output.status.code(), Some(130), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "waiting\n");
}

// ---------------------------------------------------------------------------------------------
// Async calls

#[test]
fn async_calls_await_await_all_and_await_all_syntax() {
    let server = echo_server(1, 1);
    let out = Prog::new(
        r#"
(define h (llm-query-async #:data "one"))
(displayln (regexp-match? #rx"^#<llm-call:[0-9]+:(pending|done)>$" (format "~a" h)))
(define a (await h))
(write a) (newline)
(displayln (regexp-match? #rx"^#<llm-call:[0-9]+:done>$" (format "~a" h)))
(write (await h)) (newline)
(define hs (map (lambda (d) (llm-query-async #:data d)) '("a" "b" "c")))
(write (await-all hs)) (newline)
(write (await-all-syntax hs)) (newline)
(displayln (map syntax? (await-all-syntax hs)))
(write (await-all '())) (newline)
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    assert_eq!(
        lines(&out.stdout),
        [
            "#t",
            r#"#<syntax "answer: one">"#,
            "#t",
            r#"#<syntax "answer: one">"#,
            r#"("answer: a" "answer: b" "answer: c")"#,
            r#"(#<syntax "answer: a"> #<syntax "answer: b"> #<syntax "answer: c">)"#,
            "(#t #t #t)",
            "()",
        ]
    );
    assert_eq!(server.request_count(), 4, "awaiting again does not ask again");
}

#[test]
fn a_failed_call_fails_its_await_and_names_its_position_in_await_all() {
    let server = MockServer::start(|r| {
        if r.openai_user_text() == "bad" {
            Reply::error(400, "refused this one")
        } else {
            Reply::openai("fine", 1, 1)
        }
    });
    let out = Prog::new(
        r#"
(define hs (map (lambda (d) (llm-query-async #:data d)) '("ok" "bad" "ok")))
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (await-all hs))
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (await (cadr hs)))
(displayln (regexp-match? #rx"^#<llm-call:[0-9]+:failed>$" (format "~a" (cadr hs))))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    let printed = lines(&out.stdout);
    assert!(printed[0].starts_with("await-all: call 1 failed") && printed[0].contains("refused this one"), "{}", out.stdout);
    assert!(printed[1].starts_with("await: ") && printed[1].contains("refused this one"), "{}", out.stdout);
    assert_eq!(printed[2], "#t");
}

#[test]
fn await_any_returns_the_first_answer_and_the_rest() {
    let server = MockServer::start(|r| {
        let text = r.openai_user_text();
        let delay = if text == "slow" { 1500 } else { 50 };
        Reply::openai(&format!("answer: {text}"), 1, 1).after(Duration::from_millis(delay))
    });
    let out = Prog::new(
        r#"
(define slow (llm-query-async #:data "slow"))
(define fast (llm-query-async #:data "fast"))
(define-values (first rest) (await-any (list slow fast)))
(write first) (newline)
(displayln (length rest))
(displayln (eq? (car rest) slow))
(displayln (regexp-match? #rx"pending" (format "~a" slow)))
(define-values (second none) (await-any rest))
(write second) (newline)
(write none) (newline)
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (await-any '()))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    let printed = lines(&out.stdout);
    assert_eq!(printed[..6], [r#""answer: fast""#, "1", "#t", "#t", r#""answer: slow""#, "()"]);
    assert!(printed[6].starts_with("await-any: contract violation"), "{}", out.stdout);
}

#[test]
fn cancel_stops_a_pending_call() {
    let server = MockServer::start(|r| {
        let text = r.openai_user_text();
        let delay = if text == "slow" { 3000 } else { 0 };
        Reply::openai(&format!("answer: {text}"), 10, 10).after(Duration::from_millis(delay))
    });
    let out = Prog::new(
        r#"
(define slow (llm-query-async #:data "slow"))
(define fast (llm-query-async #:data "fast"))
(displayln (syntax-e (await fast)))
(cancel slow)
(displayln (regexp-match? #rx"^#<llm-call:[0-9]+:cancelled>$" (format "~a" slow)))
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (await slow))
(cancel fast)
(displayln (syntax-e (await fast)))
(displayln (hash-ref (tokens-used) 'calls))
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (cancel "not a handle"))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    let printed = lines(&out.stdout);
    assert_eq!(printed[..3], ["answer: fast", "#t", "await: the call was cancelled"]);
    assert_eq!(printed[3], "answer: fast", "cancelling a finished call changes nothing");
    assert_eq!(printed[4], "1", "the cancelled call is not counted");
    assert!(printed[5].starts_with("cancel: contract violation"), "{}", out.stdout);
    assert!(out.elapsed < Duration::from_millis(2500), "the program waited for the cancelled call: {:?}", out.elapsed);
}

// ---------------------------------------------------------------------------------------------
// map-async

#[test]
fn map_async_keeps_input_order_whatever_order_answers_arrive_in() {
    let server = MockServer::start(|r| {
        let text = r.openai_user_text();
        let i: u64 = text.parse().unwrap_or(0);
        Reply::openai(&format!("answer {text}"), 1, 1).after(Duration::from_millis(60 * (6 - i.min(6))))
    });
    let out = Prog::new(
        r#"
(define results
  (map-async (lambda (i)
               (printf "f ~a\n" i)
               (if (odd? i)
                   (llm-query-async #:data (number->string i))
                   (* i 100)))
             '(0 1 2 3 4 5 6)))
(write results) (newline)
(displayln (map-async (lambda (x) x) '()))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    assert_eq!(
        lines(&out.stdout),
        ["f 0", "f 1", "f 2", "f 3", "f 4", "f 5", "f 6", r#"(0 "answer 1" 200 "answer 3" 400 "answer 5" 600)"#, "()"]
    );
    assert_eq!(server.max_in_flight(), 3, "all three calls are in flight at once by default");
}

#[test]
fn map_async_never_has_more_than_max_concurrent_calls_in_flight() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = MockServer::start(move |r| {
        counter.fetch_add(1, Ordering::SeqCst);
        Reply::openai(&format!("a{}", r.openai_user_text()), 1, 1).after(Duration::from_millis(120))
    });
    let out = Prog::new(
        r#"
(define results
  (map-async (lambda (i) (llm-query-async #:data (number->string i))) (range 12) #:max-concurrent 3))
(displayln results)
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    assert_eq!(out.stdout, "(a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11)\n");
    assert_eq!(calls.load(Ordering::SeqCst), 12);
    assert_eq!(server.max_in_flight(), 3);

    // The default is 20.
    let server = MockServer::start(|_| Reply::openai("x", 1, 1).after(Duration::from_millis(400)));
    Prog::new(r#"(void (map-async (lambda (i) (llm-query-async #:data (number->string i))) (range 25)))"#)
        .openai(&server)
        .run()
        .ok();
    assert_eq!(server.max_in_flight(), 20);
}

#[test]
fn map_async_names_the_failing_element_and_cancels_the_rest() {
    let server = MockServer::start(|r| {
        if r.openai_user_text() == "1" {
            Reply::error(400, "element one is bad")
        } else {
            Reply::openai("fine", 1, 1).after(Duration::from_millis(700))
        }
    });
    let out = Prog::new(
        r#"
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))])
  (map-async (lambda (i) (llm-query-async #:data (number->string i))) (range 10) #:max-concurrent 3))
(displayln (hash-ref (tokens-used) 'calls))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    let printed = lines(&out.stdout);
    assert!(printed[0].starts_with("map-async: element 1 failed") && printed[0].contains("element one is bad"), "{}", out.stdout);
    assert_eq!(printed[1], "  element: 1", "the error shows the element");
    assert_eq!(printed[2], "0", "the calls in flight were cancelled, not awaited");
    assert!(server.request_count() <= 4, "no element after the failure was started: {}", server.request_count());
    assert!(out.elapsed < Duration::from_millis(2000), "{:?}", out.elapsed);

    // An error raised by F itself also ends map-async and cancels the calls in flight.
    let server = MockServer::always(Reply::openai("fine", 1, 1).after(Duration::from_millis(3000)));
    let out = Prog::new(
        r#"
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))])
  (map-async (lambda (i) (if (= i 2) (error 'f "no two") (llm-query-async #:data (number->string i)))) (range 5)))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    assert_eq!(out.stdout, "f: no two\n");
    assert!(out.elapsed < Duration::from_millis(2500), "{:?}", out.elapsed);
}

// ---------------------------------------------------------------------------------------------
// Token budgets and accounting

#[test]
fn an_uncaught_budget_error_exits_with_code_3() {
    let server = MockServer::always(Reply::openai("ok", 60, 40));
    let out = Prog::new(
        r#"
(token-budget 150)
(displayln (unsafe-raw-query #:data "1"))
(displayln (unsafe-raw-query #:data "2"))
(displayln (unsafe-raw-query #:data "3"))
(displayln "not reached")
"#,
    )
    .openai(&server)
    .run();
    out.failed(3);
    assert_eq!(out.stdout, "ok\nok\n");
    assert!(out.stderr.contains("token budget exceeded"), "{}", out.stderr);
    assert_eq!(server.request_count(), 2, "the refused call was never sent");
}

#[test]
fn budget_errors_are_catchable_and_parameterize_scopes_them() {
    let server = MockServer::always(Reply::openai("ok", 60, 40));
    let out = Prog::new(
        r#"
(define (try)
  (with-handlers ([exn:fail? (lambda (e)
                               (if (regexp-match? #rx"token budget exceeded" (exn-message e)) 'refused (exn-message e)))])
    (unsafe-raw-query #:data "x")))
(parameterize ([token-budget 100])
  (displayln (try))
  (displayln (try)))
(displayln (try))
(token-budget 250)
(parameterize ([token-budget 1000])
  (displayln (try))
  (displayln (try))
  (displayln (try))
  (displayln (try)))
(displayln (try))
(token-budget #f)
(displayln (try))
(token-budget 0)
(displayln (try))
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (token-budget -1))
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (token-budget "lots"))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    let printed = lines(&out.stdout);
    assert_eq!(printed[..10], ["ok", "refused", "ok", "ok", "ok", "ok", "refused", "refused", "ok", "refused"]);
    assert_eq!(out.stdout.matches("token-budget: contract violation").count(), 2, "{}", out.stdout);
    assert_eq!(server.request_count(), 6);
}

#[test]
fn tokens_used_adds_up_what_the_server_reported() {
    let server = MockServer::start(|r| {
        let i: u64 = r.openai_user_text().parse().unwrap_or(0);
        Reply::openai("x", 1000 * i, 100 * i)
    });
    let out = Prog::new(
        r#"
(define t0 (tokens-used))
(displayln (list (hash-ref t0 'prompt_tokens) (hash-ref t0 'completion_tokens) (hash-ref t0 'total_tokens) (hash-ref t0 'calls) (zero? (hash-ref t0 'cost_usd)) (hash-count (hash-ref t0 'by_model))))
(unsafe-raw-query #:data "1")
(unsafe-raw-query #:data "2" #:model "gpt-4o-mini")
(await (llm-query-async #:data "3" #:model "openai/gpt-4o"))
(llm-query #:data "4" #:model "offline")
(define t (tokens-used))
(displayln (list (hash-ref t 'prompt_tokens) (hash-ref t 'completion_tokens) (hash-ref t 'total_tokens) (hash-ref t 'calls)))
(define by (hash-ref t 'by_model))
(displayln (sort (hash-keys by) string<?))
(define mini (hash-ref by "openai/gpt-4o-mini"))
(displayln (map (lambda (k) (hash-ref mini k)) '(calls prompt_tokens completion_tokens total_tokens)))
(define big (hash-ref by "openai/gpt-4o"))
(displayln (map (lambda (k) (hash-ref big k)) '(calls prompt_tokens completion_tokens total_tokens)))
(define off (hash-ref by "offline/offline"))
(displayln (list (hash-ref off 'calls) (hash-ref off 'cost_usd)))
;; gpt-4o-mini: 3000 prompt, 300 completion at 0.15 / 0.60 per million; gpt-4o: 3000, 300 at 2.50 / 10.
(define (close? a b) (< (abs (- a b)) 1e-12))
(displayln (close? (hash-ref mini 'cost_usd) (/ (+ (* 3000 0.15) (* 300 0.60)) 1e6)))
(displayln (close? (hash-ref big 'cost_usd) (/ (+ (* 3000 2.50) (* 300 10.0)) 1e6)))
(displayln (close? (hash-ref t 'cost_usd) (+ (hash-ref mini 'cost_usd) (hash-ref big 'cost_usd))))
(displayln (immutable? t))
"#,
    )
    .openai(&server)
    .run();
    out.ok();
    let printed = lines(&out.stdout);
    assert_eq!(printed[0], "(0 0 0 0 #t 0)");
    // The offline call's usage is estimated (4 characters a token), so only the server's is exact.
    let sums: Vec<u64> = printed[1].trim_matches(['(', ')']).split(' ').map(|n| n.parse().unwrap()).collect();
    assert!(sums[0] > 6000 && sums[0] < 6100 && sums[1] > 600 && sums[1] < 700, "{}", printed[1]);
    assert_eq!(sums[2], sums[0] + sums[1]);
    assert_eq!(sums[3], 4);
    assert_eq!(printed[2], "(offline/offline openai/gpt-4o openai/gpt-4o-mini)");
    assert_eq!(printed[3], "(2 3000 300 3300)");
    assert_eq!(printed[4], "(1 3000 300 3300)");
    assert_eq!(printed[5], "(1 0.0)");
    assert_eq!(printed[6..], ["#t", "#t", "#t", "#t"]);
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn no_provider_configured_says_what_to_set() {
    let out = Prog::new(
        r#"
(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (llm-query #:data "x" #:model "claude-3-5-haiku-latest"))
(llm-query #:data "x")
"#,
    )
    .run();
    out.failed(1);
    assert!(out.stdout.contains("ANTHROPIC_API_KEY") && out.stdout.contains("--offline"), "{}", out.stdout);
    assert!(out.stderr.contains("OPENAI_API_KEY") && out.stderr.contains("--offline"), "{}", out.stderr);
}

#[test]
fn offline_flag_env_and_model_never_touch_the_network() {
    let server = echo_server(1, 1);
    let program = r#"
(define a (unsafe-raw-query #:instruction "i" #:data "d"))
(define b (unsafe-raw-query #:instruction "i" #:data "d"))
(define c (unsafe-raw-query #:instruction "i" #:data "other"))
(displayln a)
(displayln (equal? a b))
(displayln (equal? a c))
"#;
    let flag = Prog::new(program).openai(&server).args(&["--offline"]).run();
    flag.ok();
    let env = Prog::new(program).openai(&server).env("RLMSH_OFFLINE", "1").run();
    env.ok();
    assert_eq!(flag.stdout, env.stdout);
    let printed = lines(&flag.stdout);
    assert!(printed[0].starts_with("offline:gpt-4o-mini:") && printed[0].len() == "offline:gpt-4o-mini:".len() + 12, "{}", printed[0]);
    assert_eq!(printed[1..], ["#t", "#f"]);
    let model = Prog::new(r#"(displayln (unsafe-raw-query #:data "d" #:model "offline"))"#).openai(&server).run();
    model.ok();
    assert!(model.stdout.starts_with("offline:offline:"), "{}", model.stdout);
    assert_eq!(server.request_count(), 0);
    // RLMSH_OFFLINE=0 is not offline.
    Prog::new(program).openai(&server).env("RLMSH_OFFLINE", "0").run().ok();
    assert_eq!(server.request_count(), 3);
}

#[test]
fn flag_values_are_checked() {
    for args in [
        &["--request-timeout", "0"][..],
        &["--request-timeout=-1"],
        &["--max-concurrency", "0"],
        &["--max-retries", "many"],
    ] {
        let out = Prog::new("(displayln 1)").args(args).run();
        assert_eq!(out.code, Some(2), "{args:?} should be a usage error\nstderr: {}", out.stderr);
        let flag = args[0].split('=').next().unwrap();
        assert!(out.stderr.contains(flag), "{args:?}: {}", out.stderr);
    }
}

// ---------------------------------------------------------------------------------------------
// Response cache, record and replay

const THREE_CALLS: &str = r#"(displayln (syntax-e (llm-query #:data "one")))
(displayln (await-all (list (llm-query-async #:data "two") (llm-query-async #:data "three"))))
(displayln (hash-ref (tokens-used) 'total_tokens))"#;

#[test]
fn a_cached_answer_costs_no_request_and_no_tokens() {
    let server = echo_server(10, 5);
    let store = tempfile::tempdir().unwrap();
    let cache = store.path().join("cache");
    let first = Prog::new(THREE_CALLS).openai(&server).args(&["--cache", cache.to_str().unwrap()]).run();
    first.ok();
    assert_eq!(lines(&first.stdout), ["answer: one", "(answer: two answer: three)", "45"]);
    let second = Prog::new(THREE_CALLS).openai(&server).args(&["--cache", cache.to_str().unwrap()]).run();
    second.ok();
    assert_eq!(lines(&second.stdout), ["answer: one", "(answer: two answer: three)", "0"]);
    assert_eq!(server.request_count(), 3, "the second run must be answered from the cache");
}

#[test]
fn a_corrupt_cache_entry_is_a_miss_and_is_rewritten() {
    let server = echo_server(1, 1);
    let store = tempfile::tempdir().unwrap();
    let cache = store.path().join("cache");
    let program = r#"(displayln (syntax-e (llm-query #:data "one")))"#;
    Prog::new(program).openai(&server).args(&["--cache", cache.to_str().unwrap()]).run().ok();
    for entry in std::fs::read_dir(&cache).unwrap() {
        std::fs::write(entry.unwrap().path(), "{torn").unwrap();
    }
    let again = Prog::new(program).openai(&server).args(&["--cache", cache.to_str().unwrap()]).run();
    again.ok();
    assert_eq!(lines(&again.stdout), ["answer: one"]);
    assert_eq!(server.request_count(), 2);
    Prog::new(program).openai(&server).args(&["--cache", cache.to_str().unwrap()]).run().ok();
    assert_eq!(server.request_count(), 2, "the rewritten entry must be a hit");
}

#[test]
fn a_recording_replays_without_a_provider_and_a_missing_request_is_named() {
    let server = echo_server(10, 5);
    let store = tempfile::tempdir().unwrap();
    let recording = store.path().join("calls.jsonl");
    let recorded = Prog::new(THREE_CALLS).openai(&server).args(&["--record", recording.to_str().unwrap()]).run();
    recorded.ok();
    assert_eq!(std::fs::read_to_string(&recording).unwrap().lines().count(), 3);
    let replayed = Prog::new(THREE_CALLS).args(&["--replay", recording.to_str().unwrap()]).run();
    replayed.ok();
    assert_eq!(lines(&replayed.stdout)[..2], lines(&recorded.stdout)[..2]);
    let missing = Prog::new(r#"(llm-query #:data "four")"#).args(&["--replay", recording.to_str().unwrap()]).run();
    missing.failed(1);
    assert!(missing.stderr.contains("--replay recording has no answer") && missing.stderr.contains("gpt-4o-mini"), "{}", missing.stderr);
    let absent = Prog::new("(void)").args(&["--replay", store.path().join("none.jsonl").to_str().unwrap()]).run();
    absent.failed(66);
    assert!(absent.stderr.contains("--replay"), "{}", absent.stderr);
}

// ---------------------------------------------------------------------------------------------
// Trace

#[test]
fn the_trace_has_a_line_per_call_and_summarizes() {
    let server = MockServer::sequence(vec![Reply::openai(r#"{"a": 1}"#, 7, 3), Reply::error(400, "bad request text")], Reply::openai("later", 1, 1));
    let store = tempfile::tempdir().unwrap();
    let trace = store.path().join("trace.jsonl");
    let program = r#"(displayln (syntax-e (llm-query #:data "one" #:json #t #:instruction "Say hi")))
(displayln (with-handlers ([exn:fail? (lambda (e) "failed")]) (llm-query #:data "two")))"#;
    let out = Prog::new(program).openai(&server).args(&["--trace", trace.to_str().unwrap(), "--max-retries", "0"]).run();
    out.ok();
    assert_eq!(lines(&out.stdout), [r#"{"a": 1}"#, "failed"]);
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(!text.contains(KEY), "the key leaked into the trace");
    let calls: Vec<Json> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(calls.len(), 2, "{text}");
    assert_eq!(calls[0]["status"], "ok", "{text}");
    assert_eq!(calls[0]["json_instruction_added"], true);
    assert_eq!(calls[0]["prompt_tokens"], 7);
    assert!(calls[0].get("answer").is_none(), "answers are traced only with --trace-full");
    assert_eq!(calls[1]["status"], "error");
    assert!(calls[1]["error"].as_str().unwrap().contains("bad request text"));
    let summary = Command::new(common::rlmsh_bin()).arg("trace").arg(&trace).output().unwrap();
    let table = String::from_utf8_lossy(&summary.stdout);
    assert!(table.contains("| openai/gpt-4o-mini | 2 | 1 | 0 | 7 | 3 |"), "{table}");
}

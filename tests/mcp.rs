//! `rlmsh mcp` end to end: a real MCP client (the official Python SDK, `tests/mcp/client.py`)
//! drives a whole session; raw JSON-RPC checks what no well-behaved client sends; and the
//! command line around the server.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{rlmsh_bin, run_command, tests_dir, Out, MODEL_ENV, TIMEOUT};
use serde_json::{json, Value as Json};

/// `.ci/run` installs the client library with the same line.
const PIP_INSTALL: &str = "python3 -m pip install --quiet --disable-pip-version-check mcp==2.3.0";

#[test]
fn a_real_mcp_client_drives_a_whole_session() {
    let mut cmd = Command::new("python3");
    cmd.arg(tests_dir("mcp").join("client.py")).arg(rlmsh_bin());
    let out = Out::of(run_command(&mut cmd, Duration::from_secs(240)), "tests/mcp/client.py");
    assert!(
        !out.stderr.contains("No module named 'mcp'"),
        "the Python MCP SDK is not installed for python3; install it with `{PIP_INSTALL}`"
    );
    assert_eq!(out.code, Some(0), "the MCP client's checks failed\nstdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("all MCP checks passed"), "{}", out.stdout);
}

/// A server process spoken to with raw JSON-RPC lines.
struct Raw {
    child: std::process::Child,
    input: Option<std::process::ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl Raw {
    fn start(args: &[&str]) -> Raw {
        let mut cmd = Command::new(rlmsh_bin());
        for var in MODEL_ENV {
            cmd.env_remove(var);
        }
        let mut child = cmd
            .arg("mcp")
            .args(args)
            .env("XDG_CONFIG_HOME", std::env::temp_dir().join("rlmsh-mcp-raw-no-config"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rlmsh mcp");
        let input = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut raw = Raw { child, input, lines };
        raw.send_line(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}).to_string());
        assert_eq!(raw.response(0)["result"]["serverInfo"]["name"], "rlmsh");
        raw.send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        raw
    }

    fn send_line(&mut self, line: &str) {
        let input = self.input.as_mut().expect("the input is open");
        input.write_all(line.as_bytes()).and_then(|()| input.write_all(b"\n")).and_then(|()| input.flush()).expect("write to the server");
    }

    fn call(&mut self, id: u64, tool: &str, arguments: Json) -> Json {
        self.send_line(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}).to_string());
        self.response(id)
    }

    /// Closes the server's input and waits for it to exit; its exit code.
    fn close(mut self) -> Option<i32> {
        drop(self.input.take());
        let deadline = std::time::Instant::now() + TIMEOUT;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not exit after its input closed");
    }

    /// The response to request `id`; every line on stdout must be a JSON-RPC message.
    fn response(&mut self, id: u64) -> Json {
        loop {
            let line = self.lines.recv_timeout(TIMEOUT).expect("a response before the deadline");
            let message: Json = serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout carried a non-protocol line ({e}): {line}"));
            assert_eq!(message["jsonrpc"], "2.0", "{line}");
            if message["id"] == json!(id) {
                return message;
            }
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn garbage_and_malformed_messages_get_errors_or_are_ignored_and_the_session_goes_on() {
    let mut server = Raw::start(&["--offline"]);
    server.send_line("this is not json");
    server.send_line("{\"unterminated\": ");
    server.send_line(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}"#);
    assert!(server.response(1)["error"]["code"].is_i64());
    server.send_line(r#"{"jsonrpc":"2.0","id":2,"method":"no/such/method","params":{}}"#);
    assert!(server.response(2)["error"]["code"].is_i64());
    let unknown = server.call(3, "rm_rf", json!({}));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    let displayed = server.call(4, "execute_scheme", json!({"code": "(display \"to stdout?\") (newline) (eprintf \"to stderr\") (* 6 7)"}));
    let body = &displayed["result"]["structuredContent"];
    assert_eq!(body["result"], 42, "{displayed}");
    assert_eq!(body["output"], "to stdout?\n", "{displayed}");
    assert_eq!(body["stderr"], "to stderr", "{displayed}");
    let exited = server.call(5, "execute_scheme", json!({"code": "(define kept 1) (exit 3)"}));
    assert!(exited["result"]["structuredContent"]["error"]["message"].as_str().unwrap().contains("(exit 3); the server and the session go on"), "{exited}");
    let after = server.call(6, "execute_scheme", json!({"code": "(+ kept 1)"}));
    assert_eq!(after["result"]["structuredContent"]["result"], 2, "{after}");
}

#[test]
fn the_server_ends_cleanly_when_the_client_closes_its_input() {
    let mut server = Raw::start(&["--offline"]);
    let defined = server.call(1, "execute_scheme", json!({"code": "(define answer (syntax-e (llm-query #:instruction \"hi\")))"}));
    assert_eq!(defined["result"]["structuredContent"]["calls"], 1, "{defined}");
    assert_eq!(server.close(), Some(0));
}

#[test]
fn print_config_gives_the_snippet_an_mcp_client_needs() {
    let out = Out::of(run_command(Command::new(rlmsh_bin()).args(["mcp", "--print-config", "--model", "gpt-4o-mini"]), TIMEOUT), "print-config");
    out.ok();
    let config: Json = serde_json::from_str(&out.stdout).expect("JSON");
    let server = &config["mcpServers"]["rlmsh"];
    assert_eq!(server["args"], json!(["mcp", "--model", "gpt-4o-mini"]));
    assert!(std::path::Path::new(server["command"].as_str().unwrap()).is_absolute(), "{config}");
}

#[test]
fn flags_that_mean_nothing_to_a_server_are_usage_errors() {
    let out = Out::of(run_command(Command::new(rlmsh_bin()).args(["mcp", "--json"]), TIMEOUT), "mcp --json");
    out.failed(2);
    assert!(out.stderr.contains("--json does not apply"), "{}", out.stderr);
    let out = Out::of(run_command(Command::new(rlmsh_bin()).args(["mcp", "--context", "-"]), TIMEOUT), "mcp --context -");
    out.failed(2);
    assert!(out.stderr.contains("standard input is already read by the MCP protocol"), "{}", out.stderr);
}

#[test]
fn cancelling_a_queued_request_leaves_the_running_one_alone() {
    let mut server = Raw::start(&["--offline"]);
    let request = |id: u64, code: &str, timeout: f64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "execute_scheme", "arguments": {"code": code, "timeout": timeout}}}).to_string()
    };
    server.send_line(&request(1, "(let loop () (loop))", 2.0));
    std::thread::sleep(Duration::from_millis(300));
    server.send_line(&request(2, "(define queued 1)", 30.0));
    std::thread::sleep(Duration::from_millis(300));
    server.send_line(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2, "reason": "changed my mind"}}).to_string());
    let first = server.response(1);
    let body = &first["result"]["structuredContent"];
    assert!(body["error"]["message"].as_str().unwrap().contains("timed out after 2 s"), "{first}");
    assert!(body["elapsed_ms"].as_u64().unwrap() >= 1500, "the running request was cut short: {first}");
    let state = server.call(3, "execute_scheme", json!({"code": "(with-handlers ([exn:fail? (lambda (e) 'never-defined)]) queued)"}));
    assert_eq!(state["result"]["structuredContent"]["result"], "never-defined", "{state}");
}

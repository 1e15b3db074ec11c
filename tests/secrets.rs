//! The API key never leaves rlmsh: not in stdout, stderr, `--json` output, traces (full ones
//! included), the audit log, recordings, the cache, checkpoints or the result file, even when
//! the provider echoes it back in an answer or in an error message.

mod common;

use std::path::Path;
use std::process::Command;

use common::http::{MockServer, Reply};
use common::{run_command, Out, MODEL_ENV};

const KEY: &str = "sk-test-ECHOED-4f9a1c7e2b8d6035";

/// A gateway that repeats the Authorization header it was sent: in the answer for most models,
/// in an error message for the model `leaky-error`.
fn echoing_server() -> MockServer {
    MockServer::start(|r| {
        let auth = r.header("authorization").unwrap_or("").to_string();
        if r.text().contains("leaky-error") {
            Reply::error(400, &format!("invalid request; you sent {auth}"))
        } else {
            Reply::openai(&format!("I was called with {auth} and the key {}", auth.trim_start_matches("Bearer ")), 10, 10)
        }
    })
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn an_echoed_key_appears_in_no_output_and_no_file() {
    let server = echoing_server();
    let dir = tempfile::tempdir().expect("temp dir");
    let program = r#"
(define answer (syntax-e (llm-query #:data "hello")))
(displayln answer)
(checkpoint "answer" answer)
(displayln (with-handlers ([exn:fail? exn-message]) (llm-query #:model "leaky-error" #:data "x")))
(eprintf "to stderr: ~a\n" answer)
(finish answer)
"#;
    std::fs::write(dir.path().join("prog.scm"), program).expect("write program");
    let mut cmd = Command::new(common::rlmsh_bin());
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    cmd.current_dir(dir.path())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("XDG_CONFIG_HOME", dir.path())
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", KEY)
        .args(["run", "--max-retries", "0", "--json", "--stats", "--trace", "trace.jsonl", "--trace-full"])
        .args(["--audit", "audit.jsonl", "--record", "calls.jsonl", "--cache", "cache", "--checkpoint-dir", "cp"])
        .args(["--result-file", "result.txt", "prog.scm"]);
    let out = Out::of(run_command(&mut cmd, common::TIMEOUT), program);
    out.ok();
    assert!(out.stdout.contains("[redacted API key]"), "the echo should be there, redacted: {}", out.stdout);
    assert!(out.stdout.contains("HTTP 400"), "{}", out.stdout);
    assert!(!out.stdout.contains(KEY) && !out.stderr.contains(KEY), "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    let files = files_under(dir.path());
    assert!(files.len() >= 6, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).expect("read artifact");
        assert!(!String::from_utf8_lossy(&bytes).contains(KEY), "the key is in {}", file.display());
    }
    assert!(server.requests().iter().all(|r| r.header("authorization") == Some(&format!("Bearer {KEY}"))));
}

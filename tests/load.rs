//! Load, end to end: 10,000 calls through one `map-async` at concurrency 256 against an instant
//! keep-alive loopback provider. Checked without timing: every answer arrives, in order; the
//! process's open file descriptors are back to what they were once the provider has closed its
//! idle connections; and memory stops growing once the calls are under way (what is left is the
//! answers themselves). `scripts/bench-load.sh` measures the same run's speed.

mod common;

use std::process::Command;
use std::time::Duration;

use common::keepalive::KeepAliveServer;
use common::{run_command, Out, MODEL_ENV};

/// The program samples its resident memory (from /proc/self/status) every 500 elements, as F
/// starts them, and counts its descriptors (from /proc/self/fd, through Python) after a warm-up
/// call has made the runtime, the HTTP client and the interpreter's Python, then after the map
/// once the provider has closed the idle connections.
const PROGRAM: &str = r#"
(define (rss-kb)
  (string->number (cadr (regexp-match #px"VmRSS:\\s+([0-9]+)" (file->string "/proc/self/status")))))
(define (open-fds) (py-eval "len(__import__('os').listdir('/proc/self/fd'))"))
(void (await (llm-query-async #:data "warm-up")))
(sleep 1)
(define fds-before (open-fds))
(define samples '())
(define answers
  (map-async (lambda (i)
               (when (zero? (modulo i 500)) (set! samples (cons (rss-kb) samples)))
               (llm-query-async #:data (number->string i)))
             (range 10000)
             #:max-concurrent 256))
(define fds-at-end (open-fds))
(sleep 1.5)
(printf "answers ~a\n" (length answers))
(printf "in-order ~a\n" (for/and ([answer (in-list answers)] [i (in-naturals)]) (equal? answer (format "answer: ~a" i))))
(printf "fds ~a ~a ~a\n" fds-before fds-at-end (open-fds))
(printf "rss-kb~a\n" (apply string-append (map (lambda (kb) (format " ~a" kb)) (reverse samples))))
"#;

fn numbers(out: &Out, label: &str) -> Vec<u64> {
    let line = out.lines().into_iter().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no {label} line: {}", out.stdout));
    line[label.len()..].split_whitespace().map(|n| n.parse().unwrap()).collect()
}

#[test]
fn ten_thousand_calls_at_concurrency_256_leak_no_descriptors_and_keep_memory_flat() {
    // Idle connections close after 300 ms, well within the program's wait after the map.
    let server = KeepAliveServer::start(Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("load.scm"), PROGRAM).unwrap();
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.args(["run", "--max-concurrency", "256", "load.scm"]).current_dir(dir.path());
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    cmd.env("NO_PROXY", "127.0.0.1,localhost")
        .env("XDG_CONFIG_HOME", dir.path())
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "sk-load-test");
    let out = Out::of(run_command(&mut cmd, Duration::from_secs(120)), "the load program");
    out.ok();

    assert_eq!(numbers(&out, "answers"), [10_000]);
    assert!(out.stdout.contains("in-order #t"), "every answer, in order: {}", out.stdout);
    assert_eq!(server.request_count(), 10_001, "one request per call, and the warm-up");

    let fds = numbers(&out, "fds");
    assert!(fds[1] <= fds[0] + 2 * 256, "at most a connection per call in flight, and those closing: {fds:?}");
    assert_eq!(fds[2], fds[0], "every connection's descriptor was closed: {fds:?}");

    // Twenty samples; from the first quarter on, the growth is the answers kept (about 100
    // bytes each, under 8% of the memory in use): a call that left a kilobyte behind would
    // double that.
    let rss = numbers(&out, "rss-kb");
    assert_eq!(rss.len(), 20);
    let (quarter, last) = (rss[5], rss[19]);
    assert!(last as f64 <= quarter as f64 * 1.15, "memory grew from {quarter} KB to {last} KB: {rss:?}");
    println!("descriptors {fds:?}; resident KB {rss:?}");
}

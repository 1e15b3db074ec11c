//! Malformed programs must fail cleanly: `rlmsh run tests/malformed/<file>.scm` must
//! exit normally (never by a signal, never a Rust panic) with
//!   * exit code 65 for reader errors (files named `read-*.scm`),
//!   * exit code 1 or 65 for syntax-form errors (files named `syntax-*.scm`),
//! and a non-empty stderr that names the file with a `FILE:LINE:COL` location.
//!
//! A second test feeds generated, very deeply nested input (valid to read) and only
//! requires that the process ends with an exit code rather than crashing.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

struct RunResult {
    stderr: Vec<u8>,
    /// `Some(code)` for a normal exit, `None` if killed by a signal (or by us on timeout).
    code: Option<i32>,
    timed_out: bool,
}

fn run_with_timeout(bin: &Path, file: &Path, timeout: Duration) -> RunResult {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .arg("run")
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot spawn {}: {}", bin.display(), e));
    let mut out_pipe = child.stdout.take().expect("stdout pipe");
    let mut err_pipe = child.stderr.take().expect("stderr pipe");
    let out_thread = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_thread = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {
                if start.elapsed() >= timeout {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().expect("wait after kill");
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("waiting for {}: {}", bin.display(), e),
        }
    };
    // After a timeout a grandchild may still hold the pipes open; don't wait for it.
    let stderr = if timed_out {
        drop(out_thread);
        Vec::new()
    } else {
        let _ = out_thread.join();
        err_thread.join().unwrap_or_default()
    };
    RunResult {
        stderr,
        code: status.code(),
        timed_out,
    }
}

/// True if `text` contains `name:` immediately followed by `LINE:COL` (two runs of digits).
fn has_location(text: &str, name: &str) -> bool {
    let needle = format!("{}:", name);
    let mut from = 0;
    while let Some(pos) = text[from..].find(&needle) {
        let rest = &text[from + pos + needle.len()..];
        let line_digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
        if line_digits > 0 && rest[line_digits..].starts_with(':') {
            let after = &rest[line_digits + 1..];
            if after.bytes().take_while(|b| b.is_ascii_digit()).count() > 0 {
                return true;
            }
        }
        from += pos + needle.len();
    }
    false
}

fn check_clean_failure(bin: &Path, file: &Path) -> Result<(), String> {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let r = run_with_timeout(bin, file, TIMEOUT);
    let stderr = String::from_utf8_lossy(&r.stderr).into_owned();
    let short_err: String = stderr.lines().take(4).collect::<Vec<_>>().join("\n      ");
    let mut problems = Vec::new();
    if r.timed_out {
        problems.push(format!("timed out after {:?}", TIMEOUT));
    }
    match r.code {
        None => problems.push("killed by a signal (crash?)".to_string()),
        Some(code) => {
            if name.starts_with("read-") && code != 65 {
                problems.push(format!("exit code {} (want 65 for a reader error)", code));
            } else if name.starts_with("syntax-") && code != 1 && code != 65 {
                problems.push(format!(
                    "exit code {} (want 1 or 65 for a syntax error)",
                    code
                ));
            }
        }
    }
    if stderr.trim().is_empty() {
        problems.push("stderr is empty".to_string());
    } else if !has_location(&stderr, &name) {
        problems.push(format!("stderr lacks a `{}:LINE:COL` location", name));
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        problems.push("stderr shows a Rust panic".to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\n      stderr: {}",
            name,
            problems.join("; "),
            short_err
        ))
    }
}

#[test]
fn malformed_programs_fail_cleanly() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rlmsh"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("malformed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {}", dir.display(), e))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map_or(false, |x| x == "scm"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "expected at least 30 malformed programs, found {}",
        files.len()
    );

    let results: Vec<Result<(), String>> = thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(files.len().div_ceil(8))
            .map(|chunk| {
                let bin = &bin;
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|f| check_clean_failure(bin, f))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let passed = results.len() - failures.len();
    println!("{} passed, {} failed", passed, failures.len());
    if !failures.is_empty() {
        panic!(
            "{} of {} malformed programs were not rejected cleanly:\n{}\n\n{} passed, {} failed",
            failures.len(),
            results.len(),
            failures
                .iter()
                .map(|f| format!("FAIL {}", f))
                .collect::<Vec<_>>()
                .join("\n"),
            passed,
            failures.len()
        );
    }
}

/// 100,000 nested parentheses are valid to read; evaluating them may fail (the innermost
/// `()` is not an expression) but the interpreter must not overflow its stack or panic.
#[test]
fn deep_nesting_does_not_crash() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rlmsh"));
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    const DEPTH: usize = 100_000;
    let nest = format!("{}{}", "(".repeat(DEPTH), ")".repeat(DEPTH));
    let cases = [
        ("deep-nesting-bare.scm", format!("{}\n", nest)),
        (
            "deep-nesting-quoted.scm",
            format!("(define x '{})\n(display \"ok\")\n(newline)\n", nest),
        ),
    ];
    let mut failures = Vec::new();
    for (name, text) in cases.iter() {
        let path = tmp.join(format!("{}-{}", std::process::id(), name));
        std::fs::write(&path, text).expect("write generated program");
        let r = run_with_timeout(&bin, &path, TIMEOUT);
        let stderr = String::from_utf8_lossy(&r.stderr);
        if r.timed_out {
            failures.push(format!("{}: timed out", name));
        } else if r.code.is_none() {
            failures.push(format!("{}: killed by a signal (stack overflow?)", name));
        }
        if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
            failures.push(format!(
                "{}: Rust panic: {}",
                name,
                stderr.lines().next().unwrap_or("")
            ));
        }
        let _ = std::fs::remove_file(&path);
    }
    assert!(
        failures.is_empty(),
        "deep nesting failures:\n{}",
        failures.join("\n")
    );
}

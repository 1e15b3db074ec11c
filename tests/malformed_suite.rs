//! Malformed programs must fail cleanly: `rlmsh run tests/malformed/<file>.scm` must
//! exit normally (never by a signal, never a Rust panic) with
//!   * exit code 65 for reader errors (files named `read-*.scm`),
//!   * exit code 1 or 65 for syntax-form errors (files named `syntax-*.scm`),
//!   * exit code 1 for runtime errors (files named `run-*.scm`: wrong arities and types for
//!     every builtin family, arithmetic, unbound names, scaffold misuse, model-written code
//!     that tries to escape its sandbox or runs away),
//! and a non-empty stderr that names the file with a `FILE:LINE:COL` location.
//!
//! A second test feeds generated, very deeply nested input (valid to read) and only
//! requires that the process ends with an exit code rather than crashing.

mod common;

use common::{
    check_in_parallel, fail_lines, files_with_extension, report_counts, run_program, TIMEOUT,
};
use std::path::Path;

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
    let r = run_program(bin, file);
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
            } else if name.starts_with("run-") && code != 1 {
                problems.push(format!("exit code {} (want 1 for a runtime error)", code));
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
    let bin = common::rlmsh_bin();
    let files = files_with_extension(&common::tests_dir("malformed"), "scm");
    assert!(
        files.len() >= 100,
        "expected at least 100 malformed programs, found {}",
        files.len()
    );

    let results = check_in_parallel(&files, |f| check_clean_failure(&bin, f));
    let failures = report_counts(&results);
    if !failures.is_empty() {
        panic!(
            "{} of {} malformed programs were not rejected cleanly:\n{}\n\n{} passed, {} failed",
            failures.len(),
            results.len(),
            fail_lines(&failures),
            results.len() - failures.len(),
            failures.len()
        );
    }
}

/// 100,000 nested parentheses are valid to read; evaluating them may fail (the innermost
/// `()` is not an expression) but the interpreter must not overflow its stack or panic.
#[test]
fn deep_nesting_does_not_crash() {
    let bin = common::rlmsh_bin();
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
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
        let r = run_program(&bin, &path);
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

/// Hostile programs that need flags or generated text: run-aways stopped by `--timeout` (exit 4,
/// also when a catch-all handler swallows the interruption), unbounded recursion (a catchable
/// error with a location, exit 1), allocation bombs under `--max-memory` (a catchable
/// out-of-memory error, exit 1 when uncaught), huge literals (read and used), and `finish` from places where
/// an ordinary exception would be caught or lost (exit 0 with the result printed last).
#[test]
fn run_aways_huge_literals_and_finish_in_odd_places() {
    let bin = common::rlmsh_bin();
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let huge_string = format!("(define s \"{}\")\n(display (string-length s))\n", "a".repeat(10_000_000));
    let huge_number = format!("(display (string-length (number->string {})))\n", "7".repeat(200_000));
    // (name, program, flags, exit code, text stdout must end with, text stderr must contain)
    let cases: Vec<(&str, String, &[&str], i32, &str, &str)> = vec![
        ("loop.scm", "(let loop () (loop))".into(), &["--timeout", "1"], 4, "", "ran longer than --timeout 1 s"),
        (
            "swallowed-break.scm",
            "(let loop () (with-handlers ([(lambda (e) #t) void]) (let spin () (spin))) (loop))".into(),
            &["--timeout", "1"],
            4,
            "",
            "ran longer than --timeout 1 s",
        ),
        ("recursion.scm", "(define (f n) (+ 1 (f n)))\n(f 0)".into(), &[], 1, "", "recursion.scm:1:"),
        ("string-bomb.scm", "(define (bomb s) (bomb (string-append s s)))\n(bomb \"x\")".into(), &["--max-memory", "200"], 1, "", "string-bomb.scm:1:"),
        ("vector-bomb.scm", "(define v (make-vector 100000000 0))".into(), &["--max-memory", "100"], 1, "", "out of memory"),
        (
            "caught-bomb.scm",
            "(with-handlers ([exn:fail? (lambda (e) (display \"caught \"))]) (let loop ([l (list 1)]) (loop (append l l))))\n(display \"recovered\")".into(),
            &["--max-memory", "300"],
            0,
            "caught recovered",
            "",
        ),
        ("huge-string.scm", huge_string, &[], 0, "10000000", ""),
        ("huge-number.scm", huge_number, &[], 0, "200000", ""),
        (
            "finish-in-handler.scm",
            "(with-handlers ([(lambda (e) #t) (lambda (e) (display \"caught\"))]) (finish 42))".into(),
            &[],
            0,
            "42\n",
            "",
        ),
        (
            "finish-in-dynamic-wind.scm",
            "(dynamic-wind (lambda () (display \"in \")) (lambda () (finish 'done)) (lambda () (display \"out \")))".into(),
            &[],
            0,
            "in out done\n",
            "",
        ),
        ("finish-in-map.scm", "(map (lambda (x) (when (= x 3) (finish x)) x) '(1 2 3 4))".into(), &[], 0, "3\n", ""),
    ];
    let mut failures = Vec::new();
    for (name, text, flags, code, stdout_end, stderr_part) in &cases {
        let path = tmp.join(format!("{}-{}", std::process::id(), name));
        std::fs::write(&path, text).expect("write generated program");
        let mut args: Vec<&std::ffi::OsStr> = vec!["run".as_ref()];
        args.extend(flags.iter().map(std::ffi::OsStr::new));
        args.push(path.as_os_str());
        let r = common::run_with_timeout(&bin, &args, TIMEOUT);
        let stdout = String::from_utf8_lossy(&r.stdout);
        let stderr = String::from_utf8_lossy(&r.stderr);
        if r.timed_out || r.code != Some(*code) || !stdout.ends_with(stdout_end) || !stderr.contains(stderr_part) {
            failures.push(format!("{name}: exit {:?} (want {code}), stdout ends {:?}, stderr {:?}", r.code, stdout.chars().rev().take(40).collect::<String>().chars().rev().collect::<String>(), stderr.lines().take(3).collect::<Vec<_>>()));
        }
        let _ = std::fs::remove_file(&path);
    }
    assert!(failures.is_empty(), "hostile programs not handled:\n{}", failures.join("\n"));
}

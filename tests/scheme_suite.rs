//! Differential test suite: every `tests/scheme/*.rkt` program is run with
//! `rlmsh run <file>` and its stdout must match, byte for byte, the `.out` file
//! beside it (the stdout real Racket 8.7 CS printed for the same program).
//!
//! One `#[test]` runs every program (in parallel) and reports every failure at once.
//! Set `RLMSH_SUITE_FILTER=substr` to run only the programs whose file name contains `substr`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

/// What happened when a child process was run.
struct RunResult {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// `Some(code)` for a normal exit, `None` if killed by a signal (or by us on timeout).
    code: Option<i32>,
    timed_out: bool,
    elapsed: Duration,
}

/// Run `bin args...` with a deadline, draining stdout/stderr on helper threads so a
/// chatty child can never block on a full pipe. Kills the child on timeout.
fn run_with_timeout(bin: &Path, args: &[&std::ffi::OsStr], timeout: Duration) -> RunResult {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
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
    let elapsed = start.elapsed();
    // After a timeout a grandchild may still hold the pipes open; don't wait for it.
    let (stdout, stderr) = if timed_out {
        (Vec::new(), Vec::new())
    } else {
        (
            out_thread.join().unwrap_or_default(),
            err_thread.join().unwrap_or_default(),
        )
    };
    RunResult {
        stdout,
        stderr,
        code: status.code(),
        timed_out,
        elapsed,
    }
}

/// A short, human-readable description of where `actual` first departs from `expected`.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let exp = String::from_utf8_lossy(expected);
    let act = String::from_utf8_lossy(actual);
    let exp_lines: Vec<&str> = exp.split_inclusive('\n').collect();
    let act_lines: Vec<&str> = act.split_inclusive('\n').collect();
    let n = exp_lines.len().max(act_lines.len());
    for i in 0..n {
        let e = exp_lines.get(i).copied();
        let a = act_lines.get(i).copied();
        if e != a {
            let show = |l: Option<&str>| match l {
                Some(s) => format!("{:?}", s),
                None => "<end of output>".to_string(),
            };
            return format!(
                "first difference at line {} (expected {} lines, got {}):\n      expected: {}\n      actual:   {}",
                i + 1,
                exp_lines.len(),
                act_lines.len(),
                show(e),
                show(a)
            );
        }
    }
    "outputs differ".to_string()
}

/// Up to `max` lines of `bytes`, for showing stderr in a report.
fn head(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<&str> = text.lines().take(max).collect();
    if text.lines().count() > max {
        lines.push("...");
    }
    lines.join("\n      ")
}

fn scheme_programs(dir: &Path) -> Vec<PathBuf> {
    let filter = std::env::var("RLMSH_SUITE_FILTER").unwrap_or_default();
    let mut progs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {}", dir.display(), e))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map_or(false, |x| x == "rkt"))
        .filter(|p| filter.is_empty() || p.file_name().unwrap().to_string_lossy().contains(&filter))
        .collect();
    progs.sort();
    progs
}

/// Check one program; `Err` carries the failure report.
fn check_program(bin: &Path, prog: &Path) -> Result<(), String> {
    let name = prog.file_name().unwrap().to_string_lossy().into_owned();
    let expected_path = prog.with_extension("out");
    let expected = std::fs::read(&expected_path)
        .map_err(|e| format!("{}: cannot read {}: {}", name, expected_path.display(), e))?;
    let r = run_with_timeout(bin, &["run".as_ref(), prog.as_os_str()], TIMEOUT);
    if r.timed_out {
        return Err(format!(
            "{}: TIMEOUT after {:?}\n      stderr: {}",
            name,
            TIMEOUT,
            head(&r.stderr, 5)
        ));
    }
    let status = match r.code {
        Some(c) => format!("exit {}", c),
        None => "killed by signal".to_string(),
    };
    if r.stdout != expected {
        return Err(format!(
            "{}: stdout mismatch ({}, {:.2?})\n      {}\n      stderr: {}",
            name,
            status,
            r.elapsed,
            first_difference(&expected, &r.stdout),
            head(&r.stderr, 5)
        ));
    }
    if r.code != Some(0) {
        return Err(format!(
            "{}: stdout matched but process ended with {} (Racket exits 0)\n      stderr: {}",
            name,
            status,
            head(&r.stderr, 5)
        ));
    }
    Ok(())
}

#[test]
fn scheme_programs_match_racket() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rlmsh"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("scheme");
    let progs = scheme_programs(&dir);
    assert!(
        !progs.is_empty(),
        "no .rkt programs found in {}",
        dir.display()
    );

    let workers = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(4)
        .min(8)
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<(), String>)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= progs.len() {
                    break;
                }
                let res = check_program(&bin, &progs[i]);
                results.lock().unwrap().push((i, res));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);

    let failures: Vec<&String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    let passed = results.len() - failures.len();
    println!("{} passed, {} failed", passed, failures.len());
    if !failures.is_empty() {
        let names: Vec<String> = failures
            .iter()
            .map(|f| f.split(':').next().unwrap_or("").to_string())
            .collect();
        panic!(
            "{} of {} scheme programs failed: {}\n\n{}\n\n{} passed, {} failed",
            failures.len(),
            results.len(),
            names.join(", "),
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

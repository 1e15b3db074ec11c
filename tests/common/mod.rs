//! Helpers shared by the integration suites that run the `rlmsh` binary as a child process.

// Each suite is its own crate and uses only part of this module.
#![allow(dead_code)]

pub mod http;
pub mod keepalive;
pub mod listen;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// How long one program may run before it is killed and reported as timed out.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// What happened when a child process was run.
pub struct RunResult {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// `Some(code)` for a normal exit, `None` if killed by a signal (or by us on timeout).
    pub code: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
}

/// What one run of the binary printed (as text) and how it ended.
pub struct Out {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
    pub elapsed: Duration,
}

impl Out {
    /// The run's output as text; a run that timed out fails the test, naming `what`.
    pub fn of(r: RunResult, what: &str) -> Out {
        assert!(!r.timed_out, "timed out: {what}");
        Out {
            stdout: String::from_utf8_lossy(&r.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&r.stderr).into_owned(),
            code: r.code,
            elapsed: r.elapsed,
        }
    }

    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, Some(0), "expected success\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }

    pub fn failed(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "expected exit {code}\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }

    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// The `rlmsh` binary Cargo built for these tests.
pub fn rlmsh_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rlmsh"))
}

/// `tests/<name>` in the crate.
pub fn tests_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// `bin run file` with a deadline: see [`run_with_timeout`].
pub fn run_program(bin: &Path, file: &Path) -> RunResult {
    run_with_timeout(bin, &["run".as_ref(), file.as_os_str()], TIMEOUT)
}

/// Run `bin args...` with a deadline, draining stdout/stderr on helper threads so a
/// chatty child can never block on a full pipe. Kills the child on timeout.
pub fn run_with_timeout(bin: &Path, args: &[&std::ffi::OsStr], timeout: Duration) -> RunResult {
    run_command(Command::new(bin).args(args), timeout)
}

/// Environment variables that choose where model calls go and how (and proxies that could divert
/// loopback requests); tests that run programs making model calls remove them first, and point
/// XDG_CONFIG_HOME at their own directory so that no user's rlmsh.toml is read.
pub const MODEL_ENV: &[&str] = &[
    "RLMSH_CONFIG",
    "RLMSH_MAX_RETRIES",
    "RLMSH_REQUEST_TIMEOUT",
    "RLMSH_MAX_CONCURRENCY",
    "RLMSH_CACHE_DIR",
    "RLMSH_CHECKPOINT_DIR",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "RLMSH_OFFLINE",
    "RLMSH_MODEL",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Runs a prepared command (stdin null, stdout and stderr captured) with a deadline, as
/// [`run_with_timeout`] does.
pub fn run_command(cmd: &mut Command, timeout: Duration) -> RunResult {
    let start = Instant::now();
    let bin = PathBuf::from(cmd.get_program());
    let mut child = cmd
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

/// The files in `dir` whose extension is `ext`, sorted by path.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {}", dir.display(), e))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map_or(false, |x| x == ext))
        .collect();
    files.sort();
    files
}

/// `check` applied to every item on up to eight worker threads; results in item order.
pub fn check_in_parallel<T: Sync>(
    items: &[T],
    check: impl Fn(&T) -> Result<(), String> + Sync,
) -> Vec<Result<(), String>> {
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
                if i >= items.len() {
                    break;
                }
                let res = check(&items[i]);
                results.lock().unwrap().push((i, res));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The failure reports among `results`, after printing the `N passed, M failed` line.
pub fn report_counts(results: &[Result<(), String>]) -> Vec<&String> {
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    println!(
        "{} passed, {} failed",
        results.len() - failures.len(),
        failures.len()
    );
    failures
}

/// Every failure report on its own `FAIL` line.
pub fn fail_lines(failures: &[&String]) -> String {
    failures
        .iter()
        .map(|f| format!("FAIL {}", f))
        .collect::<Vec<_>>()
        .join("\n")
}

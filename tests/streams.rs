//! End-to-end tests of streaming and of what survives a restart: `scripts/stream-logs.scm`
//! killed with SIGKILL at random moments and rerun until it completes ends with the report of an
//! uninterrupted run, and its checkpoint files are readable at every moment; standard input as
//! a chunk stream; `memoized` results kept across runs.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{rlmsh_bin, run_command, MODEL_ENV, TIMEOUT};

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn rlmsh(dir: &Path) -> Command {
    let mut cmd = Command::new(rlmsh_bin());
    cmd.current_dir(dir);
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    cmd
}

/// Writes `lines` lines of `scripts/gen-logs.scm` output to `dir/app.log`.
fn generate_log(dir: &Path, lines: usize) -> PathBuf {
    let log = dir.join("app.log");
    let status = rlmsh(dir)
        .arg("run")
        .arg(repo_file("scripts/gen-logs.scm"))
        .arg(lines.to_string())
        .arg("11")
        .stdout(File::create(&log).expect("create the log"))
        .status()
        .expect("run gen-logs");
    assert!(status.success(), "gen-logs failed");
    log
}

/// `rlmsh run --offline --checkpoint-dir CP scripts/stream-logs.scm LOG`.
fn stream_logs(dir: &Path, checkpoints: &Path, log: &str) -> Command {
    let mut cmd = rlmsh(dir);
    cmd.args(["run", "--offline", "--quiet", "--checkpoint-dir"])
        .arg(checkpoints)
        .arg(repo_file("scripts/stream-logs.scm"))
        .arg(log);
    cmd
}

/// Every checkpoint file in `dir` parses and names its key (the temporary files of a write in
/// progress are not checkpoint files).
fn assert_checkpoints_readable(dir: &Path, context: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.map(|e| e.expect("directory entry")) {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{context}: cannot read {}: {e}", path.display()));
        let json: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{context}: {} is not JSON ({e}): {text:.200}", path.display()));
        assert!(json.get("key").and_then(|k| k.as_str()).is_some() && json.get("value").is_some(), "{context}: {}", path.display());
    }
}

/// xorshift64*: the kill moments, reproducible from the seed a failure prints.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

#[test]
fn stream_logs_killed_at_random_moments_ends_as_an_uninterrupted_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    generate_log(dir, 50_000);

    let started = Instant::now();
    let whole = run_command(&mut stream_logs(dir, &dir.join("cp-whole"), "app.log"), TIMEOUT);
    let run_time = started.elapsed();
    assert_eq!(whole.code, Some(0), "stderr: {}", String::from_utf8_lossy(&whole.stderr));
    let expected = String::from_utf8(whole.stdout).expect("UTF-8 report");
    assert!(expected.contains("\"lines\":50000") && expected.contains("\"chunks\":50"), "{expected}");

    let seed = std::env::var("RLMSH_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    let mut random = Random(seed);
    let checkpoints = dir.join("cp-killed");
    let (mut kills, mut resumed) = (0, 0);
    let report = loop {
        assert!(kills <= 40, "seed {seed}: the run never completed");
        let mut child = stream_logs(dir, &checkpoints, "app.log")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn stream-logs");
        // Kill within the first 90% of an uninterrupted run's time, reading the checkpoint
        // files all along, until three kills were made and a run resumed; then run to the end.
        let deadline = (kills < 3 || resumed == 0).then(|| Duration::from_millis(random.below(run_time.as_millis() as u64 * 9 / 10)));
        let moment = Instant::now();
        loop {
            assert_checkpoints_readable(&checkpoints, &format!("seed {seed}, run {}", kills + 1));
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            if deadline.is_some_and(|d| moment.elapsed() >= d) {
                child.kill().expect("SIGKILL");
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let out = child.wait_with_output().expect("collect output");
        assert_checkpoints_readable(&checkpoints, &format!("seed {seed}, after run {}", kills + 1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        resumed += usize::from(stderr.contains("resuming after"));
        match out.status.code() {
            Some(0) => break String::from_utf8(out.stdout).expect("UTF-8 report"),
            Some(code) => panic!("seed {seed}: stream-logs exited with {code}: {stderr}"),
            None => kills += 1,
        }
    };
    assert_eq!(report, expected, "seed {seed}: the report after {kills} kills differs");
    assert!(kills > 0 && resumed > 0, "seed {seed}: {kills} kills, {resumed} resumed runs: nothing was tested");
}

#[test]
fn stream_logs_reads_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let log = generate_log(dir, 3_000);
    let from_file = run_command(&mut stream_logs(dir, &dir.join("cp-file"), "app.log"), TIMEOUT);
    let mut cmd = stream_logs(dir, &dir.join("cp-stdin"), "-");
    let piped = cmd.stdin(File::open(&log).expect("open the log")).output().expect("run stream-logs");
    assert_eq!(piped.status.code(), Some(0), "{}", String::from_utf8_lossy(&piped.stderr));
    let expected = String::from_utf8_lossy(&from_file.stdout).replace("\"source\":\"app.log\"", "\"source\":\"-\"");
    assert_eq!(String::from_utf8_lossy(&piped.stdout), expected);
}

/// What `read-line` read ahead is not lost when a program goes on with `stdin-chunks`.
#[test]
fn stdin_chunks_start_where_reading_left_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("prog.scm");
    std::fs::write(&program, "(displayln (read-line))\n(for ([c (stdin-chunks 2)]) (writeln c))\n").expect("write program");
    let input = dir.path().join("input.txt");
    std::fs::write(&input, "header\na\nb\r\nc\n").expect("write input");
    let out = rlmsh(dir.path()).arg("run").arg(&program).stdin(File::open(&input).expect("open")).output().expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "header\n(\"a\" \"b\")\n(\"c\")\n");
}

#[test]
fn memoized_results_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = dir.path().join("prog.scm");
    std::fs::write(
        &program,
        r#"(define square (memoized (lambda (x) (printf "computing ~a\n" x) (* x x))))
(define ask (memoized (lambda (q) (syntax-e (llm-query #:instruction "Answer." #:data q)))))
(printf "~a ~a ~a ~a\n" (square 3) (square 4) (square 3) (ask "q"))
"#,
    )
    .expect("write program");
    let run = || {
        let out = rlmsh(dir.path()).args(["run", "--offline", "--stats"]).arg(&program).output().expect("run");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (first, first_stats) = run();
    let (second, second_stats) = run();
    let answer = first.lines().last().unwrap_or_default().to_string();
    assert_eq!(first.lines().take(2).collect::<Vec<_>>(), ["computing 3", "computing 4"], "{first}");
    assert!(answer.starts_with("9 16 9 offline:"), "{first}");
    assert_eq!(second, format!("{answer}\n"), "the second run computed again");
    assert!(first_stats.contains(": 1 model calls") && second_stats.contains(": 0 model calls"), "{first_stats}\n{second_stats}");
}

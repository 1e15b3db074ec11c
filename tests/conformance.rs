//! Conformance with the published pattern programs, through programs of our own that use the same
//! features (tests/conformance/*.scm): Python statement blocks ending in an expression, py-set! and
//! py-exec round trips, `#:json #t` with an instruction that never says "json", internal `define`
//! in an expression-position `begin`, checkpoint keys ending in a newline, a user-defined
//! two-argument `tree-reduce`, a checkpointed fold that resumes, an anytime cascade with a
//! deadline, and a 1,000-lines-a-chunk stream over `--input`. Each program runs with `--offline`
//! and against the loopback model server, where the number of requests is checked too.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::http::{MockServer, Recorded, Reply};
use common::{run_command, Out, MODEL_ENV};
use serde_json::json;

/// Where the model calls of a run go.
enum Model<'a> {
    Offline,
    Http(&'a MockServer),
}

fn program(name: &str) -> PathBuf {
    common::tests_dir("conformance").join(name)
}

fn data(name: &str) -> String {
    common::tests_dir("conformance").join("data").join(name).display().to_string()
}

/// Runs `rlmsh run [--offline] --checkpoint-dir CKPT OPTIONS... SCRIPT ARGS...` in `dir`; the
/// run must succeed.
fn run(model: &Model, dir: &Path, script: &str, options: &[&str], args: &[&str]) -> Out {
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.arg("run").current_dir(dir);
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    cmd.env("NO_PROXY", "127.0.0.1,localhost").env("XDG_CONFIG_HOME", dir);
    match model {
        Model::Offline => {
            cmd.arg("--offline");
        }
        Model::Http(server) => {
            cmd.env("OPENAI_BASE_URL", server.base_url()).env("OPENAI_API_KEY", "sk-test-conformance").env("RLMSH_MAX_RETRIES", "0");
        }
    }
    cmd.arg("--checkpoint-dir").arg(dir.join("ckpt")).args(options).arg(program(script)).args(args);
    let out = Out::of(run_command(&mut cmd, common::TIMEOUT), script);
    out.ok();
    out
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn system_text(r: &Recorded) -> String {
    r.json()["messages"][0]["content"].as_str().unwrap_or("").to_string()
}

fn wants_json(r: &Recorded) -> bool {
    r.json()["response_format"]["type"] == "json_object"
}

/// Like OpenAI, a JSON-mode request whose messages never mention JSON is refused.
fn json_mode_allowed(r: &Recorded) -> bool {
    !wants_json(r) || format!("{}{}", system_text(r), r.openai_user_text()).to_ascii_lowercase().contains("json")
}

fn refuse() -> Reply {
    Reply::error(400, "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.")
}

// ---------------------------------------------------------------------------------------------
// Fan-out with JSON answers

#[test]
fn fan_out_offline_answers_follow_the_described_shape() {
    let dir = temp();
    let out = run(&Model::Offline, dir.path(), "fan-out.scm", &["--context", &data("tickets.json")], &[]);
    assert_eq!(out.lines(), ["tickets: 5", "classified: 5", "urgency total: 15", "teams: ...=5", "busiest: ..."]);
}

#[test]
fn fan_out_over_http_tallies_scripted_json_answers() {
    let server = MockServer::start(|r| {
        if !json_mode_allowed(r) {
            return refuse();
        }
        let answer = if r.openai_user_text().to_ascii_lowercase().contains("invoice") {
            json!({"team": "billing", "urgency": 4})
        } else {
            json!({"team": "accounts", "urgency": 2})
        };
        Reply::openai(&answer.to_string(), 10, 5)
    });
    let dir = temp();
    let out = run(&Model::Http(&server), dir.path(), "fan-out.scm", &["--context", &data("tickets.json")], &[]);
    assert_eq!(out.lines(), ["tickets: 5", "classified: 5", "urgency total: 16", "teams: accounts=2, billing=3", "busiest: billing"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    assert!(requests.iter().all(wants_json), "every call asks for JSON mode");
}

// ---------------------------------------------------------------------------------------------
// Critique and refine: internal defines in the `begin` of an `if` branch

#[test]
fn critique_refine_offline_runs_every_round() {
    let dir = temp();
    let out = run(&Model::Offline, dir.path(), "critique-refine.scm", &["--context", &data("brief.txt")], &[]);
    let lines = out.lines();
    assert_eq!(lines[..3], ["round 1: score 5", "round 2: score 5", "round 3: score 5"]);
    assert!(lines[3].starts_with("final: offline:gpt-4o:"), "{}", out.stdout);
}

#[test]
fn critique_refine_over_http_stops_once_the_score_is_good() {
    let critiques = std::sync::atomic::AtomicUsize::new(0);
    let server = MockServer::start(move |r| {
        if !json_mode_allowed(r) {
            return refuse();
        }
        let text = if wants_json(r) {
            let n = critiques.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n == 0 { json!({"score": 4, "fix": "state the price"}) } else { json!({"score": 9, "fix": ""}) }.to_string()
        } else if system_text(r).contains("state the price") {
            "Lumen dims itself at dusk. 49 EUR from 1 March.".to_string()
        } else {
            "Lumen dims itself at dusk.".to_string()
        };
        Reply::openai(&text, 10, 5)
    });
    let dir = temp();
    let out = run(&Model::Http(&server), dir.path(), "critique-refine.scm", &["--context", &data("brief.txt")], &[]);
    assert_eq!(out.lines(), ["round 1: score 4", "round 2: score 9", "final: Lumen dims itself at dusk. 49 EUR from 1 March."]);
    assert_eq!(server.request_count(), 4, "draft, critique, revision, critique");
}

// ---------------------------------------------------------------------------------------------
// Cumulative fold with checkpoints and resume

fn fold_lines(steps: &[(usize, &str)]) -> Vec<String> {
    steps.iter().map(|(i, what)| format!("step {i}: {what}")).collect()
}

#[test]
fn cumulative_fold_offline_resumes_to_the_uninterrupted_answer() {
    let minutes = data("minutes.json");
    let ctx = ["--context", minutes.as_str()];
    let whole = temp();
    let full = run(&Model::Offline, whole.path(), "cumulative-fold.scm", &ctx, &[]);
    let dir = temp();
    let first = run(&Model::Offline, dir.path(), "cumulative-fold.scm", &ctx, &["3"]);
    let mut expected = fold_lines(&[(0, "folded"), (1, "folded"), (2, "folded")]);
    expected.push("stopped after 3 steps".into());
    assert_eq!(first.lines()[..4], expected);
    let second = run(&Model::Offline, dir.path(), "cumulative-fold.scm", &ctx, &[]);
    assert_eq!(second.lines()[..5], fold_lines(&[(0, "restored"), (1, "restored"), (2, "restored"), (3, "folded"), (4, "folded")]));
    assert_eq!(second.lines().last(), full.lines().last());
    assert!(full.lines().last().unwrap().starts_with("decisions: offline:gpt-4o-mini:"));
}

#[test]
fn cumulative_fold_over_http_asks_only_for_the_steps_not_saved() {
    // The answer is the list so far with this meeting's date added.
    let server = MockServer::start(|r| {
        let system = system_text(r);
        let list = system.split("LIST SO FAR:\n").nth(1).unwrap_or("?").to_string();
        let date = r.openai_user_text().split(':').next().unwrap_or("?").to_string();
        Reply::openai(&format!("{list} {date}"), 10, 5)
    });
    let minutes = data("minutes.json");
    let ctx = ["--context", minutes.as_str()];
    let dir = temp();
    run(&Model::Http(&server), dir.path(), "cumulative-fold.scm", &ctx, &["2"]);
    assert_eq!(server.request_count(), 2);
    let out = run(&Model::Http(&server), dir.path(), "cumulative-fold.scm", &ctx, &[]);
    assert_eq!(server.request_count(), 5);
    assert_eq!(
        out.lines(),
        [
            "step 0: restored",
            "step 1: restored",
            "step 2: folded",
            "step 3: folded",
            "step 4: folded",
            "decisions: (none yet) 2026-01-05 2026-01-12 2026-01-19 2026-01-26 2026-02-02"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// A user-defined two-argument tree-reduce

const TREE_LEVELS: [&str; 4] = ["level 1: 6 items", "level 2: 3 items", "level 3: 2 items", "level 4: 1 items"];

#[test]
fn tree_reduce_offline_uses_the_programs_own_definition() {
    let dir = temp();
    let out = run(&Model::Offline, dir.path(), "tree-reduce.scm", &[], &[]);
    assert_eq!(out.lines()[..4], TREE_LEVELS);
    assert!(out.lines()[4].starts_with("overall: offline:gpt-4o:"), "{}", out.stdout);
}

#[test]
fn tree_reduce_over_http_merges_in_pairs() {
    // Summaries are `S<n>`; a merge is its parts joined by `+`, in parentheses.
    let server = MockServer::start(|r| {
        let data = r.openai_user_text();
        let text = if system_text(r).starts_with("Merge") {
            format!("({})", data.split("\n---\n").collect::<Vec<_>>().join("+"))
        } else {
            format!("S{}", &data[1..2])
        };
        Reply::openai(&text, 10, 5)
    });
    let dir = temp();
    let out = run(&Model::Http(&server), dir.path(), "tree-reduce.scm", &[], &[]);
    assert_eq!(out.lines()[..4], TREE_LEVELS);
    assert_eq!(out.lines()[4], "overall: (((S1+S2)+(S3+S4))+((S5+S6)))");
    let requests = server.requests();
    assert_eq!(requests.len(), 6 + 3 + 2 + 1);
    let merge_models: Vec<String> = requests
        .iter()
        .filter(|r| system_text(r).starts_with("Merge"))
        .map(|r| r.json()["model"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(merge_models.iter().filter(|m| *m == "gpt-4o-mini").count(), 3);
    assert_eq!(merge_models.iter().filter(|m| *m == "gpt-4o").count(), 3);
}

// ---------------------------------------------------------------------------------------------
// Anytime with a deadline

#[test]
fn anytime_offline_climbs_every_level_or_none() {
    let dir = temp();
    let brief = data("brief.txt");
    let out = run(&Model::Offline, dir.path(), "anytime.scm", &["--context", &brief], &["60000"]);
    assert_eq!(
        out.lines()[..5],
        ["level 1 (sketch) done", "level 2 (draft) done", "level 3 (final) done", "reached level 3 of 3", "saved matches: #t"]
    );
    assert!(out.lines()[5].starts_with("offline:gpt-4o:"));
    let none = run(&Model::Offline, dir.path(), "anytime.scm", &["--context", &brief], &["0"]);
    assert_eq!(none.lines(), ["level 1 skipped: deadline", "reached level 0 of 3", "(nothing yet)"]);
}

#[test]
fn anytime_over_http_stops_at_the_deadline() {
    // Each answer takes 600 ms: two levels fit in 1,700 ms, a third (expected to take as long
    // as the last) does not.
    let server = MockServer::start(|r| {
        Reply::openai(&format!("tweet by {}", r.json()["model"].as_str().unwrap_or("?")), 10, 5).after(Duration::from_millis(600))
    });
    let dir = temp();
    let out = run(&Model::Http(&server), dir.path(), "anytime.scm", &["--context", &data("brief.txt")], &["1700"]);
    assert_eq!(
        out.lines(),
        [
            "level 1 (sketch) done",
            "level 2 (draft) done",
            "level 3 skipped: deadline",
            "reached level 2 of 3",
            "saved matches: #t",
            "tweet by gpt-4o-mini"
        ]
    );
    assert_eq!(server.request_count(), 2);
}

// ---------------------------------------------------------------------------------------------
// Memoization under hashlib keys that end in a newline

const MEMO_LINES: [&str; 4] = ["CACHE MISS", "CACHE HIT", "same answer: #t", "key ends in newline: #t"];

#[test]
fn memoization_offline_misses_then_hits() {
    let dir = temp();
    let out = run(&Model::Offline, dir.path(), "memoization.scm", &["--context", &data("brief.txt")], &[]);
    assert_eq!(out.lines()[..4], MEMO_LINES);
    assert!(out.lines()[4].starts_with("offline:gpt-4o-mini:"));
}

#[test]
fn memoization_over_http_makes_one_request() {
    let server = MockServer::always(Reply::openai("people working from home", 10, 5));
    let dir = temp();
    let out = run(&Model::Http(&server), dir.path(), "memoization.scm", &["--context", &data("brief.txt")], &[]);
    assert_eq!(out.lines()[..4], MEMO_LINES);
    assert_eq!(out.lines()[4], "people working from home");
    assert_eq!(server.request_count(), 1);
}

// ---------------------------------------------------------------------------------------------
// Stream processing over --input

const LOG_LINES: usize = 200_000;
const CHUNKS: usize = 200;

/// Writes a log of LOG_LINES lines; returns its path and its numbers of ERROR and WARN lines.
fn write_log(dir: &Path) -> (String, usize, usize) {
    use std::io::Write;
    let path = dir.join("app.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create log"));
    let (mut errors, mut warnings) = (0, 0);
    for i in 0..LOG_LINES {
        let level = if i % 97 == 0 {
            errors += 1;
            "ERROR"
        } else if i % 13 == 0 {
            warnings += 1;
            "WARN"
        } else {
            "INFO"
        };
        writeln!(f, "2026-03-01T10:{:02}:{:02} {level} svc-{} request {i} handled", i / 60 % 60, i % 60, i % 7).expect("write log");
    }
    f.flush().expect("flush log");
    (path.display().to_string(), errors, warnings)
}

fn check_stream_output(out: &Out) -> Vec<String> {
    let lines = out.lines();
    assert_eq!(lines[0], format!("lines: {LOG_LINES}, chunks: {CHUNKS}"));
    let processed: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Processed chunk ")).collect();
    let expected: Vec<String> = (0..CHUNKS).map(|i| format!("Processed chunk {i}")).collect();
    assert_eq!(processed, expected);
    let peak_kb: u64 = lines
        .iter()
        .find_map(|l| l.strip_prefix("peak-rss-kb: "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no peak-rss-kb line in\n{}", out.stdout));
    assert!(peak_kb < 300 * 1024, "peak memory {peak_kb} KB");
    lines.iter().map(|l| l.to_string()).collect()
}

#[test]
fn stream_offline_processes_every_chunk() {
    let dir = temp();
    let (log, _, _) = write_log(dir.path());
    let out = run(&Model::Offline, dir.path(), "stream.scm", &["--input", &format!("logs={log}")], &[]);
    let lines = check_stream_output(&out);
    assert_eq!(lines.last().unwrap(), r#"{"chunks": 200, "errors": 200, "warnings": 200}"#);
}

#[test]
fn stream_over_http_makes_one_request_per_chunk() {
    let server = MockServer::start(|r| {
        if !json_mode_allowed(r) {
            return refuse();
        }
        let chunk = r.openai_user_text();
        let answer = json!({"errors": chunk.matches(" ERROR ").count(), "warnings": chunk.matches(" WARN ").count()});
        Reply::openai(&answer.to_string(), 10, 5)
    });
    let dir = temp();
    let (log, errors, warnings) = write_log(dir.path());
    let out = run(&Model::Http(&server), dir.path(), "stream.scm", &["--input", &format!("logs={log}")], &[]);
    let lines = check_stream_output(&out);
    assert_eq!(lines.last().unwrap(), &format!(r#"{{"chunks": {CHUNKS}, "errors": {errors}, "warnings": {warnings}}}"#));
    assert_eq!(server.request_count(), CHUNKS);
    assert!(server.requests().iter().all(|r| r.openai_user_text().lines().count() == 1000));
}

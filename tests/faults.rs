//! Provider faults, end to end: `map-async` through the `rlmsh` binary against a loopback
//! provider that fails requests by a seeded plan (HTTP 500, 429 with `Retry-After`, dropped
//! connections, answers later than the request timeout). Every answer must arrive, in order;
//! the trace must account for every request the server received; and a run whose retries run
//! out must exit 1 naming the element, with the answers it got saved for the rerun.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::http::{MockServer, Recorded, Reply};
use common::{run_command, Out, MODEL_ENV};
use serde_json::Value as Json;

/// What the provider does with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Fate {
    ServerError,
    TooManyRequests { retry_after: u8 },
    Dropped,
    TooSlow,
    Answered,
}

/// The seeded fault plan: the fate of attempt `attempt` of element `item` depends on nothing
/// else, so a run is repeatable whatever order requests arrive in. Rates per attempt: 30% 500,
/// 10% 429 (half `Retry-After: 0`, half `1`), 5% dropped, 5% too slow. An element fails at most
/// `MAX_FAULTS` times in a row, which bounds its backoff (0.5 + 1 + 2 + 4 s at most).
const MAX_FAULTS: usize = 4;

fn fate(seed: u64, item: usize, attempt: usize) -> Fate {
    if attempt >= MAX_FAULTS {
        return Fate::Answered;
    }
    let roll = splitmix(seed ^ splitmix((item as u64) << 8 | attempt as u64)) % 100;
    match roll {
        0..=29 => Fate::ServerError,
        30..=39 => Fate::TooManyRequests { retry_after: (roll % 2) as u8 },
        40..=44 => Fate::Dropped,
        45..=49 => Fate::TooSlow,
        _ => Fate::Answered,
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The request timeout the runs set, and how late a too-slow answer comes.
const REQUEST_TIMEOUT: &str = "1";
const TOO_SLOW: Duration = Duration::from_millis(2500);

/// A provider following the plan, answering element N (the user message `item N`) with
/// `answer N`; it logs the fate it dealt each request: (element, attempt, fate, when).
struct FaultyProvider {
    server: MockServer,
    dealt: Arc<Mutex<Vec<(usize, usize, Fate, Instant)>>>,
}

impl FaultyProvider {
    fn start(seed: u64) -> FaultyProvider {
        let attempts: Mutex<HashMap<usize, usize>> = Mutex::new(HashMap::new());
        let dealt = Arc::new(Mutex::new(Vec::new()));
        let counted = dealt.clone();
        let server = MockServer::start(move |r| {
            let Some(item) = item_of(r) else { return Reply::error(400, "expected a user message `item N`") };
            let attempt = {
                let mut attempts = attempts.lock().unwrap();
                let seen = attempts.entry(item).or_insert(0);
                *seen += 1;
                *seen - 1
            };
            let fate = fate(seed, item, attempt);
            counted.lock().unwrap().push((item, attempt, fate, r.received_at));
            match fate {
                Fate::ServerError => Reply::error(500, "internal error"),
                Fate::TooManyRequests { retry_after } => Reply::error(429, "rate limited").with_header("Retry-After", &retry_after.to_string()),
                Fate::Dropped => Reply::drop_connection(),
                Fate::TooSlow => Reply::openai(&format!("answer {item}"), 1, 1).after(TOO_SLOW),
                Fate::Answered => Reply::openai(&format!("answer {item}"), 1, 1),
            }
        });
        FaultyProvider { server, dealt }
    }

    fn dealt(&self, fate: Fate) -> usize {
        self.dealt.lock().unwrap().iter().filter(|d| d.2 == fate).count()
    }

    /// For each request answered 429 with `Retry-After: SECS`, how long until the element's
    /// next request arrived.
    fn waits_after_429(&self, secs: u8) -> Vec<Duration> {
        let dealt = self.dealt.lock().unwrap();
        let arrival: HashMap<(usize, usize), Instant> = dealt.iter().map(|d| ((d.0, d.1), d.3)).collect();
        dealt
            .iter()
            .filter(|d| d.2 == Fate::TooManyRequests { retry_after: secs })
            .map(|d| arrival[&(d.0, d.1 + 1)] - d.3)
            .collect()
    }
}

fn item_of(r: &Recorded) -> Option<usize> {
    r.openai_user_text().strip_prefix("item ")?.parse().ok()
}

/// Runs `source` as `prog.scm` in `dir` with OpenAI calls going to `server`.
fn run(dir: &Path, source: &str, server: &MockServer, args: &[&str]) -> Out {
    std::fs::write(dir.join("prog.scm"), source).unwrap();
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.arg("run").args(args).arg("prog.scm").current_dir(dir);
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    cmd.env("NO_PROXY", "127.0.0.1,localhost")
        .env("XDG_CONFIG_HOME", dir)
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "sk-faults-test");
    Out::of(run_command(&mut cmd, Duration::from_secs(120)), source)
}

fn trace_lines(path: &Path) -> Vec<Json> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn retries(line: &Json) -> usize {
    line["retries"].as_u64().unwrap_or_else(|| panic!("a trace line without retries: {line}")) as usize
}

#[test]
fn a_thousand_calls_through_faults_all_answer_in_order_and_the_trace_counts_every_request() {
    let provider = FaultyProvider::start(0x5eed_f417);
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.jsonl");
    let program = r#"
(define answers
  (map-async (lambda (i) (llm-query-async #:data (format "item ~a" i))) (range 1000) #:max-concurrent 256))
(for-each displayln answers)
"#;
    let out = run(
        dir.path(),
        program,
        &provider.server,
        &["--trace", trace.to_str().unwrap(), "--max-retries", "8", "--request-timeout", REQUEST_TIMEOUT, "--max-concurrency", "256"],
    );
    out.ok();
    let expected: Vec<String> = (0..1000).map(|i| format!("answer {i}")).collect();
    assert_eq!(out.lines(), expected, "every answer, in order");

    let calls = trace_lines(&trace);
    assert_eq!(calls.len(), 1000, "one trace line per call");
    assert!(calls.iter().all(|c| c["status"] == "ok"), "every call ended well");
    let traced_retries: usize = calls.iter().map(retries).sum();
    let received = provider.server.request_count();
    assert_eq!(received, 1000 + traced_retries, "requests received = calls + retries in the trace");

    // The plan's faults all happened, in about the planned proportions.
    assert!(provider.dealt(Fate::Answered) >= 1000, "every element was answered");
    let share = |n: usize| n as f64 / received as f64;
    let too_many = provider.dealt(Fate::TooManyRequests { retry_after: 0 }) + provider.dealt(Fate::TooManyRequests { retry_after: 1 });
    assert!((0.2..0.4).contains(&share(provider.dealt(Fate::ServerError))), "500s: {}", provider.dealt(Fate::ServerError));
    assert!((0.05..0.15).contains(&share(too_many)), "429s: {too_many}");
    assert!((0.02..0.08).contains(&share(provider.dealt(Fate::Dropped))), "dropped: {}", provider.dealt(Fate::Dropped));
    assert!((0.02..0.08).contains(&share(provider.dealt(Fate::TooSlow))), "too slow: {}", provider.dealt(Fate::TooSlow));
    // Retry-After is honoured: 1 s is waited, and 0 s replaces the backoff (at least 0.25 s).
    let after_one = provider.waits_after_429(1);
    assert!(after_one.iter().all(|w| *w >= Duration::from_millis(950)), "Retry-After: 1 not honoured: {after_one:?}");
    let mut after_zero = provider.waits_after_429(0);
    after_zero.sort();
    assert!(after_zero[after_zero.len() / 2] < Duration::from_millis(200), "Retry-After: 0 not honoured: {after_zero:?}");
    println!("{received} requests for 1000 calls in {:.1} s", out.elapsed.as_secs_f64());
}

/// Requests a trace line accounts for: the first and its retries, or what a cancelled call sent.
fn requests_of(line: &Json) -> usize {
    match line["status"].as_str() {
        Some("cancelled") => line["requests"].as_u64().unwrap_or_else(|| panic!("a cancelled call without requests: {line}")) as usize,
        _ => 1 + retries(line),
    }
}

#[test]
fn retries_running_out_exit_1_naming_the_element_and_the_rerun_resumes_from_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.jsonl");
    let program = r#"
(define docs (for/list ([i (in-range 50)]) (format "item ~a" i)))
(define answers
  (map-async (lambda (doc) (llm-query-async #:data doc)) docs #:max-concurrent 8 #:checkpoint "answers"))
(for-each displayln answers)
"#;
    // Element 23 always fails; 40 and later are slow, so some are in flight when it gives up.
    let failing = MockServer::start(|r| match item_of(r) {
        Some(23) => Reply::error(500, "internal error"),
        Some(item) if item >= 40 => Reply::openai(&format!("answer {item}"), 1, 1).after(Duration::from_secs(10)),
        Some(item) => Reply::openai(&format!("answer {item}"), 1, 1),
        None => Reply::error(400, "expected a user message `item N`"),
    });
    let out = run(dir.path(), program, &failing, &["--trace", trace.to_str().unwrap(), "--max-retries", "2"]);
    out.failed(1);
    assert!(out.stdout.is_empty(), "nothing printed: {}", out.stdout);
    assert!(out.stderr.contains("map-async: element 23 failed: the provider answered HTTP 500: internal error"), "{}", out.stderr);
    assert!(out.stderr.contains("element: \"item 23\""), "the error shows the element: {}", out.stderr);
    assert!(out.elapsed < Duration::from_secs(8), "the slow calls were cancelled, not awaited: {:?}", out.elapsed);

    // The trace accounts for every request: 39 answered, element 23 tried three times, and the
    // slow calls cancelled.
    let calls = trace_lines(&trace);
    let failed: Vec<&Json> = calls.iter().filter(|c| c["status"] == "error").collect();
    assert_eq!(failed.len(), 1, "{calls:?}");
    assert_eq!(retries(failed[0]), 2);
    assert_eq!(calls.iter().filter(|c| c["status"] == "ok").count(), 39);
    assert!(calls.iter().any(|c| c["status"] == "cancelled"), "{calls:?}");
    assert_eq!(calls.iter().map(requests_of).sum::<usize>(), failing.request_count());

    // The answers that came are on disk...
    let listed = Command::new(common::rlmsh_bin()).args(["checkpoints", "list"]).current_dir(dir.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with("\"answers\"\t#hash((items . 50) (answers . ((0 . \"answer 0\")"), "{listed:?}");

    // ... and the rerun asks only for the others.
    let healthy = MockServer::start(|r| Reply::openai(&format!("answer {}", item_of(r).unwrap()), 1, 1));
    let out = run(dir.path(), program, &healthy, &[]);
    out.ok();
    let expected: Vec<String> = (0..50).map(|i| format!("answer {i}")).collect();
    assert_eq!(out.lines(), expected);
    let mut asked: Vec<usize> = healthy.requests().iter().filter_map(item_of).collect();
    asked.sort();
    assert_eq!(asked, [23, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
}

//! The example programs in `scripts/`: every one runs with `--offline` on its sample data and
//! must exit 0 printing the lines its deterministic offline run prints. Programs that keep
//! checkpoints are also run a second time to check that they resume, and the branches the
//! offline model never takes (model-written code that runs, a race won by a later model, a
//! valid plan, split votes) are driven by a loopback server playing the provider.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::http::{MockServer, Recorded, Reply};
use common::{check_in_parallel, fail_lines, report_counts, run_command, MODEL_ENV};
use serde_json::json;

/// Scripts not run here, with the reason. Remove an entry when its reason is gone.
const SKIPPED: &[(&str, &str)] = &[
    ("stream-logs.scm", "run on generated logs, killed and resumed, by tests/streams.rs"),
    ("gen-logs.scm", "generates the logs tests/streams.rs runs stream-logs.scm on"),
];

/// One offline run: the script, its arguments after the script name (the checkpoint directory
/// is added by the runner), whole lines its stdout must contain, and fragments of lines that
/// vary from run to run (timings, which racer wins).
struct Case {
    script: &'static str,
    args: &'static [&'static str],
    lines: &'static [&'static str],
    fragments: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        script: "recursive-delegation.scm",
        args: &["--context", "scripts/data/contract.md"],
        lines: &[
            "[1/5] 1. Services: 745 characters, subsections 1.1 Scope; 1.2 Service levels; 1.3 Service credits",
            "[4/5] 4. Liability: 381 characters, no subsections",
            "Contract review (5 sections delegated):",
        ],
        fragments: &["(from 14 lines)", "(from 7 lines)", "offline:gpt-4o:"],
    },
    Case {
        script: "fan-out.scm",
        args: &["--context", "scripts/data/tickets.json"],
        lines: &[
            "Classified 30 tickets with gpt-4o-mini (at most 10 calls in flight).",
            "billing               30          3.0",
            "feature-request        0            -",
            "unclassified           0            -",
            "Urgent tickets (urgency 4-5): 0",
            "Triage note (gpt-4o):",
        ],
        fragments: &["offline:gpt-4o:"],
    },
    Case {
        script: "code-generation.scm",
        args: &["--context", "scripts/data/sales.csv"],
        lines: &[
            "Table: 18 rows; order_date (string), region (string), sales_rep (string), product (string), units (integer), unit_price (real)",
        ],
        fragments: &[
            "Attempt 1 rejected: expected one (lambda (rows) ...) expression, got offline:gpt-4o:",
            "Attempt 3 rejected: expected one (lambda (rows) ...) expression",
            "No answer: 3 attempts failed",
        ],
    },
    Case {
        script: "critique-refine.scm",
        args: &["--context", "scripts/data/product.txt"],
        lines: &[
            "Round 1: critic score 5/10, 1 critic issue(s), 3 failed check(s) (length, price, warranty)",
            "Round 3: critic score 5/10, 1 critic issue(s), 3 failed check(s) (length, price, warranty)",
            "Stopped: 3 rounds done. Best version (merit -4, 1 words, failing: length, price, warranty):",
        ],
        fragments: &["offline:gpt-4o:"],
    },
    Case {
        script: "cumulative-fold.scm",
        args: &["--context", "scripts/data/incident.json"],
        lines: &[
            "1  09:12  status investigating, 1 open question(s), summary 1 words",
            "9  10:42  status investigating, 1 open question(s), summary 1 words",
            "Status changes: 09:12 investigating",
            "Postmortem outline (gpt-4o):",
        ],
        fragments: &[],
    },
    Case {
        script: "meta-orchestration.scm",
        args: &["--context", "scripts/data/reviews.json"],
        lines: &[
            "Plan from gpt-4o: {\"strategy\":\"fan-out\",\"model\":\"gpt-4o-mini\",\"reason\":\"...\"}",
            "Running fan-out with gpt-4o-mini.",
            "fan-out: 16 tagging calls to gpt-4o-mini; topics: sync 16",
        ],
        fragments: &["offline:gpt-4o-mini:"],
    },
    Case {
        script: "speculative-execution.scm",
        args: &["--context", "scripts/data/customer-email.txt"],
        lines: &["Racing 3 models: gpt-4o-mini, gpt-4.1-mini, gpt-4.1-nano", "..."],
        fragments: &["answered first among 3: accepted", "Cancelled 2 call(s); waited", "Action: replace (order ...), answer from"],
    },
    Case {
        script: "ensemble-voting.scm",
        args: &["--context", "scripts/data/reviews.json"],
        lines: &[
            "2       5      negative negative negative   negative (unanimous)",
            "Without a majority (for a person to label): none",
            "gpt-4o-mini    8/16",
            "majority vote  8/16",
        ],
        fragments: &[],
    },
    Case {
        script: "active-learning.scm",
        args: &["--context", "scripts/data/expenses.csv"],
        lines: &[
            "Pass 1: 24 expenses classified by gpt-4o-mini.",
            "Pass 2: 24 need review (confidence below 0.7 or amount of EUR 500 or more); reviewing 8 with gpt-4o:",
            "  E-12 Apple: MacBook Pro 14 for designer, EUR 2399.00 (confidence 0.5)",
            "  E-09 Dell: 27-inch monitor for new hire, EUR 329.00 (confidence 0.5)",
            "Reviewer changed 0 of 8 labels.",
            "travel             8119.02  (24 items, 6341.20 reviewed)",
        ],
        fragments: &["offline/gpt-4o-mini    24 calls,", "offline/gpt-4o         8 calls,"],
    },
    Case {
        script: "tree-aggregation.scm",
        args: &["--context", "scripts/data/team-updates.json"],
        lines: &[
            "level 0: 10 summaries (10 calls to gpt-4o-mini)",
            "level 2: 3 summaries (2 calls to gpt-4o-mini)",
            "level 4: 1 summary (1 call to gpt-4o-mini)",
            "Brief (gpt-4o) from 10 updates:",
        ],
        fragments: &["offline:gpt-4o:"],
    },
    Case {
        script: "consensus.scm",
        args: &["--context", "scripts/data/incident.json"],
        lines: &["Round 1: 4 proposals", "  gpt-4.1-mini  -> [2] ...", "Tally: [2] 4 (supermajority: 3 of 4)"],
        fragments: &["Consensus on proposal [2] (4 of 4 votes): offline:gpt-4o-mini:"],
    },
    Case {
        script: "backtracking.scm",
        args: &["--context", "scripts/data/talks.json"],
        lines: &[
            "Model plan (gpt-4o): 0 placement(s), 9 problem(s)",
            "  - unusable entry {\"talk\":\"...\",\"slot\":\"...\",\"room\":\"...\"}",
            "Search: 76 placements tried, 10 backtracks.",
            "10:00  Main Hall  T1 The State of Rust in Production (Ana Reis, 240/250)",
            "11:30  Room B     T7 Profiling Rust Services (Fay Adams, 60/100)",
            "14:00  Main Hall  T2 Async Rust Without Tears (Ben Okafor, 90/250)",
        ],
        fragments: &[],
    },
    Case {
        script: "anytime.scm",
        args: &["--context", "scripts/data/release-notes.md"],
        lines: &[],
        fragments: &["level 0 (extract):", "level 3 (polished, gpt-4o):", "Answer from level 3 of 3 after", "offline:gpt-4o:"],
    },
    Case {
        script: "memoization.scm",
        args: &["--context", "scripts/data/faq.json"],
        lines: &[
            "MISS How long do refunds take?",
            "HIT  HOW LONG DO REFUNDS TAKE?!",
            "MISS What is the return window?",
            "12 questions: 7 answered by gpt-4o-mini (7 model calls this run), 5 from the cache",
        ],
        fragments: &[],
    },
    Case {
        script: "bandit.scm",
        args: &["--context", "scripts/data/tickets.json"],
        lines: &[
            "gpt-4o            7     0.50  $0.00025   0.245",
            "gpt-4.1-nano     12     0.50  $0.00001   0.489",
            "Settled on gpt-4.1-nano: 12 of 30 tickets, average reward 0.489.",
        ],
        fragments: &["T-1001  gpt-4o        score  5"],
    },
    Case {
        script: "hybrid-extraction.scm",
        args: &["--context", "scripts/data/invoices.txt"],
        lines: &[
            "KOVA-88213     KOVA Office Supplies Ltd     2024-05-09    EUR 716.76 software",
            "  LEV/2024/311: the line items add up to 1762.00, the subtotal says 1672.00",
            "  NW-5521: due date 2024-04-20 is before the invoice date 2024-05-20",
            "4 invoices, 2 with problems to resolve before approval; 4 of 4 model answers corrected.",
        ],
        fragments: &[],
    },
    Case {
        script: "word-frequency.scm",
        args: &["scripts/data/sample.txt"],
        lines: &["31 distinct words in scripts/data/sample.txt", "1. the 13"],
        fragments: &[],
    },
    Case {
        script: "fan-out-checkpointed.scm",
        args: &["scripts/data/tickets.json"],
        lines: &[concat!(
            r#"{"source":"scripts/data/tickets.json","tickets":30,"categories":[{"category":"billing","tickets":30,"average_urgency":"3.00"},"#,
            r#"{"category":"bug","tickets":0,"average_urgency":"-"},{"category":"account","tickets":0,"average_urgency":"-"},"#,
            r#"{"category":"shipping","tickets":0,"average_urgency":"-"},{"category":"feature-request","tickets":0,"average_urgency":"-"},"#,
            r#"{"category":"unclassified","tickets":0,"average_urgency":"-"}],"urgent":[]}"#
        )],
        fragments: &[],
    },
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `rlmsh run scripts/SCRIPT ARGS...` from the repository root, with no provider configured.
fn command(script: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.arg("run").arg(Path::new("scripts").join(script)).args(args).current_dir(repo());
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    cmd.env("NO_PROXY", "127.0.0.1,localhost");
    cmd
}

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
    elapsed: Duration,
}

fn run(mut cmd: Command) -> Run {
    let r = run_command(&mut cmd, common::TIMEOUT);
    Run {
        stdout: String::from_utf8_lossy(&r.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&r.stderr).into_owned(),
        code: if r.timed_out { None } else { r.code },
        elapsed: r.elapsed,
    }
}

/// Runs a script offline with a fresh checkpoint directory, or with `checkpoints` when given.
fn offline(script: &str, args: &[&str], checkpoints: &Path) -> Run {
    let mut cmd = command(script, args);
    cmd.arg("--offline").arg("--checkpoint-dir").arg(checkpoints);
    run(cmd)
}

/// Every expected line and fragment, or a report of what is missing.
fn check_output(name: &str, r: &Run, lines: &[&str], fragments: &[&str]) -> Result<(), String> {
    if r.code != Some(0) {
        return Err(format!("{name}: exit {:?}\n      stderr: {}\n      stdout: {}", r.code, r.stderr, r.stdout));
    }
    let printed: Vec<&str> = r.stdout.lines().collect();
    let missing: Vec<String> = lines
        .iter()
        .filter(|l| !printed.contains(l))
        .map(|l| format!("line {l:?}"))
        .chain(fragments.iter().filter(|f| !r.stdout.contains(*f)).map(|f| format!("fragment {f:?}")))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: missing {}\n      stdout:\n{}", missing.join(", "), r.stdout))
    }
}

fn assert_ok(name: &str, r: &Run, lines: &[&str], fragments: &[&str]) {
    if let Err(report) = check_output(name, r, lines, fragments) {
        panic!("{report}");
    }
}

#[test]
fn every_script_runs_offline() {
    let results = check_in_parallel(CASES, |case| {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = offline(case.script, case.args, dir.path());
        check_output(case.script, &r, case.lines, case.fragments)
    });
    let failures = report_counts(&results);
    assert!(failures.is_empty(), "{}", fail_lines(&failures));
}

#[test]
fn every_script_has_a_case_or_a_reason_to_be_skipped() {
    let scripts: Vec<PathBuf> = common::files_with_extension(&repo().join("scripts"), "scm");
    assert!(!scripts.is_empty());
    for path in scripts {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let covered = CASES.iter().any(|c| c.script == name) || SKIPPED.iter().any(|(s, _)| *s == name);
        assert!(covered, "scripts/{name} has no case in tests/scripts.rs and is not in SKIPPED");
    }
    for (name, _) in SKIPPED {
        assert!(repo().join("scripts").join(name).exists(), "SKIPPED names scripts/{name}, which does not exist");
    }
}

#[test]
fn a_missing_context_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = offline("fan-out.scm", &[], dir.path());
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("fan-out: no tickets: pass --context scripts/data/tickets.json"), "{}", r.stderr);
}

// Checkpoints: a second run with the same directory resumes instead of starting over.

#[test]
fn cumulative_fold_resumes_from_its_checkpoint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["--context", "scripts/data/incident.json"];
    let first = offline("cumulative-fold.scm", &args, dir.path());
    assert_ok("first run", &first, &["9  10:42  status investigating, 1 open question(s), summary 1 words"], &[]);
    let second = offline("cumulative-fold.scm", &args, dir.path());
    assert_ok("second run", &second, &["Resuming from checkpoint: 9 of 9 updates already folded."], &[]);
    assert!(!second.stdout.contains("09:12  status"), "the second run folded again:\n{}", second.stdout);
    assert_eq!(first.stdout.lines().last(), second.stdout.lines().last(), "the postmortem differs");
}

#[test]
fn tree_aggregation_restores_every_level() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["--context", "scripts/data/team-updates.json"];
    let first = offline("tree-aggregation.scm", &args, dir.path());
    assert_ok("first run", &first, &["level 1: 5 summaries (5 calls to gpt-4o-mini)"], &[]);
    let second = offline("tree-aggregation.scm", &args, dir.path());
    assert_ok(
        "second run",
        &second,
        &["level 0: restored 10 from a checkpoint", "level 4: restored 1 from a checkpoint"],
        &[],
    );
    assert_eq!(first.stdout.lines().last(), second.stdout.lines().last(), "the brief differs");
}

#[test]
fn checkpointed_fan_out_resumes_without_asking_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["scripts/data/tickets.json", "--stats"];
    let first = offline("fan-out-checkpointed.scm", &args, dir.path());
    assert_ok("first run", &first, &[], &[]);
    assert!(first.stderr.contains("slice 2 of 2 done") && first.stderr.contains(": 30 model calls"), "{}", first.stderr);
    let second = offline("fan-out-checkpointed.scm", &args, dir.path());
    assert_ok("second run", &second, &[], &[]);
    assert!(second.stderr.contains("resuming, 2 of 2 slices already done") && second.stderr.contains(": 0 model calls"), "{}", second.stderr);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn memoization_answers_a_second_run_from_the_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["--context", "scripts/data/faq.json"];
    let first = offline("memoization.scm", &args, dir.path());
    assert_ok("first run", &first, &[], &["(7 model calls this run), 5 from the cache"]);
    let second = offline("memoization.scm", &args, dir.path());
    assert_ok(
        "second run",
        &second,
        &["12 questions: 0 answered by gpt-4o-mini (0 model calls this run), 12 from the cache"],
        &[],
    );
    assert!(!second.stdout.contains("MISS"), "{}", second.stdout);
}

#[test]
fn anytime_answers_within_its_deadline_and_resumes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let context = ["--context", "scripts/data/release-notes.md"];
    let now = offline("anytime.scm", &[&context[..], &["0"]].concat(), &dir.path().join("a"));
    assert_ok(
        "deadline 0",
        &now,
        &[
            "Breaking changes: The v1 REST API is removed; integrations must use v2, available since 2022.",
            "Known issues: Map tiles may load slowly on connections under 1 Mbit/s.",
        ],
        &["level 1 (draft, gpt-4.1-nano) skipped: expected 1500 ms", "Answer from level 0 of 3"],
    );
    let resumable = dir.path().join("b");
    let partial = offline("anytime.scm", &[&context[..], &["6000"]].concat(), &resumable);
    assert_ok(
        "deadline 6000",
        &partial,
        &[],
        &["level 2 (improved, gpt-4o-mini):", "level 3 (polished, gpt-4o) skipped: expected 10000 ms", "Answer from level 2 of 3"],
    );
    let resumed = offline("anytime.scm", &context, &resumable);
    assert_ok("resumed", &resumed, &["Resuming from level 2 saved by an earlier run."], &["Answer from level 3 of 3"]);
    assert!(!resumed.stdout.contains("level 1 ("), "level 1 ran again:\n{}", resumed.stdout);
}

// Branches the offline model never takes, with a loopback server as the provider.

fn against(server: &MockServer, script: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = command(script, args);
    cmd.arg("--checkpoint-dir")
        .arg(dir.path())
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "test-key");
    run(cmd)
}

fn model_of(r: &Recorded) -> String {
    r.json()["model"].as_str().unwrap_or("").to_string()
}

fn system_of(r: &Recorded) -> String {
    r.json()["messages"][0]["content"].as_str().unwrap_or("").to_string()
}

#[test]
fn code_generation_feeds_errors_back_and_runs_the_working_function() {
    let forbidden = "(lambda (rows) (delete-file \"sales.csv\"))";
    let crashing = "(lambda (rows) (car 5))";
    let working = "```scheme\n(lambda (rows)\n  (define totals (make-hash))\n  (for ([r (in-list rows)])\n    (hash-update! totals (hash-ref r 'region)\n                  (lambda (v) (+ v (* (hash-ref r 'units) (hash-ref r 'unit_price)))) 0))\n  (sort (hash->list totals) > #:key cdr))\n```";
    let server = MockServer::sequence(
        vec![Reply::openai(forbidden, 10, 10), Reply::openai(crashing, 10, 10), Reply::openai(working, 10, 10)],
        Reply::error(500, "no more answers"),
    );
    let r = against(&server, "code-generation.scm", &["--context", "scripts/data/sales.csv"]);
    assert_ok(
        "code-generation",
        &r,
        &[
            "Attempt 1 rejected: runtime error: [sub-model error] delete-file: not available to model-written code (the sandbox has no file, process or Python access)",
            "Attempt 3: the code ran and returned 4 rows.",
            "East                      2953.90",
            "South                     2939.00",
            "West                      2913.20",
            "North                     1616.60",
        ],
        &["Attempt 2 rejected: runtime error: [sub-model error] model-written code:1:", "car: contract violation"],
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let retry = requests[2].openai_user_text();
    assert!(retry.contains("Your previous answer was rejected.") && retry.contains("(car 5)"), "{retry}");
}

#[test]
fn speculative_execution_skips_an_unusable_answer_and_cancels_the_slow_call() {
    let server = MockServer::start(|r| match model_of(r).as_str() {
        "gpt-4.1-mini" => Reply::openai(r#"{"intent": "complain", "order_id": "60417", "reply": "Sorry!"}"#, 10, 10)
            .after(Duration::from_millis(100)),
        "gpt-4.1-nano" => Reply::openai(
            r#"{"intent": "replace", "order_id": "60417", "reply": "We are sending a new grinder today."}"#,
            10,
            10,
        )
        .after(Duration::from_millis(400)),
        _ => Reply::openai(r#"{"intent": "refund", "order_id": "60417", "reply": "Refunded."}"#, 10, 10)
            .after(Duration::from_secs(8)),
    });
    let r = against(&server, "speculative-execution.scm", &["--context", "scripts/data/customer-email.txt"]);
    assert_ok(
        "speculative-execution",
        &r,
        &[
            "  gpt-4.1-mini answered first among 3: rejected (intent \"complain\" is not one of (replace refund cancel track other))",
            "  gpt-4.1-nano answered first among 2: accepted",
            "Action: replace (order 60417), answer from gpt-4.1-nano",
            "We are sending a new grinder today.",
        ],
        &["Cancelled 1 call(s); waited"],
    );
    assert!(r.elapsed < Duration::from_secs(6), "waited for the cancelled call: {:?}", r.elapsed);
}

#[test]
fn backtracking_uses_a_valid_model_plan_without_searching() {
    let plan = json!({"plan": [
        {"talk": "T1", "slot": "10:00", "room": "Main Hall"},
        {"talk": "T5", "slot": "10:00", "room": "Room B"},
        {"talk": "T8", "slot": "10:00", "room": "Room C"},
        {"talk": "T4", "slot": "11:30", "room": "Main Hall"},
        {"talk": "T7", "slot": "11:30", "room": "Room B"},
        {"talk": "T3", "slot": "11:30", "room": "Room C"},
        {"talk": "T2", "slot": "14:00", "room": "Main Hall"},
        {"talk": "T6", "slot": "14:00", "room": "Room B"}
    ]});
    let server = MockServer::always(Reply::openai(&plan.to_string(), 10, 10));
    let r = against(&server, "backtracking.scm", &["--context", "scripts/data/talks.json"]);
    assert_ok(
        "backtracking",
        &r,
        &[
            "Model plan (gpt-4o): 8 placement(s), 0 problem(s)",
            "The model's plan is valid; no search needed.",
            "14:00  Room B     T6 Rust in the Browser with WASM (Eli Moreau, 95/100)",
        ],
        &[],
    );
}

#[test]
fn backtracking_reports_every_rule_a_model_plan_breaks() {
    let plan = json!({"plan": [
        {"talk": "T1", "slot": "14:00", "room": "Room C"},
        {"talk": "T2", "slot": "14:00", "room": "Room C"},
        {"talk": "T9", "slot": "10:00", "room": "Main Hall"}
    ]});
    let server = MockServer::always(Reply::openai(&plan.to_string(), 10, 10));
    let r = against(&server, "backtracking.scm", &["--context", "scripts/data/talks.json"]);
    assert_ok(
        "backtracking",
        &r,
        &[
            "Model plan (gpt-4o): 2 placement(s), 12 problem(s)",
            "  - T1 (240 people) does not fit Room C (50)",
            "  - T1's speaker is unavailable at 14:00",
            "  - T2 (90 people) does not fit Room C (50)",
            "  - T1 and T2 share Room C at 14:00",
            "  - T1 and T2 are both in the same track at 14:00",
            "  - ... and 7 more",
        ],
        &["Search: "],
    );
}

#[test]
fn consensus_without_a_supermajority_escalates() {
    let server = MockServer::start(|r| {
        if !system_of(r).contains("Return JSON") {
            return Reply::openai(&format!("Root cause according to {}.", model_of(r)), 10, 10);
        }
        let vote = match model_of(r).as_str() {
            "gpt-4o" | "gpt-4o-mini" => 1,
            "gpt-4.1" => 3,
            _ => 7,
        };
        Reply::openai(&json!({"vote": vote, "reason": "best evidence"}).to_string(), 10, 10)
    });
    let r = against(&server, "consensus.scm", &["--context", "scripts/data/incident.json"]);
    assert_ok(
        "consensus",
        &r,
        &[
            "  [3] Root cause according to gpt-4.1.",
            "  gpt-4.1-mini  abstains best evidence",
            "Tally: [1] 2, [3] 1 (supermajority: 3 of 4)",
            "No consensus: escalating all 4 proposals to the incident lead.",
        ],
        &[],
    );
}

#[test]
fn ensemble_voting_sets_aside_reviews_without_a_majority() {
    let server = MockServer::start(|r| {
        let label = match model_of(r).as_str() {
            "gpt-4o-mini" => "negative",
            "gpt-4.1-mini" => "positive",
            _ => "neutral",
        };
        Reply::openai(&json!({ "sentiment": label }).to_string(), 10, 10)
    });
    let r = against(&server, "ensemble-voting.scm", &["--context", "scripts/data/reviews.json"]);
    assert_ok(
        "ensemble-voting",
        &r,
        &[
            "1       2      negative positive neutral    no majority",
            "Without a majority (for a person to label): 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16",
            "gpt-4o-mini    8/16",
            "gpt-4.1-mini   5/16",
            "gpt-4.1-nano   3/16",
            "majority vote  0/16",
        ],
        &[],
    );
}

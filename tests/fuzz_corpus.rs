//! Replays the committed fuzz corpora (`fuzz/corpus/<target>`) through the entry functions the
//! fuzz targets call, so that every input a fuzzer kept (the regression inputs of its findings
//! among them) runs under `cargo test` on a stable toolchain, without cargo-fuzz.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rlmsh::fuzz_entry;

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
}

/// Runs every input of a corpus; an input that panics, or takes longer than `slowest`, fails
/// the test (all such inputs are named, not just the first).
fn replay(target: &str, slowest: Duration, run: impl Fn(&[u8])) {
    let mut failures = Vec::new();
    for path in corpus(target) {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let started = Instant::now();
        if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
            failures.push(format!("{}: panicked", path.display()));
        } else if started.elapsed() > slowest {
            failures.push(format!("{}: took {:?}", path.display(), started.elapsed()));
        }
    }
    assert!(failures.is_empty(), "{} of the {target} corpus failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn reader_corpus() {
    replay("reader", Duration::from_secs(5), fuzz_entry::reader);
}

#[test]
fn json_corpus() {
    replay("json", Duration::from_secs(5), fuzz_entry::json);
}

/// The sandbox stops a program after two seconds; the margin covers a loaded machine.
#[test]
fn eval_corpus() {
    replay("eval", Duration::from_secs(10), |data| {
        fuzz_entry::eval(data);
    });
}

#[test]
fn eval_output_goes_to_a_string_port_not_stdout() {
    let outcome = fuzz_entry::eval(b"(display \"hi\") (write 'x) (+ 1 2)");
    assert_eq!(outcome.output, "hix");
    assert_eq!(outcome.result.as_deref(), Ok("3"));
}

#[test]
fn eval_has_no_files_and_runs_out_of_fuel() {
    let denied = fuzz_entry::eval(b"(open-output-file \"x\")");
    assert!(denied.result.is_err_and(|e| e.contains("not available to model-written code")));
    let looping = fuzz_entry::eval(b"(let loop () (loop))");
    assert!(looping.result.is_err_and(|e| e.contains("out of fuel")));
}

#[test]
fn eval_answers_model_calls_offline() {
    let outcome = fuzz_entry::eval(b"(syntax-e (llm-query #:instruction \"hi\" #:data \"x\"))");
    assert!(outcome.result.as_ref().is_ok_and(|text| text.contains("offline:")), "{outcome:?}");
}

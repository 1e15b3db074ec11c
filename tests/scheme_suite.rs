//! Differential test suite: every `tests/scheme/*.rkt` program (and every rlmsh-specific
//! `tests/rlmsh/*.scm` program) is run with
//! `rlmsh run <file>` and its stdout must match, byte for byte, the `.out` file
//! beside it (the stdout real Racket 8.7 CS printed for the same program).
//!
//! rlmsh programs run from the crate directory with `--offline` (model calls get the
//! deterministic offline model, and the default model name whatever the environment says) and a
//! fresh `--checkpoint-dir` of their own.
//!
//! One `#[test]` runs every program (in parallel) and reports every failure at once.
//! Set `RLMSH_SUITE_FILTER=substr` to run only the programs whose file name contains `substr`.

mod common;

use common::{
    check_in_parallel, fail_lines, files_with_extension, report_counts, run_command, run_program, MODEL_ENV, TIMEOUT,
};
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// How the programs of a suite are run.
#[derive(Clone, Copy)]
enum Mode {
    Racket,
    Rlmsh,
}

/// Check one program; `Err` carries the failure report.
fn check_program(bin: &Path, prog: &Path, mode: Mode) -> Result<(), String> {
    let name = prog.file_name().unwrap().to_string_lossy().into_owned();
    let expected_path = prog.with_extension("out");
    let expected = std::fs::read(&expected_path)
        .map_err(|e| format!("{}: cannot read {}: {}", name, expected_path.display(), e))?;
    let r = match mode {
        Mode::Racket => run_program(bin, prog),
        Mode::Rlmsh => {
            let checkpoints = tempfile::tempdir().map_err(|e| format!("{name}: cannot make a checkpoint directory: {e}"))?;
            let mut cmd = Command::new(bin);
            cmd.args(["run", "--offline", "--checkpoint-dir"]).arg(checkpoints.path()).arg(prog);
            for name in MODEL_ENV {
                cmd.env_remove(name);
            }
            run_command(&mut cmd, TIMEOUT)
        }
    };
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

/// Runs every program of `tests/<dir>/*.<ext>` and panics with a report of all failures.
fn check_suite(dir: &str, ext: &str, mode: Mode) {
    let bin = common::rlmsh_bin();
    let dir = common::tests_dir(dir);
    let filter = std::env::var("RLMSH_SUITE_FILTER").unwrap_or_default();
    let progs: Vec<PathBuf> = files_with_extension(&dir, ext)
        .into_iter()
        .filter(|p| filter.is_empty() || p.file_name().unwrap().to_string_lossy().contains(&filter))
        .collect();
    assert!(!progs.is_empty() || !filter.is_empty(), "no .{ext} programs found in {}", dir.display());

    let results = check_in_parallel(&progs, |prog| check_program(&bin, prog, mode));
    let failures = report_counts(&results);
    if !failures.is_empty() {
        let passed = results.len() - failures.len();
        let names: Vec<String> = failures
            .iter()
            .map(|f| f.split(':').next().unwrap_or("").to_string())
            .collect();
        panic!(
            "{} of {} programs failed: {}\n\n{}\n\n{} passed, {} failed",
            failures.len(),
            results.len(),
            names.join(", "),
            fail_lines(&failures),
            passed,
            failures.len()
        );
    }
}

/// Racket programs whose expected output is what Racket 8.7 printed.
#[test]
fn scheme_programs_match_racket() {
    check_suite("scheme", "rkt", Mode::Racket);
}

/// Behaviour specific to rlmsh (Racket rejects or lacks it), with hand-checked output.
#[test]
fn rlmsh_programs_match_expected_output() {
    check_suite("rlmsh", "scm", Mode::Rlmsh);
}

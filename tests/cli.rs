//! End-to-end tests of the `rlmsh` binary: modes, exit codes, error reports.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn rlmsh() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rlmsh"))
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rlmsh-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

fn run_file(name: &str, contents: &str, args: &[&str]) -> Output {
    let path = temp_file(name, contents);
    rlmsh().arg("run").arg(&path).args(args).output().expect("run rlmsh")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn eval_flag_prints_values() {
    let o = rlmsh().args(["-e", "(+ 1 2) (void) \"s\" 'sym"]).output().unwrap();
    assert_eq!(stdout(&o), "3\n\"s\"\n'sym\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn runs_a_file_with_arguments() {
    let o = run_file("args.scm", "(display (vector-ref (current-command-line-arguments) 1))", &["a", "b"]);
    assert_eq!(stdout(&o), "b");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn bare_file_argument_runs_it() {
    let path = temp_file("bare.scm", "(display \"bare\")");
    let o = rlmsh().arg(&path).output().unwrap();
    assert_eq!(stdout(&o), "bare");
}

#[test]
fn program_from_stdin() {
    let mut child = rlmsh().arg("-").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"(display (* 6 7))").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(stdout(&o), "42");
}

#[test]
fn plain_scripts_do_not_print_toplevel_values_but_modules_do() {
    let o = run_file("plain.scm", "(+ 1 2)\n(display \"x\")", &[]);
    assert_eq!(stdout(&o), "x");
    let o = run_file("module.rkt", "#lang racket/base\n(+ 1 2)\n(list 1 \"a\")\n", &[]);
    assert_eq!(stdout(&o), "3\n'(1 \"a\")\n");
}

#[test]
fn runtime_error_reports_location_and_exits_1() {
    let o = run_file("rt.scm", "(display \"before\")\n(define (f x)\n  (car x))\n(f 5)\n", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "before");
    let err = stderr(&o);
    assert!(err.contains("rt.scm:3:3: car: contract violation"), "{err}");
    assert!(err.contains("expected: pair?"), "{err}");
    assert!(err.contains("given: 5"), "{err}");
    assert!(err.contains("f at"), "call chain missing: {err}");
}

#[test]
fn unbound_identifier_is_reported_with_location() {
    let o = run_file("unbound.scm", "\n  (undefined-thing 1)", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unbound.scm:2:4: undefined-thing: undefined"), "{}", stderr(&o));
}

#[test]
fn reader_error_exits_65_and_runs_nothing() {
    let o = run_file("bad.scm", "(display \"ran\")\n(define x (+ 1 2]\n", &[]);
    assert_eq!(o.status.code(), Some(65));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("bad.scm:2:"), "{}", stderr(&o));
}

#[test]
fn syntax_error_exits_65() {
    let o = run_file("syn.scm", "(if)", &[]);
    assert_eq!(o.status.code(), Some(65));
    assert!(stderr(&o).contains("syn.scm:1:1: if: bad syntax"), "{}", stderr(&o));
}

#[test]
fn usage_error_exits_2() {
    let o = rlmsh().arg("--no-such-flag").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--no-such-flag"));
}

#[test]
fn missing_file_is_a_clean_error() {
    let o = rlmsh().args(["run", "/nonexistent/prog.scm"]).output().unwrap();
    assert_eq!(o.status.code(), Some(66));
    assert!(stderr(&o).contains("/nonexistent/prog.scm"));
}

#[test]
fn help_and_version() {
    let o = rlmsh().arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Exit codes"));
    let o = rlmsh().arg("--version").output().unwrap();
    assert!(stdout(&o).starts_with("rlmsh "));
}

#[test]
fn check_reports_errors_without_running() {
    let path = temp_file("check.scm", "(display \"ran\")\n(define-syntax m (syntax-rules () [(_ x) x]))\n(m 1)\n");
    let o = rlmsh().arg("check").arg(&path).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("ran"));
    let path = temp_file("check-bad.scm", "(let ((x)) x)");
    let o = rlmsh().arg("check").arg(&path).output().unwrap();
    assert_eq!(o.status.code(), Some(65));
}

#[test]
fn exit_sets_the_exit_code() {
    let o = run_file("exit.scm", "(display 1)\n(exit 3)\n(display 2)", &[]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stdout(&o), "1");
}

#[test]
fn deep_recursion_is_a_catchable_error_not_a_crash() {
    let program = "(define (f n) (+ 1 (f n)))\n\
                   (display (with-handlers ([exn:fail? (lambda (e) \"caught\")]) (f 0)))";
    let o = run_file("deep.scm", program, &[]);
    assert_eq!(stdout(&o), "caught", "stderr: {}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn deeply_nested_input_does_not_crash() {
    let src = format!("{}1{}", "(list ".repeat(100_000), ")".repeat(100_000));
    let o = run_file("nested.scm", &src, &[]);
    assert!(o.status.code().is_some(), "killed by a signal");
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn errors_are_catchable_with_handlers() {
    let program = r#"
(define (try thunk) (with-handlers ([exn:fail? (lambda (e) (exn-message e))]) (thunk)))
(displayln (try (lambda () (/ 1 0))))
(displayln (try (lambda () (error 'who "bad ~a" 1))))
(displayln (try (lambda () ((lambda (x) x) 1 2))))
"#;
    let path = temp_file("catch.scm", program);
    let o = rlmsh().arg("run").arg(&path).output().unwrap();
    // Like Racket, an anonymous procedure is named by its location (0-based column).
    assert_eq!(
        stdout(&o),
        format!(
            "/: division by zero\nwho: bad 1\n{}:5:28: arity mismatch;\n the expected number of arguments does not match the given number\n  expected: 1\n  given: 2\n",
            path.display()
        )
    );
}

#[test]
fn repl_keeps_definitions_across_errors_and_reads_multiline_input() {
    let mut child = rlmsh()
        .arg("repl")
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"(define x 41)\n(+ x\n   1)\n(car 5)\n(list x \"s\")\n,doc car\n(void)\n,quit\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let out = stdout(&o);
    assert!(out.contains("42\n"), "{out}");
    assert!(out.contains("'(41 \"s\")\n"), "{out}");
    assert!(out.contains("The first part of a pair."), "{out}");
    assert!(stderr(&o).contains("car: contract violation"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));
}

/// `,doc` and `,apropos` know the library written in Scheme too: its doc strings and the calls'
/// shapes, read from `stdlib/*.scm`.
#[test]
fn repl_documents_the_library() {
    let mut child = rlmsh()
        .arg("repl")
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b",doc tree-reduce\n,doc try\n,apropos fold\n,quit\n").unwrap();
    let o = child.wait_with_output().unwrap();
    let out = stdout(&o);
    assert!(out.contains("(tree-reduce fn items #:branch-factor [branch-factor 5] #:leaf-fn [leaf-fn identity])\n  Applies LEAF-FN"), "{out}");
    assert!(out.contains("(try expr on-error handler)\n  Evaluates EXPR"), "{out}");
    assert!(out.contains("stream-fold") && out.contains("fold-sequential") && out.contains("foldl"), "{out}");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn builtins_reference_is_current() {
    let o = rlmsh().arg("builtins").output().unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/BUILTINS.md")).unwrap();
    assert!(
        stdout(&o) == committed,
        "BUILTINS.md is out of date: regenerate it with `rlmsh builtins > BUILTINS.md`"
    );
}

#[test]
fn every_builtin_has_documentation_and_a_unique_name() {
    let o = rlmsh().arg("builtins").output().unwrap();
    let mut names = std::collections::HashSet::new();
    for row in stdout(&o).lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        assert!(names.insert(cells[0].to_string()), "duplicate builtin {}", cells[0]);
        assert!(cells.last().is_some_and(|doc| doc.trim_end_matches(" |").len() > 3), "undocumented: {row}");
    }
    assert!(names.len() > 400);
}

/// `--timeout` stops a loop, a running Python loop, and a program that catches the
/// interruption and carries on (after a grace period), each with exit code 4.
#[test]
fn timeout_ends_the_program_with_exit_code_4() {
    let dir = std::env::temp_dir().join(format!("rlmsh-timeout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, program) in [
        ("loop", "(let loop () (loop))"),
        ("python", r#"(py-exec "while True: pass")"#),
        ("stubborn", "(let loop () (with-handlers ([exn:break? void]) (let l () (l))) (loop))"),
    ] {
        let path = dir.join(format!("{name}.scm"));
        std::fs::write(&path, program).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rlmsh")).args(["run", "--timeout", "0.5"]).arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--timeout 0.5 s"), "{name}");
    }
    let quick = dir.join("quick.scm");
    std::fs::write(&quick, "(display 1)").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rlmsh")).args(["run", "--timeout", "5"]).arg(&quick).output().unwrap();
    assert_eq!((out.status.code(), out.stdout), (Some(0), b"1".to_vec()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--json` replaces the program's output with one JSON object; `--result-file` receives the
/// result of `finish`.
#[test]
fn json_reports_status_result_output_and_error() {
    let dir = std::env::temp_dir().join(format!("rlmsh-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |program: &str, extra: &[&str]| {
        let path = dir.join("prog.scm");
        std::fs::write(&path, program).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rlmsh")).args(["run", "--offline", "--json"]).args(extra).arg(&path).output().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
        (out.status.code(), json)
    };
    let result_file = dir.join("result.txt");
    let (code, json) = run(
        r#"(display "hello") (llm-query #:data "x") (finish (hash 'a (list 1 "two")))"#,
        &["--result-file", result_file.to_str().unwrap()],
    );
    assert_eq!(code, Some(0));
    assert_eq!(json["status"], "finished");
    assert_eq!(json["result"], serde_json::json!({"a": [1, "two"]}));
    assert_eq!(json["output"], "hello");
    assert_eq!(json["calls"], 1);
    assert!(json["tokens"]["total"].as_u64().unwrap() > 0);
    assert_eq!(std::fs::read_to_string(&result_file).unwrap(), "#hash((a . (1 two)))");
    let (code, json) = run(r#"(display "partial") (car 1)"#, &[]);
    assert_eq!(code, Some(1));
    assert_eq!((json["status"].as_str(), json["output"].as_str()), (Some("error"), Some("partial")));
    assert!(json["error"]["message"].as_str().unwrap().contains("car: contract violation"));
    let (code, json) = run("(define x 1)", &[]);
    assert_eq!((code, json["status"].as_str(), json["result"].is_null()), (Some(0), Some("completed"), true));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--context NAME=PATH` fills slots read with `get-context`; `--context-json` parses the
/// texts as JSON first, in Scheme and in Python; a second unnamed context is a usage error.
#[test]
fn named_and_json_contexts() {
    let dir = std::env::temp_dir().join(format!("rlmsh-context-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data.json");
    std::fs::write(&data, r#"{"a": [1, 2], "b": null}"#).unwrap();
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "plain").unwrap();
    let program = dir.join("prog.scm");
    std::fs::write(&program, r#"(writeln context) (writeln (get-context "notes")) (writeln (get-context "none")) (writeln (py-eval "type(context).__name__"))"#).unwrap();
    let rlmsh = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_rlmsh")).arg("run").args(args).arg(&program).output().unwrap();
    let notes_slot = format!("notes={}", notes.display());
    let plain = rlmsh(&["--context", data.to_str().unwrap(), "--context", &notes_slot]);
    assert_eq!(String::from_utf8_lossy(&plain.stdout), "\"{\\\"a\\\": [1, 2], \\\"b\\\": null}\"\n\"plain\"\n#f\n\"str\"\n");
    let data_slot = format!("notes={}", data.display());
    let json = rlmsh(&["--context-json", "--context", data.to_str().unwrap(), "--context", &data_slot]);
    assert_eq!(String::from_utf8_lossy(&json.stdout), "#hasheq((a . (1 2)) (b . null))\n#hasheq((a . (1 2)) (b . null))\n#f\n\"dict\"\n");
    let twice = rlmsh(&["--context", data.to_str().unwrap(), "--context", notes.to_str().unwrap()]);
    assert_eq!(twice.status.code(), Some(2));
    let not_json = rlmsh(&["--context-json", "--context", notes.to_str().unwrap()]);
    assert_eq!(not_json.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&not_json.stderr).contains("not JSON"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `program`, reads the first line of its output and closes the pipe, as `| head -1` does.
fn first_line_then_close(name: &str, program: &str) -> (String, Output) {
    use std::io::BufRead;
    let path = temp_file(name, program);
    let mut child = rlmsh().arg("run").arg(&path).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    (first, child.wait_with_output().unwrap())
}

/// `rlmsh run prog.scm | head -1`: a reader that goes away ends the program quietly with 141,
/// whether it was displaying (even under a catch-all handler) or about to print its `finish`
/// result; other write errors stay catchable errors.
#[test]
fn a_closed_output_pipe_ends_the_program_quietly() {
    let programs = [
        ("endless.scm", "(let loop ([i 0]) (displayln i) (loop (+ i 1)))"),
        ("handled.scm", "(with-handlers ([(lambda (e) #t) (lambda (e) (eprintf \"caught\\n\"))]) (let loop () (displayln 0) (loop)))"),
        ("finish.scm", "(displayln 0) (flush-output) (sleep 0.5) (finish \"result\")"),
    ];
    for (name, program) in programs {
        let (first, o) = first_line_then_close(name, program);
        assert_eq!(first, "0\n", "{name}");
        assert_eq!((o.status.code(), stderr(&o)), (Some(141), String::new()), "{name}");
    }
    let full = "(with-output-to-file \"/dev/full\" (lambda () (let loop () (displayln 0) (loop))) #:exists 'truncate)";
    let o = run_file("full.scm", full, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error writing to port: No space left on device"), "{}", stderr(&o));
    let o = run_file("full-handled.scm", &format!("(with-handlers ([exn:fail? (lambda (e) (displayln \"caught\"))]) {full})"), &[]);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), "caught\n".to_string()));
}

/// `rlmsh builtins | head -1`: the subcommands that print reports end as quietly as programs
/// when their reader goes away (here before the report is written).
#[test]
fn a_closed_pipe_ends_a_report_quietly() {
    let mut child = rlmsh().arg("builtins").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!((o.status.code(), stderr(&o)), (Some(141), String::new()));
}

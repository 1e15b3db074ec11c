//! End-to-end tests of the sandbox for model-written code through the `rlmsh` binary: protected
//! scaffold bindings, `unsafe-exec-sub-output` (what it sees, what it is refused, the ways out it
//! must not have, its fuel, time, memory and nesting limits), `llm-query #:recursive` with the
//! offline model and against a loopback server playing the model, shared token budgets, the
//! trace's lineage and the `--audit` log. Scheme-level behaviour is also covered by
//! `tests/rlmsh/sandbox-*.scm`.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::http::{MockServer, Recorded, Reply};
use common::{run_command, Out, MODEL_ENV};
use serde_json::Value as Json;

/// Helpers every program gets: `attempt` runs code in a sandbox and gives its value or the first
/// line of the error the parent caught; `sandboxed` does it for forms written in place.
const PRELUDE: &str = r#"
(define (first-line s) (car (string-split s "\n")))
(define (attempt code)
  (with-handlers ([exn:fail? (lambda (e) (first-line (exn-message e)))])
    (unsafe-exec-sub-output code)))
(define-syntax-rule (sandboxed form ...) (attempt (datum->syntax #f '(begin form ...))))
"#;

/// Runs `PRELUDE` + `source` as `prog.scm` in `dir` (the working directory) with `args` before
/// the file, no model configured unless `env` sets one.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)], source: &str) -> Out {
    std::fs::write(dir.join("prog.scm"), format!("{PRELUDE}{source}")).expect("write program");
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.arg("run").args(args).arg("prog.scm").current_dir(dir);
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    cmd.env("NO_PROXY", "127.0.0.1,localhost");
    for (name, value) in env {
        cmd.env(name, value);
    }
    Out::of(run_command(&mut cmd, common::TIMEOUT), source)
}

fn run(dir: &Path, args: &[&str], source: &str) -> Out {
    run_env(dir, args, &[], source)
}

/// Runs in a fresh temporary directory.
fn run_tmp(args: &[&str], source: &str) -> Out {
    let dir = tempfile::tempdir().expect("temp dir");
    run(dir.path(), args, source)
}

/// Model calls go to `server` as OpenAI calls.
fn run_against(server: &MockServer, dir: &Path, args: &[&str], source: &str) -> Out {
    let url = server.base_url();
    run_env(dir, args, &[("OPENAI_BASE_URL", &url), ("OPENAI_API_KEY", "sk-test-sandbox")], source)
}

fn json_lines(path: &Path) -> Vec<Json> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

/// The guide `rlmsh guide` prints, which recursive calls send as their system message.
fn guide() -> String {
    let out = Command::new(common::rlmsh_bin()).arg("guide").output().expect("run rlmsh guide");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(finish V)") && text.contains("context"), "{text}");
    text
}

fn system_text(r: &Recorded) -> String {
    r.json()["messages"][0]["content"].as_str().unwrap_or_default().to_string()
}

/// Is this request a recursive call (its system message is the guide)?
fn is_recursive(r: &Recorded) -> bool {
    system_text(r).starts_with("# You have an rlmsh sandbox")
}

// ---------------------------------------------------------------------------------------------
// Protected scaffold bindings

/// Every binding the scaffold rests on.
const SCAFFOLD: &[&str] = &[
    "finish", "finish-var", "context", "get-context", "llm-query", "llm-query-async", "unsafe-raw-query", "await",
    "await-all", "await-all-syntax", "await-any", "cancel", "map-async", "syntax-e", "datum->syntax", "tokens-used",
    "rate-limits", "token-budget", "py-exec", "py-eval", "py-call", "py-set!", "checkpoint", "restore",
    "unsafe-interpolate", "unsafe-overwrite", "unsafe-exec-sub-output",
];

#[test]
fn redefining_a_scaffold_binding_at_top_level_is_a_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    for (form, word, name) in [
        ("(define finish 1)", "define", "finish"),
        ("(set! llm-query 1)", "set!", "llm-query"),
        ("(define (syntax-e x) x)", "define", "syntax-e"),
        ("(define-syntax-rule (finish x) x)", "define-syntax", "finish"),
        ("(define-syntax llm-query (syntax-rules () [(_ x) x]))", "define-syntax", "llm-query"),
    ] {
        let out = run(dir.path(), &[], &format!("(displayln \"before\")\n{form}\n(displayln \"after\")"));
        out.failed(65);
        assert_eq!(out.stdout, "before\n", "{form}");
        assert!(
            out.stderr.contains(&format!("{word}: cannot redefine scaffold binding '{name}'")),
            "{form}: {}",
            out.stderr
        );
    }
    // Every scaffold name, both ways, caught as exn:fail:syntax through eval.
    let names = SCAFFOLD.join(" ");
    let out = run(
        dir.path(),
        &[],
        &format!(
            r#"
(for ([name '({names})])
  (for ([form (list `(define ,name 1) `(set! ,name 1))])
    (displayln (with-handlers ([exn:fail:syntax? (lambda (e) (first-line (exn-message e)))])
                 (eval form (make-base-namespace))
                 (format "~a was replaced" name)))))
(displayln (procedure? finish))
"#
        ),
    );
    out.ok();
    let mut expected = Vec::new();
    for name in SCAFFOLD {
        expected.push(format!("define: cannot redefine scaffold binding '{name}'"));
        expected.push(format!("set!: cannot redefine scaffold binding '{name}'"));
    }
    expected.push("#t".to_string());
    assert_eq!(out.lines(), expected);
}

#[test]
fn local_bindings_may_shadow_scaffold_names_and_combinators_are_not_protected() {
    let out = run_tmp(
        &["--offline"],
        r#"
(define (count-words context) (length (string-split context)))
(displayln (count-words "a b c"))
(displayln (let ([finish 1] [llm-query 2] [syntax-e 3]) (+ finish llm-query syntax-e)))
(displayln ((lambda (checkpoint) (* checkpoint 2)) 21))
(define (tree-reduce . args) 'my-tree-reduce)
(displayln (tree-reduce 1 2 3))
(set! tree-reduce (lambda args 'set-again))
(displayln (tree-reduce))
(unsafe-overwrite 'tokens-used (lambda () 'overwritten))
(displayln (tokens-used))
(unsafe-overwrite "finish" (lambda (v) (displayln (list 'fake-finish v))))
(finish 5)
(displayln "still running")
"#,
    );
    out.ok();
    assert_eq!(out.lines(), ["3", "6", "42", "my-tree-reduce", "set-again", "overwritten", "(fake-finish 5)", "still running"]);
}

// ---------------------------------------------------------------------------------------------
// unsafe-exec-sub-output: what the sandbox sees

#[test]
fn sub_output_sees_only_context_and_returns_its_finish_value_or_last_value() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.txt"), "alpha\nbeta\ngamma\n").unwrap();
    let out = run(
        dir.path(),
        &["--context", "data.txt"],
        r#"
(define secret "parent only")
(define (helper) 'parent-helper)
(displayln (attempt "(+ 1 2)"))
(displayln (attempt (datum->syntax #f "(finish 'early) 'never")))
(displayln (attempt "(define x 5) (* x x)"))
(displayln (attempt "(length (string-split context \"\\n\"))"))
(displayln (eq? context (unsafe-exec-sub-output "context")))
(displayln (attempt "secret"))
(displayln (attempt "(helper)"))
(displayln (attempt "(define secret 'mine) secret"))
(displayln secret)
(displayln (attempt "(unsafe-overwrite 'llm-query (lambda _ 'hijacked)) (llm-query)"))
(displayln (procedure? llm-query))
(displayln (attempt "(car '())"))
(displayln (attempt "(raise 'boom)"))
(displayln (attempt "(error 'who \"went wrong: ~a\" 42)"))
(displayln (attempt "(define (f) "))
(displayln (attempt 42))
"#,
    );
    out.ok();
    assert_eq!(
        out.lines(),
        [
            "3",
            "early",
            "25",
            "3",
            "#t",
            "[sub-model error] model-written code:1:1: secret: undefined;",
            "[sub-model error] model-written code:1:2: helper: undefined;",
            "mine",
            "parent only",
            "hijacked",
            "#t",
            "[sub-model error] model-written code:1:1: car: contract violation",
            "[sub-model error] uncaught exception: boom",
            "[sub-model error] model-written code:1:1: who: went wrong: 42",
            "[sub-model error] model-written code:1:1: read-syntax: expected a `)` to close `(`",
            "unsafe-exec-sub-output: contract violation",
        ]
    );
}

#[test]
fn a_json_context_is_the_same_value_in_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.json"), r#"{"items": [1, 2, 3], "name": "n"}"#).unwrap();
    let out = run(
        dir.path(),
        &["--context-json", "--context", "data.json"],
        r#"
(displayln (sandboxed (apply + (hash-ref context 'items))))
(displayln (eq? context (unsafe-exec-sub-output "context")))
"#,
    );
    out.ok();
    assert_eq!(out.lines(), ["6", "#t"]);
}

#[test]
fn sandbox_output_goes_to_the_parents_current_port_and_its_stdin_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prog.scm"), format!("{PRELUDE}{}", r#"
(displayln (read-line))
(displayln "parent 1")
(unsafe-exec-sub-output "(displayln \"sandbox 1\") (eprintf \"sandbox err\\n\")")
(displayln "parent 2")
(define captured (with-output-to-string (lambda () (unsafe-exec-sub-output "(display \"captured\")"))))
(printf "got ~s\n" captured)
(displayln (sandboxed (list (eof-object? (read-line)) (eof-object? (read-char)) (eof-object? (read)))))
(displayln (read-line))
"#))
    .unwrap();
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.arg("run").arg("prog.scm").current_dir(dir.path());
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"first line\nsecond line\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "first line\nparent 1\nsandbox 1\nparent 2\ngot \"captured\"\n(#t #t #t)\nsecond line\n"
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "sandbox err\n");
}

#[test]
fn sandbox_checkpoints_are_kept_apart_from_the_programs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &["--checkpoint-dir", "cp"],
        r#"
(checkpoint "k" 'parent-value)
(displayln (sandboxed (list (restore "k") (begin (checkpoint "k" 'sandbox-value) (restore "k")))))
(displayln (restore "k"))
(displayln (sandboxed (restore "k")))
"#,
    );
    out.ok();
    assert_eq!(out.lines(), ["(#f sandbox-value)", "parent-value", "sandbox-value"]);
    let count = |d: &Path| std::fs::read_dir(d).unwrap().filter(|e| e.as_ref().unwrap().path().is_file()).count();
    assert_eq!(count(&dir.path().join("cp")), 1);
    assert_eq!(count(&dir.path().join("cp").join("sandbox")), 1);
}

// ---------------------------------------------------------------------------------------------
// What the sandbox is refused

const FILE_BUILTINS: &[&str] = &[
    "open-input-file", "open-output-file", "call-with-output-file", "call-with-input-file", "with-output-to-file",
    "with-input-from-file", "file->string", "file->lines", "display-to-file", "write-to-file", "file-exists?",
    "delete-file", "file-size", "file-chunks", "stdin-chunks",
];
const PROCESS_BUILTINS: &[&str] = &["exit", "getenv"];
const PYTHON_BUILTINS: &[&str] = &["py-exec", "py-eval", "py-set!", "py-call"];

/// Every builtin `rlmsh builtins` lists.
fn builtin_names() -> Vec<String> {
    let out = Command::new(common::rlmsh_bin()).arg("builtins").output().expect("run rlmsh builtins");
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(name, _)| name.to_string()))
        .collect();
    assert!(names.len() > 300, "{text}");
    names
}

/// Calls every builtin, with no arguments, in a sandbox of its own, and returns the names of
/// those the sandbox refused (whatever else the call did: arity errors, answers, eof).
fn refused_builtins(extra_args: &[&str]) -> Vec<String> {
    let names = builtin_names();
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    let mut args = vec!["--sub-fuel", "100000", "--sub-timeout", "5"];
    args.extend_from_slice(extra_args);
    let out = run_tmp(
        &args,
        &format!(
            r#"
(for ([name (list {})])
  (define message
    (with-handlers ([exn:fail? exn-message])
      (unsafe-exec-sub-output (string-append "(" name ")"))
      ""))
  (when (regexp-match? #rx"not available to model-written code" message)
    (printf "REFUSED ~a\n" name)
    (unless (string-prefix? message (string-append "[sub-model error] " name ": not available to model-written code"))
      (printf "BAD MESSAGE ~s\n" message))))
(displayln "done")
"#,
            quoted.join(" ")
        ),
    );
    out.ok();
    assert!(out.stdout.ends_with("done\n"), "{}", out.stdout);
    assert!(!out.stdout.contains("BAD MESSAGE"), "{}", out.stdout);
    let mut refused: Vec<String> =
        out.stdout.lines().filter_map(|l| l.strip_prefix("REFUSED ")).map(str::to_string).collect();
    refused.sort();
    refused
}

fn sorted(groups: &[&[&str]]) -> Vec<String> {
    let mut names: Vec<String> = groups.iter().flat_map(|g| g.iter().map(|n| n.to_string())).collect();
    names.sort();
    names
}

#[test]
fn exactly_the_file_process_and_python_builtins_are_refused() {
    assert_eq!(refused_builtins(&[]), sorted(&[FILE_BUILTINS, PROCESS_BUILTINS, PYTHON_BUILTINS]));
    assert_eq!(refused_builtins(&["--sub-python"]), sorted(&[FILE_BUILTINS, PROCESS_BUILTINS]));
}

#[test]
fn refused_builtins_have_no_effect_and_no_namespace_or_overwrite_brings_them_back() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("victim.txt"), "keep me").unwrap();
    let out = run_env(
        dir.path(),
        &[],
        &[("RLMSH_SANDBOX_TEST_SECRET", "hunter2")],
        r#"
(displayln (sandboxed (delete-file "victim.txt")))
(displayln (sandboxed (with-output-to-file "pwned.txt" (lambda () (display "x")))))
(displayln (sandboxed (display-to-file "x" "pwned.txt")))
(displayln (sandboxed (call-with-output-file "pwned.txt" (lambda (p) (display "x" p)))))
(displayln (sandboxed (open-output-file "pwned.txt")))
(displayln (sandboxed (file->string "/etc/passwd")))
(displayln (sandboxed (call-with-input-file "/etc/passwd" port->string)))
(displayln (sandboxed (with-handlers ([(lambda (e) #t) (lambda (e) 'caught)]) (file-exists? "victim.txt"))))
(displayln (sandboxed (getenv "RLMSH_SANDBOX_TEST_SECRET")))
(displayln (sandboxed (exit 7)))
(displayln (sandboxed (eval '(file->string "/etc/passwd") (make-base-namespace))))
(displayln (sandboxed (eval '(getenv "RLMSH_SANDBOX_TEST_SECRET"))))
(displayln (sandboxed (define ns (make-base-namespace)) (eval '(exit 9) ns)))
(displayln (sandboxed (unsafe-overwrite 'file->string file->string) (file->string "/etc/passwd")))
(displayln (sandboxed (eval '(begin (unsafe-overwrite 'getenv getenv) (getenv "RLMSH_SANDBOX_TEST_SECRET")) (make-base-namespace))))
(displayln (sandboxed (llm-query #:instruction "describe" #:image "/etc/passwd")))
(displayln (sandboxed (llm-query #:instruction "describe" #:images (list "victim.txt"))))
(displayln (sandboxed (py-exec "open('pwned.txt', 'w')")))
(displayln (sandboxed (finish-var "x")))
(displayln (getenv "RLMSH_SANDBOX_TEST_SECRET"))
"#,
    );
    out.ok();
    let denied = |name: &str| format!("[sub-model error] {name}: not available to model-written code (the sandbox has no file, process or Python access)");
    let denied_in_eval = |name: &str| {
        format!("[sub-model error] model-written code:1:8: {name}: not available to model-written code (the sandbox has no file, process or Python access)")
    };
    let image = "[sub-model error] model-written code:1:8: llm-query: model-written code cannot read image files; pass a data: or https: URL";
    assert_eq!(
        out.lines(),
        [
            denied("delete-file"),
            denied("with-output-to-file"),
            denied("display-to-file"),
            denied("call-with-output-file"),
            denied("open-output-file"),
            denied("file->string"),
            denied("call-with-input-file"),
            "caught".to_string(),
            denied("getenv"),
            denied("exit"),
            denied_in_eval("file->string"),
            denied_in_eval("getenv"),
            "[sub-model error] model-written code:1:42: exit: not available to model-written code (the sandbox has no file, process or Python access)".to_string(),
            denied("file->string"),
            denied_in_eval("getenv"),
            image.to_string(),
            image.to_string(),
            denied("py-exec"),
            "[sub-model error] model-written code:1:8: finish-var: x is not bound".to_string(),
            "hunter2".to_string(),
        ]
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("victim.txt")).unwrap(), "keep me");
    assert!(!dir.path().join("pwned.txt").exists());
}

#[test]
fn sub_python_allows_python_in_a_namespace_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.txt"), "twelve chars").unwrap();
    let out = run(
        dir.path(),
        &["--sub-python", "--context", "data.txt"],
        r#"
(py-exec "secret = 'parent'")
(displayln (sandboxed (py-eval "6 * 7")))
(displayln (sandboxed (py-eval "len(context)")))
(displayln (sandboxed (py-eval "secret")))
(displayln (sandboxed (py-exec "import os; print(open('/etc/hostname').read() if False else 'python ran')")))
(displayln (sandboxed (file->string "data.txt")))
(displayln (py-eval "secret"))
"#,
    );
    out.ok();
    let lines = out.lines();
    assert_eq!(lines[..3], ["42", "12", "[sub-model error] model-written code:1:8: py-eval: Python raised NameError: name 'secret' is not defined"]);
    assert_eq!(lines[3..], ["python ran", "", "[sub-model error] file->string: not available to model-written code (the sandbox has no file, process or Python access)", "parent"]);
}

// ---------------------------------------------------------------------------------------------
// Limits

/// Runs one sandboxed program under `flags`; the parent catches the error, prints its first line
/// and goes on.
fn limited(flags: &[&str], code: &str) -> (Out, String) {
    let out = run_tmp(
        flags,
        &format!(
            r#"
(define message (attempt {code:?}))
(displayln message)
(displayln (let loop ([i 0]) (if (< i 300000) (loop (+ i 1)) 'parent-unlimited)))
(displayln "after")
"#
        ),
    );
    out.ok();
    let lines = out.lines();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert_eq!(lines[1..], ["parent-unlimited", "after"]);
    let message = lines[0].to_string();
    (out, message)
}

const FUEL_MESSAGE: &str = "[sub-model error] model-written code ran out of fuel: more than 100000 procedure calls (--sub-fuel)";
const MEMORY_MESSAGE: &str = "[sub-model error] model-written code went over its memory limit of 16 MB (--sub-memory)";

#[test]
fn an_infinite_loop_runs_out_of_fuel_whatever_handlers_it_sets_up() {
    let flags = ["--sub-fuel", "100000"];
    for code in [
        "(let loop () (loop))",
        "(define (f) (g)) (define (g) (f)) (f)",
        "(with-handlers ([(lambda (e) #t) (lambda (e) 'caught)]) (let loop () (loop)))",
        "(let retry () (with-handlers ([(lambda (e) #t) (lambda (e) (retry))]) (let loop () (loop))))",
        "(dynamic-wind void (lambda () (let loop () (loop))) (lambda () (let loop () (loop))))",
        "(call/ec (lambda (k) (with-handlers ([(lambda (e) #t) k]) (let loop () (loop)))))",
        "(for-each (lambda (x) x) (build-list 1000000 (lambda (i) i)))",
    ] {
        let (out, message) = limited(&flags, code);
        assert_eq!(message, FUEL_MESSAGE, "{code}");
        assert!(out.elapsed < Duration::from_secs(10), "{code}: {:?}", out.elapsed);
    }
}

#[test]
fn fuel_is_per_sandbox_and_enough_fuel_finishes() {
    let out = run_tmp(
        &["--sub-fuel", "5000"],
        r#"
(define code "(let loop ([i 0]) (if (< i 4000) (loop (+ i 1)) i))")
(displayln (attempt code))
(displayln (attempt code))
(displayln (attempt "(let loop ([i 0]) (if (< i 6000) (loop (+ i 1)) i))"))
"#,
    );
    out.ok();
    assert_eq!(out.lines(), ["4000", "4000", "[sub-model error] model-written code ran out of fuel: more than 5000 procedure calls (--sub-fuel)"]);
}

#[test]
fn allocating_without_bound_goes_over_the_memory_limit() {
    let flags = ["--sub-memory", "16", "--sub-fuel", "100000000"];
    for code in [
        "(let loop ([s \"x\"]) (loop (string-append s s)))",
        "(let loop ([l '()]) (loop (cons 1 l)))",
        "(with-handlers ([(lambda (e) #t) (lambda (e) 'caught)]) (let loop ([v (vector)]) (loop (vector-append v v (vector 1)))))",
        "(define h (make-hash)) (let loop ([i 0]) (hash-set! h i (number->string i)) (loop (+ i 1)))",
    ] {
        let (_, message) = limited(&flags, code);
        assert_eq!(message, MEMORY_MESSAGE, "{code}");
    }
}

/// One call that asks for a huge object at once must be refused before it is made: no
/// procedure call happens between the request and the next check.
#[test]
fn one_huge_allocation_is_refused_up_front() {
    let flags = ["--sub-memory", "16"];
    for (code, who) in [
        ("(string-length (make-string 100000000 #\\a))", "make-string"),
        ("(vector-length (make-vector 20000000 0))", "make-vector"),
        ("(length (make-list 5000000 0))", "make-list"),
        ("(length (range 5000000))", "range"),
        ("(length (inclusive-range 1 5000000))", "inclusive-range"),
        ("(length (build-list 5000000 values))", "build-list"),
        ("(vector-length (build-vector 20000000 values))", "build-vector"),
        ("(string-length (build-string 100000000 (lambda (i) #\\a)))", "build-string"),
        ("(length (range 0 +inf.0))", "range"),
    ] {
        let (_, message) = limited(&flags, code);
        assert_eq!(
            message,
            format!("[sub-model error] {who}: model-written code went over its memory limit of 16 MB (--sub-memory)"),
            "{code}"
        );
    }
}

#[test]
fn deep_recursion_is_reported_and_the_parent_goes_on() {
    let (_, message) = limited(&["--sub-fuel", "100000000"], "(define (f n) (+ 1 (f (+ n 1)))) (f 0)");
    assert_eq!(
        message,
        "[sub-model error] recursion too deep: the evaluation stack is exhausted (is a recursion missing its base case?)"
    );
}

#[test]
fn running_past_the_time_limit_is_stopped() {
    let message = "[sub-model error] model-written code ran longer than its time limit of 1 s (--sub-timeout)";
    for code in [
        "(sleep 30)",
        "(with-handlers ([(lambda (e) #t) (lambda (e) 'caught)]) (sleep 30))",
        "(let loop () (sleep 0.05) (loop))",
    ] {
        let (out, got) = limited(&["--sub-timeout", "1"], code);
        assert_eq!(got, message, "{code}");
        assert!(out.elapsed >= Duration::from_millis(900) && out.elapsed < Duration::from_secs(8), "{code}: {:?}", out.elapsed);
    }
}

#[test]
fn an_uncaught_sub_model_error_ends_the_program_with_the_message() {
    let out = run_tmp(&["--sub-fuel", "1000"], "(displayln \"before\")\n(unsafe-exec-sub-output \"(let loop () (loop))\")\n(displayln \"after\")");
    out.failed(1);
    assert_eq!(out.stdout, "before\n");
    assert!(out.stderr.contains("[sub-model error] model-written code ran out of fuel: more than 1000"), "{}", out.stderr);
}

#[test]
fn sandboxes_nest_up_to_max_depth() {
    // Each level runs the next one's code; the innermost returns its depth.
    fn nested(levels: usize) -> String {
        let mut code = "'innermost".to_string();
        for _ in 1..levels {
            code = format!("(unsafe-exec-sub-output {code:?})");
        }
        code
    }
    let program = format!(
        "(displayln (attempt {:?}))\n(displayln (attempt {:?}))\n",
        nested(3),
        nested(4)
    );
    let out = run_tmp(&[], &program);
    out.ok();
    let lines = out.lines();
    assert_eq!(lines[0], "innermost");
    assert!(lines[1].starts_with("[sub-model error] model-written code:1:1: [sub-model error]"), "{}", lines[1]);
    assert!(lines[1].ends_with("[sub-model error] sandboxes may nest 3 deep (--max-depth); this program would be at depth 4"), "{}", lines[1]);

    let out = run_tmp(&["--max-depth", "1"], &program);
    out.ok();
    assert!(out.lines()[0].ends_with("[sub-model error] sandboxes may nest 1 deep (--max-depth); this program would be at depth 2"), "{}", out.stdout);
    let out = run_tmp(&["--max-depth", "0"], "(displayln (attempt \"1\"))");
    out.ok();
    assert_eq!(out.stdout, "[sub-model error] sandboxes may nest 0 deep (--max-depth); this program would be at depth 1\n");
}

#[test]
fn ctrl_c_in_a_sandbox_is_a_break_that_fail_handlers_do_not_catch() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prog.scm"),
        r#"
(with-handlers ([exn:fail? (lambda (e) (displayln "caught as a failure"))])
  (unsafe-exec-sub-output "(displayln \"looping\") (flush-output) (with-handlers ([exn:fail? (lambda (e) 'swallowed)]) (let loop () (loop)))"))
(displayln "after")
"#,
    )
    .unwrap();
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.args(["run", "--sub-fuel", "1000000000000", "prog.scm"]).current_dir(dir.path());
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if seen.ends_with(b"looping\n") {
                let _ = tx.send(());
            }
        }
        seen
    });
    if rx.recv_timeout(Duration::from_secs(20)).is_err() {
        let _ = child.kill();
        panic!("the sandbox never started looping");
    }
    let sent = Instant::now();
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    let printed = reader.join().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(5));
    assert_eq!(status.code(), Some(130));
    assert_eq!(String::from_utf8_lossy(&printed), "looping\n");
}

// ---------------------------------------------------------------------------------------------
// llm-query #:recursive with the offline model

#[test]
fn recursive_offline_runs_the_models_program_and_traces_its_calls() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &["--offline", "--trace", "trace.jsonl", "--audit", "audit.jsonl"],
        r#"
(define r (llm-query #:instruction "Count the items" #:data "a\nb\nc" #:recursive #t))
(displayln (syntax? r))
(define answer (syntax-e r))
(displayln answer)
(define direct (unsafe-raw-query #:instruction "Answer the task from this text." #:data "a\nb\nc"))
(displayln (equal? answer (string-append direct " (from 3 lines)")))
(define raw (unsafe-raw-query #:instruction "Count the items" #:data "a\nb\nc" #:recursive #t))
(displayln (list (string? raw) (equal? raw answer)))
(displayln (hash-ref (tokens-used) 'calls))
(displayln (with-handlers ([exn:fail? exn-message]) (llm-query-async #:data "x" #:recursive #t)))
(displayln (syntax-e (await (llm-query-async #:data "x" #:recursive #f))))
"#,
    );
    out.ok();
    let lines = out.lines();
    assert_eq!(lines[0], "#t");
    assert!(lines[1].starts_with("offline:gpt-4o-mini:") && lines[1].ends_with(" (from 3 lines)"), "{}", lines[1]);
    assert_eq!(lines[2..6], ["#t", "(#t #t)", "5", "llm-query-async: #:recursive is not supported with async calls; use llm-query with #:recursive #t"]);
    assert!(lines[6].starts_with("offline:gpt-4o-mini:"));

    let trace = json_lines(&dir.path().join("trace.jsonl"));
    let lineage: Vec<(u64, Json, u64)> =
        trace.iter().map(|l| (l["id"].as_u64().unwrap(), l["parent"].clone(), l["depth"].as_u64().unwrap())).collect();
    assert_eq!(
        lineage,
        [
            (1, Json::Null, 0),
            (2, Json::from(1), 1),
            (3, Json::Null, 0),
            (4, Json::Null, 0),
            (5, Json::from(4), 1),
            (6, Json::Null, 0),
        ]
    );
    assert!(trace.iter().all(|l| l["status"] == "ok"));

    let audit = json_lines(&dir.path().join("audit.jsonl"));
    let events: Vec<(&str, u64, &str)> =
        audit.iter().map(|l| (l["event"].as_str().unwrap(), l["depth"].as_u64().unwrap(), l["detail"].as_str().unwrap())).collect();
    let inner_answer = lines[1].trim_end_matches(" (from 3 lines)");
    assert_eq!(
        events,
        [
            ("llm-query", 0, "gpt-4o-mini"),
            ("llm-query", 1, "gpt-4o-mini"),
            ("syntax-e", 1, inner_answer),
            ("syntax-e", 0, lines[1]),
            ("unsafe-raw-query", 0, "gpt-4o-mini"),
            ("unsafe-raw-query", 0, "gpt-4o-mini"),
            ("llm-query", 1, "gpt-4o-mini"),
            ("syntax-e", 1, inner_answer),
            ("llm-query-async", 0, "gpt-4o-mini"),
            ("syntax-e", 0, lines[6]),
        ]
    );
}

#[test]
fn recursive_calls_count_against_the_callers_token_budget() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &["--offline", "--trace", "trace.jsonl"],
        r#"
(define message
  (parameterize ([token-budget 10])
    (with-handlers ([exn:fail? exn-message])
      (llm-query #:instruction "Count" #:data "x\ny" #:recursive #t))))
(displayln (first-line message))
(displayln (hash-ref (tokens-used) 'calls))
(define parent-budget
  (parameterize ([token-budget 5])
    (llm-query #:data "spend the budget")
    (with-handlers ([exn:fail? exn-message])
      (unsafe-exec-sub-output "(llm-query #:data \"inside\")"))))
(displayln (first-line parent-budget))
(token-budget 1)
(llm-query #:data "x" #:recursive #t)
(displayln "not reached")
"#,
    );
    out.failed(3);
    let lines = out.lines();
    assert!(lines[0].starts_with("llm-query: token budget exceeded: ") && lines[0].ends_with(" of a budget of 10"), "{}", lines[0]);
    assert_eq!(lines[1], "1");
    assert!(lines[2].starts_with("llm-query: token budget exceeded: ") && lines[2].ends_with(" of a budget of 5"), "{}", lines[2]);
    assert_eq!(lines.len(), 3);
    assert!(out.stderr.contains("token budget exceeded") && !out.stderr.contains("[sub-model error]"), "{}", out.stderr);
    // The refused calls were never made.
    assert_eq!(json_lines(&dir.path().join("trace.jsonl")).len(), 3);
}

// ---------------------------------------------------------------------------------------------
// llm-query #:recursive against a loopback model

#[test]
fn the_models_fenced_program_runs_over_the_data() {
    let server = MockServer::always(Reply::openai(
        "I will count the words.\n```python\nprint('not this one')\n```\n```racket\n(define words (string-split context))\n(displayln \"counting\")\n(finish (format \"~a words, first ~a\" (length words) (car words)))\n```\nThat is all.",
        100,
        20,
    ));
    let dir = tempfile::tempdir().unwrap();
    let long = "word ".repeat(2000);
    let out = run_against(
        &server,
        dir.path(),
        &[],
        &format!(
            r#"
(define r (llm-query #:instruction "Count the words" #:data "one two three four" #:recursive #t))
(displayln (syntax? r))
(displayln (syntax-e r))
(displayln (unsafe-raw-query #:data {long:?} #:recursive #t))
(displayln (hash-ref (tokens-used) 'total_tokens))
"#
        ),
    );
    out.ok();
    assert_eq!(out.lines(), ["counting", "#t", "4 words, first one", "counting", "2000 words, first word", "240"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let system = system_text(&requests[0]);
    assert_eq!(system, format!("{}\n## Your task\nCount the words\n", guide()));
    assert_eq!(requests[0].openai_user_text(), "`context` holds these 18 characters:\none two three four");
    let preview = requests[1].openai_user_text();
    assert!(preview.starts_with("`context` holds 10000 characters; the first 4000:\nword word"), "{}", &preview[..80]);
    assert!(preview.len() < 4200, "the whole data was sent: {} bytes", preview.len());
    assert!(system_text(&requests[1]).ends_with("## Your task\nAnswer from the data in `context`.\n"));
}

#[test]
fn a_broken_program_is_a_catchable_sub_model_error() {
    let server = MockServer::start(|r| {
        let answer = match r.openai_user_text().as_str() {
            t if t.ends_with("unbalanced") => "```racket\n(define (f x) (+ x\n```",
            t if t.ends_with("runtime") => "```scheme\n(finish (+ 1 context))\n```",
            t if t.ends_with("file") => "(finish (file->string \"/etc/passwd\"))",
            _ => "```\n(finish (string-upcase context))\n```",
        };
        Reply::openai(answer, 1, 1)
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run_against(
        &server,
        dir.path(),
        &[],
        r#"
(define (ask data)
  (with-handlers ([exn:fail? (lambda (e) (first-line (exn-message e)))])
    (syntax-e (llm-query #:instruction "Do it" #:data data #:recursive #t))))
(displayln (ask "unbalanced"))
(displayln (ask "runtime"))
(displayln (ask "file"))
(displayln (ask "fine"))
(llm-query #:data "runtime" #:recursive #t)
(displayln "not reached")
"#,
    );
    out.failed(1);
    assert_eq!(
        out.lines(),
        [
            "[sub-model error] model-written code:1:15: read-syntax: expected a `)` to close `(`",
            "[sub-model error] model-written code:1:9: +: contract violation",
            "[sub-model error] file->string: not available to model-written code (the sandbox has no file, process or Python access)",
            "FINE",
        ]
    );
    assert!(out.stderr.contains("[sub-model error]"), "{}", out.stderr);
    assert_eq!(server.request_count(), 5);
}

/// The model answers a recursive call with a program that asks a model itself; that call is
/// traced as its child and counts in the run's totals.
#[test]
fn a_nested_program_can_ask_a_model_itself() {
    let server = MockServer::start(|r| {
        if is_recursive(r) {
            Reply::openai(
                "```racket\n(define summary (syntax-e (llm-query #:instruction \"Summarise\" #:data context)))\n(finish (string-append \"sub says: \" summary))\n```",
                100,
                10,
            )
        } else {
            Reply::openai(&format!("summary of [{}]", r.openai_user_text()), 7, 3)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run_against(
        &server,
        dir.path(),
        &["--trace", "trace.jsonl", "--audit", "audit.jsonl"],
        r#"
(displayln (syntax-e (llm-query #:instruction "Find the gist" #:data "the data" #:recursive #t)))
(define t (tokens-used))
(displayln (list (hash-ref t 'calls) (hash-ref t 'prompt_tokens) (hash-ref t 'completion_tokens)))
"#,
    );
    out.ok();
    assert_eq!(out.lines(), ["sub says: summary of [the data]", "(2 107 13)"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(system_text(&requests[0]).starts_with(&guide()));
    assert!(system_text(&requests[0]).contains("Find the gist"));
    assert_eq!(system_text(&requests[1]), "Summarise");
    assert_eq!(requests[1].openai_user_text(), "the data");
    let trace = json_lines(&dir.path().join("trace.jsonl"));
    // A call's line is written when it ends, so the outer call's line comes last.
    let mut lineage: Vec<(Json, Json, Json)> = trace.iter().map(|l| (l["id"].clone(), l["parent"].clone(), l["depth"].clone())).collect();
    lineage.sort_by_key(|(id, _, _)| id.as_u64());
    assert_eq!(lineage, [(1.into(), Json::Null, 0.into()), (2.into(), 1.into(), 1.into())]);
    let audit = json_lines(&dir.path().join("audit.jsonl"));
    let events: Vec<(&str, u64)> = audit.iter().map(|l| (l["event"].as_str().unwrap(), l["depth"].as_u64().unwrap())).collect();
    assert_eq!(events, [("llm-query", 0), ("llm-query", 1), ("syntax-e", 1), ("syntax-e", 0)]);
}

#[test]
fn recursion_inside_recursion_is_traced_two_deep_and_bounded_by_max_depth() {
    let handler = |r: &Recorded| {
        let user = r.openai_user_text();
        let answer = if !is_recursive(r) {
            format!("leaf for {}", user.trim())
        } else if user.contains("LEVEL1") {
            "```racket\n(finish (syntax-e (llm-query #:instruction \"go deeper\" #:data \"LEVEL2\" #:recursive #t)))\n```".to_string()
        } else {
            "```racket\n(finish (string-append \"level 2 got: \" (syntax-e (llm-query #:data context))))\n```".to_string()
        };
        Reply::openai(&answer, 1, 1)
    };
    let program = r#"(displayln (with-handlers ([exn:fail? (lambda (e) (first-line (exn-message e)))]) (syntax-e (llm-query #:data "LEVEL1" #:recursive #t))))"#;

    let server = MockServer::start(handler);
    let dir = tempfile::tempdir().unwrap();
    let out = run_against(&server, dir.path(), &["--trace", "trace.jsonl"], program);
    out.ok();
    assert_eq!(out.stdout, "level 2 got: leaf for LEVEL2\n");
    let mut lineage: Vec<(Json, Json, Json)> =
        json_lines(&dir.path().join("trace.jsonl")).iter().map(|l| (l["id"].clone(), l["parent"].clone(), l["depth"].clone())).collect();
    lineage.sort_by_key(|(id, _, _)| id.as_u64());
    assert_eq!(lineage, [(1.into(), Json::Null, 0.into()), (2.into(), 1.into(), 1.into()), (3.into(), 2.into(), 2.into())]);

    let server = MockServer::start(handler);
    let out = run_against(&server, dir.path(), &["--max-depth", "1"], program);
    out.ok();
    assert_eq!(
        out.stdout,
        "[sub-model error] model-written code:1:19: [sub-model error] sandboxes may nest 1 deep (--max-depth); this program would be at depth 2\n"
    );
    assert_eq!(server.request_count(), 1, "a recursive call too deep to run its program is refused before it is sent");
}

#[test]
fn waiting_for_a_slow_model_counts_against_the_time_limit() {
    let server = MockServer::start(|r| {
        if is_recursive(r) {
            Reply::openai("```racket\n(finish (syntax-e (llm-query #:data context)))\n```", 1, 1)
        } else {
            Reply::openai("too late", 1, 1).after(Duration::from_secs(20))
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run_against(
        &server,
        dir.path(),
        &["--sub-timeout", "1"],
        r#"
(displayln (with-handlers ([exn:fail? (lambda (e) (first-line (exn-message e)))]) (llm-query #:data "slow" #:recursive #t)))
(displayln "after")
"#,
    );
    out.ok();
    assert_eq!(out.lines(), ["[sub-model error] model-written code ran longer than its time limit of 1 s (--sub-timeout)", "after"]);
    assert!(out.elapsed < Duration::from_secs(10), "{:?}", out.elapsed);
}

#[test]
fn a_token_budget_covers_the_calls_of_the_sandbox() {
    let server = MockServer::start(|r| {
        if is_recursive(r) {
            Reply::openai(
                "```racket\n(define a (syntax-e (llm-query #:data \"first\")))\n(define b (syntax-e (llm-query #:data \"second\")))\n(finish (list a b))\n```",
                60,
                40,
            )
        } else {
            Reply::openai("inner", 60, 40)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run_against(
        &server,
        dir.path(),
        &[],
        r#"
(displayln
  (parameterize ([token-budget 150])
    (with-handlers ([exn:fail? exn-message])
      (llm-query #:data "x" #:recursive #t))))
(displayln (syntax-e (llm-query #:data "x" #:recursive #t)))
"#,
    );
    out.ok();
    assert_eq!(out.lines(), ["llm-query: token budget exceeded: 200 tokens used of a budget of 150", "(inner inner)"]);
    assert_eq!(server.request_count(), 5, "the refused call was never sent");
}

// ---------------------------------------------------------------------------------------------
// The audit log

#[test]
fn the_audit_log_records_unwraps_unsafe_primitives_and_python_calls() {
    let dir = tempfile::tempdir().unwrap();
    let program = r#"
(define s (datum->syntax #f "wrapped text"))
(unsafe-interpolate s)
(syntax-e s)
(syntax-e "a plain string is not unwrapped")
(unsafe-overwrite 'tokens-used 0)
(unsafe-exec-sub-output (string-append "(string-length \"" (make-string 300 #\x) "\")"))
(unsafe-exec-sub-output "(syntax-e (datum->syntax #f 'inner))")
(py-exec "x = 1")
(py-eval "x")
(py-set! 'y 2)
(py-call "len" "abc")
"#;
    run(dir.path(), &["--audit", "audit.jsonl"], program).ok();
    let audit = json_lines(&dir.path().join("audit.jsonl"));
    let events: Vec<(&str, u64, &str)> =
        audit.iter().map(|l| (l["event"].as_str().unwrap(), l["depth"].as_u64().unwrap(), l["detail"].as_str().unwrap())).collect();
    let long_code = format!("(string-length \"{}\")", "x".repeat(300));
    let shown = format!("{}... (318 characters)", &long_code[..200]);
    assert_eq!(long_code.len(), 318);
    assert_eq!(
        events,
        [
            ("datum->syntax", 0, "wrapped text"),
            ("unsafe-interpolate", 0, "wrapped text"),
            ("syntax-e", 0, "wrapped text"),
            ("unsafe-overwrite", 0, "tokens-used = 0"),
            ("unsafe-exec-sub-output", 0, shown.as_str()),
            ("unsafe-exec-sub-output", 0, "(syntax-e (datum->syntax #f 'inner))"),
            ("datum->syntax", 1, "inner"),
            ("syntax-e", 1, "inner"),
            ("py-exec", 0, "x = 1"),
            ("py-eval", 0, "x"),
            ("py-set!", 0, "y"),
            ("py-call", 0, "len"),
        ]
    );
    let times: Vec<f64> = audit.iter().map(|l| l["ms"].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    for line in &audit {
        assert_eq!(line.as_object().unwrap().len(), 4, "{line}");
    }

    // A second run appends.
    run(dir.path(), &["--audit", "audit.jsonl"], program).ok();
    assert_eq!(json_lines(&dir.path().join("audit.jsonl")).len(), 2 * events.len());

    let out = run(dir.path(), &["--audit", "no-such-dir/audit.jsonl"], "(displayln 1)");
    assert_ne!(out.code, Some(0));
    assert!(out.stderr.contains("--audit no-such-dir/audit.jsonl"), "{}", out.stderr);
}

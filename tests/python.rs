//! End-to-end tests of the Python bridge through the `rlmsh` binary: `--input` line sequences,
//! `--context`, flag errors, uncaught Python errors, where Python's output goes, Ctrl-C during
//! Python code, and packages installed for `python3`. The primitives themselves are tested by
//! `tests/rlmsh/python-*.scm`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The package the pip test expects in `python3`'s own site-packages, and how to install it
/// (`.ci/run` runs the same line).
const PIP_PACKAGE: &str = "tomli_w";
const PIP_INSTALL: &str = "python3 -m pip install --quiet --disable-pip-version-check tomli-w==1.2.0";

fn rlmsh() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rlmsh"))
}

/// A directory of its own for one test, removed when the test ends (one test writes 75 MB).
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("rlmsh-python-test-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `rlmsh run <args...>` with `stdin` piped in.
fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = rlmsh()
        .arg("run")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rlmsh");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    let input = stdin.to_vec();
    // A writer thread: the child may print before it reads everything.
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let output = child.wait_with_output().expect("wait for rlmsh");
    writer.join().expect("stdin writer").expect("write stdin");
    output
}

/// `rlmsh run <args...>` with nothing on stdin.
fn run(args: &[&str]) -> Output {
    rlmsh().arg("run").args(args).stdin(Stdio::null()).output().expect("run rlmsh")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Runs `script` (written to `dir`) with `flags` before it; asserts it succeeds and returns its
/// stdout.
fn run_ok(dir: &TempDir, flags: &[&str], script: &str) -> String {
    let path = dir.write("script.scm", script);
    let mut args = flags.to_vec();
    args.push(arg(&path));
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    stdout(&o)
}

/// A script that writes the value of each Python expression on a line of its own.
fn show_each(expressions: &[&str]) -> String {
    expressions
        .iter()
        .map(|e| format!("(write (py-eval {e:?})) (newline)\n"))
        .collect()
}

#[test]
fn input_lines_support_len_indexing_slicing_iteration_and_in() {
    let dir = TempDir::new("input-basics");
    // CRLF and LF lines mixed, invalid UTF-8, and no final newline.
    let data = dir.write("data.txt", b"one\ntwo\r\nthree\nfo\xffur\nfive".as_slice());
    let script = show_each(&[
        "len(lines)",
        "lines[0], lines[1], lines[3], lines[4]",
        "lines[-1], lines[-5]",
        "lines[1:3]",
        "lines[3:100]",
        "lines[100:]",
        "lines[-2:]",
        "lines[::2]",
        "lines[::-2]",
        "lines[4:0:-3]",
        "type(lines[0:1]).__name__",
        "list(lines)",
        "[l for l in lines if l.startswith('t')]",
        "'two' in lines, 'tw' in lines, 'two\\r' in lines, 5 in lines",
        "sum(1 for _ in lines), sum(1 for _ in lines)",
    ]);
    let out = run_ok(&dir, &["--input", &format!("lines={}", arg(&data))], &script);
    assert_eq!(
        out,
        "5\n\
         (\"one\" \"two\" \"fo\u{FFFD}ur\" \"five\")\n\
         (\"five\" \"one\")\n\
         (\"two\" \"three\")\n\
         (\"fo\u{FFFD}ur\" \"five\")\n\
         ()\n\
         (\"fo\u{FFFD}ur\" \"five\")\n\
         (\"one\" \"three\" \"five\")\n\
         (\"five\" \"three\" \"one\")\n\
         (\"five\" \"two\")\n\
         \"list\"\n\
         (\"one\" \"two\" \"three\" \"fo\u{FFFD}ur\" \"five\")\n\
         (\"two\" \"three\")\n\
         (#t #f #f #f)\n\
         (5 5)\n"
    );
}

#[test]
fn input_lines_errors_are_python_exceptions() {
    let dir = TempDir::new("input-errors");
    let data = dir.write("data.txt", "a\nb\n");
    let script = r#"
(define (try code) (with-handlers ([exn:fail? (lambda (e) (displayln (car (string-split (exn-message e) "\n"))))]) (py-eval code)))
(try "lines[2]")
(try "lines[-3]")
(try "lines[10**30]")
(try "lines['a']")
(try "lines.append('c')")
(py-exec "lines[0] = 'c'")
"#;
    let path = dir.write("script.scm", script);
    let o = run(&["--input", &format!("lines={}", arg(&data)), arg(&path)]);
    assert_eq!(
        stdout(&o),
        "py-eval: Python raised IndexError: line index out of range\n\
         py-eval: Python raised IndexError: line index out of range\n\
         py-eval: Python raised IndexError: line index out of range\n\
         py-eval: Python raised TypeError: line indices must be integers or slices, not str\n\
         py-eval: Python raised AttributeError: 'rlmsh.Lines' object has no attribute 'append'\n"
    );
    // The sequence is read-only: assigning to it is an uncaught error.
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does not support item assignment"), "{}", stderr(&o));
}

/// Compares every line, every negative index and random slices (with steps) of `--input` against
/// Python's own reading of the same file. The sizes straddle the sparse index's marks (one per
/// 1000 lines), with and without a final newline.
#[test]
fn input_lines_agree_with_python_across_index_marks() {
    let dir = TempDir::new("input-marks");
    let script = r#"
(py-set! "path" (vector-ref (current-command-line-arguments) 0))
(write (py-eval "
    import random
    with open(path, 'rb') as f:
        expected = f.read().decode('utf-8', 'replace').split('\\n')
    if expected[-1] == '':
        expected.pop()
    expected = [l[:-1] if l.endswith('\\r') else l for l in expected]
    n = len(expected)
    wrong = []
    if len(lines) != n:
        wrong.append(('len', len(lines)))
    wrong += [i for i in range(-n, n) if lines[i] != expected[i]]
    rng = random.Random(1)
    for _ in range(2000):
        a, b = rng.randint(-n - 3, n + 3), rng.randint(-n - 3, n + 3)
        step = rng.choice([None, 1, 2, 7, -1, -3, 999, 1000, 1001])
        if lines[a:b:step] != expected[a:b:step]:
            wrong.append((a, b, step))
    if list(lines) != expected:
        wrong.append('iteration')
    wrong[:5]
"))
"#;
    let path = dir.write("script.scm", script);
    for count in [0, 1, 999, 1000, 1001, 1999, 2000, 2001, 3500] {
        for final_newline in [true, false] {
            // Every seventh line ends in CRLF, and line lengths vary.
            let mut text: String = (0..count)
                .map(|i| format!("line {i} {}{}", "x".repeat(i % 13), if i % 7 == 0 { "\r" } else { "" }))
                .collect::<Vec<_>>()
                .join("\n");
            if final_newline && count > 0 {
                text.push('\n');
            }
            let data = dir.write("data.txt", text);
            let o = run(&["--input", &format!("lines={}", arg(&data)), arg(&path), arg(&data)]);
            assert_eq!(
                (stdout(&o).as_str(), o.status.code()),
                ("()", Some(0)),
                "{count} lines, final newline: {final_newline}\nstderr: {}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn input_of_an_empty_file_is_an_empty_sequence() {
    let dir = TempDir::new("input-empty");
    let data = dir.write("empty.txt", "");
    let script = show_each(&["len(lines), lines[:], list(lines), bool(lines), '' in lines"]);
    let out = run_ok(&dir, &["--input", &format!("lines={}", arg(&data))], &script);
    assert_eq!(out, "(0 () () #f #f)\n");
}

#[test]
fn input_handles_a_10_mb_line() {
    let dir = TempDir::new("input-long-line");
    let mut text = "ab".repeat(5_000_000);
    text.push_str("\nshort\n");
    let data = dir.write("long.txt", text);
    let script = show_each(&["len(lines), len(lines[0]), lines[0][-3:], lines[1], lines[0] == 'ab' * 5_000_000"]);
    let out = run_ok(&dir, &["--input", &format!("lines={}", arg(&data))], &script);
    assert_eq!(out, "(2 10000000 \"bab\" \"short\" #t)\n");
}

#[test]
fn several_inputs_and_hyphenated_names() {
    let dir = TempDir::new("input-several");
    let a = dir.write("a.txt", "a1\na2\n");
    let b = dir.write("b.txt", "b1\n");
    let script = show_each(&["log_lines[1], other[0], len(log_lines) + len(other)"]);
    let flags = ["--input", &format!("log-lines={}", arg(&a)), "--input", &format!("other={}", arg(&b))];
    assert_eq!(run_ok(&dir, &flags, &script), "(\"a2\" \"b1\" 3)\n");
}

#[test]
fn input_from_stdin_is_an_iterator_over_its_lines() {
    let dir = TempDir::new("input-stdin");
    let script = dir.write(
        "script.scm",
        r#"(write (py-eval "next(src)")) (newline)
(write (py-eval "[l.upper() for l in src]")) (newline)
(write (py-eval "list(src)")) (newline)
(display (with-handlers ([exn:fail? (lambda (e) (car (string-split (exn-message e) "\n")))]) (py-eval "len(src)")))
"#,
    );
    let o = run_with_stdin(&["--input", "src=-", arg(&script)], b"first\nb\r\n\xffc\nlast");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "\"first\"\n(\"B\" \"\u{FFFD}C\" \"LAST\")\n()\n\
         py-eval: Python raised TypeError: object of type 'rlmsh.LineIterator' has no len()"
    );
}

/// Slicing through a 1,000,000-line (75 MB) file chunk by chunk must not load the file: the
/// process's peak resident memory stays far below the file's size.
#[test]
fn slicing_a_large_input_keeps_memory_small() {
    let dir = TempDir::new("input-memory");
    let path = dir.0.join("big.txt");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create big file"));
        let filler = "x".repeat(66);
        for i in 0..1_000_000 {
            writeln!(out, "{i:07} {filler}").expect("write big file");
        }
        out.flush().expect("flush big file");
    }
    assert_eq!(std::fs::metadata(&path).expect("big file").len(), 75_000_000);
    // The peak is read by the process itself once the work is done: VmHWM is its high-water
    // mark of resident memory, in kB.
    let script = r#"
(write (py-eval "
    count = 0
    for start in range(0, len(logs), 1000):
        chunk = logs[start:start + 1000]
        assert chunk[0] == '%07d ' % start + 'x' * 66, (start, chunk[0])
        count += len(chunk)
    (count, logs[-1][:7], logs[123456][:7], len(logs[999000:][::-1]))
"))
(newline)
(write (py-eval "
    with open('/proc/self/status') as status:
        peak_kb = next(int(l.split()[1]) for l in status if l.startswith('VmHWM:'))
    peak_kb
"))
"#;
    let out = run_ok(&dir, &["--input", &format!("logs={}", arg(&path))], script);
    let (result, peak) = out.split_once('\n').expect("two lines of output");
    assert_eq!(result, "(1000000 \"0999999\" \"0123456\" 1000)");
    let peak_kb: u64 = peak.parse().expect("peak memory in kB");
    assert!(peak_kb < 40_000, "peak resident memory {peak_kb} kB for a 75 MB file");
}

#[test]
fn context_comes_from_a_file_or_stdin_and_defaults_to_empty() {
    let dir = TempDir::new("context");
    let context = dir.write("context.txt", "line one\nλ \u{1F600}\n");
    let script = "(write context) (newline) (write (py-eval \"context\")) (newline)";
    let expected = "\"line one\\nλ \u{1F600}\\n\"\n\"line one\\nλ \u{1F600}\\n\"\n";
    assert_eq!(run_ok(&dir, &["--context", arg(&context)], script), expected);

    let path = dir.write("script.scm", script);
    let o = run_with_stdin(&["--context", "-", arg(&path)], "line one\nλ \u{1F600}\n".as_bytes());
    assert_eq!((stdout(&o).as_str(), o.status.code()), (expected, Some(0)), "stderr: {}", stderr(&o));

    assert_eq!(run_ok(&dir, &[], script), "\"\"\n\"\"\n");
}

#[test]
fn flags_may_follow_the_script_and_program_arguments_follow_a_double_dash() {
    let dir = TempDir::new("flag-order");
    let context = dir.write("context.txt", "ctx");
    let script = dir.write(
        "script.scm",
        "(write (list context (py-eval \"context\") (current-command-line-arguments)))",
    );
    let o = run(&[arg(&script), "--context", arg(&context), "--", "--context", "-x"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "(\"ctx\" \"ctx\" #(\"--context\" \"-x\"))");
}

/// Checks that `args` fail with `code` before running anything, with a message containing each
/// of `expected`.
fn assert_flag_error(args: &[&str], stdin: &[u8], code: i32, expected: &[&str]) {
    let o = run_with_stdin(args, stdin);
    assert_eq!(o.status.code(), Some(code), "{args:?}: stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "", "{args:?} ran the program");
    for part in expected {
        assert!(stderr(&o).contains(part), "{args:?}: {part:?} missing from {}", stderr(&o));
    }
}

#[test]
fn bad_flags_are_usage_errors_naming_the_flag() {
    let dir = TempDir::new("flag-errors");
    let script = dir.write("script.scm", "(display \"ran\")");
    let data = dir.write("data.txt", "x\n");
    let (script, data) = (arg(&script), arg(&data));
    let input = |spec: &str| format!("--input {spec}");
    for name in ["class", "1x", "a b", "", "None"] {
        let spec = format!("{name}={data}");
        assert_flag_error(&["--input", &spec, script], b"", 2, &[&input(&spec), "not a valid Python identifier"]);
    }
    assert_flag_error(&["--input", "no-equals", script], b"", 2, &[&input("no-equals"), "NAME=PATH"]);
    // Standard input can serve only one of the program, an input and the context.
    assert_flag_error(
        &["--input", "a=-", "--input", "b=-", script],
        b"",
        2,
        &["--input b=-: standard input is already read by --input a=-"],
    );
    assert_flag_error(
        &["--input", "a=-", "--context", "-", script],
        b"",
        2,
        &["--context -: standard input is already read by --input a=-"],
    );
    assert_flag_error(
        &["--input", "a=-", "-"],
        b"(display \"ran\")",
        2,
        &["--input a=-: standard input is already read by the program"],
    );
    // Unreadable files are reported before the program runs.
    assert_flag_error(
        &["--input", "a=/nonexistent/in.txt", script],
        b"",
        66,
        &["--input a=/nonexistent/in.txt", "/nonexistent/in.txt"],
    );
    assert_flag_error(&["--context", "/nonexistent/ctx.txt", script], b"", 66, &["--context /nonexistent/ctx.txt"]);
}

#[test]
fn uncaught_python_exception_reports_its_location_and_exits_1() {
    let dir = TempDir::new("uncaught");
    let script = dir.write(
        "fail.scm",
        "(display \"before\")\n(define (lookup)\n  (py-eval \"{}['missing']\"))\n(lookup)\n(display \"after\")\n",
    );
    let o = run(&[arg(&script)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "before");
    let err = stderr(&o);
    assert!(
        err.contains("fail.scm:3:3: py-eval: Python raised KeyError: 'missing'"),
        "{err}"
    );
    assert!(err.contains("File \"<py-eval #1>\", line 1, in <module>"), "{err}");
    assert!(err.contains("lookup at"), "call chain missing: {err}");
}

#[test]
fn python_prints_are_captured_and_stderr_passes_through() {
    let dir = TempDir::new("streams");
    let script = dir.write(
        "streams.scm",
        r#"(define printed (py-exec "print('captured')"))
(py-exec "print('dropped: py-exec returns it')")
(py-exec "import sys\nprint('to stderr', file=sys.stderr)\nsys.stderr.flush()")
(py-call "print" "via py-call")
(write printed)
"#,
    );
    let o = run(&[arg(&script)]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "via py-call\n\"captured\\n\"");
    assert_eq!(stderr(&o), "to stderr\n");
}

/// A pure-Scheme program never starts CPython. With PYTHONHOME pointing nowhere, starting it is
/// fatal, so a program that succeeds there did not start it (the second run shows that starting
/// it does fail).
#[test]
fn pure_scheme_programs_do_not_start_python() {
    let dir = TempDir::new("no-python");
    let data = dir.write("data.txt", "x\n");
    let flags = ["--input", &format!("lines={}", arg(&data))];
    let run_without_python_home = |script: &str| {
        let path = dir.write("script.scm", script);
        rlmsh()
            .arg("run")
            .args(flags)
            .arg(&path)
            .env("PYTHONHOME", dir.0.join("no-such-python-home"))
            .stdin(Stdio::null())
            .output()
            .expect("run rlmsh")
    };
    let o = run_without_python_home("(display (+ 1 2)) (display context)");
    assert_eq!((stdout(&o).as_str(), o.status.code()), ("3", Some(0)), "stderr: {}", stderr(&o));
    // py-call checks what it is to call before it needs Python.
    let o = run_without_python_home("(display (with-handlers ([exn:fail:contract? exn-message]) (py-call 5)))");
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(stdout(&o).starts_with("py-call: contract violation"), "{}", stdout(&o));
    let o = run_without_python_home("(display (py-eval \"1 + 2\"))");
    assert_ne!(o.status.code(), Some(0), "Python started without its home: {}", stdout(&o));
}

/// Converting 100,000 nested lists takes about as long as 100,000 lists side by side, both ways:
/// the check for self-containing values must not cost time in proportion to the depth. The
/// bound leaves room for noise; a check that scans the path takes 30 to 200 times as long.
#[test]
fn deeply_nested_values_convert_in_linear_time() {
    let dir = TempDir::new("deep");
    let script = r#"
(define (millis thunk)
  (let ([start (current-inexact-milliseconds)]) (thunk) (- (current-inexact-milliseconds) start)))
(py-exec "deep = []\nfor _ in range(99999):\n    deep = [deep]\nwide = [[] for _ in range(100000)]")
(define deep (py-eval "deep"))
(define wide (py-eval "wide"))
(printf "~a ~a ~a ~a"
        (millis (lambda () (py-eval "deep"))) (millis (lambda () (py-eval "wide")))
        (millis (lambda () (py-set! "v" deep))) (millis (lambda () (py-set! "v" wide))))
"#;
    let out = run_ok(&dir, &[], script);
    let times: Vec<f64> = out.split_whitespace().map(|t| t.parse().expect("a time")).collect();
    for (direction, deep, wide) in [("from Python", times[0], times[1]), ("to Python", times[2], times[3])] {
        assert!(deep < 10.0 * wide + 100.0, "{direction}: {deep} ms deep, {wide} ms wide");
    }
}

/// Starts `rlmsh run script`, waits until the script's Python code reports (on stderr) that it
/// is looping, sends SIGINT, and returns the output. Fails rather than hangs if the interrupt
/// does not end the program.
fn interrupt_python_loop(script: &Path) -> (Option<i32>, String, String) {
    let mut child: Child = rlmsh()
        .arg("run")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rlmsh");
    let mut out_pipe = child.stdout.take().expect("stdout pipe");
    let mut err_pipe = child.stderr.take().expect("stderr pipe");
    let out_thread = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = out_pipe.read_to_string(&mut out);
        out
    });
    let (looping_tx, looping_rx) = mpsc::channel();
    let err_thread = std::thread::spawn(move || {
        let mut err = Vec::new();
        let mut byte = [0u8; 1];
        let mut announced = false;
        while err_pipe.read(&mut byte).map_or(false, |n| n == 1) {
            err.push(byte[0]);
            if !announced && err.ends_with(b"looping\n") {
                announced = true;
                let _ = looping_tx.send(());
            }
        }
        String::from_utf8_lossy(&err).into_owned()
    });
    let started = looping_rx.recv_timeout(Duration::from_secs(30)).is_ok();
    // A moment inside the loop, so that the interrupt meets running bytecode.
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sending a signal to the child we spawned and have not yet reaped.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let mut code = None;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().expect("wait for rlmsh") {
            code = Some(status.code());
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if code.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let (out, err) = (out_thread.join().unwrap_or_default(), err_thread.join().unwrap_or_default());
    assert!(started, "the Python loop never started; stderr: {err}");
    let code = code.unwrap_or_else(|| panic!("Ctrl-C did not stop the Python loop within 10 s; stdout: {out:?}, stderr: {err:?}"));
    (code, out, err)
}

/// The Python code of the Ctrl-C tests: announce the loop on stderr, then spin forever.
const ENDLESS_LOOP: &str = "(py-exec \"import sys\\nsys.stderr.write('looping\\\\n')\\nsys.stderr.flush()\\nwhile True: pass\")";

#[test]
fn ctrl_c_during_python_code_is_a_break_that_exits_130() {
    let dir = TempDir::new("ctrl-c");
    let script = dir.write(
        "loop.scm",
        &format!(
            "(display \"start\\n\")\n\
             (with-handlers ([exn:fail? (lambda (e) (display \"caught as a failure\\n\"))])\n  {ENDLESS_LOOP})\n\
             (display \"after\\n\")\n"
        ),
    );
    let (code, out, err) = interrupt_python_loop(&script);
    assert_eq!(code, Some(130), "stdout: {out:?}, stderr: {err:?}");
    assert_eq!(out, "start\n");
    assert!(err.contains("loop.scm:3:3: user break"), "{err}");
}

#[test]
fn a_break_in_python_code_can_be_caught_and_python_still_works() {
    let dir = TempDir::new("ctrl-c-caught");
    let script = dir.write(
        "caught.scm",
        &format!(
            "(define result\n  (with-handlers ([exn:break? (lambda (e) (list 'break (exn-message e)))])\n    {ENDLESS_LOOP}))\n\
             (write result) (newline)\n\
             (write (py-eval \"6 * 7\")) (newline)\n\
             (write (py-exec \"print('still printing')\"))\n"
        ),
    );
    let (code, out, err) = interrupt_python_loop(&script);
    assert_eq!(code, Some(0), "stdout: {out:?}, stderr: {err:?}");
    assert_eq!(out, "(break \"user break\")\n42\n\"still printing\\n\"");
}

/// A package pip-installed for `python3` imports inside rlmsh from `python3`'s own
/// site-packages: rlmsh embeds that same Python (same `sys.prefix`).
#[test]
fn packages_installed_for_python3_import() {
    let python = |code: &str| {
        let o = Command::new("python3").args(["-c", code]).output().expect("python3 must be on PATH");
        (o.status.success(), String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let (installed, _) = python(&format!("import {PIP_PACKAGE}"));
    assert!(installed, "{PIP_PACKAGE} is not installed for python3; run: {PIP_INSTALL}");
    let (_, purelib) = python("import sysconfig; print(sysconfig.get_path('purelib'))");
    let (_, prefix) = python("import sys; print(sys.prefix)");

    let dir = TempDir::new("pip");
    let script = format!(
        "(py-exec \"import sys, {PIP_PACKAGE}\")\n\
         (displayln (py-eval \"{PIP_PACKAGE}.__file__\"))\n\
         (displayln (py-eval \"sys.prefix\"))\n\
         (write (py-call \"{PIP_PACKAGE}.dumps\" (hash 'name \"rlmsh\")))\n"
    );
    let out = run_ok(&dir, &[], &script);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        Path::new(lines[0]).starts_with(&purelib),
        "{PIP_PACKAGE} imported from {}, not from python3's site-packages {purelib}",
        lines[0]
    );
    assert_eq!(lines[1], prefix, "rlmsh's sys.prefix differs from python3's");
    assert_eq!(lines[2], "\"name = \\\"rlmsh\\\"\\n\"");
}

/// An embedded interpreter ignores `VIRTUAL_ENV` unless rlmsh adds the virtualenv's
/// site-packages itself: a module that exists only there must import.
#[test]
fn a_virtualenv_named_by_virtual_env_is_honoured() {
    let dir = TempDir::new("venv");
    let venv = dir.0.join("env");
    let made = Command::new("python3").args(["-m", "venv", "--without-pip"]).arg(&venv).status().expect("run python3 -m venv");
    assert!(made.success(), "python3 -m venv failed");
    let version = Command::new("python3")
        .args(["-c", "import sys; print('python%d.%d' % sys.version_info[:2])"])
        .output()
        .expect("ask python3 its version");
    let site = venv.join("lib").join(String::from_utf8_lossy(&version.stdout).trim()).join("site-packages");
    std::fs::create_dir_all(&site).expect("site-packages");
    std::fs::write(site.join("rlmsh_venv_probe.py"), "WHERE = 'venv'\n").expect("write module");
    let script = dir.write("venv.scm", r#"(display (py-eval "import rlmsh_venv_probe; rlmsh_venv_probe.WHERE"))"#);
    let with_venv = rlmsh().arg("run").arg(&script).env("VIRTUAL_ENV", &venv).output().expect("run rlmsh");
    assert_eq!(stdout(&with_venv), "venv", "stderr: {}", stderr(&with_venv));
    let without = rlmsh().arg("run").arg(&script).env_remove("VIRTUAL_ENV").output().expect("run rlmsh");
    assert_eq!(without.status.code(), Some(1), "the probe module must exist only in the virtualenv");
    assert!(stderr(&without).contains("ModuleNotFoundError"), "{}", stderr(&without));
}

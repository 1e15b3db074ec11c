//! End-to-end tests of the scaffold primitives through the `rlmsh` binary: `checkpoint` and
//! `restore` across separate runs (every value type, awkward keys, where the files go, refused
//! values), and `finish` / `finish-var` (what they print, and the exit code).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run_command, MODEL_ENV};
use sha2::{Digest, Sha256};

struct Out {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

impl Out {
    fn ok(self) -> Out {
        assert_eq!(self.code, Some(0), "expected success\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }
}

/// Runs `source` as `prog.scm` in `dir` (the working directory) with `args` before the file.
fn run_in(dir: &Path, args: &[&str], source: &str) -> Out {
    let file = dir.join("prog.scm");
    std::fs::write(&file, source).expect("write program");
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.arg("run").args(args).arg(&file).current_dir(dir).env("XDG_CONFIG_HOME", dir);
    for name in MODEL_ENV {
        cmd.env_remove(name);
    }
    let r = run_command(&mut cmd, common::TIMEOUT);
    assert!(!r.timed_out, "timed out:\n{source}");
    Out { stdout: String::from_utf8_lossy(&r.stdout).into_owned(), stderr: String::from_utf8_lossy(&r.stderr).into_owned(), code: r.code }
}

/// Runs with `--checkpoint-dir <dir>/cp`.
fn run_cp(dir: &Path, source: &str) -> Out {
    let cp = checkpoint_dir(dir);
    run_in(dir, &["--checkpoint-dir", cp.to_str().unwrap()], source)
}

fn checkpoint_dir(dir: &Path) -> PathBuf {
    dir.join("cp")
}

fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The file names in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------------
// checkpoint / restore

/// Values of every type checkpoints keep, and a describer that shows each value's type
/// details, shared by the program that saves and the one that restores.
const PRELUDE: &str = r#"
(define (nest n) (if (= n 0) '(bottom) (list n (nest (- n 1)))))
(define originals
  (list "text" "" "ünïcødé λ 🔑\n\t\"quoted\" \\ back" (make-string 3 #\z)
        0 -42 (expt 2 100) (- (expt 3 90)) 1/3 -7/2 (/ (expt 10 30) 7)
        3.5 -0.0 0.0 +inf.0 -inf.0 +nan.0 1e300 1.5e-300 0.1 -123456789.125
        #t #f (void)
        'sym '|odd sym| (string->symbol "") '#:kw
        #\a #\λ #\nul #\space #\newline
        '(1 2 3) '() '(1 . 2) '(1 2 . 3) '((a . 1) (b . 2))
        (vector 1 "a" 'b) (vector) #(1 #(2 #(3)))
        (hash "a" 1 'b 2 3 "three") (hasheqv 1 2 1.5 'x) (hasheq 'a 1 'b '(2))
        (make-hash '((1 . 2) ("k" . "v"))) (make-hasheqv '((1 . one))) (make-hasheq '((a . 1)))
        (hash) (make-hash)
        (list (vector (list (hash 'x (list 1.5 "y" #\c 'z (void) #f)))) '(1 . 2))
        (hash '(1 2) (vector 3) "nested" (hash 'inner (make-hash '((k . v)))))
        (nest 25)))
(define (kind v)
  (cond [(hash? v) (list 'hash (cond [(hash-equal? v) 'equal] [(hash-eqv? v) 'eqv] [else 'eq])
                         (if (immutable? v) 'immutable 'mutable) (hash-count v))]
        [(and (number? v) (exact? v)) (list 'exact (if (integer? v) 'integer 'rational))]
        [(number? v) (list 'inexact (eqv? v -0.0) (eqv? v +nan.0))]
        [(string? v) (list 'string (string-length v))]
        [(symbol? v) (list 'symbol (eq? v (string->symbol (symbol->string v))))]
        [(keyword? v) 'keyword]
        [(char? v) (list 'char (char->integer v))]
        [(void? v) 'void]
        [(boolean? v) 'boolean]
        [(null? v) 'null]
        [(list? v) (cons 'list (map kind v))]
        [(pair? v) (list 'pair (kind (car v)) (kind (cdr v)))]
        [(vector? v) (cons 'vector (map kind (vector->list v)))]
        [else 'other]))
(define (describe v) (format "~s ~s" v (kind v)))
"#;

#[test]
fn every_value_type_round_trips_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let save = format!(
        r#"{PRELUDE}
(for ([v originals] [i (in-naturals)])
  (unless (eq? (checkpoint (format "v~a" i) v) v) (printf "checkpoint ~a did not return its value\n" i)))
(displayln (length originals))
"#
    );
    let saved = run_cp(dir.path(), &save).ok();
    let count: usize = saved.stdout.trim().parse().unwrap_or_else(|_| panic!("{}", saved.stdout));

    let restore = format!(
        r#"{PRELUDE}
(for ([v originals] [i (in-naturals)])
  (define back (restore (format "v~a" i)))
  (unless (equal? back v) (printf "~a: not equal?\n" i))
  (unless (equal? (describe back) (describe v)) (printf "~a: saved ~a\n   restored ~a\n" i (describe v) (describe back)))
  (displayln (describe back)))
"#
    );
    let restored = run_cp(dir.path(), &restore).ok();
    let expected = run_cp(
        dir.path(),
        &format!("{PRELUDE}\n(for ([v originals]) (displayln (describe v)))\n"),
    )
    .ok();
    assert_eq!(restored.stdout, expected.stdout);
    assert_eq!(restored.stdout.lines().count(), count);
    // One file per key, and no temporary files left behind.
    let names = file_names(&checkpoint_dir(dir.path()));
    assert_eq!(names.len(), count, "{names:?}");
    assert!(names.iter().all(|n| n.len() == 64 + 5 && n.ends_with(".json")), "{names:?}");
}

#[test]
fn restoring_gives_values_that_work_like_the_originals() {
    let dir = tempfile::tempdir().unwrap();
    run_cp(
        dir.path(),
        r#"
(checkpoint "counts" (make-hash '(("a" . 1))))
(checkpoint "frozen" (hash 'a 1))
(checkpoint "big" (expt 2 200))
(checkpoint "ratio" 2/3)
(checkpoint "vec" (vector 1 2 3))
"#,
    )
    .ok();
    let out = run_cp(
        dir.path(),
        r#"
(define counts (restore "counts"))
(hash-set! counts "b" 2)
(hash-update! counts "a" add1)
(displayln (sort (hash->list counts) (lambda (x y) (string<? (car x) (car y)))))
(displayln (with-handlers ([exn:fail? (lambda (e) 'refused)]) (hash-set! (restore "frozen") 'b 2)))
(displayln (hash-set (restore "frozen") 'b 2))
(displayln (+ (restore "big") 1))
(displayln (* (restore "ratio") 3))
(define v (restore "vec"))
(vector-set! v 0 'first)
(displayln v)
(displayln (eq? (restore "ratio") (restore "ratio")))
"#,
    )
    .ok();
    assert_eq!(
        out.stdout,
        "((a . 2) (b . 2))\nrefused\n#hash((a . 1) (b . 2))\n1606938044258990275541962092341162602522202993782792835301377\n2\n#(first 2 3)\n#f\n"
    );
}

#[test]
fn any_string_is_a_key_and_files_are_named_by_its_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let long_key = "k".repeat(10 * 1024);
    let keys = [
        "plain",
        "a/b/c",
        "../../escape",
        "..",
        "/absolute/path",
        "line one\nline two",
        "ключ 🔑 κλειδί",
        "",
        "nul\u{0}inside",
        "C:\\windows\\style",
        long_key.as_str(),
    ];
    // The keys as Scheme string literals.
    let literal = |k: &str| format!("{:?}", k).replace("\\u{0}", "\\u0000");
    let save: String = keys.iter().enumerate().map(|(i, k)| format!("(checkpoint {} {i})\n", literal(k))).collect();
    run_cp(dir.path(), &save).ok();
    let restore: String = keys.iter().map(|k| format!("(displayln (restore {}))\n", literal(k))).collect();
    let out = run_cp(dir.path(), &restore).ok();
    let expected: String = (0..keys.len()).map(|i| format!("{i}\n")).collect();
    assert_eq!(out.stdout, expected);

    let mut wanted: Vec<String> = keys.iter().map(|k| format!("{}.json", sha256_hex(k))).collect();
    wanted.sort();
    assert_eq!(file_names(&checkpoint_dir(dir.path())), wanted);
    // Nothing was written outside the checkpoint directory.
    assert_eq!(file_names(dir.path()), ["cp", "prog.scm"]);
    // Each file records its key.
    let text = std::fs::read_to_string(checkpoint_dir(dir.path()).join(format!("{}.json", sha256_hex("a/b/c")))).unwrap();
    assert!(text.contains("a/b/c"), "{text}");
}

#[test]
fn the_default_directory_is_rlmsh_checkpoints_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), &[], r#"(checkpoint "state" '(1 2))"#).ok();
    let file = dir.path().join(".rlmsh/checkpoints").join(format!("{}.json", sha256_hex("state")));
    assert!(file.is_file(), "{} was not written", file.display());
    let out = run_in(dir.path(), &[], r#"(displayln (restore "state"))"#).ok();
    assert_eq!(out.stdout, "(1 2)\n");
    // Another directory has other checkpoints.
    let out = run_cp(dir.path(), r#"(displayln (restore "state"))"#).ok();
    assert_eq!(out.stdout, "#f\n");
}

#[test]
fn restore_gives_false_for_missing_keys_and_the_latest_value_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cp(
        dir.path(),
        r#"
(displayln (restore "nothing here"))
(displayln (checkpoint "n" 1))
(displayln (restore "n"))
(checkpoint "n" '(two))
(displayln (restore "n"))
(displayln (restore "N"))
(checkpoint "false" #f)
(displayln (restore "false"))
"#,
    )
    .ok();
    assert_eq!(out.stdout, "#f\n1\n1\n(two)\n#f\n#f\n");
    let out = run_cp(dir.path(), r#"(displayln (restore "n"))"#).ok();
    assert_eq!(out.stdout, "(two)\n");
    // A file that is not a checkpoint counts as absent.
    let file = checkpoint_dir(dir.path()).join(format!("{}.json", sha256_hex("n")));
    std::fs::write(&file, "{ torn").unwrap();
    let out = run_cp(dir.path(), r#"(displayln (restore "n"))"#).ok();
    assert_eq!(out.stdout, "#f\n");
}

#[test]
fn values_that_cannot_be_saved_are_refused_and_the_old_value_stays() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cp(
        dir.path(),
        r#"
(define (try thunk) (with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (thunk) (displayln "saved")))
(checkpoint "k" "old")
(define answer (llm-query #:model "offline" #:data "x"))
(try (lambda () (checkpoint "k" answer)))
(try (lambda () (checkpoint "k" (list 1 (vector answer)))))
(try (lambda () (checkpoint "k" car)))
(try (lambda () (checkpoint "k" (lambda (x) x))))
(try (lambda () (checkpoint "k" (hash 'f (lambda (x) x)))))
(try (lambda () (checkpoint "k" (llm-query-async #:model "offline" #:data "x"))))
(try (lambda () (checkpoint 'k 1)))
(try (lambda () (restore 1)))
(try (lambda () (checkpoint "k" (syntax-e answer))))
(displayln (string-prefix? (restore "k") "offline:offline:"))
"#,
    )
    .ok();
    let printed: Vec<&str> = out.stdout.lines().collect();
    let syntax_refusal = "checkpoint: cannot checkpoint a syntax object (a wrapped model answer); unwrap it with syntax-e first";
    assert_eq!(printed[0], syntax_refusal);
    assert_eq!(printed[1], syntax_refusal);
    assert_eq!(printed[2], "checkpoint: cannot checkpoint a procedure: #<procedure:car>");
    assert!(printed[3].starts_with("checkpoint: cannot checkpoint a procedure: #<procedure"), "{}", printed[3]);
    assert!(printed[4].starts_with("checkpoint: cannot checkpoint a procedure: #<procedure"), "{}", printed[4]);
    assert!(printed[5].starts_with("checkpoint: cannot checkpoint") && printed[5].contains("llm-call"), "{}", printed[5]);
    assert_eq!(printed[6..9], ["checkpoint: contract violation", "  expected: string?", "  given: 'k"]);
    assert_eq!(printed[9..12], ["restore: contract violation", "  expected: string?", "  given: 1"]);
    assert_eq!(printed[12..], ["saved", "#t"]);
}

#[test]
fn refused_values_leave_the_previous_checkpoint_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cp(
        dir.path(),
        r#"
(checkpoint "k" '(kept))
(with-handlers ([exn:fail? void]) (checkpoint "k" (list 1 car)))
(displayln (restore "k"))
"#,
    )
    .ok();
    assert_eq!(out.stdout, "(kept)\n");
    assert_eq!(file_names(&checkpoint_dir(dir.path())).len(), 1);
}

#[test]
fn an_unusable_checkpoint_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "file").unwrap();
    let out = run_in(
        dir.path(),
        &["--checkpoint-dir", blocker.join("sub").to_str().unwrap()],
        r#"(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (checkpoint "k" 1))
(displayln (restore "k"))"#,
    )
    .ok();
    let printed: Vec<&str> = out.stdout.lines().collect();
    assert!(printed[0].starts_with("checkpoint: cannot write checkpoint \"k\""), "{}", out.stdout);
    assert_eq!(printed[1], "#f");
}

// ---------------------------------------------------------------------------------------------
// finish / finish-var

#[test]
fn finish_prints_its_value_last_with_display_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (r#"(displayln "working") (finish "the answer")"#, "working\nthe answer\n"),
        (r#"(finish '(1 "two" #\3 four 5.0))"#, "(1 two 3 four 5.0)\n"),
        (r#"(finish (vector "a" 'b))"#, "#(a b)\n"),
        (r#"(finish 42) (displayln "not reached")"#, "42\n"),
        (r#"(finish "multi\nline")"#, "multi\nline\n"),
        (r#"(finish "")"#, "\n"),
        (r#"(printf "~a " 1) (newline) (finish (void))"#, "1 \n#<void>\n"),
        (r#"(with-handlers ([exn:fail? (lambda (e) (displayln "handled"))]) (error "boom")) (finish 'ok)"#, "handled\nok\n"),
        (r#"(define (f n) (if (= n 0) (finish 'bottom) (begin (f (- n 1)) (displayln "unwound")))) (f 5000)"#, "bottom\n"),
        (r#"(for ([i 10]) (when (= i 3) (finish (list 'at i))) (display i)) "#, "012(at 3)\n"),
    ];
    for (program, expected) in cases {
        let out = run_cp(dir.path(), program);
        assert_eq!(out.code, Some(0), "{program}\nstderr: {}", out.stderr);
        assert_eq!(out.stdout, expected, "{program}");
        assert_eq!(out.stderr, "", "{program}");
    }
    // In -e mode too, after the printed results.
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.args(["-e", r#"(+ 1 2) (finish "done") (+ 3 4)"#]);
    let r = run_command(&mut cmd, common::TIMEOUT);
    assert_eq!(r.code, Some(0));
    assert_eq!(String::from_utf8_lossy(&r.stdout), "3\ndone\n");
}

#[test]
fn finish_var_ends_with_a_scheme_or_python_global() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (r#"(define result '(1 2)) (finish-var "result") (displayln "not reached")"#, "(1 2)\n"),
        (r#"(define result "text") (finish-var 'result)"#, "text\n"),
        (r#"(py-exec "summary = 'from python'") (finish-var "summary")"#, "from python\n"),
        (r#"(py-exec "total = sum(range(10))") (finish-var 'total)"#, "45\n"),
        (r#"(py-exec "items = [1, 'a', 2.5]") (finish-var "items")"#, "(1 a 2.5)\n"),
        (r#"(define both "scheme") (py-exec "both = 'python'") (finish-var "both")"#, "scheme\n"),
        (r#"(py-exec "x = 'global'") (let ([x "local"]) (finish-var "x"))"#, "global\n"),
        (r#"(define (f) (finish-var "late")) (define late 'defined-later) (f)"#, "defined-later\n"),
    ];
    for (program, expected) in cases {
        let out = run_cp(dir.path(), program);
        assert_eq!(out.code, Some(0), "{program}\nstderr: {}", out.stderr);
        assert_eq!(out.stdout, expected, "{program}");
    }
    let out = run_cp(dir.path(), r#"(displayln "before") (finish-var "nowhere")"#);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout, "before\n");
    assert!(out.stderr.contains("nowhere is bound neither in Scheme nor in Python"), "{}", out.stderr);
    let out = run_cp(dir.path(), r#"(with-handlers ([exn:fail? (lambda (e) (displayln (exn-message e)))]) (finish-var 42))"#).ok();
    assert!(out.stdout.starts_with("finish-var: contract violation"), "{}", out.stdout);
}

/// `rlmsh checkpoints` lists keys with previews, shows one value, and clears only checkpoint
/// files.
#[test]
fn the_checkpoints_command_lists_shows_and_clears() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let rlmsh = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_rlmsh")).args(args).arg("--checkpoint-dir").arg(&store).output().unwrap();
    let made = rlmsh(&["-e", r#"(checkpoint "a/../b" (list 1 "x")) (checkpoint "k2" (hash 'a 1)) (void)"#]);
    assert_eq!(made.status.code(), Some(0), "{}", String::from_utf8_lossy(&made.stderr));
    std::fs::write(store.join("notes.txt"), "not a checkpoint").unwrap();
    let listed = rlmsh(&["checkpoints", "list"]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "\"a/../b\"\t(1 \"x\")\n\"k2\"\t#hash((a . 1))\n");
    let shown = rlmsh(&["checkpoints", "show", "a/../b"]);
    assert_eq!(String::from_utf8_lossy(&shown.stdout), "(1 \"x\")\n");
    assert_eq!(rlmsh(&["checkpoints", "show", "missing"]).status.code(), Some(66));
    let cleared = rlmsh(&["checkpoints", "clear"]);
    assert_eq!(String::from_utf8_lossy(&cleared.stdout), format!("removed 2 checkpoints from {}\n", store.display()));
    assert!(store.join("notes.txt").exists(), "clear must remove only checkpoint files");
    assert_eq!(rlmsh(&["checkpoints"]).stdout, b"");
}

/// `list` and `show` fail, naming the file and what is wrong with it, on a checkpoint file that
/// cannot be decoded (a torn or hand-edited file), and still list the readable ones.
#[test]
fn the_checkpoints_command_reports_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let rlmsh = |args: &[&str]| Command::new(common::rlmsh_bin()).args(args).arg("--checkpoint-dir").arg(&store).output().unwrap();
    assert_eq!(rlmsh(&["-e", r#"(checkpoint "good" 1) (void)"#]).status.code(), Some(0));
    let torn = store.join(format!("{}.json", sha256_hex("torn")));
    std::fs::write(&torn, r#"{"key": "torn", "value": {"list": [1, 2"#).unwrap();
    let listed = rlmsh(&["checkpoints", "list"]);
    assert_eq!(listed.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "\"good\"\t1\n");
    let complaint = String::from_utf8_lossy(&listed.stderr);
    assert!(complaint.contains("unreadable checkpoint") && complaint.contains(&torn.display().to_string()) && complaint.contains("not JSON"), "{complaint}");
    let shown = rlmsh(&["checkpoints", "show", "torn"]);
    assert_eq!(shown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&shown.stderr).contains("unreadable checkpoint \"torn\""), "{}", String::from_utf8_lossy(&shown.stderr));
    // A program's `restore` treats it as absent.
    let restored = rlmsh(&["-e", r#"(restore "torn")"#]);
    assert_eq!(String::from_utf8_lossy(&restored.stdout), "#f\n");
}

// ---------------------------------------------------------------------------------------------
// A full disk

/// Saves a small value, then one too large for the space left: the second save must fail with a
/// clear error naming the key, the directory and the system's error, leave the first value
/// readable and leave no temporary file behind.
const FILLS_THE_DISK: &str = r#"(checkpoint "state" (list "small" 1))
(displayln "saved")
(checkpoint "state" (make-string 200000 #\x))
(displayln "not reached")
"#;

/// Runs FILLS_THE_DISK with its checkpoints in `cp` (prepared by `setup`), then checks
/// everything it must leave; `os_error` is the system's message for the failure.
fn check_full_disk(dir: &Path, cp: &Path, os_error: &str, setup: impl FnOnce(&mut Command)) {
    let program = dir.join("fill.scm");
    std::fs::write(&program, FILLS_THE_DISK).unwrap();
    let mut cmd = Command::new(common::rlmsh_bin());
    cmd.arg("run").arg("--checkpoint-dir").arg(cp).arg(&program).current_dir(dir);
    setup(&mut cmd);
    let run = run_command(&mut cmd, common::TIMEOUT);
    let (stdout, stderr) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert_eq!((run.code, stdout.as_ref()), (Some(1), "saved\n"), "{os_error}: {stderr}");
    let expected = format!("checkpoint: cannot write checkpoint \"state\" in {}: {os_error}", cp.display());
    assert!(stderr.contains(&expected), "expected {expected:?} in:\n{stderr}");
    let shown = Command::new(common::rlmsh_bin()).args(["checkpoints", "show", "state", "--checkpoint-dir"]).arg(cp).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&shown.stdout), "(\"small\" 1)\n", "{os_error}: the previous value is lost");
    assert_eq!(file_names(cp), [format!("{}.json", sha256_hex("state"))], "{os_error}: files left behind");
}

/// Unmounts a tmpfs when the test ends, however it ends.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Both ways to fill a disk that a container may allow: a 64 KB tmpfs (needs the right to
/// mount) and a file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored, so writes fail with EFBIG
/// instead of killing the process). Each available one is tested; the test is skipped, saying
/// why, only when neither is.
#[test]
fn a_checkpoint_that_cannot_be_written_keeps_the_previous_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut unavailable = Vec::new();

    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    match Command::new("mount").args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"]).arg(&small).output() {
        Ok(out) if out.status.success() => {
            let _mounted = Mounted(small.clone());
            check_full_disk(dir.path(), &small.join("cp"), "No space left on device (os error 28)", |_| {});
        }
        Ok(out) => unavailable.push(format!("tmpfs: mount refused: {}", String::from_utf8_lossy(&out.stderr).trim())),
        Err(e) => unavailable.push(format!("tmpfs: cannot run mount: {e}")),
    }

    // Probe the limit in a child of its own first: a spawn that fails here means the method is
    // unavailable, not that rlmsh misbehaved.
    let limited = |cmd: &mut Command| {
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec the closure only makes two system calls; it allocates
        // nothing and takes no lock.
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let limit = libc::rlimit { rlim_cur: 4096, rlim_max: 4096 };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    };
    let mut probe = Command::new("true");
    limited(&mut probe);
    match probe.status() {
        Ok(_) => check_full_disk(dir.path(), &dir.path().join("cp"), "File too large (os error 27)", limited),
        Err(e) => unavailable.push(format!("RLIMIT_FSIZE: {e}")),
    }

    if unavailable.len() == 2 {
        eprintln!("skipped: no way to fill a disk here ({})", unavailable.join("; "));
    } else if let Some(reason) = unavailable.first() {
        eprintln!("tested one way of two; unavailable: {reason}");
    }
}

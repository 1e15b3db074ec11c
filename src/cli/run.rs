//! Running programs from files, standard input and `-e`, and reporting their errors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::builtins::ports::{is_broken_pipe, BROKEN_PIPE_EXIT};
use crate::error::{Error, ExnKind, Signal, Span};
use crate::eval::compile::compile_toplevel;
use crate::reader::{read_all, Datum};
use crate::value::print::print_string;
use crate::value::Value;
use crate::Interp;

/// The process exit codes, documented in `--help` and the README.
pub struct ExitCode;

impl ExitCode {
    pub const SUCCESS: i32 = 0;
    pub const RUNTIME: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const TOKEN_BUDGET: i32 = 3;
    pub const TIMEOUT: i32 = 4;
    pub const SYNTAX: i32 = 65;
    pub const NO_INPUT: i32 = 66;
    pub const INTERRUPTED: i32 = 130;
    pub const BROKEN_PIPE: i32 = BROKEN_PIPE_EXIT;
}

pub enum Source {
    File(String),
    Stdin,
}

impl Source {
    pub fn from_path(path: &Path) -> Source {
        if path.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::File(path.display().to_string())
        }
    }

    fn name(&self) -> String {
        match self {
            Source::File(p) => p.clone(),
            Source::Stdin => "<stdin>".to_string(),
        }
    }

    fn read(&self) -> Result<String, String> {
        match self {
            Source::File(p) => std::fs::read(p)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .map_err(|e| format!("rlmsh: cannot read {p}: {e}")),
            Source::Stdin => {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                    .map(|_| text)
                    .map_err(|e| format!("rlmsh: cannot read standard input: {e}"))
            }
        }
    }
}

/// Racket prints the value of each top-level expression in a `#lang` module; plain scripts
/// print only what they display.
fn is_module(src: &str) -> bool {
    src.trim_start().starts_with("#lang")
}

/// How a program's end is reported (`--json`, `--result-file`).
#[derive(Default)]
pub struct Reporting {
    pub json: bool,
    pub result_file: Option<PathBuf>,
}

pub fn run_program(source: Source, mut interp: Interp, reporting: &Reporting) -> i32 {
    let src = match source.read() {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::NO_INPUT;
        }
    };
    let started = Instant::now();
    let captured = reporting.json.then(|| capture_output(&interp));
    let outcome = execute(&mut interp, &src, &source.name(), is_module(&src));
    let mut pipe_broken = !flush_stdout();
    let result = match &outcome {
        Err((e, _)) => match e.signal() {
            Signal::Finish(v) => Some(v.clone()),
            _ => None,
        },
        Ok(()) => None,
    };
    let (mut code, message) = match &outcome {
        Ok(()) => (ExitCode::SUCCESS, None),
        Err((e, phase)) => ending(e, *phase),
    };
    if let (Some(path), Some(v)) = (&reporting.result_file, &result) {
        if let Err(e) = crate::atomic_file::write(path, crate::value::print::display_string(v).as_bytes()) {
            eprintln!("rlmsh: --result-file {}: {e}", path.display());
            code = ExitCode::RUNTIME;
        }
    }
    match captured {
        Some(output) => {
            let summary = json_summary(&mut interp, &output, result.as_ref(), code, message.as_deref(), started);
            let mut stdout = std::io::stdout();
            pipe_broken |= writeln!(stdout, "{summary}").is_err_and(|e| is_broken_pipe(&e));
        }
        None => {
            if let Some(v) = &result {
                pipe_broken |= !print_finished(&mut interp, v);
            }
            if let Some(message) = message {
                eprintln!("{message}");
            }
        }
    }
    pipe_broken |= !flush_stdout();
    crate::llm::print_stats(&mut interp);
    // A program that ran to its end, or to `finish`, but whose output could not all be
    // delivered did not do what it was asked: it ends as a broken pipe ends other tools.
    if pipe_broken && code == ExitCode::SUCCESS {
        return ExitCode::BROKEN_PIPE;
    }
    code
}

/// Flushes standard output; false when its reader has gone (other failures are the terminal's
/// business and are not reported).
fn flush_stdout() -> bool {
    !std::io::stdout().flush().is_err_and(|e| is_broken_pipe(&e))
}

/// Sends what the program displays to a string port, for `--json`'s `output` field.
fn capture_output(interp: &Interp) -> Value {
    let port = Value::Port(std::rc::Rc::new(crate::builtins::ports::Port::new_string_output()));
    if let Value::Parameter(p) = &interp.stdout {
        *p.value.borrow_mut() = port.clone();
    }
    port
}

/// The single JSON object `--json` prints at the end.
fn json_summary(interp: &mut Interp, output: &Value, result: Option<&Value>, code: i32, error: Option<&str>, started: Instant) -> serde_json::Value {
    let status = match (result, error) {
        (Some(_), _) => "finished",
        (None, None) => "completed",
        (None, Some(_)) => "error",
    };
    let result = result.map(result_json);
    let output = match output {
        Value::Port(p) => p.string_output_text(),
        _ => String::new(),
    };
    let (tokens, calls) = crate::llm::usage_json(interp);
    serde_json::json!({
        "status": status,
        "result": result,
        "output": output,
        "error": error.map(|message| serde_json::json!({"message": message, "exit_code": code})),
        "tokens": tokens,
        "calls": calls,
        "elapsed_ms": started.elapsed().as_millis() as u64,
    })
}

/// A program's result as JSON: the value itself when it is a jsexpr, otherwise its `display`
/// text.
pub fn result_json(v: &Value) -> serde_json::Value {
    crate::builtins::json::jsexpr_text(v)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| serde_json::Value::String(crate::value::print::display_string(v)))
}

/// Where a program was when an error ended it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading it, or compiling one of its top-level forms: a syntax error in the program.
    Loading,
    /// Running it: read and syntax errors raised now (by `read`, `string->jsexpr`, `eval`) are
    /// runtime errors like any other.
    Running,
}

/// Reads the whole program first (so a syntax error anywhere runs nothing), then compiles
/// and runs each top-level form in turn. The error is what ended the program early, `finish`
/// included.
fn execute(interp: &mut Interp, src: &str, name: &str, print_results: bool) -> Result<(), (Error, Phase)> {
    let file = Span::register_file(name);
    let forms = read_all(src, file).map_err(|e| (Error::from(e), Phase::Loading))?;
    for form in &forms {
        run_form(interp, form, print_results)?;
    }
    Ok(())
}

/// Runs a program and reports its end the plain way (a `finish` result on stdout, errors on
/// stderr).
pub fn run_source(interp: &mut Interp, src: &str, name: &str, print_results: bool) -> i32 {
    match execute(interp, src, name, print_results) {
        Ok(()) => ExitCode::SUCCESS,
        Err((e, phase)) => {
            if let Signal::Finish(result) = e.signal() {
                if !print_finished(interp, result) {
                    return ExitCode::BROKEN_PIPE;
                }
            }
            report(&e, phase)
        }
    }
}

/// The result of `finish` goes to stdout last, in `display` style, followed by a newline.
/// False when the reader of standard output has gone.
fn print_finished(interp: &mut Interp, result: &Value) -> bool {
    if !flush_stdout() {
        return false;
    }
    let text = crate::value::print::display_string(result);
    match interp.write_output(None, &format!("{text}\n")) {
        Err(e) if matches!(e.signal(), Signal::Exit(BROKEN_PIPE_EXIT)) => false,
        _ => flush_stdout(),
    }
}

/// Runs one top-level form. A top-level `begin` is spliced, as in a Racket module, so that
/// with `print_results` each of its expressions prints its own value.
fn run_form(interp: &mut Interp, form: &Datum, print_results: bool) -> Result<(), (Error, Phase)> {
    if print_results {
        if let Some(items) = form.as_list().filter(|items| items.first().is_some_and(|h| h.is_symbol("begin"))) {
            for item in &items[1..] {
                run_form(interp, item, print_results)?;
            }
            return Ok(());
        }
    }
    let compiled = compile_toplevel(&interp.globals, form).map_err(|e| (e, Phase::Loading))?;
    let v = interp.run_toplevel(&compiled).map_err(|e| (e, Phase::Running))?;
    if print_results {
        print_result(interp, &v);
    }
    Ok(())
}

fn print_result(interp: &mut Interp, v: &Value) {
    let text = match v {
        Value::Void => return,
        Value::Values(vs) => vs.iter().filter(|v| !matches!(v, Value::Void)).map(print_string).collect::<Vec<_>>().join("\n"),
        other => print_string(other),
    };
    if !text.is_empty() {
        let _ = interp.write_output(None, &format!("{text}\n"));
    }
}

pub fn eval_and_print(expr: &str, mut interp: Interp) -> i32 {
    let code = run_source(&mut interp, expr, "-e", true);
    let pipe_broken = !flush_stdout();
    crate::llm::print_stats(&mut interp);
    if pipe_broken && code == ExitCode::SUCCESS {
        return ExitCode::BROKEN_PIPE;
    }
    code
}

/// Reads and compiles every form without running any; macros are defined as they are met.
pub fn check_program(source: Source) -> i32 {
    let src = match source.read() {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::NO_INPUT;
        }
    };
    let name = source.name();
    let forms = match read_all(&src, Span::register_file(&name)) {
        Ok(forms) => forms,
        Err(e) => return report(&Error::from(e), Phase::Loading),
    };
    let interp = Interp::new();
    for form in &forms {
        if let Err(e) = compile_toplevel(&interp.globals, form) {
            return report(&e, Phase::Loading);
        }
    }
    println!("{name}: ok ({} forms)", forms.len());
    ExitCode::SUCCESS
}

/// Prints an uncaught error to stderr and chooses the exit code for it.
pub fn report(e: &Error, phase: Phase) -> i32 {
    crate::builtins::system::flush_stdout();
    let (code, message) = ending(e, phase);
    if let Some(message) = message {
        eprintln!("{message}");
    }
    code
}

/// The exit code for what ended a program, and the message to report (none for `finish` and
/// `exit`).
fn ending(e: &Error, phase: Phase) -> (i32, Option<String>) {
    match e.signal() {
        Signal::Exit(code) => return (*code, None),
        Signal::Finish(_) => return (ExitCode::SUCCESS, None),
        _ => {}
    }
    if matches!(e.exn_kind(), Some(ExnKind::Break)) && super::timeout::expired() {
        return (ExitCode::TIMEOUT, Some(super::timeout::message()));
    }
    let code = match e.exn_kind() {
        Some(ExnKind::Read | ExnKind::Syntax) if phase == Phase::Loading => ExitCode::SYNTAX,
        Some(ExnKind::Break) => ExitCode::INTERRUPTED,
        Some(ExnKind::TokenBudget) => ExitCode::TOKEN_BUDGET,
        _ => ExitCode::RUNTIME,
    };
    (code, Some(e.report()))
}

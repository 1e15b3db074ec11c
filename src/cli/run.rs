//! Running programs from files, standard input and `-e`, and reporting their errors.

use std::path::Path;

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

pub fn run_program(source: Source, mut interp: Interp) -> i32 {
    let src = match source.read() {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::NO_INPUT;
        }
    };
    let code = run_source(&mut interp, &src, &source.name(), is_module(&src));
    crate::builtins::system::flush_stdout();
    crate::llm::print_stats(&mut interp);
    code
}

/// Reads the whole program first (so a syntax error anywhere runs nothing), then compiles
/// and runs each top-level form in turn.
pub fn run_source(interp: &mut Interp, src: &str, name: &str, print_results: bool) -> i32 {
    let file = Span::register_file(name);
    let forms = match read_all(src, file) {
        Ok(forms) => forms,
        Err(e) => return report(&Error::from(e)),
    };
    for form in &forms {
        if let Err(e) = run_form(interp, form, print_results) {
            if let Signal::Finish(result) = e.signal() {
                print_finished(interp, result);
            }
            return report(&e);
        }
    }
    ExitCode::SUCCESS
}

/// The result of `finish` goes to stdout last, in `display` style, followed by a newline.
fn print_finished(interp: &mut Interp, result: &Value) {
    crate::builtins::system::flush_stdout();
    let text = crate::value::print::display_string(result);
    let _ = interp.write_output(None, &format!("{text}\n"));
    crate::builtins::system::flush_stdout();
}

/// Runs one top-level form. A top-level `begin` is spliced, as in a Racket module, so that
/// with `print_results` each of its expressions prints its own value.
fn run_form(interp: &mut Interp, form: &Datum, print_results: bool) -> Result<(), Error> {
    if print_results {
        if let Some(items) = form.as_list().filter(|items| items.first().is_some_and(|h| h.is_symbol("begin"))) {
            for item in &items[1..] {
                run_form(interp, item, print_results)?;
            }
            return Ok(());
        }
    }
    let v = interp.eval_datum(form)?;
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
    crate::builtins::system::flush_stdout();
    crate::llm::print_stats(&mut interp);
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
        Err(e) => return report(&Error::from(e)),
    };
    let interp = Interp::new();
    for form in &forms {
        if let Err(e) = compile_toplevel(&interp.globals, form) {
            return report(&e);
        }
    }
    println!("{name}: ok ({} forms)", forms.len());
    ExitCode::SUCCESS
}

/// Prints an uncaught error to stderr and chooses the exit code for it.
pub fn report(e: &Error) -> i32 {
    crate::builtins::system::flush_stdout();
    match e.signal() {
        Signal::Exit(code) => return *code,
        Signal::Finish(_) => return ExitCode::SUCCESS,
        _ => {}
    }
    if matches!(e.exn_kind(), Some(ExnKind::Break)) && super::timeout::expired() {
        eprintln!("{}", super::timeout::message());
        return ExitCode::TIMEOUT;
    }
    eprintln!("{}", e.report());
    match e.exn_kind() {
        Some(ExnKind::Read | ExnKind::Syntax) => ExitCode::SYNTAX,
        Some(ExnKind::Break) => ExitCode::INTERRUPTED,
        Some(ExnKind::TokenBudget) => ExitCode::TOKEN_BUDGET,
        _ => ExitCode::RUNTIME,
    }
}

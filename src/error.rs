//! Errors are values: a raised Scheme exception carries its kind, its Racket-style message and
//! the source location where it surfaced. Non-local exits (`finish`, escape continuations,
//! `exit`) travel the same `Result` channel so that `dynamic-wind` and `parameterize` unwind.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::ops::RangeInclusive;
use std::rc::Rc;
use std::sync::Mutex;

use crate::value::print::{print_string, write_string};
use crate::value::Value;

/// A position in a source file. Files are interned so a span is small and `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Span {
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

static FILES: Mutex<Vec<String>> = Mutex::new(Vec::new());

impl Span {
    pub fn new(file: u32, line: u32, col: u32) -> Span {
        Span { file, line, col }
    }

    /// Registers a source name (a path, `-e`, `<stdin>`) and returns its id (0 means unknown).
    pub fn register_file(name: &str) -> u32 {
        let mut files = FILES.lock().unwrap_or_else(|p| p.into_inner());
        if files.is_empty() {
            files.push(String::new());
        }
        if let Some(i) = files.iter().position(|f| f == name) {
            return i as u32;
        }
        files.push(name.to_string());
        (files.len() - 1) as u32
    }

    pub fn file_name(&self) -> String {
        let files = FILES.lock().unwrap_or_else(|p| p.into_inner());
        files.get(self.file as usize).cloned().unwrap_or_default()
    }

    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file_name(), self.line, self.col)
    }
}

/// The exception hierarchy of Racket that programs test with predicates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExnKind {
    Fail,
    User,
    Contract,
    Arity,
    DivideByZero,
    Variable,
    Syntax,
    Read,
    Filesystem,
    /// A model call refused because a token budget is spent (exit code 3 when uncaught).
    TokenBudget,
    /// Raised by Ctrl-C; not an `exn:fail?`, so ordinary handlers let it through.
    Break,
}

impl ExnKind {
    pub fn is_fail(self) -> bool {
        self != ExnKind::Break
    }

    pub fn is_contract(self) -> bool {
        matches!(self, ExnKind::Contract | ExnKind::Arity | ExnKind::DivideByZero | ExnKind::Variable)
    }
}

pub struct Exn {
    pub kind: ExnKind,
    pub message: String,
    pub span: Cell<Span>,
    /// Call sites the exception passed through, innermost first.
    pub context: RefCell<Vec<(String, Span)>>,
}

pub enum Signal {
    /// A raised value: usually an `Exn`, but `raise` accepts anything.
    Raise(Value),
    /// `(finish V)`: end the whole program with V as its result.
    Finish(Value),
    /// An escape continuation was invoked.
    Escape { id: u64, value: Value },
    Exit(i32),
    /// A sandbox's limit was reached: ends the sandboxed program whatever handlers it set up
    /// (catching it would let a run-away program go on running).
    Halt(String),
}

/// What travels up the `Err` side of every evaluation: boxed, so a `Result<Value, Error>`
/// is as small as a value and returns in registers on the evaluator's hot path.
pub struct Error(Box<Signal>);

impl From<Signal> for Error {
    fn from(signal: Signal) -> Error {
        Error(Box::new(signal))
    }
}

pub type R<T> = Result<T, Error>;

/// A fresh exception value (what `raise` raises and handlers receive).
pub fn exn_value(kind: ExnKind, message: impl Into<String>) -> Value {
    Value::Exn(Rc::new(Exn {
        kind,
        message: message.into(),
        span: Cell::new(Span::default()),
        context: RefCell::new(Vec::new()),
    }))
}

impl Error {
    pub fn new(kind: ExnKind, message: impl Into<String>) -> Error {
        Error::raise(exn_value(kind, message))
    }

    pub fn raise(v: Value) -> Error {
        Signal::Raise(v).into()
    }

    pub fn finish(v: Value) -> Error {
        Signal::Finish(v).into()
    }

    pub fn escape(id: u64, value: Value) -> Error {
        Signal::Escape { id, value }.into()
    }

    pub fn exit(code: i32) -> Error {
        Signal::Exit(code).into()
    }

    pub fn halt(message: impl Into<String>) -> Error {
        Signal::Halt(message.into()).into()
    }

    pub fn signal(&self) -> &Signal {
        &self.0
    }

    pub fn into_signal(self) -> Signal {
        *self.0
    }

    /// The exception object, when this is a raised exception (not another kind of exit).
    pub fn exn(&self) -> Option<&Rc<Exn>> {
        match &*self.0 {
            Signal::Raise(Value::Exn(exn)) => Some(exn),
            _ => None,
        }
    }

    pub fn fail(message: impl Into<String>) -> Error {
        Error::new(ExnKind::Fail, message)
    }

    pub fn syntax(who: &str, message: &str, span: Span) -> Error {
        let err = Error::new(ExnKind::Syntax, format!("{who}: {message}"));
        err.set_span_if_unknown(span);
        err
    }

    pub fn read(message: impl Into<String>, span: Span) -> Error {
        let err = Error::new(ExnKind::Read, message);
        err.set_span_if_unknown(span);
        err
    }

    /// `who: contract violation` with the expected contract and the offending value.
    pub fn contract(who: &str, expected: &str, given: &Value) -> Error {
        Error::new(
            ExnKind::Contract,
            format!("{who}: contract violation\n  expected: {expected}\n  given: {}", show_given(given)),
        )
    }

    /// Racket's contract violation for one argument of several: it names the position of the
    /// bad argument and lists the others.
    pub fn argument(who: &str, expected: &str, args: &[Value], pos: usize) -> Error {
        let given = args.get(pos).map(show_given).unwrap_or_default();
        let mut msg = format!("{who}: contract violation\n  expected: {expected}\n  given: {given}");
        if args.len() > 1 {
            msg.push_str(&format!(
                "\n  argument position: {}\n  other arguments...:",
                ordinal(pos + 1)
            ));
            for (_, v) in args.iter().enumerate().filter(|(i, _)| *i != pos) {
                msg.push_str(&format!("\n   {}", show_given(v)));
            }
        }
        Error::new(ExnKind::Contract, msg)
    }

    /// Racket's `raise-arguments-error` layout: a message, then one `name: value` line per field.
    pub fn fields(who: &str, message: &str, fields: &[(&str, &Value)]) -> Error {
        let mut msg = format!("{who}: {message}");
        for (name, v) in fields {
            msg.push_str(&format!("\n  {name}: {}", show_given(v)));
        }
        Error::new(ExnKind::Contract, msg)
    }

    pub fn contract_msg(who: &str, message: impl fmt::Display) -> Error {
        Error::new(ExnKind::Contract, format!("{who}: {message}"))
    }

    pub fn arity(who: &str, expected: &str, given: usize) -> Error {
        Error::new(
            ExnKind::Arity,
            format!(
                "{who}: arity mismatch;\n the expected number of arguments does not match the given number\n  expected: {expected}\n  given: {given}"
            ),
        )
    }

    pub fn divide_by_zero(who: &str) -> Error {
        Error::new(ExnKind::DivideByZero, format!("{who}: division by zero"))
    }

    pub fn unbound(name: &str) -> Error {
        Error::new(
            ExnKind::Variable,
            format!("{name}: undefined;\n cannot reference an identifier before its definition"),
        )
    }

    pub fn index(who: &str, kind: &str, index: &Value, target: &Value, len: usize) -> Error {
        match len.checked_sub(1) {
            Some(last) => Error::out_of_range(who, "index", index, 0..=last, kind, target),
            None => range_error(
                format!("{who}: index is out of range\n  index: {}", show_given(index)),
                &format!("empty {kind}"),
                kind,
                target,
            ),
        }
    }

    /// Racket's message for a position outside the `valid` range of a sequence: `what` names
    /// the position (`index`, `starting index`, ...) and `kind` the sequence (`string`, ...).
    pub fn out_of_range(
        who: &str,
        what: &str,
        index: &Value,
        valid: RangeInclusive<usize>,
        kind: &str,
        target: &Value,
    ) -> Error {
        range_error(
            format!("{who}: {what} is out of range\n  {what}: {}", show_given(index)),
            &format!("[{}, {}]", valid.start(), valid.end()),
            kind,
            target,
        )
    }

    /// Racket's message for an ending index before the starting index in a sequence of `len`
    /// elements.
    pub fn reversed_range(who: &str, (start, end): (&Value, &Value), len: usize, kind: &str, target: &Value) -> Error {
        range_error(
            format!(
                "{who}: ending index is smaller than starting index\n  ending index: {}\n  starting index: {}",
                show_given(end),
                show_given(start)
            ),
            &format!("[0, {len}]"),
            kind,
            target,
        )
    }

    /// Attaches a source location to a raised exception that has none yet.
    pub fn set_span_if_unknown(&self, span: Span) {
        if let Some(exn) = self.exn() {
            if !exn.span.get().is_known() && span.is_known() {
                exn.span.set(span);
            }
        }
    }

    pub fn push_context(&self, name: &str, span: Span) {
        const MAX_CONTEXT: usize = 16;
        if let Some(exn) = self.exn() {
            let mut ctx = exn.context.borrow_mut();
            if ctx.len() < MAX_CONTEXT {
                ctx.push((name.to_string(), span));
            }
        }
    }

    /// The report printed for an uncaught error: `file:line:col: message` and the call chain.
    pub fn report(&self) -> String {
        match &*self.0 {
            Signal::Raise(Value::Exn(exn)) => {
                let mut out = String::new();
                let span = exn.span.get();
                if span.is_known() {
                    out.push_str(&format!("{span}: "));
                }
                out.push_str(&exn.message);
                let ctx = exn.context.borrow();
                if !ctx.is_empty() {
                    out.push_str("\n  context...:");
                    for (name, span) in ctx.iter().rev() {
                        if span.is_known() {
                            out.push_str(&format!("\n   {name} at {span}"));
                        } else {
                            out.push_str(&format!("\n   {name}"));
                        }
                    }
                }
                out
            }
            Signal::Raise(other) => format!("uncaught exception: {}", write_string(other)),
            Signal::Finish(_) => "finish called outside a program".to_string(),
            Signal::Escape { .. } => {
                "continuation application: attempt to jump into an escape continuation that is no longer active"
                    .to_string()
            }
            Signal::Exit(code) => format!("exit {code}"),
            Signal::Halt(message) => message.clone(),
        }
    }

    pub fn exn_kind(&self) -> Option<ExnKind> {
        self.exn().map(|exn| exn.kind)
    }
}

/// Racket's range errors: a headline with the offending positions, then the valid range and
/// the sequence itself.
fn range_error(headline: String, valid: &str, kind: &str, target: &Value) -> Error {
    Error::new(
        ExnKind::Contract,
        format!("{headline}\n  valid range: {valid}\n  {kind}: {}", show_given(target)),
    )
}

/// `1st`, `2nd`, `3rd`, `4th`, ... `11th`, `12th`, `13th`, ... `21st`.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Values in error messages print in `print` style as Racket's do, cut short so a huge value
/// stays readable.
pub fn show_given(v: &Value) -> String {
    const LIMIT: usize = 200;
    let s = print_string(v);
    if s.chars().count() > LIMIT {
        let cut: String = s.chars().take(LIMIT).collect();
        format!("{cut}...")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: Error) -> String {
        match e.exn() {
            Some(exn) => exn.message.clone(),
            None => e.report(),
        }
    }

    #[test]
    fn ordinals_use_th_for_the_teens() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 111, 112].map(ordinal).into();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "111th", "112th"]
        );
    }

    #[test]
    fn argument_errors_name_the_position_only_among_several() {
        let args = [Value::Int(5), Value::Int(3)];
        assert_eq!(
            message(Error::argument("random", "(>/c 5)", &args, 1)),
            "random: contract violation\n  expected: (>/c 5)\n  given: 3\n  argument position: 2nd\n  other arguments...:\n   5"
        );
        assert_eq!(
            message(Error::argument("f", "x", &args[..1], 0)),
            "f: contract violation\n  expected: x\n  given: 5"
        );
    }

    #[test]
    fn range_errors() {
        let s = Value::str("abc");
        assert_eq!(
            message(Error::out_of_range("substring", "ending index", &Value::Int(5), 0..=3, "string", &s)),
            "substring: ending index is out of range\n  ending index: 5\n  valid range: [0, 3]\n  string: \"abc\""
        );
        assert_eq!(
            message(Error::reversed_range("substring", (&Value::Int(2), &Value::Int(1)), 3, "string", &s)),
            "substring: ending index is smaller than starting index\n  ending index: 1\n  starting index: 2\n  valid range: [0, 3]\n  string: \"abc\""
        );
        assert_eq!(
            message(Error::index("string-ref", "string", &Value::Int(0), &Value::str(""), 0)),
            "string-ref: index is out of range\n  index: 0\n  valid range: empty string\n  string: \"\""
        );
    }
}

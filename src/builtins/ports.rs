//! Ports: the process's standard streams, string ports and file ports.
//!
//! Input ports hold their whole text and a read position (a file is read when it is opened),
//! except standard input, which is read a line at a time into a per-thread buffer as the
//! program asks for more. Every reading builtin works on "the rest of the text" and reports
//! how much it consumed, so one implementation serves every kind of input port.

use std::cell::{Cell, RefCell};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufWriter, Write};
use std::rc::Rc;

use crate::builtins::args;
use crate::builtins::{Capability, Primitive};
use crate::error::{Error, ExnKind, Span, R};
use crate::eval::macros::datum_to_value;
use crate::interp::Interp;
use crate::reader::{read_one, Datum, ReadError};
use crate::value::print::{display_string, write_string};
use crate::value::{Symbol, Value};

pub enum Port {
    Stdout,
    Stderr,
    /// An output string port (`open-output-string`, `with-output-to-string`).
    StringOut(RefCell<String>),
    /// An input string port; `pos` is a byte offset into `text`.
    StringIn {
        text: String,
        pos: Cell<usize>,
    },
    Stdin,
    /// An output file port; `None` once closed.
    FileOut {
        path: String,
        writer: RefCell<Option<BufWriter<File>>>,
    },
    /// An input file port: the file's text, read when it was opened.
    FileIn {
        path: String,
        text: String,
        pos: Cell<usize>,
        closed: Cell<bool>,
    },
}

impl Port {
    /// Writes text to an output port. Standard output is flushed by the runtime at the end of
    /// the program and before anything blocks, so output appears as it happens.
    pub fn write_str(&self, text: &str) -> std::io::Result<()> {
        match self {
            Port::Stdout => std::io::stdout().lock().write_all(text.as_bytes()),
            Port::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
            Port::StringOut(buf) => {
                buf.borrow_mut().push_str(text);
                Ok(())
            }
            Port::FileOut { writer, .. } => match writer.borrow_mut().as_mut() {
                Some(w) => w.write_all(text.as_bytes()),
                None => Err(std::io::Error::other("output port is closed")),
            },
            Port::StringIn { .. } | Port::Stdin | Port::FileIn { .. } => Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "not an output port",
            )),
        }
    }

    pub fn is_output(&self) -> bool {
        matches!(
            self,
            Port::Stdout | Port::Stderr | Port::StringOut(_) | Port::FileOut { .. }
        )
    }

    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Port::StringIn { .. } | Port::Stdin | Port::FileIn { .. }
        )
    }

    pub fn new_string_input(text: &str) -> Port {
        Port::StringIn {
            text: text.to_string(),
            pos: Cell::new(0),
        }
    }

    /// What has been written to a string output port (empty for other ports).
    pub fn string_output_text(&self) -> String {
        match self {
            Port::StringOut(buf) => buf.borrow().clone(),
            _ => String::new(),
        }
    }

    pub fn new_string_output() -> Port {
        Port::StringOut(RefCell::new(String::new()))
    }

    /// What Racket prints between `#<` and `>`, e.g. `output-port:string`.
    pub fn describe(&self) -> String {
        match self {
            Port::Stdout => "output-port:stdout".into(),
            Port::Stderr => "output-port:stderr".into(),
            Port::StringOut(_) => "output-port:string".into(),
            Port::StringIn { .. } => "input-port:string".into(),
            Port::Stdin => "input-port:stdin".into(),
            Port::FileOut { path, .. } => format!("output-port:{path}"),
            Port::FileIn { path, .. } => format!("input-port:{path}"),
        }
    }

    pub fn flush(&self) -> std::io::Result<()> {
        match self {
            Port::Stdout => std::io::stdout().flush(),
            Port::Stderr => std::io::stderr().flush(),
            Port::FileOut { writer, .. } => {
                writer.borrow_mut().as_mut().map_or(Ok(()), |w| w.flush())
            }
            _ => Ok(()),
        }
    }

    /// Closes a file port (flushing an output one); closing any other port does nothing.
    pub fn close(&self) -> std::io::Result<()> {
        match self {
            Port::FileOut { writer, .. } => match writer.borrow_mut().take() {
                Some(mut w) => w.flush(),
                None => Ok(()),
            },
            Port::FileIn { closed, .. } => {
                closed.set(true);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn is_closed(&self) -> bool {
        match self {
            Port::FileOut { writer, .. } => writer.borrow().is_none(),
            Port::FileIn { closed, .. } => closed.get(),
            _ => false,
        }
    }

    /// Runs `take` on the unread text of an input port and advances the port by the number of
    /// bytes it reports consumed. Standard input is first read far enough to satisfy `need`.
    fn consume<T>(&self, need: Need, take: impl FnOnce(&str) -> (T, usize)) -> T {
        match self {
            Port::StringIn { text, pos } | Port::FileIn { text, pos, .. } => {
                let rest = text.get(pos.get()..).unwrap_or("");
                let (result, used) = take(rest);
                pos.set(pos.get() + used.min(rest.len()));
                result
            }
            _ => STDIN.with(|buffer| {
                let mut buffer = buffer.borrow_mut();
                buffer.fill(need);
                let rest = buffer.text.get(buffer.pos..).unwrap_or("");
                let (result, used) = take(rest);
                buffer.pos += used.min(rest.len());
                result
            }),
        }
    }

    /// Parses a prefix of the unread input and consumes what `parse` used. On standard input,
    /// `Parsed::NeedMore` reads another line and tries again; at the end of input (and on
    /// every other port) its value is the result.
    pub fn parse_prefix<T>(&self, parse: impl Fn(&str) -> Parsed<T>) -> T {
        match self {
            Port::StringIn { .. } | Port::FileIn { .. } => {
                self.consume(Need::Char, |rest| match parse(rest) {
                    Parsed::Done(result, used) => (result, used),
                    Parsed::NeedMore(result) => (result, rest.len()),
                })
            }
            _ => STDIN.with(|buffer| {
                let mut buffer = buffer.borrow_mut();
                loop {
                    match parse(buffer.rest()) {
                        Parsed::Done(result, used) => {
                            buffer.pos += used;
                            return result;
                        }
                        Parsed::NeedMore(result) => {
                            if !buffer.read_line() {
                                return result;
                            }
                        }
                    }
                }
            }),
        }
    }

    /// Reads one datum; `Ok(None)` at end of input.
    fn read_datum(&self) -> Result<Option<Datum>, ReadError> {
        let file = Span::register_file("string");
        match self {
            Port::StringIn { text, pos } | Port::FileIn { text, pos, .. } => {
                let found = read_one(text, pos.get(), file)?;
                Ok(found.map(|(datum, next)| {
                    pos.set(next);
                    datum
                }))
            }
            _ => STDIN.with(|buffer| {
                let mut buffer = buffer.borrow_mut();
                loop {
                    let attempt = read_one(&buffer.text, buffer.pos, file);
                    let wants_more = match &attempt {
                        Err(e) => e.incomplete,
                        Ok(None) => true,
                        Ok(Some(_)) => false,
                    };
                    if wants_more && buffer.read_line() {
                        continue;
                    }
                    return attempt.map(|found| {
                        found.map(|(datum, next)| {
                            buffer.pos = next;
                            datum
                        })
                    });
                }
            }),
        }
    }
}

/// What a prefix parser made of the input it was given (see `Port::parse_prefix`).
pub enum Parsed<T> {
    /// A result and the number of bytes it used.
    Done(T, usize),
    /// The input ended too early; the value is the result if no more input comes.
    NeedMore(T),
}

/// How much of standard input a read needs buffered before it can run.
#[derive(Clone, Copy)]
enum Need {
    Char,
    /// Input up to and including this text (a line terminator).
    Text(&'static str),
    Chars(usize),
    All,
}

/// Standard input read so far and not yet consumed.
struct StdinBuffer {
    text: String,
    pos: usize,
    at_eof: bool,
}

thread_local! {
    static STDIN: RefCell<StdinBuffer> = const { RefCell::new(StdinBuffer { text: String::new(), pos: 0, at_eof: false }) };
}

impl StdinBuffer {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    /// Appends one more line of standard input; false at end of input.
    fn read_line(&mut self) -> bool {
        if self.at_eof {
            return false;
        }
        if self.pos >= self.text.len() {
            self.text.clear();
            self.pos = 0;
        }
        // Prompts written without a newline must be visible before the program blocks.
        let _ = std::io::stdout().flush();
        match std::io::stdin().lock().read_line(&mut self.text) {
            Ok(0) | Err(_) => {
                self.at_eof = true;
                false
            }
            Ok(_) => true,
        }
    }

    fn fill(&mut self, need: Need) {
        loop {
            let rest = self.rest();
            let satisfied = match need {
                Need::Char => !rest.is_empty(),
                Need::Text(terminator) => rest.contains(terminator),
                Need::Chars(n) => rest.chars().count() >= n,
                Need::All => false,
            };
            if satisfied || !self.read_line() {
                return;
            }
        }
    }
}

/// Takes the standard input read ahead and not yet consumed, for a reader that goes on reading
/// standard input by itself (`stdin-chunks`).
pub(crate) fn take_buffered_stdin() -> String {
    STDIN.with(|cell| {
        let mut buffer = cell.borrow_mut();
        let rest = buffer.rest().to_string();
        buffer.pos = buffer.text.len();
        rest
    })
}

// ---------------------------------------------------------------------------------------------
// Argument helpers shared with io.rs
// ---------------------------------------------------------------------------------------------

/// The parameter ids reserved for the standard port parameters (`Interp::new_id` starts above).
pub const CURRENT_OUTPUT_ID: u64 = 1;
pub const CURRENT_ERROR_ID: u64 = 2;
pub const CURRENT_INPUT_ID: u64 = 3;

/// An open output port argument.
pub fn output_port<'a>(who: &str, v: &'a Value) -> R<&'a Value> {
    match v {
        Value::Port(p) if p.is_output() => {
            if p.is_closed() {
                return Err(closed_error(who, "output", p));
            }
            Ok(v)
        }
        other => Err(Error::contract(who, "output-port?", other)),
    }
}

/// An open input port argument.
pub fn input_port<'a>(who: &str, v: &'a Value) -> R<&'a Rc<Port>> {
    match v {
        Value::Port(p) if p.is_input() => {
            if p.is_closed() {
                return Err(closed_error(who, "input", p));
            }
            Ok(p)
        }
        other => Err(Error::contract(who, "input-port?", other)),
    }
}

/// The optional output-port argument at `index`; `None` stands for the current output port.
pub fn output_arg<'a>(who: &str, args: &'a [Value], index: usize) -> R<Option<&'a Value>> {
    args.get(index).map(|v| output_port(who, v)).transpose()
}

fn closed_error(who: &str, direction: &str, port: &Port) -> Error {
    Error::fail(format!(
        "{who}: {direction} port is closed\n  {direction} port: #<{}>",
        port.describe()
    ))
}

/// The optional input-port argument at `index`, defaulting to the current input port.
pub fn input_arg(interp: &Interp, who: &str, args: &[Value], index: usize) -> R<Rc<Port>> {
    match args.get(index) {
        Some(v) => input_port(who, v).cloned(),
        None => input_port(who, &interp.current_input()).cloned(),
    }
}

fn io_error(who: &str, e: std::io::Error) -> Error {
    Error::fail(format!("{who}: error writing to port: {e}"))
}

/// The exit status of a program whose standard output or error is a pipe that its reader
/// closed: what a shell reports for a process that SIGPIPE ended (128 + 13), as it ends most
/// command-line tools.
pub const BROKEN_PIPE_EXIT: i32 = 141;

/// Whether a failed write to a standard stream means that its reader has gone
/// (`rlmsh run prog.scm | head -1`).
pub fn is_broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

/// The error for a failed write to `port` by `who` (a builtin, or none for the writes of
/// `display` and its kin). A standard stream whose reader has gone ends the program quietly
/// with BROKEN_PIPE_EXIT, which no handler catches (the output it was writing has nowhere to
/// go); any other failure, such as a full disk under a file port, is an `exn:fail`.
pub fn write_error(who: Option<&str>, port: &Port, e: std::io::Error) -> Error {
    if is_broken_pipe(&e) && matches!(port, Port::Stdout | Port::Stderr) {
        return Error::exit(BROKEN_PIPE_EXIT);
    }
    match who {
        Some(who) => io_error(who, e),
        None => Error::fail(format!("error writing to port: {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// String ports
// ---------------------------------------------------------------------------------------------

fn open_output_string(_: &mut Interp, _: &[Value]) -> R<Value> {
    Ok(Value::Port(Rc::new(Port::new_string_output())))
}

fn open_input_string(_: &mut Interp, args: &[Value]) -> R<Value> {
    let text = args::string("open-input-string", &args[0])?;
    Ok(Value::Port(Rc::new(Port::new_string_input(text))))
}

fn get_output_string(_: &mut Interp, args: &[Value]) -> R<Value> {
    match &args[0] {
        Value::Port(p) => match &**p {
            Port::StringOut(buf) => Ok(Value::str(&buf.borrow())),
            _ => Err(Error::contract(
                "get-output-string",
                "(and/c output-port? string-port?)",
                &args[0],
            )),
        },
        other => Err(Error::contract(
            "get-output-string",
            "(and/c output-port? string-port?)",
            other,
        )),
    }
}

/// Runs `thunk` with parameter `id` bound to `port`, removing the binding however it exits.
fn with_port_bound(interp: &mut Interp, id: u64, port: Value, thunk: &Value) -> R<Value> {
    let depth = interp.param_stack.len();
    interp.param_stack.push((id, Rc::new(RefCell::new(port))));
    let result = interp.apply(thunk, vec![]);
    interp.param_stack.truncate(depth);
    result
}

fn string_output_text(port: &Value) -> Value {
    match port {
        Value::Port(p) => match &**p {
            Port::StringOut(buf) => Value::str(&buf.borrow()),
            _ => Value::str(""),
        },
        _ => Value::str(""),
    }
}

fn with_output_to_string(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let thunk = args::procedure("with-output-to-string", &args[0])?;
    let port = Value::Port(Rc::new(Port::new_string_output()));
    with_port_bound(interp, CURRENT_OUTPUT_ID, port.clone(), thunk)?;
    Ok(string_output_text(&port))
}

fn call_with_output_string(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let proc = args::procedure("call-with-output-string", &args[0])?;
    let port = Value::Port(Rc::new(Port::new_string_output()));
    interp.apply(proc, vec![port.clone()])?;
    Ok(string_output_text(&port))
}

fn with_input_from_string(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let text = args::string("with-input-from-string", &args[0])?;
    let thunk = args::procedure("with-input-from-string", &args[1])?;
    let port = Value::Port(Rc::new(Port::new_string_input(text)));
    with_port_bound(interp, CURRENT_INPUT_ID, port, thunk)
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum LineMode {
    Linefeed,
    Return,
    ReturnLinefeed,
    Any,
    AnyOne,
}

fn line_mode(v: Option<&Value>) -> R<LineMode> {
    let Some(v) = v else {
        return Ok(LineMode::Linefeed);
    };
    let mode = v.as_symbol().map(|s| s.name());
    Ok(match mode {
        Some("linefeed") => LineMode::Linefeed,
        Some("return") => LineMode::Return,
        Some("return-linefeed") => LineMode::ReturnLinefeed,
        Some("any") => LineMode::Any,
        Some("any-one") => LineMode::AnyOne,
        _ => {
            return Err(Error::contract(
                "read-line",
                "(or/c 'linefeed 'return 'return-linefeed 'any 'any-one)",
                v,
            ))
        }
    })
}

/// Splits the first line off `rest`: the line and the bytes consumed, or `None` at the end.
fn split_line(rest: &str, mode: LineMode) -> (Option<String>, usize) {
    if rest.is_empty() {
        return (None, 0);
    }
    let found = match mode {
        LineMode::Linefeed => rest.find('\n').map(|i| (i, 1)),
        LineMode::Return => rest.find('\r').map(|i| (i, 1)),
        LineMode::ReturnLinefeed => rest.find("\r\n").map(|i| (i, 2)),
        LineMode::AnyOne => rest.find(['\n', '\r']).map(|i| (i, 1)),
        LineMode::Any => rest
            .find(['\n', '\r'])
            .map(|i| (i, if rest[i..].starts_with("\r\n") { 2 } else { 1 })),
    };
    match found {
        Some((i, sep)) => (Some(rest[..i].to_string()), i + sep),
        None => (Some(rest.to_string()), rest.len()),
    }
}

fn or_eof(text: Option<String>) -> Value {
    text.map_or(Value::Eof, Value::string)
}

fn read_line(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let port = input_arg(interp, "read-line", args, 0)?;
    let mode = line_mode(args.get(1))?;
    let terminator = match mode {
        LineMode::Return => "\r",
        LineMode::ReturnLinefeed => "\r\n",
        LineMode::Linefeed | LineMode::Any | LineMode::AnyOne => "\n",
    };
    Ok(or_eof(port.consume(Need::Text(terminator), |rest| {
        split_line(rest, mode)
    })))
}

fn first_char(rest: &str) -> Option<char> {
    rest.chars().next()
}

fn read_char(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let port = input_arg(interp, "read-char", args, 0)?;
    let c = port.consume(Need::Char, |rest| {
        let c = first_char(rest);
        (c, c.map_or(0, char::len_utf8))
    });
    Ok(c.map_or(Value::Eof, Value::Char))
}

fn peek_char(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let port = input_arg(interp, "peek-char", args, 0)?;
    let c = port.consume(Need::Char, |rest| (first_char(rest), 0));
    Ok(c.map_or(Value::Eof, Value::Char))
}

fn read_string(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let count = args::index("read-string", &args[0])?;
    let port = input_arg(interp, "read-string", args, 1)?;
    if count == 0 {
        return Ok(Value::str(""));
    }
    let text = port.consume(Need::Chars(count), |rest| {
        let end = rest
            .char_indices()
            .nth(count)
            .map_or(rest.len(), |(i, _)| i);
        let taken = (end > 0).then(|| rest[..end].to_string());
        (taken, end)
    });
    Ok(or_eof(text))
}

fn char_ready(interp: &mut Interp, args: &[Value]) -> R<Value> {
    input_arg(interp, "char-ready?", args, 0)?;
    Ok(Value::Bool(true))
}

fn read(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let port = input_arg(interp, "read", args, 0)?;
    match port.read_datum() {
        Ok(Some(datum)) => Ok(datum_to_value(&datum)),
        Ok(None) => Ok(Value::Eof),
        Err(e) => Err(Error::read(e.message.replacen("read-syntax: ", "read: ", 1), e.span)),
    }
}

fn port_to_string(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let port = input_arg(interp, "port->string", args, 0)?;
    Ok(Value::string(
        port.consume(Need::All, |rest| (rest.to_string(), rest.len())),
    ))
}

fn port_to_lines(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let port = input_arg(interp, "port->lines", args, 0)?;
    let lines = port.consume(Need::All, |rest| (text_lines(rest), rest.len()));
    Ok(Value::list(lines))
}

/// Lines the way `port->lines` and `file->lines` split them (`'any` line mode).
fn text_lines(text: &str) -> Vec<Value> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let (Some(line), used) = split_line(rest, LineMode::Any) {
        lines.push(Value::string(line));
        rest = &rest[used..];
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Predicates and closing
// ---------------------------------------------------------------------------------------------

fn eof_object_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(args[0], Value::Eof)))
}

fn input_port_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        matches!(&args[0], Value::Port(p) if p.is_input()),
    ))
}

fn output_port_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        matches!(&args[0], Value::Port(p) if p.is_output()),
    ))
}

fn port_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(&args[0], Value::Port(_))))
}

fn close_output_port(_: &mut Interp, args: &[Value]) -> R<Value> {
    match &args[0] {
        Value::Port(p) if p.is_output() => {
            p.close().map_err(|e| io_error("close-output-port", e))?
        }
        other => return Err(Error::contract("close-output-port", "output-port?", other)),
    }
    Ok(Value::Void)
}

fn close_input_port(_: &mut Interp, args: &[Value]) -> R<Value> {
    match &args[0] {
        Value::Port(p) if p.is_input() => p.close().map_err(|e| io_error("close-input-port", e))?,
        other => return Err(Error::contract("close-input-port", "input-port?", other)),
    }
    Ok(Value::Void)
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/// Racket's report of a failed system call: `who: what\n  path: p\n  system error: ...`.
pub(crate) fn filesystem_error(who: &str, what: &str, path: &str, e: &std::io::Error) -> Error {
    let detail = match e.raw_os_error() {
        Some(code) => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            format!("{text}; errno={code}")
        }
        None => e.to_string(),
    };
    Error::new(
        ExnKind::Filesystem,
        format!("{who}: {what}\n  path: {path}\n  system error: {detail}"),
    )
}

pub(crate) fn path_arg<'a>(who: &str, v: &'a Value) -> R<&'a str> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Syntax(_) => args::string(who, v),
        other => Err(Error::contract(who, "path-string?", other)),
    }
}

fn read_file_text(who: &str, path: &str) -> R<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| filesystem_error(who, "cannot open input file", path, &e))?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

fn open_input(path: &str) -> R<Value> {
    let text = read_file_text("open-input-file", path)?;
    Ok(Value::Port(Rc::new(Port::FileIn {
        path: path.to_string(),
        text,
        pos: Cell::new(0),
        closed: Cell::new(false),
    })))
}

/// The `#:exists` flag of the file-writing builtins (default `'error`).
fn exists_mode(who: &str, kws: &[(Symbol, Value)]) -> R<&'static str> {
    let Some(v) = args::keyword(kws, "exists") else {
        return Ok("error");
    };
    const MODES: &[&str] = &[
        "error",
        "replace",
        "truncate",
        "truncate/replace",
        "append",
        "update",
        "can-update",
    ];
    match v
        .as_symbol()
        .and_then(|s| MODES.iter().find(|m| **m == s.name()))
    {
        Some(mode) => Ok(mode),
        None => Err(Error::contract(
            who,
            "(or/c 'error 'append 'update 'can-update 'replace 'truncate 'truncate/replace)",
            v,
        )),
    }
}

fn open_output(path: &str, mode: &str) -> R<Value> {
    let who = "open-output-file";
    let mut options = OpenOptions::new();
    options.write(true);
    match mode {
        "error" => {
            if std::path::Path::new(path).exists() {
                return Err(Error::new(
                    ExnKind::Filesystem,
                    format!("{who}: file exists\n  path: {path}"),
                ));
            }
            options.create_new(true)
        }
        "append" => options.append(true).create(true),
        "update" => &mut options,
        "can-update" => options.create(true),
        _ => options.create(true).truncate(true),
    };
    let file = options
        .open(path)
        .map_err(|e| filesystem_error(who, "cannot open output file", path, &e))?;
    Ok(Value::Port(Rc::new(Port::FileOut {
        path: path.to_string(),
        writer: RefCell::new(Some(BufWriter::new(file))),
    })))
}

fn close_port_value(who: &str, port: &Value) -> R<()> {
    match port {
        Value::Port(p) => p.close().map_err(|e| io_error(who, e)),
        _ => Ok(()),
    }
}

fn open_input_file(_: &mut Interp, args: &[Value]) -> R<Value> {
    open_input(path_arg("open-input-file", &args[0])?)
}

fn open_output_file(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let path = path_arg("open-output-file", &args[0])?;
    open_output(path, exists_mode("open-output-file", kws)?)
}

/// Runs `body` with a port, then closes the port whether or not `body` succeeded.
fn with_port(who: &str, port: Value, body: impl FnOnce(Value) -> R<Value>) -> R<Value> {
    let result = body(port.clone());
    let closed = close_port_value(who, &port);
    let value = result?;
    closed?;
    Ok(value)
}

fn call_with_output_file(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "call-with-output-file";
    let path = path_arg(who, &args[0])?;
    let proc = args::procedure(who, &args[1])?;
    let port = open_output(path, exists_mode(who, kws)?)?;
    with_port(who, port, |port| interp.apply(proc, vec![port]))
}

fn call_with_input_file(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let who = "call-with-input-file";
    let path = path_arg(who, &args[0])?;
    let proc = args::procedure(who, &args[1])?;
    let port = open_input(path)?;
    with_port(who, port, |port| interp.apply(proc, vec![port]))
}

fn with_output_to_file(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "with-output-to-file";
    let path = path_arg(who, &args[0])?;
    let thunk = args::procedure(who, &args[1])?;
    let port = open_output(path, exists_mode(who, kws)?)?;
    with_port(who, port, |port| {
        with_port_bound(interp, CURRENT_OUTPUT_ID, port, thunk)
    })
}

fn with_input_from_file(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let who = "with-input-from-file";
    let path = path_arg(who, &args[0])?;
    let thunk = args::procedure(who, &args[1])?;
    let port = open_input(path)?;
    with_port(who, port, |port| {
        with_port_bound(interp, CURRENT_INPUT_ID, port, thunk)
    })
}

fn file_to_string(_: &mut Interp, args: &[Value]) -> R<Value> {
    let path = path_arg("file->string", &args[0])?;
    Ok(Value::string(read_file_text("open-input-file", path)?))
}

fn file_to_lines(_: &mut Interp, args: &[Value]) -> R<Value> {
    let path = path_arg("file->lines", &args[0])?;
    Ok(Value::list(text_lines(&read_file_text(
        "open-input-file",
        path,
    )?)))
}

fn write_to_new_file(who: &str, args: &[Value], kws: &[(Symbol, Value)], text: String) -> R<Value> {
    let path = path_arg(who, &args[1])?;
    let port = open_output(path, exists_mode(who, kws)?)?;
    with_port(who, port, |port| match &port {
        Value::Port(p) => p
            .write_str(&text)
            .map(|_| Value::Void)
            .map_err(|e| io_error(who, e)),
        _ => Ok(Value::Void),
    })
}

fn display_to_file(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    write_to_new_file("display-to-file", args, kws, display_string(&args[0]))
}

fn write_to_file(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    write_to_new_file("write-to-file", args, kws, write_string(&args[0]))
}

fn file_exists_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    let path = path_arg("file-exists?", &args[0])?;
    Ok(Value::Bool(std::path::Path::new(path).is_file()))
}

fn file_size(_: &mut Interp, args: &[Value]) -> R<Value> {
    let path = path_arg("file-size", &args[0])?;
    let meta = std::fs::metadata(path).map_err(|e| filesystem_error("file-size", "cannot get size", path, &e))?;
    Ok(Value::Int(meta.len() as i64))
}

fn delete_file(_: &mut Interp, args: &[Value]) -> R<Value> {
    let path = path_arg("delete-file", &args[0])?;
    std::fs::remove_file(path)
        .map_err(|e| filesystem_error("delete-file", "cannot delete file", path, &e))?;
    Ok(Value::Void)
}

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("open-output-string", 0, 1, open_output_string, "A new output port that collects what is written to it."),
    Primitive::new("open-input-string", 1, 2, open_input_string, "A new input port that reads from a string."),
    Primitive::new("get-output-string", 1, 1, get_output_string, "Everything written so far to a string output port."),
    Primitive::new(
        "with-output-to-string",
        1,
        1,
        with_output_to_string,
        "Calls a thunk with the current output port collecting into a string; returns that string.",
    ),
    Primitive::new(
        "call-with-output-string",
        1,
        1,
        call_with_output_string,
        "Calls a procedure with a new string output port; returns what it wrote.",
    ),
    Primitive::new(
        "with-input-from-string",
        2,
        2,
        with_input_from_string,
        "Calls a thunk with the current input port reading from a string.",
    ),
    Primitive::new(
        "read-line",
        0,
        2,
        read_line,
        "Reads a line (without its terminator) from a port, default the current input; eof at the end.",
    ),
    Primitive::new("read-char", 0, 1, read_char, "Reads one character from a port; eof at the end."),
    Primitive::new("peek-char", 0, 1, peek_char, "The next character of a port without consuming it; eof at the end."),
    Primitive::new("read-string", 1, 2, read_string, "Reads up to N characters from a port; eof at the end."),
    Primitive::new("char-ready?", 0, 1, char_ready, "Can a character be read without blocking?"),
    Primitive::new("read", 0, 1, read, "Reads one datum from a port; eof at the end."),
    Primitive::new("port->string", 0, 1, port_to_string, "Reads everything left in a port as a string."),
    Primitive::new("port->lines", 0, 1, port_to_lines, "Reads everything left in a port as a list of lines."),
    Primitive::new("eof-object?", 1, 1, eof_object_p, "Is the value the end-of-file object?"),
    Primitive::new("input-port?", 1, 1, input_port_p, "Is the value an input port?"),
    Primitive::new("output-port?", 1, 1, output_port_p, "Is the value an output port?"),
    Primitive::new("port?", 1, 1, port_p, "Is the value a port?"),
    Primitive::new("close-output-port", 1, 1, close_output_port, "Closes an output port, flushing a file."),
    Primitive::new("close-input-port", 1, 1, close_input_port, "Closes an input port."),
    Primitive::new("open-input-file", 1, 1, open_input_file, "Opens a file for reading.").needs(Capability::Files),
    Primitive::with_keywords(
        "open-output-file",
        1,
        1,
        &["exists"],
        open_output_file,
        "Opens a file for writing; #:exists is 'error (default), 'replace, 'truncate or 'append.",
    ).needs(Capability::Files),
    Primitive::with_keywords(
        "call-with-output-file",
        2,
        2,
        &["exists"],
        call_with_output_file,
        "Calls a procedure with an output port on a file, closing it afterwards.",
    ).needs(Capability::Files),
    Primitive::new(
        "call-with-input-file",
        2,
        2,
        call_with_input_file,
        "Calls a procedure with an input port on a file, closing it afterwards.",
    ).needs(Capability::Files),
    Primitive::with_keywords(
        "with-output-to-file",
        2,
        2,
        &["exists"],
        with_output_to_file,
        "Calls a thunk with the current output port writing to a file.",
    ).needs(Capability::Files),
    Primitive::new(
        "with-input-from-file",
        2,
        2,
        with_input_from_file,
        "Calls a thunk with the current input port reading from a file.",
    ).needs(Capability::Files),
    Primitive::new("file->string", 1, 1, file_to_string, "The whole contents of a file as a string.").needs(Capability::Files),
    Primitive::new("file->lines", 1, 1, file_to_lines, "The lines of a file as a list of strings.").needs(Capability::Files),
    Primitive::with_keywords(
        "display-to-file",
        2,
        2,
        &["exists"],
        display_to_file,
        "Writes a value to a file in display style.",
    ).needs(Capability::Files),
    Primitive::with_keywords(
        "write-to-file",
        2,
        2,
        &["exists"],
        write_to_file,
        "Writes a value to a file in write style.",
    ).needs(Capability::Files),
    Primitive::new("file-exists?", 1, 1, file_exists_p, "Does a regular file exist at the path?").needs(Capability::Files),
    Primitive::new("file-size", 1, 1, file_size, "The size of the file at the path, in bytes.").needs(Capability::Files),
    Primitive::new("delete-file", 1, 1, delete_file, "Deletes a file.").needs(Capability::Files),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::args::testing::Check;

    fn interp() -> Interp {
        Interp::new()
    }

    fn string_port(text: &str) -> Value {
        Value::Port(Rc::new(Port::new_string_input(text)))
    }

    fn text(v: &Value) -> String {
        match v {
            Value::Str(s) => s.to_string(),
            Value::Eof => "#<eof>".to_string(),
            other => format!("{:?}", other.type_name()),
        }
    }

    #[test]
    fn read_line_modes() {
        let mut i = interp();
        let p = string_port("ab\ncd\r\nef\rgh");
        let line = |i: &mut Interp, mode: Option<&str>| {
            let mut args = vec![p.clone()];
            args.extend(mode.map(Value::sym));
            text(&read_line(i, &args).check())
        };
        assert_eq!(line(&mut i, None), "ab");
        assert_eq!(line(&mut i, None), "cd\r");
        assert_eq!(line(&mut i, Some("any")), "ef");
        assert_eq!(line(&mut i, None), "gh");
        assert_eq!(line(&mut i, None), "#<eof>");
        let p = string_port("a\r\nb");
        let parts: Vec<String> = (0..3)
            .map(|_| text(&read_line(&mut i, &[p.clone(), Value::sym("any-one")]).check()))
            .collect();
        assert_eq!(parts, ["a", "", "b"]);
        assert!(read_line(&mut i, &[p.clone(), Value::sym("foo")]).is_err());
    }

    #[test]
    fn reading_characters_and_strings() {
        let mut i = interp();
        let p = string_port("héllo");
        assert!(matches!(
            peek_char(&mut i, std::slice::from_ref(&p)),
            Ok(Value::Char('h'))
        ));
        assert!(matches!(
            read_char(&mut i, std::slice::from_ref(&p)),
            Ok(Value::Char('h'))
        ));
        assert_eq!(
            text(&read_string(&mut i, &[Value::Int(2), p.clone()]).check()),
            "él"
        );
        assert_eq!(
            text(&port_to_string(&mut i, std::slice::from_ref(&p)).check()),
            "lo"
        );
        assert!(matches!(
            read_char(&mut i, std::slice::from_ref(&p)),
            Ok(Value::Eof)
        ));
        assert!(matches!(
            read_string(&mut i, &[Value::Int(3), p]),
            Ok(Value::Eof)
        ));
    }

    #[test]
    fn port_lines_split_any_terminator() {
        let mut i = interp();
        let lines = port_to_lines(&mut i, &[string_port("abc\r\ndef\nx\n")]).check();
        let lines: Vec<String> = lines.iter().map(|v| text(&v)).collect();
        assert_eq!(lines, ["abc", "def", "x"]);
    }

    #[test]
    fn string_output_ports_collect_text() {
        let mut i = interp();
        let port = open_output_string(&mut i, &[]).check();
        i.write_output(Some(&port), "hé").check();
        i.write_output(Some(&port), "llo").check();
        assert_eq!(text(&get_output_string(&mut i, &[port]).check()), "héllo");
        assert!(get_output_string(&mut i, &[string_port("x")]).is_err());
    }

    #[test]
    fn wrong_port_kinds_are_contract_errors() {
        let mut i = interp();
        let e = read_line(&mut i, &[Value::Int(5)]).expect_err("error");
        assert!(e.report().contains("expected: input-port?"));
        let out = open_output_string(&mut i, &[]).check();
        assert!(read_char(&mut i, std::slice::from_ref(&out)).is_err());
        assert!(output_port("display", &out).is_ok());
        assert!(output_port("display", &string_port("")).is_err());
    }

    #[test]
    fn files_round_trip() {
        let mut i = interp();
        let dir = std::env::temp_dir().join(format!("rlmsh-ports-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("out.txt");
        let path_value = Value::string(path.to_string_lossy().into_owned());
        let _ = std::fs::remove_file(&path);
        let replace = [(Symbol::intern("exists"), Value::sym("replace"))];
        let port = open_output_file(&mut i, std::slice::from_ref(&path_value), &replace).check();
        i.write_output(Some(&port), "hello\nworld").check();
        close_output_port(&mut i, std::slice::from_ref(&port)).check();
        assert!(i.write_output(Some(&port), "more").is_err());
        assert_eq!(
            text(&file_to_string(&mut i, std::slice::from_ref(&path_value)).check()),
            "hello\nworld"
        );
        let lines = file_to_lines(&mut i, std::slice::from_ref(&path_value)).check();
        assert_eq!(
            lines.iter().map(|v| text(&v)).collect::<Vec<_>>(),
            ["hello", "world"]
        );
        let e =
            open_output_file(&mut i, std::slice::from_ref(&path_value), &[]).expect_err("exists");
        assert!(e.report().contains("file exists"));
        assert_eq!(e.exn_kind(), Some(ExnKind::Filesystem));
        let append = [(Symbol::intern("exists"), Value::sym("append"))];
        let port = open_output_file(&mut i, std::slice::from_ref(&path_value), &append).check();
        i.write_output(Some(&port), "!").check();
        close_output_port(&mut i, &[port]).check();
        let input = open_input_file(&mut i, std::slice::from_ref(&path_value)).check();
        assert_eq!(
            text(&read_line(&mut i, std::slice::from_ref(&input)).check()),
            "hello"
        );
        assert_eq!(
            text(&read_line(&mut i, std::slice::from_ref(&input)).check()),
            "world!"
        );
        close_input_port(&mut i, std::slice::from_ref(&input)).check();
        let e = read_line(&mut i, &[input]).expect_err("closed");
        assert!(e.report().contains("input port is closed"));
        assert!(matches!(
            file_exists_p(&mut i, std::slice::from_ref(&path_value)),
            Ok(Value::Bool(true))
        ));
        delete_file(&mut i, std::slice::from_ref(&path_value)).check();
        assert!(matches!(
            file_exists_p(&mut i, std::slice::from_ref(&path_value)),
            Ok(Value::Bool(false))
        ));
        let e = delete_file(&mut i, std::slice::from_ref(&path_value)).expect_err("missing");
        assert!(e.report().contains("cannot delete file"));
        assert!(e.report().contains("errno=2"));
        let e = file_to_string(&mut i, &[path_value]).expect_err("missing");
        assert!(e
            .report()
            .starts_with("open-input-file: cannot open input file"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

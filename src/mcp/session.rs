//! The interpreter side of the MCP server: one persistent instance, on the thread that owns
//! it, doing the jobs the protocol side sends (run code, load context, reset, describe the
//! state) and answering each with JSON. Nothing here is shared with the protocol side but
//! [`Shared`], which holds only `Send` data.

use std::collections::HashSet;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{json, Value as Json};

use super::shared::{Job, Running, Shared};
use crate::builtins::ports::Port;
use crate::cli::{is_slot_name, Host, SessionFlags};
use crate::error::{Error, ExnKind, Signal, Span};
use crate::eval::compile::compile_toplevel;
use crate::llm::TraceMemory;
use crate::reader::read_all;
use crate::value::print::{display_string, print_string};
use crate::value::{Symbol, Value};
use crate::Interp;

/// Results and output longer than this many characters are cut (the whole text is saved as a
/// checkpoint).
pub const MAX_TEXT_CHARS: usize = 20_000;
const PREVIEW_CHARS: usize = 100;

pub struct Session {
    interp: Interp,
    flags: SessionFlags,
    shared: Arc<Shared>,
    /// The names bound before any code ran: what the user defines is the rest.
    baseline: HashSet<String>,
    /// Executions since the server started, numbering them in error locations and checkpoints.
    executions: u64,
}

/// A job and where its answer goes.
pub struct Envelope {
    pub job: Job,
    pub control: Arc<JobControl>,
    pub reply: tokio::sync::oneshot::Sender<Reply>,
}

/// Set by the protocol side to stop a job (the client cancelled it, or its time ran out), and
/// by the session as the job starts and ends, so that stopping a job that is still queued, or
/// already done, never interrupts another one.
#[derive(Default)]
pub struct JobControl {
    pub stopped: Mutex<Option<String>>,
    running: AtomicBool,
}

impl JobControl {
    pub fn new_shared() -> Arc<JobControl> {
        Arc::new(JobControl::default())
    }

    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }
}

pub struct Reply {
    pub body: Json,
    pub is_error: bool,
}

impl Session {
    /// A session configured by the command line's flags, and the state it shares with the
    /// protocol side; the error is the setup error's exit code.
    pub fn start(flags: SessionFlags, interrupt: Arc<AtomicBool>) -> Result<(Session, Arc<Shared>), i32> {
        let trace = TraceMemory::default();
        let mut interp = fresh_interp(&flags, &interrupt, &trace)?;
        let shared = Arc::new(Shared::new(interrupt, trace, crate::llm::calls(&mut interp)));
        let mut session = Session { interp, flags, shared: shared.clone(), baseline: HashSet::new(), executions: 0 };
        session.settle();
        Ok((session, shared))
    }

    /// Does jobs until the protocol side hangs up.
    pub fn serve(mut self, jobs: Receiver<Envelope>) {
        for Envelope { job, control, reply } in jobs {
            let answer = self.handle(job, &control);
            let _ = reply.send(answer);
        }
    }

    /// Records what a fresh instance holds and lets the protocol side see its calls.
    fn settle(&mut self) {
        self.baseline = self.interp.globals.bound_names().into_iter().collect();
        *self.shared.calls.lock().unwrap_or_else(|p| p.into_inner()) = crate::llm::calls(&mut self.interp);
    }

    fn handle(&mut self, job: Job, control: &JobControl) -> Reply {
        match job {
            Job::Execute { code } => self.execute(&code, control),
            Job::LoadContext { data, name, json } => self.load_context(data, name.as_deref(), json),
            Job::Reset { clear_checkpoints } => self.reset(clear_checkpoints),
            Job::State => ok(self.state()),
        }
    }

    fn execute(&mut self, code: &str, control: &JobControl) -> Reply {
        self.executions += 1;
        // In this order, a stop that comes while the job starts either finds it started (and
        // interrupts it) or is seen here.
        self.interp.interrupt.store(false, Ordering::SeqCst);
        control.running.store(true, Ordering::SeqCst);
        let reply = self.run_execution(code, control);
        control.running.store(false, Ordering::SeqCst);
        reply
    }

    fn run_execution(&mut self, code: &str, control: &JobControl) -> Reply {
        let number = self.executions;
        if let Some(reason) = control.stopped.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return error_reply(json!({"status": "error", "error": {"message": format!("execution stopped before it began: {reason}"), "kind": "break"}}));
        }
        let first_call = crate::llm::next_call_id(&mut self.interp);
        self.shared.begin_execution(Running { number, started: Instant::now() }, first_call);
        let before = crate::llm::usage_json(&mut self.interp);
        let output = self.capture(true);
        let errors = self.capture(false);
        let started = Instant::now();
        let outcome = run(&mut self.interp, code, &format!("exec#{number}"));
        crate::builtins::system::flush_stdout();
        let after = crate::llm::usage_json(&mut self.interp);
        self.shared.end_execution(crate::llm::next_call_id(&mut self.interp));
        let mut body = json!({"execution": number});
        let is_error = match outcome {
            Ok(value) => {
                body["status"] = json!("completed");
                body["result"] = self.clipped_result(number, &value);
                false
            }
            Err(e) => match e.signal() {
                Signal::Finish(value) => {
                    body["status"] = json!("finished");
                    body["result"] = self.clipped_result(number, value);
                    false
                }
                Signal::Exit(0) => {
                    body["status"] = json!("completed");
                    body["result"] = Json::Null;
                    false
                }
                _ => {
                    let stopped = control.stopped.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    body["status"] = json!("error");
                    body["result"] = Json::Null;
                    body["error"] = error_json(&e, stopped.as_deref());
                    true
                }
            },
        };
        body["output"] = json!(self.clipped_text(number, "output", &port_text(&output)));
        let stderr = port_text(&errors);
        if !stderr.is_empty() {
            body["stderr"] = json!(self.clipped_text(number, "stderr", &stderr));
        }
        let calls = after.1.saturating_sub(before.1);
        body["calls"] = json!(calls);
        let (tokens, cost) = usage_difference(&before.0, &after.0);
        body["tokens"] = tokens;
        body["cost_usd"] = json!(cost);
        body["elapsed_ms"] = json!(started.elapsed().as_millis() as u64);
        Reply { body, is_error }
    }

    /// Sends what the code displays (or writes to the error port) to a fresh string port.
    fn capture(&mut self, output: bool) -> Value {
        let port = Value::Port(Rc::new(Port::new_string_output()));
        let parameter = if output { &self.interp.stdout } else { &self.interp.stderr };
        if let Value::Parameter(p) = parameter {
            *p.value.borrow_mut() = port.clone();
        }
        port
    }

    fn clipped_result(&mut self, number: u64, value: &Value) -> Json {
        if matches!(value, Value::Void) {
            return Json::Null;
        }
        let converted = crate::cli::result_json(value);
        let text = converted.to_string();
        if text.chars().count() <= MAX_TEXT_CHARS {
            return converted;
        }
        json!(self.clipped_text(number, "result", &display_string(value)))
    }

    /// `text`, or its start and a note saying where the whole of it was saved.
    fn clipped_text(&mut self, number: u64, what: &str, text: &str) -> String {
        let length = text.chars().count();
        if length <= MAX_TEXT_CHARS {
            return text.to_string();
        }
        let start: String = text.chars().take(MAX_TEXT_CHARS).collect();
        let key = format!("mcp:exec{number}:{what}");
        let dir = crate::scaffold::checkpoint_dir(&mut self.interp);
        let note = match crate::scaffold::checkpoints::save(&dir, &key, &Value::string(text.to_string())) {
            Ok(()) => format!(
                "[{what} cut: the first {MAX_TEXT_CHARS} of {length} characters. The whole text is saved as checkpoint \"{key}\"; \
                 read more with (substring (restore \"{key}\") {MAX_TEXT_CHARS} {})]",
                length.min(2 * MAX_TEXT_CHARS)
            ),
            Err(e) => format!("[{what} cut: the first {MAX_TEXT_CHARS} of {length} characters; the whole text could not be saved: {e}]"),
        };
        format!("{start}\n{note}")
    }

    fn load_context(&mut self, data: String, name: Option<&str>, json: bool) -> Reply {
        let value = if json {
            match crate::builtins::json::parse_jsexpr(&data) {
                Ok(v) => v,
                Err(e) => return error_reply(json!({"status": "error", "error": {"message": format!("load_context: the data is not JSON: {e}")}})),
            }
        } else {
            Value::string(data.clone())
        };
        let python = if json { crate::python::StartupGlobal::Json(data.clone()) } else { crate::python::StartupGlobal::Text(data.clone()) };
        let (target, bound) = match name {
            Some(name) => {
                if !is_slot_name(name) {
                    return error_reply(json!({"status": "error", "error": {"message": format!("load_context: {name:?} is not a slot name (letters, digits, _ and -, starting with a letter or _)")}}));
                }
                crate::scaffold::set_context_slot(&mut self.interp, name, value);
                (format!("(get-context \"{name}\")"), Ok(()))
            }
            None => {
                self.interp.globals.define("context", value);
                ("context".to_string(), crate::python::bind(&mut self.interp, "context", python))
            }
        };
        let mut body = json!({"status": "loaded", "bound_to": target, "chars": data.chars().count(), "lines": data.lines().count(), "json": json});
        if let Err(e) = bound {
            body["python"] = json!(format!("not bound in Python: {}", e.report()));
        }
        ok(body)
    }

    fn reset(&mut self, clear_checkpoints: bool) -> Reply {
        let interp = match fresh_interp(&self.flags, &self.shared.interrupt, &self.shared.trace) {
            Ok(interp) => interp,
            Err(code) => return error_reply(json!({"status": "error", "error": {"message": format!("reset: the session could not be set up again (exit code {code}); the old one is kept")}})),
        };
        let dir = crate::scaffold::checkpoint_dir(&mut self.interp);
        self.interp = interp;
        self.settle();
        self.shared.clear_trace();
        let mut body = json!({"status": "reset"});
        if clear_checkpoints {
            match crate::scaffold::checkpoints::clear(&dir) {
                Ok(n) => body["checkpoints_removed"] = json!(n),
                Err(e) => body["checkpoints_error"] = json!(format!("cannot clear {}: {e}", dir.display())),
            }
        }
        ok(body)
    }

    fn state(&mut self) -> Json {
        let mut names: Vec<String> =
            self.interp.globals.bound_names().into_iter().filter(|n| !self.baseline.contains(n) && n != "context").collect();
        names.sort();
        let definitions: Vec<Json> = names
            .iter()
            .map(|name| json!({"name": name, "preview": preview(&self.interp.globals.cell(Symbol::intern(name)).get())}))
            .collect();
        let python = match crate::python::describe_globals(&mut self.interp, PREVIEW_CHARS) {
            Some(globals) => json!(globals.into_iter().map(|(name, preview)| json!({"name": name, "preview": preview})).collect::<Vec<_>>()),
            None => json!("Python has not been used in this session"),
        };
        let context = self.interp.globals.cell(Symbol::intern("context")).get();
        let slots: Vec<Json> = crate::scaffold::context_slots(&mut self.interp)
            .iter()
            .map(|(name, value)| json!({"name": name, "size": size(value), "preview": preview(value)}))
            .collect();
        let (tokens, calls) = crate::llm::usage_json(&mut self.interp);
        json!({
            "definitions": definitions,
            "python_globals": python,
            "context": {"size": size(&context), "preview": preview(&context)},
            "context_slots": slots,
            "calls": calls,
            "tokens": tokens,
            "executions": self.executions,
        })
    }
}

fn fresh_interp(flags: &SessionFlags, interrupt: &Arc<AtomicBool>, trace: &TraceMemory) -> Result<Interp, i32> {
    let mut interp = Interp::new();
    interp.interrupt = interrupt.clone();
    flags.apply(&mut interp, &Host::Mcp { trace: trace.clone() }).map_err(|e| e.report())?;
    Ok(interp)
}

/// Reads all of `code` (so a syntax error anywhere runs nothing), then compiles and runs each
/// form; the value of the last one.
fn run(interp: &mut Interp, code: &str, name: &str) -> Result<Value, Error> {
    let forms = read_all(code, Span::register_file(name)).map_err(Error::from)?;
    let mut last = Value::Void;
    for form in &forms {
        let compiled = compile_toplevel(&interp.globals, form)?;
        last = interp.run_toplevel(&compiled)?;
    }
    Ok(last)
}

fn error_json(e: &Error, stopped: Option<&str>) -> Json {
    let kind = e.exn_kind();
    let mut error = json!({"message": e.report()});
    if let Signal::Exit(code) = e.signal() {
        error["message"] = json!(format!("the code called (exit {code}); the server and the session go on"));
    }
    if let (Some(ExnKind::Break), Some(reason)) = (kind, stopped) {
        error["message"] = json!(format!("execution stopped: {reason}"));
    }
    error["kind"] = json!(match kind {
        Some(kind) => format!("{kind:?}").to_lowercase(),
        None if matches!(e.signal(), Signal::Exit(_)) => "exit".to_string(),
        None => "raise".to_string(),
    });
    if let Some(exn) = e.exn() {
        let span = exn.span.get();
        if span.is_known() {
            error["line"] = json!(span.line);
            error["column"] = json!(span.col);
        }
    }
    error
}

/// The tokens (prompt, completion, total) and cost an execution added to the session's totals.
fn usage_difference(before: &Json, after: &Json) -> (Json, f64) {
    let count = |k: &str| after[k].as_u64().unwrap_or(0).saturating_sub(before[k].as_u64().unwrap_or(0));
    let cost = |v: &Json| v["cost_usd"].as_f64().unwrap_or(0.0);
    (json!({"prompt": count("prompt"), "completion": count("completion"), "total": count("total")}), (cost(after) - cost(before)).max(0.0))
}

fn port_text(port: &Value) -> String {
    match port {
        Value::Port(p) => p.string_output_text(),
        _ => String::new(),
    }
}

fn preview(value: &Value) -> String {
    let text = print_string(value);
    let mut shown: String = text.chars().take(PREVIEW_CHARS).collect();
    if shown.len() < text.len() {
        shown.push_str("...");
    }
    shown
}

/// Characters of a string, elements of a list or vector, entries of a hash table.
fn size(value: &Value) -> Json {
    match value {
        Value::Str(s) => json!({"chars": s.chars().count(), "lines": s.lines().count()}),
        Value::Vector(v) => json!({"elements": v.borrow().len()}),
        other => match other.list_to_vec() {
            Some(items) => json!({"elements": items.len()}),
            None => json!({"printed_chars": print_string(other).chars().count()}),
        },
    }
}

fn ok(body: Json) -> Reply {
    Reply { body, is_error: false }
}

fn error_reply(body: Json) -> Reply {
    Reply { body, is_error: true }
}

//! An interpreter instance: its top-level environment, its dynamic state (parameters, the
//! current ports) and the entry points the CLI, the REPL and embedders use. Several instances
//! can live in one process (nested sandboxes for model-written code).

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use gcmodule::Cc;

use crate::builtins::ports::{Port, CURRENT_ERROR_ID, CURRENT_INPUT_ID, CURRENT_OUTPUT_ID};
use crate::error::{Error, ExnKind, Span, R};
use crate::eval::macros::Macro;
use crate::reader::{read_all, Datum};
use crate::value::{Parameter, Symbol, Value};

const NORMAL_TICK_MASK: u32 = 0x3FF;

/// A top-level variable. Compiled code holds the cell directly, so a global lookup is a
/// pointer dereference.
///
/// The value sits in an `UnsafeCell` rather than a `RefCell`: globals are read on every call
/// and every inlined builtin, and a borrow flag costs a load, a check and two stores each time.
/// Soundness rests on two facts. A cell is only reachable through `Rc` (never `Send`) and
/// `UnsafeCell` is not `Sync`, so all accesses happen on one thread, one at a time. And no
/// reference into the cell outlives a step that could store into it: `get` clones (which only
/// increments a reference count), `set` swaps the new value in with one `ptr::replace` and drops
/// the old one afterwards (a destructor may run arbitrary code, so it must not run while the
/// cell is being written), and `peek`, for the evaluator's hot paths, is `unsafe` and puts that
/// obligation on its callers.
pub struct GlobalCell {
    pub name: Symbol,
    value: UnsafeCell<Value>,
    /// Scaffold bindings that user code may not redefine.
    pub protected: Cell<bool>,
}

impl GlobalCell {
    pub fn new(name: Symbol) -> GlobalCell {
        GlobalCell { name, value: UnsafeCell::new(Value::Undefined), protected: Cell::new(false) }
    }

    /// The current value (`Undefined` before the variable is defined).
    #[inline(always)]
    pub fn get(&self) -> Value {
        // SAFETY: see the type's documentation; the shared reference lives only for the clone.
        unsafe { (*self.value.get()).clone() }
    }

    /// Stores a value and returns the previous one, which the caller drops when it likes.
    #[inline(always)]
    pub fn replace(&self, value: Value) -> Value {
        // SAFETY: see the type's documentation; no reference into the cell is live here, and
        // the old value leaves the cell before anything can run its destructor.
        unsafe { std::ptr::replace(self.value.get(), value) }
    }

    #[inline(always)]
    pub fn set(&self, value: Value) {
        drop(self.replace(value));
    }

    /// Whether the variable has been defined.
    #[inline(always)]
    pub fn is_bound(&self) -> bool {
        // SAFETY: the reference lives only for the tag check.
        !matches!(unsafe { &*self.value.get() }, Value::Undefined)
    }

    /// The current value, borrowed.
    ///
    /// # Safety
    ///
    /// The caller must be done with the reference before anything can store into this cell:
    /// before evaluating code, calling a procedure or dropping a value. Inspecting the value
    /// and cloning it (or the `Rc`s inside it) is fine.
    #[inline(always)]
    pub unsafe fn peek(&self) -> &Value {
        &*self.value.get()
    }
}

/// A top-level environment: variables and macros.
#[derive(Default)]
pub struct Globals {
    pub cells: RefCell<HashMap<Symbol, Rc<GlobalCell>>>,
    pub macros: RefCell<HashMap<Symbol, Rc<Macro>>>,
}

impl Globals {
    pub fn cell(&self, name: Symbol) -> Rc<GlobalCell> {
        self.cells
            .borrow_mut()
            .entry(name)
            .or_insert_with(|| Rc::new(GlobalCell::new(name)))
            .clone()
    }

    pub fn define(&self, name: &str, value: Value) {
        self.cell(Symbol::intern(name)).set(value);
    }

    /// Names bound to a value, for REPL completion and sandbox inspection.
    pub fn bound_names(&self) -> Vec<String> {
        let cells = self.cells.borrow();
        let mut names: Vec<String> = cells
            .values()
            .filter(|c| c.is_bound())
            .map(|c| c.name.name().to_string())
            .collect();
        names.sort();
        names
    }

    /// Clears every binding: compiled code points at the cells and closures stored in them
    /// point back at compiled code, so an abandoned environment would otherwise leak.
    pub fn clear(&self) {
        let cells: Vec<Rc<GlobalCell>> = self.cells.borrow().values().cloned().collect();
        for cell in cells {
            cell.set(Value::Undefined);
        }
        self.macros.borrow_mut().clear();
    }
}

pub struct Interp {
    pub globals: Rc<Globals>,
    /// Dynamic bindings made by `parameterize`, innermost last: (parameter id, value cell).
    pub param_stack: Vec<(u64, Rc<RefCell<Value>>)>,
    /// The `current-output-port`, `current-error-port` and `current-input-port` parameters.
    pub stdout: Value,
    pub stderr: Value,
    pub stdin: Value,
    /// Set from another thread (Ctrl-C, a timeout) to interrupt evaluation.
    pub interrupt: Arc<AtomicBool>,
    pub command_line: Vec<String>,
    pub(crate) stack_limit: usize,
    /// Frames of procedures that create no closures, innermost last.
    pub(crate) value_stack: Vec<Value>,
    /// Where the running procedure's frame starts in `value_stack`.
    pub(crate) frame_base: usize,
    pub(crate) ticks: u32,
    /// Limits and interrupts are checked when `ticks & tick_mask` is zero: every 1,024 calls
    /// normally, on every call in a sandbox (an allocation bomb doubles its memory per call).
    pub(crate) tick_mask: u32,
    /// The limits of a sandbox running model-written code (`None` for a program's own instance).
    pub limits: Option<crate::sandbox::Limits>,
    next_id: Cell<u64>,
    /// State that later layers (model calls, Python, the scaffold) keep per instance.
    extensions: HashMap<TypeId, Box<dyn Any>>,
}

impl Drop for Interp {
    fn drop(&mut self) {
        if Rc::strong_count(&self.globals) == 1 {
            self.globals.clear();
        }
    }
}

impl Interp {
    /// A fresh instance with every builtin and the Scheme standard library installed.
    pub fn new() -> Interp {
        let mut interp = Interp::bare(Rc::new(Globals::default()));
        let globals = interp.globals.clone();
        if let Err(e) = crate::eval::prelude::install_into(&mut interp, &globals) {
            unreachable!("the standard library must load: {}", e.report());
        }
        interp
    }

    /// An instance with an empty top-level environment, for callers that configure it before
    /// installing the builtins (a sandbox withholds some of them).
    pub fn blank() -> Interp {
        Interp::bare(Rc::new(Globals::default()))
    }

    /// Sends a sandbox's output where its parent's goes, and gives it an empty standard input.
    pub fn connect_ports(&mut self, output: Value, error: Value) {
        for (parameter, port) in [(&self.stdout, output), (&self.stderr, error)] {
            if let Value::Parameter(p) = parameter {
                *p.value.borrow_mut() = port;
            }
        }
        if let Value::Parameter(p) = &self.stdin {
            *p.value.borrow_mut() = Value::Port(Rc::new(Port::new_string_input("")));
        }
    }

    fn bare(globals: Rc<Globals>) -> Interp {
        Interp {
            globals,
            param_stack: Vec::new(),
            stdout: port_parameter(CURRENT_OUTPUT_ID, Port::Stdout, "current-output-port"),
            stderr: port_parameter(CURRENT_ERROR_ID, Port::Stderr, "current-error-port"),
            stdin: port_parameter(CURRENT_INPUT_ID, Port::Stdin, "current-input-port"),
            interrupt: Arc::new(AtomicBool::new(false)),
            command_line: Vec::new(),
            stack_limit: crate::eval::stack::limit_for_current_thread(),
            value_stack: Vec::new(),
            frame_base: 0,
            ticks: 0,
            tick_mask: NORMAL_TICK_MASK,
            limits: None,
            next_id: Cell::new(16),
            extensions: HashMap::new(),
        }
    }

    pub fn new_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    pub fn extension<T: Any>(&mut self) -> Option<&mut T> {
        self.extensions.get_mut(&TypeId::of::<T>()).and_then(|b| b.downcast_mut())
    }

    pub fn set_extension<T: Any>(&mut self, value: T) {
        self.extensions.insert(TypeId::of::<T>(), Box::new(value));
    }

    pub fn check_interrupt(&self) -> R<()> {
        if self.interrupt.swap(false, Ordering::Relaxed) {
            return Err(Error::new(ExnKind::Break, "user break"));
        }
        self.check_limits(0)
    }

    /// Called by the evaluator every `tick_mask + 1` procedure calls.
    pub(crate) fn poll(&self) -> R<()> {
        if self.interrupt.swap(false, Ordering::Relaxed) {
            return Err(Error::new(ExnKind::Break, "user break"));
        }
        if self.limits.is_none() {
            if let Some(limit) = crate::sandbox::heap::exceeded_by(0) {
                return Err(limit.error(None));
            }
        }
        self.check_limits(u64::from(self.tick_mask) + 1)
    }

    /// Holds the program to `megabytes` more heap than it holds now (`--max-memory`), checked
    /// on every procedure call: a loop that doubles a string reaches any limit within a few
    /// dozen calls.
    pub fn limit_memory(&mut self, megabytes: u64) {
        self.tick_mask = 0;
        crate::sandbox::heap::limit_program(megabytes);
    }

    /// Stops a sandbox that has spent its fuel, time or memory; `calls` is the fuel spent since
    /// the last check.
    pub fn check_limits(&self, calls: u64) -> R<()> {
        match &self.limits {
            Some(limits) => limits.check(calls),
            None => Ok(()),
        }
    }

    /// Puts an instance under a sandbox's limits.
    pub fn set_limits(&mut self, limits: crate::sandbox::Limits) {
        self.limits = Some(limits);
        self.tick_mask = 0;
    }

    /// Reads and evaluates every form of `src`; returns the value of the last one.
    pub fn eval_str(&mut self, src: &str, file: &str) -> R<Value> {
        let globals = self.globals.clone();
        self.eval_str_in(&globals, src, file)
    }

    /// Compiles and evaluates one top-level form.
    pub fn eval_datum(&mut self, form: &Datum) -> R<Value> {
        let globals = self.globals.clone();
        self.eval_datum_in(&globals, form)
    }

    /// Compiles and evaluates one top-level form in the given top-level environment.
    pub fn eval_datum_in(&mut self, globals: &Rc<Globals>, form: &Datum) -> R<Value> {
        let compiled = crate::eval::compile::compile_toplevel(globals, form)?;
        self.run_toplevel(&compiled)
    }

    /// Reads and evaluates every form of `src` in the given top-level environment.
    pub fn eval_str_in(&mut self, globals: &Rc<Globals>, src: &str, file: &str) -> R<Value> {
        let file_id = Span::register_file(file);
        let mut last = Value::Void;
        for form in &read_all(src, file_id)? {
            last = self.eval_datum_in(globals, form)?;
        }
        Ok(last)
    }

    /// The current output port (the value of the `current-output-port` parameter).
    pub fn current_output(&self) -> Value {
        self.parameter_value(&self.stdout)
    }

    pub fn current_error(&self) -> Value {
        self.parameter_value(&self.stderr)
    }

    pub fn current_input(&self) -> Value {
        self.parameter_value(&self.stdin)
    }

    /// The value a parameter has here: its innermost `parameterize` binding or its own value.
    pub fn parameter_value(&self, param: &Value) -> Value {
        match param {
            Value::Parameter(p) => self.param_value(p.id).unwrap_or_else(|| p.value.borrow().clone()),
            other => other.clone(),
        }
    }

    /// The innermost `parameterize` binding of parameter `id`, if any.
    pub fn param_value(&self, id: u64) -> Option<Value> {
        self.param_stack.iter().rev().find(|(pid, _)| *pid == id).map(|(_, cell)| cell.borrow().clone())
    }

    /// Writes text to `port`, or to the current output port when `port` is `None`.
    pub fn write_output(&mut self, port: Option<&Value>, text: &str) -> R<()> {
        let port = match port {
            Some(p) => p.clone(),
            None => self.current_output(),
        };
        match &port {
            Value::Port(p) => p.write_str(text).map_err(|e| crate::builtins::ports::write_error(None, p, e)),
            other => Err(Error::contract("write", "output-port?", other)),
        }
    }
}

impl Default for Interp {
    fn default() -> Self {
        Interp::new()
    }
}

fn port_parameter(id: u64, port: Port, name: &str) -> Value {
    Value::Parameter(Cc::new(Parameter {
        id,
        value: RefCell::new(Value::Port(Rc::new(port))),
        guard: None,
        name: Some(Symbol::intern(name)),
    }))
}

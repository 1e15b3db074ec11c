//! The `py-*` primitives.

use std::rc::Rc;

use pyo3::exceptions::{PyKeyboardInterrupt, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use super::convert::{as_python_ref, from_python, to_python};
use super::runtime::{bridge, running, Bridge};
use super::{python_name, session, valid_name, Cell, Session, CELL_CACHE_LIMIT};
use crate::builtins::{args, Capability, Primitive, ANY_KEYWORDS, MANY};
use crate::error::{Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::{Symbol, Value};

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new(
        "py-exec",
        1,
        1,
        py_exec,
        "Runs Python statements in the program's Python namespace; returns what they printed as a string.",
    ).needs(Capability::Python),
    Primitive::new(
        "py-eval",
        1,
        1,
        py_eval,
        "Returns the value of a Python expression, or of statements ending in an expression, converted to Scheme.",
    ).needs(Capability::Python),
    Primitive::new(
        "py-set!",
        2,
        2,
        py_set,
        "Binds a Python global (hyphens in the name become underscores) to a Scheme value converted to Python.",
    ).needs(Capability::Python),
    Primitive::with_keywords(
        "py-call",
        1,
        MANY,
        ANY_KEYWORDS,
        py_call,
        "Calls a Python callable, given by dotted name or reference (or a reference and a method name), with converted arguments; #:k v pass keyword arguments.",
    ).needs(Capability::Python),
];

fn started(who: &str) -> R<&'static Bridge> {
    bridge().map_err(|e| Error::fail(format!("{who}: {e}")))
}

fn py_exec(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let code = args::string("py-exec", &args[0])?;
    crate::audit::record(interp, "py-exec", code);
    let bridge = started("py-exec")?;
    Python::attach(|py| {
        let result = run_cell(session(interp, py)?, py, bridge, code, false);
        let printed = take_printed(py, bridge);
        match result {
            Ok(_) => Ok(Value::string(printed)),
            Err(e) => {
                interp.write_output(None, &printed)?;
                Err(python_error(interp, py, bridge, "py-exec", e))
            }
        }
    })
}

fn py_eval(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let code = args::string("py-eval", &args[0])?;
    crate::audit::record(interp, "py-eval", code);
    let bridge = started("py-eval")?;
    Python::attach(|py| {
        let result = run_cell(session(interp, py)?, py, bridge, code, true);
        conclude(interp, py, bridge, "py-eval", result)
    })
}

fn py_set(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let who = "py-set!";
    let name = match &args[0] {
        Value::Str(s) => python_name(s),
        Value::Symbol(s) => python_name(s.name()),
        _ => return Err(Error::argument(who, "(or/c string? symbol?)", args, 0)),
    };
    if !valid_name(&name) {
        return Err(Error::contract_msg(
            who,
            format!("{name:?} is not a valid Python identifier (or it is a Python keyword)"),
        ));
    }
    crate::audit::record(interp, who, &name);
    let bridge = started(who)?;
    Python::attach(|py| {
        let value = to_python(py, &args[1], who)?;
        let namespace = session(interp, py)?.namespace.clone_ref(py);
        namespace.bind(py).set_item(&name, value).map_err(|e| python_error(interp, py, bridge, who, e))?;
        Ok(Value::Void)
    })
}

fn py_call(interp: &mut Interp, args: &[Value], keywords: &[(Symbol, Value)]) -> R<Value> {
    let who = "py-call";
    if !matches!(args[0], Value::Str(_) | Value::Symbol(_)) && as_python_ref(&args[0]).is_none() {
        return Err(Error::argument(who, "(or/c string? symbol? python-reference?)", args, 0));
    }
    crate::audit::record(interp, who, &crate::value::print::display_string(&args[0]));
    let bridge = started(who)?;
    Python::attach(|py| {
        let namespace = session(interp, py)?.namespace.clone_ref(py);
        let (callee, rest) = callee(py, bridge, namespace.bind(py), args).map_err(|e| python_error(interp, py, bridge, who, e))?;
        let positional = rest.iter().map(|v| to_python(py, v, who)).collect::<R<Vec<_>>>()?;
        let positional = PyTuple::new(py, positional).map_err(|e| python_error(interp, py, bridge, who, e))?;
        let named = PyDict::new(py);
        for (k, v) in keywords {
            named
                .set_item(python_name(k.name()), to_python(py, v, who)?)
                .map_err(|e| python_error(interp, py, bridge, who, e))?;
        }
        let result = running(|| callee.call(positional, Some(&named)));
        conclude(interp, py, bridge, who, result)
    })
}

/// What `py-call`'s arguments call: a dotted name, a reference, or a reference's method
/// (`(py-call obj "method" arg ...)`), with the arguments that remain. The first argument is a
/// string, a symbol or a reference (`py_call` checked).
fn callee<'py, 'a>(
    py: Python<'py>,
    bridge: &Bridge,
    namespace: &Bound<'py, PyDict>,
    args: &'a [Value],
) -> PyResult<(Bound<'py, PyAny>, &'a [Value])> {
    let name = match (&args[0], as_python_ref(&args[0])) {
        (_, Some(reference)) => return reference_callee(reference.object.bind(py), args),
        (Value::Symbol(name), None) => name.name(),
        (Value::Str(name), None) => name.as_str(),
        _ => unreachable!("py-call checks its first argument"),
    };
    Ok((bridge.resolve.bind(py).call1((name, namespace))?, &args[1..]))
}

/// A reference followed by a string: an object that cannot be called can only mean a method
/// call, so a missing or non-callable attribute is an error. A callable object may be called
/// with a string, so its method is called only when there is one by that name.
fn reference_callee<'py, 'a>(object: &Bound<'py, PyAny>, args: &'a [Value]) -> PyResult<(Bound<'py, PyAny>, &'a [Value])> {
    let Some(Value::Str(name)) = args.get(1) else { return Ok((object.clone(), &args[1..])) };
    if object.is_callable() {
        return Ok(match object.getattr(name.as_str()) {
            Ok(method) if method.is_callable() => (method, &args[2..]),
            _ => (object.clone(), &args[1..]),
        });
    }
    let attribute = object.getattr(name.as_str())?;
    if !attribute.is_callable() {
        let type_name = object.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(PyTypeError::new_err(format!("'{type_name}' attribute '{name}' is not callable")));
    }
    Ok((attribute, &args[2..]))
}

/// Compiles (or finds compiled) `code` and runs it in the session's namespace; for `py-eval`
/// returns the value of the final expression, for `py-exec` None.
fn run_cell<'py>(session: &mut Session, py: Python<'py>, bridge: &Bridge, code: &str, eval: bool) -> PyResult<Bound<'py, PyAny>> {
    let cells = if eval { &mut session.eval_cells } else { &mut session.exec_cells };
    let cell = match cells.get(code) {
        Some(cell) => cell.clone(),
        None => {
            let kind = if eval { "eval" } else { "exec" };
            let compiled = bridge.compile_cell.bind(py).call1((code, kind))?;
            let (statements, expression): (Option<Py<PyAny>>, Option<Py<PyAny>>) = compiled.extract()?;
            let cell = Rc::new(Cell { statements, expression });
            if cells.len() >= CELL_CACHE_LIMIT {
                cells.clear();
            }
            cells.insert(code.to_string(), cell.clone());
            cell
        }
    };
    let namespace = session.namespace.clone_ref(py);
    running(|| {
        if let Some(statements) = &cell.statements {
            eval_code(py, statements, &namespace)?;
        }
        match &cell.expression {
            Some(expression) => eval_code(py, expression, &namespace),
            None => Ok(py.None().into_bound(py)),
        }
    })
}

fn eval_code<'py>(py: Python<'py>, code: &Py<PyAny>, namespace: &Py<PyDict>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `code` is a code object made by `compile`, `namespace` a dict, both alive for the
    // call; PyEval_EvalCode returns a new reference or NULL with the error set.
    unsafe {
        let result = pyo3::ffi::PyEval_EvalCode(code.as_ptr(), namespace.as_ptr(), namespace.as_ptr());
        Bound::from_owned_ptr_or_err(py, result)
    }
}

/// Ends a primitive whose Python value goes back to Scheme: what Python printed goes to the
/// current output port, then the value is converted or the exception reported.
fn conclude(interp: &mut Interp, py: Python<'_>, bridge: &Bridge, who: &str, result: PyResult<Bound<'_, PyAny>>) -> R<Value> {
    let printed = take_printed(py, bridge);
    if !printed.is_empty() {
        interp.write_output(None, &printed)?;
    }
    match result {
        Ok(value) => from_python(&value, who),
        Err(e) => Err(python_error(interp, py, bridge, who, e)),
    }
}

/// What Python printed since the last call.
fn take_printed(py: Python<'_>, bridge: &Bridge) -> String {
    if bridge.printed.bind(py).is_empty() {
        return String::new();
    }
    bridge
        .capture
        .bind(py)
        .call_method0("take")
        .ok()
        .and_then(|text| text.cast::<PyString>().ok().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default()
}

/// A Python exception as an rlmsh error: KeyboardInterrupt is a break (Ctrl-C), anything else
/// an `exn:fail` whose message has the exception and the traceback of the user's code.
fn python_error(interp: &Interp, py: Python<'_>, bridge: &Bridge, who: &str, e: PyErr) -> Error {
    if e.is_instance_of::<PyKeyboardInterrupt>(py) {
        interp.interrupt.store(false, std::sync::atomic::Ordering::SeqCst);
        return Error::new(ExnKind::Break, "user break");
    }
    let description = bridge
        .describe
        .bind(py)
        .call1((e.value(py), e.traceback(py)))
        .and_then(|d| d.extract::<String>())
        .unwrap_or_else(|_| e.to_string());
    let mut lines = description.lines().rev();
    let summary = lines.next().unwrap_or_default().to_string();
    let traceback: Vec<&str> = lines.rev().collect();
    let mut message = format!("{who}: Python raised {summary}");
    for line in traceback {
        message.push_str("\n  ");
        message.push_str(line);
    }
    Error::new(ExnKind::Fail, message)
}

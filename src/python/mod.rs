//! The Python bridge: `py-exec`, `py-eval`, `py-set!` and `py-call` on a CPython embedded in
//! the process with pyo3.
//!
//! CPython starts on the first `py-*` call, so pure-Scheme programs never pay for it. Each
//! interpreter instance has its own global namespace (a nested sandbox does not see its
//! parent's Python globals). The GIL is taken for the duration of one primitive and released
//! in between, so no Python state is held while Scheme code or model calls run.

mod convert;
mod lines;
mod primitives;
mod runtime;

use std::collections::HashMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::{Error, R};
use crate::interp::Interp;
use crate::value::Value;

pub use primitives::PRIMITIVES;
pub use runtime::interrupt;

/// A Python global that the command line asks for, bound when Python starts.
pub enum StartupGlobal {
    /// The lines of a file, loaded lazily (`--input NAME=PATH`).
    Lines(PathBuf),
    /// An iterator over standard input's lines (`--input NAME=-`).
    StdinLines,
    Text(String),
    /// JSON text, bound as the value `json.loads` makes of it (`--context-json`).
    Json(String),
}

#[derive(Default)]
struct StartupGlobals(Vec<(String, StartupGlobal)>);

/// Binds the Python global `name`: now if this instance already uses Python, otherwise when it
/// first does (so programs that never use Python never start it).
pub fn bind(interp: &mut Interp, name: &str, value: StartupGlobal) -> R<()> {
    if let Some(session) = interp.extension::<Session>() {
        let name = python_name(name);
        return Python::attach(|py| bind_now(py, session.namespace.bind(py), &name, value));
    }
    bind_at_startup(interp, name, value);
    Ok(())
}

/// Arranges for the Python global `name` to be bound when this instance first uses Python.
pub fn bind_at_startup(interp: &mut Interp, name: &str, value: StartupGlobal) {
    let name = python_name(name);
    if interp.extension::<StartupGlobals>().is_none() {
        interp.set_extension(StartupGlobals::default());
    }
    if let Some(globals) = interp.extension::<StartupGlobals>() {
        globals.0.push((name, value));
    }
}

fn bind_now(py: Python<'_>, namespace: &Bound<'_, PyDict>, name: &str, value: StartupGlobal) -> R<()> {
    let bound = match value {
        StartupGlobal::Lines(path) => Bound::new(py, lines::Lines::new(path)).map(Bound::into_any),
        StartupGlobal::StdinLines => Bound::new(py, lines::LineIterator::stdin()).map(Bound::into_any),
        StartupGlobal::Text(text) => Ok(pyo3::types::PyString::new(py, &text).into_any()),
        StartupGlobal::Json(text) => py.import("json").and_then(|json| json.call_method1("loads", (text,))),
    };
    bound
        .and_then(|obj| namespace.set_item(name, obj))
        .map_err(|e| Error::fail(format!("could not bind the Python global {name}: {e}")))
}

/// The user's Python globals of this instance (not modules, not names starting with `_`), each
/// with its type and the start of its `repr`; `None` if the instance has not used Python.
pub fn describe_globals(interp: &mut Interp, preview_chars: usize) -> Option<Vec<(String, String)>> {
    let session = interp.extension::<Session>()?;
    Python::attach(|py| {
        let namespace = session.namespace.bind(py);
        let module_type = py.import("types").and_then(|t| t.getattr("ModuleType")).ok();
        let mut found = Vec::new();
        for (key, value) in namespace.iter() {
            let name = key.to_string();
            if name.starts_with('_') || module_type.as_ref().is_some_and(|m| value.is_instance(m).unwrap_or(false)) {
                continue;
            }
            let type_name = value.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            let repr = value.repr().map(|r| r.to_string()).unwrap_or_else(|_| "<no repr>".to_string());
            let preview: String = repr.chars().take(preview_chars).collect();
            let ellipsis = if preview.len() < repr.len() { "..." } else { "" };
            found.push((name, format!("{type_name}: {preview}{ellipsis}")));
        }
        Some(found)
    })
}

/// The value of the Python global `name` (hyphens read as underscores), if it is bound.
pub fn global_value(interp: &mut Interp, name: &str) -> R<Option<Value>> {
    let name = python_name(name);
    runtime::bridge().map_err(Error::fail)?;
    Python::attach(|py| {
        let namespace = session(interp, py)?.namespace.clone_ref(py);
        let found = namespace.bind(py).get_item(&name).map_err(|e| Error::fail(e.to_string()))?;
        found.map(|obj| convert::from_python(&obj, "finish-var")).transpose()
    })
}

/// Scheme-style names (`review-text`) name Python globals with underscores (`review_text`).
pub fn python_name(name: &str) -> String {
    name.replace('-', "_")
}

/// Whether `name` can be a Python global: an identifier (Unicode letters allowed, as in
/// Python) that is not a keyword.
pub fn valid_name(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ];
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c));
    starts_well && chars.all(unicode_ident::is_xid_continue) && !KEYWORDS.contains(&name)
}

/// Compiled code, cached by source text: programs run the same snippets in loops.
struct Cell {
    statements: Option<Py<PyAny>>,
    expression: Option<Py<PyAny>>,
}

/// Past this many distinct snippets the cache starts afresh, so programs that generate code
/// (e.g. `logs[1000:2000]` with changing bounds) do not grow it without bound.
const CELL_CACHE_LIMIT: usize = 4096;

/// One interpreter instance's Python state.
struct Session {
    namespace: Py<PyDict>,
    /// Compiled snippets of `py-exec` and of `py-eval`.
    exec_cells: HashMap<String, std::rc::Rc<Cell>>,
    eval_cells: HashMap<String, std::rc::Rc<Cell>>,
}

fn session<'a>(interp: &'a mut Interp, py: Python<'_>) -> R<&'a mut Session> {
    if interp.extension::<Session>().is_none() {
        let namespace = PyDict::new(py);
        let setup = || -> PyResult<()> {
            namespace.set_item("__builtins__", py.import("builtins")?)?;
            namespace.set_item("__name__", "__main__")?;
            Ok(())
        };
        setup().map_err(|e| Error::fail(format!("could not set up the Python namespace: {e}")))?;
        let startup = interp.extension::<StartupGlobals>().map(std::mem::take).unwrap_or_default();
        for (name, value) in startup.0 {
            bind_now(py, &namespace, &name, value)?;
        }
        interp.set_extension(Session { namespace: namespace.unbind(), exec_cells: HashMap::new(), eval_cells: HashMap::new() });
    }
    Ok(interp.extension::<Session>().expect("the session was just created"))
}

//! Starting the embedded CPython (once per process, on the first `py-*` call) and the helper
//! functions of `bridge.py`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyModule};

/// The helpers defined in `bridge.py`.
pub struct Bridge {
    pub capture: Py<PyAny>,
    /// The capture's list of printed pieces: checking that it is empty is cheaper than a call.
    pub printed: Py<PyList>,
    pub compile_cell: Py<PyAny>,
    pub describe: Py<PyAny>,
    pub resolve: Py<PyAny>,
}

static BRIDGE: OnceLock<Result<Bridge, String>> = OnceLock::new();

/// True while Python code runs for rlmsh, so that Ctrl-C is turned into a KeyboardInterrupt
/// only then: a signal left pending would otherwise interrupt the next, innocent, call.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Starts CPython if it is not running yet and returns the bridge helpers.
pub fn bridge() -> Result<&'static Bridge, String> {
    BRIDGE.get_or_init(start).as_ref().map_err(Clone::clone)
}

fn start() -> Result<Bridge, String> {
    Python::initialize();
    Python::attach(|py| {
        route_interrupts_to_python(py).map_err(|e| describe_startup_error(py, e))?;
        honour_virtualenv(py).map_err(|e| describe_startup_error(py, e))?;
        let module = PyModule::from_code(py, c_str(include_str!("bridge.py")).as_c_str(), c"rlmsh_bridge.py", c"rlmsh_bridge")
            .map_err(|e| describe_startup_error(py, e))?;
        let get = |name: &str| module.getattr(name).map(Bound::unbind).map_err(|e| describe_startup_error(py, e));
        let capture = get("capture")?;
        let printed = capture
            .bind(py)
            .getattr("_parts")
            .and_then(|parts| Ok(parts.cast_into::<PyList>()?.unbind()))
            .map_err(|e| describe_startup_error(py, e))?;
        Ok(Bridge {
            capture,
            printed,
            compile_cell: get("compile_cell")?,
            describe: get("describe")?,
            resolve: get("resolve")?,
        })
    })
}

fn c_str(text: &str) -> std::ffi::CString {
    std::ffi::CString::new(text).unwrap_or_default()
}

fn describe_startup_error(py: Python<'_>, e: PyErr) -> String {
    let traceback = e.traceback(py).and_then(|tb| tb.format().ok()).unwrap_or_default();
    format!("could not start the embedded Python: {e}\n{traceback}")
}

/// pyo3 starts CPython without its signal handlers, so rlmsh's own Ctrl-C handler stays in
/// charge. Giving SIGINT Python's default handler at the Python level (and putting rlmsh's
/// back at the OS level) lets [`interrupt`] raise KeyboardInterrupt in running Python code.
fn route_interrupts_to_python(py: Python<'_>) -> PyResult<()> {
    let mut previous: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: reading the current disposition of SIGINT into a zeroed struct of the right type.
    unsafe { libc::sigaction(libc::SIGINT, std::ptr::null(), &mut previous) };
    let signal = py.import("signal")?;
    let result = signal.call_method1("signal", (signal.getattr("SIGINT")?, signal.getattr("default_int_handler")?));
    // SAFETY: restoring the disposition read above.
    unsafe { libc::sigaction(libc::SIGINT, &previous, std::ptr::null_mut()) };
    result.map(drop)
}

/// An embedded interpreter does not read `VIRTUAL_ENV` the way the `python` launcher of a
/// virtualenv does; add its site-packages so that its packages import.
fn honour_virtualenv(py: Python<'_>) -> PyResult<()> {
    let Ok(venv) = std::env::var("VIRTUAL_ENV") else { return Ok(()) };
    let code = c"import site, sys, glob\nfor d in glob.glob(venv + '/lib/python%d.%d/site-packages' % sys.version_info[:2]):\n    site.addsitedir(d)\n    sys.path.insert(0, sys.path.pop())\n";
    let locals = pyo3::types::PyDict::new(py);
    locals.set_item("venv", venv)?;
    py.run(code, None, Some(&locals))
}

/// Marks Python code as running for the duration of `f`.
pub fn running<T>(f: impl FnOnce() -> T) -> T {
    let was = RUNNING.swap(true, Ordering::SeqCst);
    let result = f();
    RUNNING.store(was, Ordering::SeqCst);
    result
}

/// Called from the Ctrl-C handler: makes Python code that is running raise KeyboardInterrupt.
pub fn interrupt() {
    if RUNNING.load(Ordering::SeqCst) {
        // SAFETY: PyErr_SetInterrupt only sets a flag; CPython documents it as callable from
        // any thread without holding the GIL, and RUNNING implies the interpreter is started.
        unsafe { pyo3::ffi::PyErr_SetInterrupt() };
        // Called from a thread other than Python's main one, that flag does not stop the
        // running bytecode loop until the loop rechecks its state, which it does when it hands
        // over the GIL. Asking for the GIL forces that; a thread of its own keeps the Ctrl-C
        // handler free for a second Ctrl-C while C code holds the GIL.
        std::thread::spawn(|| Python::attach(|_| ()));
    }
}

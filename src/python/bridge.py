"""Support code for rlmsh's Python bridge, run once when CPython starts.

Compiling (with notebook-cell semantics), capturing what Python prints and formatting
exceptions are easiest to get right in Python itself; the per-call fast path (running an
already compiled code object, converting values) stays in Rust.
"""
import ast
import importlib
import io
import linecache
import sys
import textwrap
import traceback
import types


class _Capture(io.TextIOBase):
    """Replaces sys.stdout for good: what Python prints is collected and handed back to rlmsh
    (as py-exec's result, or to the current output port) instead of reaching the process's
    stdout, where it would interleave with the program's own output."""

    def __init__(self):
        self._parts = []

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._parts.append(text)
        return len(text)

    def take(self):
        text = "".join(self._parts)
        self._parts.clear()
        return text

    @property
    def encoding(self):
        return "utf-8"


capture = _Capture()
sys.stdout = capture

_serial = 0

# Source lines of recent snippets, for tracebacks. Bounded: programs that generate code in a
# loop compile a new snippet per iteration.
_sources = {}
_SOURCES_KEPT = 256


def compile_cell(source, kind):
    """Compiles `source` as `kind` ('exec' or 'eval'). For 'eval', a block of statements whose
    last statement is an expression runs the statements and returns that expression's value.
    Returns (statements code or None, expression code or None): both None for code that is
    empty or only comments, which runs nothing (py-eval then returns void, like statements)."""
    global _serial
    _serial += 1
    filename = f"<py-{kind} #{_serial}>"
    source = textwrap.dedent(source)
    if not source.endswith("\n"):
        source += "\n"
    _sources[filename] = source
    if len(_sources) > _SOURCES_KEPT:
        del _sources[next(iter(_sources))]
    tree = ast.parse(source, filename, "exec")
    if kind == "eval" and tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
        body = compile(tree, filename, "exec") if tree.body else None
        return body, compile(last, filename, "eval")
    if not tree.body:
        return None, None
    return compile(tree, filename, "exec"), None


def describe(exc, tb):
    """The text of an rlmsh error for a Python exception: type and message, then the traceback
    frames that belong to the user's code (not the bridge's)."""
    for filename, source in _sources.items():
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        frames = [f for f in traceback.extract_tb(tb) if f.filename.startswith("<py-")]
    finally:
        for filename in _sources:
            linecache.cache.pop(filename, None)
    lines = []
    if frames:
        lines.append("Traceback (most recent call last):")
        lines.extend(l.rstrip("\n") for l in traceback.format_list(frames))
    if isinstance(exc, SyntaxError) and exc.text is not None:
        lines.extend(l.rstrip("\n") for l in traceback.format_exception_only(type(exc), exc))
    else:
        message = str(exc)
        lines.append(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)
    return "\n".join(lines)


def resolve(name, namespace):
    """The object a dotted name like 'json.dumps' or 'helper' refers to: a global of the
    program's namespace, a builtin, or a module (imported on demand) and its attributes."""
    import builtins

    parts = name.split(".")
    if parts[0] in namespace:
        obj = namespace[parts[0]]
    elif hasattr(builtins, parts[0]):
        obj = getattr(builtins, parts[0])
    else:
        obj = importlib.import_module(parts[0])
    for attr in parts[1:]:
        try:
            obj = getattr(obj, attr)
        except AttributeError as missing:
            obj = _submodule(obj, attr, missing)
    return obj


def _submodule(module, attr, missing):
    """The submodule `attr` of `module`, which is not an attribute until it is imported
    (xml.sax before `import xml.sax`); named after the module itself, so that a global bound
    by `import numpy as np` finds np.linalg. When there is no such submodule the error is the
    AttributeError `missing` ("module 'json' has no attribute 'no_such'"), not a
    ModuleNotFoundError about a module nobody asked for; a submodule that exists but fails to
    import reports its own error."""
    if not isinstance(module, types.ModuleType):
        raise missing
    dotted = f"{module.__name__}.{attr}"
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError as error:
        if error.name == dotted:
            raise missing from None
        raise

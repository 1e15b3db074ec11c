//! Scaffold bindings: the primitives a program's safety and bookkeeping rest on, which `define`
//! and `set!` may not replace (`unsafe-overwrite` can, and is audited). The combinator library
//! is not among them: programs may define their own `tree-reduce`.

use crate::interp::Globals;
use crate::value::Symbol;

pub const SCAFFOLD_BINDINGS: &[&str] = &[
    "finish",
    "finish-var",
    "context",
    "get-context",
    "llm-query",
    "llm-query-async",
    "unsafe-raw-query",
    "await",
    "await-all",
    "await-all-syntax",
    "await-any",
    "cancel",
    "map-async",
    "syntax-e",
    "datum->syntax",
    "tokens-used",
    "rate-limits",
    "token-budget",
    "py-exec",
    "py-eval",
    "py-call",
    "py-set!",
    "checkpoint",
    "restore",
    "unsafe-interpolate",
    "unsafe-overwrite",
    "unsafe-exec-sub-output",
];

pub fn protect_scaffold(globals: &Globals) {
    for name in SCAFFOLD_BINDINGS {
        globals.cell(Symbol::intern(name)).protected.set(true);
    }
}

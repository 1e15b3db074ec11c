//! The execution loop.

use crate::error::R;
use crate::eval::compile::Toplevel;
use crate::interp::Interp;
use crate::value::{Symbol, Value};

impl Interp {
    pub fn run_toplevel(&mut self, top: &Toplevel) -> R<Value> {
        let _ = top;
        Ok(Value::Void)
    }

    /// Calls a procedure with positional arguments (used by higher-order builtins).
    pub fn apply(&mut self, f: &Value, args: Vec<Value>) -> R<Value> {
        self.apply_kw(f, args, Vec::new())
    }

    /// Calls a procedure with positional and keyword arguments.
    pub fn apply_kw(&mut self, f: &Value, args: Vec<Value>, keywords: Vec<(Symbol, Value)>) -> R<Value> {
        let _ = (f, args, keywords);
        Ok(Value::Void)
    }
}

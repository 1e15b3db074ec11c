//! Ports: the process's standard streams, string ports and file ports.

use std::cell::{Cell, RefCell};
use std::io::Write;

use crate::builtins::Primitive;

pub enum Port {
    Stdout,
    Stderr,
    /// An output string port (`open-output-string`, `with-output-to-string`).
    StringOut(RefCell<String>),
    /// An input string port; `pos` is a byte offset into `text`.
    StringIn { text: String, pos: Cell<usize> },
    Stdin,
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
            Port::StringIn { .. } | Port::Stdin => {
                Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "not an output port"))
            }
        }
    }

    pub fn is_output(&self) -> bool {
        matches!(self, Port::Stdout | Port::Stderr | Port::StringOut(_))
    }
}

pub const PRIMITIVES: &[Primitive] = &[];

/// Parameter ids reserved for the standard port parameters (`Interp::new_id` starts above).
pub const CURRENT_OUTPUT_ID: u64 = 1;
pub const CURRENT_ERROR_ID: u64 = 2;
pub const CURRENT_INPUT_ID: u64 = 3;

//! rlmsh: a small, fast Racket-flavoured Scheme whose primitives call language models and an
//! embedded CPython. This crate is the interpreter library; `main.rs` is a thin CLI over it.

pub mod atomic_file;
pub mod audit;
pub mod builtins;
pub mod cli;
pub mod config;
pub mod digest;
pub mod error;
pub mod eval;
#[doc(hidden)]
pub mod fuzz_entry;
pub mod interp;
pub mod llm;
pub mod mcp;
pub mod python;
pub mod reader;
pub mod repl;
pub mod sandbox;
pub mod scaffold;
pub mod value;

/// Counting the heap per thread is what lets a sandbox stop model-written code that allocates
/// without bound.
#[global_allocator]
static ALLOCATOR: sandbox::heap::CountingAllocator = sandbox::heap::CountingAllocator;

pub use error::{Error, R};
pub use interp::Interp;
pub use value::Value;

//! The evaluator: macro expansion and compilation of spanned data into `Node` trees, and the
//! execution loop with proper tail calls.

pub mod compile;
pub mod env;
pub mod exec;
pub mod expand;
pub mod inlined;
pub mod library;
pub mod macros;
pub mod node;
pub mod prelude;
pub mod stack;

//! Builtin procedures, one file per family. Each family exports a `PRIMITIVES` table; every
//! builtin is declared exactly once there with its name, arity and one-line doc string, which
//! the REPL's `,doc` and the README's reference are generated from.

pub mod args;
pub mod chars;
pub mod control;
pub mod hashes;
pub mod io;
pub mod json;
pub mod lists;
pub mod mutable;
pub mod numbers;
pub mod ports;
pub mod regex;
pub mod strings;
pub mod system;
pub mod vectors;

use crate::error::R;
use crate::interp::Interp;
use crate::value::{Symbol, Value};

pub type PlainFn = fn(&mut Interp, &[Value]) -> R<Value>;
/// A builtin that accepts keyword arguments; it receives them already checked against its
/// declared keyword list.
pub type KwFn = fn(&mut Interp, &[Value], &[(Symbol, Value)]) -> R<Value>;

pub enum Func {
    Plain(PlainFn),
    Kw(KwFn, &'static [&'static str]),
}

/// Marks a builtin that takes any number of arguments from `min` on.
pub const MANY: usize = usize::MAX;

pub struct Primitive {
    pub name: &'static str,
    pub min: usize,
    pub max: usize,
    pub doc: &'static str,
    pub func: Func,
}

impl Primitive {
    pub const fn new(name: &'static str, min: usize, max: usize, func: PlainFn, doc: &'static str) -> Primitive {
        Primitive { name, min, max, doc, func: Func::Plain(func) }
    }

    pub const fn with_keywords(
        name: &'static str,
        min: usize,
        max: usize,
        keywords: &'static [&'static str],
        func: KwFn,
        doc: &'static str,
    ) -> Primitive {
        Primitive { name, min, max, doc, func: Func::Kw(func, keywords) }
    }

    /// The arity as Racket prints it in error messages: `2`, `1 to 3`, `at least 1`.
    pub fn arity_text(&self) -> String {
        arity_text(self.min, self.max)
    }
}

pub fn arity_text(min: usize, max: usize) -> String {
    if max == MANY {
        format!("at least {min}")
    } else if min == max {
        format!("{min}")
    } else {
        format!("{min} to {max}")
    }
}

/// Every builtin family's table, in the order they are installed.
pub fn all_tables() -> [&'static [Primitive]; 14] {
    [
        numbers::PRIMITIVES,
        lists::PRIMITIVES,
        strings::PRIMITIVES,
        chars::PRIMITIVES,
        hashes::PRIMITIVES,
        vectors::PRIMITIVES,
        mutable::PRIMITIVES,
        control::PRIMITIVES,
        io::PRIMITIVES,
        ports::PRIMITIVES,
        regex::PRIMITIVES,
        json::PRIMITIVES,
        system::PRIMITIVES,
        crate::value::equal::PRIMITIVES,
    ]
}

pub fn lookup(name: &str) -> Option<&'static Primitive> {
    all_tables().into_iter().flat_map(|t| t.iter()).find(|p| p.name == name)
}

//! Regular expressions with Racket's `regexp`/`pregexp` syntax, on `fancy-regex`.

use crate::builtins::Primitive;

pub struct Regex {
    pub source: String,
    pub pregexp: bool,
    pub compiled: fancy_regex::Regex,
}

pub const PRIMITIVES: &[Primitive] = &[];

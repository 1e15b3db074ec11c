//! Equality (`eq?`, `eqv?`, `equal?`) and hashing consistent with `equal?` for hash-table keys.

use std::hash::{Hash, Hasher};

use crate::builtins::Primitive;
use crate::value::{HashKey, Value};

pub fn eqv(a: &Value, b: &Value) -> bool {
    let _ = (a, b);
    false
}

pub fn equal(a: &Value, b: &Value) -> bool {
    eqv(a, b)
}

impl PartialEq for HashKey {
    fn eq(&self, other: &HashKey) -> bool {
        equal(&self.0, &other.0)
    }
}

impl Eq for HashKey {}

impl Hash for HashKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        0u8.hash(state)
    }
}

pub const PRIMITIVES: &[Primitive] = &[];

use crate::builtins::Primitive;

pub const PRIMITIVES: &[Primitive] = &[];

//! `syntax-rules` macros.

pub struct Macro {}

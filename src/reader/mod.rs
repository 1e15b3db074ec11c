//! The reader: source text to spanned data, written with `nom`.

pub mod datum;
pub mod number;
pub mod parser;

pub use datum::{Datum, DatumKind};
pub use parser::{read_all, read_one, ReadError};

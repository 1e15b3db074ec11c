//! Racket's number syntax, shared by the reader and `string->number`.

use crate::value::Value;

/// Parses `text` as a number in `radix`, or returns `None` if it is not one.
pub fn parse_number(text: &str, radix: u32) -> Option<Value> {
    i64::from_str_radix(text, radix).ok().map(Value::Int)
}

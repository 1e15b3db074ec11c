//! Printing in Racket's three styles: `display`, `write` and `print`.

use crate::value::Value;

pub fn display_string(v: &Value) -> String {
    format!("{}", v.type_name())
}

pub fn write_string(v: &Value) -> String {
    format!("{}", v.type_name())
}

pub fn print_string(v: &Value) -> String {
    format!("{}", v.type_name())
}

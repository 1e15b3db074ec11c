//! Argument checking shared by all builtin families. Each helper returns the Racket-style
//! contract violation (`who: contract violation / expected: ... / given: ...`) on mismatch.

use std::rc::Rc;

use num_traits::{Signed, ToPrimitive};

use crate::error::{Error, ExnKind, R};
use crate::value::{HashTable, Symbol, Value};

/// A string argument. Wrapped model answers are refused with a hint to unwrap them, which is
/// the injection-safety rule every string operation follows.
pub fn string<'a>(who: &str, v: &'a Value) -> R<&'a str> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Syntax(_) => Err(Error::new(
            ExnKind::Contract,
            format!(
                "{who}: contract violation\n  expected: string?\n  given: a syntax object (a wrapped model answer); unwrap it with syntax-e first"
            ),
        )),
        other => Err(Error::contract(who, "string?", other)),
    }
}

pub fn rc_string(who: &str, v: &Value) -> R<Rc<String>> {
    string(who, v)?;
    match v {
        Value::Str(s) => Ok(s.clone()),
        _ => unreachable!("checked by string()"),
    }
}

pub fn symbol(who: &str, v: &Value) -> R<Symbol> {
    match v {
        Value::Symbol(s) => Ok(*s),
        other => Err(Error::contract(who, "symbol?", other)),
    }
}

pub fn character(who: &str, v: &Value) -> R<char> {
    match v {
        Value::Char(c) => Ok(*c),
        other => Err(Error::contract(who, "char?", other)),
    }
}

pub fn boolean(who: &str, v: &Value) -> R<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(Error::contract(who, "boolean?", other)),
    }
}

/// An exact integer that fits in an i64.
pub fn integer(who: &str, v: &Value) -> R<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Ok(*f as i64),
        other => Err(Error::contract(who, "exact-integer?", other)),
    }
}

/// A non-negative exact integer usable as an index or a count.
pub fn index(who: &str, v: &Value) -> R<usize> {
    match v {
        Value::Int(i) if *i >= 0 => Ok(*i as usize),
        Value::Big(b) if b.to_usize().is_some() => Ok(b.to_usize().unwrap_or(usize::MAX)),
        other => Err(Error::contract(who, "exact-nonnegative-integer?", other)),
    }
}

/// An exact non-negative integer used as a position or count. A bignum is valid but larger than
/// any string, list or vector can be, so it saturates to `usize::MAX` and fails the caller's
/// range check with the original value shown.
pub fn saturating_index(v: &Value) -> Option<usize> {
    match v {
        Value::Int(i) => usize::try_from(*i).ok(),
        Value::Big(b) if b.is_positive() => Some(usize::MAX),
        _ => None,
    }
}

/// A [`saturating_index`] argument.
pub fn position(who: &str, v: &Value) -> R<usize> {
    saturating_index(v).ok_or_else(|| Error::contract(who, "exact-nonnegative-integer?", v))
}

pub fn procedure<'a>(who: &str, v: &'a Value) -> R<&'a Value> {
    if v.is_procedure() {
        Ok(v)
    } else {
        Err(Error::contract(who, "procedure?", v))
    }
}

pub fn list(who: &str, v: &Value) -> R<Vec<Value>> {
    v.list_to_vec().ok_or_else(|| Error::contract(who, "list?", v))
}

pub fn hash<'a>(who: &str, v: &'a Value) -> R<&'a HashTable> {
    match v {
        Value::Hash(h) => Ok(h),
        other => Err(Error::contract(who, "hash?", other)),
    }
}

pub fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Big(_) | Value::Rat(_) | Value::Float(_))
}

pub fn number<'a>(who: &str, v: &'a Value) -> R<&'a Value> {
    if is_number(v) {
        Ok(v)
    } else {
        Err(Error::contract(who, "number?", v))
    }
}

/// The value of keyword `name` among the keyword arguments a `Func::Kw` builtin received.
pub fn keyword<'a>(kws: &'a [(Symbol, Value)], name: &str) -> Option<&'a Value> {
    kws.iter().find(|(k, _)| k.name() == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use num_bigint::BigInt;

    use super::*;

    #[test]
    fn bignum_positions_saturate() {
        let big = Value::Big(Rc::new(BigInt::from(u64::MAX) * 4));
        assert_eq!(saturating_index(&Value::Int(7)), Some(7));
        assert_eq!(saturating_index(&big), Some(usize::MAX));
        assert_eq!(saturating_index(&Value::Int(-1)), None);
        assert!(position("substring", &Value::Float(1.0)).is_err());
    }
}

/// Helpers shared by the unit tests of the builtin families.
#[cfg(test)]
pub mod testing {
    use crate::error::R;
    use crate::interp::Interp;
    use crate::value::print::write_string;

    /// What `src` evaluates to, in `write` style; an error fails the test with its report.
    pub fn eval(src: &str) -> String {
        match Interp::new().eval_str(src, "test") {
            Ok(v) => write_string(&v),
            Err(e) => panic!("unexpected error in {src}: {}", e.report()),
        }
    }

    /// The message of the error `src` raises; evaluating without an error fails the test.
    pub fn eval_error(src: &str) -> String {
        match Interp::new().eval_str(src, "test") {
            Ok(v) => panic!("expected an error from {src}, got {v:?}"),
            Err(e) => e.exn().map_or_else(|| e.report(), |exn| exn.message.clone()),
        }
    }

    /// The value of a result that must succeed; an error fails the test with its report.
    pub trait Check<T> {
        fn check(self) -> T;
    }

    impl<T> Check<T> for R<T> {
        fn check(self) -> T {
            self.unwrap_or_else(|e| panic!("{}", e.report()))
        }
    }
}

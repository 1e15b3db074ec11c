//! The numeric tower: fixnums, bignums, exact rationals and flonums, with Racket's rules for
//! mixing exactness, normalising results and printing.
//!
//! Every function here keeps two invariants the rest of the crate relies on: a `Big` never
//! fits in an i64 (it would be an `Int`), and a `Rat` never has denominator 1 (it would be an
//! integer). So two equal exact numbers always have the same representation.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::error::{Error, R};
use crate::value::Value;

/// Integers up to this magnitude convert to f64 exactly, so comparing them as floats is exact.
const EXACT_F64_INT: u64 = 1 << 53;
/// 2^63, the first flonum magnitude that no i64 holds.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

pub fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Big(_) | Value::Rat(_) | Value::Float(_))
}

pub fn is_exact(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Big(_) | Value::Rat(_))
}

pub fn is_exact_integer(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Big(_))
}

/// Racket's `integer?`: exact integers and flonums with no fractional part.
pub fn is_integer(v: &Value) -> bool {
    match v {
        Value::Int(_) | Value::Big(_) => true,
        Value::Float(f) => f.is_finite() && f.fract() == 0.0,
        _ => false,
    }
}

/// Racket's `rational?`: every real number except the infinities and NaN.
pub fn is_rational(v: &Value) -> bool {
    match v {
        Value::Float(f) => f.is_finite(),
        other => is_exact(other),
    }
}

pub fn is_exact_zero(v: &Value) -> bool {
    matches!(v, Value::Int(0))
}

pub fn normalize_big(b: BigInt) -> Value {
    match b.to_i64() {
        Some(i) => Value::Int(i),
        None => Value::Big(Rc::new(b)),
    }
}

pub fn normalize_rat(r: BigRational) -> Value {
    if r.denom().is_one() {
        normalize_big(r.into_raw().0)
    } else {
        Value::Rat(Rc::new(r))
    }
}

pub fn from_i128(i: i128) -> Value {
    match i64::try_from(i) {
        Ok(small) => Value::Int(small),
        Err(_) => Value::Big(Rc::new(BigInt::from(i))),
    }
}

/// The nearest flonum to a number (NaN for a non-number).
pub fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Big(b) => b.to_f64().unwrap_or(f64::NAN),
        Value::Rat(r) => rational_to_f64(r),
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

fn rational_to_f64(q: &BigRational) -> f64 {
    q.to_f64().unwrap_or(f64::NAN)
}

/// An exact integer as a BigInt.
pub fn to_bigint(v: &Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(BigInt::from(*i)),
        Value::Big(b) => Some((**b).clone()),
        _ => None,
    }
}

/// An exact number as a BigRational.
pub fn to_rational(v: &Value) -> Option<BigRational> {
    match v {
        Value::Rat(r) => Some((**r).clone()),
        other => to_bigint(other).map(BigRational::from_integer),
    }
}

/// The exact value of a finite flonum (`None` for the infinities and NaN).
pub fn float_to_exact(f: f64) -> Option<Value> {
    // Integral flonums below 2^63 in magnitude convert to an i64 without loss.
    if f.fract() == 0.0 && f.abs() < I64_LIMIT {
        return Some(Value::Int(f as i64));
    }
    BigRational::from_float(f).map(normalize_rat)
}

/// `exact->inexact`: exact numbers become the nearest flonum, flonums stay as they are.
pub fn to_inexact(v: &Value) -> Value {
    match v {
        Value::Float(_) => v.clone(),
        other => Value::Float(to_f64(other)),
    }
}

fn check_number(who: &str, v: &Value) -> R<()> {
    if is_number(v) {
        Ok(())
    } else {
        Err(Error::contract(who, "number?", v))
    }
}

/// Two operands in a common representation, following Racket's contagion: a flonum on either
/// side makes the operation inexact, and integers stay integers.
enum Common {
    Floats(f64, f64),
    Integers(BigInt, BigInt),
    Rationals(BigRational, BigRational),
    /// A finite flonum with an exact number beyond the flonum range: like Racket, compute
    /// exactly and round the result once, so (* (expt 10 400) 1e-300) is 1e+100.
    Exactly(BigRational, BigRational),
}

fn common(who: &str, a: &Value, b: &Value) -> R<Common> {
    check_number(who, a)?;
    check_number(who, b)?;
    if matches!(a, Value::Float(_)) || matches!(b, Value::Float(_)) {
        let (x, y) = (to_f64(a), to_f64(b));
        if beyond_float_range(a, x) || beyond_float_range(b, y) {
            return Ok(match (exact_value(a), exact_value(b)) {
                (Some(p), Some(q)) => Common::Exactly(p, q),
                // Against an infinity or NaN only the sign of the exact number matters.
                _ => Common::Floats(finite_stand_in(a, x), finite_stand_in(b, y)),
            });
        }
        return Ok(Common::Floats(x, y));
    }
    if let (Some(x), Some(y)) = (to_bigint(a), to_bigint(b)) {
        return Ok(Common::Integers(x, y));
    }
    match (to_rational(a), to_rational(b)) {
        (Some(x), Some(y)) => Ok(Common::Rationals(x, y)),
        _ => Err(Error::contract(who, "number?", a)),
    }
}

/// Whether the flonum `f` nearest to `v` has lost it entirely (overflowed or underflowed).
fn beyond_float_range(v: &Value, f: f64) -> bool {
    is_exact(v) && (f.is_infinite() || (f == 0.0 && !is_exact_zero(v)))
}

/// An exact number, or a finite flonum's exact value.
fn exact_value(v: &Value) -> Option<BigRational> {
    match v {
        Value::Float(f) => BigRational::from_float(*f),
        other => to_rational(other),
    }
}

/// A finite flonum with the sign of an exact number (which may be too large or small to
/// convert); flonums pass through.
fn finite_stand_in(v: &Value, f: f64) -> f64 {
    match (is_exact(v), sign(v)) {
        (true, Some(Ordering::Less)) => -1.0,
        (true, _) => 1.0,
        (false, _) => f,
    }
}

#[inline]
pub fn add2(a: &Value, b: &Value) -> R<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(sum) = x.checked_add(*y) {
            return Ok(Value::Int(sum));
        }
    }
    add_general(a, b)
}

#[inline(never)]
fn add_general(a: &Value, b: &Value) -> R<Value> {
    Ok(match common("+", a, b)? {
        // Exact 0 is the identity, so (+ 0 -0.0) keeps the sign of the zero.
        Common::Floats(_, y) if is_exact_zero(a) => Value::Float(y),
        Common::Floats(x, _) if is_exact_zero(b) => Value::Float(x),
        Common::Floats(x, y) => Value::Float(x + y),
        Common::Integers(x, y) => normalize_big(x + y),
        Common::Rationals(x, y) => normalize_rat(x + y),
        Common::Exactly(x, y) => Value::Float(rational_to_f64(&(x + y))),
    })
}

#[inline]
pub fn sub2(a: &Value, b: &Value) -> R<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(diff) = x.checked_sub(*y) {
            return Ok(Value::Int(diff));
        }
    }
    sub_general(a, b)
}

#[inline(never)]
fn sub_general(a: &Value, b: &Value) -> R<Value> {
    Ok(match common("-", a, b)? {
        Common::Floats(_, y) if is_exact_zero(a) => Value::Float(-y),
        Common::Floats(x, _) if is_exact_zero(b) => Value::Float(x),
        Common::Floats(x, y) => Value::Float(x - y),
        Common::Integers(x, y) => normalize_big(x - y),
        Common::Rationals(x, y) => normalize_rat(x - y),
        Common::Exactly(x, y) => Value::Float(rational_to_f64(&(x - y))),
    })
}

#[inline]
pub fn mul2(a: &Value, b: &Value) -> R<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(match x.checked_mul(*y) {
            Some(product) => Value::Int(product),
            None => from_i128(i128::from(*x) * i128::from(*y)),
        });
    }
    mul_general(a, b)
}

#[inline(never)]
fn mul_general(a: &Value, b: &Value) -> R<Value> {
    let operands = common("*", a, b)?;
    // Exact 0 times anything, even a flonum infinity or NaN, is exact 0.
    if is_exact_zero(a) || is_exact_zero(b) {
        return Ok(Value::Int(0));
    }
    Ok(match operands {
        Common::Floats(x, y) => Value::Float(x * y),
        Common::Integers(x, y) => normalize_big(x * y),
        Common::Rationals(x, y) => normalize_rat(x * y),
        Common::Exactly(x, y) => Value::Float(rational_to_f64(&(x * y))),
    })
}

/// `(/ a b)`: exact operands give an exact (possibly rational) result; an exact zero divisor is
/// an error even when the dividend is a flonum.
pub fn div2(a: &Value, b: &Value) -> R<Value> {
    check_number("/", a)?;
    check_number("/", b)?;
    if is_exact_zero(b) {
        return Err(Error::divide_by_zero("/"));
    }
    if is_exact_zero(a) {
        return Ok(Value::Int(0));
    }
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let (Some(0), Some(q)) = (x.checked_rem(*y), x.checked_div(*y)) {
            return Ok(Value::Int(q));
        }
    }
    Ok(match common("/", a, b)? {
        Common::Floats(x, y) => Value::Float(x / y),
        Common::Integers(x, y) => normalize_rat(BigRational::new(x, y)),
        Common::Rationals(x, y) => normalize_rat(x / y),
        // Dividing by a flonum zero gives an infinity of the right sign.
        Common::Exactly(_, y) if y.is_zero() => Value::Float(finite_stand_in(a, 0.0) / to_f64(b)),
        Common::Exactly(x, y) => Value::Float(rational_to_f64(&(x / y))),
    })
}

/// `(- v)`.
pub fn negate(v: &Value) -> R<Value> {
    match v {
        Value::Int(i) => Ok(i.checked_neg().map_or_else(|| from_i128(-i128::from(*i)), Value::Int)),
        Value::Big(b) => Ok(normalize_big(-(**b).clone())),
        Value::Rat(r) => Ok(Value::Rat(Rc::new(-(**r).clone()))),
        Value::Float(f) => Ok(Value::Float(-f)),
        other => Err(Error::contract("-", "number?", other)),
    }
}

/// The sign of a real number; `None` for NaN and non-numbers. Both zeros count as `Equal`.
pub fn sign(v: &Value) -> Option<Ordering> {
    match v {
        Value::Int(i) => Some(i.cmp(&0)),
        Value::Big(b) => Some(if b.is_negative() {
            Ordering::Less
        } else {
            Ordering::Greater
        }),
        Value::Rat(r) => Some(if r.is_negative() {
            Ordering::Less
        } else {
            Ordering::Greater
        }),
        Value::Float(f) => f.partial_cmp(&0.0),
        _ => None,
    }
}

/// Numeric order across exactness, compared exactly (as Racket does, so 2^53+1 is greater than
/// the flonum 2^53). `None` when either side is NaN or not a number.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Float(x), exact) => compare_float_with_exact(*x, exact),
        (exact, Value::Float(y)) => compare_float_with_exact(*y, exact).map(Ordering::reverse),
        _ => compare_exact(a, b),
    }
}

fn compare_float_with_exact(x: f64, exact: &Value) -> Option<Ordering> {
    if x.is_nan() || !is_exact(exact) {
        return None;
    }
    if x.is_infinite() {
        return Some(if x > 0.0 { Ordering::Greater } else { Ordering::Less });
    }
    if let Value::Int(i) = exact {
        if i.unsigned_abs() <= EXACT_F64_INT {
            return x.partial_cmp(&(*i as f64));
        }
    }
    let exact_x = BigRational::from_float(x)?;
    Some(exact_x.cmp(&to_rational(exact)?))
}

fn compare_exact(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (to_bigint(a), to_bigint(b)) {
        return Some(x.cmp(&y));
    }
    Some(to_rational(a)?.cmp(&to_rational(b)?))
}

/// Numeric equality (`=`): exact 1 equals 1.0, NaN equals nothing.
pub fn num_eq(a: &Value, b: &Value) -> bool {
    compare(a, b) == Some(Ordering::Equal)
}

/// The comparison behind `<`, `>`, `<=` and `>=`: a contract error names `who` and the first
/// operand that is not a real number; `None` means NaN was involved.
pub fn compare_values(who: &str, a: &Value, b: &Value) -> R<Option<Ordering>> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Some(x.cmp(y)));
    }
    for v in [a, b] {
        if !is_number(v) {
            return Err(Error::contract(who, "real?", v));
        }
    }
    Ok(compare(a, b))
}

#[inline]
pub fn lt2(a: &Value, b: &Value) -> R<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x < y);
    }
    Ok(compare_values("<", a, b)? == Some(Ordering::Less))
}

#[inline]
pub fn gt2(a: &Value, b: &Value) -> R<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x > y);
    }
    Ok(compare_values(">", a, b)? == Some(Ordering::Greater))
}

#[inline]
pub fn le2(a: &Value, b: &Value) -> R<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x <= y);
    }
    Ok(matches!(
        compare_values("<=", a, b)?,
        Some(Ordering::Less | Ordering::Equal)
    ))
}

#[inline]
pub fn ge2(a: &Value, b: &Value) -> R<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x >= y);
    }
    Ok(matches!(
        compare_values(">=", a, b)?,
        Some(Ordering::Greater | Ordering::Equal)
    ))
}

/// `(= a b)`; its contract is `number?`, not `real?`.
#[inline]
pub fn eq2(a: &Value, b: &Value) -> R<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x == y);
    }
    check_number("=", a)?;
    check_number("=", b)?;
    Ok(num_eq(a, b))
}

/// `eqv?` on numbers: same exactness and same value; flonums compare by bits, so 0.0 and -0.0
/// differ while every NaN is the same.
pub fn eqv_numbers(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Big(x), Value::Big(y)) => x == y,
        (Value::Rat(x), Value::Rat(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        _ => false,
    }
}

/// A hash consistent with `eqv_numbers` (which is also `equal?` on numbers).
pub fn hash_number<H: Hasher>(v: &Value, state: &mut H) {
    match v {
        Value::Int(i) => {
            0u8.hash(state);
            i.hash(state);
        }
        Value::Big(b) => {
            1u8.hash(state);
            b.hash(state);
        }
        Value::Rat(r) => {
            2u8.hash(state);
            r.hash(state);
        }
        Value::Float(f) => {
            3u8.hash(state);
            let bits = if f.is_nan() { f64::NAN.to_bits() } else { f.to_bits() };
            bits.hash(state);
        }
        _ => {}
    }
}

/// A number printed as Racket prints it. Flonums are always printed in base 10 (the
/// `number->string` builtin refuses other radices for them); a non-number prints in `write` style.
pub fn number_to_string(v: &Value, radix: u32) -> String {
    let radix = if (2..=36).contains(&radix) { radix } else { 10 };
    match v {
        Value::Int(i) if radix == 10 => i.to_string(),
        Value::Int(i) => BigInt::from(*i).to_str_radix(radix),
        Value::Big(b) => b.to_str_radix(radix),
        Value::Rat(r) => format!("{}/{}", r.numer().to_str_radix(radix), r.denom().to_str_radix(radix)),
        Value::Float(f) => float_to_string(*f),
        other => crate::value::print::write_string(other),
    }
}

/// Racket's flonum printing: the shortest digits that read back as the same flonum, laid out
/// positionally or in scientific notation by Chez Scheme's rules.
pub fn float_to_string(f: f64) -> String {
    if f.is_nan() {
        return "+nan.0".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+inf.0" } else { "-inf.0" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    // `{:e}` gives the shortest round-trip digits as `d.ddde±x`.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    format!("{sign}{}", lay_out_digits(&digits, exponent))
}

/// Places the decimal point in `digits` (d1 d2 ... meaning d1.d2... × 10^exponent). Racket
/// writes positionally from 1e-4 up to 1e14, and beyond that while at most three zeros would
/// pad the digits before the point; otherwise it uses scientific notation.
fn lay_out_digits(digits: &str, exponent: i32) -> String {
    let count = digits.len() as i32;
    let positional = exponent >= -4 && exponent <= 13.max(count + 2);
    if !positional {
        let (first, rest) = digits.split_at(1);
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        return format!("{first}{fraction}e{exp_sign}{}", exponent.unsigned_abs());
    }
    let int_len = exponent + 1;
    if int_len <= 0 {
        format!("0.{}{digits}", "0".repeat(int_len.unsigned_abs() as usize))
    } else if int_len < count {
        let (int_part, frac_part) = digits.split_at(int_len as usize);
        format!("{int_part}.{frac_part}")
    } else {
        format!("{digits}{}.0", "0".repeat((int_len - count) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Value {
        Value::Int(i)
    }

    fn big(s: &str) -> Value {
        normalize_big(s.parse().expect("test literal"))
    }

    fn rat(n: i64, d: i64) -> Value {
        normalize_rat(BigRational::new(BigInt::from(n), BigInt::from(d)))
    }

    fn show(v: &R<Value>) -> String {
        match v {
            Ok(v) => number_to_string(v, 10),
            Err(e) => e.report(),
        }
    }

    #[test]
    fn float_printing_matches_racket() {
        let cases: &[(f64, &str)] = &[
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1e20, "1e+20"),
            (1e22, "1e+22"),
            (123456789012345678.0, "123456789012345680.0"),
            (12345678901234567890.0, "12345678901234567000.0"),
            (1.5e-7, "1.5e-7"),
            (1e-7, "1e-7"),
            (0.000001, "1e-6"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (1.2e-5, "1.2e-5"),
            (1e-5, "1e-5"),
            (100.0, "100.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1.0, "1.0"),
            (-1.5, "-1.5"),
            (1.23456, "1.23456"),
            (2.5e10, "25000000000.0"),
            (1e13, "10000000000000.0"),
            (1e14, "1e+14"),
            (1.5e14, "1.5e+14"),
            (1.5e13, "15000000000000.0"),
            (12345678901234.0, "12345678901234.0"),
            (123456789012345.0, "123456789012345.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (6.02e23, "6.02e+23"),
            (6.626e-34, "6.626e-34"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (f64::INFINITY, "+inf.0"),
            (f64::NEG_INFINITY, "-inf.0"),
            (f64::NAN, "+nan.0"),
            (1.0 / 3.0, "0.3333333333333333"),
            (2.0 / 3.0, "0.6666666666666666"),
            (1.1 * 1.1, "1.2100000000000002"),
            (1e100, "1e+100"),
            (123456789.123, "123456789.123"),
            (1234567.125, "1234567.125"),
            (1e15 + 0.3, "1000000000000000.3"),
            (-1.5e-7, "-1.5e-7"),
            (0.5, "0.5"),
            (1e-3, "0.001"),
        ];
        for (f, expected) in cases {
            assert_eq!(float_to_string(*f), *expected, "printing {f:?}");
        }
    }

    #[test]
    fn exact_printing() {
        assert_eq!(number_to_string(&rat(1, 3), 10), "1/3");
        assert_eq!(number_to_string(&rat(-255, 7), 16), "-ff/7");
        assert_eq!(number_to_string(&int(255), 2), "11111111");
        assert_eq!(number_to_string(&int(-255), 16), "-ff");
        assert_eq!(number_to_string(&int(i64::MIN), 16), "-8000000000000000");
        assert_eq!(
            number_to_string(&big("-1267650600228229401496703205376"), 16),
            "-10000000000000000000000000"
        );
    }

    #[test]
    fn normalisation_keeps_invariants() {
        assert!(matches!(normalize_big(BigInt::from(5)), Value::Int(5)));
        assert!(matches!(big("9223372036854775808"), Value::Big(_)));
        assert!(matches!(rat(6, 3), Value::Int(2)));
        assert!(matches!(rat(6, 4), Value::Rat(_)));
        assert!(matches!(from_i128(i128::from(i64::MAX) + 1), Value::Big(_)));
    }

    #[test]
    fn integer_arithmetic_overflows_into_bignums() {
        assert_eq!(show(&add2(&int(i64::MAX), &int(1))), "9223372036854775808");
        assert_eq!(show(&sub2(&int(i64::MIN), &int(1))), "-9223372036854775809");
        assert_eq!(
            show(&mul2(&int(99999999999), &int(99999999999))),
            "9999999999800000000001"
        );
        assert_eq!(show(&negate(&int(i64::MIN))), "9223372036854775808");
        assert_eq!(show(&sub2(&big("9223372036854775808"), &int(1))), "9223372036854775807");
        assert!(matches!(sub2(&big("9223372036854775808"), &int(1)), Ok(Value::Int(_))));
        assert_eq!(show(&div2(&int(i64::MIN), &int(-1))), "9223372036854775808");
    }

    #[test]
    fn exact_division_gives_rationals() {
        assert_eq!(show(&div2(&int(10), &int(4))), "5/2");
        assert_eq!(show(&div2(&int(12), &int(4))), "3");
        assert_eq!(show(&add2(&rat(1, 3), &rat(1, 6))), "1/2");
        assert_eq!(show(&mul2(&rat(2, 3), &rat(3, 4))), "1/2");
        assert_eq!(show(&sub2(&rat(1, 2), &rat(1, 2))), "0");
        assert_eq!(show(&div2(&rat(1, 2), &int(3))), "1/6");
    }

    #[test]
    fn division_by_exact_zero_is_an_error_even_for_flonums() {
        for dividend in [int(1), Value::Float(1.0), Value::Float(0.0)] {
            let err = div2(&dividend, &int(0)).expect_err("division by zero");
            assert_eq!(err.report(), "/: division by zero");
            assert_eq!(err.exn_kind(), Some(crate::error::ExnKind::DivideByZero));
        }
        assert_eq!(show(&div2(&Value::Float(1.0), &Value::Float(0.0))), "+inf.0");
        assert_eq!(show(&div2(&int(0), &Value::Float(0.0))), "0");
    }

    #[test]
    fn mixed_exactness_contagion() {
        assert_eq!(show(&mul2(&int(0), &Value::Float(1.5))), "0");
        assert_eq!(show(&mul2(&Value::Float(f64::INFINITY), &int(0))), "0");
        assert_eq!(show(&add2(&int(0), &Value::Float(1.5))), "1.5");
        assert_eq!(show(&add2(&int(0), &Value::Float(-0.0))), "-0.0");
        assert_eq!(show(&sub2(&int(0), &Value::Float(0.0))), "-0.0");
        assert_eq!(show(&sub2(&Value::Float(0.0), &int(0))), "0.0");
        assert_eq!(show(&mul2(&rat(1, 3), &Value::Float(3.0))), "1.0");
        assert_eq!(show(&add2(&rat(1, 3), &Value::Float(0.5))), "0.8333333333333333");
        assert_eq!(show(&div2(&int(1), &Value::Float(3.0))), "0.3333333333333333");
        let huge = normalize_big(BigInt::from(10).pow(400u32));
        let tiny = div2(&int(1), &huge).unwrap_or(Value::Void);
        assert_eq!(show(&mul2(&huge, &Value::Float(1e-300))), "1e+100");
        assert_eq!(show(&div2(&tiny, &Value::Float(1e-300))), "1e-100");
        assert_eq!(show(&add2(&huge, &Value::Float(-1e300))), "+inf.0");
        assert_eq!(
            show(&add2(
                &Value::Float(f64::INFINITY),
                &negate(&huge).unwrap_or(Value::Void)
            )),
            "+inf.0"
        );
        assert_eq!(show(&sub2(&huge, &Value::Float(f64::INFINITY))), "-inf.0");
        assert_eq!(show(&mul2(&Value::Float(f64::NEG_INFINITY), &tiny)), "-inf.0");
        assert_eq!(show(&div2(&huge, &Value::Float(f64::INFINITY))), "0.0");
        assert_eq!(show(&div2(&tiny, &Value::Float(-0.0))), "-inf.0");
        assert_eq!(
            show(&add2(&big("1267650600228229401496703205376"), &Value::Float(1.0))),
            "1.2676506002282294e+30"
        );
    }

    #[test]
    fn non_numbers_are_contract_errors() {
        let err = add2(&int(1), &Value::sym("a")).expect_err("contract error");
        assert!(err
            .report()
            .starts_with("+: contract violation\n  expected: number?\n  given: "));
        let err = compare_values("<", &Value::str("a"), &int(1)).expect_err("contract error");
        assert!(err.report().starts_with("<: contract violation\n  expected: real?"));
        assert!(eq2(&int(1), &Value::Bool(true)).is_err());
    }

    #[test]
    fn comparison_is_exact_across_types() {
        let two53 = Value::Float(9007199254740992.0);
        assert_eq!(compare(&int(9007199254740993), &two53), Some(Ordering::Greater));
        assert!(!num_eq(&rat(1, 3), &Value::Float(1.0 / 3.0)));
        assert!(num_eq(&rat(1, 2), &Value::Float(0.5)));
        assert!(num_eq(&int(2), &Value::Float(2.0)));
        assert!(num_eq(&Value::Float(0.0), &Value::Float(-0.0)));
        assert_eq!(
            compare(&big("100000000000000000000000"), &Value::Float(f64::INFINITY)),
            Some(Ordering::Less)
        );
        assert_eq!(compare(&Value::Float(f64::NAN), &int(1)), None);
        assert_eq!(
            compare(&big("-100000000000000000000000"), &int(3)),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare(&rat(-1, 2), &big("100000000000000000000000")),
            Some(Ordering::Less)
        );
        assert!(lt2(&int(1), &int(2)).unwrap_or(false));
        assert!(!lt2(&Value::Float(f64::NAN), &int(2)).unwrap_or(true));
        assert!(le2(&int(2), &Value::Float(2.0)).unwrap_or(false));
        assert!(ge2(&rat(1, 2), &rat(1, 3)).unwrap_or(false));
        assert!(gt2(&Value::Float(1e21), &big("100000000000000000000")).unwrap_or(false));
    }

    #[test]
    fn eqv_and_hash_distinguish_exactness_and_zero_signs() {
        assert!(!eqv_numbers(&int(1), &Value::Float(1.0)));
        assert!(!eqv_numbers(&Value::Float(0.0), &Value::Float(-0.0)));
        assert!(eqv_numbers(&Value::Float(f64::NAN), &Value::Float(-f64::NAN)));
        assert!(eqv_numbers(&rat(2, 4), &rat(1, 2)));
        let hash = |v: &Value| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            hash_number(v, &mut h);
            h.finish()
        };
        assert_eq!(hash(&Value::Float(f64::NAN)), hash(&Value::Float(-f64::NAN)));
        assert_eq!(hash(&rat(2, 4)), hash(&rat(1, 2)));
        assert_ne!(hash(&int(1)), hash(&Value::Float(1.0)));
    }

    #[test]
    fn conversions() {
        assert_eq!(
            show(&Ok(float_to_exact(0.1).unwrap_or(Value::Void))),
            "3602879701896397/36028797018963968"
        );
        assert!(matches!(float_to_exact(3.0), Some(Value::Int(3))));
        assert!(matches!(float_to_exact(-0.0), Some(Value::Int(0))));
        assert!(float_to_exact(f64::INFINITY).is_none());
        assert_eq!(show(&Ok(to_inexact(&rat(2, 3)))), "0.6666666666666666");
        assert_eq!(to_f64(&big("9007199254740993")), 9007199254740992.0);
        assert_eq!(
            show(&Ok(float_to_exact(1e20).unwrap_or(Value::Void))),
            "100000000000000000000"
        );
    }
}

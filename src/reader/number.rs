//! Racket's number syntax, shared by the reader and `string->number`.
//!
//! Supported: radix and exactness prefixes (`#x #b #o #d #e #i`, in either order, each at most
//! once), exact integers of any size, exact rationals `n/d`, decimals with an optional exponent
//! (`e d f s l`, digits in the number's radix), `#` as a trailing digit that makes the number
//! inexact (`1#` is `10.0`), and `±inf.0 ±nan.0` (also the `.f` spellings). Complex numbers and
//! extflonums are not numbers here.

use std::rc::Rc;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Pow, ToPrimitive, Zero};

use crate::value::Value;

/// Why a piece of text is not a number. The reader treats the two differently: `1/0` is an
/// error, while `1/x` is just a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    NotANumber,
    DivisionByZero,
}

/// Exact results with a power of the radix larger than this are refused rather than computed:
/// `#e1e1000000000` would otherwise take minutes and gigabytes.
const MAX_EXACT_EXPONENT: i64 = 100_000;

/// Beyond this power of two every finite double has overflowed or underflowed.
const FLOAT_EXPONENT_LIMIT: i64 = 1100;

/// Parses `text` as a number in `radix`, or returns `None` if it is not one.
pub fn parse_number(text: &str, radix: u32) -> Option<Value> {
    parse_number_checked(text, radix).ok()
}

/// Like [`parse_number`], but says whether a failure was a zero denominator.
pub fn parse_number_checked(text: &str, radix: u32) -> Result<Value, NumberError> {
    if !text.is_ascii() || !matches!(radix, 2 | 8 | 10 | 16) {
        return Err(NumberError::NotANumber);
    }
    let (prefix, body) = split_prefixes(text.as_bytes(), radix)?;
    if let Some(special) = special_float(body) {
        return match prefix.exactness {
            Some(Exactness::Exact) => Err(NumberError::NotANumber),
            _ => Ok(Value::Float(special)),
        };
    }
    let (negative, unsigned) = match body.first() {
        Some(b'+') => (false, &body[1..]),
        Some(b'-') => (true, &body[1..]),
        _ => (false, body),
    };
    let real = scan_real(unsigned, prefix.radix).ok_or(NumberError::NotANumber)?;
    let inexact = match prefix.exactness {
        Some(Exactness::Exact) => false,
        Some(Exactness::Inexact) => true,
        None => real.looks_inexact(),
    };
    if inexact {
        real.to_float(prefix.radix, negative).map(Value::Float)
    } else {
        real.to_exact(prefix.radix, negative)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Exactness {
    Exact,
    Inexact,
}

struct Prefix {
    radix: u32,
    exactness: Option<Exactness>,
}

fn split_prefixes(mut text: &[u8], default_radix: u32) -> Result<(Prefix, &[u8]), NumberError> {
    let mut radix = None;
    let mut exactness = None;
    while let [b'#', letter, rest @ ..] = text {
        match letter.to_ascii_lowercase() {
            b'x' | b'b' | b'o' | b'd' if radix.is_none() => {
                radix = Some(match letter.to_ascii_lowercase() {
                    b'x' => 16,
                    b'b' => 2,
                    b'o' => 8,
                    _ => 10,
                })
            }
            b'e' if exactness.is_none() => exactness = Some(Exactness::Exact),
            b'i' if exactness.is_none() => exactness = Some(Exactness::Inexact),
            _ => return Err(NumberError::NotANumber),
        }
        text = rest;
    }
    Ok((
        Prefix {
            radix: radix.unwrap_or(default_radix),
            exactness,
        },
        text,
    ))
}

fn special_float(body: &[u8]) -> Option<f64> {
    const SPECIALS: [(&[u8], f64); 8] = [
        (b"+inf.0", f64::INFINITY),
        (b"-inf.0", f64::NEG_INFINITY),
        (b"+nan.0", f64::NAN),
        (b"-nan.0", f64::NAN),
        (b"+inf.f", f64::INFINITY),
        (b"-inf.f", f64::NEG_INFINITY),
        (b"+nan.f", f64::NAN),
        (b"-nan.f", f64::NAN),
    ];
    SPECIALS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(body))
        .map(|(_, value)| *value)
}

/// The digits of an unsigned real, still as text: `int.frac` (or `int/denom`) times
/// radix^`exponent`. `#` digits are kept and read as zeros.
struct RealText<'a> {
    int: &'a [u8],
    frac: &'a [u8],
    denom: Option<&'a [u8]>,
    has_point: bool,
    exponent: Option<i64>,
}

impl RealText<'_> {
    fn looks_inexact(&self) -> bool {
        self.has_point
            || self.exponent.is_some()
            || [self.int, self.frac, self.denom.unwrap_or(b"")]
                .iter()
                .any(|part| part.contains(&b'#'))
    }

    /// The exact value of the digits before the exponent: numerator and denominator.
    fn mantissa(&self, radix: u32) -> (BigInt, BigInt) {
        let mut digits = Vec::with_capacity(self.int.len() + self.frac.len());
        digits.extend_from_slice(self.int);
        digits.extend_from_slice(self.frac);
        let numer = digits_to_bigint(&digits, radix);
        let denom = match self.denom {
            Some(d) => digits_to_bigint(d, radix),
            None => radix_power(radix, self.frac.len() as u64),
        };
        (numer, denom)
    }

    fn to_exact(&self, radix: u32, negative: bool) -> Result<Value, NumberError> {
        if !self.has_point
            && self.exponent.is_none()
            && self.denom.is_none()
            && !self.int.contains(&b'#')
        {
            return Ok(exact_integer(self.int, radix, negative));
        }
        let (numer, denom) = self.mantissa(radix);
        if denom.is_zero() {
            return Err(NumberError::DivisionByZero);
        }
        if numer.is_zero() {
            return Ok(Value::Int(0));
        }
        let exponent = self.exponent.unwrap_or(0);
        if exponent.abs() > MAX_EXACT_EXPONENT {
            return Err(NumberError::NotANumber);
        }
        let scale = radix_power(radix, exponent.unsigned_abs());
        let (numer, denom) = if exponent >= 0 {
            (numer * scale, denom)
        } else {
            (numer, denom * scale)
        };
        let numer = if negative { -numer } else { numer };
        Ok(normalize_rational(BigRational::new(numer, denom)))
    }

    fn to_float(&self, radix: u32, negative: bool) -> Result<f64, NumberError> {
        let magnitude = if radix == 10 && self.denom.is_none() {
            self.decimal_to_float()
        } else {
            self.rational_to_float(radix)?
        };
        Ok(if negative { -magnitude } else { magnitude })
    }

    /// Rust's float parser rounds correctly, so decimal text goes straight to it.
    fn decimal_to_float(&self) -> f64 {
        let mut text = String::with_capacity(self.int.len() + self.frac.len() + 24);
        text.push('0');
        text.extend(self.int.iter().map(|&b| hash_as_zero(b) as char));
        text.push('.');
        text.extend(self.frac.iter().map(|&b| hash_as_zero(b) as char));
        text.push_str("0e");
        text.push_str(&self.exponent.unwrap_or(0).to_string());
        text.parse().unwrap_or(f64::NAN)
    }

    fn rational_to_float(&self, radix: u32) -> Result<f64, NumberError> {
        let (numer, denom) = self.mantissa(radix);
        if denom.is_zero() {
            return Err(NumberError::DivisionByZero);
        }
        if numer.is_zero() {
            return Ok(0.0);
        }
        let exponent = self.exponent.unwrap_or(0);
        // radix >= 2, so radix^exponent is at least 2^exponent: past these bounds the result
        // is certainly out of range, and computing the power could take forever.
        if exponent > denom.bits() as i64 + FLOAT_EXPONENT_LIMIT {
            return Ok(f64::INFINITY);
        }
        if exponent < -(numer.bits() as i64 + FLOAT_EXPONENT_LIMIT) {
            return Ok(0.0);
        }
        let scale = radix_power(radix, exponent.unsigned_abs());
        let ratio = if exponent >= 0 {
            BigRational::new(numer * scale, denom)
        } else {
            BigRational::new(numer, denom * scale)
        };
        Ok(ratio.to_f64().unwrap_or(f64::NAN))
    }
}

fn radix_power(radix: u32, exponent: u64) -> BigInt {
    Pow::pow(BigInt::from(radix), exponent)
}

fn hash_as_zero(b: u8) -> u8 {
    if b == b'#' {
        b'0'
    } else {
        b
    }
}

fn digits_to_bigint(digits: &[u8], radix: u32) -> BigInt {
    let cleaned: Vec<u8> = digits.iter().map(|&b| hash_as_zero(b)).collect();
    if cleaned.is_empty() {
        return BigInt::zero();
    }
    BigInt::parse_bytes(&cleaned, radix).unwrap_or_default()
}

fn exact_integer(digits: &[u8], radix: u32, negative: bool) -> Value {
    // Digits were validated by the scanner, so they are ASCII.
    let text = std::str::from_utf8(digits).unwrap_or("0");
    if let Ok(n) = u64::from_str_radix(text, radix) {
        let signed = if negative {
            0i64.checked_sub_unsigned(n)
        } else {
            i64::try_from(n).ok()
        };
        if let Some(n) = signed {
            return Value::Int(n);
        }
    }
    let magnitude = digits_to_bigint(digits, radix);
    normalize_integer(if negative { -magnitude } else { magnitude })
}

/// A bignum that fits in a fixnum must be a fixnum.
pub fn normalize_integer(n: BigInt) -> Value {
    match n.to_i64() {
        Some(small) => Value::Int(small),
        None => Value::Big(Rc::new(n)),
    }
}

/// A rational with denominator 1 must be an integer. `BigRational::new` already reduced it.
pub fn normalize_rational(r: BigRational) -> Value {
    if r.denom().is_one() {
        normalize_integer(r.to_integer())
    } else {
        Value::Rat(Rc::new(r))
    }
}

fn is_digit(b: u8, radix: u32) -> bool {
    (b as char).is_digit(radix)
}

fn is_exponent_marker(b: u8, radix: u32) -> bool {
    matches!(b.to_ascii_lowercase(), b'e' | b'd' | b'f' | b's' | b'l') && !is_digit(b, radix)
}

/// `digit+ #*` from the start of `text`; returns its length (0 if there is no digit).
fn scan_uinteger(text: &[u8], radix: u32) -> usize {
    let digits = text.iter().take_while(|&&b| is_digit(b, radix)).count();
    if digits == 0 {
        return 0;
    }
    digits + text[digits..].iter().take_while(|&&b| b == b'#').count()
}

/// Recognises an unsigned real: `uinteger [/ uinteger]` or a decimal, then an exponent.
fn scan_real(text: &[u8], radix: u32) -> Option<RealText<'_>> {
    let int_len = scan_uinteger(text, radix);
    let int = &text[..int_len];
    let mut rest = &text[int_len..];
    let mut real = RealText {
        int,
        frac: b"",
        denom: None,
        has_point: false,
        exponent: None,
    };
    match rest.first() {
        Some(b'/') if int_len > 0 => {
            let denom_len = scan_uinteger(&rest[1..], radix);
            if denom_len == 0 {
                return None;
            }
            real.denom = Some(&rest[1..1 + denom_len]);
            rest = &rest[1 + denom_len..];
        }
        Some(b'.') => {
            let after_point = &rest[1..];
            let frac_len = if int.contains(&b'#') {
                after_point.iter().take_while(|&&b| b == b'#').count()
            } else {
                let digits = after_point
                    .iter()
                    .take_while(|&&b| is_digit(b, radix))
                    .count();
                digits
                    + after_point[digits..]
                        .iter()
                        .take_while(|&&b| b == b'#')
                        .count()
            };
            if int_len == 0 && !after_point.first().is_some_and(|&b| is_digit(b, radix)) {
                return None;
            }
            real.frac = &after_point[..frac_len];
            real.has_point = true;
            rest = &after_point[frac_len..];
        }
        _ if int_len == 0 => return None,
        _ => {}
    }
    if let Some((&marker, exponent_text)) = rest.split_first() {
        if !is_exponent_marker(marker, radix) {
            return None;
        }
        real.exponent = Some(scan_exponent(exponent_text, radix)?);
    }
    Some(real)
}

/// `[+-] digit+` to the end of the text, saturating far beyond any useful magnitude.
fn scan_exponent(text: &[u8], radix: u32) -> Option<i64> {
    let (negative, digits) = match text.first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(|&b| is_digit(b, radix)) {
        return None;
    }
    let magnitude = digits.iter().fold(0i64, |acc, &b| {
        let digit = (b as char).to_digit(radix).unwrap_or(0) as i64;
        acc.saturating_mul(radix as i64)
            .saturating_add(digit)
            .min(i64::MAX / 64)
    });
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> Option<Value> {
        parse_number(text, 10)
    }

    fn int(text: &str) -> i64 {
        match num(text) {
            Some(Value::Int(n)) => n,
            _ => panic!("{text} is not a fixnum"),
        }
    }

    fn float(text: &str) -> f64 {
        match num(text) {
            Some(Value::Float(f)) => f,
            _ => panic!("{text} is not a flonum"),
        }
    }

    fn ratio(text: &str) -> (String, String) {
        match num(text) {
            Some(Value::Rat(r)) => (r.numer().to_string(), r.denom().to_string()),
            _ => panic!("{text} is not a rational"),
        }
    }

    fn big(text: &str) -> String {
        match num(text) {
            Some(Value::Big(b)) => b.to_string(),
            _ => panic!("{text} is not a bignum"),
        }
    }

    #[test]
    fn integers() {
        assert_eq!(int("0"), 0);
        assert_eq!(int("42"), 42);
        assert_eq!(int("-17"), -17);
        assert_eq!(int("+5"), 5);
        assert_eq!(int("00012"), 12);
        assert_eq!(int("-0"), 0);
        assert_eq!(int("9223372036854775807"), i64::MAX);
        assert_eq!(int("-9223372036854775808"), i64::MIN);
    }

    #[test]
    fn bignums_are_used_only_when_needed() {
        assert_eq!(big("9223372036854775808"), "9223372036854775808");
        assert_eq!(big("-9223372036854775809"), "-9223372036854775809");
        assert_eq!(
            big("123456789012345678901234567890"),
            "123456789012345678901234567890"
        );
    }

    #[test]
    fn huge_integers_parse_fast() {
        let digits = "7".repeat(5000);
        let start = std::time::Instant::now();
        assert_eq!(big(&digits), digits);
        assert!(start.elapsed().as_millis() < 200);
    }

    #[test]
    fn rationals_are_normalised() {
        assert_eq!(ratio("1/3"), ("1".into(), "3".into()));
        assert_eq!(ratio("-6/4"), ("-3".into(), "2".into()));
        assert_eq!(ratio("+1/2"), ("1".into(), "2".into()));
        assert_eq!(ratio("1/002"), ("1".into(), "2".into()));
        assert_eq!(int("6/3"), 2);
        assert_eq!(int("0/5"), 0);
        assert_eq!(big("100000000000000000000/1"), "100000000000000000000");
    }

    #[test]
    fn division_by_zero_is_reported() {
        assert_eq!(
            parse_number_checked("1/0", 10).err(),
            Some(NumberError::DivisionByZero)
        );
        assert_eq!(
            parse_number_checked("-1/0", 10).err(),
            Some(NumberError::DivisionByZero)
        );
        assert_eq!(
            parse_number_checked("#i1/0", 10).err(),
            Some(NumberError::DivisionByZero)
        );
        assert_eq!(
            parse_number_checked("#e1/0", 10).err(),
            Some(NumberError::DivisionByZero)
        );
        assert!(num("1/0").is_none());
    }

    #[test]
    fn decimals() {
        assert_eq!(float("1.5"), 1.5);
        assert_eq!(float(".5"), 0.5);
        assert_eq!(float("+.5"), 0.5);
        assert_eq!(float("1."), 1.0);
        assert_eq!(float("-00.5"), -0.5);
        assert_eq!(float("1e21"), 1e21);
        assert_eq!(float("-2.5e-3"), -2.5e-3);
        assert_eq!(float("1E2"), 100.0);
        assert_eq!(float("1e+2"), 100.0);
        assert_eq!(float("1e-0"), 1.0);
        assert_eq!(float("1.e2"), 100.0);
        assert_eq!(float("-.5e1"), -5.0);
        assert_eq!(float("0.1"), 0.1);
        assert_eq!(float("123456789.125e-5"), 123456789.125e-5);
        assert_eq!(float("0.30000000000000004"), 0.1 + 0.2);
        for marker in ["d", "f", "s", "l"] {
            assert_eq!(float(&format!("1{marker}2")), 100.0);
        }
    }

    #[test]
    fn negative_zero_survives() {
        assert!(float("-0.0").is_sign_negative());
        assert!(match parse_number("#i-0", 10) {
            Some(Value::Float(f)) => f == 0.0 && f.is_sign_negative(),
            _ => false,
        });
    }

    #[test]
    fn extreme_exponents() {
        assert_eq!(float("1e500"), f64::INFINITY);
        assert_eq!(float("-1e500"), f64::NEG_INFINITY);
        assert_eq!(float("1e-400"), 0.0);
        assert_eq!(float("1e1000000000"), f64::INFINITY);
        assert_eq!(float("1e99999999999999999999999999"), f64::INFINITY);
        assert_eq!(
            parse_number("#b1e-11111111111111111111111111", 10)
                .map(|v| matches!(v, Value::Float(f) if f == 0.0)),
            Some(true)
        );
        assert!(matches!(parse_number("#x1/2e", 10), Some(Value::Rat(_))));
        assert!(parse_number("#e1e1000000000", 10).is_none());
        assert!(matches!(
            parse_number("#e0e1000000000", 10),
            Some(Value::Int(0))
        ));
    }

    #[test]
    fn hash_digits_make_inexact_numbers() {
        assert_eq!(float("1#"), 10.0);
        assert_eq!(float("1##"), 100.0);
        assert_eq!(float("1#.#"), 10.0);
        assert_eq!(float("1.#"), 1.0);
        assert_eq!(float("1#/2"), 5.0);
        assert_eq!(float("1/2#"), 0.05);
        assert_eq!(ratio("#e1/2#"), ("1".into(), "20".into()));
        for junk in ["1#1", "1#.5", ".#", "#.5", "0.1e1#"] {
            assert!(num(junk).is_none(), "{junk}");
        }
    }

    #[test]
    fn rational_with_exponent_is_inexact() {
        assert_eq!(float("1/2e2"), 50.0);
        assert_eq!(int("#e1/2e2"), 50);
    }

    #[test]
    fn special_floats() {
        assert_eq!(float("+inf.0"), f64::INFINITY);
        assert_eq!(float("-inf.0"), f64::NEG_INFINITY);
        assert!(float("+nan.0").is_nan());
        assert!(float("-nan.0").is_nan());
        assert_eq!(float("+inf.f"), f64::INFINITY);
        assert_eq!(float("-inf.f"), f64::NEG_INFINITY);
        assert_eq!(float("+INF.0"), f64::INFINITY);
        assert_eq!(
            parse_number("#i+inf.0", 10).map(|v| matches!(v, Value::Float(_))),
            Some(true)
        );
        for junk in ["inf.0", "+inf.0x", "+inf.t", "#e+inf.0", "+inf.0e1"] {
            assert!(num(junk).is_none(), "{junk}");
        }
    }

    #[test]
    fn exactness_prefixes() {
        assert_eq!(ratio("#e1.5"), ("3".into(), "2".into()));
        assert_eq!(ratio("#E1.5"), ("3".into(), "2".into()));
        assert_eq!(int("#e1.5e2"), 150);
        assert_eq!(ratio("#e1.2e-3"), ("3".into(), "2500".into()));
        assert_eq!(int("#e1."), 1);
        assert_eq!(int("#e-0.0"), 0);
        assert_eq!(float("#i1/2"), 0.5);
        assert_eq!(float("#i3"), 3.0);
        assert_eq!(float("#i1/3"), 1.0 / 3.0);
        assert_eq!(big("#e1e30"), "1000000000000000000000000000000");
        assert_eq!(big("#e1e400").len(), 401);
    }

    #[test]
    fn radix_prefixes() {
        assert_eq!(int("#x1F"), 31);
        assert_eq!(int("#X1f"), 31);
        assert_eq!(int("#xAbC"), 2748);
        assert_eq!(int("#x-ff"), -255);
        assert_eq!(int("#xe1"), 225);
        assert_eq!(int("#x1e1"), 481);
        assert_eq!(int("#b101"), 5);
        assert_eq!(int("#o17"), 15);
        assert_eq!(int("#d10"), 10);
        assert_eq!(ratio("#xff/a"), ("51".into(), "2".into()));
        assert_eq!(ratio("#b1/10"), ("1".into(), "2".into()));
        assert_eq!(float("#x1.8"), 1.5);
        assert_eq!(float("#b1.1"), 1.5);
        assert_eq!(float("#o1e1"), 8.0);
        assert_eq!(float("#b1e10"), 4.0);
        assert_eq!(float("#i#x10"), 16.0);
        assert_eq!(ratio("#x#e1.8"), ("3".into(), "2".into()));
        assert_eq!(ratio("#e#x1.8"), ("3".into(), "2".into()));
        assert_eq!(int("#E#X1"), 1);
        assert_eq!(big("#xffffffffffffffffff"), "4722366482869645213695");
    }

    #[test]
    fn radix_argument() {
        assert!(matches!(parse_number("ff", 16), Some(Value::Int(255))));
        assert!(matches!(parse_number("1e2", 16), Some(Value::Int(482))));
        assert!(matches!(parse_number("#d10", 16), Some(Value::Int(10))));
        assert!(matches!(parse_number("12", 8), Some(Value::Int(10))));
        assert!(matches!(parse_number("101", 2), Some(Value::Int(5))));
        assert!(matches!(parse_number("1/10", 2), Some(Value::Rat(_))));
        assert!(parse_number("19", 8).is_none());
        assert!(parse_number("2", 2).is_none());
        assert!(parse_number("1", 7).is_none());
    }

    #[test]
    fn junk_is_not_a_number() {
        for junk in [
            "", "abc", "+", "-", ".", "..", "1e", "1E", "1ee1", "1e+-1", "1e1.5", "1/2.", "1.5/2",
            "1/0.5", "1/-2", "1/2/3", "--1", "+-1", "1.5e", "1_000", " 1", "1 ", "0x10", "1+",
            "#b2", "#b102", "#xG", "#x", "#e", "#i", "#x#x10", "#e#e1", "#q1", "1+2i", "1.2.3",
            "#", "é", "١",
        ] {
            assert!(num(junk).is_none(), "{junk:?} should not be a number");
        }
    }
}

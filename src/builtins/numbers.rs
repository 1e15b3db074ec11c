//! Number builtins: arithmetic, comparison, rounding, integer division, powers and roots,
//! transcendental functions, exactness conversion, bitwise operations, number<->string
//! conversion and random numbers, following Racket 8.7 (including `racket/math`).

use std::cell::RefCell;
use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Pow, Signed, ToPrimitive, Zero};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::builtins::args::{self, number};
use crate::builtins::{Primitive, MANY};
use crate::error::{show_given, Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::number::{
    add2, compare, compare_values, div2, eq2, float_to_exact, float_to_string, is_exact, is_exact_integer,
    is_exact_zero, is_integer, is_number, is_rational, mul2, negate, normalize_big, normalize_rat, number_to_string,
    sign, sub2, to_bigint, to_f64, to_inexact, to_rational,
};
use crate::value::Value;

#[rustfmt::skip]
pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("+", 0, MANY, plus, "(+ z ...) adds numbers; (+) is 0."),
    Primitive::new("-", 1, MANY, minus, "(- z) negates; (- z w ...) subtracts the rest from z."),
    Primitive::new("*", 0, MANY, times, "(* z ...) multiplies numbers; (*) is 1."),
    Primitive::new("/", 1, MANY, divide, "(/ z) is the reciprocal; (/ z w ...) divides z by the rest."),
    Primitive::new("=", 1, MANY, num_equal, "(= z w ...) is #t when all numbers are numerically equal."),
    Primitive::new("<", 1, MANY, less, "(< x y ...) is #t when the reals are strictly increasing."),
    Primitive::new(">", 1, MANY, greater, "(> x y ...) is #t when the reals are strictly decreasing."),
    Primitive::new("<=", 1, MANY, less_eq, "(<= x y ...) is #t when the reals are non-decreasing."),
    Primitive::new(">=", 1, MANY, greater_eq, "(>= x y ...) is #t when the reals are non-increasing."),
    Primitive::new("add1", 1, 1, add1, "(add1 z) is z plus one."),
    Primitive::new("sub1", 1, 1, sub1, "(sub1 z) is z minus one."),
    Primitive::new("abs", 1, 1, abs, "(abs x) is the absolute value of a real number."),
    Primitive::new("max", 1, MANY, max, "(max x y ...) is the largest argument; inexact if any argument is."),
    Primitive::new("min", 1, MANY, min, "(min x y ...) is the smallest argument; inexact if any argument is."),
    Primitive::new("sqr", 1, 1, sqr, "(sqr z) is z times z."),
    Primitive::new("sgn", 1, 1, sgn, "(sgn x) is -1, 0 or 1 by the sign of x (flonum signs for flonums)."),
    Primitive::new("quotient", 2, 2, quotient, "(quotient n m) divides integers, truncating toward zero."),
    Primitive::new("remainder", 2, 2, remainder, "(remainder n m) has the sign of n: n = m*(quotient n m) + r."),
    Primitive::new("modulo", 2, 2, modulo, "(modulo n m) has the sign of m (floored division)."),
    Primitive::new("quotient/remainder", 2, 2, quotient_remainder, "(quotient/remainder n m) returns both as two values."),
    Primitive::new("truncate/", 2, 2, quotient_remainder, "(truncate/ n m) returns (quotient n m) and (remainder n m)."),
    Primitive::new("floor/", 2, 2, floor_division, "(floor/ n m) returns the floored quotient and (modulo n m)."),
    Primitive::new("gcd", 0, MANY, gcd, "(gcd q ...) is the greatest common divisor of rationals; (gcd) is 0."),
    Primitive::new("lcm", 0, MANY, lcm, "(lcm q ...) is the least common multiple of rationals; (lcm) is 1."),
    Primitive::new("numerator", 1, 1, numerator, "(numerator q) is the numerator of q in lowest terms."),
    Primitive::new("denominator", 1, 1, denominator, "(denominator q) is the positive denominator of q in lowest terms."),
    Primitive::new("floor", 1, 1, floor, "(floor x) rounds toward negative infinity, keeping exactness."),
    Primitive::new("ceiling", 1, 1, ceiling, "(ceiling x) rounds toward positive infinity, keeping exactness."),
    Primitive::new("round", 1, 1, round, "(round x) rounds to the nearest integer, ties to even."),
    Primitive::new("truncate", 1, 1, truncate, "(truncate x) rounds toward zero, keeping exactness."),
    Primitive::new("exact-floor", 1, 1, exact_floor, "(exact-floor x) is (inexact->exact (floor x))."),
    Primitive::new("exact-ceiling", 1, 1, exact_ceiling, "(exact-ceiling x) is (inexact->exact (ceiling x))."),
    Primitive::new("exact-round", 1, 1, exact_round, "(exact-round x) is (inexact->exact (round x))."),
    Primitive::new("exact-truncate", 1, 1, exact_truncate, "(exact-truncate x) is (inexact->exact (truncate x))."),
    Primitive::new("expt", 2, 2, expt, "(expt z w) is z raised to the power w; exact when both are exact and the result is rational."),
    Primitive::new("sqrt", 1, 1, sqrt, "(sqrt z) is the square root; exact for exact perfect squares."),
    Primitive::new("integer-sqrt", 1, 1, integer_sqrt, "(integer-sqrt n) is the largest integer whose square is at most n."),
    Primitive::new("exp", 1, 1, exp, "(exp z) is e raised to the power z."),
    Primitive::new("log", 1, 2, log, "(log z [base]) is the natural logarithm, or the logarithm in base."),
    Primitive::new("sin", 1, 1, sin, "(sin z) is the sine of z radians."),
    Primitive::new("cos", 1, 1, cos, "(cos z) is the cosine of z radians."),
    Primitive::new("tan", 1, 1, tan, "(tan z) is the tangent of z radians."),
    Primitive::new("asin", 1, 1, asin, "(asin z) is the arcsine of z, in radians."),
    Primitive::new("acos", 1, 1, acos, "(acos z) is the arccosine of z, in radians."),
    Primitive::new("atan", 1, 2, atan, "(atan z) is the arctangent; (atan y x) is the angle of the point (x, y)."),
    Primitive::new("exact->inexact", 1, 1, exact_to_inexact, "(exact->inexact z) is the nearest flonum to z."),
    Primitive::new("inexact->exact", 1, 1, inexact_to_exact, "(inexact->exact z) is the exact value of z (0.1 is 3602879701896397/36028797018963968)."),
    Primitive::new("exact", 1, 1, inexact_to_exact, "(exact z) is the exact value of z, like inexact->exact."),
    Primitive::new("inexact", 1, 1, exact_to_inexact, "(inexact z) is the nearest flonum to z, like exact->inexact."),
    Primitive::new("real->double-flonum", 1, 1, real_to_double_flonum, "(real->double-flonum x) is x as a flonum."),
    Primitive::new("number?", 1, 1, number_p, "(number? v) is #t for any number."),
    Primitive::new("complex?", 1, 1, number_p, "(complex? v) is #t for any number (rlmsh has only real numbers)."),
    Primitive::new("real?", 1, 1, number_p, "(real? v) is #t for any real number."),
    Primitive::new("rational?", 1, 1, rational_p, "(rational? v) is #t for real numbers other than infinities and NaN."),
    Primitive::new("integer?", 1, 1, integer_p, "(integer? v) is #t for integers, exact or inexact (2.0 is an integer)."),
    Primitive::new("exact-integer?", 1, 1, exact_integer_p, "(exact-integer? v) is #t for exact integers."),
    Primitive::new("exact-nonnegative-integer?", 1, 1, exact_nonnegative_integer_p, "(exact-nonnegative-integer? v) is #t for exact integers >= 0."),
    Primitive::new("exact-positive-integer?", 1, 1, exact_positive_integer_p, "(exact-positive-integer? v) is #t for exact integers > 0."),
    Primitive::new("natural?", 1, 1, exact_nonnegative_integer_p, "(natural? v) is #t for exact integers >= 0."),
    Primitive::new("positive-integer?", 1, 1, positive_integer_p, "(positive-integer? v) is #t for integers > 0, exact or inexact."),
    Primitive::new("negative-integer?", 1, 1, negative_integer_p, "(negative-integer? v) is #t for integers < 0, exact or inexact."),
    Primitive::new("nonnegative-integer?", 1, 1, nonnegative_integer_p, "(nonnegative-integer? v) is #t for integers >= 0, exact or inexact."),
    Primitive::new("nonpositive-integer?", 1, 1, nonpositive_integer_p, "(nonpositive-integer? v) is #t for integers <= 0, exact or inexact."),
    Primitive::new("exact?", 1, 1, exact_p, "(exact? z) is #t for exact numbers."),
    Primitive::new("inexact?", 1, 1, inexact_p, "(inexact? z) is #t for flonums."),
    Primitive::new("flonum?", 1, 1, flonum_p, "(flonum? v) is #t for flonums."),
    Primitive::new("double-flonum?", 1, 1, flonum_p, "(double-flonum? v) is #t for flonums."),
    Primitive::new("single-flonum?", 1, 1, single_flonum_p, "(single-flonum? v) is always #f: rlmsh has no single-precision flonums."),
    Primitive::new("fixnum?", 1, 1, fixnum_p, "(fixnum? v) is #t for exact integers in Racket's fixnum range (61 bits)."),
    Primitive::new("zero?", 1, 1, zero_p, "(zero? z) is #t for 0, 0.0 and -0.0."),
    Primitive::new("positive?", 1, 1, positive_p, "(positive? x) is #t for reals greater than zero."),
    Primitive::new("negative?", 1, 1, negative_p, "(negative? x) is #t for reals less than zero."),
    Primitive::new("odd?", 1, 1, odd_p, "(odd? n) is #t for odd integers."),
    Primitive::new("even?", 1, 1, even_p, "(even? n) is #t for even integers."),
    Primitive::new("nan?", 1, 1, nan_p, "(nan? x) is #t for +nan.0."),
    Primitive::new("infinite?", 1, 1, infinite_p, "(infinite? x) is #t for +inf.0 and -inf.0."),
    Primitive::new("bitwise-and", 0, MANY, bitwise_and, "(bitwise-and n ...) is the bitwise and of exact integers; (bitwise-and) is -1."),
    Primitive::new("bitwise-ior", 0, MANY, bitwise_ior, "(bitwise-ior n ...) is the bitwise inclusive or of exact integers."),
    Primitive::new("bitwise-xor", 0, MANY, bitwise_xor, "(bitwise-xor n ...) is the bitwise exclusive or of exact integers."),
    Primitive::new("bitwise-not", 1, 1, bitwise_not, "(bitwise-not n) is -1 - n, the bitwise complement."),
    Primitive::new("arithmetic-shift", 2, 2, arithmetic_shift, "(arithmetic-shift n m) shifts n left by m bits (right when m is negative)."),
    Primitive::new("number->string", 1, 2, number_to_string_prim, "(number->string z [radix]) prints z in radix 2, 8, 10 or 16."),
    Primitive::new("string->number", 1, 2, string_to_number, "(string->number s [radix]) parses a number, or returns #f."),
    Primitive::new("real->decimal-string", 1, 2, real_to_decimal_string, "(real->decimal-string x [digits]) prints x with exactly digits (default 2) decimals."),
    Primitive::new("random", 0, 2, random, "(random) is a flonum in (0, 1); (random k) an integer below k; (random lo hi) one from lo below hi."),
    Primitive::new("random-seed", 1, 1, random_seed, "(random-seed k) reseeds the random number generator for reproducible sequences."),
];

/// Racket CS fixnums are 61-bit.
const FIXNUM_BITS: u32 = 61;
/// Racket's largest argument to `random`.
const RANDOM_LIMIT: i64 = 4294967087;
/// Refuse to build integers beyond this many bits rather than exhaust memory.
const MAX_RESULT_BITS: u64 = 1 << 26;
/// The most decimals `real->decimal-string` prints, for the same reason.
const MAX_DECIMALS: usize = 1 << 20;

// ---------------------------------------------------------------------------------------------
// Argument checks

fn real<'a>(who: &str, v: &'a Value) -> R<&'a Value> {
    if is_number(v) {
        Ok(v)
    } else {
        Err(Error::contract(who, "real?", v))
    }
}

fn integer<'a>(who: &str, v: &'a Value) -> R<&'a Value> {
    if is_integer(v) {
        Ok(v)
    } else {
        Err(Error::contract(who, "integer?", v))
    }
}

fn exact_integer(who: &str, v: &Value) -> R<BigInt> {
    to_bigint(v).ok_or_else(|| Error::contract(who, "exact-integer?", v))
}

/// A rational argument as an exact rational; `inexact` is set when it was a flonum.
fn rational_arg(who: &str, expected: &str, v: &Value, inexact: &mut bool) -> R<BigRational> {
    if let Value::Float(f) = v {
        *inexact = true;
        return BigRational::from_float(*f).ok_or_else(|| Error::contract(who, expected, v));
    }
    to_rational(v).ok_or_else(|| Error::contract(who, expected, v))
}

/// An integer argument (exact, or a flonum without fraction) as an exact BigInt.
fn integer_arg(who: &str, v: &Value) -> R<BigInt> {
    integer(who, v)?;
    match v {
        Value::Float(f) => BigRational::from_float(*f).map(|r| r.to_integer()),
        other => to_bigint(other),
    }
    .ok_or_else(|| Error::contract(who, "integer?", v))
}

/// The result of an operation on `args`, made inexact when any argument was.
fn with_contagion(result: Value, args: &[&Value]) -> Value {
    if args.iter().any(|a| matches!(a, Value::Float(_))) {
        to_inexact(&result)
    } else {
        result
    }
}

/// Racket returns complex numbers where rlmsh, which has only reals, must refuse.
fn complex_result(who: &str, args: &[&Value]) -> Error {
    let given: Vec<String> = args.iter().map(|a| show_given(a)).collect();
    Error::new(
        ExnKind::Contract,
        format!("{who}: complex numbers are not supported\n  given: {}", given.join(" ")),
    )
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

fn fold(args: &[Value], init: Value, op: fn(&Value, &Value) -> R<Value>) -> R<Value> {
    args.iter().try_fold(init, |acc, v| op(&acc, v))
}

fn plus(_: &mut Interp, args: &[Value]) -> R<Value> {
    match args {
        [a, b] => add2(a, b),
        [a] => add2(&Value::Int(0), a),
        _ => fold(args, Value::Int(0), add2),
    }
}

fn times(_: &mut Interp, args: &[Value]) -> R<Value> {
    match args {
        [a, b] => mul2(a, b),
        [a] => mul2(&Value::Int(1), a),
        _ => fold(args, Value::Int(1), mul2),
    }
}

fn minus(_: &mut Interp, args: &[Value]) -> R<Value> {
    match args {
        [a] => negate(a),
        [a, b] => sub2(a, b),
        [first, rest @ ..] => fold(rest, first.clone(), sub2),
        [] => Ok(Value::Int(0)),
    }
}

fn divide(_: &mut Interp, args: &[Value]) -> R<Value> {
    match args {
        [a] => div2(&Value::Int(1), a),
        [first, rest @ ..] => fold(rest, first.clone(), div2),
        [] => Ok(Value::Int(1)),
    }
}

/// Applies a pairwise comparison along the arguments. Every argument is checked, even after
/// the answer is known, as Racket does.
fn chain(args: &[Value], test: fn(&Value, &Value) -> R<bool>) -> R<bool> {
    if let [only] = args {
        test(only, only)?;
        return Ok(true);
    }
    let mut result = true;
    for pair in args.windows(2) {
        if !test(&pair[0], &pair[1])? {
            result = false;
        }
    }
    Ok(result)
}

fn num_equal(_: &mut Interp, args: &[Value]) -> R<Value> {
    chain(args, eq2).map(Value::Bool)
}

fn ordered(who: &str, args: &[Value], accept: fn(Ordering) -> bool) -> R<Value> {
    if let [only] = args {
        real(who, only)?;
        return Ok(Value::Bool(true));
    }
    let mut result = true;
    for pair in args.windows(2) {
        if !compare_values(who, &pair[0], &pair[1])?.is_some_and(accept) {
            result = false;
        }
    }
    Ok(Value::Bool(result))
}

fn less(_: &mut Interp, args: &[Value]) -> R<Value> {
    if let [Value::Int(a), Value::Int(b)] = args {
        return Ok(Value::Bool(a < b));
    }
    ordered("<", args, |o| o == Ordering::Less)
}

fn greater(_: &mut Interp, args: &[Value]) -> R<Value> {
    if let [Value::Int(a), Value::Int(b)] = args {
        return Ok(Value::Bool(a > b));
    }
    ordered(">", args, |o| o == Ordering::Greater)
}

fn less_eq(_: &mut Interp, args: &[Value]) -> R<Value> {
    ordered("<=", args, |o| o != Ordering::Greater)
}

fn greater_eq(_: &mut Interp, args: &[Value]) -> R<Value> {
    ordered(">=", args, |o| o != Ordering::Less)
}

fn add1(_: &mut Interp, args: &[Value]) -> R<Value> {
    add2(number("add1", &args[0])?, &Value::Int(1))
}

fn sub1(_: &mut Interp, args: &[Value]) -> R<Value> {
    sub2(number("sub1", &args[0])?, &Value::Int(1))
}

fn sqr(_: &mut Interp, args: &[Value]) -> R<Value> {
    let z = number("sqr", &args[0])?;
    mul2(z, z)
}

fn abs_value(v: &Value) -> R<Value> {
    match v {
        Value::Float(f) => Ok(Value::Float(f.abs())),
        other if sign(other) == Some(Ordering::Less) => negate(other),
        other => Ok(other.clone()),
    }
}

fn abs(_: &mut Interp, args: &[Value]) -> R<Value> {
    abs_value(real("abs", &args[0])?)
}

/// `max` and `min`: NaN wins, and the result is inexact when any argument is. On ties the later
/// argument is kept, which decides between 0.0 and -0.0 as Racket does.
fn extremum(who: &str, args: &[Value], keep_current: Ordering) -> R<Value> {
    for v in args {
        real(who, v)?;
    }
    if let Some(nan) = args.iter().find(|v| matches!(v, Value::Float(f) if f.is_nan())) {
        return Ok(nan.clone());
    }
    let inexact = args.iter().any(|v| matches!(v, Value::Float(_)));
    let contagious = |v: &Value| if inexact { to_inexact(v) } else { v.clone() };
    let mut best = contagious(&args[0]);
    for v in &args[1..] {
        let candidate = contagious(v);
        if compare(&best, &candidate) != Some(keep_current) {
            best = candidate;
        }
    }
    Ok(best)
}

fn max(_: &mut Interp, args: &[Value]) -> R<Value> {
    extremum("max", args, Ordering::Greater)
}

fn min(_: &mut Interp, args: &[Value]) -> R<Value> {
    extremum("min", args, Ordering::Less)
}

fn sgn(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(match real("sgn", &args[0])? {
        Value::Float(f) if *f == 0.0 || f.is_nan() => Value::Float(*f),
        Value::Float(f) => Value::Float(f.signum()),
        exact => Value::Int(match sign(exact) {
            Some(Ordering::Less) => -1,
            Some(Ordering::Greater) => 1,
            _ => 0,
        }),
    })
}

// ---------------------------------------------------------------------------------------------
// Integer division

#[derive(Clone, Copy)]
enum Division {
    Quotient,
    Remainder,
    Modulo,
}

impl Division {
    fn who(self) -> &'static str {
        match self {
            Division::Quotient => "quotient",
            Division::Remainder => "remainder",
            Division::Modulo => "modulo",
        }
    }

    fn on_i64(self, n: i64, m: i64) -> Option<i64> {
        match self {
            Division::Quotient => n.checked_div(m),
            Division::Remainder => n.checked_rem(m),
            Division::Modulo => {
                let r = n.checked_rem(m)?;
                Some(if r != 0 && (r < 0) != (m < 0) { r + m } else { r })
            }
        }
    }

    /// Flonum division as Racket does it: on the flonum values, with a zero remainder always +0.0.
    fn on_f64(self, n: f64, m: f64) -> f64 {
        let r = n % m;
        match self {
            Division::Quotient => (n / m).trunc(),
            _ if r == 0.0 => 0.0,
            Division::Remainder => r,
            Division::Modulo if (r < 0.0) != (m < 0.0) => r + m,
            Division::Modulo => r,
        }
    }

    fn on_big(self, n: &BigInt, m: &BigInt) -> BigInt {
        match self {
            Division::Quotient => n / m,
            Division::Remainder => n % m,
            Division::Modulo => n.mod_floor(m),
        }
    }
}

fn integer_division(op: Division, n: &Value, m: &Value) -> R<Value> {
    if let (Value::Int(a), Value::Int(b)) = (n, m) {
        if let Some(r) = op.on_i64(*a, *b) {
            return Ok(Value::Int(r));
        }
    }
    let who = op.who();
    integer(who, n)?;
    integer(who, m)?;
    check_divisor(who, m)?;
    // As in Racket, exact operands that decide the answer alone keep it exact.
    let exact_zero_remainder = matches!(op, Division::Remainder | Division::Modulo) && matches!(m, Value::Int(1 | -1));
    if is_exact_zero(n) || exact_zero_remainder {
        return Ok(Value::Int(0));
    }
    if matches!(n, Value::Float(_)) || matches!(m, Value::Float(_)) {
        return Ok(Value::Float(op.on_f64(to_f64(n), to_f64(m))));
    }
    Ok(normalize_big(op.on_big(&integer_arg(who, n)?, &integer_arg(who, m)?)))
}

fn check_divisor(who: &str, m: &Value) -> R<()> {
    match m {
        Value::Int(0) => Err(Error::divide_by_zero(who)),
        Value::Float(f) if *f == 0.0 => Err(Error::new(
            ExnKind::DivideByZero,
            format!("{who}: undefined for {}", float_to_string(*f)),
        )),
        _ => Ok(()),
    }
}

fn quotient(_: &mut Interp, args: &[Value]) -> R<Value> {
    integer_division(Division::Quotient, &args[0], &args[1])
}

fn remainder(_: &mut Interp, args: &[Value]) -> R<Value> {
    integer_division(Division::Remainder, &args[0], &args[1])
}

fn modulo(_: &mut Interp, args: &[Value]) -> R<Value> {
    integer_division(Division::Modulo, &args[0], &args[1])
}

fn quotient_remainder(_: &mut Interp, args: &[Value]) -> R<Value> {
    let q = integer_division(Division::Quotient, &args[0], &args[1])?;
    let r = integer_division(Division::Remainder, &args[0], &args[1])?;
    Ok(Value::multiple(vec![q, r]))
}

fn floor_division(_: &mut Interp, args: &[Value]) -> R<Value> {
    let (n, m) = (&args[0], &args[1]);
    let r = integer_division(Division::Modulo, n, m)?;
    // n - r is an exact multiple of m, so this division is exact.
    let q = div2(&sub2(n, &r)?, m)?;
    Ok(Value::multiple(vec![q, r]))
}

/// The gcd of two rationals: the gcd of the numerators over the lcm of the denominators.
fn rational_gcd(a: &BigRational, b: &BigRational) -> BigRational {
    BigRational::new(a.numer().gcd(b.numer()), a.denom().lcm(b.denom()))
}

/// The gcd of two rational values, computed exactly and made inexact when either argument is.
fn gcd2(who: &str, a: &Value, b: &Value) -> R<Value> {
    let mut inexact = false;
    let x = rational_arg(who, "rational?", a, &mut inexact)?;
    let y = rational_arg(who, "rational?", b, &mut inexact)?;
    let g = normalize_rat(rational_gcd(&x, &y));
    Ok(if inexact { to_inexact(&g) } else { g })
}

/// Racket's lcm of two rationals: for integers the exact |a*b|/gcd (made inexact when either
/// argument is); for other rationals a*(b/gcd) in the arguments' own arithmetic, which keeps
/// the sign of the product.
fn lcm2(a: &Value, b: &Value) -> R<Value> {
    let g = gcd2("lcm", a, b)?;
    if is_integer(a) && is_integer(b) {
        let (x, y) = (integer_arg("lcm", a)?, integer_arg("lcm", b)?);
        return Ok(with_contagion(normalize_big(x.lcm(&y)), &[a, b]));
    }
    mul2(a, &div2(b, &g)?)
}

fn gcd(_: &mut Interp, args: &[Value]) -> R<Value> {
    args.iter().try_fold(Value::Int(0), |acc, v| gcd2("gcd", &acc, v))
}

fn lcm(_: &mut Interp, args: &[Value]) -> R<Value> {
    match args {
        [] => Ok(Value::Int(1)),
        // The gcd with 0 checks the argument and gives its absolute value.
        [only] => gcd2("lcm", only, &Value::Int(0)),
        [first, rest @ ..] => rest.iter().try_fold(first.clone(), |acc, v| lcm2(&acc, v)),
    }
}

fn rational_part(who: &str, v: &Value, part: fn(BigRational) -> BigInt) -> R<Value> {
    let mut inexact = false;
    let q = rational_arg(who, "rational-number?", v, &mut inexact)?;
    let result = normalize_big(part(q));
    Ok(if inexact { to_inexact(&result) } else { result })
}

fn numerator(_: &mut Interp, args: &[Value]) -> R<Value> {
    if let Value::Float(f) = args[0] {
        if f == 0.0 {
            return Ok(Value::Float(f));
        }
    }
    rational_part("numerator", &args[0], |q| q.into_raw().0)
}

fn denominator(_: &mut Interp, args: &[Value]) -> R<Value> {
    rational_part("denominator", &args[0], |q| q.into_raw().1)
}

// ---------------------------------------------------------------------------------------------
// Rounding

#[derive(Clone, Copy)]
enum Rounding {
    Floor,
    Ceiling,
    Round,
    Truncate,
}

impl Rounding {
    fn on_f64(self, f: f64) -> f64 {
        match self {
            Rounding::Floor => f.floor(),
            Rounding::Ceiling => f.ceil(),
            Rounding::Round => f.round_ties_even(),
            Rounding::Truncate => f.trunc(),
        }
    }

    fn on_rational(self, q: &BigRational) -> BigInt {
        match self {
            Rounding::Floor => q.floor().to_integer(),
            Rounding::Ceiling => q.ceil().to_integer(),
            Rounding::Truncate => q.trunc().to_integer(),
            Rounding::Round => {
                let floor = q.floor();
                let twice_fraction = (q - &floor) * BigInt::from(2);
                let floor = floor.to_integer();
                match twice_fraction.cmp(&BigRational::one()) {
                    Ordering::Less => floor,
                    Ordering::Greater => floor + 1,
                    Ordering::Equal if floor.is_even() => floor,
                    Ordering::Equal => floor + 1,
                }
            }
        }
    }

    fn apply(self, v: &Value) -> Value {
        match v {
            Value::Float(f) => Value::Float(self.on_f64(*f)),
            Value::Rat(q) => normalize_big(self.on_rational(q)),
            other => other.clone(),
        }
    }
}

fn round_with(who: &str, mode: Rounding, v: &Value) -> R<Value> {
    Ok(mode.apply(real(who, v)?))
}

/// `exact-round` and friends: only rational arguments, and the result is exact.
fn round_exactly(who: &str, mode: Rounding, v: &Value) -> R<Value> {
    if !is_rational(v) {
        return Err(Error::contract(who, "rational?", v));
    }
    match mode.apply(v) {
        Value::Float(f) => float_to_exact(f).ok_or_else(|| Error::contract(who, "rational?", v)),
        exact => Ok(exact),
    }
}

fn floor(_: &mut Interp, args: &[Value]) -> R<Value> {
    round_with("floor", Rounding::Floor, &args[0])
}

fn ceiling(_: &mut Interp, args: &[Value]) -> R<Value> {
    round_with("ceiling", Rounding::Ceiling, &args[0])
}

fn round(_: &mut Interp, args: &[Value]) -> R<Value> {
    round_with("round", Rounding::Round, &args[0])
}

fn truncate(_: &mut Interp, args: &[Value]) -> R<Value> {
    round_with("truncate", Rounding::Truncate, &args[0])
}

fn exact_floor(_: &mut Interp, args: &[Value]) -> R<Value> {
    round_exactly("exact-floor", Rounding::Floor, &args[0])
}

fn exact_ceiling(_: &mut Interp, args: &[Value]) -> R<Value> {
    round_exactly("exact-ceiling", Rounding::Ceiling, &args[0])
}

fn exact_round(_: &mut Interp, args: &[Value]) -> R<Value> {
    round_exactly("exact-round", Rounding::Round, &args[0])
}

fn exact_truncate(_: &mut Interp, args: &[Value]) -> R<Value> {
    round_exactly("exact-truncate", Rounding::Truncate, &args[0])
}

// ---------------------------------------------------------------------------------------------
// Powers and roots

fn expt(_: &mut Interp, args: &[Value]) -> R<Value> {
    let base = number("expt", &args[0])?;
    let power = number("expt", &args[1])?;
    expt_values(base, power)
}

fn expt_values(base: &Value, power: &Value) -> R<Value> {
    if is_exact_zero(power) || matches!(base, Value::Int(1)) {
        return Ok(Value::Int(1));
    }
    match power {
        Value::Int(_) | Value::Big(_) => integer_power(base, power),
        Value::Rat(q) if is_half(q) => sqrt_value("expt", base),
        Value::Float(p) if is_exact_zero(base) => zero_to_float_power(*p, power),
        _ if is_exact_zero(base) => match sign(power) {
            Some(Ordering::Greater) => Ok(Value::Int(0)),
            _ => Err(undefined_power(base, power)),
        },
        _ => {
            let (b, p) = (to_f64(base), to_f64(power));
            if b < 0.0 && p.fract() != 0.0 {
                return Err(complex_result("expt", &[base, power]));
            }
            Ok(Value::Float(b.powf(p)))
        }
    }
}

fn is_half(q: &BigRational) -> bool {
    q.numer().is_one() && *q.denom() == BigInt::from(2)
}

fn undefined_power(base: &Value, power: &Value) -> Error {
    Error::new(
        ExnKind::DivideByZero,
        format!(
            "expt: undefined for values {} and {}",
            number_to_string(base, 10),
            number_to_string(power, 10)
        ),
    )
}

/// Exact 0 raised to a flonum: 1.0 for a zero power, exact 0 for a positive one.
fn zero_to_float_power(p: f64, power: &Value) -> R<Value> {
    if p.is_nan() {
        Ok(Value::Float(f64::NAN))
    } else if p == 0.0 {
        Ok(Value::Float(1.0))
    } else if p > 0.0 {
        Ok(Value::Int(0))
    } else {
        Err(undefined_power(&Value::Int(0), power))
    }
}

/// A base raised to an exact integer power: exact for an exact base (a negative power gives the
/// reciprocal), a flonum otherwise.
fn integer_power(base: &Value, power: &Value) -> R<Value> {
    if let Value::Float(b) = base {
        return Ok(Value::Float(b.powf(to_f64(power))));
    }
    if let (Value::Int(b), Value::Int(p)) = (base, power) {
        if let Some(result) = u32::try_from(*p).ok().and_then(|p| b.checked_pow(p)) {
            return Ok(Value::Int(result));
        }
    }
    let negative_power = sign(power) == Some(Ordering::Less);
    match base {
        Value::Int(0) if negative_power => return Err(undefined_power(base, power)),
        Value::Int(0) => return Ok(Value::Int(0)),
        Value::Int(-1) => {
            let odd = to_bigint(power).is_some_and(|p| p.is_odd());
            return Ok(Value::Int(if odd { -1 } else { 1 }));
        }
        _ => {}
    }
    let base_q = to_rational(base).unwrap_or_else(BigRational::zero);
    let magnitude = to_bigint(power).map(|p| p.abs()).and_then(|p| p.to_u32());
    let bits = base_q.numer().bits().max(base_q.denom().bits());
    let exponent = match magnitude {
        Some(m) if bits.saturating_mul(u64::from(m)) <= MAX_RESULT_BITS => m,
        _ => return Err(Error::fail("expt: out of memory")),
    };
    let result = Pow::pow(base_q, exponent);
    Ok(normalize_rat(if negative_power { result.recip() } else { result }))
}

/// The exact square root of a non-negative integer, if it is a perfect square.
fn exact_integer_sqrt(n: &BigInt) -> Option<BigInt> {
    let root = n.sqrt();
    (&root * &root == *n).then_some(root)
}

fn sqrt_value(who: &str, v: &Value) -> R<Value> {
    if sign(v) == Some(Ordering::Less) {
        return Err(complex_result(who, &[v]));
    }
    match v {
        Value::Float(f) => Ok(Value::Float(f.sqrt())),
        Value::Int(i) => {
            let root = (*i as u64).isqrt();
            Ok(if root * root == *i as u64 {
                Value::Int(root as i64)
            } else {
                Value::Float((*i as f64).sqrt())
            })
        }
        Value::Big(b) => Ok(match exact_integer_sqrt(b) {
            Some(root) => normalize_big(root),
            None => Value::Float(inexact_sqrt(&BigRational::from_integer((**b).clone()))),
        }),
        Value::Rat(q) => Ok(match (exact_integer_sqrt(q.numer()), exact_integer_sqrt(q.denom())) {
            (Some(n), Some(d)) => normalize_rat(BigRational::new(n, d)),
            _ => Value::Float(inexact_sqrt(q)),
        }),
        other => Err(Error::contract(who, "number?", other)),
    }
}

/// The square root of a positive exact number as a flonum. Within the flonum range this is the
/// root of the nearest flonum; beyond it the root is computed exactly to 64 bits and rounded.
fn inexact_sqrt(q: &BigRational) -> f64 {
    let direct = q.to_f64().unwrap_or(f64::NAN);
    if direct.is_normal() {
        return direct.sqrt();
    }
    // Scale q by 4^k so that its integer part has about 128 bits, whose root has 64.
    const SCALED_BITS: i64 = 128;
    let magnitude = q.numer().bits() as i64 - q.denom().bits() as i64;
    let k = (SCALED_BITS - magnitude).div_euclid(2);
    let (numerator, denominator) = if k >= 0 {
        (q.numer() << (2 * k as u64), q.denom().clone())
    } else {
        (q.numer().clone(), q.denom() << (2 * k.unsigned_abs()))
    };
    let (scaled, remainder) = numerator.div_rem(&denominator);
    let mut root = scaled.sqrt();
    // A sticky low bit stands for the discarded fraction so the final rounding is right.
    let exact = remainder.is_zero() && &root * &root == scaled;
    if !exact && root.is_even() {
        root += 1;
    }
    let result = if k >= 0 {
        BigRational::new(root, BigInt::one() << k as u64)
    } else {
        BigRational::from_integer(root << k.unsigned_abs())
    };
    result.to_f64().unwrap_or(f64::NAN)
}

fn sqrt(_: &mut Interp, args: &[Value]) -> R<Value> {
    sqrt_value("sqrt", number("sqrt", &args[0])?)
}

fn integer_sqrt(_: &mut Interp, args: &[Value]) -> R<Value> {
    let v = integer("integer-sqrt", &args[0])?;
    if sign(v) == Some(Ordering::Less) {
        return Err(complex_result("integer-sqrt", &[v]));
    }
    let n = integer_arg("integer-sqrt", v)?;
    Ok(with_contagion(normalize_big(n.sqrt()), &[v]))
}

// ---------------------------------------------------------------------------------------------
// Transcendental functions

/// The natural logarithm of a positive exact number, accurate even beyond the flonum range.
fn ln_exact(v: &Value) -> f64 {
    let direct = to_f64(v);
    if direct.is_normal() {
        return direct.ln();
    }
    match to_rational(v) {
        Some(q) => ln_big(q.numer()) - ln_big(q.denom()),
        None => direct.ln(),
    }
}

/// ln(n) as log(m) + e*ln(2) for n = m * 2^e with m in [0.5, 1), like Racket (and Python).
fn ln_big(n: &BigInt) -> f64 {
    const KEPT_BITS: u64 = 64;
    let bits = n.bits();
    if bits <= KEPT_BITS {
        return n.to_f64().unwrap_or(f64::NAN).ln();
    }
    let shift = bits - KEPT_BITS;
    let mut top: BigInt = n >> shift;
    // A sticky low bit makes the final rounding to 53 bits see the discarded bits.
    if n.trailing_zeros().is_some_and(|zeros| zeros < shift) {
        top |= BigInt::one();
    }
    let mantissa = top.to_f64().unwrap_or(f64::NAN) / 2f64.powi(KEPT_BITS as i32);
    mantissa.ln() + std::f64::consts::LN_2 * bits as f64
}

fn ln_value(v: &Value) -> R<Value> {
    let v = number("log", v)?;
    match v {
        Value::Int(1) => Ok(Value::Int(0)),
        Value::Int(0) => Err(Error::divide_by_zero("log")),
        Value::Float(f) if *f < 0.0 => Err(complex_result("log", &[v])),
        Value::Float(f) => Ok(Value::Float(f.ln())),
        exact if sign(exact) == Some(Ordering::Less) => Err(complex_result("log", &[v])),
        exact => Ok(Value::Float(ln_exact(exact))),
    }
}

fn log(_: &mut Interp, args: &[Value]) -> R<Value> {
    match args {
        [z, base] => {
            number("log", z)?;
            number("log", base)?;
            let numerator = ln_value(z)?;
            if is_exact_zero(&numerator) {
                // 0 over any logarithm, even a complex one, is 0; only a zero one is an error.
                return match base {
                    Value::Int(0) => Err(Error::divide_by_zero("log")),
                    Value::Int(1) => Err(Error::divide_by_zero("/")),
                    _ => Ok(Value::Int(0)),
                };
            }
            div2(&numerator, &ln_value(base)?)
        }
        _ => ln_value(&args[0]),
    }
}

/// A transcendental function that maps the exact `exact_point.0` to the exact `exact_point.1`
/// (like (sin 0) = 0) and everything else through `f` to a flonum.
fn transcendental(who: &str, v: &Value, exact_point: (i64, i64), f: fn(f64) -> f64) -> R<Value> {
    let v = number(who, v)?;
    match v {
        Value::Int(i) if *i == exact_point.0 => Ok(Value::Int(exact_point.1)),
        other => Ok(Value::Float(f(to_f64(other)))),
    }
}

fn exp(_: &mut Interp, args: &[Value]) -> R<Value> {
    transcendental("exp", &args[0], (0, 1), f64::exp)
}

fn sin(_: &mut Interp, args: &[Value]) -> R<Value> {
    transcendental("sin", &args[0], (0, 0), f64::sin)
}

fn cos(_: &mut Interp, args: &[Value]) -> R<Value> {
    transcendental("cos", &args[0], (0, 1), f64::cos)
}

fn tan(_: &mut Interp, args: &[Value]) -> R<Value> {
    transcendental("tan", &args[0], (0, 0), f64::tan)
}

/// `asin` and `acos` are real only on [-1, 1].
fn inverse_trig(who: &str, v: &Value, exact_point: (i64, i64), f: fn(f64) -> f64) -> R<Value> {
    let v = number(who, v)?;
    if to_f64(v).abs() > 1.0 {
        return Err(complex_result(who, &[v]));
    }
    transcendental(who, v, exact_point, f)
}

fn asin(_: &mut Interp, args: &[Value]) -> R<Value> {
    inverse_trig("asin", &args[0], (0, 0), f64::asin)
}

fn acos(_: &mut Interp, args: &[Value]) -> R<Value> {
    inverse_trig("acos", &args[0], (1, 0), f64::acos)
}

fn atan(_: &mut Interp, args: &[Value]) -> R<Value> {
    let [y, x] = args else {
        return transcendental("atan", &args[0], (0, 0), f64::atan);
    };
    real("atan", y)?;
    real("atan", x)?;
    if is_exact_zero(y) && is_exact_zero(x) {
        return Err(Error::new(ExnKind::DivideByZero, "atan2: undefined for values 0 and 0"));
    }
    if is_exact_zero(y) && sign(x) == Some(Ordering::Greater) {
        return Ok(Value::Int(0));
    }
    // Racket converts fixnums to flonums but keeps bignums and fractions exact.
    if is_exact(y) && is_exact(x) && !(is_fixnum(y) && is_fixnum(x)) {
        return exact_atan2(y, x).map(Value::Float);
    }
    Ok(Value::Float(to_f64(y).atan2(to_f64(x))))
}

/// The angle of (x, y) for exact coordinates, as Racket computes it: the arctangent of the exact
/// ratio of the smaller coordinate to the larger, moved into the right quadrant.
fn exact_atan2(y: &Value, x: &Value) -> R<f64> {
    use std::f64::consts::{FRAC_PI_2, PI};
    if compare(&abs_value(y)?, &abs_value(x)?) == Some(Ordering::Greater) {
        let axis = if sign(y) == Some(Ordering::Less) {
            -FRAC_PI_2
        } else {
            FRAC_PI_2
        };
        return Ok(axis - to_f64(&div2(x, y)?).atan());
    }
    let angle = to_f64(&div2(y, x)?).atan();
    Ok(match (sign(x), sign(y)) {
        (Some(Ordering::Less), Some(Ordering::Less)) => angle - PI,
        (Some(Ordering::Less), _) => angle + PI,
        _ => angle,
    })
}

// ---------------------------------------------------------------------------------------------
// Exactness

fn exact_to_inexact(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(to_inexact(number("exact->inexact", &args[0])?))
}

fn real_to_double_flonum(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(to_inexact(real("real->double-flonum", &args[0])?))
}

fn inexact_to_exact(_: &mut Interp, args: &[Value]) -> R<Value> {
    match number("inexact->exact", &args[0])? {
        Value::Float(f) => float_to_exact(*f).ok_or_else(|| {
            Error::contract_msg("exact", format!("no exact representation for {}", float_to_string(*f)))
        }),
        exact => Ok(exact.clone()),
    }
}

// ---------------------------------------------------------------------------------------------
// Predicates

fn number_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(is_number(&args[0])))
}

fn rational_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(is_rational(&args[0])))
}

fn integer_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(is_integer(&args[0])))
}

fn exact_integer_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(is_exact_integer(&args[0])))
}

fn exact_nonnegative_integer_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    let v = &args[0];
    Ok(Value::Bool(is_exact_integer(v) && sign(v) != Some(Ordering::Less)))
}

fn exact_positive_integer_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    let v = &args[0];
    Ok(Value::Bool(is_exact_integer(v) && sign(v) == Some(Ordering::Greater)))
}

fn integer_with_sign(v: &Value, accept: fn(Ordering) -> bool) -> Value {
    Value::Bool(is_integer(v) && sign(v).is_some_and(accept))
}

fn positive_integer_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(integer_with_sign(&args[0], |o| o == Ordering::Greater))
}

fn negative_integer_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(integer_with_sign(&args[0], |o| o == Ordering::Less))
}

fn nonnegative_integer_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(integer_with_sign(&args[0], |o| o != Ordering::Less))
}

fn nonpositive_integer_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(integer_with_sign(&args[0], |o| o != Ordering::Greater))
}

fn exact_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(is_exact(number("exact?", &args[0])?)))
}

fn inexact_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(!is_exact(number("inexact?", &args[0])?)))
}

fn flonum_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(args[0], Value::Float(_))))
}

fn single_flonum_p(_: &mut Interp, _args: &[Value]) -> R<Value> {
    Ok(Value::Bool(false))
}

fn is_fixnum(v: &Value) -> bool {
    let limit = 1i64 << (FIXNUM_BITS - 1);
    matches!(v, Value::Int(i) if (-limit..limit).contains(i))
}

fn fixnum_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(is_fixnum(&args[0])))
}

fn zero_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(sign(number("zero?", &args[0])?) == Some(Ordering::Equal)))
}

fn positive_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        sign(real("positive?", &args[0])?) == Some(Ordering::Greater),
    ))
}

fn negative_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(sign(real("negative?", &args[0])?) == Some(Ordering::Less)))
}

fn is_odd(who: &str, v: &Value) -> R<bool> {
    Ok(match integer(who, v)? {
        Value::Int(i) => i % 2 != 0,
        Value::Float(f) => f % 2.0 != 0.0,
        other => to_bigint(other).is_some_and(|b| b.is_odd()),
    })
}

fn odd_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    is_odd("odd?", &args[0]).map(Value::Bool)
}

fn even_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    is_odd("even?", &args[0]).map(|odd| Value::Bool(!odd))
}

fn nan_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        matches!(real("nan?", &args[0])?, Value::Float(f) if f.is_nan()),
    ))
}

fn infinite_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        matches!(real("infinite?", &args[0])?, Value::Float(f) if f.is_infinite()),
    ))
}

// ---------------------------------------------------------------------------------------------
// Bitwise operations

fn bitwise_fold(
    who: &str,
    args: &[Value],
    identity: i64,
    small: fn(i64, i64) -> i64,
    big: fn(BigInt, BigInt) -> BigInt,
) -> R<Value> {
    let mut acc = Value::Int(identity);
    for v in args {
        acc = match (&acc, v) {
            (Value::Int(a), Value::Int(b)) => Value::Int(small(*a, *b)),
            _ => normalize_big(big(exact_integer(who, &acc)?, exact_integer(who, v)?)),
        };
    }
    Ok(acc)
}

fn bitwise_and(_: &mut Interp, args: &[Value]) -> R<Value> {
    bitwise_fold("bitwise-and", args, -1, |a, b| a & b, |a, b| a & b)
}

fn bitwise_ior(_: &mut Interp, args: &[Value]) -> R<Value> {
    bitwise_fold("bitwise-ior", args, 0, |a, b| a | b, |a, b| a | b)
}

fn bitwise_xor(_: &mut Interp, args: &[Value]) -> R<Value> {
    bitwise_fold("bitwise-xor", args, 0, |a, b| a ^ b, |a, b| a ^ b)
}

fn bitwise_not(_: &mut Interp, args: &[Value]) -> R<Value> {
    match &args[0] {
        Value::Int(i) => Ok(Value::Int(!i)),
        other => Ok(normalize_big(!exact_integer("bitwise-not", other)?)),
    }
}

fn arithmetic_shift(_: &mut Interp, args: &[Value]) -> R<Value> {
    let n = exact_integer("arithmetic-shift", &args[0])?;
    let shift = exact_integer("arithmetic-shift", &args[1])?;
    if let (Value::Int(a), Some(s)) = (&args[0], shift.to_i64()) {
        if s <= 0 {
            return Ok(Value::Int(a >> s.unsigned_abs().min(63)));
        }
        if let Some(shifted) = u32::try_from(s)
            .ok()
            .and_then(|s| a.checked_shl(s))
            .filter(|r| r >> s == *a)
        {
            return Ok(Value::Int(shifted));
        }
    }
    if n.is_zero() {
        return Ok(Value::Int(0));
    }
    if shift.is_negative() {
        // Shifting right by more bits than n has leaves only the sign.
        let right = (-shift).to_u64().filter(|s| *s < n.bits()).unwrap_or(n.bits());
        return Ok(normalize_big(n >> right));
    }
    match shift
        .to_u64()
        .filter(|s| n.bits().saturating_add(*s) <= MAX_RESULT_BITS)
    {
        Some(left) => Ok(normalize_big(n << left)),
        None => Err(Error::fail("arithmetic-shift: out of memory")),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers and strings

fn number_to_string_prim(_: &mut Interp, args: &[Value]) -> R<Value> {
    let z = number("number->string", &args[0])?;
    let radix = match args.get(1) {
        None => 10,
        Some(Value::Int(r @ (2 | 8 | 10 | 16))) => *r as u32,
        Some(other) => return Err(Error::contract("number->string", "(or/c 2 8 10 16)", other)),
    };
    if radix != 10 && !is_exact(z) {
        return Err(Error::new(
            ExnKind::Contract,
            format!(
                "number->string: inexact numbers can only be printed in base 10\n  number: {}\n  requested base: {radix}",
                number_to_string(z, 10)
            ),
        ));
    }
    Ok(Value::string(number_to_string(z, radix)))
}

fn string_to_number(_: &mut Interp, args: &[Value]) -> R<Value> {
    let text = args::string("string->number", &args[0])?;
    let radix = match args.get(1) {
        None => 10,
        Some(Value::Int(r)) if (2..=16).contains(r) => *r as u32,
        Some(other) => return Err(Error::contract("string->number", "(integer-in 2 16)", other)),
    };
    Ok(crate::reader::number::parse_number(text, radix).unwrap_or(Value::Bool(false)))
}

fn real_to_decimal_string(_: &mut Interp, args: &[Value]) -> R<Value> {
    const WHO: &str = "real->decimal-string";
    let x = &args[0];
    let mut inexact = false;
    let exact = rational_arg(WHO, "rational?", x, &mut inexact)?;
    let digits = match args.get(1) {
        None => 2,
        Some(d) => match args::index(WHO, d)? {
            n if n > MAX_DECIMALS => return Err(Error::fail(format!("{WHO}: out of memory\n  digits: {n}"))),
            n => n as u32,
        },
    };
    let scale = Pow::pow(BigInt::from(10), digits);
    let scaled = Rounding::Round.on_rational(&(exact.abs() * BigRational::from_integer(scale.clone())));
    let (whole, fraction) = scaled.div_rem(&scale);
    let negative = sign(x) == Some(Ordering::Less) || matches!(x, Value::Float(f) if f.is_sign_negative());
    let fraction = if digits == 0 {
        String::new()
    } else {
        format!("{:0>width$}", fraction, width = digits as usize)
    };
    Ok(Value::string(format!(
        "{}{whole}.{fraction}",
        if negative { "-" } else { "" }
    )))
}

// ---------------------------------------------------------------------------------------------
// Random numbers

thread_local! {
    static RNG: RefCell<StdRng> = RefCell::new(StdRng::from_entropy());
}

fn random(_: &mut Interp, args: &[Value]) -> R<Value> {
    const EXPECTED: &str = "(or/c (integer-in 1 4294967087) pseudo-random-generator?)";
    match args {
        [] => Ok(Value::Float(random_unit())),
        [Value::Int(k)] if (1..=RANDOM_LIMIT).contains(k) => Ok(Value::Int(random_below(*k))),
        [other] => Err(Error::contract("random", EXPECTED, other)),
        _ => random_between(args),
    }
}

/// A flonum strictly between 0 and 1, as Racket's `(random)` gives.
fn random_unit() -> f64 {
    RNG.with(|rng| {
        let mut rng = rng.borrow_mut();
        loop {
            let x: f64 = rng.gen();
            if x > 0.0 {
                break x;
            }
        }
    })
}

/// `(random lo hi)`: an integer from lo up to but excluding hi.
fn random_between(args: &[Value]) -> R<Value> {
    let Value::Int(lo) = args[0] else {
        return Err(Error::argument("random", "exact-integer?", args, 0));
    };
    let Some(Value::Int(hi)) = args.get(1) else {
        return Err(Error::argument(
            "random",
            "(or/c exact-integer? pseudo-random-generator?)",
            args,
            1,
        ));
    };
    if *hi <= lo {
        return Err(Error::argument("random", &format!("(>/c {lo})"), args, 1));
    }
    match hi.checked_sub(lo).filter(|span| *span <= RANDOM_LIMIT) {
        Some(span) => Ok(Value::Int(lo + random_below(span))),
        None => Err(Error::contract_msg(
            "random",
            format!("difference between arguments is greater than {RANDOM_LIMIT}\n  min: {lo}\n  max: {hi}"),
        )),
    }
}

fn random_below(k: i64) -> i64 {
    RNG.with(|rng| rng.borrow_mut().gen_range(0..k))
}

fn random_seed(_: &mut Interp, args: &[Value]) -> R<Value> {
    match &args[0] {
        Value::Int(k) if (0..(1i64 << 31)).contains(k) => {
            RNG.with(|rng| *rng.borrow_mut() = StdRng::seed_from_u64(*k as u64));
            Ok(Value::Void)
        }
        other => Err(Error::contract(
            "random-seed",
            "(integer-in 0 (sub1 (expt 2 31)))",
            other,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Value]) -> String {
        let prim = PRIMITIVES.iter().find(|p| p.name == name).expect("primitive exists");
        let crate::builtins::Func::Plain(f) = prim.func else {
            panic!("plain primitive")
        };
        let mut interp = Interp::new();
        match f(&mut interp, args) {
            Ok(Value::Values(vs)) => vs.iter().map(show).collect::<Vec<_>>().join(" "),
            Ok(v) => show(&v),
            Err(e) => format!("ERR {}", e.report()),
        }
    }

    fn show(v: &Value) -> String {
        match v {
            Value::Bool(true) => "#t".into(),
            Value::Bool(false) => "#f".into(),
            Value::Void => "#<void>".into(),
            Value::Str(s) => format!("{s:?}"),
            other => number_to_string(other, 10),
        }
    }

    fn int(i: i64) -> Value {
        Value::Int(i)
    }

    fn fl(f: f64) -> Value {
        Value::Float(f)
    }

    fn num(text: &str) -> Value {
        if let Some((n, d)) = text.split_once('/') {
            let (n, d): (BigInt, BigInt) = (n.parse().expect("numerator"), d.parse().expect("denominator"));
            return normalize_rat(BigRational::new(n, d));
        }
        if text.contains('.') || text.contains('e') || text.contains("inf") || text.contains("nan") {
            return Value::Float(match text {
                "+inf.0" => f64::INFINITY,
                "-inf.0" => f64::NEG_INFINITY,
                "+nan.0" => f64::NAN,
                _ => text.parse().expect("float literal"),
            });
        }
        normalize_big(text.parse().expect("integer literal"))
    }

    fn check(name: &str, args: &[&str], expected: &str) {
        let values: Vec<Value> = args.iter().map(|a| num(a)).collect();
        assert_eq!(call(name, &values), expected, "({name} {})", args.join(" "));
    }

    #[test]
    fn variadic_arithmetic() {
        check("+", &[], "0");
        check("*", &[], "1");
        check("+", &["1", "2", "3"], "6");
        check("-", &["5"], "-5");
        check("-", &["10", "1", "2"], "7");
        check("/", &["4"], "1/4");
        check("/", &["1", "3", "2"], "1/6");
        check("/", &["0"], "ERR /: division by zero");
        check("/", &["2", "3", "0"], "ERR /: division by zero");
        check("/", &["0.0"], "+inf.0");
        check("-", &["0.0"], "-0.0");
        check("*", &["2", "0.5"], "1.0");
        check("+", &["0.1", "0.2"], "0.30000000000000004");
        check("-", &["0.3", "0.1"], "0.19999999999999998");
        check("/", &["10", "4.0"], "2.5");
        check("-", &["-9223372036854775808"], "9223372036854775808");
        check("+", &["1", "1/2"], "3/2");
        check("+", &["5"], "5");
        assert!(call("+", &[int(1), Value::sym("a")]).starts_with("ERR +: contract violation\n  expected: number?"));
        assert!(call("+", &[Value::sym("a")]).starts_with("ERR +: contract violation"));
        assert!(call("*", &[Value::sym("a")]).starts_with("ERR *: contract violation"));
    }

    #[test]
    fn comparisons() {
        check("<", &["1", "2", "3", "4"], "#t");
        check("<", &["1", "3", "2"], "#f");
        check("<=", &["1", "1", "2"], "#t");
        check(">", &["5", "4", "3"], "#t");
        check(">=", &["3", "3", "3"], "#t");
        check("=", &["2", "2", "2"], "#t");
        check("=", &["2", "2.0"], "#t");
        check("=", &["1/2", "0.5"], "#t");
        check("<", &["1/3", "0.34"], "#t");
        check(">", &["1e21", "100000000000000000000"], "#t");
        check("<", &["-inf.0", "0", "+inf.0"], "#t");
        check("=", &["+nan.0", "+nan.0"], "#f");
        check("<", &["1"], "#t");
        check("=", &["9007199254740993", "9007199254740992.0"], "#f");
        let err = call("<", &[Value::str("a")]);
        assert!(
            err.starts_with("ERR <: contract violation\n  expected: real?\n  given: "),
            "{err}"
        );
        let err = call("<", &[int(2), int(1), Value::sym("a")]);
        assert!(err.starts_with("ERR <: contract violation\n  expected: real?"), "{err}");
        let err = call("=", &[int(1), Value::sym("a")]);
        assert!(
            err.starts_with("ERR =: contract violation\n  expected: number?"),
            "{err}"
        );
    }

    #[test]
    fn integer_division() {
        check("quotient", &["17", "5"], "3");
        check("remainder", &["17", "5"], "2");
        check("modulo", &["17", "5"], "2");
        check("quotient", &["-17", "5"], "-3");
        check("remainder", &["-17", "5"], "-2");
        check("modulo", &["-17", "5"], "3");
        check("quotient", &["17", "-5"], "-3");
        check("remainder", &["17", "-5"], "2");
        check("modulo", &["17", "-5"], "-3");
        check("modulo", &["-13", "-4"], "-1");
        check("quotient", &["17.0", "5"], "3.0");
        check("remainder", &["17.0", "-5"], "2.0");
        check("modulo", &["-17.0", "5"], "3.0");
        check("remainder", &["-0.0", "4"], "0.0");
        check("quotient", &["-9223372036854775808", "-1"], "9223372036854775808");
        check("remainder", &["-9223372036854775808", "-1"], "0");
        check(
            "quotient",
            &["1000000000000000000000000000000", "7"],
            "142857142857142857142857142857",
        );
        check("quotient", &["17", "0"], "ERR quotient: division by zero");
        check("modulo", &["17", "0.0"], "ERR modulo: undefined for 0.0");
        check("remainder", &["17.0", "0"], "ERR remainder: division by zero");
        check(
            "quotient",
            &["17.5", "5"],
            "ERR quotient: contract violation\n  expected: integer?\n  given: 17.5",
        );
        check("remainder", &["108.0", "-1"], "0");
        check("modulo", &["0", "414.0"], "0");
        check("quotient", &["0", "5.0"], "0");
        check("quotient", &["108.0", "-1"], "-108.0");
        check("quotient", &["-0.0", "4"], "-0.0");
        check("remainder", &["-4.0", "4"], "0.0");
        check("modulo", &["5.0", "-4"], "-3.0");
        check("remainder", &["-47309490155673573860042330276", "846.0"], "-208.0");
        check("quotient", &["9223372036854775807", "-586.0"], "-15739542725008150.0");
        check("quotient/remainder", &["-17", "5"], "-3 -2");
        check("quotient/remainder", &["17.0", "5"], "3.0 2.0");
        check("floor/", &["-17", "5"], "-4 3");
        check("truncate/", &["17", "5"], "3 2");
    }

    #[test]
    fn gcd_lcm_numerator_denominator() {
        check("gcd", &["48", "36"], "12");
        check("gcd", &["0", "7"], "7");
        check("gcd", &[], "0");
        check("gcd", &["-5"], "5");
        check("gcd", &["12", "18.0"], "6.0");
        check("gcd", &["1/2", "1/3"], "1/6");
        check("gcd", &["2.5", "1"], "0.5");
        check("lcm", &["4", "6"], "12");
        check("lcm", &["3", "5", "7"], "105");
        check("lcm", &[], "1");
        check("lcm", &["-4", "6"], "12");
        check("lcm", &["1/2", "3"], "3");
        check("lcm", &["0", "5"], "0");
        check(
            "gcd",
            &["+inf.0"],
            "ERR gcd: contract violation\n  expected: rational?\n  given: +inf.0",
        );
        check("lcm", &["-1/2", "3"], "-3");
        check("lcm", &["-1/2", "-3"], "3");
        check("lcm", &["-458/3", "920.0"], "-210680.0");
        check("lcm", &["0", "779.0"], "0.0");
        check("lcm", &["1/2", "0"], "0");
        check("lcm", &["-5/2"], "5/2");
        check("lcm", &["-2.5"], "2.5");
        check("lcm", &["-12.0", "18"], "36.0");
        check("lcm", &["1/2", "3", "-5"], "15");
        check("gcd", &["-2.5"], "2.5");
        check("gcd", &["0.1", "0.2"], "0.1");
        check("gcd", &["1e300", "1e299"], "1e+299");
        check("numerator", &["6/4"], "3");
        check("numerator", &["-0.0"], "-0.0");
        check("denominator", &["6/4"], "2");
        check("numerator", &["0.75"], "3.0");
        check("denominator", &["0.75"], "4.0");
        check("denominator", &["5"], "1");
    }

    #[test]
    fn rounding() {
        check("floor", &["2.5"], "2.0");
        check("ceiling", &["2.5"], "3.0");
        check("round", &["2.5"], "2.0");
        check("truncate", &["2.5"], "2.0");
        check("floor", &["-2.5"], "-3.0");
        check("round", &["-2.5"], "-2.0");
        check("round", &["3.5"], "4.0");
        check("round", &["-0.5"], "-0.0");
        check("ceiling", &["-0.5"], "-0.0");
        check("floor", &["7/2"], "3");
        check("ceiling", &["7/2"], "4");
        check("round", &["7/2"], "4");
        check("round", &["5/2"], "2");
        check("round", &["-5/2"], "-2");
        check("round", &["-7/2"], "-4");
        check("round", &["3/2"], "2");
        check("round", &["-1/2"], "0");
        check("truncate", &["-7/2"], "-3");
        check("floor", &["-7/2"], "-4");
        check("floor", &["+inf.0"], "+inf.0");
        check("exact-round", &["2.5"], "2");
        check("exact-round", &["2.6"], "3");
        check("exact-floor", &["2.6"], "2");
        check("exact-ceiling", &["2.1"], "3");
        check("exact-truncate", &["-2.6"], "-2");
        check("exact-round", &["1e20"], "100000000000000000000");
        check("exact-floor", &["5/2"], "2");
        check(
            "exact-round",
            &["+inf.0"],
            "ERR exact-round: contract violation\n  expected: rational?\n  given: +inf.0",
        );
    }

    #[test]
    fn abs_min_max_sgn() {
        check("abs", &["-7"], "7");
        check("abs", &["7/2"], "7/2");
        check("abs", &["-7/2"], "7/2");
        check("abs", &["-0.0"], "0.0");
        check("abs", &["-9223372036854775808"], "9223372036854775808");
        check("max", &["1", "5", "3"], "5");
        check("min", &["4", "-2", "9"], "-2");
        check("max", &["1", "2.0"], "2.0");
        check("min", &["1", "2.0"], "1.0");
        check("max", &["3", "2.0"], "3.0");
        check("max", &["1/2", "1/3"], "1/2");
        check("min", &["1/2", "0.75"], "0.5");
        check("max", &["1", "+nan.0"], "+nan.0");
        check("min", &["+nan.0", "1"], "+nan.0");
        check("max", &["-0.0", "0.0"], "0.0");
        check("max", &["0.0", "-0.0"], "-0.0");
        check("min", &["0", "-0.0"], "-0.0");
        check("sgn", &["-5"], "-1");
        check("sgn", &["0"], "0");
        check("sgn", &["2.5"], "1.0");
        check("sgn", &["-0.0"], "-0.0");
        check("sgn", &["-2/3"], "-1");
        check("sqr", &["12"], "144");
        check("sqr", &["1/2"], "1/4");
        check("add1", &["9"], "10");
        check("sub1", &["0"], "-1");
        check("add1", &["9223372036854775807"], "9223372036854775808");
        assert!(call("max", &[int(1), Value::sym("a")]).starts_with("ERR max: contract violation\n  expected: real?"));
        assert!(call("sqr", &[Value::sym("a")]).starts_with("ERR sqr: contract violation\n  expected: number?"));
    }

    #[test]
    fn powers() {
        check("expt", &["2", "100"], "1267650600228229401496703205376");
        check("expt", &["2/3", "3"], "8/27");
        check("expt", &["5", "0"], "1");
        check("expt", &["2", "-2"], "1/4");
        check("expt", &["0", "0"], "1");
        check("expt", &["0.0", "0"], "1");
        check("expt", &["0", "0.0"], "1.0");
        check("expt", &["2", "0.5"], "1.4142135623730951");
        check("expt", &["2.0", "0.5"], "1.4142135623730951");
        check("expt", &["4", "1/2"], "2");
        check("expt", &["9/4", "1/2"], "3/2");
        check("expt", &["8", "1/3"], "2.0");
        check("expt", &["9/4", "3/2"], "3.375");
        check("expt", &["1/4", "-1/2"], "2.0");
        check("expt", &["2.0", "3"], "8.0");
        check("expt", &["1/2", "-3"], "8");
        check("expt", &["-2", "3"], "-8");
        check("expt", &["-2", "-3"], "-1/8");
        check("expt", &["0", "-1"], "ERR expt: undefined for values 0 and -1");
        check("expt", &["0", "-0.5"], "ERR expt: undefined for values 0 and -0.5");
        check("expt", &["0.0", "-1"], "+inf.0");
        check("expt", &["0", "2.5"], "0");
        check("expt", &["1", "+nan.0"], "1");
        check("expt", &["0", "+nan.0"], "+nan.0");
        check("expt", &["1.1", "10"], "2.5937424601000023");
        check("expt", &["-1", "1267650600228229401496703205376"], "1");
        check("expt", &["0", "1267650600228229401496703205376"], "0");
        check(
            "expt",
            &["2", "1267650600228229401496703205376"],
            "ERR expt: out of memory",
        );
        check("expt", &["2.0", "1267650600228229401496703205376"], "+inf.0");
        check(
            "expt",
            &["2", "-1074"],
            &format!("1/{}", num_bigint::BigInt::from(2).pow(1074u32)),
        );
        assert!(call("expt", &[int(-8), num("1/3")]).starts_with("ERR expt: complex numbers are not supported"));
        assert!(call("expt", &[fl(-2.0), fl(0.5)]).starts_with("ERR expt: complex"));
        check("expt", &["-2.0", "2"], "4.0");
        check("expt", &["-8.0", "3.0"], "-512.0");
    }

    #[test]
    fn roots() {
        check("sqrt", &["16"], "4");
        check("sqrt", &["2"], "1.4142135623730951");
        check("sqrt", &["15"], "3.872983346207417");
        check("sqrt", &["1/4"], "1/2");
        check("sqrt", &["2/9"], "0.4714045207910317");
        check("sqrt", &[&format!("2/1{}", "0".repeat(400))], "1.414213562373095e-200");
        check("sqrt", &[&format!("1{}/3", "0".repeat(401))], "1.8257418583505536e+200");
        check("sqrt", &["16.0"], "4.0");
        check("sqrt", &["2.25"], "1.5");
        check("sqrt", &["-0.0"], "-0.0");
        check("sqrt", &["+inf.0"], "+inf.0");
        check(
            "sqrt",
            &["10000000000000000000000000000000000000000"],
            "100000000000000000000",
        );
        check("sqrt", &["10000000000000000000000000000000000000001"], "1e+20");
        assert!(call("sqrt", &[int(-4)]).starts_with("ERR sqrt: complex numbers are not supported"));
        assert!(call("sqrt", &[Value::sym("a")]).starts_with("ERR sqrt: contract violation\n  expected: number?"));
        check("integer-sqrt", &["17"], "4");
        check("integer-sqrt", &["16.0"], "4.0");
        check(
            "integer-sqrt",
            &["100000000000000000000000000000000000000000"],
            "316227766016837933199",
        );
        check(
            "integer-sqrt",
            &["17.5"],
            "ERR integer-sqrt: contract violation\n  expected: integer?\n  given: 17.5",
        );
    }

    #[test]
    fn transcendental_functions() {
        check("exp", &["0"], "1");
        check("exp", &["1"], "2.718281828459045");
        check("exp", &["0.0"], "1.0");
        check("exp", &["1/2"], "1.6487212707001282");
        check("log", &["1"], "0");
        check("log", &["0"], "ERR log: division by zero");
        check("log", &["0.0"], "-inf.0");
        check("log", &["-0.0"], "-inf.0");
        check("log", &["100", "10"], "2.0");
        check("log", &["8", "2"], "3.0");
        check("log", &["1000", "10"], "2.9999999999999996");
        check("log", &["1", "10"], "0");
        check("log", &["10", "1"], "ERR /: division by zero");
        check("log", &["2.0", "0"], "ERR log: division by zero");
        check("log", &["1/3"], "-1.0986122886681098");
        check(
            "log",
            &[&BigInt::from(2).pow(2000u32).to_string()],
            "1386.2943611198907",
        );
        check(
            "log",
            &[&BigInt::from(3).pow(1000u32).to_string()],
            "1098.6122886681096",
        );
        check(
            "log",
            &[&format!("{}/7", BigInt::from(3).pow(1000u32))],
            "1096.6663785190542",
        );
        check(
            "log",
            &[&BigInt::from(2).pow(2000u32).to_string(), "2"],
            "2000.0000000000002",
        );
        check("log", &[&format!("1{}", "0".repeat(400))], "921.0340371976182");
        check("log", &[&format!("1/1{}", "0".repeat(400))], "-921.0340371976182");
        assert!(call("log", &[int(-1)]).starts_with("ERR log: complex"));
        check("sin", &["0"], "0");
        check("sin", &["0.0"], "0.0");
        check("cos", &["0"], "1");
        check("tan", &["0"], "0");
        check("asin", &["0"], "0");
        check("acos", &["1"], "0");
        check("acos", &["1.0"], "0.0");
        check("acos", &["-1"], "3.141592653589793");
        check("asin", &["1"], "1.5707963267948966");
        assert!(call("asin", &[int(2)]).starts_with("ERR asin: complex"));
        check("atan", &["1"], "0.7853981633974483");
        check("atan", &["1", "1"], "0.7853981633974483");
        check("atan", &["0", "1"], "0");
        check("atan", &["0", "1.0"], "0");
        check("atan", &["0", "-1"], "3.141592653589793");
        check("atan", &["0.0", "0"], "0.0");
        check("atan", &["-1", "0"], "-1.5707963267948966");
        check("atan", &["0", "0"], "ERR atan2: undefined for values 0 and 0");
        check("sin", &["1/2"], "0.479425538604203");
        check("atan", &["62/7", "281/36"], "0.8484248400029942");
        check(
            "atan",
            &["9711528722984005744", "-8285172086052775410"],
            "2.277103258066796",
        );
        check("atan", &["386", "676"], "0.5188274399424602");
        check("atan", &["-1", "-623"], "-3.139987518531719");
        check("atan", &["1", "0"], "1.5707963267948966");
        check("log", &["1", "-371.0"], "0");
        check("log", &["1", "1"], "ERR /: division by zero");
    }

    #[test]
    fn exactness_conversion() {
        check("exact->inexact", &["1/3"], "0.3333333333333333");
        check("exact->inexact", &["22/7"], "3.142857142857143");
        check("exact->inexact", &["2/3"], "0.6666666666666666");
        check("exact->inexact", &["7"], "7.0");
        check("exact->inexact", &["12345678901234567890"], "12345678901234567000.0");
        check("inexact->exact", &["0.5"], "1/2");
        check("inexact->exact", &["0.1"], "3602879701896397/36028797018963968");
        check("inexact->exact", &["3.0"], "3");
        check("inexact->exact", &["-0.0"], "0");
        check(
            "inexact->exact",
            &["+inf.0"],
            "ERR exact: no exact representation for +inf.0",
        );
        check("exact", &["2.5"], "5/2");
        check("inexact", &["1/8"], "0.125");
        check("real->double-flonum", &["1/3"], "0.3333333333333333");
    }

    #[test]
    fn predicates() {
        check("integer?", &["3.0"], "#t");
        check("integer?", &["3.5"], "#f");
        check("integer?", &["1/2"], "#f");
        check("integer?", &["+inf.0"], "#f");
        check("rational?", &["0.5"], "#t");
        check("rational?", &["+nan.0"], "#f");
        check("exact?", &["1/2"], "#t");
        check("inexact?", &["1"], "#f");
        check("exact-integer?", &["5.0"], "#f");
        check("exact-nonnegative-integer?", &["0"], "#t");
        check("exact-positive-integer?", &["0"], "#f");
        check("natural?", &["1267650600228229401496703205376"], "#t");
        check("positive-integer?", &["3.0"], "#t");
        check("nonnegative-integer?", &["0.0"], "#t");
        check("negative-integer?", &["-1"], "#t");
        check("zero?", &["-0.0"], "#t");
        check("positive?", &["+nan.0"], "#f");
        check("negative?", &["-0.0"], "#f");
        check("even?", &["0"], "#t");
        check("odd?", &["-3"], "#t");
        check("odd?", &["-3.0"], "#t");
        check("even?", &["1e300"], "#t");
        check("even?", &["1267650600228229401496703205376"], "#t");
        check(
            "odd?",
            &["2.5"],
            "ERR odd?: contract violation\n  expected: integer?\n  given: 2.5",
        );
        check("nan?", &["+nan.0"], "#t");
        check("nan?", &["1/2"], "#f");
        check("infinite?", &["-inf.0"], "#t");
        check("fixnum?", &["1152921504606846975"], "#t");
        check("fixnum?", &["1152921504606846976"], "#f");
        check("fixnum?", &["-1152921504606846976"], "#t");
        check("flonum?", &["1"], "#f");
        check("single-flonum?", &["1.0"], "#f");
        assert_eq!(call("number?", &[Value::sym("a")]), "#f");
        assert_eq!(call("integer?", &[Value::sym("a")]), "#f");
        assert!(call("zero?", &[Value::sym("a")]).starts_with("ERR zero?: contract violation\n  expected: number?"));
        assert!(
            call("positive?", &[Value::sym("a")]).starts_with("ERR positive?: contract violation\n  expected: real?")
        );
    }

    #[test]
    fn bitwise() {
        check("bitwise-and", &[], "-1");
        check("bitwise-ior", &[], "0");
        check("bitwise-and", &["12", "10"], "8");
        check("bitwise-ior", &["12", "10"], "14");
        check("bitwise-xor", &["12", "10"], "6");
        check("bitwise-and", &["-1", "255"], "255");
        check("bitwise-not", &["5"], "-6");
        check(
            "bitwise-not",
            &["1267650600228229401496703205376"],
            "-1267650600228229401496703205377",
        );
        check("bitwise-ior", &["-5", "1180591620717411303424"], "-5");
        check(
            "bitwise-and",
            &["1267650600228229401496703205376", "1267650600228229401496703205375"],
            "0",
        );
        check("arithmetic-shift", &["1", "10"], "1024");
        check("arithmetic-shift", &["1", "100"], "1267650600228229401496703205376");
        check("arithmetic-shift", &["-1", "-10"], "-1");
        check("arithmetic-shift", &["-5", "-1"], "-3");
        check("arithmetic-shift", &["1024", "-3"], "128");
        check("arithmetic-shift", &["1267650600228229401496703205376", "-98"], "4");
        check("arithmetic-shift", &["-1267650600228229401496703205376", "-200"], "-1");
        check("arithmetic-shift", &["0", "1267650600228229401496703205376"], "0");
        check("arithmetic-shift", &["5", "-1267650600228229401496703205376"], "0");
        check(
            "arithmetic-shift",
            &["1", "1267650600228229401496703205376"],
            "ERR arithmetic-shift: out of memory",
        );
        check("arithmetic-shift", &["-3", "63"], "-27670116110564327424");
        check(
            "bitwise-and",
            &["1.0", "2"],
            "ERR bitwise-and: contract violation\n  expected: exact-integer?\n  given: 1.0",
        );
    }

    #[test]
    fn number_strings() {
        check("number->string", &["255", "16"], "\"ff\"");
        check("number->string", &["255", "2"], "\"11111111\"");
        check("number->string", &["-255", "16"], "\"-ff\"");
        check("number->string", &["1/3", "2"], "\"1/11\"");
        check("number->string", &["1e21"], "\"1e+21\"");
        check(
            "number->string",
            &["10", "3"],
            "ERR number->string: contract violation\n  expected: (or/c 2 8 10 16)\n  given: 3",
        );
        check(
            "number->string",
            &["1.5", "16"],
            "ERR number->string: inexact numbers can only be printed in base 10\n  number: 1.5\n  requested base: 16",
        );
        assert_eq!(call("string->number", &[Value::str("42")]), "42");
        assert_eq!(call("string->number", &[Value::str("hello")]), "#f");
        assert!(call("string->number", &[Value::str("1"), int(17)])
            .starts_with("ERR string->number: contract violation\n  expected: (integer-in 2 16)"));
        check("real->decimal-string", &["3.14159", "2"], "\"3.14\"");
        check("real->decimal-string", &["2", "3"], "\"2.000\"");
        check("real->decimal-string", &["2.5"], "\"2.50\"");
        check("real->decimal-string", &["1/3", "4"], "\"0.3333\"");
        check("real->decimal-string", &["-0.005", "2"], "\"-0.01\"");
        check("real->decimal-string", &["-0.001", "2"], "\"-0.00\"");
        check("real->decimal-string", &["0.125", "2"], "\"0.12\"");
        check("real->decimal-string", &["5", "0"], "\"5.\"");
        check("real->decimal-string", &["1e21", "2"], "\"1000000000000000000000.00\"");
    }

    #[test]
    fn random_numbers() {
        assert_eq!(call("random-seed", &[int(42)]), "#<void>");
        for _ in 0..100 {
            let Value::Int(k) = num(&call("random", &[int(10)])) else {
                panic!("integer")
            };
            assert!((0..10).contains(&k));
            let Value::Int(k) = num(&call("random", &[int(-5), int(-3)])) else {
                panic!("integer")
            };
            assert!((-5..-3).contains(&k));
            let Value::Float(f) = num(&call("random", &[])) else {
                panic!("flonum")
            };
            assert!(f > 0.0 && f < 1.0);
        }
        call("random-seed", &[int(7)]);
        let first = call("random", &[int(1000000)]);
        call("random-seed", &[int(7)]);
        assert_eq!(call("random", &[int(1000000)]), first);
        assert!(call("random", &[int(0)]).starts_with(
            "ERR random: contract violation\n  expected: (or/c (integer-in 1 4294967087) pseudo-random-generator?)"
        ));
        assert_eq!(
            call("random", &[int(5), int(3)]),
            "ERR random: contract violation\n  expected: (>/c 5)\n  given: 3\n  argument position: 2nd\n  other arguments...:\n   5"
        );
        assert_eq!(
            call("random", &[int(0), int(4294967088)]),
            "ERR random: difference between arguments is greater than 4294967087\n  min: 0\n  max: 4294967088"
        );
        assert!(call("random-seed", &[int(-1)]).starts_with("ERR random-seed: contract violation"));
    }
}

//! Builtins the evaluator runs inline. A call of a global that held one of these builtins when
//! the call was compiled becomes a `Node::Binary` or `Node::Unary`; while the global still holds
//! the builtin, the common cases (fixnums, pairs) are computed without a builtin call, and
//! everything else (other numbers, errors) goes to the builtin so results and messages match.

use crate::value::Value;

#[derive(Clone, Copy)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Quotient,
    Remainder,
    Modulo,
    Cons,
}

impl BinaryOp {
    pub fn for_builtin(name: &str) -> Option<BinaryOp> {
        Some(match name {
            "+" => BinaryOp::Add,
            "-" => BinaryOp::Sub,
            "*" => BinaryOp::Mul,
            "<" => BinaryOp::Lt,
            ">" => BinaryOp::Gt,
            "<=" => BinaryOp::Le,
            ">=" => BinaryOp::Ge,
            "=" => BinaryOp::Eq,
            "quotient" => BinaryOp::Quotient,
            "remainder" => BinaryOp::Remainder,
            "modulo" => BinaryOp::Modulo,
            "cons" => BinaryOp::Cons,
            _ => return None,
        })
    }

    /// The result for two fixnums, or `None` when the builtin must compute it (overflow, or
    /// an operation that is not arithmetic).
    #[inline(always)]
    pub fn on_fixnums(self, x: i64, y: i64) -> Option<Value> {
        match self {
            BinaryOp::Add => x.checked_add(y).map(Value::Int),
            BinaryOp::Sub => x.checked_sub(y).map(Value::Int),
            BinaryOp::Mul => x.checked_mul(y).map(Value::Int),
            BinaryOp::Lt => Some(Value::Bool(x < y)),
            BinaryOp::Gt => Some(Value::Bool(x > y)),
            BinaryOp::Le => Some(Value::Bool(x <= y)),
            BinaryOp::Ge => Some(Value::Bool(x >= y)),
            BinaryOp::Eq => Some(Value::Bool(x == y)),
            BinaryOp::Quotient | BinaryOp::Remainder | BinaryOp::Modulo | BinaryOp::Cons => None,
        }
    }

    /// The truth of a comparison of two fixnums; `None` for an operation that is no comparison.
    #[inline(always)]
    pub fn compare_fixnums(self, x: i64, y: i64) -> Option<bool> {
        Some(match self {
            BinaryOp::Lt => x < y,
            BinaryOp::Gt => x > y,
            BinaryOp::Le => x <= y,
            BinaryOp::Ge => x >= y,
            BinaryOp::Eq => x == y,
            _ => return None,
        })
    }

    /// The result of a division of two fixnums, kept apart from `on_fixnums` so that the
    /// operations the evaluator computes inline stay few and cheap.
    pub fn divide_fixnums(self, x: i64, y: i64) -> Option<Value> {
        // `checked_` fails for a zero divisor (the builtin raises the error) and for MIN / -1
        // (the builtin makes a bignum).
        match self {
            BinaryOp::Quotient => x.checked_div(y).map(Value::Int),
            BinaryOp::Remainder => x.checked_rem(y).map(Value::Int),
            BinaryOp::Modulo => x.checked_rem(y).map(|r| {
                // The remainder takes the divisor's sign, as floored division does.
                Value::Int(if r != 0 && (r < 0) != (y < 0) { r + y } else { r })
            }),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
pub enum UnaryOp {
    Not,
    IsZero,
    Add1,
    Sub1,
    IsNull,
    IsPair,
    Car,
    Cdr,
}

impl UnaryOp {
    pub fn for_builtin(name: &str) -> Option<UnaryOp> {
        Some(match name {
            "not" => UnaryOp::Not,
            "zero?" => UnaryOp::IsZero,
            "add1" => UnaryOp::Add1,
            "sub1" => UnaryOp::Sub1,
            "null?" => UnaryOp::IsNull,
            "pair?" => UnaryOp::IsPair,
            "car" => UnaryOp::Car,
            "cdr" => UnaryOp::Cdr,
            _ => return None,
        })
    }

    /// The result, or `None` when the builtin must handle the operand.
    #[inline(always)]
    pub fn apply(self, v: &Value) -> Option<Value> {
        match (self, v) {
            (UnaryOp::Not, v) => Some(Value::Bool(!v.is_true())),
            (UnaryOp::IsNull, v) => Some(Value::Bool(matches!(v, Value::Null))),
            (UnaryOp::IsPair, v) => Some(Value::Bool(matches!(v, Value::Pair(_)))),
            (UnaryOp::IsZero, Value::Int(i)) => Some(Value::Bool(*i == 0)),
            (UnaryOp::Add1, Value::Int(i)) => i.checked_add(1).map(Value::Int),
            (UnaryOp::Sub1, Value::Int(i)) => i.checked_sub(1).map(Value::Int),
            (UnaryOp::Car, Value::Pair(p)) => Some(p.car.clone()),
            (UnaryOp::Cdr, Value::Pair(p)) => Some(p.cdr.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::builtins::args::testing::{eval, eval_error};

    #[test]
    fn fixnum_paths_agree_with_the_builtins() {
        assert_eq!(
            eval("(define (f x y) (list (+ x y) (- x y) (* x y) (< x y) (= x y) (modulo x y) (remainder x y) (quotient x y))) (list (f -17 5) (f 17 -5))"),
            "((-12 -22 -85 #t #f 3 -2 -3) (12 22 -85 #f #f -3 2 -3))"
        );
        assert_eq!(eval("(define (f x) (list (add1 x) (sub1 x) (zero? x))) (f 9223372036854775807)"), "(9223372036854775808 9223372036854775806 #f)");
        assert_eq!(eval("(define (f x y) (quotient x y)) (f -9223372036854775808 -1)"), "9223372036854775808");
        assert_eq!(eval("(define (f x y) (modulo x y)) (f 7 2.0)"), "1.0");
        assert_eq!(eval_error("(define (f x y) (modulo x y)) (f 1 0)"), "modulo: division by zero");
    }

    #[test]
    fn pair_operations_and_tests() {
        assert_eq!(eval("(define (f p) (list (car p) (cdr p) (pair? p) (null? p) (not p))) (f (cons 1 2))"), "(1 2 #t #f #f)");
        assert!(eval_error("(define (f p) (car p)) (f 5)").starts_with("car: contract violation"));
    }

    #[test]
    fn redefined_builtins_are_called() {
        assert_eq!(
            eval("(define (g) (car '(1 2))) (define (h x) (if (not (< x 1)) 'big 'small)) (define car cdr) (define (< a b) #t) (list (g) (h 5))"),
            "((2) small)"
        );
    }
}

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
            BinaryOp::Cons => None,
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

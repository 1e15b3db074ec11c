//! Equality (`eq?`, `eqv?`, `equal?`) and hashing consistent with `equal?` for hash-table keys.

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use crate::builtins::Primitive;
use crate::error::R;
use crate::interp::Interp;
use crate::value::number::{eqv_numbers, hash_number};
use crate::value::{HashKey, HashTable, Opaque, Value};

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new(
        "eq?",
        2,
        2,
        eq_p,
        "(eq? a b): whether a and b are the same object.",
    ),
    Primitive::new(
        "eqv?",
        2,
        2,
        eqv_p,
        "(eqv? a b): eq?, but numbers and characters compare by value (2 and 2.0 differ).",
    ),
    Primitive::new(
        "equal?",
        2,
        2,
        equal_p,
        "(equal? a b): structural equality: lists, vectors, strings and hash tables by contents.",
    ),
];

fn eq_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(eq(&args[0], &args[1])))
}

fn eqv_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(eqv(&args[0], &args[1])))
}

fn equal_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(equal(&args[0], &args[1])))
}

fn same<T: ?Sized>(a: &T, b: &T) -> bool {
    std::ptr::eq(a as *const T as *const u8, b as *const T as *const u8)
}

/// `eq?`: identity. Bignums and exact fractions are separate objects as in Racket; every
/// other number compares like `eqv?`.
pub fn eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Big(x), Value::Big(y)) => Rc::ptr_eq(x, y),
        (Value::Rat(x), Value::Rat(y)) => Rc::ptr_eq(x, y),
        _ => eqv(a, b),
    }
}

/// `eqv?`: numbers by exactness and value, characters by value, everything else by identity.
/// All empty strings are one object, as in Racket.
pub fn eqv(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Void, Value::Void)
        | (Value::Null, Value::Null)
        | (Value::Eof, Value::Eof)
        | (Value::Undefined, Value::Undefined) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(_) | Value::Big(_) | Value::Rat(_) | Value::Float(_), _) => eqv_numbers(a, b),
        (Value::Char(x), Value::Char(y)) => x == y,
        (Value::Symbol(x), Value::Symbol(y)) | (Value::Keyword(x), Value::Keyword(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => Rc::ptr_eq(x, y) || (x.is_empty() && y.is_empty()),
        (Value::Pair(x), Value::Pair(y)) => same(&**x, &**y),
        (Value::MPair(x), Value::MPair(y)) => same(&**x, &**y),
        (Value::Box(x), Value::Box(y)) => same(&**x, &**y),
        (Value::Vector(x), Value::Vector(y)) => same(&**x, &**y),
        (Value::Hash(x), Value::Hash(y)) => same(&**x, &**y),
        (Value::Closure(x), Value::Closure(y)) => same(&**x, &**y),
        (Value::Primitive(x), Value::Primitive(y)) => std::ptr::eq(*x, *y),
        (Value::Parameter(x), Value::Parameter(y)) => same(&**x, &**y),
        (Value::Continuation(x), Value::Continuation(y)) => Rc::ptr_eq(x, y),
        (Value::Promise(x), Value::Promise(y)) => same(&**x, &**y),
        (Value::Values(x), Value::Values(y)) => same(&**x, &**y),
        (Value::Exn(x), Value::Exn(y)) => Rc::ptr_eq(x, y),
        (Value::Port(x), Value::Port(y)) => Rc::ptr_eq(x, y),
        (Value::Regex(x), Value::Regex(y)) => Rc::ptr_eq(x, y),
        (Value::Syntax(x), Value::Syntax(y)) => Rc::ptr_eq(x, y),
        (Value::Namespace(x), Value::Namespace(y)) => Rc::ptr_eq(x, y),
        (Value::Opaque(x), Value::Opaque(y)) => same(&**x, &**y) || same_host_object(&***x, &***y),
        _ => false,
    }
}

/// Whether two host values stand for one host object (see [`Opaque::identity`]).
fn same_host_object(x: &dyn Opaque, y: &dyn Opaque) -> bool {
    x.identity().is_some() && x.identity() == y.identity() && x.as_any().type_id() == y.as_any().type_id()
}

/// After this many comparisons of containers that can hold themselves, `equal` starts remembering which pairs
/// of containers it has already taken on, so data that contain themselves still terminate.
const CYCLE_CHECK_AFTER: usize = 10_000;

/// `equal?`: structural equality. It works through an explicit to-do list instead of
/// recursing, so long and deeply nested data take no stack. Two containers met again are
/// assumed equal, which is the right answer for cyclic data (the other comparisons decide).
pub fn equal(a: &Value, b: &Value) -> bool {
    let mut pending: Vec<(Value, Value)> = Vec::new();
    if !equal_step(a, b, &mut pending) {
        return false;
    }
    let mut containers_seen = 0usize;
    // Made only when needed: most comparisons (strings, numbers, short lists) never get there,
    // and a new set costs a look at the thread's hashing keys.
    let mut visited: Option<std::collections::HashSet<(usize, usize)>> = None;
    while let Some((x, y)) = pending.pop() {
        if let (Some(ix), Some(iy)) = (container_identity(&x), container_identity(&y)) {
            containers_seen += 1;
            if containers_seen > CYCLE_CHECK_AFTER && !visited.get_or_insert_with(Default::default).insert((ix, iy)) {
                continue;
            }
        }
        if !equal_step(&x, &y, &mut pending) {
            return false;
        }
    }
    true
}

/// Compares the top level of `a` and `b`; the parts still to compare go on `pending`.
fn equal_step(a: &Value, b: &Value, pending: &mut Vec<(Value, Value)>) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Syntax(x), Value::Syntax(y)) => x == y,
        (Value::Pair(_), Value::Pair(_)) => equal_lists(a, b, pending),
        (Value::MPair(x), Value::MPair(y)) => {
            if same(&**x, &**y) {
                return true;
            }
            let parts = |p: &crate::value::MPair| {
                Some((
                    p.car.try_borrow().ok()?.clone(),
                    p.cdr.try_borrow().ok()?.clone(),
                ))
            };
            let (Some((xa, xd)), Some((ya, yd))) = (parts(x), parts(y)) else {
                return false;
            };
            pending.push((xa, ya));
            pending.push((xd, yd));
            true
        }
        (Value::Box(x), Value::Box(y)) => {
            if same(&**x, &**y) {
                return true;
            }
            let (Ok(xv), Ok(yv)) = (x.try_borrow(), y.try_borrow()) else {
                return false;
            };
            pending.push((xv.clone(), yv.clone()));
            true
        }
        (Value::Vector(x), Value::Vector(y)) => {
            if same(&**x, &**y) {
                return true;
            }
            let (Ok(xs), Ok(ys)) = (x.try_borrow(), y.try_borrow()) else {
                return false;
            };
            if xs.len() != ys.len() {
                return false;
            }
            pending.extend(xs.iter().cloned().zip(ys.iter().cloned()));
            true
        }
        (Value::Hash(x), Value::Hash(y)) => same(&**x, &**y) || equal_hashes(x, y, pending),
        (Value::Values(x), Value::Values(y)) => {
            x.len() == y.len() && {
                pending.extend(x.iter().cloned().zip(y.iter().cloned()));
                true
            }
        }
        _ => eqv(a, b),
    }
}

/// Walks two lists along their cdrs, queueing the cars, and compares the tails.
fn equal_lists(a: &Value, b: &Value, pending: &mut Vec<(Value, Value)>) -> bool {
    let (mut x, mut y) = (a, b);
    loop {
        match (x, y) {
            (Value::Pair(p), Value::Pair(q)) => {
                if same(&**p, &**q) {
                    return true;
                }
                pending.push((p.car.clone(), q.car.clone()));
                x = &p.cdr;
                y = &q.cdr;
            }
            (Value::Pair(_), _) | (_, Value::Pair(_)) => return false,
            _ => {
                pending.push((x.clone(), y.clone()));
                return true;
            }
        }
    }
}

/// Racket: hash tables are `equal?` when they have the same comparison, the same mutability
/// and equal values under the same keys.
fn equal_hashes(x: &HashTable, y: &HashTable, pending: &mut Vec<(Value, Value)>) -> bool {
    if x.kind != y.kind || x.mutable != y.mutable {
        return false;
    }
    let (Ok(xs), Ok(ys)) = (x.map.try_borrow(), y.map.try_borrow()) else {
        return false;
    };
    if xs.len() != ys.len() {
        return false;
    }
    for (key, value) in xs.iter() {
        match ys.get(key) {
            Some(other) => pending.push((value.clone(), other.clone())),
            None => return false,
        }
    }
    true
}

fn container_identity(v: &Value) -> Option<usize> {
    match v {
        Value::Vector(x) => Some(&**x as *const _ as *const u8 as usize),
        Value::Hash(x) => Some(&**x as *const HashTable as *const u8 as usize),
        Value::MPair(x) => Some(&**x as *const _ as *const u8 as usize),
        Value::Box(x) => Some(&**x as *const _ as *const u8 as usize),
        _ => None,
    }
}

impl PartialEq for HashKey {
    fn eq(&self, other: &HashKey) -> bool {
        equal(&self.0, &other.0)
    }
}

impl Eq for HashKey {}

/// How many parts of a compound key the hash looks at: enough to spread typical keys, bounded
/// so hashing a huge or cyclic structure stays cheap.
const HASH_BUDGET: usize = 32;

impl Hash for HashKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut budget = HASH_BUDGET;
        hash_value(&self.0, state, &mut budget);
    }
}

fn hash_value<H: Hasher>(v: &Value, state: &mut H, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    std::mem::discriminant(v).hash(state);
    match v {
        Value::Int(_) | Value::Big(_) | Value::Rat(_) | Value::Float(_) => hash_number(v, state),
        Value::Bool(b) => b.hash(state),
        Value::Char(c) => c.hash(state),
        Value::Symbol(s) | Value::Keyword(s) => s.hash(state),
        Value::Str(s) | Value::Syntax(s) => s.hash(state),
        Value::Pair(_) => {
            let mut cur = v;
            while let Value::Pair(p) = cur {
                if *budget == 0 {
                    return;
                }
                hash_value(&p.car, state, budget);
                cur = &p.cdr;
            }
            hash_value(cur, state, budget);
        }
        Value::MPair(_) => {
            let mut cur = v.clone();
            while let Value::MPair(p) = &cur {
                if *budget == 0 {
                    return;
                }
                let next = match (p.car.try_borrow(), p.cdr.try_borrow()) {
                    (Ok(car), Ok(cdr)) => {
                        hash_value(&car, state, budget);
                        cdr.clone()
                    }
                    _ => return,
                };
                cur = next;
            }
            hash_value(&cur, state, budget);
        }
        Value::Box(b) => {
            if let Ok(contents) = b.try_borrow() {
                hash_value(&contents, state, budget);
            }
        }
        Value::Vector(items) => {
            if let Ok(items) = items.try_borrow() {
                items.len().hash(state);
                for item in items.iter() {
                    if *budget == 0 {
                        return;
                    }
                    hash_value(item, state, budget);
                }
            }
        }
        // Entry order differs between equal tables, so only the size and comparison count.
        Value::Hash(table) => {
            (table.kind as u8).hash(state);
            table
                .map
                .try_borrow()
                .map(|m| m.len())
                .unwrap_or(0)
                .hash(state);
        }
        Value::Values(vals) => vals.len().hash(state),
        Value::Void | Value::Null | Value::Eof | Value::Undefined => {}
        _ => identity(v).hash(state),
    }
}

/// The address of a heap value compared by identity under `equal?`.
fn identity(v: &Value) -> usize {
    match v {
        Value::Closure(x) => &**x as *const _ as *const u8 as usize,
        Value::Primitive(x) => *x as *const Primitive as usize,
        Value::Parameter(x) => &**x as *const _ as *const u8 as usize,
        Value::Continuation(x) => Rc::as_ptr(x) as *const u8 as usize,
        Value::Promise(x) => &**x as *const _ as *const u8 as usize,
        Value::Exn(x) => Rc::as_ptr(x) as *const u8 as usize,
        Value::Port(x) => Rc::as_ptr(x) as *const u8 as usize,
        Value::Regex(x) => Rc::as_ptr(x) as *const u8 as usize,
        Value::Namespace(x) => Rc::as_ptr(x) as *const u8 as usize,
        Value::Opaque(x) => x.identity().unwrap_or(Rc::as_ptr(x) as *const u8 as usize),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{HashKind, Symbol};
    use indexmap::IndexMap;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of(v: &Value) -> u64 {
        let mut h = DefaultHasher::new();
        HashKey(v.clone()).hash(&mut h);
        h.finish()
    }

    fn ints(xs: &[i64]) -> Value {
        Value::list(xs.iter().map(|&i| Value::Int(i)).collect())
    }

    #[test]
    fn eqv_on_atoms() {
        assert!(eqv(&Value::Int(100), &Value::Int(100)));
        assert!(!eqv(&Value::Int(2), &Value::Float(2.0)));
        assert!(eqv(&Value::Float(f64::NAN), &Value::Float(f64::NAN)));
        assert!(!eqv(&Value::Float(0.0), &Value::Float(-0.0)));
        assert!(eqv(&Value::Char('a'), &Value::Char('a')));
        assert!(eqv(&Value::sym("x"), &Value::Symbol(Symbol::intern("x"))));
        assert!(!eqv(
            &Value::sym("x"),
            &Value::Symbol(Symbol::uninterned("x"))
        ));
        assert!(eqv(&Value::Void, &Value::Void));
        assert!(eqv(&Value::Null, &Value::Null));
        assert!(!eqv(&Value::str("abc"), &Value::str("abc")));
        assert!(eqv(&Value::str(""), &Value::str("")));
        let s = Value::str("abc");
        assert!(eqv(&s, &s.clone()));
    }

    #[test]
    fn eq_on_bignums_is_identity() {
        let big = |s: &str| Value::Big(Rc::new(s.parse().unwrap_or_default()));
        let a = big("12345678901234567890");
        assert!(eqv(&a, &big("12345678901234567890")));
        assert!(!eq(&a, &big("12345678901234567890")));
        assert!(eq(&a, &a.clone()));
    }

    #[test]
    fn equal_on_structures() {
        let a = ints(&[1, 2, 3]);
        let b = ints(&[1, 2, 3]);
        assert!(equal(&a, &b) && !eqv(&a, &b) && eqv(&a, &a.clone()));
        assert!(!equal(&a, &ints(&[1, 2])));
        assert!(equal(&Value::str("abc"), &Value::str("abc")));
        assert!(!equal(&Value::str("abc"), &Value::str("ABC")));
        let v1 = Value::vector(vec![Value::Int(1), Value::Int(2), ints(&[3])]);
        let v2 = Value::vector(vec![Value::Int(1), Value::Int(2), ints(&[3])]);
        assert!(equal(&v1, &v2));
        assert!(!equal(
            &v1,
            &Value::vector(vec![Value::Int(1), Value::Int(2)])
        ));
        assert!(!equal(&Value::Int(2), &Value::Float(2.0)));
        let dotted = |x| Value::cons(Value::Int(1), Value::Int(x));
        assert!(equal(&dotted(2), &dotted(2)) && !equal(&dotted(2), &dotted(3)));
        assert!(!equal(&Value::sym("a"), &Value::str("a")));
    }

    #[test]
    fn equal_on_hashes() {
        let table = |kind, mutable| {
            let mut map = IndexMap::new();
            map.insert(HashKey(Value::sym("a")), Value::Int(1));
            map.insert(HashKey(Value::str("b")), ints(&[2]));
            Value::new_hash(kind, mutable, map)
        };
        assert!(equal(
            &table(HashKind::Equal, true),
            &table(HashKind::Equal, true)
        ));
        assert!(!equal(
            &table(HashKind::Equal, true),
            &table(HashKind::Equal, false)
        ));
        assert!(!equal(
            &table(HashKind::Equal, false),
            &table(HashKind::Eq, false)
        ));
        let reordered = {
            let mut map = IndexMap::new();
            map.insert(HashKey(Value::str("b")), ints(&[2]));
            map.insert(HashKey(Value::sym("a")), Value::Int(1));
            Value::new_hash(HashKind::Equal, true, map)
        };
        assert!(equal(&table(HashKind::Equal, true), &reordered));
        assert_eq!(hash_of(&table(HashKind::Equal, true)), hash_of(&reordered));
    }

    #[test]
    fn long_and_deep_data_compare_without_recursion() {
        let long_a = Value::from_iter_list((0..1_000_000).map(Value::Int));
        let long_b = Value::from_iter_list((0..1_000_000).map(Value::Int));
        assert!(equal(&long_a, &long_b));
        let deep = |n| (0..n).fold(Value::Null, |acc, _| Value::list(vec![acc]));
        let (deep_a, deep_b, shallower) = (deep(200_000), deep(200_000), deep(199_999));
        assert!(equal(&deep_a, &deep_b));
        assert!(!equal(&deep_a, &shallower));
        for v in [long_a, long_b, deep_a, deep_b, shallower] {
            drop(v);
        }
    }

    #[test]
    fn self_containing_vectors_terminate() {
        let make = || {
            let v = Value::vector(vec![Value::Int(1), Value::Null]);
            if let Value::Vector(items) = &v {
                items.borrow_mut()[1] = v.clone();
            }
            v
        };
        let (a, b) = (make(), make());
        assert!(equal(&a, &b));
        let _ = hash_of(&a);
        for v in [a, b] {
            if let Value::Vector(items) = &v {
                items.borrow_mut().clear();
            }
        }
    }

    fn boxed(v: Value) -> Value {
        Value::Box(gcmodule::Cc::new(std::cell::RefCell::new(v)))
    }

    fn mcons(car: Value, cdr: Value) -> Value {
        Value::MPair(gcmodule::Cc::new(crate::value::MPair {
            car: std::cell::RefCell::new(car),
            cdr: std::cell::RefCell::new(cdr),
        }))
    }

    #[test]
    fn boxes_and_mutable_pairs_are_equal_by_contents_and_eqv_by_identity() {
        let b = boxed(ints(&[1]));
        assert!(equal(&b, &boxed(ints(&[1]))) && !eqv(&b, &boxed(ints(&[1]))));
        assert!(eqv(&b, &b.clone()) && !equal(&b, &boxed(ints(&[2]))));
        let m = || mcons(Value::Int(1), mcons(Value::str("x"), Value::Null));
        assert!(equal(&m(), &m()) && !eqv(&m(), &m()));
        assert!(!equal(&m(), &mcons(Value::Int(1), Value::Null)));
        assert!(!equal(
            &mcons(Value::Int(1), Value::Int(2)),
            &Value::cons(Value::Int(1), Value::Int(2))
        ));
        assert_eq!(hash_of(&m()), hash_of(&m()));
        assert_eq!(hash_of(&b), hash_of(&boxed(ints(&[1]))));
    }

    #[test]
    fn hash_is_consistent_with_equal() {
        assert_eq!(hash_of(&ints(&[1, 2, 3])), hash_of(&ints(&[1, 2, 3])));
        assert_eq!(hash_of(&Value::str("abc")), hash_of(&Value::str("abc")));
        assert_ne!(hash_of(&Value::Int(1)), hash_of(&Value::Float(1.0)));
        assert_eq!(
            hash_of(&Value::Float(f64::NAN)),
            hash_of(&Value::Float(-f64::NAN))
        );
        let v = || Value::vector(vec![Value::str("x"), ints(&[1])]);
        assert_eq!(hash_of(&v()), hash_of(&v()));
        let (long_a, long_b) = (
            Value::from_iter_list((0..100_000).map(Value::Int)),
            Value::from_iter_list((0..100_000).map(Value::Int)),
        );
        assert_eq!(hash_of(&long_a), hash_of(&long_b));
        drop(long_a);
        drop(long_b);
    }
}

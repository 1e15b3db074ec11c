//! Pairs and lists: the list primitives of `racket/base` and most of `racket/list`.
//!
//! Lists can have millions of elements, so every walk is a loop, never recursion on the Rust
//! stack. Pairs are immutable and therefore never cyclic, which makes those loops terminate.
//! Operations that call back into Scheme first collect what they need into a `Vec`, so the
//! procedure they call sees (and may build) lists freely.

use std::cmp::Ordering;
use std::collections::HashMap;

use indexmap::IndexMap;
use rand::seq::SliceRandom;

use crate::builtins::{args, Primitive, MANY};
use crate::error::{show_given, Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::equal::{eq, equal, eqv};
use crate::value::number;
use crate::value::{HashKey, Symbol, Value};

const CXR_DOC: &str = "The car/cdr composition its name spells, applied right to left.";

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("pair?", 1, 1, pair_p, "Is the value a pair?"),
    Primitive::new("cons?", 1, 1, pair_p, "Is the value a pair? (racket/list's name)"),
    Primitive::new("null?", 1, 1, null_p, "Is the value the empty list?"),
    Primitive::new("empty?", 1, 1, null_p, "Is the value the empty list? (racket/list's name)"),
    Primitive::new("list?", 1, 1, list_p, "Is the value a proper list (a chain of pairs ending in '())?"),
    Primitive::new("cons", 2, 2, cons, "A new pair of two values."),
    Primitive::new("car", 1, 1, car, "The first part of a pair."),
    Primitive::new("cdr", 1, 1, cdr, "The second part of a pair."),
    Primitive::new("caar", 1, 1, caar, CXR_DOC),
    Primitive::new("cadr", 1, 1, cadr, CXR_DOC),
    Primitive::new("cdar", 1, 1, cdar, CXR_DOC),
    Primitive::new("cddr", 1, 1, cddr, CXR_DOC),
    Primitive::new("caaar", 1, 1, caaar, CXR_DOC),
    Primitive::new("caadr", 1, 1, caadr, CXR_DOC),
    Primitive::new("cadar", 1, 1, cadar, CXR_DOC),
    Primitive::new("caddr", 1, 1, caddr, CXR_DOC),
    Primitive::new("cdaar", 1, 1, cdaar, CXR_DOC),
    Primitive::new("cdadr", 1, 1, cdadr, CXR_DOC),
    Primitive::new("cddar", 1, 1, cddar, CXR_DOC),
    Primitive::new("cdddr", 1, 1, cdddr, CXR_DOC),
    Primitive::new("caaaar", 1, 1, caaaar, CXR_DOC),
    Primitive::new("caaadr", 1, 1, caaadr, CXR_DOC),
    Primitive::new("caadar", 1, 1, caadar, CXR_DOC),
    Primitive::new("caaddr", 1, 1, caaddr, CXR_DOC),
    Primitive::new("cadaar", 1, 1, cadaar, CXR_DOC),
    Primitive::new("cadadr", 1, 1, cadadr, CXR_DOC),
    Primitive::new("caddar", 1, 1, caddar, CXR_DOC),
    Primitive::new("cadddr", 1, 1, cadddr, CXR_DOC),
    Primitive::new("cdaaar", 1, 1, cdaaar, CXR_DOC),
    Primitive::new("cdaadr", 1, 1, cdaadr, CXR_DOC),
    Primitive::new("cdadar", 1, 1, cdadar, CXR_DOC),
    Primitive::new("cdaddr", 1, 1, cdaddr, CXR_DOC),
    Primitive::new("cddaar", 1, 1, cddaar, CXR_DOC),
    Primitive::new("cddadr", 1, 1, cddadr, CXR_DOC),
    Primitive::new("cdddar", 1, 1, cdddar, CXR_DOC),
    Primitive::new("cddddr", 1, 1, cddddr, CXR_DOC),
    Primitive::new("list", 0, MANY, list, "A new list of the arguments."),
    Primitive::new("list*", 1, MANY, list_star, "A list of the arguments whose last argument is the tail: (list* 1 2 '(3)) is '(1 2 3)."),
    Primitive::new("length", 1, 1, length, "The number of elements of a list."),
    Primitive::new("append", 0, MANY, append, "The lists joined end to end; the last argument becomes the tail and may be any value."),
    Primitive::new("append*", 1, MANY, append_star, "(append* a ... lists) is (apply append a ... lists)."),
    Primitive::new("reverse", 1, 1, reverse, "A list's elements in reverse order."),
    Primitive::new("list-ref", 2, 2, list_ref, "The element of a list at a zero-based position."),
    Primitive::new("list-tail", 2, 2, list_tail, "What remains of a list after dropping the first k pairs."),
    Primitive::new("member", 2, 3, member, "The first tail of a list whose car is equal? to the value (or satisfies the given equality), or #f."),
    Primitive::new("memv", 2, 2, memv, "The first tail of a list whose car is eqv? to the value, or #f."),
    Primitive::new("memq", 2, 2, memq, "The first tail of a list whose car is eq? to the value, or #f."),
    Primitive::new("memf", 2, 2, memf, "The first tail of a list whose car satisfies the predicate, or #f."),
    Primitive::new("assoc", 2, 3, assoc, "The first pair of an association list whose car is equal? to the key (or satisfies the given equality), or #f."),
    Primitive::new("assv", 2, 2, assv, "The first pair of an association list whose car is eqv? to the key, or #f."),
    Primitive::new("assq", 2, 2, assq, "The first pair of an association list whose car is eq? to the key, or #f."),
    Primitive::new("assf", 2, 2, assf, "The first pair of an association list whose car satisfies the predicate, or #f."),
    Primitive::new("findf", 2, 2, findf, "The first element of a list that satisfies the predicate, or #f."),
    Primitive::new("map", 2, MANY, map, "The results of applying a procedure to the elements of one or more equally long lists."),
    Primitive::new("for-each", 2, MANY, for_each, "Applies a procedure to the elements of one or more equally long lists, for effect."),
    Primitive::new("andmap", 2, MANY, andmap, "#f if the procedure returns #f for some elements, else its last result (#t for empty lists)."),
    Primitive::new("ormap", 2, MANY, ormap, "The first true result of applying the procedure to the elements, or #f."),
    Primitive::new("filter", 2, 2, filter, "The elements of a list that satisfy the predicate."),
    Primitive::new("filter-not", 2, 2, filter_not, "The elements of a list that do not satisfy the predicate."),
    Primitive::new("foldl", 3, MANY, foldl, "Combines list elements left to right: (proc elem ... acc)."),
    Primitive::new("foldr", 3, MANY, foldr, "Combines list elements right to left: (proc elem ... acc)."),
    Primitive::with_keywords("sort", 2, 2, &["key", "cache-keys?"], sort, "A list sorted stably by a strict less-than procedure, optionally comparing #:key results."),
    Primitive::new("first", 1, 1, first, "The first element of a non-empty list."),
    Primitive::new("second", 1, 1, second, "The second element of a list."),
    Primitive::new("third", 1, 1, third, "The third element of a list."),
    Primitive::new("fourth", 1, 1, fourth, "The fourth element of a list."),
    Primitive::new("fifth", 1, 1, fifth, "The fifth element of a list."),
    Primitive::new("sixth", 1, 1, sixth, "The sixth element of a list."),
    Primitive::new("seventh", 1, 1, seventh, "The seventh element of a list."),
    Primitive::new("eighth", 1, 1, eighth, "The eighth element of a list."),
    Primitive::new("ninth", 1, 1, ninth, "The ninth element of a list."),
    Primitive::new("tenth", 1, 1, tenth, "The tenth element of a list."),
    Primitive::new("last", 1, 1, last, "The last element of a non-empty list."),
    Primitive::new("rest", 1, 1, rest, "A non-empty list without its first element."),
    Primitive::new("last-pair", 1, 1, last_pair, "The last pair of a (possibly improper) list."),
    Primitive::new("take", 2, 2, take, "The first n elements of a list."),
    Primitive::new("drop", 2, 2, drop, "A list without its first n elements."),
    Primitive::new("take-right", 2, 2, take_right, "The last n elements of a list."),
    Primitive::new("drop-right", 2, 2, drop_right, "A list without its last n elements."),
    Primitive::new("split-at", 2, 2, split_at, "Two values: (take lst n) and (drop lst n)."),
    Primitive::new("split-at-right", 2, 2, split_at_right, "Two values: (drop-right lst n) and (take-right lst n)."),
    Primitive::new("takef", 2, 2, takef, "The longest prefix of a list whose elements satisfy the predicate."),
    Primitive::new("dropf", 2, 2, dropf, "A list without the longest prefix whose elements satisfy the predicate."),
    Primitive::new("splitf-at", 2, 2, splitf_at, "Two values: (takef lst pred) and (dropf lst pred)."),
    Primitive::new("takef-right", 2, 2, takef_right, "The longest suffix of a list whose elements satisfy the predicate."),
    Primitive::new("dropf-right", 2, 2, dropf_right, "A list without the longest suffix whose elements satisfy the predicate."),
    Primitive::new("splitf-at-right", 2, 2, splitf_at_right, "Two values: (dropf-right lst pred) and (takef-right lst pred)."),
    Primitive::new("range", 1, 3, range, "The numbers from start (default 0) up to but excluding end, by step (default 1)."),
    Primitive::new("inclusive-range", 2, 3, inclusive_range, "The numbers from start up to and including end, by step (default 1)."),
    Primitive::new("remove", 2, 3, remove, "A list without the first element equal? to the value (or matching the given equality)."),
    Primitive::new("remq", 2, 2, remq, "A list without the first element eq? to the value."),
    Primitive::new("remv", 2, 2, remv, "A list without the first element eqv? to the value."),
    Primitive::new("remf", 2, 2, remf, "A list without the first element that satisfies the predicate."),
    Primitive::new("remove*", 2, 3, remove_star, "A list without every element equal? to some element of the first list."),
    Primitive::new("remq*", 2, 2, remq_star, "A list without every element eq? to some element of the first list."),
    Primitive::new("remv*", 2, 2, remv_star, "A list without every element eqv? to some element of the first list."),
    Primitive::new("remf*", 2, 2, remf_star, "A list without every element that satisfies the predicate."),
    Primitive::with_keywords("remove-duplicates", 1, 2, &["key"], remove_duplicates, "A list keeping only the first of each group of equal? elements (or #:key results, or the given equality)."),
    Primitive::with_keywords("check-duplicates", 1, 2, &["key", "default"], check_duplicates, "The first element that duplicates an earlier one, or #f (or #:default)."),
    Primitive::new("filter-map", 2, MANY, filter_map, "The true results of applying a procedure to the elements of the lists."),
    Primitive::new("append-map", 2, MANY, append_map, "The lists returned by a procedure applied to the elements, appended."),
    Primitive::new("count", 2, MANY, count, "How many elements (of equally long lists) make the procedure return true."),
    Primitive::new("partition", 2, 2, partition, "Two values: the elements that satisfy the predicate and those that do not."),
    Primitive::new("flatten", 1, 1, flatten, "The non-list leaves of a tree of pairs, left to right, as a flat list."),
    Primitive::new("build-list", 2, 2, build_list, "The list (proc 0) ... (proc (- n 1))."),
    Primitive::new("make-list", 2, 2, make_list, "A list of n copies of a value."),
    Primitive::new("argmin", 2, 2, argmin, "The first element of a non-empty list for which the procedure gives the smallest number."),
    Primitive::new("argmax", 2, 2, argmax, "The first element of a non-empty list for which the procedure gives the largest number."),
    Primitive::new("shuffle", 1, 1, shuffle, "A list's elements in random order."),
    Primitive::new("index-of", 2, 3, index_of, "The position of the first element equal? to the value, or #f."),
    Primitive::new("index-where", 2, 2, index_where, "The position of the first element that satisfies the predicate, or #f."),
    Primitive::new("indexes-of", 2, 3, indexes_of, "The positions of every element equal? to the value."),
    Primitive::new("indexes-where", 2, 2, indexes_where, "The positions of every element that satisfies the predicate."),
    Primitive::new("list-set", 3, 3, list_set, "A list with the element at a position replaced."),
    Primitive::new("list-update", 3, 3, list_update, "A list with the element at a position replaced by (updater element)."),
    Primitive::with_keywords("add-between", 2, 2, &["splice?", "before-first", "before-last", "after-last"], add_between, "A list with a separator between consecutive elements."),
    Primitive::new("cartesian-product", 0, MANY, cartesian_product, "Every list taking one element from each argument list, in order."),
    Primitive::new("combinations", 1, 2, combinations, "Every sub-list (of size k, if given) of a list, preserving order."),
    Primitive::new("permutations", 1, 1, permutations, "Every ordering of a list's elements."),
    Primitive::new("group-by", 2, 3, group_by, "The elements grouped into lists by equal? key, groups in order of first appearance."),
    Primitive::new("list-prefix?", 2, 3, list_prefix_p, "Does the first list start the second one (elements compared with equal?)?"),
];

fn check_procedure(who: &str, expected: &str, v: &Value) -> R<()> {
    if v.is_procedure() {
        Ok(())
    } else {
        Err(Error::contract(who, expected, v))
    }
}

fn check_procedure_at(who: &str, expected: &str, a: &[Value], pos: usize) -> R<()> {
    if a[pos].is_procedure() {
        Ok(())
    } else {
        Err(Error::argument(who, expected, a, pos))
    }
}

fn list_at(who: &str, a: &[Value], pos: usize) -> R<Vec<Value>> {
    a[pos]
        .list_to_vec()
        .ok_or_else(|| Error::argument(who, "list?", a, pos))
}

/// A count or position argument. A bignum is a valid but hopelessly large count: it becomes
/// `usize::MAX`, which no list is long enough for.
fn count_at(who: &str, a: &[Value], pos: usize) -> R<usize> {
    args::saturating_index(&a[pos])
        .ok_or_else(|| Error::argument(who, "exact-nonnegative-integer?", a, pos))
}

fn call1(interp: &mut Interp, f: &Value, x: &Value) -> R<Value> {
    interp.apply_slice(f, std::slice::from_ref(x))
}

fn holds(interp: &mut Interp, pred: &Value, x: &Value) -> R<bool> {
    Ok(call1(interp, pred, x)?.is_true())
}

// ---------------------------------------------------------------------------------------------
// Pairs

fn pair_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(a[0], Value::Pair(_))))
}

fn null_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(a[0], Value::Null)))
}

fn list_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(a[0].is_list()))
}

fn cons(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::cons(a[0].clone(), a[1].clone()))
}

fn car(_: &mut Interp, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Pair(p) => Ok(p.car.clone()),
        other => Err(Error::contract("car", "pair?", other)),
    }
}

fn cdr(_: &mut Interp, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Pair(p) => Ok(p.cdr.clone()),
        other => Err(Error::contract("cdr", "pair?", other)),
    }
}

/// Follows a `c[ad]+r` path: `path` is the letters between `c` and `r`, applied right to left.
fn cxr(who: &str, path: &str, v: &Value) -> R<Value> {
    let mut cur = v.clone();
    for op in path.bytes().rev() {
        let next = match &cur {
            Value::Pair(p) if op == b'a' => p.car.clone(),
            Value::Pair(p) => p.cdr.clone(),
            _ => return Err(Error::contract(who, &cxr_contract(path), v)),
        };
        cur = next;
    }
    Ok(cur)
}

/// The contract Racket reports for a `c[ad]+r` path, e.g. `(cons/c any/c pair?)` for `cadr`.
fn cxr_contract(path: &str) -> String {
    let mut ops = path.bytes();
    // The innermost contract belongs to the last operation applied, the leftmost letter.
    let mut contract = String::from("pair?");
    ops.next();
    for op in ops {
        contract = if op == b'a' {
            format!("(cons/c {contract} any/c)")
        } else {
            format!("(cons/c any/c {contract})")
        };
    }
    contract
}

macro_rules! cxr_procedures {
    ($($name:ident),* $(,)?) => {
        $(
            fn $name(_: &mut Interp, a: &[Value]) -> R<Value> {
                let name = stringify!($name);
                cxr(name, &name[1..name.len() - 1], &a[0])
            }
        )*
    };
}

cxr_procedures!(
    caar, cadr, cdar, cddr, caaar, caadr, cadar, caddr, cdaar, cdadr, cddar, cdddr, caaaar, caaadr,
    caadar, caaddr, cadaar, cadadr, caddar, cadddr, cdaaar, cdaadr, cdadar, cdaddr, cddaar, cddadr,
    cdddar, cddddr,
);

// ---------------------------------------------------------------------------------------------
// Construction and basic walks

fn list(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(a.to_vec()))
}

fn list_star(_: &mut Interp, a: &[Value]) -> R<Value> {
    match a.split_last() {
        Some((tail, items)) => Ok(Value::list_with_tail(items.to_vec(), tail.clone())),
        None => Ok(Value::Null),
    }
}

/// The number of pairs in a chain, and the value that ends it.
fn pairs_and_tail(v: &Value) -> (usize, Value) {
    let mut n = 0;
    let mut cur = v;
    while let Value::Pair(p) = cur {
        n += 1;
        cur = &p.cdr;
    }
    (n, cur.clone())
}

fn length(_: &mut Interp, a: &[Value]) -> R<Value> {
    match pairs_and_tail(&a[0]) {
        (n, Value::Null) => Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX))),
        _ => Err(Error::contract("length", "list?", &a[0])),
    }
}

/// `append` over `parts`: every part but the last must be a proper list; the last is shared.
fn append_values(who: &str, parts: &[Value]) -> R<Value> {
    let Some((last, init)) = parts.split_last() else {
        return Ok(Value::Null);
    };
    let mut items = Vec::new();
    for part in init {
        let mut cur = part;
        while let Value::Pair(p) = cur {
            items.push(p.car.clone());
            cur = &p.cdr;
        }
        if !matches!(cur, Value::Null) {
            return Err(Error::contract(who, "list?", part));
        }
    }
    Ok(Value::list_with_tail(items, last.clone()))
}

fn append(_: &mut Interp, a: &[Value]) -> R<Value> {
    append_values("append", a)
}

fn append_star(_: &mut Interp, a: &[Value]) -> R<Value> {
    let Some((lists, init)) = a.split_last() else {
        return Ok(Value::Null);
    };
    let spread = args::list("append*", lists)?;
    let mut parts = init.to_vec();
    parts.extend(spread);
    append_values("append", &parts)
}

fn reverse(_: &mut Interp, a: &[Value]) -> R<Value> {
    let mut out = Value::Null;
    let mut cur = &a[0];
    while let Value::Pair(p) = cur {
        out = Value::cons(p.car.clone(), out);
        cur = &p.cdr;
    }
    match cur {
        Value::Null => Ok(out),
        _ => Err(Error::contract("reverse", "list?", &a[0])),
    }
}

/// The value after `k` cdrs, with `list-ref`/`list-tail`'s messages when the list runs out.
fn nth_tail(who: &str, lst: &Value, index: &Value) -> R<Value> {
    let Some(k) = args::saturating_index(index) else {
        return Err(Error::new(
            ExnKind::Contract,
            format!(
                "{who}: index {} is not an exact nonnegative integer",
                show_given(index)
            ),
        ));
    };
    let mut cur = lst;
    for _ in 0..k {
        match cur {
            Value::Pair(p) => cur = &p.cdr,
            _ => return Err(index_ran_out(who, lst, index, cur)),
        }
    }
    Ok(cur.clone())
}

fn index_ran_out(who: &str, lst: &Value, index: &Value, stopped_at: &Value) -> Error {
    let message = if matches!(stopped_at, Value::Null) {
        "index too large for list"
    } else {
        "index reaches a non-pair"
    };
    Error::fields(who, message, &[("index", index), ("in", lst)])
}

fn list_ref(_: &mut Interp, a: &[Value]) -> R<Value> {
    match nth_tail("list-ref", &a[0], &a[1])? {
        Value::Pair(p) => Ok(p.car.clone()),
        other => Err(index_ran_out("list-ref", &a[0], &a[1], &other)),
    }
}

fn list_tail(_: &mut Interp, a: &[Value]) -> R<Value> {
    nth_tail("list-tail", &a[0], &a[1])
}

// ---------------------------------------------------------------------------------------------
// Equality-parameterised searches

/// How an operation compares elements: a builtin equality (which duplicate detection can hash)
/// or any two-argument procedure.
enum Equality {
    Equal,
    Eqv,
    Eq,
    Custom(Value),
}

impl Equality {
    /// The equality given as an optional argument; `equal?` when it is absent.
    fn from_arg(arg: Option<&Value>) -> Equality {
        match arg {
            None => Equality::Equal,
            Some(Value::Primitive(p)) if p.name == "equal?" => Equality::Equal,
            Some(Value::Primitive(p)) if p.name == "eqv?" => Equality::Eqv,
            Some(Value::Primitive(p)) if p.name == "eq?" => Equality::Eq,
            Some(f) => Equality::Custom(f.clone()),
        }
    }

    /// The builtin equalities; a custom one counts as never equal here.
    fn same_builtin(&self, a: &Value, b: &Value) -> bool {
        match self {
            Equality::Equal => equal(a, b),
            Equality::Eqv => eqv(a, b),
            Equality::Eq => eq(a, b),
            Equality::Custom(_) => false,
        }
    }

    fn same(&self, interp: &mut Interp, a: &Value, b: &Value) -> R<bool> {
        match self {
            Equality::Custom(f) => Ok(interp.apply_slice(f, &[a.clone(), b.clone()])?.is_true()),
            builtin => Ok(builtin.same_builtin(a, b)),
        }
    }
}

fn optional_equality(who: &str, a: &[Value], pos: usize, expected: &str) -> R<Equality> {
    match a.get(pos) {
        Some(f) if !f.is_procedure() => Err(Error::contract(who, expected, f)),
        other => Ok(Equality::from_arg(other)),
    }
}

/// Keys seen so far, for duplicate detection. Builtin equalities hash: keys are bucketed by
/// their `equal?` hash (`eq?` and `eqv?` imply `equal?`, so a match is always in the bucket).
/// A custom equality is tried against every earlier key, as Racket does.
struct Seen {
    equality: Equality,
    buckets: HashMap<HashKey, Vec<Value>>,
    listed: Vec<Value>,
}

impl Seen {
    fn new(equality: Equality) -> Seen {
        Seen {
            equality,
            buckets: HashMap::new(),
            listed: Vec::new(),
        }
    }

    /// Whether a key matching `key` was inserted; a custom equality is called as (same? key seen).
    fn contains(&self, interp: &mut Interp, key: &Value) -> R<bool> {
        match &self.equality {
            Equality::Equal => Ok(self.buckets.contains_key(&HashKey(key.clone()))),
            Equality::Eqv | Equality::Eq => {
                let bucket = self.buckets.get(&HashKey(key.clone()));
                Ok(bucket
                    .is_some_and(|b| b.iter().any(|seen| self.equality.same_builtin(seen, key))))
            }
            Equality::Custom(_) => {
                for seen in &self.listed {
                    if self.equality.same(interp, key, seen)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    fn insert(&mut self, key: Value) {
        match self.equality {
            Equality::Equal => {
                self.buckets.entry(HashKey(key)).or_default();
            }
            Equality::Eqv | Equality::Eq => self
                .buckets
                .entry(HashKey(key.clone()))
                .or_default()
                .push(key),
            Equality::Custom(_) => self.listed.push(key),
        }
    }
}

/// `member`/`memv`/`memq`: the first tail whose car matches; an improper tail reached before
/// a match is an error.
fn mem_by(interp: &mut Interp, who: &str, v: &Value, lst: &Value, eq: &Equality) -> R<Value> {
    let mut cur = lst.clone();
    loop {
        let next = match &cur {
            Value::Pair(p) => {
                if eq.same(interp, v, &p.car)? {
                    return Ok(cur.clone());
                }
                p.cdr.clone()
            }
            Value::Null => return Ok(Value::Bool(false)),
            _ => return Err(Error::fields(who, "not a proper list", &[("in", lst)])),
        };
        cur = next;
    }
}

fn member(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let eq = optional_equality("member", a, 2, "(procedure-arity-includes/c 2)")?;
    mem_by(interp, "member", &a[0], &a[1], &eq)
}

fn memv(interp: &mut Interp, a: &[Value]) -> R<Value> {
    mem_by(interp, "memv", &a[0], &a[1], &Equality::Eqv)
}

fn memq(interp: &mut Interp, a: &[Value]) -> R<Value> {
    mem_by(interp, "memq", &a[0], &a[1], &Equality::Eq)
}

fn not_a_proper_list(who: &str, lst: &Value) -> Error {
    Error::new(
        ExnKind::Contract,
        format!("{who}: not a proper list: {}", show_given(lst)),
    )
}

/// Walks an association list, returning the first pair whose car passes `matches`.
fn ass_by(
    interp: &mut Interp,
    who: &str,
    lst: &Value,
    mut matches: impl FnMut(&mut Interp, &Value) -> R<bool>,
) -> R<Value> {
    let mut cur = lst;
    loop {
        match cur {
            Value::Pair(p) => {
                let Value::Pair(entry) = &p.car else {
                    return Err(Error::fields(
                        who,
                        "non-pair found in list",
                        &[("non-pair", &p.car), ("list", lst)],
                    ));
                };
                if matches(interp, &entry.car)? {
                    return Ok(p.car.clone());
                }
                cur = &p.cdr;
            }
            Value::Null => return Ok(Value::Bool(false)),
            _ => return Err(not_a_proper_list(who, lst)),
        }
    }
}

fn assoc(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let eq = optional_equality("assoc", a, 2, "(procedure-arity-includes/c 2)")?;
    ass_by(interp, "assoc", &a[1], |interp, k| {
        eq.same(interp, &a[0], k)
    })
}

fn assv(interp: &mut Interp, a: &[Value]) -> R<Value> {
    ass_by(interp, "assv", &a[1], |_, k| Ok(eqv(&a[0], k)))
}

fn assq(interp: &mut Interp, a: &[Value]) -> R<Value> {
    ass_by(interp, "assq", &a[1], |_, k| Ok(eq(&a[0], k)))
}

fn assf(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure("assf", "(any/c . -> . any/c)", &a[0])?;
    ass_by(interp, "assf", &a[1], |interp, k| holds(interp, &a[0], k))
}

fn memf(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure("memf", "(any/c . -> any/c)", &a[0])?;
    let mut cur = a[1].clone();
    loop {
        let next = match &cur {
            Value::Pair(p) => {
                if holds(interp, &a[0], &p.car)? {
                    return Ok(cur.clone());
                }
                p.cdr.clone()
            }
            Value::Null => return Ok(Value::Bool(false)),
            _ => return Err(not_a_proper_list("memf", &a[1])),
        };
        cur = next;
    }
}

fn findf(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure("findf", "(any/c . -> . any/c)", &a[0])?;
    let mut cur = a[1].clone();
    loop {
        let next = match &cur {
            Value::Pair(p) => {
                if holds(interp, &a[0], &p.car)? {
                    return Ok(p.car.clone());
                }
                p.cdr.clone()
            }
            Value::Null => return Ok(Value::Bool(false)),
            _ => return Err(not_a_proper_list("findf", &a[1])),
        };
        cur = next;
    }
}

// ---------------------------------------------------------------------------------------------
// Mapping and folding

/// The lists of a multi-list operation, checked to be proper and equally long.
fn equal_length_lists(who: &str, f: &Value, lists: &[Value]) -> R<Vec<Vec<Value>>> {
    let lists = lists
        .iter()
        .map(|l| args::list(who, l))
        .collect::<R<Vec<_>>>()?;
    let first_len = lists.first().map_or(0, Vec::len);
    if let Some(other) = lists.iter().find(|l| l.len() != first_len) {
        return Err(Error::new(
            ExnKind::Contract,
            format!(
                "{who}: all lists must have same size\n  first list length: {first_len}\n  other list length: {}\n  procedure: {}",
                other.len(),
                show_given(f)
            ),
        ));
    }
    Ok(lists)
}

/// The arguments of the i-th call of a multi-list operation: the i-th element of each list.
/// The `i`th element of each list, as the arguments of a call: `args` is reused from call to
/// call, so that a pass over the lists allocates no argument vectors.
fn column<'a>(lists: &[Vec<Value>], i: usize, args: &'a mut Vec<Value>) -> &'a mut Vec<Value> {
    args.clear();
    args.extend(lists.iter().map(|l| l[i].clone()));
    args
}

fn common_length(lists: &[Vec<Value>]) -> usize {
    lists.first().map_or(0, Vec::len)
}

fn map(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure("map", "procedure?", &a[0])?;
    let lists = equal_length_lists("map", &a[0], &a[1..])?;
    let mut args = Vec::with_capacity(lists.len());
    let n = common_length(&lists);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(interp.apply_slice(&a[0], column(&lists, i, &mut args))?);
    }
    Ok(Value::list(out))
}

fn for_each(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure("for-each", "procedure?", &a[0])?;
    let lists = equal_length_lists("for-each", &a[0], &a[1..])?;
    let mut args = Vec::with_capacity(lists.len());
    for i in 0..common_length(&lists) {
        interp.apply_slice(&a[0], column(&lists, i, &mut args))?;
    }
    Ok(Value::Void)
}

fn andmap(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure("andmap", "procedure?", &a[0])?;
    let lists = equal_length_lists("andmap", &a[0], &a[1..])?;
    let mut args = Vec::with_capacity(lists.len());
    let mut result = Value::Bool(true);
    for i in 0..common_length(&lists) {
        result = interp.apply_slice(&a[0], column(&lists, i, &mut args))?;
        if !result.is_true() {
            break;
        }
    }
    Ok(result)
}

fn ormap(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure("ormap", "procedure?", &a[0])?;
    let lists = equal_length_lists("ormap", &a[0], &a[1..])?;
    let mut args = Vec::with_capacity(lists.len());
    for i in 0..common_length(&lists) {
        let result = interp.apply_slice(&a[0], column(&lists, i, &mut args))?;
        if result.is_true() {
            return Ok(result);
        }
    }
    Ok(Value::Bool(false))
}

/// The elements of `lst` for which `pred` returns `keep`.
fn filter_by(
    interp: &mut Interp,
    who: &str,
    a: &[Value],
    keep: bool,
    position_in_errors: bool,
) -> R<Value> {
    const EXPECTED: &str = "(any/c . -> . any/c)";
    let items = if position_in_errors {
        check_procedure_at(who, EXPECTED, a, 0)?;
        list_at(who, a, 1)?
    } else {
        check_procedure(who, EXPECTED, &a[0])?;
        args::list(who, &a[1])?
    };
    let mut out = Vec::new();
    for x in items {
        if holds(interp, &a[0], &x)? == keep {
            out.push(x);
        }
    }
    Ok(Value::list(out))
}

fn filter(interp: &mut Interp, a: &[Value]) -> R<Value> {
    filter_by(interp, "filter", a, true, false)
}

fn filter_not(interp: &mut Interp, a: &[Value]) -> R<Value> {
    filter_by(interp, "filter-not", a, false, true)
}

/// The lists of `foldl`/`foldr` (arguments 2 onwards), checked like Racket checks them.
fn fold_lists(who: &str, a: &[Value]) -> R<Vec<Vec<Value>>> {
    check_procedure_at(who, "procedure?", a, 0)?;
    let lists = (2..a.len())
        .map(|pos| list_at(who, a, pos))
        .collect::<R<Vec<_>>>()?;
    let first_len = common_length(&lists);
    if let Some(bad) = lists.iter().position(|l| l.len() != first_len) {
        return Err(Error::new(
            ExnKind::Contract,
            format!(
                "{who}: given list does not have the same size as the first list: {}",
                show_given(&a[bad + 2])
            ),
        ));
    }
    Ok(lists)
}

fn foldl(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let lists = fold_lists("foldl", a)?;
    let mut acc = a[1].clone();
    let mut args = Vec::with_capacity(lists.len() + 1);
    for i in 0..common_length(&lists) {
        column(&lists, i, &mut args).push(acc);
        acc = interp.apply_slice(&a[0], &args)?;
    }
    Ok(acc)
}

fn foldr(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let lists = fold_lists("foldr", a)?;
    let mut acc = a[1].clone();
    let mut args = Vec::with_capacity(lists.len() + 1);
    for i in (0..common_length(&lists)).rev() {
        column(&lists, i, &mut args).push(acc);
        acc = interp.apply_slice(&a[0], &args)?;
    }
    Ok(acc)
}

fn filter_map(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure_at("filter-map", "procedure?", a, 0)?;
    let lists = equal_length_lists("filter-map", &a[0], &a[1..])?;
    let mut args = Vec::with_capacity(lists.len());
    let mut out = Vec::new();
    for i in 0..common_length(&lists) {
        let result = interp.apply_slice(&a[0], column(&lists, i, &mut args))?;
        if result.is_true() {
            out.push(result);
        }
    }
    Ok(Value::list(out))
}

fn append_map(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure("append-map", "procedure?", &a[0])?;
    let lists = equal_length_lists("append-map", &a[0], &a[1..])?;
    let mut args = Vec::with_capacity(lists.len());
    let mut parts = Vec::with_capacity(common_length(&lists));
    for i in 0..common_length(&lists) {
        parts.push(interp.apply_slice(&a[0], column(&lists, i, &mut args))?);
    }
    append_values("append-map", &parts)
}

fn count(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure_at("count", "procedure?", a, 0)?;
    for pos in 1..a.len() {
        list_at("count", a, pos)?;
    }
    let lists = equal_length_lists("count", &a[0], &a[1..])?;
    let mut args = Vec::with_capacity(lists.len());
    let mut n: i64 = 0;
    for i in 0..common_length(&lists) {
        if interp.apply_slice(&a[0], column(&lists, i, &mut args))?.is_true() {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn partition(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure_at("partition", "(any/c . -> . any/c)", a, 0)?;
    let items = list_at("partition", a, 1)?;
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for x in items {
        if holds(interp, &a[0], &x)? {
            yes.push(x);
        } else {
            no.push(x);
        }
    }
    Ok(Value::multiple(vec![Value::list(yes), Value::list(no)]))
}

// ---------------------------------------------------------------------------------------------
// Sorting

/// Stable merge sort of the positions `0..n` under a strict order `less(i, j)` that may fail
/// (it usually calls back into Scheme). A merge takes from the right run only when its head is
/// strictly less, which keeps equal elements in their original order; runs that are already in
/// order cost one comparison to merge, so sorted input is linear.
pub(crate) fn stable_sort_indices(
    n: usize,
    mut less: impl FnMut(usize, usize) -> R<bool>,
) -> R<Vec<usize>> {
    let mut src: Vec<usize> = (0..n).collect();
    let mut dst: Vec<usize> = Vec::with_capacity(n);
    let mut width = 1usize;
    while width < n {
        dst.clear();
        let mut start = 0;
        while start < n {
            let mid = start.saturating_add(width).min(n);
            let end = mid.saturating_add(width).min(n);
            merge_runs(&src[start..mid], &src[mid..end], &mut dst, &mut less)?;
            start = end;
        }
        std::mem::swap(&mut src, &mut dst);
        width = width.saturating_mul(2);
    }
    Ok(src)
}

fn merge_runs(
    left: &[usize],
    right: &[usize],
    out: &mut Vec<usize>,
    less: &mut impl FnMut(usize, usize) -> R<bool>,
) -> R<()> {
    if let (Some(&left_last), Some(&right_first)) = (left.last(), right.first()) {
        if less(right_first, left_last)? {
            let (mut i, mut j) = (0, 0);
            while i < left.len() && j < right.len() {
                if less(right[j], left[i])? {
                    out.push(right[j]);
                    j += 1;
                } else {
                    out.push(left[i]);
                    i += 1;
                }
            }
            out.extend_from_slice(&left[i..]);
            out.extend_from_slice(&right[j..]);
            return Ok(());
        }
    }
    out.extend_from_slice(left);
    out.extend_from_slice(right);
    Ok(())
}

/// A Rust comparison equivalent to `less` on these keys, when `less` is a builtin order on keys
/// of one simple type: sorting then needs no calls back into the evaluator.
fn native_order(less: &Value, keys: &[Value]) -> Option<fn(&Value, &Value) -> Ordering> {
    fn ints(a: &Value, b: &Value) -> Ordering {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => x.cmp(y),
            _ => Ordering::Equal,
        }
    }
    // UTF-8 byte order is code-point order, which is what string<? compares.
    fn strs(a: &Value, b: &Value) -> Ordering {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
            _ => Ordering::Equal,
        }
    }
    let Value::Primitive(p) = less else {
        return None;
    };
    let all_ints = || keys.iter().all(|k| matches!(k, Value::Int(_)));
    let all_strs = || keys.iter().all(|k| matches!(k, Value::Str(_)));
    match p.name {
        "<" if all_ints() => Some(ints),
        ">" if all_ints() => Some(|a, b| ints(b, a)),
        "string<?" if all_strs() => Some(strs),
        "string>?" if all_strs() => Some(|a, b| strs(b, a)),
        _ => None,
    }
}

/// Sorts values stably by `less`, comparing `(key v)` when a key procedure is given. Keys are
/// computed once per element (Racket's `#:cache-keys? #t`; the result is the same either way).
pub(crate) fn sort_values(
    interp: &mut Interp,
    items: Vec<Value>,
    less: &Value,
    key: Option<&Value>,
) -> R<Vec<Value>> {
    let keys = match key {
        Some(k) => Some(
            items
                .iter()
                .map(|x| call1(interp, k, x))
                .collect::<R<Vec<_>>>()?,
        ),
        None => None,
    };
    let sort_keys = keys.as_deref().unwrap_or(&items);
    let order = match native_order(less, sort_keys) {
        Some(cmp) => {
            let mut order: Vec<usize> = (0..sort_keys.len()).collect();
            order.sort_by(|&i, &j| cmp(&sort_keys[i], &sort_keys[j]));
            order
        }
        None => stable_sort_indices(sort_keys.len(), |i, j| {
            Ok(interp
                .apply(less, vec![sort_keys[i].clone(), sort_keys[j].clone()])?
                .is_true())
        })?,
    };
    Ok(order.into_iter().map(|i| items[i].clone()).collect())
}

fn sort(interp: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let items = args::list("sort", &a[0])?;
    check_procedure("sort", "(any/c any/c . -> . any/c)", &a[1])?;
    let key = args::keyword(kws, "key");
    if let Some(k) = key {
        check_procedure("sort", "(any/c . -> . any/c)", k)?;
    }
    Ok(Value::list(sort_values(interp, items, &a[1], key)?))
}

// ---------------------------------------------------------------------------------------------
// Positional access (racket/list)

fn check_non_empty_list(who: &str, v: &Value) -> R<()> {
    if matches!(v, Value::Pair(_)) && v.is_list() {
        Ok(())
    } else {
        Err(Error::contract(who, "(and/c list? (not/c empty?))", v))
    }
}

fn first(_: &mut Interp, a: &[Value]) -> R<Value> {
    check_non_empty_list("first", &a[0])?;
    Ok(a[0].iter().next().unwrap_or(Value::Void))
}

fn rest(_: &mut Interp, a: &[Value]) -> R<Value> {
    check_non_empty_list("rest", &a[0])?;
    match &a[0] {
        Value::Pair(p) => Ok(p.cdr.clone()),
        other => Err(Error::contract(
            "rest",
            "(and/c list? (not/c empty?))",
            other,
        )),
    }
}

fn last(_: &mut Interp, a: &[Value]) -> R<Value> {
    check_non_empty_list("last", &a[0])?;
    Ok(a[0].iter().last().unwrap_or(Value::Void))
}

fn last_pair(_: &mut Interp, a: &[Value]) -> R<Value> {
    let Value::Pair(mut pair) = a[0].clone() else {
        return Err(Error::contract("last-pair", "pair?", &a[0]));
    };
    while let Value::Pair(next) = &pair.cdr {
        let next = next.clone();
        pair = next;
    }
    Ok(Value::Pair(pair))
}

/// `second` ... `tenth`: the element at a one-based position of a proper list.
fn nth_element(who: &str, position: usize, lst: &Value) -> R<Value> {
    if !lst.is_list() {
        return Err(Error::contract(who, "list?", lst));
    }
    lst.iter()
        .nth(position - 1)
        .ok_or_else(|| Error::fields(who, "list contains too few elements", &[("list", lst)]))
}

macro_rules! nth_procedures {
    ($($name:ident = $position:literal),* $(,)?) => {
        $(
            fn $name(_: &mut Interp, a: &[Value]) -> R<Value> {
                nth_element(stringify!($name), $position, &a[0])
            }
        )*
    };
}

nth_procedures!(
    second = 2,
    third = 3,
    fourth = 4,
    fifth = 5,
    sixth = 6,
    seventh = 7,
    eighth = 8,
    ninth = 9,
    tenth = 10,
);

/// The error for `take` and friends when the list has fewer than `n` elements.
fn too_short(who: &str, lst: &Value, n: &Value) -> Error {
    let expected = if lst.is_list() {
        format!("a list with at least {} elements", show_given(n))
    } else {
        format!(
            "a (possibly improper) list with at least {} pairs",
            show_given(n)
        )
    };
    Error::contract(who, &expected, lst)
}

/// The elements of the first `n` pairs of a possibly improper list, and what follows them.
fn split_pairs(who: &str, lst: &Value, n: usize, n_arg: &Value) -> R<(Vec<Value>, Value)> {
    let mut items = Vec::new();
    let mut cur = lst;
    while items.len() < n {
        match cur {
            Value::Pair(p) => {
                items.push(p.car.clone());
                cur = &p.cdr;
            }
            _ => return Err(too_short(who, lst, n_arg)),
        }
    }
    Ok((items, cur.clone()))
}

/// The tail of a possibly improper list after its first `n` pairs.
fn skip_pairs(who: &str, lst: &Value, n: usize, n_arg: &Value) -> R<Value> {
    let mut cur = lst;
    for _ in 0..n {
        match cur {
            Value::Pair(p) => cur = &p.cdr,
            _ => return Err(too_short(who, lst, n_arg)),
        }
    }
    Ok(cur.clone())
}

/// How many pairs to keep at the front so that `n` remain at the back (`take-right` etc.).
fn front_count(who: &str, a: &[Value], n: usize) -> R<usize> {
    let (pairs, _) = pairs_and_tail(&a[0]);
    pairs
        .checked_sub(n)
        .ok_or_else(|| too_short(who, &a[0], &a[1]))
}

fn take(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = count_at("take", a, 1)?;
    let (items, _) = split_pairs("take", &a[0], n, &a[1])?;
    Ok(Value::list(items))
}

fn drop(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = count_at("drop", a, 1)?;
    skip_pairs("drop", &a[0], n, &a[1])
}

fn split_at(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = count_at("split-at", a, 1)?;
    let (items, tail) = split_pairs("split-at", &a[0], n, &a[1])?;
    Ok(Value::multiple(vec![Value::list(items), tail]))
}

fn take_right(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = count_at("take-right", a, 1)?;
    let keep = front_count("take-right", a, n)?;
    skip_pairs("take-right", &a[0], keep, &a[1])
}

fn drop_right(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = count_at("drop-right", a, 1)?;
    let keep = front_count("drop-right", a, n)?;
    let (items, _) = split_pairs("drop-right", &a[0], keep, &a[1])?;
    Ok(Value::list(items))
}

fn split_at_right(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = count_at("split-at-right", a, 1)?;
    let keep = front_count("split-at-right", a, n)?;
    let (items, tail) = split_pairs("split-at-right", &a[0], keep, &a[1])?;
    Ok(Value::multiple(vec![Value::list(items), tail]))
}

/// The elements of the longest prefix whose elements satisfy `pred`, and the rest.
fn split_while(interp: &mut Interp, who: &str, a: &[Value]) -> R<(Vec<Value>, Value)> {
    check_procedure_at(who, "procedure?", a, 1)?;
    let mut items = Vec::new();
    let mut cur = a[0].clone();
    loop {
        let next = match &cur {
            Value::Pair(p) if holds(interp, &a[1], &p.car)? => {
                items.push(p.car.clone());
                p.cdr.clone()
            }
            _ => return Ok((items, cur)),
        };
        cur = next;
    }
}

fn takef(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(split_while(interp, "takef", a)?.0))
}

fn dropf(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(split_while(interp, "dropf", a)?.1)
}

fn splitf_at(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let (items, tail) = split_while(interp, "splitf-at", a)?;
    Ok(Value::multiple(vec![Value::list(items), tail]))
}

/// Splits before the longest suffix whose elements satisfy `pred`: the elements before it and
/// the suffix itself (which shares structure with the input). Like Racket, calls `pred` on
/// every element from left to right.
fn split_while_right(interp: &mut Interp, who: &str, a: &[Value]) -> R<(Vec<Value>, Value)> {
    check_procedure_at(who, "procedure?", a, 1)?;
    let mut items = Vec::new();
    let mut suffix_start = 0;
    let mut suffix = a[0].clone();
    let mut cur = a[0].clone();
    while let Value::Pair(p) = cur.clone() {
        if !holds(interp, &a[1], &p.car)? {
            suffix_start = items.len() + 1;
            suffix = p.cdr.clone();
        }
        items.push(p.car.clone());
        cur = p.cdr.clone();
    }
    items.truncate(suffix_start);
    Ok((items, suffix))
}

fn takef_right(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(split_while_right(interp, "takef-right", a)?.1)
}

fn dropf_right(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(split_while_right(interp, "dropf-right", a)?.0))
}

fn splitf_at_right(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let (items, suffix) = split_while_right(interp, "splitf-at-right", a)?;
    Ok(Value::multiple(vec![Value::list(items), suffix]))
}

// ---------------------------------------------------------------------------------------------
// Ranges

fn real_arg(v: &Value) -> R<&Value> {
    if number::is_number(v) {
        Ok(v)
    } else {
        Err(Error::contract("in-range", "real?", v))
    }
}

/// The numbers start, start+step, ... while they are before `end` (or reach it, when
/// `inclusive`), in the step's direction. Racket loops forever on a zero step that never
/// reaches the end; rlmsh reports it instead.
fn number_range(who: &str, start: &Value, end: &Value, step: &Value, inclusive: bool) -> R<Value> {
    let (start, end, step) = (real_arg(start)?, real_arg(end)?, real_arg(step)?);
    if let (Value::Int(s), Value::Int(e), Value::Int(d)) = (start, end, step) {
        if let Some(items) = int_range(*s, *e, *d, inclusive) {
            return Ok(Value::list(items));
        }
    }
    let descending = number::sign(step) == Some(Ordering::Less);
    let continues = |x: &Value| -> R<bool> {
        let order = number::compare_values("in-range", x, end)?;
        Ok(match (descending, inclusive) {
            (false, false) => order == Some(Ordering::Less),
            (false, true) => matches!(order, Some(Ordering::Less | Ordering::Equal)),
            (true, false) => order == Some(Ordering::Greater),
            (true, true) => matches!(order, Some(Ordering::Greater | Ordering::Equal)),
        })
    };
    if number::sign(step) == Some(Ordering::Equal) && continues(start)? {
        return Err(Error::fields(
            who,
            "step is zero, so the range never ends",
            &[("start", start), ("end", end)],
        ));
    }
    let mut items = Vec::new();
    let mut x = start.clone();
    while continues(&x)? {
        let next = number::add2(&x, step)?;
        items.push(std::mem::replace(&mut x, next));
    }
    Ok(Value::list(items))
}

/// A range of fixnums, or `None` when the generic path must handle it (a zero step, or values
/// that would overflow).
fn int_range(start: i64, end: i64, step: i64, inclusive: bool) -> Option<Vec<Value>> {
    if step == 0 {
        return None;
    }
    let continues = |x: i64| match (step > 0, inclusive) {
        (true, false) => x < end,
        (true, true) => x <= end,
        (false, false) => x > end,
        (false, true) => x >= end,
    };
    let mut items = Vec::new();
    let mut x = start;
    while continues(x) {
        items.push(Value::Int(x));
        x = x.checked_add(step)?;
    }
    Some(items)
}

fn range(_: &mut Interp, a: &[Value]) -> R<Value> {
    let (zero, one) = (Value::Int(0), Value::Int(1));
    let (start, end, step) = match a {
        [end] => (&zero, end, &one),
        [start, end] => (start, end, &one),
        [start, end, step, ..] => (start, end, step),
        [] => return Ok(Value::Null),
    };
    check_range_size("range", start, end, step, false)?;
    number_range("range", start, end, step, false)
}

fn inclusive_range(_: &mut Interp, a: &[Value]) -> R<Value> {
    let step = a.get(2).cloned().unwrap_or(Value::Int(1));
    check_range_size("inclusive-range", &a[0], &a[1], &step, true)?;
    number_range("inclusive-range", &a[0], &a[1], &step, true)
}

/// The least memory one list element takes: its value and the link to the rest.
const LIST_CELL_BYTES: usize = 2 * std::mem::size_of::<Value>();

/// Refuses a list of `n` elements that model-written code has no memory left for, before any
/// of it is made (no procedure call, where limits are otherwise checked, happens meanwhile).
fn check_list_size(who: &str, n: usize) -> R<()> {
    crate::sandbox::heap::check_request(who, n.saturating_mul(LIST_CELL_BYTES))
}

/// `check_list_size` for a range, from its length estimated in floating point (a range that
/// never ends counts as too long).
fn check_range_size(who: &str, start: &Value, end: &Value, step: &Value, inclusive: bool) -> R<()> {
    let span = (number::to_f64(end) - number::to_f64(start)) / number::to_f64(step);
    let n = (span.max(0.0).ceil() as usize).saturating_add(usize::from(inclusive));
    check_list_size(who, n)
}

// ---------------------------------------------------------------------------------------------
// Removal

/// The list without its first element matching `is_match`; the part after it is shared.
fn remove_first(
    interp: &mut Interp,
    who: &str,
    lst: &Value,
    mut is_match: impl FnMut(&mut Interp, &Value) -> R<bool>,
) -> R<Value> {
    if !lst.is_list() {
        return Err(Error::contract(who, "list?", lst));
    }
    let mut prefix = Vec::new();
    let mut cur = lst;
    while let Value::Pair(p) = cur {
        if is_match(interp, &p.car)? {
            return Ok(Value::list_with_tail(prefix, p.cdr.clone()));
        }
        prefix.push(p.car.clone());
        cur = &p.cdr;
    }
    Ok(lst.clone())
}

fn remove(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let eq = optional_equality("remove", a, 2, "(any/c any/c . -> . any/c)")?;
    remove_first(interp, "remove", &a[1], |interp, x| {
        eq.same(interp, &a[0], x)
    })
}

fn remq(interp: &mut Interp, a: &[Value]) -> R<Value> {
    remove_first(interp, "remq", &a[1], |_, x| Ok(eq(&a[0], x)))
}

fn remv(interp: &mut Interp, a: &[Value]) -> R<Value> {
    remove_first(interp, "remv", &a[1], |_, x| Ok(eqv(&a[0], x)))
}

fn remf(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure_at("remf", "(-> any/c any/c)", a, 0)?;
    remove_first(interp, "remf", &a[1], |interp, x| holds(interp, &a[0], x))
}

/// `remove*` and friends: drops every element of `lst` that matches one of `targets`, calling
/// a custom equality as (same? target element).
fn remove_all(
    interp: &mut Interp,
    who: &str,
    targets: &Value,
    lst: &Value,
    eq: Equality,
) -> R<Value> {
    let targets = args::list(who, targets)?;
    let items = args::list(who, lst)?;
    let mut out = Vec::with_capacity(items.len());
    if let Equality::Custom(_) = eq {
        for x in items {
            let mut matched = false;
            for t in &targets {
                if eq.same(interp, t, &x)? {
                    matched = true;
                    break;
                }
            }
            if !matched {
                out.push(x);
            }
        }
    } else {
        let mut seen = Seen::new(eq);
        for t in targets {
            seen.insert(t);
        }
        for x in items {
            if !seen.contains(interp, &x)? {
                out.push(x);
            }
        }
    }
    Ok(Value::list(out))
}

fn remove_star(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let eq = optional_equality("remove*", a, 2, "(any/c any/c . -> . any/c)")?;
    remove_all(interp, "remove*", &a[0], &a[1], eq)
}

fn remq_star(interp: &mut Interp, a: &[Value]) -> R<Value> {
    remove_all(interp, "remq*", &a[0], &a[1], Equality::Eq)
}

fn remv_star(interp: &mut Interp, a: &[Value]) -> R<Value> {
    remove_all(interp, "remv*", &a[0], &a[1], Equality::Eqv)
}

fn remf_star(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure_at("remf*", "(-> any/c any/c)", a, 0)?;
    let items = list_at("remf*", a, 1)?;
    let mut out = Vec::with_capacity(items.len());
    for x in items {
        if !holds(interp, &a[0], &x)? {
            out.push(x);
        }
    }
    Ok(Value::list(out))
}

fn key_keyword<'a>(who: &str, kws: &'a [(Symbol, Value)]) -> R<Option<&'a Value>> {
    match args::keyword(kws, "key") {
        Some(k) if !k.is_procedure() => Err(Error::contract(who, "(any/c . -> . any/c)", k)),
        other => Ok(other),
    }
}

fn key_of(interp: &mut Interp, key: Option<&Value>, x: &Value) -> R<Value> {
    match key {
        Some(k) => call1(interp, k, x),
        None => Ok(x.clone()),
    }
}

fn remove_duplicates(interp: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let items = args::list("remove-duplicates", &a[0])?;
    let eq = optional_equality("remove-duplicates", a, 1, "(any/c any/c . -> . any/c)")?;
    let key = key_keyword("remove-duplicates", kws)?;
    let mut seen = Seen::new(eq);
    let mut out = Vec::new();
    for x in items {
        let k = key_of(interp, key, &x)?;
        if !seen.contains(interp, &k)? {
            seen.insert(k);
            out.push(x);
        }
    }
    Ok(Value::list(out))
}

fn check_duplicates(interp: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let items = args::list("check-duplicates", &a[0])?;
    let eq = optional_equality("check-duplicates", a, 1, "(any/c any/c . -> . any/c)")?;
    let key = key_keyword("check-duplicates", kws)?;
    let mut seen = Seen::new(eq);
    for x in items {
        let k = key_of(interp, key, &x)?;
        if seen.contains(interp, &k)? {
            return Ok(x);
        }
        seen.insert(k);
    }
    match args::keyword(kws, "default") {
        Some(f) if f.is_procedure() => interp.apply(f, Vec::new()),
        Some(v) => Ok(v.clone()),
        None => Ok(Value::Bool(false)),
    }
}

// ---------------------------------------------------------------------------------------------
// Building and reshaping

fn flatten(_: &mut Interp, a: &[Value]) -> R<Value> {
    let mut out = Vec::new();
    let mut pending = vec![a[0].clone()];
    while let Some(v) = pending.pop() {
        match v {
            Value::Null => {}
            Value::Pair(p) => {
                pending.push(p.cdr.clone());
                pending.push(p.car.clone());
            }
            leaf => out.push(leaf),
        }
    }
    Ok(Value::list(out))
}

fn build_list(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let n = match &a[0] {
        Value::Int(i) if *i >= 0 => *i,
        other => {
            return Err(Error::contract(
                "build-list",
                "exact-nonnegative-integer?",
                other,
            ))
        }
    };
    check_procedure(
        "build-list",
        "(exact-nonnegative-integer? . -> . any/c)",
        &a[1],
    )?;
    check_list_size("build-list", usize::try_from(n).unwrap_or(usize::MAX))?;
    let mut out = Vec::new();
    for i in 0..n {
        out.push(interp.apply(&a[1], vec![Value::Int(i)])?);
    }
    Ok(Value::list(out))
}

fn make_list(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = match &a[0] {
        Value::Int(i) if *i >= 0 => *i,
        _ => {
            return Err(Error::argument(
                "make-list",
                "exact-nonnegative-integer?",
                a,
                0,
            ))
        }
    };
    check_list_size("make-list", usize::try_from(n).unwrap_or(usize::MAX))?;
    let mut out = Value::Null;
    for _ in 0..n {
        out = Value::cons(a[1].clone(), out);
    }
    Ok(out)
}

/// `argmin`/`argmax`: the first element whose key is strictly better than all earlier ones.
fn arg_extreme(interp: &mut Interp, who: &str, a: &[Value], better: Ordering) -> R<Value> {
    check_procedure_at(who, "(any/c . -> . real?)", a, 0)?;
    let items = a[1].list_to_vec().unwrap_or_default();
    extreme_by(interp, who, &a[0], &items, better, || {
        Error::argument(who, "(and/c list? (not/c empty?))", a, 1)
    })
}

/// The first of `items` for which `(key x)`, which must be a real number, is strictly better
/// than for every earlier one; `when_empty` is the error for no items.
pub(crate) fn extreme_by(
    interp: &mut Interp,
    who: &str,
    key: &Value,
    items: &[Value],
    better: Ordering,
    when_empty: impl FnOnce() -> Error,
) -> R<Value> {
    let Some((first, rest)) = items.split_first() else {
        return Err(when_empty());
    };
    let real_key = |interp: &mut Interp, x: &Value| -> R<Value> {
        let k = call1(interp, key, x)?;
        if number::is_number(&k) {
            Ok(k)
        } else {
            Err(Error::fields(
                who,
                "contract violation\n  expected: real?",
                &[("result", &k)],
            ))
        }
    };
    let mut best = first;
    let mut best_key = real_key(interp, best)?;
    for x in rest {
        let k = real_key(interp, x)?;
        if number::compare(&k, &best_key) == Some(better) {
            best = x;
            best_key = k;
        }
    }
    Ok(best.clone())
}

fn argmin(interp: &mut Interp, a: &[Value]) -> R<Value> {
    arg_extreme(interp, "argmin", a, Ordering::Less)
}

fn argmax(interp: &mut Interp, a: &[Value]) -> R<Value> {
    arg_extreme(interp, "argmax", a, Ordering::Greater)
}

fn shuffle(_: &mut Interp, a: &[Value]) -> R<Value> {
    let mut items = args::list("shuffle", &a[0])?;
    items.shuffle(&mut rand::thread_rng());
    Ok(Value::list(items))
}

/// Positions of the elements that pass `is_match`, stopping after the first when `only_first`.
fn positions(
    interp: &mut Interp,
    items: Vec<Value>,
    only_first: bool,
    mut is_match: impl FnMut(&mut Interp, &Value) -> R<bool>,
) -> R<Vec<Value>> {
    let mut found = Vec::new();
    for (i, x) in items.iter().enumerate() {
        if is_match(interp, x)? {
            found.push(Value::Int(i64::try_from(i).unwrap_or(i64::MAX)));
            if only_first {
                break;
            }
        }
    }
    Ok(found)
}

fn first_position(found: Vec<Value>) -> Value {
    found.into_iter().next().unwrap_or(Value::Bool(false))
}

/// `index-of`/`indexes-of`: the optional equality is called as (same? element value).
fn positions_of(interp: &mut Interp, who: &str, a: &[Value], only_first: bool) -> R<Vec<Value>> {
    let items = list_at(who, a, 0)?;
    if a.len() > 2 {
        check_procedure_at(who, "(-> any/c any/c any/c)", a, 2)?;
    }
    let eq = Equality::from_arg(a.get(2));
    positions(interp, items, only_first, |interp, x| {
        eq.same(interp, x, &a[1])
    })
}

fn positions_where(interp: &mut Interp, who: &str, a: &[Value], only_first: bool) -> R<Vec<Value>> {
    let items = list_at(who, a, 0)?;
    check_procedure_at(who, "(-> any/c any/c)", a, 1)?;
    positions(interp, items, only_first, |interp, x| {
        holds(interp, &a[1], x)
    })
}

fn index_of(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(first_position(positions_of(interp, "index-of", a, true)?))
}

fn indexes_of(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(positions_of(interp, "indexes-of", a, false)?))
}

fn index_where(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(first_position(positions_where(
        interp,
        "index-where",
        a,
        true,
    )?))
}

fn indexes_where(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(positions_where(
        interp,
        "indexes-where",
        a,
        false,
    )?))
}

/// `list-set`/`list-update`: a copy of the list up to `pos`, the new element, then the shared
/// rest of the original.
fn replace_at(
    interp: &mut Interp,
    who: &str,
    a: &[Value],
    replacement: impl FnOnce(&mut Interp, &Value) -> R<Value>,
) -> R<Value> {
    if !a[0].is_list() {
        return Err(Error::argument(who, "list?", a, 0));
    }
    let pos = count_at(who, a, 1)?;
    let mut prefix = Vec::new();
    let mut cur = &a[0];
    while let Value::Pair(p) = cur {
        if prefix.len() == pos {
            prefix.push(replacement(interp, &p.car)?);
            return Ok(Value::list_with_tail(prefix, p.cdr.clone()));
        }
        prefix.push(p.car.clone());
        cur = &p.cdr;
    }
    Err(Error::fields(
        who,
        "index too large for list",
        &[("index", &a[1]), ("in", &a[0])],
    ))
}

fn list_set(interp: &mut Interp, a: &[Value]) -> R<Value> {
    replace_at(interp, "list-set", a, |_, _| Ok(a[2].clone()))
}

fn list_update(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure_at("list-update", "(-> any/c any/c)", a, 2)?;
    replace_at(interp, "list-update", a, |interp, old| {
        call1(interp, &a[2], old)
    })
}

fn add_between(_: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let items = list_at("add-between", a, 0)?;
    let separator = &a[1];
    let splice = args::keyword(kws, "splice?").is_some_and(Value::is_true);
    let before_first = args::keyword(kws, "before-first")
        .cloned()
        .unwrap_or(Value::Null);
    let before_last = args::keyword(kws, "before-last")
        .unwrap_or(separator)
        .clone();
    let after_last = args::keyword(kws, "after-last")
        .cloned()
        .unwrap_or(Value::Null);
    if !splice {
        for (which, v) in [
            ("#:before-first", &before_first),
            ("#:after-last", &after_last),
        ] {
            if !matches!(v, Value::Null) {
                return Err(Error::fields(
                    "add-between",
                    &format!("{which} can only be used in splicing mode"),
                    &[("given", v), ("given list...", &a[0])],
                ));
            }
        }
        return Ok(Value::list(interleave(items, |out, is_last| {
            out.push(if is_last {
                before_last.clone()
            } else {
                separator.clone()
            })
        })));
    }
    let spliced = |v: &Value, which: &str| {
        v.list_to_vec().ok_or_else(|| {
            Error::fields(
                "add-between",
                &format!("list needed in splicing mode{which}"),
                &[("given", v), ("given list...", &a[0])],
            )
        })
    };
    let separator = spliced(separator, "")?;
    let before_first = spliced(&before_first, " for #:before-first")?;
    let before_last = spliced(&before_last, " for #:before-last")?;
    let after_last = spliced(&after_last, " for #:after-last")?;
    let mut out = before_first;
    out.extend(interleave(items, |out, is_last| {
        out.extend_from_slice(if is_last { &before_last } else { &separator })
    }));
    out.extend(after_last);
    Ok(Value::list(out))
}

/// The items with `between` called before every item but the first; `is_last` tells it
/// whether the next item is the final one.
fn interleave(items: Vec<Value>, mut between: impl FnMut(&mut Vec<Value>, bool)) -> Vec<Value> {
    let n = items.len();
    let mut out = Vec::with_capacity(n * 2);
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            between(&mut out, i + 1 == n);
        }
        out.push(x);
    }
    out
}

fn cartesian_product(_: &mut Interp, a: &[Value]) -> R<Value> {
    let lists = (0..a.len())
        .map(|pos| list_at("cartesian-product", a, pos))
        .collect::<R<Vec<_>>>()?;
    let mut tuples: Vec<Vec<Value>> = vec![Vec::new()];
    for l in &lists {
        let mut next = Vec::with_capacity(tuples.len() * l.len());
        for tuple in &tuples {
            for x in l {
                let mut extended = tuple.clone();
                extended.push(x.clone());
                next.push(extended);
            }
        }
        tuples = next;
    }
    Ok(Value::list(tuples.into_iter().map(Value::list).collect()))
}

/// Refuses results that could not fit in memory, which would otherwise abort the process.
fn check_result_size(who: &str, what: &str, lst: &Value, fits: bool) -> R<()> {
    if fits {
        Ok(())
    } else {
        Err(Error::fields(
            who,
            &format!("too many {what} to build them all"),
            &[("list", lst)],
        ))
    }
}

fn combinations(_: &mut Interp, a: &[Value]) -> R<Value> {
    const MAX_SUBSETS_BITS: usize = 26;
    let items = args::list("combinations", &a[0])?;
    let Some(_) = a.get(1) else {
        check_result_size(
            "combinations",
            "combinations",
            &a[0],
            items.len() <= MAX_SUBSETS_BITS,
        )?;
        // Subset number m holds element i when bit i of m is set: Racket's order.
        let subsets = (0u64..1 << items.len()).map(|mask| {
            let chosen = items
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0);
            Value::list(chosen.map(|(_, x)| x.clone()).collect())
        });
        return Ok(Value::list(subsets.collect()));
    };
    let k = count_at("combinations", a, 1)?;
    Ok(Value::list(k_combinations(&items, k)))
}

/// The k-element sub-lists in lexicographic order of positions.
fn k_combinations(items: &[Value], k: usize) -> Vec<Value> {
    let n = items.len();
    if k > n {
        return Vec::new();
    }
    let mut picks: Vec<usize> = (0..k).collect();
    let mut out = Vec::new();
    loop {
        out.push(Value::list(
            picks.iter().map(|&i| items[i].clone()).collect(),
        ));
        // Advance the rightmost position that can still move right, then reset those after it.
        let Some(i) = (0..k).rev().find(|&i| picks[i] < n - k + i) else {
            return out;
        };
        picks[i] += 1;
        for j in i + 1..k {
            picks[j] = picks[j - 1] + 1;
        }
    }
}

fn permutations(_: &mut Interp, a: &[Value]) -> R<Value> {
    const MAX_ITEMS: usize = 10;
    let items = args::list("permutations", &a[0])?;
    check_result_size(
        "permutations",
        "permutations",
        &a[0],
        items.len() <= MAX_ITEMS,
    )?;
    // Racket's order: reversing each permutation of the reversed list gives the permutations
    // of positions in lexicographic order.
    let reversed: Vec<Value> = items.into_iter().rev().collect();
    let mut order: Vec<usize> = (0..reversed.len()).collect();
    let mut out = Vec::new();
    loop {
        out.push(Value::list(
            order.iter().rev().map(|&i| reversed[i].clone()).collect(),
        ));
        if !next_permutation(&mut order) {
            return Ok(Value::list(out));
        }
    }
}

/// Rearranges into the next permutation in lexicographic order; false after the last one.
fn next_permutation(order: &mut [usize]) -> bool {
    let Some(i) = (1..order.len()).rev().find(|&i| order[i - 1] < order[i]) else {
        return false;
    };
    let pivot = i - 1;
    let Some(j) = (i..order.len()).rev().find(|&j| order[j] > order[pivot]) else {
        return false;
    };
    order.swap(pivot, j);
    order[i..].reverse();
    true
}

fn group_by(interp: &mut Interp, a: &[Value]) -> R<Value> {
    check_procedure_at("group-by", "(-> any/c any/c)", a, 0)?;
    let items = list_at("group-by", a, 1)?;
    let eq = optional_equality("group-by", a, 2, "(any/c any/c . -> . any/c)")?;
    let groups: Vec<Vec<Value>> = if let Equality::Equal = eq {
        let mut by_key: IndexMap<HashKey, Vec<Value>> = IndexMap::new();
        for x in items {
            let k = call1(interp, &a[0], &x)?;
            by_key.entry(HashKey(k)).or_default().push(x);
        }
        by_key.into_values().collect()
    } else {
        let mut classes: Vec<(Value, Vec<Value>)> = Vec::new();
        for x in items {
            let k = call1(interp, &a[0], &x)?;
            let mut class = None;
            for (i, (class_key, _)) in classes.iter().enumerate() {
                if eq.same(interp, class_key, &k)? {
                    class = Some(i);
                    break;
                }
            }
            match class {
                Some(i) => classes[i].1.push(x),
                None => classes.push((k, vec![x])),
            }
        }
        classes.into_iter().map(|(_, members)| members).collect()
    };
    Ok(Value::list(groups.into_iter().map(Value::list).collect()))
}

fn list_prefix_p(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let prefix = list_at("list-prefix?", a, 0)?;
    let whole = list_at("list-prefix?", a, 1)?;
    let eq = optional_equality("list-prefix?", a, 2, "(any/c any/c . -> . any/c)")?;
    if prefix.len() > whole.len() {
        return Ok(Value::Bool(false));
    }
    for (x, y) in prefix.iter().zip(&whole) {
        if !eq.same(interp, x, y)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::args::testing::{eval, eval_error};
    use crate::eval::stack::with_big_stack;
    use crate::value::print::write_string;

    fn ints(range: std::ops::Range<i64>) -> Value {
        Value::list(range.map(Value::Int).collect())
    }

    fn call(f: fn(&mut Interp, &[Value]) -> R<Value>, args: &[Value]) -> R<Value> {
        f(&mut Interp::new(), args)
    }

    #[test]
    fn cxr_contracts_spell_the_path() {
        assert_eq!(cxr_contract("a"), "pair?");
        assert_eq!(cxr_contract("ad"), "(cons/c any/c pair?)");
        assert_eq!(cxr_contract("dad"), "(cons/c any/c (cons/c pair? any/c))");
        assert_eq!(cxr_contract("add"), "(cons/c any/c (cons/c any/c pair?))");
    }

    #[test]
    fn cxr_walks_right_to_left() {
        assert_eq!(eval("(cadr '(1 2 3))"), "2");
        assert_eq!(eval("(cdar '((1 . 2)))"), "2");
        assert_eq!(eval("(cadddr '(1 2 3 4))"), "4");
        assert!(
            eval_error("(caddr '(1 2))").contains("expected: (cons/c any/c (cons/c any/c pair?))")
        );
    }

    #[test]
    fn stable_sort_keeps_equal_elements_in_order() {
        let keys = [3, 1, 2, 1, 3, 2, 1];
        let order = stable_sort_indices(keys.len(), |i, j| Ok(keys[i] < keys[j])).ok();
        assert_eq!(order, Some(vec![1, 3, 6, 2, 5, 0, 4]));
    }

    #[test]
    fn stable_sort_of_sorted_input_is_linear() {
        let mut comparisons = 0;
        let order = stable_sort_indices(1000, |i, j| {
            comparisons += 1;
            Ok(i < j)
        });
        assert_eq!(order.ok(), Some((0..1000).collect::<Vec<_>>()));
        assert!(comparisons < 1000, "{comparisons} comparisons");
    }

    #[test]
    fn stable_sort_passes_errors_through() {
        let result = stable_sort_indices(5, |_, _| Err(Error::fail("stop")));
        assert!(result.is_err());
    }

    #[test]
    fn sort_with_key_is_stable() {
        assert_eq!(
            eval("(sort '((1 . b) (0 . a) (1 . a) (0 . b)) < #:key car)"),
            "((0 . a) (0 . b) (1 . b) (1 . a))"
        );
        assert_eq!(eval("(sort '(3 1 2) (lambda (a b) (> a b)))"), "(3 2 1)");
        assert_eq!(
            eval("(sort '(\"b\" \"a\" \"c\") string>?)"),
            "(\"c\" \"b\" \"a\")"
        );
        assert_eq!(
            eval("(sort '(2 1 2 1) > #:key (lambda (x) 0))"),
            "(2 1 2 1)"
        );
    }

    #[test]
    fn long_lists_are_walked_iteratively() {
        // Freeing a long or deep list recurses, so this runs on an interpreter-sized stack.
        with_big_stack(|| {
            let big = ints(0..1_000_000);
            assert_eq!(
                write_string(&call(length, std::slice::from_ref(&big)).unwrap_or(Value::Void)),
                "1000000"
            );
            let reversed = call(reverse, std::slice::from_ref(&big)).unwrap_or(Value::Void);
            assert_eq!(
                write_string(&call(car, &[reversed]).unwrap_or(Value::Void)),
                "999999"
            );
            let appended = call(append, &[big.clone(), big.clone()]).unwrap_or(Value::Void);
            assert_eq!(
                write_string(&call(length, &[appended]).unwrap_or(Value::Void)),
                "2000000"
            );
            let flat = call(flatten, &[Value::list(vec![big.clone(), big])]).unwrap_or(Value::Void);
            assert_eq!(
                write_string(&call(length, &[flat]).unwrap_or(Value::Void)),
                "2000000"
            );
        });
    }

    #[test]
    fn flatten_handles_deep_nesting() {
        // Freeing a long or deep list recurses, so this runs on an interpreter-sized stack.
        with_big_stack(|| {
            let deep = (0..200_000).fold(Value::Null, |acc, _| Value::list(vec![acc]));
            let nested = Value::list(vec![Value::Int(1), deep, Value::Int(2)]);
            assert_eq!(
                write_string(&call(flatten, &[nested]).unwrap_or(Value::Void)),
                "(1 2)"
            );
        });
    }

    #[test]
    fn higher_order_over_long_lists() {
        // Freeing a long or deep list recurses, so this runs on an interpreter-sized stack.
        with_big_stack(|| {
            assert_eq!(eval("(foldr + 0 (range 1000000))"), "499999500000");
            assert_eq!(
                eval("(length (map + (range 1000000) (range 1000000)))"),
                "1000000"
            );
        });
    }

    #[test]
    fn append_shares_an_improper_last_argument() {
        assert_eq!(eval("(append '(1) '(2) 3)"), "(1 2 . 3)");
        assert_eq!(eval("(append)"), "()");
        assert!(eval_error("(append '(1 . 2) '(3))").contains("expected: list?"));
    }

    #[test]
    fn list_ref_and_tail_errors() {
        assert!(eval_error("(list-ref '(1 2) 5)")
            .starts_with("list-ref: index too large for list\n  index: 5"));
        assert!(
            eval_error("(list-ref '(1 2 . 3) 2)").starts_with("list-ref: index reaches a non-pair")
        );
        assert_eq!(eval("(list-tail '(1 2 . 3) 2)"), "3");
    }

    #[test]
    fn member_and_assoc() {
        assert_eq!(eval("(member 2 '(1 2 3) =)"), "(2 3)");
        assert_eq!(eval("(member 1 '(1 . 2))"), "(1 . 2)");
        assert_eq!(eval("(assoc 2.0 '((1 . a) (2 . b)) =)"), "(2 . b)");
        assert_eq!(eval("(assq 'b '((a 1) (b 2)))"), "(b 2)");
        assert!(eval_error("(assoc 2 '(1 (2 . 3)))")
            .starts_with("assoc: non-pair found in list\n  non-pair: 1"));
        assert!(eval_error("(memq 'a 5)").starts_with("memq: not a proper list\n  in: 5"));
    }

    #[test]
    fn map_needs_equal_lengths() {
        assert!(eval_error("(map + '(1 2) '(1))").starts_with(
            "map: all lists must have same size\n  first list length: 2\n  other list length: 1\n  procedure: #<procedure:+>"
        ));
        assert_eq!(eval("(foldl list 0 '(1 2) '(3 4))"), "(2 4 (1 3 0))");
        assert_eq!(eval("(foldr list 0 '(1 2) '(3 4))"), "(1 3 (2 4 0))");
    }

    #[test]
    fn take_and_drop_on_improper_lists() {
        assert_eq!(eval("(take '(1 2 . 3) 2)"), "(1 2)");
        assert_eq!(eval("(drop '(1 2 . 3) 2)"), "3");
        assert_eq!(eval("(take-right '(1 2 . 3) 1)"), "(2 . 3)");
        assert!(eval_error("(take '(1 2 . 3) 3)")
            .contains("expected: a (possibly improper) list with at least 3 pairs"));
        assert!(eval_error("(take '(1 2) 3)").contains("expected: a list with at least 3 elements"));
        assert_eq!(
            eval("(call-with-values (lambda () (split-at '(1 2 3) 1)) list)"),
            "((1) (2 3))"
        );
    }

    #[test]
    fn first_requires_a_non_empty_list() {
        assert_eq!(
            eval_error("(first '())"),
            format!(
                "first: contract violation\n  expected: (and/c list? (not/c empty?))\n  given: {}",
                show_given(&Value::Null)
            )
        );
        assert!(eval_error("(second '(1))").starts_with("second: list contains too few elements"));
    }

    #[test]
    fn ranges() {
        assert_eq!(eval("(range 5)"), "(0 1 2 3 4)");
        assert_eq!(eval("(range 0 1 0.25)"), "(0 0.25 0.5 0.75)");
        assert_eq!(eval("(range 1/2 3)"), "(1/2 3/2 5/2)");
        assert_eq!(eval("(range 5 1 -2)"), "(5 3)");
        assert_eq!(eval("(inclusive-range 1 2 0.5)"), "(1 1.5 2.0)");
        assert_eq!(eval("(range 0 0 0)"), "()");
        assert!(eval_error("(range 0 1 0)").contains("never ends"));
        assert!(int_range(i64::MAX - 1, i64::MAX, 5, true).is_none());
        assert_eq!(
            eval("(range 9223372036854775806 9223372036854775807 5)"),
            "(9223372036854775806)"
        );
    }

    #[test]
    fn duplicates() {
        assert_eq!(eval("(remove-duplicates '(1 2 1 3 2 4))"), "(1 2 3 4)");
        assert_eq!(eval("(remove-duplicates '(1 1.0 2) =)"), "(1 2)");
        assert_eq!(
            eval("(remove-duplicates '(1 2 3 4 5 6) #:key (lambda (x) (modulo x 3)))"),
            "(1 2 3)"
        );
        assert_eq!(eval("(check-duplicates '(1 2 1.0) =)"), "1.0");
        assert_eq!(eval("(check-duplicates '(1 2) #:default 'none)"), "none");
        assert_eq!(eval("(remove* '(1 2) '(1 2 3 1 4))"), "(3 4)");
    }

    #[test]
    fn racket_list_orders() {
        assert_eq!(
            eval("(combinations '(1 2 3))"),
            "(() (1) (2) (1 2) (3) (1 3) (2 3) (1 2 3))"
        );
        assert_eq!(
            eval("(combinations '(1 2 3 4) 2)"),
            "((1 2) (1 3) (1 4) (2 3) (2 4) (3 4))"
        );
        assert_eq!(
            eval("(permutations '(1 2 3))"),
            "((1 2 3) (2 1 3) (1 3 2) (3 1 2) (2 3 1) (3 2 1))"
        );
        assert_eq!(
            eval("(group-by (lambda (x) (modulo x 3)) '(1 2 3 4 5 6 7 0))"),
            "((1 4 7) (2 5) (3 6 0))"
        );
        assert_eq!(
            eval("(cartesian-product '(1 2) '(a b))"),
            "((1 a) (1 b) (2 a) (2 b))"
        );
        assert_eq!(
            eval("(add-between '(x y z) 'and #:before-last 'or)"),
            "(x and y or z)"
        );
        assert_eq!(
            eval(
                "(add-between '(x y z) '(a b) #:splice? #t #:before-first '(s) #:after-last '(e))"
            ),
            "(s x a b y a b z e)"
        );
    }

    #[test]
    fn suffix_predicates() {
        assert_eq!(eval("(takef-right '(2 1 . 3) odd?)"), "(1 . 3)");
        assert_eq!(eval("(dropf-right '(1 2 3 5) odd?)"), "(1 2)");
        assert_eq!(eval("(takef '(1 3 4 5) odd?)"), "(1 3)");
        assert_eq!(eval("(dropf '(1 3 4 5) odd?)"), "(4 5)");
    }

    #[test]
    fn argmin_and_positions() {
        assert_eq!(eval("(argmin car '((3 a) (1 b) (2 c) (1 d)))"), "(1 b)");
        assert_eq!(
            eval("(argmax string-length '(\"aa\" \"bbbb\" \"dddd\"))"),
            "\"bbbb\""
        );
        assert_eq!(eval("(indexes-of '(a b a c a) 'a)"), "(0 2 4)");
        assert_eq!(eval("(index-of '(a b) 'z)"), "#f");
        assert_eq!(
            eval("(list-update '(1 2 3) 1 (lambda (x) (* x 100)))"),
            "(1 200 3)"
        );
    }
}

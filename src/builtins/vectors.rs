//! Vectors: the vector primitives of `racket/base` and most of `racket/vector`.
//!
//! A vector's elements sit in a `RefCell`. No borrow is ever held while calling back into
//! Scheme: operations that call procedures read elements and write results with short
//! borrows (or work on a snapshot), so a procedure may freely read or mutate the vector.

use std::cell::RefCell;
use std::cmp::Ordering;

use gcmodule::Cc;

use crate::builtins::lists::{extreme_by, sort_values};
use crate::builtins::{args, Primitive, MANY};
use crate::error::{show_given, Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::equal::{eq, equal, eqv};
use crate::value::{Symbol, Value};

type VectorCell = Cc<RefCell<Vec<Value>>>;

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("vector?", 1, 1, vector_p, "Is the value a vector?"),
    Primitive::new("make-vector", 1, 2, make_vector, "A new vector of n copies of a value (default 0)."),
    Primitive::new("vector", 0, MANY, vector, "A new vector of the arguments."),
    Primitive::new("vector-length", 1, 1, vector_length, "The number of slots of a vector."),
    Primitive::new("vector-ref", 2, 2, vector_ref, "The element of a vector at a zero-based position."),
    Primitive::new("vector-set!", 3, 3, vector_set, "Stores a value in a vector slot."),
    Primitive::new("vector->list", 1, 1, vector_to_list, "A list of a vector's elements."),
    Primitive::new("list->vector", 1, 1, list_to_vector, "A new vector of a list's elements."),
    Primitive::new("vector-fill!", 2, 2, vector_fill, "Stores a value in every slot of a vector."),
    Primitive::new("vector-copy", 1, 3, vector_copy, "A new vector with the elements from start (default 0) to end (default the length)."),
    Primitive::new("vector-copy!", 3, 5, vector_copy_into, "Copies src[src-start, src-end) into dest from dest-start: (vector-copy! dest dest-start src [src-start src-end])."),
    Primitive::new("vector-append", 0, MANY, vector_append, "A new vector of the vectors' elements, end to end."),
    Primitive::new("build-vector", 2, 2, build_vector, "The vector #((proc 0) ... (proc (- n 1)))."),
    Primitive::new("vector-map", 2, MANY, vector_map, "A new vector of the results of applying a procedure to the elements of equally long vectors."),
    Primitive::new("vector-map!", 2, MANY, vector_map_in_place, "Like vector-map, but stores the results in the first vector and returns it."),
    Primitive::new("vector-count", 2, MANY, vector_count, "How many elements (of equally long vectors) make the procedure return true."),
    Primitive::new("vector-filter", 2, 2, vector_filter, "A new vector of the elements that satisfy the predicate."),
    Primitive::new("vector-filter-not", 2, 2, vector_filter_not, "A new vector of the elements that do not satisfy the predicate."),
    Primitive::new("vector-argmin", 2, 2, vector_argmin, "The first element of a non-empty vector for which the procedure gives the smallest number."),
    Primitive::new("vector-argmax", 2, 2, vector_argmax, "The first element of a non-empty vector for which the procedure gives the largest number."),
    Primitive::new("vector-member", 2, 2, vector_member, "The position of the first element equal? to the value, or #f."),
    Primitive::new("vector-memv", 2, 2, vector_memv, "The position of the first element eqv? to the value, or #f."),
    Primitive::new("vector-memq", 2, 2, vector_memq, "The position of the first element eq? to the value, or #f."),
    Primitive::new("vector-take", 2, 2, vector_take, "A new vector of the first n elements."),
    Primitive::new("vector-drop", 2, 2, vector_drop, "A new vector without the first n elements."),
    Primitive::new("vector-take-right", 2, 2, vector_take_right, "A new vector of the last n elements."),
    Primitive::new("vector-drop-right", 2, 2, vector_drop_right, "A new vector without the last n elements."),
    Primitive::new("vector-split-at", 2, 2, vector_split_at, "Two values: (vector-take v n) and (vector-drop v n)."),
    Primitive::new("vector-split-at-right", 2, 2, vector_split_at_right, "Two values: (vector-drop-right v n) and (vector-take-right v n)."),
    Primitive::new("vector-empty?", 1, 1, vector_empty_p, "Does the vector have no elements?"),
    Primitive::with_keywords("vector-sort", 2, 4, &["key", "cache-keys?"], vector_sort, "A new vector of the elements (from start to end) sorted stably by a strict less-than procedure."),
    Primitive::with_keywords("vector-sort!", 2, 4, &["key", "cache-keys?"], vector_sort_in_place, "Sorts a vector (from start to end) in place, stably."),
];

fn vector_cell<'a>(who: &str, v: &'a Value) -> R<&'a VectorCell> {
    match v {
        Value::Vector(cell) => Ok(cell),
        other => Err(Error::contract(who, "vector?", other)),
    }
}

/// A vector about to be mutated. Every rlmsh vector is mutable, but the contract is Racket's.
fn mutable_vector_cell<'a>(who: &str, v: &'a Value) -> R<&'a VectorCell> {
    match v {
        Value::Vector(cell) => Ok(cell),
        other => Err(Error::contract(
            who,
            "(and/c vector? (not/c immutable?))",
            other,
        )),
    }
}

/// The elements of a vector argument, copied so no borrow outlives this call.
fn elements(who: &str, v: &Value) -> R<Vec<Value>> {
    Ok(vector_cell(who, v)?.borrow().clone())
}

fn vector_len(cell: &VectorCell) -> usize {
    cell.borrow().len()
}

/// A new vector, refusing sizes the allocator cannot provide instead of aborting.
fn allocate(who: &str, n: usize, n_arg: &Value) -> R<Vec<Value>> {
    let mut items = Vec::new();
    items.try_reserve_exact(n).map_err(|_| {
        Error::new(
            ExnKind::Fail,
            format!(
                "{who}: out of memory making a vector of length {}",
                show_given(n_arg)
            ),
        )
    })?;
    Ok(items)
}

/// The slot position for `vector-ref`/`vector-set!`, with Racket's messages.
fn slot_index(who: &str, a: &[Value], len: usize) -> R<usize> {
    let Some(position) = args::saturating_index(&a[1]) else {
        return Err(Error::new(
            ExnKind::Contract,
            format!(
                "{who}: contract violation\n  expected: exact-nonnegative-integer?\n  given: {}\n  argument position: 2nd\n  first argument...:\n   {}",
                show_given(&a[1]),
                show_given(&a[0])
            ),
        ));
    };
    if position < len {
        return Ok(position);
    }
    if len == 0 {
        return Err(Error::fields(
            who,
            "index is out of range for empty vector",
            &[("index", &a[1]), ("vector", &a[0])],
        ));
    }
    Err(Error::out_of_range(
        who,
        "index",
        &a[1],
        0..=len - 1,
        "vector",
        &a[0],
    ))
}

/// An optional start or end position argument.
fn position_arg(who: &str, v: Option<&Value>) -> R<Option<usize>> {
    v.map(|v| args::position(who, v)).transpose()
}

/// The `[start, end)` slice that optional start and end arguments select in a vector of
/// length `len`, checked as Racket checks it.
fn slice_bounds(
    who: &str,
    vector: &Value,
    len: usize,
    start: Option<&Value>,
    end: Option<&Value>,
) -> R<(usize, usize)> {
    let from = position_arg(who, start)?.unwrap_or(0);
    let to = position_arg(who, end)?.unwrap_or(len);
    if let (Some(start), true) = (start, from > len) {
        return Err(Error::out_of_range(
            who,
            "starting index",
            start,
            0..=len,
            "vector",
            vector,
        ));
    }
    if let (Some(end), true) = (end, to > len) {
        return Err(Error::out_of_range(
            who,
            "ending index",
            end,
            0..=len,
            "vector",
            vector,
        ));
    }
    if let (Some(start), Some(end), true) = (start, end, to < from) {
        return Err(Error::reversed_range(
            who,
            (start, end),
            len,
            "vector",
            vector,
        ));
    }
    Ok((from, to))
}

fn vector_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(a[0], Value::Vector(_))))
}

fn make_vector(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let n = match &a[0] {
        Value::Int(i) if *i >= 0 => usize::try_from(*i).unwrap_or(usize::MAX),
        other => {
            return Err(Error::contract(
                "make-vector",
                "valid-vector-length?",
                other,
            ))
        }
    };
    let fill = a.get(1).cloned().unwrap_or(Value::Int(0));
    crate::sandbox::check_request(interp, "make-vector", n.saturating_mul(std::mem::size_of::<Value>()))?;
    let mut items = allocate("make-vector", n, &a[0])?;
    items.resize(n, fill);
    Ok(Value::vector(items))
}

fn vector(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::vector(a.to_vec()))
}

fn vector_length(_: &mut Interp, a: &[Value]) -> R<Value> {
    let len = vector_len(vector_cell("vector-length", &a[0])?);
    Ok(Value::Int(i64::try_from(len).unwrap_or(i64::MAX)))
}

fn vector_ref(_: &mut Interp, a: &[Value]) -> R<Value> {
    let cell = vector_cell("vector-ref", &a[0])?;
    let items = cell.borrow();
    let i = slot_index("vector-ref", a, items.len())?;
    Ok(items[i].clone())
}

fn vector_set(_: &mut Interp, a: &[Value]) -> R<Value> {
    let cell = mutable_vector_cell("vector-set!", &a[0])?;
    let i = slot_index("vector-set!", a, vector_len(cell))?;
    // The old element is dropped after the borrow ends: dropping it may free other values.
    let old = std::mem::replace(&mut cell.borrow_mut()[i], a[2].clone());
    drop(old);
    Ok(Value::Void)
}

fn vector_to_list(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(elements("vector->list", &a[0])?))
}

fn list_to_vector(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::vector(args::list("list->vector", &a[0])?))
}

fn vector_fill(_: &mut Interp, a: &[Value]) -> R<Value> {
    let cell = vector_cell("vector-fill!", &a[0])?;
    let old = {
        let mut items = cell.borrow_mut();
        let len = items.len();
        std::mem::replace(&mut *items, vec![a[1].clone(); len])
    };
    drop(old);
    Ok(Value::Void)
}

fn vector_copy(_: &mut Interp, a: &[Value]) -> R<Value> {
    let cell = vector_cell("vector-copy", &a[0])?;
    let (from, to) = slice_bounds("vector-copy", &a[0], vector_len(cell), a.get(1), a.get(2))?;
    Ok(Value::vector(cell.borrow()[from..to].to_vec()))
}

fn vector_copy_into(_: &mut Interp, a: &[Value]) -> R<Value> {
    let dest = mutable_vector_cell("vector-copy!", &a[0])?;
    let src = vector_cell("vector-copy!", &a[2])?;
    let dest_len = vector_len(dest);
    let dest_start = match position_arg("vector-copy!", Some(&a[1]))? {
        Some(i) if i <= dest_len => i,
        _ => {
            return Err(Error::out_of_range(
                "vector-copy!",
                "starting index",
                &a[1],
                0..=dest_len,
                "vector",
                &a[0],
            ))
        }
    };
    let (from, to) = slice_bounds("vector-copy!", &a[2], vector_len(src), a.get(3), a.get(4))?;
    // Copy out first: source and destination may be the same vector.
    let chunk = src.borrow()[from..to].to_vec();
    let needed = dest_start + chunk.len();
    if needed > dest_len {
        return Err(Error::new(
            ExnKind::Contract,
            format!("vector-copy!: not enough room in target vector\n  target length: {dest_len}\n  needed length: {needed}"),
        ));
    }
    let old: Vec<Value> = dest
        .borrow_mut()
        .splice(dest_start..needed, chunk)
        .collect();
    drop(old);
    Ok(Value::Void)
}

fn vector_append(_: &mut Interp, a: &[Value]) -> R<Value> {
    let mut out = Vec::new();
    for (pos, v) in a.iter().enumerate() {
        match v {
            Value::Vector(cell) => out.extend(cell.borrow().iter().cloned()),
            _ => return Err(Error::argument("vector-append", "vector?", a, pos)),
        }
    }
    Ok(Value::vector(out))
}

fn build_vector(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let n = match &a[0] {
        Value::Int(i) if *i >= 0 => *i,
        other => {
            return Err(Error::contract(
                "build-vector",
                "exact-nonnegative-integer?",
                other,
            ))
        }
    };
    if !a[1].is_procedure() {
        return Err(Error::contract(
            "build-vector",
            "(exact-nonnegative-integer? . -> . any/c)",
            &a[1],
        ));
    }
    let size = usize::try_from(n).unwrap_or(usize::MAX);
    crate::sandbox::check_request(interp, "build-vector", size.saturating_mul(std::mem::size_of::<Value>()))?;
    let mut items = allocate("build-vector", size, &a[0])?;
    for i in 0..n {
        items.push(interp.apply(&a[1], vec![Value::Int(i)])?);
    }
    Ok(Value::vector(items))
}

/// The vectors of a multi-vector operation, checked to be equally long, and that length.
/// `name_positions` selects Racket's message style for a bad argument: with its position and
/// the other arguments, or just the value.
fn equal_length_vectors(
    who: &str,
    a: &[Value],
    name_positions: bool,
) -> R<(Vec<VectorCell>, usize)> {
    let bad_argument = |expected: &str, pos: usize| {
        if name_positions {
            Error::argument(who, expected, a, pos)
        } else {
            Error::contract(who, expected, &a[pos])
        }
    };
    if !a[0].is_procedure() {
        return Err(bad_argument("procedure?", 0));
    }
    let mut vectors = Vec::with_capacity(a.len() - 1);
    for (pos, v) in a.iter().enumerate().skip(1) {
        match v {
            Value::Vector(cell) => vectors.push(cell.clone()),
            _ => return Err(bad_argument("vector?", pos)),
        }
    }
    let len = vectors.first().map_or(0, vector_len);
    if vectors.iter().any(|v| vector_len(v) != len) {
        let arguments: Vec<String> = a.iter().map(show_given).collect();
        return Err(Error::new(
            ExnKind::Contract,
            format!(
                "{who}: all vectors must have same size; arguments were: {}",
                arguments.join(" ")
            ),
        ));
    }
    Ok((vectors, len))
}

/// Applies `f` to the i-th elements of every vector, for each i in order. Elements are read
/// just before each call, as Racket does, so earlier calls may change what later ones see.
fn for_each_column(
    interp: &mut Interp,
    f: &Value,
    (vectors, len): &(Vec<VectorCell>, usize),
    mut visit: impl FnMut(usize, Value),
) -> R<()> {
    for i in 0..*len {
        let call = vectors
            .iter()
            .map(|v| v.borrow().get(i).cloned().unwrap_or(Value::Void))
            .collect();
        visit(i, interp.apply(f, call)?);
    }
    Ok(())
}

fn vector_map(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let vectors = equal_length_vectors("vector-map", a, true)?;
    let mut out = Vec::with_capacity(vectors.1);
    for_each_column(interp, &a[0], &vectors, |_, r| out.push(r))?;
    Ok(Value::vector(out))
}

fn vector_map_in_place(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let vectors = equal_length_vectors("vector-map!", a, true)?;
    let target = mutable_vector_cell("vector-map!", &a[1])?;
    for_each_column(interp, &a[0], &vectors, |i, r| {
        let old = target
            .borrow_mut()
            .get_mut(i)
            .map(|slot| std::mem::replace(slot, r));
        drop(old);
    })?;
    Ok(a[1].clone())
}

fn vector_count(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let vectors = equal_length_vectors("vector-count", a, false)?;
    let mut n: i64 = 0;
    for_each_column(interp, &a[0], &vectors, |_, r| {
        if r.is_true() {
            n += 1;
        }
    })?;
    Ok(Value::Int(n))
}

fn filter_vector(interp: &mut Interp, who: &str, a: &[Value], keep: bool) -> R<Value> {
    if !a[0].is_procedure() {
        return Err(Error::contract(who, "(any/c . -> . any/c)", &a[0]));
    }
    let mut out = Vec::new();
    for x in elements(who, &a[1])? {
        if interp.apply(&a[0], vec![x.clone()])?.is_true() == keep {
            out.push(x);
        }
    }
    Ok(Value::vector(out))
}

fn vector_filter(interp: &mut Interp, a: &[Value]) -> R<Value> {
    filter_vector(interp, "vector-filter", a, true)
}

fn vector_filter_not(interp: &mut Interp, a: &[Value]) -> R<Value> {
    filter_vector(interp, "vector-filter-not", a, false)
}

fn vector_extreme(interp: &mut Interp, who: &str, a: &[Value], better: Ordering) -> R<Value> {
    const NON_EMPTY: &str = "(and/c vector? (lambda (v) (positive? (vector-length v))))";
    if !a[0].is_procedure() {
        return Err(Error::contract(who, "(any/c . -> . real?)", &a[0]));
    }
    let items = match &a[1] {
        Value::Vector(cell) => cell.borrow().clone(),
        other => return Err(Error::contract(who, NON_EMPTY, other)),
    };
    extreme_by(interp, who, &a[0], &items, better, || {
        Error::contract(who, NON_EMPTY, &a[1])
    })
}

fn vector_argmin(interp: &mut Interp, a: &[Value]) -> R<Value> {
    vector_extreme(interp, "vector-argmin", a, Ordering::Less)
}

fn vector_argmax(interp: &mut Interp, a: &[Value]) -> R<Value> {
    vector_extreme(interp, "vector-argmax", a, Ordering::Greater)
}

fn position_in_vector(who: &str, a: &[Value], same: fn(&Value, &Value) -> bool) -> R<Value> {
    let Value::Vector(cell) = &a[1] else {
        return Err(Error::argument(who, "vector?", a, 1));
    };
    let found = cell.borrow().iter().position(|x| same(&a[0], x));
    Ok(found.map_or(Value::Bool(false), |i| {
        Value::Int(i64::try_from(i).unwrap_or(i64::MAX))
    }))
}

fn vector_member(_: &mut Interp, a: &[Value]) -> R<Value> {
    position_in_vector("vector-member", a, equal)
}

fn vector_memv(_: &mut Interp, a: &[Value]) -> R<Value> {
    position_in_vector("vector-memv", a, eqv)
}

fn vector_memq(_: &mut Interp, a: &[Value]) -> R<Value> {
    position_in_vector("vector-memq", a, eq)
}

/// The elements of a vector argument and the count argument of `vector-take` and friends.
fn counted_elements(who: &str, a: &[Value]) -> R<(Vec<Value>, usize)> {
    let items = elements(who, &a[0])?;
    let n = args::position(who, &a[1])?;
    if n > items.len() {
        return Err(Error::out_of_range(
            who,
            "index",
            &a[1],
            0..=items.len(),
            "vector",
            &a[0],
        ));
    }
    Ok((items, n))
}

/// Splits a vector argument at the count argument, counted from the front or the back.
fn split_vector(who: &str, a: &[Value], from_right: bool) -> R<(Value, Value)> {
    let (mut items, n) = counted_elements(who, a)?;
    let at = if from_right { items.len() - n } else { n };
    let back = items.split_off(at);
    Ok((Value::vector(items), Value::vector(back)))
}

fn vector_take(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(split_vector("vector-take", a, false)?.0)
}

fn vector_drop(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(split_vector("vector-drop", a, false)?.1)
}

fn vector_take_right(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(split_vector("vector-take-right", a, true)?.1)
}

fn vector_drop_right(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(split_vector("vector-drop-right", a, true)?.0)
}

fn vector_split_at(_: &mut Interp, a: &[Value]) -> R<Value> {
    let (front, back) = split_vector("vector-split-at", a, false)?;
    Ok(Value::multiple(vec![front, back]))
}

fn vector_split_at_right(_: &mut Interp, a: &[Value]) -> R<Value> {
    let (front, back) = split_vector("vector-split-at-right", a, true)?;
    Ok(Value::multiple(vec![front, back]))
}

fn vector_empty_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        vector_len(vector_cell("vector-empty?", &a[0])?) == 0,
    ))
}

/// The sorted elements of the selected slice of a `vector-sort`/`vector-sort!` argument, and
/// where the slice starts.
fn sorted_slice(
    interp: &mut Interp,
    who: &str,
    a: &[Value],
    kws: &[(Symbol, Value)],
) -> R<(Vec<Value>, usize)> {
    let cell = vector_cell(who, &a[0])?;
    if !a[1].is_procedure() {
        return Err(Error::contract(who, "(any/c any/c . -> . any/c)", &a[1]));
    }
    let key = args::keyword(kws, "key");
    if let Some(k) = key.filter(|k| !k.is_procedure()) {
        return Err(Error::contract(who, "(any/c . -> . any/c)", k));
    }
    let (from, to) = slice_bounds(who, &a[0], vector_len(cell), a.get(2), a.get(3))?;
    let slice = cell.borrow()[from..to].to_vec();
    Ok((sort_values(interp, slice, &a[1], key)?, from))
}

fn vector_sort(interp: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let (sorted, _) = sorted_slice(interp, "vector-sort", a, kws)?;
    Ok(Value::vector(sorted))
}

fn vector_sort_in_place(interp: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let cell = mutable_vector_cell("vector-sort!", &a[0])?;
    let (sorted, from) = sorted_slice(interp, "vector-sort!", a, kws)?;
    let mut items = cell.borrow_mut();
    // The comparison procedure may have mutated the vector; write back only what still fits.
    for (slot, x) in items.iter_mut().skip(from).zip(sorted) {
        *slot = x;
    }
    Ok(Value::Void)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::args::testing::{eval, eval_error};
    use crate::value::print::write_string;

    fn ints(items: &[i64]) -> Value {
        Value::vector(items.iter().map(|&i| Value::Int(i)).collect())
    }

    #[test]
    fn ref_and_set_check_the_index() {
        let v = ints(&[1, 2, 3]);
        let mut interp = Interp::new();
        assert!(vector_set(&mut interp, &[v.clone(), Value::Int(1), Value::Int(20)]).is_ok());
        let got = vector_ref(&mut interp, &[v.clone(), Value::Int(1)]).ok();
        assert_eq!(got.map(|x| write_string(&x)), Some("20".to_string()));
        let message = eval_error("(vector-ref (vector 1 2 3) 5)");
        assert!(message.starts_with(
            "vector-ref: index is out of range\n  index: 5\n  valid range: [0, 2]\n  vector: "
        ));
        assert!(eval_error("(vector-ref (vector) 0)")
            .starts_with("vector-ref: index is out of range for empty vector"));
        assert!(eval_error("(vector-ref (vector 1) -1)")
            .contains("argument position: 2nd\n  first argument...:"));
    }

    #[test]
    fn copy_bounds() {
        assert_eq!(eval("(vector-copy (vector 1 2 3) 1)"), "#(2 3)");
        assert_eq!(eval("(vector-copy (vector 1 2 3) 1 2)"), "#(2)");
        assert!(eval_error("(vector-copy (vector 1 2 3) 2 1)")
            .starts_with("vector-copy: ending index is smaller than starting index"));
        assert!(eval_error("(vector-copy (vector 1 2 3) 4)").starts_with("vector-copy: starting index is out of range\n  starting index: 4\n  valid range: [0, 3]"));
        assert_eq!(
            eval("(let ([v (vector 1 2 3 4 5)]) (vector-copy! v 1 v 0 3) v)"),
            "#(1 1 2 3 5)"
        );
        assert!(eval_error("(vector-copy! (vector 1 2 3) 2 (vector 'a 'b))")
            .contains("not enough room"));
    }

    #[test]
    fn make_vector_defaults_to_zero_and_refuses_bad_sizes() {
        assert_eq!(eval("(make-vector 3)"), "#(0 0 0)");
        assert!(eval_error("(make-vector -1)").contains("expected: valid-vector-length?"));
    }

    #[test]
    fn mapping_and_counting() {
        assert_eq!(eval("(vector-map + #(1 2) #(10 20))"), "#(11 22)");
        assert!(eval_error("(vector-map + #(1 2) #(1))")
            .starts_with("vector-map: all vectors must have same size"));
        assert_eq!(
            eval("(let ([v (vector 1 2)]) (vector-map! add1 v) v)"),
            "#(2 3)"
        );
        assert_eq!(eval("(vector-count < #(1 5) #(2 4))"), "1");
        assert_eq!(eval("(vector-filter odd? #(1 2 3 4 5))"), "#(1 3 5)");
        assert_eq!(eval("(vector-argmin (lambda (x) x) #(5 3 1 8 1))"), "1");
        assert_eq!(eval("(build-vector 3 (lambda (i) (* i i)))"), "#(0 1 4)");
    }

    #[test]
    fn a_procedure_may_mutate_the_vector_it_maps() {
        assert_eq!(
            eval("(let ([v (vector 1 2 3)]) (vector-map! (lambda (x) (vector-set! v 2 0) x) v) v)"),
            "#(1 2 0)"
        );
        assert_eq!(eval("(let ([v (vector 3 1 2)]) (vector-sort! v (lambda (a b) (vector-ref v 0) (< a b))) v)"), "#(1 2 3)");
    }

    #[test]
    fn take_drop_and_search() {
        assert_eq!(eval("(vector-take #(1 2 3) 2)"), "#(1 2)");
        assert_eq!(eval("(vector-drop-right #(1 2 3) 2)"), "#(1)");
        assert_eq!(eval("(vector-take-right #(1 2 3) 2)"), "#(2 3)");
        assert!(eval_error("(vector-take #(1 2) 3)")
            .starts_with("vector-take: index is out of range\n  index: 3\n  valid range: [0, 2]"));
        assert_eq!(eval("(vector-member 8 #(5 3 8 1))"), "2");
        assert_eq!(eval("(vector-memq 'z #(a b))"), "#f");
    }

    #[test]
    fn sorting_is_stable_and_respects_bounds() {
        assert_eq!(eval("(vector-sort #(3 1 2 5 4) < 1 3)"), "#(1 2)");
        assert_eq!(
            eval("(vector-sort #((1 . b) (0 . a) (1 . a)) < #:key car)"),
            "#((0 . a) (1 . b) (1 . a))"
        );
        assert_eq!(
            eval("(let ([v (vector 5 3 1 2 0)]) (vector-sort! v < 1 4) v)"),
            "#(5 1 2 3 0)"
        );
    }
}

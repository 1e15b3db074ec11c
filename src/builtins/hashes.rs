//! Hash tables: mutable and immutable, keyed by `equal?`, `eqv?` or `eq?`.
//!
//! Tables keep their keys in insertion order (an `IndexMap`), which is rlmsh's documented
//! iteration order; removal shifts later entries so the order survives. Immutable operations
//! copy the table. No borrow of a table's map is held while Scheme code runs: iteration works
//! on a snapshot of the entries and updates read, release, call, then write, so a procedure
//! may read or mutate the table it is given.

use std::cmp::Ordering;


use crate::builtins::{args, Primitive, MANY};
use crate::error::{show_given, Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::equal::equal;
use crate::value::{number, HashKey, HashKind, HashTable, Symbol, TableMap, Value};

type Map = TableMap;

const MUTABLE_HASH: &str = "(and/c hash? (not/c immutable?))";
const IMMUTABLE_HASH: &str = "(and/c hash? immutable?)";

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("hash?", 1, 1, hash_p, "Is the value a hash table?"),
    Primitive::new("hash-equal?", 1, 1, hash_equal_p, "Does the hash table compare keys with equal??"),
    Primitive::new("hash-eqv?", 1, 1, hash_eqv_p, "Does the hash table compare keys with eqv??"),
    Primitive::new("hash-eq?", 1, 1, hash_eq_p, "Does the hash table compare keys with eq??"),
    Primitive::new("make-hash", 0, 1, make_hash, "A new mutable equal?-based hash table, optionally filled from an association list."),
    Primitive::new("make-hasheqv", 0, 1, make_hasheqv, "A new mutable eqv?-based hash table, optionally filled from an association list."),
    Primitive::new("make-hasheq", 0, 1, make_hasheq, "A new mutable eq?-based hash table, optionally filled from an association list."),
    Primitive::new("make-immutable-hash", 0, 1, make_immutable_hash, "An immutable equal?-based hash table from an association list."),
    Primitive::new("make-immutable-hasheqv", 0, 1, make_immutable_hasheqv, "An immutable eqv?-based hash table from an association list."),
    Primitive::new("make-immutable-hasheq", 0, 1, make_immutable_hasheq, "An immutable eq?-based hash table from an association list."),
    Primitive::new("hash", 0, MANY, hash, "An immutable equal?-based hash table of alternating keys and values."),
    Primitive::new("hasheqv", 0, MANY, hasheqv, "An immutable eqv?-based hash table of alternating keys and values."),
    Primitive::new("hasheq", 0, MANY, hasheq, "An immutable eq?-based hash table of alternating keys and values."),
    Primitive::new("hash-ref", 2, 3, hash_ref, "The value for a key; if missing, the failure result (called if it is a procedure) or an error."),
    Primitive::new("hash-ref!", 3, 3, hash_ref_in_place, "The value for a key, first storing the given value (or thunk's result) if the key is missing."),
    Primitive::new("hash-has-key?", 2, 2, hash_has_key_p, "Does the table have a value for the key?"),
    Primitive::new("hash-set!", 3, 3, hash_set_in_place, "Stores a value for a key in a mutable table."),
    Primitive::new("hash-set*!", 1, MANY, hash_set_star_in_place, "Stores alternating keys and values in a mutable table."),
    Primitive::new("hash-set", 3, 3, hash_set, "An immutable table like the given one but with a value for the key."),
    Primitive::new("hash-set*", 1, MANY, hash_set_star, "An immutable table like the given one plus alternating keys and values."),
    Primitive::new("hash-remove!", 2, 2, hash_remove_in_place, "Removes a key from a mutable table."),
    Primitive::new("hash-remove", 2, 2, hash_remove, "An immutable table like the given one without the key."),
    Primitive::new("hash-update!", 3, 4, hash_update_in_place, "Replaces a key's value v with (updater v), starting from the failure result if the key is missing."),
    Primitive::new("hash-update", 3, 4, hash_update, "An immutable table with the key's value v replaced by (updater v)."),
    Primitive::new("hash-count", 1, 1, hash_count, "The number of keys in a table."),
    Primitive::new("hash-empty?", 1, 1, hash_empty_p, "Does the table have no keys?"),
    Primitive::new("hash-keys", 1, 2, hash_keys, "The table's keys, in insertion order (sorted when try-order? is true and they are sortable)."),
    Primitive::new("hash-values", 1, 2, hash_values, "The table's values, in key insertion order."),
    Primitive::new("hash->list", 1, 2, hash_to_list, "The table's (key . value) pairs, in insertion order."),
    Primitive::new("hash-for-each", 2, 3, hash_for_each, "Calls (proc key value) for every entry, in insertion order."),
    Primitive::new("hash-map", 2, 3, hash_map, "The results of (proc key value) for every entry, in insertion order."),
    Primitive::new("hash-copy", 1, 1, hash_copy, "A new mutable table with the same kind and entries."),
    Primitive::new("hash-clear!", 1, 1, hash_clear_in_place, "Removes every key from a mutable table."),
    Primitive::new("hash-clear", 1, 1, hash_clear, "An empty immutable table of the same kind."),
    Primitive::with_keywords("hash-union", 1, MANY, &["combine", "combine/key"], hash_union, "An immutable table with the entries of all tables; #:combine or #:combine/key merges values of shared keys."),
    Primitive::with_keywords("hash-union!", 1, MANY, &["combine", "combine/key"], hash_union_in_place, "Adds the entries of the other tables to a mutable table; #:combine or #:combine/key merges values of shared keys."),
    Primitive::new("immutable?", 1, 1, immutable_p, "Is the value an immutable hash table, string or vector?"),
];

/// A table argument; Racket names the argument position only for some procedures.
fn table<'a>(who: &str, v: &'a Value) -> R<&'a HashTable> {
    args::hash(who, v)
}

fn table_at<'a>(who: &str, a: &'a [Value], pos: usize) -> R<&'a HashTable> {
    match &a[pos] {
        Value::Hash(h) => Ok(h),
        _ => Err(Error::argument(who, "hash?", a, pos)),
    }
}

/// A table that must be mutable (`named_position`: report the argument position too).
fn mutable_table<'a>(who: &str, a: &'a [Value], named_position: bool) -> R<&'a HashTable> {
    match &a[0] {
        Value::Hash(h) if h.mutable => Ok(h),
        _ if named_position => Err(Error::argument(who, MUTABLE_HASH, a, 0)),
        other => Err(Error::contract(who, MUTABLE_HASH, other)),
    }
}

fn immutable_table<'a>(who: &str, a: &'a [Value], named_position: bool) -> R<&'a HashTable> {
    match &a[0] {
        Value::Hash(h) if !h.mutable => Ok(h),
        _ if named_position => Err(Error::argument(who, IMMUTABLE_HASH, a, 0)),
        other => Err(Error::contract(who, IMMUTABLE_HASH, other)),
    }
}

fn lookup(h: &HashTable, key: &Value) -> Option<Value> {
    h.map.borrow().get(&HashKey(key.clone())).cloned()
}

/// Stores into a mutable table. A replaced value is dropped only after the borrow ends.
fn store(h: &HashTable, key: Value, value: Value) {
    let old = h.map.borrow_mut().insert(HashKey(key), value);
    drop(old);
}

/// A new immutable table of the same kind: the given table's entries, changed by `change`.
fn updated_copy(h: &HashTable, change: impl FnOnce(&mut Map)) -> Value {
    let mut map = h.map.borrow().clone();
    change(&mut map);
    Value::new_hash(h.kind, false, map)
}

/// The result when a key is missing: the failure argument's value (called, if it is a
/// procedure), or the error `missing` builds.
fn failure_result(
    interp: &mut Interp,
    failure: Option<&Value>,
    missing: impl FnOnce() -> Error,
) -> R<Value> {
    match failure {
        Some(v) => value_or_thunk_result(interp, v),
        None => Err(missing()),
    }
}

fn value_or_thunk_result(interp: &mut Interp, v: &Value) -> R<Value> {
    if v.is_procedure() {
        interp.apply(v, Vec::new())
    } else {
        Ok(v.clone())
    }
}

fn entries(h: &HashTable) -> Vec<(Value, Value)> {
    h.map
        .borrow()
        .iter()
        .map(|(k, v)| (k.0.clone(), v.clone()))
        .collect()
}

/// A table's entries for iteration. With `try-order?` true and keys that are all real
/// numbers, all strings or all symbols, they come sorted by key, as Racket sorts them.
fn entries_for_iteration(h: &HashTable, try_order: Option<&Value>) -> Vec<(Value, Value)> {
    let mut all = entries(h);
    if try_order.is_some_and(Value::is_true) {
        if let Some(order) = key_order(&all) {
            all.sort_by(|(a, _), (b, _)| order(a, b));
        }
    }
    all
}

fn key_order(all: &[(Value, Value)]) -> Option<fn(&Value, &Value) -> Ordering> {
    fn numbers(a: &Value, b: &Value) -> Ordering {
        number::compare(a, b).unwrap_or(Ordering::Equal)
    }
    fn strings(a: &Value, b: &Value) -> Ordering {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => x.cmp(y),
            _ => Ordering::Equal,
        }
    }
    fn symbols(a: &Value, b: &Value) -> Ordering {
        match (a, b) {
            (Value::Symbol(x), Value::Symbol(y)) => x.name().cmp(y.name()),
            _ => Ordering::Equal,
        }
    }
    let every = |test: fn(&Value) -> bool| all.iter().all(|(k, _)| test(k));
    if every(number::is_number) {
        Some(numbers)
    } else if every(|k| matches!(k, Value::Str(_))) {
        Some(strings)
    } else if every(|k| matches!(k, Value::Symbol(_))) {
        Some(symbols)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Construction

fn hash_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(a[0], Value::Hash(_))))
}

fn kind_p(who: &str, v: &Value, kind: HashKind) -> R<Value> {
    Ok(Value::Bool(table(who, v)?.kind == kind))
}

fn hash_equal_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    kind_p("hash-equal?", &a[0], HashKind::Equal)
}

fn hash_eqv_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    kind_p("hash-eqv?", &a[0], HashKind::Eqv)
}

fn hash_eq_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    kind_p("hash-eq?", &a[0], HashKind::Eq)
}

/// A table from an optional association list; later pairs win.
fn from_assoc(who: &str, assoc: Option<&Value>, kind: HashKind, mutable: bool) -> R<Value> {
    let mut map = Map::default();
    if let Some(assoc) = assoc {
        let pairs = assoc
            .list_to_vec()
            .ok_or_else(|| Error::contract(who, "(listof pair?)", assoc))?;
        for entry in pairs {
            let Value::Pair(p) = entry else {
                return Err(Error::contract(who, "(listof pair?)", assoc));
            };
            map.insert(HashKey(p.car.clone()), p.cdr.clone());
        }
    }
    Ok(Value::new_hash(kind, mutable, map))
}

fn make_hash(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_assoc("make-hash", a.first(), HashKind::Equal, true)
}

fn make_hasheqv(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_assoc("make-hasheqv", a.first(), HashKind::Eqv, true)
}

fn make_hasheq(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_assoc("make-hasheq", a.first(), HashKind::Eq, true)
}

fn make_immutable_hash(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_assoc("make-immutable-hash", a.first(), HashKind::Equal, false)
}

fn make_immutable_hasheqv(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_assoc("make-immutable-hasheqv", a.first(), HashKind::Eqv, false)
}

fn make_immutable_hasheq(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_assoc("make-immutable-hasheq", a.first(), HashKind::Eq, false)
}

/// Adds alternating keys and values to `map`; an odd count is `who`'s error for it.
fn insert_alternating(map: &mut Map, items: &[Value], odd_count: impl FnOnce() -> Error) -> R<()> {
    if items.len() % 2 == 1 {
        return Err(odd_count());
    }
    for pair in items.chunks_exact(2) {
        map.insert(HashKey(pair[0].clone()), pair[1].clone());
    }
    Ok(())
}

fn from_alternating(who: &str, a: &[Value], kind: HashKind) -> R<Value> {
    let mut map = Map::default();
    insert_alternating(&mut map, a, || {
        let key = a.last().cloned().unwrap_or(Value::Void);
        Error::fields(
            who,
            "key does not have a value (i.e., an odd number of arguments were provided)",
            &[("key", &key)],
        )
    })?;
    Ok(Value::new_hash(kind, false, map))
}

fn odd_association_elements(who: &str, items: &[Value]) -> Error {
    Error::fields(
        who,
        "expected an even number of association elements, but received an odd number of association elements",
        &[("association elements", &Value::list(items.to_vec()))],
    )
}

fn hash(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_alternating("hash", a, HashKind::Equal)
}

fn hasheqv(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_alternating("hasheqv", a, HashKind::Eqv)
}

fn hasheq(_: &mut Interp, a: &[Value]) -> R<Value> {
    from_alternating("hasheq", a, HashKind::Eq)
}

// ---------------------------------------------------------------------------------------------
// Access and update

fn hash_ref(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let h = table_at("hash-ref", a, 0)?;
    match lookup(h, &a[1]) {
        Some(v) => Ok(v),
        None => failure_result(interp, a.get(2), || {
            Error::fields("hash-ref", "no value found for key", &[("key", &a[1])])
        }),
    }
}

fn hash_ref_in_place(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let h = mutable_table("hash-ref!", a, true)?;
    if let Some(v) = lookup(h, &a[1]) {
        return Ok(v);
    }
    let v = value_or_thunk_result(interp, &a[2])?;
    store(h, a[1].clone(), v.clone());
    Ok(v)
}

fn hash_has_key_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = table_at("hash-has-key?", a, 0)?;
    Ok(Value::Bool(
        h.map.borrow().contains_key(&HashKey(a[1].clone())),
    ))
}

fn hash_set_in_place(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = mutable_table("hash-set!", a, true)?;
    store(h, a[1].clone(), a[2].clone());
    Ok(Value::Void)
}

fn hash_set_star_in_place(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = mutable_table("hash-set*!", a, false)?;
    let items = &a[1..];
    if items.len() % 2 == 1 {
        return Err(odd_association_elements("hash-set*!", items));
    }
    for pair in items.chunks_exact(2) {
        store(h, pair[0].clone(), pair[1].clone());
    }
    Ok(Value::Void)
}

fn hash_set(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = immutable_table("hash-set", a, true)?;
    Ok(updated_copy(h, |map| {
        map.insert(HashKey(a[1].clone()), a[2].clone());
    }))
}

fn hash_set_star(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = immutable_table("hash-set*", a, false)?;
    let mut map = h.map.borrow().clone();
    insert_alternating(&mut map, &a[1..], || {
        odd_association_elements("hash-set*", &a[1..])
    })?;
    Ok(Value::new_hash(h.kind, false, map))
}

fn hash_remove_in_place(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = mutable_table("hash-remove!", a, true)?;
    let old = h.map.borrow_mut().shift_remove(&HashKey(a[1].clone()));
    drop(old);
    Ok(Value::Void)
}

fn hash_remove(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = immutable_table("hash-remove", a, true)?;
    let key = HashKey(a[1].clone());
    if !h.map.borrow().contains_key(&key) {
        return Ok(a[0].clone());
    }
    Ok(updated_copy(h, |map| {
        map.shift_remove(&key);
    }))
}

/// The updated value for `hash-update!`/`hash-update`: (updater old), where a missing key's
/// old value is the failure result; and where the key was found.
fn updated_value(interp: &mut Interp, who: &str, h: &HashTable, a: &[Value]) -> R<(Option<usize>, Value)> {
    if !a[2].is_procedure() {
        return Err(Error::contract(who, "(any/c . -> . any/c)", &a[2]));
    }
    let found = h.map.borrow().get_full(&HashKey(a[1].clone())).map(|(i, _, v)| (i, v.clone()));
    let (index, old) = match found {
        Some((i, v)) => (Some(i), v),
        None => (None, failure_result(interp, a.get(3), || {
            Error::new(
                ExnKind::Contract,
                format!("{who}: no value found for key: {}", show_given(&a[1])),
            )
        })?),
    };
    let new = interp.apply_slice(&a[2], std::slice::from_ref(&old))?;
    Ok((index, new))
}

fn hash_update_in_place(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let h = mutable_table("hash-update!", a, false)?;
    let (index, new) = updated_value(interp, "hash-update!", h, a)?;
    store_updated(h, index, &a[1], new);
    Ok(Value::Void)
}

/// Stores a key's updated value in place at `index`, without hashing the key again, when the
/// entry there still has that key (the updater may have changed the table).
fn store_updated(h: &HashTable, index: Option<usize>, key: &Value, value: Value) {
    let mut map = h.map.borrow_mut();
    if let Some((k, slot)) = index.and_then(|i| map.get_index_mut(i)) {
        if equal(&k.0, key) {
            let old = std::mem::replace(slot, value);
            drop(map);
            drop(old);
            return;
        }
    }
    drop(map);
    store(h, key.clone(), value);
}

fn hash_update(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let h = immutable_table("hash-update", a, false)?;
    let (_, new) = updated_value(interp, "hash-update", h, a)?;
    Ok(updated_copy(h, |map| {
        map.insert(HashKey(a[1].clone()), new);
    }))
}

// ---------------------------------------------------------------------------------------------
// Whole-table operations

fn hash_count(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = table("hash-count", &a[0])?.map.borrow().len();
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

fn hash_empty_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        table("hash-empty?", &a[0])?.map.borrow().is_empty(),
    ))
}

fn hash_keys(_: &mut Interp, a: &[Value]) -> R<Value> {
    listed_entries("hash-keys", a, |(k, _)| k)
}

fn hash_values(_: &mut Interp, a: &[Value]) -> R<Value> {
    listed_entries("hash-values", a, |(_, v)| v)
}

fn hash_to_list(_: &mut Interp, a: &[Value]) -> R<Value> {
    listed_entries("hash->list", a, |(k, v)| Value::cons(k, v))
}

/// A list made from the table's entries, sorted by key when the optional `try-order?` is true.
fn listed_entries(who: &str, a: &[Value], each: fn((Value, Value)) -> Value) -> R<Value> {
    let h = table(who, &a[0])?;
    Ok(Value::list(
        entries_for_iteration(h, a.get(1))
            .into_iter()
            .map(each)
            .collect(),
    ))
}

/// Calls `proc` on every entry of a snapshot of the table, collecting the results.
fn map_entries(interp: &mut Interp, who: &str, a: &[Value]) -> R<Vec<Value>> {
    let h = table(who, &a[0])?;
    if !a[1].is_procedure() {
        return Err(Error::contract(
            who,
            "(procedure-arity-includes/c 2)",
            &a[1],
        ));
    }
    let snapshot = entries_for_iteration(h, a.get(2));
    let mut results = Vec::with_capacity(snapshot.len());
    for (k, v) in snapshot {
        results.push(interp.apply(&a[1], vec![k, v])?);
    }
    Ok(results)
}

fn hash_for_each(interp: &mut Interp, a: &[Value]) -> R<Value> {
    map_entries(interp, "hash-for-each", a)?;
    Ok(Value::Void)
}

fn hash_map(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(map_entries(interp, "hash-map", a)?))
}

fn hash_copy(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = table("hash-copy", &a[0])?;
    let map = h.map.borrow().clone();
    Ok(Value::new_hash(h.kind, true, map))
}

fn hash_clear_in_place(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = mutable_table("hash-clear!", a, false)?;
    let old = std::mem::take(&mut *h.map.borrow_mut());
    drop(old);
    Ok(Value::Void)
}

fn hash_clear(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = immutable_table("hash-clear", a, false)?;
    Ok(Value::new_hash(h.kind, false, Map::default()))
}

/// How `hash-union` merges the values of a key present in several tables.
enum Combine<'a> {
    Values(&'a Value),
    WithKey(&'a Value),
    Refuse,
}

impl Combine<'_> {
    fn from_keywords(kws: &[(Symbol, Value)]) -> Combine<'_> {
        match (
            args::keyword(kws, "combine/key"),
            args::keyword(kws, "combine"),
        ) {
            (Some(f), _) => Combine::WithKey(f),
            (None, Some(f)) => Combine::Values(f),
            (None, None) => Combine::Refuse,
        }
    }

    fn merge(
        &self,
        interp: &mut Interp,
        who: &str,
        key: &Value,
        old: Value,
        new: Value,
    ) -> R<Value> {
        match self {
            Combine::Values(f) => interp.apply(f, vec![old, new]),
            Combine::WithKey(f) => interp.apply(f, vec![key.clone(), old, new]),
            Combine::Refuse => Err(Error::fail(format!(
                "{who}: duplicate values for key {}: {} and {}",
                show_given(key),
                show_given(&old),
                show_given(&new)
            ))),
        }
    }
}

/// The entries of the tables after the first, checked to be tables.
fn other_entries(who: &str, a: &[Value]) -> R<Vec<(Value, Value)>> {
    let mut all = Vec::new();
    for pos in 1..a.len() {
        all.extend(entries(table_at(who, a, pos)?));
    }
    Ok(all)
}

fn hash_union(interp: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let h = immutable_table("hash-union", a, true)?;
    let combine = Combine::from_keywords(kws);
    let mut map = h.map.borrow().clone();
    for (k, v) in other_entries("hash-union", a)? {
        let merged = match map.get(&HashKey(k.clone())) {
            Some(old) => combine.merge(interp, "hash-union", &k, old.clone(), v)?,
            None => v,
        };
        map.insert(HashKey(k), merged);
    }
    Ok(Value::new_hash(h.kind, false, map))
}

fn hash_union_in_place(interp: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let h = mutable_table("hash-union!", a, true)?;
    let combine = Combine::from_keywords(kws);
    for (k, v) in other_entries("hash-union!", a)? {
        let merged = match lookup(h, &k) {
            Some(old) => combine.merge(interp, "hash-union!", &k, old, v)?,
            None => v,
        };
        store(h, k, merged);
    }
    Ok(Value::Void)
}

/// Strings are immutable in rlmsh and vectors mutable; tables say which they are.
fn immutable_p(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(match &a[0] {
        Value::Hash(h) => !h.mutable,
        Value::Str(_) => true,
        _ => false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::args::testing::{eval, eval_error};
    use crate::value::print::write_string;

    fn sym(name: &str) -> Value {
        Value::sym(name)
    }

    #[test]
    fn mutable_tables_store_and_remove_in_order() {
        let mut interp = Interp::new();
        let h = make_hash(&mut interp, &[]).unwrap_or(Value::Void);
        for (k, v) in [("b", 1), ("a", 2), ("c", 3)] {
            assert!(hash_set_in_place(&mut interp, &[h.clone(), sym(k), Value::Int(v)]).is_ok());
        }
        assert!(hash_remove_in_place(&mut interp, &[h.clone(), sym("a")]).is_ok());
        let keys = hash_keys(&mut interp, std::slice::from_ref(&h)).unwrap_or(Value::Void);
        assert_eq!(write_string(&keys), "(b c)");
        let sorted = hash_keys(&mut interp, &[h, Value::Bool(true)]).unwrap_or(Value::Void);
        assert_eq!(write_string(&sorted), "(b c)");
    }

    #[test]
    fn immutable_tables_are_copied() {
        assert_eq!(eval("(let* ([a (hash 'x 1)] [b (hash-set a 'y 2)]) (list (hash-count a) (hash-count b)))"), "(1 2)");
        assert_eq!(eval("(hash-ref (hash-remove (hash 'x 1 'y 2) 'x) 'y)"), "2");
        assert_eq!(
            eval("(hash-ref (hash-update (hash 'a 1) 'b add1 41) 'b)"),
            "42"
        );
        assert!(
            eval_error("(hash-set (make-hash) 1 2)").contains("expected: (and/c hash? immutable?)")
        );
        assert!(eval_error("(hash-set! (hash) 1 2)")
            .contains("expected: (and/c hash? (not/c immutable?))"));
    }

    #[test]
    fn ref_defaults() {
        assert_eq!(eval("(hash-ref (hash) 'k 'd)"), "d");
        assert_eq!(eval("(hash-ref (hash) 'k (lambda () 'thunk))"), "thunk");
        assert_eq!(
            eval_error("(hash-ref (make-hash) \"nope\")"),
            "hash-ref: no value found for key\n  key: \"nope\""
        );
        assert_eq!(
            eval("(let ([h (make-hash)]) (hash-ref! h 'k (lambda () 5)) (hash-ref h 'k))"),
            "5"
        );
        assert!(eval_error("(hash-update! (make-hash) 'a add1)")
            .starts_with("hash-update!: no value found for key: "));
    }

    #[test]
    fn procedures_may_mutate_the_table_they_walk() {
        assert_eq!(
            eval("(let ([h (make-hash '((a . 1) (b . 2)))]) (hash-for-each h (lambda (k v) (hash-remove! h k) (hash-set! h (list k) v))) (hash-count h))"),
            "2"
        );
        assert_eq!(
            eval("(let ([h (make-hash '((a . 1)))]) (hash-update! h 'a (lambda (v) (hash-set! h 'b 2) (+ v 1))) (list (hash-ref h 'a) (hash-ref h 'b)))"),
            "(2 2)"
        );
        assert_eq!(
            eval(
                "(let ([h (make-hash '((a . 1)))]) (hash-map h (lambda (k v) (hash-clear! h) v)))"
            ),
            "(1)"
        );
    }

    #[test]
    fn construction_errors() {
        assert!(eval_error("(hash 1)").starts_with("hash: key does not have a value (i.e., an odd number of arguments were provided)\n  key: 1"));
        assert!(eval_error("(make-hash '(1 2))").contains("expected: (listof pair?)"));
        assert!(eval_error("(hash-set* (hash) 1)")
            .starts_with("hash-set*: expected an even number of association elements"));
    }

    #[test]
    fn union_combines_shared_keys() {
        assert_eq!(
            eval("(hash-ref (hash-union (hash 1 2) (hash 1 3) #:combine +) 1)"),
            "5"
        );
        assert_eq!(eval("(hash-ref (hash-union (hash 1 2) (hash 1 3) #:combine/key (lambda (k a b) (list k a b))) 1)"), "(1 2 3)");
        assert!(eval_error("(hash-union (hash 1 2) (hash 1 3))")
            .starts_with("hash-union: duplicate values for key 1: 2 and 3"));
    }

    #[test]
    fn immutability_predicate() {
        assert_eq!(eval("(list (immutable? (hash)) (immutable? (make-hash)) (immutable? (hash-copy (hash))) (immutable? \"s\") (immutable? 5))"), "(#t #f #f #t #f)");
    }
}

//! The value type every part of rlmsh shares.
//!
//! Heap values that can take part in reference cycles (pairs, vectors, hash tables, closures,
//! environment frames, promises, parameters) live in `gcmodule::Cc`: reference counting frees
//! them promptly, and the runtime calls the cycle collector from time to time for the cycles
//! that closures capturing their own environment create. Values that can never point back into
//! the heap (strings, bignums, ports, regexps) use plain `Rc`.

pub mod equal;
pub mod number;
pub mod print;
pub mod symbol;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use gcmodule::{Cc, Trace, Tracer};
use indexmap::IndexMap;
use num_bigint::BigInt;
use num_rational::BigRational;

use crate::error::Exn;
use crate::eval::env::Frame;
use crate::eval::node::Lambda;
use crate::builtins::Primitive;
pub use symbol::Symbol;

/// A Scheme value. Cloning is cheap: at most a reference-count increment.
#[repr(C, u64)]
pub enum Value {
    Void,
    /// The empty list.
    Null,
    Eof,
    /// The value of a `letrec` variable before its initialiser has run.
    Undefined,
    Bool(bool),
    Int(i64),
    Big(Rc<BigInt>),
    Rat(Rc<BigRational>),
    Float(f64),
    Char(char),
    Symbol(Symbol),
    Keyword(Symbol),
    /// Strings are immutable and shared; `Rc<String>` keeps the value one pointer wide.
    Str(Rc<String>),
    Pair(Cc<Pair>),
    /// A mutable pair from `mcons`; prints as `{1 . 2}` and is never a list.
    MPair(Cc<MPair>),
    Box(Cc<RefCell<Value>>),
    Vector(Cc<RefCell<Vec<Value>>>),
    Hash(Cc<HashTable>),
    Closure(Cc<Closure>),
    Primitive(&'static Primitive),
    Parameter(Cc<Parameter>),
    Continuation(Rc<EscapeContinuation>),
    Promise(Cc<RefCell<Promise>>),
    /// Several values returned at once by `values` (never exactly one).
    Values(Rc<Vec<Value>>),
    Exn(Rc<Exn>),
    Port(Rc<crate::builtins::ports::Port>),
    Regex(Rc<crate::builtins::regex::Regex>),
    /// An opaque wrapped model answer (`llm-query`'s result); unwrap with `syntax-e`.
    Syntax(Rc<String>),
    /// A fresh top-level environment from `make-base-namespace`.
    Namespace(Rc<crate::interp::Globals>),
    /// Host objects that later layers add (async call handles, Python references).
    Opaque(Rc<Box<dyn Opaque>>),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);
const _: () = assert!(std::mem::size_of::<crate::error::R<Value>>() == 16);

impl Clone for Value {
    /// Values that own nothing are copied inline; only heap values take the out-of-line path
    /// that increments a reference count. The evaluator clones values on every variable
    /// reference.
    #[inline(always)]
    fn clone(&self) -> Value {
        if self.owns_nothing() {
            // SAFETY: these variants hold only `Copy` data (numbers, characters, interned
            // symbols, references to static builtins), so a bitwise copy is exactly the value
            // the variant-by-variant clone in `clone_slow` builds.
            unsafe { std::ptr::read(self) }
        } else {
            self.clone_slow()
        }
    }
}

impl Value {
    /// Whether the value refers to nothing on the heap: copying it is a bitwise copy and
    /// dropping it does nothing.
    #[inline(always)]
    pub fn owns_nothing(&self) -> bool {
        matches!(
            self,
            Value::Void
                | Value::Null
                | Value::Eof
                | Value::Undefined
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Char(_)
                | Value::Symbol(_)
                | Value::Keyword(_)
                | Value::Primitive(_)
        )
    }
}

impl Value {
    #[inline(never)]
    fn clone_slow(&self) -> Value {
        match self {
            Value::Void => Value::Void,
            Value::Null => Value::Null,
            Value::Eof => Value::Eof,
            Value::Undefined => Value::Undefined,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Float(f) => Value::Float(*f),
            Value::Char(c) => Value::Char(*c),
            Value::Symbol(s) => Value::Symbol(*s),
            Value::Keyword(k) => Value::Keyword(*k),
            Value::Primitive(p) => Value::Primitive(p),
            Value::Big(x) => Value::Big(x.clone()),
            Value::Rat(x) => Value::Rat(x.clone()),
            Value::Str(x) => Value::Str(x.clone()),
            Value::Pair(x) => Value::Pair(x.clone()),
            Value::MPair(x) => Value::MPair(x.clone()),
            Value::Box(x) => Value::Box(x.clone()),
            Value::Vector(x) => Value::Vector(x.clone()),
            Value::Hash(x) => Value::Hash(x.clone()),
            Value::Closure(x) => Value::Closure(x.clone()),
            Value::Parameter(x) => Value::Parameter(x.clone()),
            Value::Continuation(x) => Value::Continuation(x.clone()),
            Value::Promise(x) => Value::Promise(x.clone()),
            Value::Values(x) => Value::Values(x.clone()),
            Value::Exn(x) => Value::Exn(x.clone()),
            Value::Port(x) => Value::Port(x.clone()),
            Value::Regex(x) => Value::Regex(x.clone()),
            Value::Syntax(x) => Value::Syntax(x.clone()),
            Value::Namespace(x) => Value::Namespace(x.clone()),
            Value::Opaque(x) => Value::Opaque(x.clone()),
        }
    }
}

/// Host objects the core does not know about but must carry, print and compare by identity.
pub trait Opaque: Any {
    /// The name printed inside `#<...>`, e.g. `python:DataFrame`.
    fn type_name(&self) -> String;
    fn as_any(&self) -> &dyn Any;
    /// The identity of the host object when several values can stand for one object (two
    /// references to one Python object): values of one type with the same identity are `eq?`.
    /// `None`, the default, makes each value an object of its own.
    fn identity(&self) -> Option<usize> {
        None
    }
}

pub struct Pair {
    pub car: Value,
    pub cdr: Value,
}

/// How deep drops of nested pairs may recurse before the rest is dropped later, iteratively:
/// a list of a hundred million elements would otherwise take a Rust frame per element.
const MAX_PAIR_DROP_DEPTH: u32 = 1_000;

thread_local! {
    static PAIR_DROP_DEPTH: Cell<u32> = const { Cell::new(0) };
    static DEFERRED_DROPS: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

impl Drop for Pair {
    fn drop(&mut self) {
        if !matches!(self.cdr, Value::Pair(_)) && !matches!(self.car, Value::Pair(_)) {
            return;
        }
        let depth = PAIR_DROP_DEPTH.get();
        let fields = [std::mem::replace(&mut self.car, Value::Null), std::mem::replace(&mut self.cdr, Value::Null)];
        let mut fields = Some(fields);
        // While the thread is being torn down the list may be gone: then drop recursively.
        if depth >= MAX_PAIR_DROP_DEPTH
            && DEFERRED_DROPS.try_with(|deferred| deferred.borrow_mut().extend(fields.take().into_iter().flatten())).is_ok()
        {
            return;
        }
        PAIR_DROP_DEPTH.set(depth + 1);
        drop(fields);
        if depth == 0 {
            // The outermost drop finishes what deeper ones put aside, each from a shallow stack.
            while let Ok(Some(value)) = DEFERRED_DROPS.try_with(|deferred| deferred.borrow_mut().pop()) {
                drop(value);
            }
        }
        PAIR_DROP_DEPTH.set(depth);
    }
}

pub struct MPair {
    pub car: RefCell<Value>,
    pub cdr: RefCell<Value>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HashKind {
    Equal,
    Eqv,
    Eq,
}

/// A hash table's entries. foldhash with a per-table random seed hashes a short key several
/// times faster than std's SipHash, which dominated table-heavy loops.
pub type TableMap = IndexMap<HashKey, Value, foldhash::fast::RandomState>;

pub struct HashTable {
    pub kind: HashKind,
    pub mutable: bool,
    pub map: RefCell<TableMap>,
}

/// A hash-table key: hashing and comparison follow `equal?`.
#[derive(Clone)]
pub struct HashKey(pub Value);

pub struct Closure {
    pub lambda: Rc<Lambda>,
    pub env: Option<Cc<Frame>>,
}

pub struct Parameter {
    pub id: u64,
    pub value: RefCell<Value>,
    pub guard: Option<Value>,
    pub name: Option<Symbol>,
}

pub struct EscapeContinuation {
    pub id: u64,
    pub active: Cell<bool>,
}

pub enum Promise {
    Delayed(Value),
    Forced(Value),
}

impl Trace for Pair {
    fn trace(&self, tracer: &mut Tracer) {
        self.car.trace(tracer);
        self.cdr.trace(tracer);
    }
}

impl Trace for MPair {
    fn trace(&self, tracer: &mut Tracer) {
        if let Ok(car) = self.car.try_borrow() {
            car.trace(tracer);
        }
        if let Ok(cdr) = self.cdr.try_borrow() {
            cdr.trace(tracer);
        }
    }
}

impl Trace for HashTable {
    fn trace(&self, tracer: &mut Tracer) {
        if let Ok(map) = self.map.try_borrow() {
            for (k, v) in map.iter() {
                k.0.trace(tracer);
                v.trace(tracer);
            }
        }
    }
}

impl Trace for Closure {
    fn trace(&self, tracer: &mut Tracer) {
        if let Some(env) = &self.env {
            env.trace(tracer);
        }
    }
}

impl Trace for Parameter {
    fn trace(&self, tracer: &mut Tracer) {
        self.value.trace(tracer);
        self.guard.trace(tracer);
    }
}

impl Trace for Promise {
    fn trace(&self, tracer: &mut Tracer) {
        match self {
            Promise::Delayed(v) | Promise::Forced(v) => v.trace(tracer),
        }
    }
}

impl Trace for Value {
    fn trace(&self, tracer: &mut Tracer) {
        match self {
            Value::Pair(p) => p.trace(tracer),
            Value::MPair(p) => p.trace(tracer),
            Value::Box(b) => b.trace(tracer),
            Value::Vector(v) => v.trace(tracer),
            Value::Hash(h) => h.trace(tracer),
            Value::Closure(c) => c.trace(tracer),
            Value::Parameter(p) => p.trace(tracer),
            Value::Promise(p) => p.trace(tracer),
            Value::Values(vs) => vs.iter().for_each(|v| v.trace(tracer)),
            _ => {}
        }
    }
}

impl Value {
    pub fn cons(car: Value, cdr: Value) -> Value {
        Value::Pair(Cc::new(Pair { car, cdr }))
    }

    pub fn str(s: &str) -> Value {
        Value::Str(Rc::new(s.to_owned()))
    }

    pub fn string(s: String) -> Value {
        Value::Str(Rc::new(s))
    }

    pub fn sym(name: &str) -> Value {
        Value::Symbol(Symbol::intern(name))
    }

    pub fn vector(items: Vec<Value>) -> Value {
        Value::Vector(Cc::new(RefCell::new(items)))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::list_with_tail(items, Value::Null)
    }

    pub fn list_with_tail(items: Vec<Value>, tail: Value) -> Value {
        items.into_iter().rev().fold(tail, |acc, v| Value::cons(v, acc))
    }

    pub fn from_iter_list(items: impl DoubleEndedIterator<Item = Value>) -> Value {
        items.rev().fold(Value::Null, |acc, v| Value::cons(v, acc))
    }

    pub fn new_hash(kind: HashKind, mutable: bool, entries: impl IntoIterator<Item = (HashKey, Value)>) -> Value {
        let map: TableMap = entries.into_iter().collect();
        Value::Hash(Cc::new(HashTable { kind, mutable, map: RefCell::new(map) }))
    }

    pub fn multiple(mut vals: Vec<Value>) -> Value {
        if vals.len() == 1 {
            vals.pop().unwrap_or(Value::Void)
        } else {
            Value::Values(Rc::new(vals))
        }
    }

    pub fn is_true(&self) -> bool {
        !matches!(self, Value::Bool(false))
    }

    pub fn is_procedure(&self) -> bool {
        matches!(
            self,
            Value::Closure(_) | Value::Primitive(_) | Value::Parameter(_) | Value::Continuation(_)
        )
    }

    pub fn is_list(&self) -> bool {
        let mut cur = self;
        loop {
            match cur {
                Value::Null => return true,
                Value::Pair(p) => cur = &p.cdr,
                _ => return false,
            }
        }
    }

    /// Iterates the elements of a list; stops at the first non-pair tail.
    pub fn iter(&self) -> ListIter {
        ListIter { cur: self.clone() }
    }

    /// The elements of a proper list, or `None` if `self` is not one.
    pub fn list_to_vec(&self) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        let mut cur = self;
        loop {
            match cur {
                Value::Null => return Some(out),
                Value::Pair(p) => {
                    out.push(p.car.clone());
                    cur = &p.cdr;
                }
                _ => return None,
            }
        }
    }

    pub fn as_pair(&self) -> Option<&Pair> {
        match self {
            Value::Pair(p) => Some(p),
            _ => None,
        }
    }

    pub fn as_symbol(&self) -> Option<Symbol> {
        match self {
            Value::Symbol(s) => Some(*s),
            _ => None,
        }
    }

    /// The Racket predicate name that describes this value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Void => "void",
            Value::Null => "null",
            Value::Eof => "eof",
            Value::Undefined => "undefined",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Big(_) => "integer",
            Value::Rat(_) => "rational",
            Value::Float(_) => "flonum",
            Value::Char(_) => "char",
            Value::Symbol(_) => "symbol",
            Value::Keyword(_) => "keyword",
            Value::Str(_) => "string",
            Value::Pair(_) => "pair",
            Value::MPair(_) => "mpair",
            Value::Box(_) => "box",
            Value::Vector(_) => "vector",
            Value::Hash(_) => "hash",
            Value::Closure(_) | Value::Primitive(_) | Value::Parameter(_) | Value::Continuation(_) => {
                "procedure"
            }
            Value::Promise(_) => "promise",
            Value::Values(_) => "values",
            Value::Exn(_) => "exn",
            Value::Port(_) => "port",
            Value::Regex(_) => "regexp",
            Value::Syntax(_) => "syntax",
            Value::Namespace(_) => "namespace",
            Value::Opaque(_) => "opaque",
        }
    }
}

pub struct ListIter {
    cur: Value,
}

impl Iterator for ListIter {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        let (car, cdr) = match &self.cur {
            Value::Pair(p) => (p.car.clone(), p.cdr.clone()),
            _ => return None,
        };
        self.cur = cdr;
        Some(car)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print::write_string(self))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print::display_string(self))
    }
}

#[cfg(test)]
mod drop_tests {
    use super::Value;

    #[test]
    fn long_and_deeply_nested_lists_drop_on_a_small_stack() {
        let small_stack = std::thread::Builder::new().stack_size(1 << 20);
        let worker = small_stack.spawn(|| {
            drop(Value::list((0..1_000_000).map(Value::Int).collect()));
            let mut nested = Value::Null;
            for _ in 0..1_000_000 {
                nested = Value::list(vec![nested]);
            }
            drop(nested);
        });
        worker.expect("spawn").join().expect("the drops fit in 1 MB of stack");
    }
}

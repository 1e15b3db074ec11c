//! Value conversion between Scheme and Python (the table is in the README).
//!
//! Containers are converted element by element with a path of the containers being converted,
//! so a self-containing list or dict (on either side) is an error instead of an endless
//! recursion. Conversion recurses once per level of nesting, so the path is also limited in
//! length: a value nested deeper is an error instead of a stack overflow.

use std::any::Any;
use std::collections::HashSet;
use std::rc::Rc;

use indexmap::IndexMap;
use num_bigint::BigInt;
use num_rational::BigRational;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::error::{show_given, Error, R};
use crate::value::number::{normalize_big, normalize_rat};
use crate::value::{HashKey, HashKind, HashTable, Opaque, Value};

/// How deeply containers may nest, on either side. Each level takes about a kilobyte of the
/// evaluator's 2 GiB stack, which overflows near 2,000,000 levels; data nested this deep is
/// already far beyond what Python's own recursive code (`repr`, `json`, `copy`) handles.
const MAX_DEPTH: usize = 100_000;

/// A Python object held by a Scheme value; it stays alive while Scheme references it.
pub struct PyObjectRef {
    pub object: Py<PyAny>,
    type_name: String,
}

impl PyObjectRef {
    pub fn wrap(object: &Bound<'_, PyAny>) -> Value {
        let type_name = object.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_string());
        Value::Opaque(Rc::new(Box::new(PyObjectRef { object: object.clone().unbind(), type_name })))
    }
}

impl Opaque for PyObjectRef {
    fn type_name(&self) -> String {
        format!("python:{}", self.type_name)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    /// Python's identity (`is`): two references to one object are `eq?`.
    fn identity(&self) -> Option<usize> {
        Some(self.object.as_ptr() as usize)
    }
}

/// The Python object behind a Scheme value, if it is a Python reference.
pub fn as_python_ref(v: &Value) -> Option<&PyObjectRef> {
    match v {
        Value::Opaque(o) => o.as_any().downcast_ref::<PyObjectRef>(),
        _ => None,
    }
}

/// Scheme to Python. `who` names the primitive in error messages.
pub fn to_python<'py>(py: Python<'py>, v: &Value, who: &str) -> R<Bound<'py, PyAny>> {
    ToPython { py, who, path: HashSet::new() }.convert(v)
}

struct ToPython<'py, 'w> {
    py: Python<'py>,
    who: &'w str,
    /// Addresses of the Scheme containers being converted. Only the current path: a container
    /// met again inside itself is a cycle, one met again elsewhere is merely shared.
    path: HashSet<usize>,
}

impl<'py> ToPython<'py, '_> {
    fn convert(&mut self, v: &Value) -> R<Bound<'py, PyAny>> {
        let py = self.py;
        Ok(match v {
            Value::Void => py.None().into_bound(py),
            Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
            Value::Int(i) => PyInt::new(py, *i).into_any(),
            Value::Big(b) => (**b).clone().into_pyobject(py).map_err(py_err)?.into_any(),
            Value::Rat(r) => self.fraction(r)?,
            Value::Float(f) => PyFloat::new(py, *f).into_any(),
            Value::Str(s) => PyString::new(py, s).into_any(),
            Value::Char(c) => PyString::new(py, c.encode_utf8(&mut [0; 4])).into_any(),
            Value::Symbol(s) | Value::Keyword(s) => PyString::new(py, s.name()).into_any(),
            Value::Null => PyList::empty(py).into_any(),
            Value::Pair(_) => {
                let items = v.list_to_vec().ok_or_else(|| self.refuse(v, "an improper list (only proper lists convert)"))?;
                self.within(v, |this| this.list(&items))?
            }
            Value::Vector(items) => {
                let items = items.borrow().clone();
                self.within(v, |this| this.list(&items))?
            }
            Value::Hash(table) => self.within(v, |this| this.dict(table))?,
            Value::Opaque(_) => match as_python_ref(v) {
                Some(r) => r.object.bind(py).clone(),
                None => return Err(self.refuse(v, "a host object that is not a Python reference")),
            },
            Value::Syntax(_) => {
                return Err(Error::contract_msg(
                    self.who,
                    "cannot pass a syntax object (a wrapped model answer) to Python; unwrap it with syntax-e first",
                ))
            }
            Value::Closure(_) | Value::Primitive(_) | Value::Continuation(_) | Value::Parameter(_) => {
                return Err(self.refuse(v, "a procedure (Python cannot call Scheme procedures)"))
            }
            _ => return Err(self.refuse(v, &format!("a value of type {}", v.type_name()))),
        })
    }

    fn list(&mut self, items: &[Value]) -> R<Bound<'py, PyAny>> {
        let converted = items.iter().map(|item| self.convert(item)).collect::<R<Vec<_>>>()?;
        Ok(PyList::new(self.py, converted).map_err(py_err)?.into_any())
    }

    /// Keys that are `equal?`-distinct in Scheme may be equal in Python (`'a` and `"a"`, `1`
    /// and `1.0`); one would silently replace the other, so that is an error.
    fn dict(&mut self, table: &HashTable) -> R<Bound<'py, PyAny>> {
        let entries: Vec<(Value, Value)> = table.map.borrow().iter().map(|(k, v)| (k.0.clone(), v.clone())).collect();
        let dict = PyDict::new(self.py);
        for (k, val) in &entries {
            let key = self.key(k)?;
            if dict.contains(&key).map_err(|e| self.unusable_key(k, e))? {
                return Err(self.collision(&dict, &key, k, &entries));
            }
            dict.set_item(key, self.convert(val)?).map_err(py_err)?;
        }
        Ok(dict.into_any())
    }

    /// A hash key as a dict key. Python lists cannot be dict keys, so lists and vectors become
    /// tuples, recursively: the inverse of tuple keys coming from Python as lists.
    fn key(&mut self, k: &Value) -> R<Bound<'py, PyAny>> {
        let items = match k {
            Value::Null => return Ok(PyTuple::empty(self.py).into_any()),
            Value::Pair(_) => k.list_to_vec(),
            Value::Vector(items) => Some(items.borrow().clone()),
            _ => None,
        };
        let Some(items) = items else { return self.convert(k) };
        self.within(k, |this| {
            let converted = items.iter().map(|item| this.key(item)).collect::<R<Vec<_>>>()?;
            Ok(PyTuple::new(this.py, converted).map_err(py_err)?.into_any())
        })
    }

    fn unusable_key(&self, k: &Value, e: PyErr) -> Error {
        Error::contract_msg(self.who, format!("cannot use a hash key as a Python dict key: {e}\n  key: {}", show_given(k)))
    }

    /// The error for `k` becoming a Python key equal to an earlier entry's. The dict holds
    /// exactly the keys of the entries before `k`, in order, so the earlier entry is found by
    /// position.
    fn collision(&self, dict: &Bound<'py, PyDict>, key: &Bound<'py, PyAny>, k: &Value, entries: &[(Value, Value)]) -> Error {
        let keys = dict.keys();
        let Some((existing, (earlier, _))) = keys.iter().zip(entries).find(|(existing, _)| existing.eq(key).unwrap_or(false))
        else {
            return Error::contract_msg(self.who, format!("two keys become the Python key {}", python_repr(key)));
        };
        let (existing, key) = (python_repr(&existing), python_repr(key));
        let became = if existing == key {
            format!("both become the Python key {key}")
        } else {
            format!("become the equal Python keys {existing} and {key}")
        };
        Error::contract_msg(self.who, format!("keys {} and {} {became}", show_given(earlier), show_given(k)))
    }

    fn fraction(&self, r: &BigRational) -> R<Bound<'py, PyAny>> {
        let fraction = fraction_type(self.py)?;
        fraction.call1((r.numer().clone(), r.denom().clone())).map_err(py_err)
    }

    /// Converts the parts of `container` with `convert`, with `container` on the path.
    fn within<T>(&mut self, container: &Value, convert: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        if self.path.len() == MAX_DEPTH {
            return Err(Error::contract_msg(self.who, format!("cannot convert a value nested more than {MAX_DEPTH} levels deep to Python")));
        }
        let address = container_address(container);
        if !self.path.insert(address) {
            return Err(Error::contract_msg(self.who, "cannot convert a value that contains itself to Python"));
        }
        let result = convert(self);
        self.path.remove(&address);
        result
    }

    fn refuse(&self, v: &Value, what: &str) -> Error {
        Error::contract_msg(self.who, format!("cannot convert {what} to Python\n  given: {}", show_given(v)))
    }
}

fn container_address(v: &Value) -> usize {
    match v {
        Value::Pair(p) => &**p as *const _ as usize,
        Value::Vector(x) => &**x as *const _ as usize,
        Value::Hash(h) => &**h as *const _ as usize,
        _ => 0,
    }
}

/// Python to Scheme.
pub fn from_python(obj: &Bound<'_, PyAny>, who: &str) -> R<Value> {
    FromPython { who, path: HashSet::new() }.convert(obj)
}

struct FromPython<'w> {
    who: &'w str,
    /// The Python containers being converted: only the current path, as in [`ToPython`].
    path: HashSet<*mut pyo3::ffi::PyObject>,
}

impl FromPython<'_> {
    fn convert(&mut self, obj: &Bound<'_, PyAny>) -> R<Value> {
        if obj.is_none() {
            return Ok(Value::Void);
        }
        if let Ok(s) = obj.cast_exact::<PyString>() {
            return Ok(Value::string(python_text(s)));
        }
        if let Ok(b) = obj.cast::<PyBool>() {
            return Ok(Value::Bool(b.is_true()));
        }
        if let Ok(i) = obj.cast::<PyInt>() {
            return Ok(match i.extract::<i64>() {
                Ok(small) => Value::Int(small),
                Err(_) => normalize_big(i.extract::<BigInt>().map_err(py_err)?),
            });
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            return Ok(Value::Float(f.value()));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(Value::string(python_text(s)));
        }
        if let Ok(list) = obj.cast::<PyList>() {
            // Consing from the end builds the list without an intermediate vector. An item that
            // vanished meanwhile (Python code run by a conversion shrank the list) is skipped.
            return self.within(obj, |this| {
                let mut result = Value::Null;
                for i in (0..list.len()).rev() {
                    let Ok(item) = list.get_item(i) else { continue };
                    result = Value::cons(this.convert(&item)?, result);
                }
                Ok(result)
            });
        }
        if let Ok(tuple) = obj.cast::<PyTuple>() {
            return self.within(obj, |this| {
                let mut result = Value::Null;
                for item in tuple.iter().rev() {
                    result = Value::cons(this.convert(&item)?, result);
                }
                Ok(result)
            });
        }
        if let Ok(dict) = obj.cast::<PyDict>() {
            return self.within(obj, |this| {
                let mut map = IndexMap::with_capacity(dict.len());
                for (k, v) in dict.iter() {
                    let key = match k.cast::<PyString>() {
                        Ok(s) => Value::sym(&python_text(s)),
                        Err(_) => this.convert(&k)?,
                    };
                    map.insert(HashKey(key), this.convert(&v)?);
                }
                Ok(Value::new_hash(HashKind::Equal, false, map))
            });
        }
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Value::string(String::from_utf8_lossy(b.as_bytes()).into_owned()));
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Value::string(String::from_utf8_lossy(&b.to_vec()).into_owned()));
        }
        if let Some(r) = fraction_parts(obj)? {
            return Ok(normalize_rat(r));
        }
        Ok(PyObjectRef::wrap(obj))
    }

    /// Converts the parts of `container` with `convert`, with `container` on the path.
    fn within<T>(&mut self, container: &Bound<'_, PyAny>, convert: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        let type_name = || container.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        if self.path.len() == MAX_DEPTH {
            return Err(Error::fail(format!(
                "{}: cannot convert a Python {} nested more than {MAX_DEPTH} levels deep",
                self.who,
                type_name()
            )));
        }
        if !self.path.insert(container.as_ptr()) {
            return Err(Error::fail(format!("{}: cannot convert a Python {} that contains itself", self.who, type_name())));
        }
        let result = convert(self);
        self.path.remove(&container.as_ptr());
        result
    }
}

fn python_repr(obj: &Bound<'_, PyAny>) -> String {
    obj.repr().map(|r| python_text(&r)).unwrap_or_default()
}

/// A Python string as Rust text. Python strings may hold lone surrogates, which UTF-8 cannot:
/// each becomes one U+FFFD.
pub fn python_text(s: &Bound<'_, PyString>) -> String {
    if let Ok(text) = s.to_str() {
        return text.to_string();
    }
    let utf16: Vec<u16> = s
        .call_method1("encode", ("utf-16-le", "surrogatepass"))
        .and_then(|b| b.extract::<Vec<u8>>())
        .map(|bytes| bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect())
        .unwrap_or_default();
    String::from_utf16_lossy(&utf16)
}

/// `fractions.Fraction`, imported once: every value that is none of the common types is
/// checked against it.
fn fraction_type(py: Python<'_>) -> R<&Bound<'_, PyType>> {
    static FRACTION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    FRACTION.import(py, "fractions", "Fraction").map_err(py_err)
}

fn fraction_parts(obj: &Bound<'_, PyAny>) -> R<Option<BigRational>> {
    if !obj.is_instance(fraction_type(obj.py())?).map_err(py_err)? {
        return Ok(None);
    }
    let numer: BigInt = obj.getattr("numerator").and_then(|n| n.extract()).map_err(py_err)?;
    let denom: BigInt = obj.getattr("denominator").and_then(|n| n.extract()).map_err(py_err)?;
    Ok(Some(BigRational::new(numer, denom)))
}

/// A Python error met while converting (rare: out of memory, a broken `__index__`).
fn py_err(e: PyErr) -> Error {
    Error::fail(format!("Python conversion failed: {e}"))
}

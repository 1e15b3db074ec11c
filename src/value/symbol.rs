//! Interned symbols: a symbol is a thin pointer to its leaked, unique name, so comparing two
//! symbols is a pointer comparison and a symbol is as cheap to copy as an integer.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

#[derive(Clone, Copy)]
pub struct Symbol(&'static &'static str);

static TABLE: Mutex<Option<HashMap<&'static str, Symbol>>> = Mutex::new(None);

fn leak(name: &str) -> &'static &'static str {
    Box::leak(Box::new(&*Box::leak(name.to_owned().into_boxed_str())))
}

impl Symbol {
    pub fn intern(name: &str) -> Symbol {
        let mut guard = TABLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let table = guard.get_or_insert_with(HashMap::new);
        if let Some(existing) = table.get(name) {
            return *existing;
        }
        let sym = Symbol(leak(name));
        table.insert(sym.name(), sym);
        sym
    }

    /// A symbol that is not `eq?` to any other (`gensym`, hygiene renames).
    pub fn uninterned(name: &str) -> Symbol {
        Symbol(leak(name))
    }

    pub fn name(self) -> &'static str {
        self.0
    }

    pub fn is_interned(self) -> bool {
        let guard = TABLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.as_ref().and_then(|t| t.get(self.name())).is_some_and(|s| *s == self)
    }

    fn ptr(self) -> *const &'static str {
        self.0
    }
}

impl PartialEq for Symbol {
    fn eq(&self, other: &Symbol) -> bool {
        std::ptr::eq(self.ptr(), other.ptr())
    }
}

impl Eq for Symbol {}

impl std::hash::Hash for Symbol {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.ptr() as usize).hash(state)
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_gives_identical_symbols() {
        assert_eq!(Symbol::intern("abc"), Symbol::intern(&String::from("abc")));
        assert_ne!(Symbol::intern("abc"), Symbol::intern("abd"));
        assert_ne!(Symbol::uninterned("abc"), Symbol::intern("abc"));
    }
}

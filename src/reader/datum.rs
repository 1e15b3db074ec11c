//! What the reader produces: data with a source span on every node. The compiler and the
//! macro expander work on these so errors can point at the exact place in the source.

use crate::error::Span;
use crate::value::{Symbol, Value};

#[derive(Clone, Debug)]
pub struct Datum {
    pub kind: DatumKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum DatumKind {
    /// A proper list, possibly empty. `'x` reads as the list `(quote x)`.
    List(Vec<Datum>),
    /// `(a b . c)`: at least one element before the dot.
    Dotted(Vec<Datum>, Box<Datum>),
    Vector(Vec<Datum>),
    Symbol(Symbol),
    /// Self-evaluating data: numbers, strings, characters, booleans, keywords, regexps.
    Atom(Value),
}

impl Datum {
    pub fn new(kind: DatumKind, span: Span) -> Datum {
        Datum { kind, span }
    }

    pub fn symbol(name: &str, span: Span) -> Datum {
        Datum::new(DatumKind::Symbol(Symbol::intern(name)), span)
    }

    pub fn list(items: Vec<Datum>, span: Span) -> Datum {
        Datum::new(DatumKind::List(items), span)
    }

    pub fn as_symbol(&self) -> Option<Symbol> {
        match &self.kind {
            DatumKind::Symbol(s) => Some(*s),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Datum]> {
        match &self.kind {
            DatumKind::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_symbol(&self, name: &str) -> bool {
        self.as_symbol().is_some_and(|s| s.name() == name)
    }

    pub fn keyword(&self) -> Option<Symbol> {
        match &self.kind {
            DatumKind::Atom(Value::Keyword(k)) => Some(*k),
            _ => None,
        }
    }
}

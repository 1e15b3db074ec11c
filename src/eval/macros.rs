//! `syntax-rules` macros, and the conversions between spanned data and runtime values.
//!
//! Hygiene works by renaming: every symbol a template introduces becomes a fresh alias of the
//! original name. A binding form in the expansion binds the alias, so it cannot capture the
//! user's variables; an alias that nothing in the expansion binds falls back to its original
//! name, so templates can still refer to globals and special forms.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::error::{Error, Span, R};
use crate::reader::{Datum, DatumKind};
use crate::value::{Symbol, Value};

thread_local! {
    static ALIASES: RefCell<HashMap<Symbol, Symbol>> = RefCell::new(HashMap::new());
}

/// The symbol an alias was made from, if `sym` is an alias.
pub fn alias_of(sym: Symbol) -> Option<Symbol> {
    ALIASES.with(|a| a.borrow().get(&sym).copied())
}

/// The user-visible name behind any chain of aliases.
pub fn base_name(mut sym: Symbol) -> Symbol {
    while let Some(orig) = alias_of(sym) {
        sym = orig;
    }
    sym
}

fn make_alias(sym: Symbol) -> Symbol {
    let alias = Symbol::uninterned(sym.name());
    ALIASES.with(|a| a.borrow_mut().insert(alias, sym));
    alias
}

/// Quoted data: aliases turn back into the names the user wrote.
pub fn datum_to_value(d: &Datum) -> Value {
    match &d.kind {
        DatumKind::Symbol(s) => Value::Symbol(base_name(*s)),
        DatumKind::Atom(v) => v.clone(),
        DatumKind::List(items) => Value::from_iter_list(items.iter().map(datum_to_value)),
        DatumKind::Dotted(items, tail) => {
            Value::list_with_tail(items.iter().map(datum_to_value).collect(), datum_to_value(tail))
        }
        DatumKind::Vector(items) => Value::vector(items.iter().map(datum_to_value).collect()),
    }
}

/// Runtime data as code (for `eval`); every node gets `span`.
pub fn value_to_datum(v: &Value, span: Span) -> Datum {
    match v {
        Value::Symbol(s) => Datum::new(DatumKind::Symbol(*s), span),
        Value::Pair(_) => {
            let mut items = Vec::new();
            let mut cur = v.clone();
            loop {
                match cur {
                    Value::Pair(p) => {
                        items.push(value_to_datum(&p.car, span));
                        cur = p.cdr.clone();
                    }
                    Value::Null => return Datum::new(DatumKind::List(items), span),
                    tail => return Datum::new(DatumKind::Dotted(items, Box::new(value_to_datum(&tail, span))), span),
                }
            }
        }
        Value::Null => Datum::new(DatumKind::List(Vec::new()), span),
        Value::Vector(items) => {
            Datum::new(DatumKind::Vector(items.borrow().iter().map(|x| value_to_datum(x, span)).collect()), span)
        }
        other => Datum::new(DatumKind::Atom(other.clone()), span),
    }
}

pub struct Macro {
    literals: Vec<Symbol>,
    ellipsis: Symbol,
    rules: Vec<(Datum, Datum)>,
}

#[derive(Clone, Debug)]
enum Binding {
    One(Datum),
    Many(Vec<Binding>),
}

type Bindings = HashMap<Symbol, Binding>;

fn bad(msg: &str, d: &Datum) -> Error {
    Error::syntax("syntax-rules", msg, d.span)
}

impl Macro {
    /// Builds a macro from `(syntax-rules (literal ...) [pattern template] ...)`, also with a
    /// custom ellipsis `(syntax-rules ::: (literal ...) ...)`.
    pub fn from_spec(spec: &Datum) -> R<Macro> {
        let items = spec.as_list().ok_or_else(|| bad("expected (syntax-rules (literal ...) [pattern template] ...)", spec))?;
        if items.is_empty() || !items[0].is_symbol("syntax-rules") {
            return Err(bad("only syntax-rules transformers are supported", spec));
        }
        let (ellipsis, rest) = match items.get(1).and_then(|d| d.as_symbol()) {
            Some(custom) => (custom, &items[2..]),
            None => (Symbol::intern("..."), &items[1..]),
        };
        let literals = rest
            .first()
            .and_then(|l| l.as_list())
            .ok_or_else(|| bad("missing literals list", spec))?
            .iter()
            .map(|l| l.as_symbol().map(base_name).ok_or_else(|| bad("literal is not an identifier", l)))
            .collect::<R<Vec<_>>>()?;
        let mut rules = Vec::new();
        for rule in &rest[1..] {
            let parts = rule.as_list().filter(|p| p.len() == 2).ok_or_else(|| bad("bad rule: expected [pattern template]", rule))?;
            rules.push((parts[0].clone(), parts[1].clone()));
        }
        Ok(Macro { literals, ellipsis, rules })
    }

    pub fn expand(&self, form: &Datum) -> R<Datum> {
        for (pattern, template) in &self.rules {
            let mut b = Bindings::new();
            let matched = match (&pattern.kind, &form.kind) {
                (DatumKind::List(p), DatumKind::List(f)) if !p.is_empty() && !f.is_empty() => {
                    self.match_seq(&p[1..], None, &f[1..], None, &mut b)
                }
                (DatumKind::Dotted(p, pt), DatumKind::List(f)) if !p.is_empty() && !f.is_empty() => {
                    self.match_seq(&p[1..], Some(pt), &f[1..], None, &mut b)
                }
                (DatumKind::Dotted(p, pt), DatumKind::Dotted(f, ft)) if !p.is_empty() && !f.is_empty() => {
                    self.match_seq(&p[1..], Some(pt), &f[1..], Some(ft), &mut b)
                }
                (DatumKind::Symbol(_), _) => true,
                _ => false,
            };
            if matched {
                let mut renames = HashMap::new();
                return self.instantiate(template, &b, &mut renames, form.span);
            }
        }
        let name = form.as_list().and_then(|l| l.first()).and_then(|h| h.as_symbol()).map_or("macro", |s| base_name(s).name());
        Err(Error::syntax(name, "bad syntax (no pattern matched)", form.span))
    }

    fn is_ellipsis(&self, d: &Datum) -> bool {
        d.as_symbol().is_some_and(|s| base_name(s) == self.ellipsis)
    }

    fn match_one(&self, pat: &Datum, form: &Datum, b: &mut Bindings) -> bool {
        match &pat.kind {
            DatumKind::Symbol(s) => {
                let name = base_name(*s);
                if name.name() == "_" {
                    return true;
                }
                if self.literals.contains(&name) {
                    return form.as_symbol().is_some_and(|f| base_name(f) == name);
                }
                b.insert(*s, Binding::One(form.clone()));
                true
            }
            DatumKind::List(ps) => match &form.kind {
                DatumKind::List(fs) => self.match_seq(ps, None, fs, None, b),
                DatumKind::Dotted(fs, ft) => self.match_seq(ps, None, fs, Some(ft), b),
                _ => false,
            },
            DatumKind::Dotted(ps, pt) => match &form.kind {
                DatumKind::List(fs) => self.match_seq(ps, Some(pt), fs, None, b),
                DatumKind::Dotted(fs, ft) => self.match_seq(ps, Some(pt), fs, Some(ft), b),
                _ => false,
            },
            DatumKind::Vector(ps) => match &form.kind {
                DatumKind::Vector(fs) => self.match_seq(ps, None, fs, None, b),
                _ => false,
            },
            DatumKind::Atom(v) => match &form.kind {
                DatumKind::Atom(w) => crate::value::equal::equal(v, w),
                _ => false,
            },
        }
    }

    /// Matches a sequence of patterns (one may be followed by an ellipsis) against a sequence
    /// of forms; `ptail`/`ftail` are the parts after a dot.
    fn match_seq(&self, ps: &[Datum], ptail: Option<&Datum>, fs: &[Datum], ftail: Option<&Datum>, b: &mut Bindings) -> bool {
        let ellipsis_at = ps.iter().position(|p| self.is_ellipsis(p));
        match ellipsis_at {
            Some(e) if e > 0 => {
                let before = &ps[..e - 1];
                let repeated = &ps[e - 1];
                let after = &ps[e + 1..];
                let min = before.len() + after.len();
                if fs.len() < min || (ptail.is_none() && ftail.is_some()) {
                    return false;
                }
                let n_rep = fs.len() - min;
                for (p, f) in before.iter().zip(fs) {
                    if !self.match_one(p, f, b) {
                        return false;
                    }
                }
                let mut reps: Vec<Bindings> = Vec::with_capacity(n_rep);
                for f in &fs[before.len()..before.len() + n_rep] {
                    let mut rb = Bindings::new();
                    if !self.match_one(repeated, f, &mut rb) {
                        return false;
                    }
                    reps.push(rb);
                }
                for var in self.pattern_vars(repeated) {
                    let seq = reps.iter().map(|rb| rb.get(&var).cloned().unwrap_or(Binding::Many(Vec::new()))).collect();
                    b.insert(var, Binding::Many(seq));
                }
                for (p, f) in after.iter().zip(&fs[before.len() + n_rep..]) {
                    if !self.match_one(p, f, b) {
                        return false;
                    }
                }
                self.match_tail(ptail, &[], ftail, b)
            }
            _ => {
                if fs.len() < ps.len() {
                    return false;
                }
                for (p, f) in ps.iter().zip(fs) {
                    if !self.match_one(p, f, b) {
                        return false;
                    }
                }
                self.match_tail(ptail, &fs[ps.len()..], ftail, b)
            }
        }
    }

    fn match_tail(&self, ptail: Option<&Datum>, rest: &[Datum], ftail: Option<&Datum>, b: &mut Bindings) -> bool {
        match ptail {
            None => rest.is_empty() && ftail.is_none(),
            Some(pt) => {
                let span = pt.span;
                let remainder = match ftail {
                    None => Datum::new(DatumKind::List(rest.to_vec()), span),
                    Some(ft) if rest.is_empty() => ft.clone(),
                    Some(ft) => Datum::new(DatumKind::Dotted(rest.to_vec(), Box::new(ft.clone())), span),
                };
                self.match_one(pt, &remainder, b)
            }
        }
    }

    fn pattern_vars(&self, pat: &Datum) -> Vec<Symbol> {
        let mut out = Vec::new();
        self.collect_vars(pat, &mut out);
        out
    }

    fn collect_vars(&self, pat: &Datum, out: &mut Vec<Symbol>) {
        match &pat.kind {
            DatumKind::Symbol(s) => {
                let name = base_name(*s);
                if name != self.ellipsis && name.name() != "_" && !self.literals.contains(&name) {
                    out.push(*s);
                }
            }
            DatumKind::List(items) | DatumKind::Vector(items) => items.iter().for_each(|i| self.collect_vars(i, out)),
            DatumKind::Dotted(items, tail) => {
                items.iter().for_each(|i| self.collect_vars(i, out));
                self.collect_vars(tail, out);
            }
            DatumKind::Atom(_) => {}
        }
    }

    fn instantiate(&self, t: &Datum, b: &Bindings, renames: &mut HashMap<Symbol, Symbol>, span: Span) -> R<Datum> {
        match &t.kind {
            DatumKind::Symbol(s) => match b.get(s) {
                Some(Binding::One(d)) => Ok(d.clone()),
                Some(Binding::Many(_)) => Err(bad("pattern variable used without an ellipsis", t)),
                None => {
                    let alias = *renames.entry(*s).or_insert_with(|| make_alias(*s));
                    Ok(Datum::new(DatumKind::Symbol(alias), t.span))
                }
            },
            DatumKind::Atom(_) => Ok(t.clone()),
            DatumKind::List(items) => {
                if items.len() == 2 && self.is_ellipsis(&items[0]) {
                    return Ok(items[1].clone());
                }
                Ok(Datum::new(DatumKind::List(self.instantiate_seq(items, b, renames, span)?), t.span))
            }
            DatumKind::Vector(items) => Ok(Datum::new(DatumKind::Vector(self.instantiate_seq(items, b, renames, span)?), t.span)),
            DatumKind::Dotted(items, tail) => {
                let head = self.instantiate_seq(items, b, renames, span)?;
                let tail = self.instantiate(tail, b, renames, span)?;
                Ok(match tail.kind {
                    DatumKind::List(rest) => {
                        let mut all = head;
                        all.extend(rest);
                        Datum::new(DatumKind::List(all), t.span)
                    }
                    DatumKind::Dotted(rest, tt) => {
                        let mut all = head;
                        all.extend(rest);
                        Datum::new(DatumKind::Dotted(all, tt), t.span)
                    }
                    _ => Datum::new(DatumKind::Dotted(head, Box::new(tail)), t.span),
                })
            }
        }
    }

    fn instantiate_seq(&self, items: &[Datum], b: &Bindings, renames: &mut HashMap<Symbol, Symbol>, span: Span) -> R<Vec<Datum>> {
        let mut out = Vec::with_capacity(items.len());
        let mut i = 0;
        while i < items.len() {
            let item = &items[i];
            let mut depth = 0;
            while items.get(i + 1 + depth).is_some_and(|d| self.is_ellipsis(d)) {
                depth += 1;
            }
            if depth == 0 {
                out.push(self.instantiate(item, b, renames, span)?);
                i += 1;
                continue;
            }
            let mut results = vec![(b.clone(), item.clone())];
            for _ in 0..depth {
                let mut next = Vec::new();
                for (env, it) in results {
                    next.extend(self.unroll(&it, &env)?.into_iter().map(|e| (e, it.clone())));
                }
                results = next;
            }
            for (env, it) in results {
                out.push(self.instantiate(&it, &env, renames, span)?);
            }
            i += 1 + depth;
        }
        Ok(out)
    }

    /// One binding environment per repetition of the ellipsis variables in `t`.
    fn unroll(&self, t: &Datum, b: &Bindings) -> R<Vec<Bindings>> {
        let vars: Vec<Symbol> = self.template_vars(t).into_iter().filter(|v| matches!(b.get(v), Some(Binding::Many(_)))).collect();
        if vars.is_empty() {
            return Err(bad("no pattern variables before ellipsis in template", t));
        }
        let len = vars
            .iter()
            .filter_map(|v| match b.get(v) {
                Some(Binding::Many(items)) => Some(items.len()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            let mut env = b.clone();
            for v in &vars {
                if let Some(Binding::Many(items)) = b.get(v) {
                    match items.get(i) {
                        Some(item) => env.insert(*v, item.clone()),
                        None => return Err(bad("incompatible ellipsis match counts for template", t)),
                    };
                }
            }
            out.push(env);
        }
        Ok(out)
    }

    fn template_vars(&self, t: &Datum) -> Vec<Symbol> {
        let mut out = Vec::new();
        self.collect_template_vars(t, &mut out);
        out
    }

    fn collect_template_vars(&self, t: &Datum, out: &mut Vec<Symbol>) {
        match &t.kind {
            DatumKind::Symbol(s) => out.push(*s),
            DatumKind::List(items) | DatumKind::Vector(items) => items.iter().for_each(|i| self.collect_template_vars(i, out)),
            DatumKind::Dotted(items, tail) => {
                items.iter().for_each(|i| self.collect_template_vars(i, out));
                self.collect_template_vars(tail, out);
            }
            DatumKind::Atom(_) => {}
        }
    }
}

//! Derived forms, rewritten into core forms before compilation: `let*`, `cond`, `case`,
//! `when`, `unless`, `do`, `quasiquote`, `parameterize`, `with-handlers`, `delay`, `let/ec`,
//! `define-syntax-rule` and the `for` family. Temporaries are uninterned symbols, and
//! builtins are referenced as constants, so expansions cannot collide with user names.

use crate::error::{Error, Span, R};
use crate::reader::{Datum, DatumKind};
use crate::value::{Symbol, Value};

const DERIVED: &[&str] = &[
    "let*",
    "let*-values",
    "cond",
    "case",
    "when",
    "unless",
    "do",
    "quasiquote",
    "parameterize",
    "with-handlers",
    "with-handlers*",
    "delay",
    "lazy",
    "delay/force",
    "let/ec",
    "begin0",
    "define-syntax-rule",
    "unquote",
    "unquote-splicing",
    "for",
    "for*",
    "for/list",
    "for*/list",
    "for/vector",
    "for*/vector",
    "for/fold",
    "for*/fold",
    "for/hash",
    "for*/hash",
    "for/hasheq",
    "for*/hasheq",
    "for/sum",
    "for*/sum",
    "for/product",
    "for*/product",
    "for/and",
    "for*/and",
    "for/or",
    "for*/or",
    "for/first",
    "for*/first",
    "for/last",
    "for*/last",
    "for/count",
    "for*/count",
];

pub fn is_derived_form(name: &str) -> bool {
    DERIVED.contains(&name)
}

/// Builds data for an expansion, every node carrying the span of the form being expanded.
struct B {
    span: Span,
}

impl B {
    fn sym(&self, name: &str) -> Datum {
        Datum::symbol(name, self.span)
    }
    fn tmp(&self, name: &str) -> Datum {
        Datum::new(DatumKind::Symbol(Symbol::uninterned(name)), self.span)
    }
    fn list(&self, items: Vec<Datum>) -> Datum {
        Datum::list(items, self.span)
    }
    fn atom(&self, v: Value) -> Datum {
        Datum::new(DatumKind::Atom(v), self.span)
    }
    /// A reference to a builtin that user definitions cannot shadow.
    fn prim(&self, name: &str) -> Datum {
        match crate::builtins::lookup(name) {
            Some(p) => self.atom(Value::Primitive(p)),
            None => self.sym(name),
        }
    }
    fn call(&self, name: &str, args: Vec<Datum>) -> Datum {
        let mut items = vec![self.prim(name)];
        items.extend(args);
        self.list(items)
    }
    fn form(&self, head: &str, rest: Vec<Datum>) -> Datum {
        let mut items = vec![self.sym(head)];
        items.extend(rest);
        self.list(items)
    }
    fn quote(&self, d: Datum) -> Datum {
        self.form("quote", vec![d])
    }
    fn lambda(&self, params: Vec<Datum>, body: Vec<Datum>) -> Datum {
        let mut items = vec![self.sym("lambda"), self.list(params)];
        items.extend(body);
        self.list(items)
    }
    fn begin(&self, body: Vec<Datum>) -> Datum {
        self.form("begin", body)
    }
    fn let_(&self, bindings: Vec<(Datum, Datum)>, body: Vec<Datum>) -> Datum {
        let bs = bindings.into_iter().map(|(n, v)| self.list(vec![n, v])).collect();
        let mut items = vec![self.sym("let"), self.list(bs)];
        items.extend(body);
        self.list(items)
    }
    fn if_(&self, c: Datum, t: Datum, e: Datum) -> Datum {
        self.form("if", vec![c, t, e])
    }
    fn values(&self, items: Vec<Datum>) -> Datum {
        if items.len() == 1 {
            return items.into_iter().next().unwrap_or_else(|| self.atom(Value::Void));
        }
        self.call("values", items)
    }
}

fn bad(who: &str, d: &Datum) -> Error {
    Error::syntax(who, "bad syntax", d.span)
}

pub fn expand(name: &str, form: &Datum) -> R<Datum> {
    let items = form.as_list().ok_or_else(|| bad(name, form))?;
    let b = B { span: form.span };
    match name {
        "let*" => expand_let_star(&b, items, form, "let"),
        "let*-values" => expand_let_star(&b, items, form, "let-values"),
        "when" | "unless" => {
            if items.len() < 3 {
                return Err(bad(name, form));
            }
            let body = b.begin(items[2..].to_vec());
            let void = b.atom(Value::Void);
            Ok(if name == "when" { b.if_(items[1].clone(), body, void) } else { b.if_(items[1].clone(), void, body) })
        }
        "cond" => expand_cond(&b, &items[1..]),
        "case" => expand_case(&b, items, form),
        "do" => expand_do(&b, items, form),
        "quasiquote" => {
            if items.len() != 2 {
                return Err(bad(name, form));
            }
            quasi(&b, &items[1], 1)
        }
        "unquote" | "unquote-splicing" => Err(Error::syntax(name, "not in quasiquote", form.span)),
        "parameterize" => {
            let bindings = items.get(1).and_then(|d| d.as_list()).filter(|_| items.len() >= 3).ok_or_else(|| bad(name, form))?;
            let mut params = Vec::new();
            let mut values = Vec::new();
            for binding in bindings {
                let pv = binding.as_list().filter(|p| p.len() == 2).ok_or_else(|| bad(name, binding))?;
                params.push(pv[0].clone());
                values.push(pv[1].clone());
            }
            Ok(b.call(
                "%parameterize",
                vec![b.call("list", params), b.call("list", values), b.lambda(vec![], items[2..].to_vec())],
            ))
        }
        "with-handlers" | "with-handlers*" => {
            let clauses = items.get(1).and_then(|d| d.as_list()).filter(|_| items.len() >= 3).ok_or_else(|| bad(name, form))?;
            let mut preds = Vec::new();
            let mut handlers = Vec::new();
            for clause in clauses {
                let ph = clause.as_list().filter(|p| p.len() == 2).ok_or_else(|| bad(name, clause))?;
                preds.push(ph[0].clone());
                handlers.push(ph[1].clone());
            }
            Ok(b.call(
                "%with-handlers",
                vec![b.call("list", preds), b.call("list", handlers), b.lambda(vec![], items[2..].to_vec())],
            ))
        }
        "delay" | "lazy" | "delay/force" => {
            if items.len() < 2 {
                return Err(bad(name, form));
            }
            Ok(b.call("%make-promise", vec![b.lambda(vec![], items[1..].to_vec())]))
        }
        "let/ec" => {
            if items.len() < 3 || items[1].as_symbol().is_none() {
                return Err(bad(name, form));
            }
            Ok(b.call("call/ec", vec![b.lambda(vec![items[1].clone()], items[2..].to_vec())]))
        }
        "begin0" => {
            if items.len() < 2 {
                return Err(bad(name, form));
            }
            let t = b.tmp("result");
            let mut body = items[2..].to_vec();
            body.push(t.clone());
            Ok(b.let_(vec![(t, items[1].clone())], body))
        }
        "define-syntax-rule" => {
            let pattern = items.get(1).filter(|_| items.len() == 3).ok_or_else(|| bad(name, form))?;
            let macro_name = match &pattern.kind {
                DatumKind::List(p) | DatumKind::Dotted(p, _) if !p.is_empty() => p[0].clone(),
                _ => return Err(bad(name, form)),
            };
            let rules = b.form("syntax-rules", vec![b.list(vec![]), b.list(vec![pattern.clone(), items[2].clone()])]);
            Ok(b.form("define-syntax", vec![macro_name, rules]))
        }
        _ => expand_for(&b, name, items, form),
    }
}

fn expand_let_star(b: &B, items: &[Datum], form: &Datum, inner: &str) -> R<Datum> {
    let bindings = items.get(1).and_then(|d| d.as_list()).filter(|_| items.len() >= 3).ok_or_else(|| bad("let*", form))?;
    let mut body = b.form("let", vec![b.list(vec![])]);
    if let DatumKind::List(parts) = &mut body.kind {
        parts.extend(items[2..].iter().cloned());
    }
    for binding in bindings.iter().rev() {
        body = b.form(inner, vec![b.list(vec![binding.clone()]), body]);
    }
    Ok(body)
}

fn expand_cond(b: &B, clauses: &[Datum]) -> R<Datum> {
    let Some((first, rest)) = clauses.split_first() else {
        return Ok(b.atom(Value::Void));
    };
    let parts = first.as_list().filter(|p| !p.is_empty()).ok_or_else(|| bad("cond", first))?;
    if parts[0].is_symbol("else") {
        if !rest.is_empty() {
            return Err(Error::syntax("cond", "`else` clause must be last", first.span));
        }
        return Ok(b.form("let", {
            let mut v = vec![b.list(vec![])];
            v.extend(parts[1..].iter().cloned());
            v
        }));
    }
    let otherwise = expand_cond(b, rest)?;
    if parts.len() == 1 {
        let t = b.tmp("test");
        return Ok(b.let_(vec![(t.clone(), parts[0].clone())], vec![b.if_(t.clone(), t, otherwise)]));
    }
    if parts.len() == 3 && parts[1].is_symbol("=>") {
        let t = b.tmp("test");
        let call = b.list(vec![parts[2].clone(), t.clone()]);
        return Ok(b.let_(vec![(t.clone(), parts[0].clone())], vec![b.if_(t, call, otherwise)]));
    }
    let body = b.form("let", {
        let mut v = vec![b.list(vec![])];
        v.extend(parts[1..].iter().cloned());
        v
    });
    Ok(b.if_(parts[0].clone(), body, otherwise))
}

fn expand_case(b: &B, items: &[Datum], form: &Datum) -> R<Datum> {
    if items.len() < 2 {
        return Err(bad("case", form));
    }
    let key = b.tmp("key");
    let mut clauses = Vec::new();
    for clause in &items[2..] {
        let parts = clause.as_list().filter(|p| p.len() >= 2).ok_or_else(|| bad("case", clause))?;
        if parts[0].is_symbol("else") {
            clauses.push(clause.clone());
            continue;
        }
        let data = parts[0].as_list().ok_or_else(|| bad("case", clause))?;
        let test = b.call("%case-member", vec![key.clone(), b.quote(b.list(data.to_vec()))]);
        let mut new_clause = vec![test];
        new_clause.extend(parts[1..].iter().cloned());
        clauses.push(b.list(new_clause));
    }
    let cond = b.form("cond", clauses);
    Ok(b.let_(vec![(key, items[1].clone())], vec![cond]))
}

/// `(do ([var init step] ...) (test result ...) body ...)` as a named `let`.
fn expand_do(b: &B, items: &[Datum], form: &Datum) -> R<Datum> {
    let specs = items.get(1).and_then(|d| d.as_list()).ok_or_else(|| bad("do", form))?;
    let exit = items.get(2).and_then(|d| d.as_list()).filter(|e| !e.is_empty()).ok_or_else(|| bad("do", form))?;
    let lp = b.tmp("do-loop");
    let mut bindings = Vec::new();
    let mut steps = Vec::new();
    for spec in specs {
        let parts = spec.as_list().filter(|p| p.len() == 2 || p.len() == 3).ok_or_else(|| bad("do", spec))?;
        bindings.push(b.list(vec![parts[0].clone(), parts[1].clone()]));
        steps.push(parts.get(2).unwrap_or(&parts[0]).clone());
    }
    let result = if exit.len() > 1 { b.begin(exit[1..].to_vec()) } else { b.atom(Value::Void) };
    let mut again = vec![lp.clone()];
    again.extend(steps);
    let mut body = items[3..].to_vec();
    body.push(b.list(again));
    let looped = b.if_(exit[0].clone(), result, b.begin(body));
    Ok(b.form("let", vec![lp, b.list(bindings), looped]))
}

fn quasi(b: &B, d: &Datum, depth: usize) -> R<Datum> {
    if !has_unquote(d) {
        return Ok(b.quote(d.clone()));
    }
    match &d.kind {
        DatumKind::List(items) if items.len() == 2 && items[0].is_symbol("unquote") => {
            if depth == 1 {
                Ok(items[1].clone())
            } else {
                Ok(b.call("list", vec![b.quote(items[0].clone()), quasi(b, &items[1], depth - 1)?]))
            }
        }
        DatumKind::List(items) if items.len() == 2 && items[0].is_symbol("quasiquote") => {
            Ok(b.call("list", vec![b.quote(items[0].clone()), quasi(b, &items[1], depth + 1)?]))
        }
        DatumKind::List(items) => quasi_seq(b, items, None, depth),
        DatumKind::Dotted(items, tail) => quasi_seq(b, items, Some(tail), depth),
        DatumKind::Vector(items) => Ok(b.call("list->vector", vec![quasi_seq(b, items, None, depth)?])),
        _ => Ok(b.quote(d.clone())),
    }
}

fn quasi_seq(b: &B, items: &[Datum], tail: Option<&Datum>, depth: usize) -> R<Datum> {
    let mut segments = Vec::new();
    let mut run = Vec::new();
    for item in items {
        let splice = item.as_list().filter(|p| p.len() == 2 && p[0].is_symbol("unquote-splicing"));
        match splice {
            Some(p) if depth == 1 => {
                if !run.is_empty() {
                    segments.push(b.call("list", std::mem::take(&mut run)));
                }
                segments.push(p[1].clone());
            }
            Some(p) => run.push(b.call("list", vec![b.quote(p[0].clone()), quasi(b, &p[1], depth - 1)?])),
            None => run.push(quasi(b, item, depth)?),
        }
    }
    if !run.is_empty() {
        segments.push(b.call("list", run));
    }
    if let Some(t) = tail {
        segments.push(quasi(b, t, depth)?);
    }
    Ok(match segments.len() {
        0 => b.quote(b.list(vec![])),
        1 if tail.is_none() && !items.iter().any(|i| i.as_list().is_some_and(|p| p.len() == 2 && p[0].is_symbol("unquote-splicing"))) => {
            segments.pop().unwrap_or_else(|| b.quote(b.list(vec![])))
        }
        _ => b.call("append", segments),
    })
}

fn has_unquote(d: &Datum) -> bool {
    match &d.kind {
        DatumKind::List(items) | DatumKind::Vector(items) => {
            items.iter().any(|i| i.is_symbol("unquote") || i.is_symbol("unquote-splicing") || has_unquote(i))
        }
        DatumKind::Dotted(items, tail) => items.iter().any(has_unquote) || has_unquote(tail),
        _ => false,
    }
}

enum Clause {
    Bind(Vec<(Vec<Datum>, Datum)>),
    When(Datum),
    Unless(Datum),
    Break(Datum),
    Final(Datum),
}

/// How a `for` result is accumulated: initial accumulators, the step that folds one body
/// result in, and the final transformation.
struct Plan {
    accs: Vec<Datum>,
    inits: Vec<Datum>,
    step: Datum,
    finish: Datum,
    needs_escape: bool,
}

fn expand_for(b: &B, name: &str, items: &[Datum], form: &Datum) -> R<Datum> {
    let star = name.starts_with("for*");
    let kind = name.split('/').nth(1).unwrap_or("");
    let (accum_spec, mut clauses_at) = if kind == "fold" { (items.get(1), 2) } else { (None, 1) };
    let mut length_limit = None;
    while kind == "vector" && items.get(clauses_at).and_then(|d| d.keyword()).is_some() {
        if items[clauses_at].keyword().is_some_and(|k| k.name() == "length") {
            length_limit = items.get(clauses_at + 1).cloned();
        }
        clauses_at += 2;
    }
    let mut clause_list = items.get(clauses_at).and_then(|d| d.as_list()).ok_or_else(|| bad(name, form))?.to_vec();
    if let Some(limit) = length_limit {
        let counter = b.list(vec![b.tmp("index"), b.list(vec![b.sym("in-range"), limit])]);
        clause_list.insert(0, counter);
    }
    let body: Vec<Datum> = items[clauses_at + 1..].to_vec();
    if body.is_empty() {
        return Err(Error::syntax(name, "missing body", form.span));
    }
    let clauses = parse_clauses(&clause_list, star, name)?;
    let escape = b.tmp("escape");
    let stop = b.tmp("stop");
    let body_var = b.tmp("body");
    let mut plan = plan_for(b, kind, accum_spec, body_var.clone(), &escape, form)?;
    let body_keywords: Vec<&str> = body.iter().filter_map(|d| d.keyword()).map(|k| k.name()).collect();
    let body_value = body_expr(b, &body, &plan.accs, &escape, &stop, name)?;
    plan.step = b.let_(vec![(body_var, body_value)], vec![plan.step]);
    let has_break = clauses.iter().any(|c| matches!(c, Clause::Break(_))) || body_keywords.contains(&"break");
    let has_final = clauses.iter().any(|c| matches!(c, Clause::Final(_))) || body_keywords.contains(&"final");
    let loop_expr = gen_loops(b, &clauses, &plan, &escape, has_final.then_some(&stop))?;
    let init_bindings: Vec<Datum> = plan.accs.iter().zip(&plan.inits).map(|(a, i)| b.list(vec![a.clone(), i.clone()])).collect();
    let inner = if plan.needs_escape || has_break {
        b.call("call/ec", vec![b.lambda(vec![escape], vec![loop_expr])])
    } else {
        loop_expr
    };
    let run = b.form("let-values", vec![b.list(vec![b.list(vec![b.list(plan.accs.clone()), inner])]), plan.finish]);
    let with_accs = b.form("let", vec![b.list(init_bindings), run]);
    Ok(if has_final { b.let_(vec![(stop, b.atom(Value::Bool(false)))], vec![with_accs]) } else { with_accs })
}

/// A `for` body, which may contain `#:break guard` and `#:final guard` among its forms.
fn body_expr(b: &B, forms: &[Datum], accs: &[Datum], escape: &Datum, stop: &Datum, name: &str) -> R<Datum> {
    let Some(i) = forms.iter().position(|d| d.keyword().is_some()) else {
        return Ok(b.form("let", {
            let mut v = vec![b.list(vec![])];
            v.extend(forms.iter().cloned());
            v
        }));
    };
    let keyword = forms[i].keyword().map(|k| k.name()).unwrap_or("");
    let guard = forms.get(i + 1).ok_or_else(|| Error::syntax(name, "missing expression after body keyword", forms[i].span))?;
    let rest = &forms[i + 2..];
    if rest.is_empty() {
        return Err(Error::syntax(name, "missing body expression after a #:break or #:final clause", forms[i].span));
    }
    let rest_expr = body_expr(b, rest, accs, escape, stop, name)?;
    let guarded = match keyword {
        "break" => {
            let mut leave = vec![escape.clone()];
            leave.extend(accs.iter().cloned());
            b.if_(guard.clone(), b.list(leave), rest_expr)
        }
        "final" => b.begin(vec![b.if_(guard.clone(), b.form("set!", vec![stop.clone(), b.atom(Value::Bool(true))]), b.atom(Value::Void)), rest_expr]),
        other => return Err(Error::syntax(name, &format!("unknown body keyword #:{other}"), forms[i].span)),
    };
    let mut v = vec![b.list(vec![])];
    v.extend(forms[..i].iter().cloned());
    v.push(guarded);
    Ok(b.form("let", v))
}

fn parse_clauses(list: &[Datum], star: bool, name: &str) -> R<Vec<Clause>> {
    let mut out: Vec<Clause> = Vec::new();
    let mut i = 0;
    while i < list.len() {
        let c = &list[i];
        if let Some(k) = c.keyword() {
            let e = list.get(i + 1).ok_or_else(|| bad(name, c))?.clone();
            out.push(match k.name() {
                "when" => Clause::When(e),
                "unless" => Clause::Unless(e),
                "break" => Clause::Break(e),
                "final" => Clause::Final(e),
                other => return Err(Error::syntax(name, &format!("unknown clause keyword #:{other}"), c.span)),
            });
            i += 2;
            continue;
        }
        let parts = c.as_list().filter(|p| p.len() == 2).ok_or_else(|| Error::syntax(name, "bad sequence binding clause", c.span))?;
        let vars = match &parts[0].kind {
            DatumKind::Symbol(_) => vec![parts[0].clone()],
            DatumKind::List(vs) if vs.iter().all(|v| v.as_symbol().is_some()) => vs.clone(),
            _ => return Err(Error::syntax(name, "bad sequence binding clause", c.span)),
        };
        let binding = (vars, parts[1].clone());
        match out.last_mut() {
            Some(Clause::Bind(group)) if !star => group.push(binding),
            _ => out.push(Clause::Bind(vec![binding])),
        }
        i += 1;
    }
    Ok(out)
}

fn plan_for(b: &B, kind: &str, accum_spec: Option<&Datum>, body: Datum, escape: &Datum, form: &Datum) -> R<Plan> {
    let acc = b.tmp("acc");
    let v = b.tmp("v");
    let single = |init: Datum, step: Datum, finish: Datum, needs_escape: bool| Plan {
        accs: vec![acc.clone()],
        inits: vec![init],
        step,
        finish,
        needs_escape,
    };
    Ok(match kind {
        "" => single(b.atom(Value::Void), b.begin(vec![body, acc.clone()]), b.atom(Value::Void), false),
        "list" => single(b.quote(b.list(vec![])), b.call("cons", vec![body, acc.clone()]), b.call("reverse", vec![acc.clone()]), false),
        "vector" => single(
            b.quote(b.list(vec![])),
            b.call("cons", vec![body, acc.clone()]),
            b.call("list->vector", vec![b.call("reverse", vec![acc.clone()])]),
            false,
        ),
        "sum" => single(b.atom(Value::Int(0)), b.call("+", vec![acc.clone(), body]), acc.clone(), false),
        "product" => single(b.atom(Value::Int(1)), b.call("*", vec![acc.clone(), body]), acc.clone(), false),
        "count" => single(
            b.atom(Value::Int(0)),
            b.if_(body, b.call("+", vec![acc.clone(), b.atom(Value::Int(1))]), acc.clone()),
            acc.clone(),
            false,
        ),
        "and" => single(
            b.atom(Value::Bool(true)),
            b.let_(vec![(v.clone(), body)], vec![b.if_(v.clone(), v.clone(), b.list(vec![escape.clone(), b.atom(Value::Bool(false))]))]),
            acc.clone(),
            true,
        ),
        "or" => single(
            b.atom(Value::Bool(false)),
            b.let_(vec![(v.clone(), body)], vec![b.if_(v.clone(), b.list(vec![escape.clone(), v.clone()]), b.atom(Value::Bool(false)))]),
            acc.clone(),
            true,
        ),
        "first" => single(b.atom(Value::Bool(false)), b.list(vec![escape.clone(), body]), acc.clone(), true),
        "last" => single(b.atom(Value::Bool(false)), body, acc.clone(), false),
        "hash" | "hasheq" => {
            let (k, val) = (b.tmp("k"), b.tmp("val"));
            let maker = if kind == "hash" { "make-hash" } else { "make-hasheq" };
            let store = b.form(
                "let-values",
                vec![
                    b.list(vec![b.list(vec![b.list(vec![k.clone(), val.clone()]), body])]),
                    b.call("hash-set!", vec![acc.clone(), k, val]),
                    acc.clone(),
                ],
            );
            single(b.call(maker, vec![]), store, b.call("%hash->immutable", vec![acc.clone()]), false)
        }
        "fold" => {
            let spec = accum_spec.and_then(|d| d.as_list()).ok_or_else(|| bad("for/fold", form))?;
            let mut accs = Vec::new();
            let mut inits = Vec::new();
            let mut result = None;
            let mut i = 0;
            while i < spec.len() {
                if spec[i].keyword().is_some_and(|k| k.name() == "result") {
                    result = spec.get(i + 1).cloned();
                    i += 2;
                    continue;
                }
                let pair = spec[i].as_list().filter(|p| p.len() == 2).ok_or_else(|| bad("for/fold", &spec[i]))?;
                accs.push(pair[0].clone());
                inits.push(pair[1].clone());
                i += 1;
            }
            if accs.is_empty() {
                return Err(Error::syntax("for/fold", "expected at least one accumulator", form.span));
            }
            let finish = result.unwrap_or_else(|| b.values(accs.clone()));
            Plan { accs, inits, step: body, finish, needs_escape: false }
        }
        other => return Err(Error::syntax(&format!("for/{other}"), "unsupported for form", form.span)),
    })
}

/// One sequence clause turned into loop pieces: bindings made once before the loop, the
/// position variable and its start, the test for more elements, the element(s), the step.
struct SeqLoop {
    setup: Vec<(Datum, Datum)>,
    pos: Datum,
    start: Datum,
    more: Datum,
    element: Datum,
    next: Datum,
}

fn seq_loop(b: &B, vars: usize, seq: &Datum) -> SeqLoop {
    let pos = b.tmp("pos");
    let (head, args) = match seq.as_list() {
        Some(items) if !items.is_empty() && items[0].as_symbol().is_some() => {
            (items[0].as_symbol().map(|s| crate::eval::macros::base_name(s).name()).unwrap_or(""), &items[1..])
        }
        _ => ("", &[][..]),
    };
    let one = b.atom(Value::Int(1));
    match (head, args.len()) {
        ("in-range", 1..=3) => {
            let (start, end, step) = match args.len() {
                1 => (b.atom(Value::Int(0)), args[0].clone(), None),
                2 => (args[0].clone(), args[1].clone(), None),
                _ => (args[0].clone(), args[1].clone(), Some(args[2].clone())),
            };
            let end_t = b.tmp("end");
            let positive_literal = match &step {
                None => true,
                Some(d) => matches!(&d.kind, DatumKind::Atom(Value::Int(n)) if *n > 0),
            };
            let step_t = b.tmp("step");
            let mut setup = vec![(end_t.clone(), end)];
            let step_ref = match step {
                Some(s) => {
                    setup.push((step_t.clone(), s));
                    step_t
                }
                None => one,
            };
            let more = if positive_literal {
                b.call("<", vec![pos.clone(), end_t])
            } else {
                b.call("%range-more?", vec![pos.clone(), end_t, step_ref.clone()])
            };
            SeqLoop { setup, start, more, element: pos.clone(), next: b.call("+", vec![pos.clone(), step_ref]), pos }
        }
        // A chunk stream is read one chunk per iteration, never as a whole.
        ("file-chunks", 2) | ("stdin-chunks", 1) | ("in-chunks", 1) => {
            let stream = b.tmp("chunks");
            let next = b.call("next-chunk", vec![stream.clone()]);
            SeqLoop {
                setup: vec![(stream, seq.clone())],
                start: next.clone(),
                more: b.call("not", vec![b.call("eof-object?", vec![pos.clone()])]),
                element: pos.clone(),
                next,
                pos,
            }
        }
        ("in-naturals", 0..=1) => SeqLoop {
            setup: vec![],
            start: args.first().cloned().unwrap_or_else(|| b.atom(Value::Int(0))),
            more: b.atom(Value::Bool(true)),
            element: pos.clone(),
            next: b.call("+", vec![pos.clone(), one]),
            pos,
        },
        ("in-vector", 1..=3) | ("in-string", 1..=3) => {
            let (len, get) = if head == "in-vector" { ("vector-length", "vector-ref") } else { ("string-length", "string-ref") };
            let (coll, n) = (b.tmp("coll"), b.tmp("len"));
            let end = args.get(2).cloned().unwrap_or_else(|| b.call(len, vec![coll.clone()]));
            SeqLoop {
                setup: vec![(coll.clone(), args[0].clone()), (n.clone(), end)],
                start: args.get(1).cloned().unwrap_or_else(|| b.atom(Value::Int(0))),
                more: b.call("<", vec![pos.clone(), n]),
                element: b.call(get, vec![coll, pos.clone()]),
                next: b.call("+", vec![pos.clone(), one]),
                pos,
            }
        }
        _ => {
            let start = match (head, args.len()) {
                ("in-list", 1) => args[0].clone(),
                ("in-hash", 1) | ("in-hash-pairs", 1) => b.call("hash->list", vec![args[0].clone()]),
                ("in-hash-keys", 1) => b.call("hash-keys", vec![args[0].clone()]),
                ("in-hash-values", 1) => b.call("hash-values", vec![args[0].clone()]),
                _ => b.call("%sequence->list", vec![seq.clone()]),
            };
            let first = b.call("car", vec![pos.clone()]);
            let element = if vars == 2 && head != "in-hash-pairs" { b.call("%pair->values", vec![first]) } else { first };
            SeqLoop {
                setup: vec![],
                start,
                more: b.call("pair?", vec![pos.clone()]),
                element,
                next: b.call("cdr", vec![pos.clone()]),
                pos,
            }
        }
    }
}

/// The nested loops of a `for`; `stop`, when present, is the flag `#:final` sets to end
/// every loop after the current iteration.
fn gen_loops(b: &B, clauses: &[Clause], plan: &Plan, escape: &Datum, stop: Option<&Datum>) -> R<Datum> {
    let Some((first, rest)) = clauses.split_first() else {
        return Ok(plan.step.clone());
    };
    let keep = || b.values(plan.accs.clone());
    match first {
        Clause::When(e) => Ok(b.if_(e.clone(), gen_loops(b, rest, plan, escape, stop)?, keep())),
        Clause::Unless(e) => Ok(b.if_(e.clone(), keep(), gen_loops(b, rest, plan, escape, stop)?)),
        Clause::Break(e) => {
            let mut leave = vec![escape.clone()];
            leave.extend(plan.accs.iter().cloned());
            Ok(b.if_(e.clone(), b.list(leave), gen_loops(b, rest, plan, escape, stop)?))
        }
        Clause::Final(e) => {
            let flag = stop.cloned().unwrap_or_else(|| b.tmp("stop"));
            let mark = b.if_(e.clone(), b.form("set!", vec![flag, b.atom(Value::Bool(true))]), b.atom(Value::Void));
            Ok(b.begin(vec![mark, gen_loops(b, rest, plan, escape, stop)?]))
        }
        Clause::Bind(group) => {
            let lp = b.tmp("for-loop");
            let loops: Vec<(Vec<Datum>, SeqLoop)> = group.iter().map(|(vars, seq)| (vars.clone(), seq_loop(b, vars.len(), seq))).collect();
            let mut setup = Vec::new();
            let mut params = Vec::new();
            let mut more = Vec::new();
            let mut elements = Vec::new();
            let mut nexts = Vec::new();
            for acc in &plan.accs {
                params.push(b.list(vec![acc.clone(), acc.clone()]));
            }
            for (vars, sl) in loops {
                setup.extend(sl.setup);
                params.push(b.list(vec![sl.pos.clone(), sl.start]));
                more.push(sl.more);
                elements.push(b.list(vec![b.list(vars), sl.element]));
                nexts.push(sl.next);
            }
            let inner = gen_loops(b, rest, plan, escape, stop)?;
            let mut again = vec![lp.clone()];
            again.extend(plan.accs.iter().cloned());
            again.extend(nexts);
            let step = b.form(
                "let-values",
                vec![b.list(vec![b.list(vec![b.list(plan.accs.clone()), inner])]), b.list(again)],
            );
            let body = b.form("let-values", vec![b.list(elements), step]);
            if let Some(flag) = stop {
                more.insert(0, b.call("not", vec![flag.clone()]));
            }
            let test = if more.len() == 1 { more.pop().unwrap_or_else(|| b.atom(Value::Bool(true))) } else { b.form("and", more) };
            let looped = b.form("let", vec![lp, b.list(params), b.if_(test, body, keep())]);
            Ok(if setup.is_empty() { looped } else { b.form("let*", vec![b.list(setup.into_iter().map(|(n, v)| b.list(vec![n, v])).collect()), looped]) })
        }
    }
}

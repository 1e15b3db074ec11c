//! Control: procedures and application, multiple values, exceptions, parameters, escape
//! continuations, `dynamic-wind`, promises, `eval`, and the runtime helpers that derived forms
//! (`with-handlers`, `parameterize`, `for`, `case`, `delay`) expand into.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gcmodule::Cc;

use crate::builtins::args;
use crate::builtins::{Primitive, MANY};
use crate::error::{Error, ExnKind, Signal, Span, R};
use crate::eval::exec::spread_apply_args;
use crate::eval::macros::value_to_datum;
use crate::interp::{Globals, Interp};
use crate::value::print::print_string;
use crate::value::{EscapeContinuation, Parameter, Promise, Value};

pub static PRIMITIVES: &[Primitive] = &[
    Primitive::new("apply", 2, MANY, apply, "Calls a procedure with the given arguments and the elements of a final list."),
    Primitive::new("values", 0, MANY, values, "Returns its arguments as multiple values."),
    Primitive::new("call-with-values", 2, 2, call_with_values, "Calls a producer thunk and passes its values to a consumer."),
    Primitive::new("void", 0, MANY, |_, _| Ok(Value::Void), "Ignores its arguments and returns the void value."),
    Primitive::new("void?", 1, 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Void))), "Is the value void?"),
    Primitive::new("procedure?", 1, 1, |_, a| Ok(Value::Bool(a[0].is_procedure())), "Is the value a procedure?"),
    Primitive::new("boolean?", 1, 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Bool(_)))), "Is the value #t or #f?"),
    Primitive::new("boolean=?", 2, MANY, boolean_eq, "Are all the booleans the same?"),
    Primitive::new("symbol=?", 2, MANY, symbol_eq, "Are all the symbols the same?"),
    Primitive::new("false?", 1, 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Bool(false)))), "Is the value #f?"),
    Primitive::new("xor", 2, 2, |_, a| Ok(match (a[0].is_true(), a[1].is_true()) {
        (true, false) => a[0].clone(),
        (false, true) => a[1].clone(),
        _ => Value::Bool(false),
    }), "The true one of two values if exactly one is true, else #f."),
    Primitive::new("nand", 0, MANY, |_, a| Ok(Value::Bool(!a.iter().all(Value::is_true))), "#t unless every argument is true."),
    Primitive::new("nor", 0, MANY, |_, a| Ok(Value::Bool(!a.iter().any(Value::is_true))), "#t if no argument is true."),
    Primitive::new("implies", 2, 2, |_, a| Ok(if a[0].is_true() { a[1].clone() } else { Value::Bool(true) }), "#t if the first is false, else the second."),
    Primitive::new("procedure-arity-includes?", 2, 2, procedure_arity_includes, "Does the procedure accept that many arguments?"),
    Primitive::new("not", 1, 1, |_, a| Ok(Value::Bool(!a[0].is_true())), "#t if the value is #f, else #f."),
    Primitive::new("error", 1, MANY, error, "Raises exn:fail: (error 'who \"format\" v ...), (error \"message\" v ...) or (error 'sym)."),
    Primitive::new("raise", 1, 2, raise, "Raises any value as an exception."),
    Primitive::new("raise-argument-error", 3, MANY, raise_argument_error, "Raises a contract violation for a bad argument."),
    Primitive::new("raise-user-error", 1, MANY, raise_user_error, "Like error, but raises exn:fail:user."),
    Primitive::new("exn-message", 1, 1, exn_message, "The message of an exception."),
    Primitive::new("exn?", 1, 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Exn(_)))), "Is the value an exception?"),
    Primitive::new("exn:fail?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k.is_fail())), "Is the value an exn:fail exception?"),
    Primitive::new("exn:fail:contract?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k.is_contract())), "Is the value a contract violation?"),
    Primitive::new("exn:fail:contract:divide-by-zero?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k == ExnKind::DivideByZero)), "Is the value a division-by-zero error?"),
    Primitive::new("exn:fail:contract:arity?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k == ExnKind::Arity)), "Is the value an arity error?"),
    Primitive::new("exn:fail:contract:variable?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k == ExnKind::Variable)), "Is the value an unbound-variable error?"),
    Primitive::new("exn:fail:user?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k == ExnKind::User)), "Is the value a user error?"),
    Primitive::new("exn:fail:read?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k == ExnKind::Read)), "Is the value a reader error?"),
    Primitive::new("exn:fail:syntax?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k == ExnKind::Syntax)), "Is the value a syntax error?"),
    Primitive::new("exn:fail:filesystem?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k == ExnKind::Filesystem)), "Is the value a filesystem error?"),
    Primitive::new("exn:break?", 1, 1, |_, a| Ok(exn_is(&a[0], |k| k == ExnKind::Break)), "Is the value a break (Ctrl-C)?"),
    Primitive::new("make-exn:fail", 2, 2, |_, a| make_exn(ExnKind::Fail, a), "Creates an exn:fail value with a message."),
    Primitive::new("make-exn:fail:user", 2, 2, |_, a| make_exn(ExnKind::User, a), "Creates an exn:fail:user value with a message."),
    Primitive::new("make-exn:fail:contract", 2, 2, |_, a| make_exn(ExnKind::Contract, a), "Creates an exn:fail:contract value with a message."),
    Primitive::new("current-continuation-marks", 0, 0, |_, _| Ok(Value::Void), "Continuation marks (rlmsh keeps none; accepted for exception constructors)."),
    Primitive::new("parameter?", 1, 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Parameter(_)))), "Is the value a parameter?"),
    Primitive::new("promise-forced?", 1, 1, promise_forced, "Has the promise been forced?"),
    Primitive::new("keyword-apply", 4, MANY, keyword_apply, "Calls a procedure with keyword arguments from two lists, then positional ones."),
    Primitive::new("make-parameter", 1, 2, make_parameter, "Creates a parameter with an initial value and an optional guard."),
    Primitive::new("dynamic-wind", 3, 3, dynamic_wind, "Calls before, thunk and after; after runs however thunk exits."),
    Primitive::new("call/ec", 1, 1, call_ec, "Calls a procedure with an escape continuation."),
    Primitive::new("call-with-escape-continuation", 1, 1, call_ec, "Calls a procedure with an escape continuation."),
    Primitive::new("call/cc", 1, 1, call_ec, "Calls a procedure with its continuation (escape-only in rlmsh)."),
    Primitive::new("call-with-current-continuation", 1, 1, call_ec, "Calls a procedure with its continuation (escape-only in rlmsh)."),
    Primitive::new("force", 1, 1, force, "The value of a promise, computing it on first use."),
    Primitive::new("promise?", 1, 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Promise(_)))), "Is the value a promise?"),
    Primitive::new("eval", 1, 2, eval, "Evaluates a datum as code, in the current or a given namespace."),
    Primitive::new("make-base-namespace", 0, 0, make_base_namespace, "A fresh top-level environment with the standard bindings."),
    Primitive::new("%with-handlers", 3, 3, with_handlers, "Runtime support for with-handlers."),
    Primitive::new("%parameterize", 3, 3, parameterize, "Runtime support for parameterize."),
    Primitive::new("%make-promise", 1, 1, |_, a| Ok(Value::Promise(Cc::new(RefCell::new(Promise::Delayed(a[0].clone()))))), "Runtime support for delay."),
    Primitive::new("%case-member", 2, 2, case_member, "Runtime support for case."),
    Primitive::new("%range-more?", 3, 3, range_more, "Runtime support for in-range with a computed step."),
    Primitive::new("%sequence->list", 1, 1, sequence_to_list, "Runtime support for for loops over a general sequence."),
    Primitive::new("%pair->values", 1, 1, pair_to_values, "Runtime support for two-variable for clauses."),
    Primitive::new("%hash->immutable", 1, 1, hash_to_immutable, "Runtime support for for/hash."),
];

fn apply(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let (f, args) = spread_apply_args(a.to_vec())?;
    interp.apply(&f, args)
}

fn values(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::multiple(a.to_vec()))
}

fn call_with_values(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let produced = interp.apply(&a[0], Vec::new())?;
    let args = match produced {
        Value::Values(vs) => vs.iter().cloned().collect(),
        single => vec![single],
    };
    interp.apply(&a[1], args)
}

fn error(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let message = match (&a[0], a.len()) {
        (Value::Symbol(s), 1) => format!("error: {}", s.name()),
        (Value::Symbol(s), _) => {
            let fmt = args::string("error", &a[1])?;
            format!("{}: {}", s.name(), crate::builtins::strings::format_string(interp, "error", fmt, &a[2..])?)
        }
        (Value::Str(msg), _) => {
            let mut m = msg.to_string();
            for v in &a[1..] {
                m.push(' ');
                m.push_str(&print_string(v));
            }
            m
        }
        (other, _) => return Err(Error::contract("error", "(or/c symbol? string?)", other)),
    };
    Err(Error::new(ExnKind::Fail, message))
}

fn raise_user_error(interp: &mut Interp, a: &[Value]) -> R<Value> {
    match error(interp, a) {
        Err(e) => match e.exn() {
            Some(exn) => Err(Error::new(ExnKind::User, exn.message.clone())),
            None => Err(e),
        },
        ok => ok,
    }
}

fn raise(_: &mut Interp, a: &[Value]) -> R<Value> {
    Err(Error::raise(a[0].clone()))
}

fn raise_argument_error(_: &mut Interp, a: &[Value]) -> R<Value> {
    let who = match &a[0] {
        Value::Symbol(s) => s.name().to_string(),
        other => return Err(Error::contract("raise-argument-error", "symbol?", other)),
    };
    let expected = args::string("raise-argument-error", &a[1])?;
    if a.len() == 3 {
        return Err(Error::contract(&who, expected, &a[2]));
    }
    let pos = args::index("raise-argument-error", &a[2])?;
    let rest = &a[3..];
    if pos >= rest.len() {
        return Err(Error::contract("raise-argument-error", "a valid argument position", &a[2]));
    }
    Err(Error::argument(&who, expected, rest, pos))
}

fn exn_message(_: &mut Interp, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Exn(e) => Ok(Value::str(&e.message)),
        other => Err(Error::contract("exn-message", "exn?", other)),
    }
}

fn exn_is(v: &Value, pred: impl Fn(ExnKind) -> bool) -> Value {
    Value::Bool(matches!(v, Value::Exn(e) if pred(e.kind)))
}

fn make_parameter(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let guard = match a.get(1) {
        Some(g) => Some(args::procedure("make-parameter", g)?.clone()),
        None => None,
    };
    Ok(Value::Parameter(Cc::new(Parameter {
        id: interp.new_id(),
        value: RefCell::new(a[0].clone()),
        guard,
        name: None,
    })))
}

fn parameterize(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let params = args::list("parameterize", &a[0])?;
    let values = args::list("parameterize", &a[1])?;
    let mut bindings = Vec::with_capacity(params.len());
    for (p, v) in params.iter().zip(values) {
        let Value::Parameter(param) = p else {
            return Err(Error::contract("parameterize", "parameter?", p));
        };
        let v = match &param.guard {
            Some(guard) => interp.apply(guard, vec![v])?,
            None => v,
        };
        bindings.push((param.id, Rc::new(RefCell::new(v))));
    }
    let depth = interp.param_stack.len();
    interp.param_stack.extend(bindings);
    let result = interp.apply(&a[2], Vec::new());
    interp.param_stack.truncate(depth);
    result
}

fn with_handlers(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let depth = interp.param_stack.len();
    match interp.apply(&a[2], Vec::new()).map_err(Error::into_signal) {
        Err(Signal::Raise(raised)) => {
            interp.param_stack.truncate(depth);
            let preds = args::list("with-handlers", &a[0])?;
            let handlers = args::list("with-handlers", &a[1])?;
            for (pred, handler) in preds.iter().zip(&handlers) {
                if interp.apply(pred, vec![raised.clone()])?.is_true() {
                    return interp.apply(handler, vec![raised]);
                }
            }
            Err(Error::raise(raised))
        }
        Err(other) => Err(other.into()),
        Ok(v) => Ok(v),
    }
}

fn dynamic_wind(interp: &mut Interp, a: &[Value]) -> R<Value> {
    interp.apply(&a[0], Vec::new())?;
    let result = interp.apply(&a[1], Vec::new());
    interp.apply(&a[2], Vec::new())?;
    result
}

fn call_ec(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let id = interp.new_id();
    let k = Rc::new(EscapeContinuation { id, active: Cell::new(true) });
    let depth = interp.param_stack.len();
    let result = interp.apply(&a[0], vec![Value::Continuation(k.clone())]);
    k.active.set(false);
    match result.map_err(Error::into_signal) {
        Err(Signal::Escape { id: target, value }) if target == id => {
            interp.param_stack.truncate(depth);
            Ok(value)
        }
        Err(other) => Err(other.into()),
        Ok(v) => Ok(v),
    }
}

fn force(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let Value::Promise(p) = &a[0] else {
        return Ok(a[0].clone());
    };
    let thunk = match &*p.borrow() {
        Promise::Forced(v) => return Ok(v.clone()),
        Promise::Delayed(thunk) => thunk.clone(),
    };
    let mut v = interp.apply(&thunk, Vec::new())?;
    while let Value::Promise(inner) = &v {
        let next = force(interp, &[Value::Promise(inner.clone())])?;
        v = next;
    }
    if let Promise::Forced(existing) = &*p.borrow() {
        return Ok(existing.clone());
    }
    *p.borrow_mut() = Promise::Forced(v.clone());
    Ok(v)
}

fn eval(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let globals = match a.get(1) {
        None => interp.globals.clone(),
        Some(Value::Namespace(g)) => g.clone(),
        Some(other) => return Err(Error::contract("eval", "namespace?", other)),
    };
    let datum = value_to_datum(&a[0], Span::default());
    interp.eval_datum_in(&globals, &datum)
}

fn make_base_namespace(interp: &mut Interp, _: &[Value]) -> R<Value> {
    let globals = Rc::new(Globals::default());
    crate::eval::prelude::install_into(interp, &globals)?;
    Ok(Value::Namespace(globals))
}

fn case_member(_: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::Bool(a[1].iter().any(|d| crate::value::equal::equal(&a[0], &d))))
}

fn range_more(_: &mut Interp, a: &[Value]) -> R<Value> {
    use crate::value::number::{gt2, lt2};
    let descending = lt2(&a[2], &Value::Int(0))?;
    Ok(Value::Bool(if descending { gt2(&a[0], &a[1])? } else { lt2(&a[0], &a[1])? }))
}

fn sequence_to_list(_: &mut Interp, a: &[Value]) -> R<Value> {
    let v = &a[0];
    match v {
        Value::Null | Value::Pair(_) => Ok(v.clone()),
        Value::Vector(items) => Ok(Value::list(items.borrow().clone())),
        Value::Str(s) => Ok(Value::from_iter_list(s.chars().map(Value::Char).collect::<Vec<_>>().into_iter())),
        Value::Hash(h) => {
            let pairs: Vec<Value> = h.map.borrow().iter().map(|(k, v)| Value::cons(k.0.clone(), v.clone())).collect();
            Ok(Value::list(pairs))
        }
        Value::Int(n) if *n >= 0 => Ok(Value::from_iter_list((0..*n).map(Value::Int).collect::<Vec<_>>().into_iter())),
        // Turning a stream into a list would read all of its input at once.
        other if crate::builtins::chunks::stream_of(other).is_some() => Err(Error::contract_msg(
            "for",
            format!("a chunk stream is read lazily when its clause names it: (for ([chunk (in-chunks S)]) ...)\n  given: {other}"),
        )),
        other => Err(Error::contract("for", "sequence?", other)),
    }
}

fn pair_to_values(_: &mut Interp, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Pair(p) => Ok(Value::multiple(vec![p.car.clone(), p.cdr.clone()])),
        other => Err(Error::contract("for", "pair?", other)),
    }
}

fn hash_to_immutable(_: &mut Interp, a: &[Value]) -> R<Value> {
    let h = args::hash("for/hash", &a[0])?;
    Ok(Value::new_hash(h.kind, false, h.map.borrow().clone()))
}

fn procedure_arity_includes(_: &mut Interp, a: &[Value]) -> R<Value> {
    let n = args::index("procedure-arity-includes?", &a[1])?;
    let accepts = match &a[0] {
        Value::Primitive(p) => n >= p.min && n <= p.max,
        Value::Closure(c) if c.lambda.cases.is_empty() => c.lambda.accepts(n),
        Value::Closure(c) => c.lambda.cases.iter().any(|l| l.accepts(n)),
        Value::Parameter(_) => n <= 1,
        Value::Continuation(_) => true,
        other => return Err(Error::contract("procedure-arity-includes?", "procedure?", other)),
    };
    Ok(Value::Bool(accepts))
}

fn boolean_eq(_: &mut Interp, a: &[Value]) -> R<Value> {
    all_equal("boolean=?", a, args::boolean)
}

fn symbol_eq(_: &mut Interp, a: &[Value]) -> R<Value> {
    all_equal("symbol=?", a, args::symbol)
}

/// Whether every argument equals the first, each checked by `arg` up to the first mismatch.
fn all_equal<T: PartialEq>(who: &str, a: &[Value], arg: fn(&str, &Value) -> R<T>) -> R<Value> {
    let first = arg(who, &a[0])?;
    for v in &a[1..] {
        if arg(who, v)? != first {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn make_exn(kind: ExnKind, a: &[Value]) -> R<Value> {
    let message = args::string("make-exn", &a[0])?;
    Ok(crate::error::exn_value(kind, message))
}

fn promise_forced(_: &mut Interp, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Promise(p) => Ok(Value::Bool(matches!(*p.borrow(), Promise::Forced(_)))),
        other => Err(Error::contract("promise-forced?", "promise?", other)),
    }
}

/// `(keyword-apply f '(#:a #:b) (list va vb) v ... lst)`.
fn keyword_apply(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let keys = args::list("keyword-apply", &a[1])?;
    let vals = args::list("keyword-apply", &a[2])?;
    if keys.len() != vals.len() {
        return Err(Error::contract_msg("keyword-apply", "keyword list and value list have different lengths"));
    }
    let mut keywords = Vec::with_capacity(keys.len());
    for (k, v) in keys.iter().zip(vals) {
        match k {
            Value::Keyword(k) => keywords.push((*k, v)),
            other => return Err(Error::contract("keyword-apply", "(listof keyword?)", other)),
        }
    }
    let mut positional = vec![a[0].clone()];
    positional.extend(a[3..].iter().cloned());
    let (f, args) = spread_apply_args(positional)?;
    interp.apply_kw(&f, args, keywords)
}

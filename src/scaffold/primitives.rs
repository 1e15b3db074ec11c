//! `finish`, `finish-var`, `checkpoint` and `restore`.

use super::{checkpoint_dir, checkpoints, context_slot};
use crate::builtins::{args, Primitive};
use crate::error::{Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::{Symbol, Value};

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("finish", 1, 1, |_, a| Err(Error::finish(a[0].clone())),
        "Ends the program at once, from any depth, with the value as its result (printed with display)."),
    Primitive::new("finish-var", 1, 1, finish_var,
        "Ends the program with the value of the Scheme variable NAME, or else of the Python global NAME."),
    Primitive::new("checkpoint", 2, 2, checkpoint,
        "Saves a value (strings, numbers, booleans, void, lists, vectors, hashes) under a string key, atomically; returns the value."),
    Primitive::new("restore", 1, 1, restore, "Returns the value saved under a key by checkpoint, or #f."),
    Primitive::new("get-context", 1, 1, get_context, "Returns the context slot NAME filled by --context NAME=PATH, or #f."),
];

fn get_context(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let name = args::string("get-context", &a[0])?;
    Ok(context_slot(interp, name).unwrap_or(Value::Bool(false)))
}

fn finish_var(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let name = match &a[0] {
        Value::Str(s) => s.to_string(),
        Value::Symbol(s) => s.name().to_string(),
        other => return Err(Error::contract("finish-var", "(or/c string? symbol?)", other)),
    };
    let scheme = interp.globals.cells.borrow().get(&Symbol::intern(&name)).map(|cell| cell.get());
    if let Some(value) = scheme.filter(|v| !matches!(v, Value::Undefined)) {
        return Err(Error::finish(value));
    }
    if !crate::sandbox::allows(interp, crate::builtins::Capability::Python) {
        return Err(Error::new(ExnKind::Variable, format!("finish-var: {name} is not bound")));
    }
    match crate::python::global_value(interp, &name)? {
        Some(value) => Err(Error::finish(value)),
        None => Err(Error::new(ExnKind::Variable, format!("finish-var: {name} is bound neither in Scheme nor in Python"))),
    }
}

fn checkpoint(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let key = args::string("checkpoint", &a[0])?;
    let dir = checkpoint_dir(interp);
    checkpoints::save(&dir, key, &a[1]).map_err(|e| Error::fail(format!("checkpoint: {e}")))?;
    Ok(a[1].clone())
}

fn restore(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let key = args::string("restore", &a[0])?;
    Ok(checkpoints::load(&checkpoint_dir(interp), key).unwrap_or(Value::Bool(false)))
}

//! `datum->syntax` and the deliberate escape hatches: `unsafe-interpolate`,
//! `unsafe-overwrite`, `unsafe-exec-sub-output`. Each use is written to the audit log.

use std::rc::Rc;

use super::{run, Origin};
use crate::audit;
use crate::builtins::Primitive;
use crate::error::{Error, R};
use crate::interp::Interp;
use crate::value::print::display_string;
use crate::value::{Symbol, Value};

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("datum->syntax", 2, 4, datum_to_syntax,
        "Wraps a string (or the written form of another datum) as a syntax object: (datum->syntax #f STRING)."),
    Primitive::new("unsafe-interpolate", 1, 1, unsafe_interpolate,
        "Unwraps a syntax object like syntax-e, recorded in the audit log as a deliberate unsafe use."),
    Primitive::new("unsafe-overwrite", 2, 2, unsafe_overwrite,
        "Sets a top-level binding, scaffold bindings included, bypassing their protection."),
    Primitive::new("unsafe-exec-sub-output", 1, 1, unsafe_exec_sub_output,
        "Runs model-written code (a syntax object or string) in a sandbox with only `context`; returns its finish value."),
    Primitive::new("%sandbox-denied", 1, 1, sandbox_denied, "Refuses a builtin the sandbox withholds."),
];

fn text_of(v: &Value) -> Option<&Rc<String>> {
    match v {
        Value::Syntax(s) | Value::Str(s) => Some(s),
        _ => None,
    }
}

fn datum_to_syntax(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let text = match text_of(&a[1]) {
        Some(s) => s.clone(),
        None => Rc::new(crate::value::print::write_string(&a[1])),
    };
    audit::record(interp, "datum->syntax", &text);
    Ok(Value::Syntax(text))
}

fn unsafe_interpolate(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let text = text_of(&a[0])
        .ok_or_else(|| Error::contract("unsafe-interpolate", "(or/c syntax? string?)", &a[0]))?
        .clone();
    audit::record(interp, "unsafe-interpolate", &text);
    Ok(Value::Str(text))
}

fn unsafe_overwrite(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let name = match &a[0] {
        Value::Symbol(s) => *s,
        Value::Str(s) => Symbol::intern(s),
        other => {
            return Err(Error::contract(
                "unsafe-overwrite",
                "(or/c symbol? string?)",
                other,
            ))
        }
    };
    audit::record(
        interp,
        "unsafe-overwrite",
        &format!("{} = {}", name.name(), display_string(&a[1])),
    );
    let cell = interp.globals.cell(name);
    cell.set(a[1].clone());
    Ok(Value::Void)
}

fn unsafe_exec_sub_output(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let code = text_of(&a[0])
        .ok_or_else(|| Error::contract("unsafe-exec-sub-output", "(or/c syntax? string?)", &a[0]))?
        .clone();
    audit::record(interp, "unsafe-exec-sub-output", &code);
    let context = interp
        .globals
        .cells
        .borrow()
        .get(&Symbol::intern("context"))
        .map(|cell| cell.get())
        .filter(|v| !matches!(v, Value::Undefined))
        .unwrap_or_else(|| Value::string(String::new()));
    run(interp, &code, context, Origin::ExecSubOutput)
}

fn sandbox_denied(_: &mut Interp, a: &[Value]) -> R<Value> {
    let name = display_string(&a[0]);
    Err(Error::fail(format!("{name}: not available to model-written code (the sandbox has no file, process or Python access)")))
}

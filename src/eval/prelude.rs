//! Installing builtins, constants and the Scheme standard library (`stdlib/*.scm`, see
//! `library`) into a top-level environment.

use std::rc::Rc;

use super::library;
use crate::builtins::all_tables;
use crate::error::R;
use crate::interp::{Globals, Interp};
use crate::value::Value;

pub fn install_into(interp: &mut Interp, globals: &Rc<Globals>) -> R<()> {
    for table in all_tables() {
        for p in table.iter() {
            globals.define(p.name, Value::Primitive(p));
        }
    }
    globals.define("null", Value::Null);
    globals.define("empty", Value::Null);
    globals.define("true", Value::Bool(true));
    globals.define("false", Value::Bool(false));
    globals.define("eof", Value::Eof);
    globals.define("pi", Value::Float(std::f64::consts::PI));
    globals.define("current-output-port", interp.stdout.clone());
    globals.define("current-error-port", interp.stderr.clone());
    globals.define("current-input-port", interp.stdin.clone());
    globals.define("context", Value::string(String::new()));
    crate::llm::install(interp, globals);
    crate::sandbox::restrict(interp, globals)?;
    for (file, src) in library::STDLIB {
        for definition in library::definitions(file, src)? {
            interp.eval_datum_in(globals, &definition.form)?;
        }
    }
    crate::sandbox::protect_scaffold(globals);
    Ok(())
}

//! Output: `display`, `write`, `print` and their relatives, `printf` and friends.
//! Every builtin takes an optional output port and otherwise writes to the current output port.

use crate::builtins::args;
use crate::builtins::ports::{output_arg, output_port, write_error};
use crate::builtins::strings::format_string;
use crate::builtins::{Primitive, MANY};
use crate::error::{Error, R};
use crate::interp::Interp;
use crate::value::print::{display_string, print_string, write_string};
use crate::value::Value;

/// Writes `text` to the port argument at `index` if there is one, else to the current output.
fn emit(interp: &mut Interp, who: &str, args: &[Value], index: usize, text: &str) -> R<()> {
    let port = output_arg(who, args, index)?;
    interp.write_output(port, text)
}

fn display(interp: &mut Interp, args: &[Value]) -> R<Value> {
    emit(interp, "display", args, 1, &display_string(&args[0]))?;
    Ok(Value::Void)
}

fn write(interp: &mut Interp, args: &[Value]) -> R<Value> {
    emit(interp, "write", args, 1, &write_string(&args[0]))?;
    Ok(Value::Void)
}

fn print(interp: &mut Interp, args: &[Value]) -> R<Value> {
    emit(interp, "print", args, 1, &print_string(&args[0]))?;
    Ok(Value::Void)
}

fn displayln(interp: &mut Interp, args: &[Value]) -> R<Value> {
    emit(
        interp,
        "displayln",
        args,
        1,
        &(display_string(&args[0]) + "\n"),
    )?;
    Ok(Value::Void)
}

fn writeln(interp: &mut Interp, args: &[Value]) -> R<Value> {
    emit(interp, "writeln", args, 1, &(write_string(&args[0]) + "\n"))?;
    Ok(Value::Void)
}

fn println(interp: &mut Interp, args: &[Value]) -> R<Value> {
    emit(interp, "println", args, 1, &(print_string(&args[0]) + "\n"))?;
    Ok(Value::Void)
}

fn newline(interp: &mut Interp, args: &[Value]) -> R<Value> {
    emit(interp, "newline", args, 0, "\n")?;
    Ok(Value::Void)
}

fn write_char(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let c = args::character("write-char", &args[0])?;
    emit(interp, "write-char", args, 1, c.encode_utf8(&mut [0; 4]))?;
    Ok(Value::Void)
}

/// `(write-string str [port start end])`: writes the characters from start to end and returns
/// how many it wrote.
fn write_string_proc(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let who = "write-string";
    let text = args::string(who, &args[0])?;
    let len = text.chars().count();
    let start = match args.get(2) {
        Some(v) => args::index(who, v)?,
        None => 0,
    };
    let end = match args.get(3) {
        Some(v) => args::index(who, v)?,
        None => len,
    };
    // A bad index was given: the defaults are always in range.
    if start > len {
        return Err(Error::out_of_range(
            who,
            "starting index",
            &args[2],
            0..=len,
            "string",
            &args[0],
        ));
    }
    if end < start || end > len {
        return Err(Error::out_of_range(
            who,
            "ending index",
            &args[3],
            start..=len,
            "string",
            &args[0],
        ));
    }
    let piece: String = text.chars().skip(start).take(end - start).collect();
    emit(interp, who, args, 1, &piece)?;
    Ok(Value::Int((end - start) as i64))
}

fn printf(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let fmt = args::string("printf", &args[0])?;
    let text = format_string(interp, "printf", fmt, &args[1..])?;
    interp.write_output(None, &text)?;
    Ok(Value::Void)
}

fn fprintf(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let port = output_port("fprintf", &args[0])?;
    let fmt = args::string("fprintf", &args[1])?;
    let text = format_string(interp, "fprintf", fmt, &args[2..])?;
    interp.write_output(Some(port), &text)?;
    Ok(Value::Void)
}

fn eprintf(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let fmt = args::string("eprintf", &args[0])?;
    let text = format_string(interp, "eprintf", fmt, &args[1..])?;
    let port = interp.current_error();
    interp.write_output(Some(&port), &text)?;
    Ok(Value::Void)
}

fn flush_output(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let port = match output_arg("flush-output", args, 0)? {
        Some(port) => port.clone(),
        None => interp.current_output(),
    };
    if let Value::Port(p) = &port {
        p.flush().map_err(|e| write_error(Some("flush-output"), p, e))?;
    }
    Ok(Value::Void)
}

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("display", 1, 2, display, "Writes a value in display style (strings without quotes)."),
    Primitive::new("write", 1, 2, write, "Writes a value in write style (strings quoted, readable)."),
    Primitive::new("print", 1, 2, print, "Writes a value in print style (the REPL's style: quoted data)."),
    Primitive::new("displayln", 1, 2, displayln, "Displays a value followed by a newline."),
    Primitive::new("writeln", 1, 2, writeln, "Writes a value followed by a newline."),
    Primitive::new("println", 1, 2, println, "Prints a value followed by a newline."),
    Primitive::new("newline", 0, 1, newline, "Writes a newline."),
    Primitive::new("write-char", 1, 2, write_char, "Writes one character."),
    Primitive::new(
        "write-string",
        1,
        4,
        write_string_proc,
        "Writes a string (or the part from start to end); returns the number of characters written.",
    ),
    Primitive::new("printf", 1, MANY, printf, "Formatted output to the current output port (~a ~s ~v ~n ~~)."),
    Primitive::new("fprintf", 2, MANY, fprintf, "Formatted output to a port (~a ~s ~v ~n ~~)."),
    Primitive::new("eprintf", 1, MANY, eprintf, "Formatted output to the current error port (~a ~s ~v ~n ~~)."),
    Primitive::new("flush-output", 0, 1, flush_output, "Flushes buffered output of a port (default the current output)."),
];

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::builtins::args::testing::Check;
    use crate::builtins::ports::Port;

    fn string_port() -> Value {
        Value::Port(Rc::new(Port::new_string_output()))
    }

    fn contents(port: &Value) -> String {
        match port {
            Value::Port(p) => match &**p {
                Port::StringOut(buf) => buf.borrow().clone(),
                _ => String::new(),
            },
            _ => String::new(),
        }
    }

    #[test]
    fn output_goes_to_the_given_port() {
        let mut i = Interp::new();
        let port = string_port();
        write_char(&mut i, &[Value::Char('é'), port.clone()]).check();
        newline(&mut i, std::slice::from_ref(&port)).check();
        let n = write_string_proc(
            &mut i,
            &[
                Value::str("abcdef"),
                port.clone(),
                Value::Int(1),
                Value::Int(3),
            ],
        )
        .check();
        assert!(matches!(n, Value::Int(2)));
        assert_eq!(contents(&port), "é\nbc");
    }

    #[test]
    fn bad_ports_and_ranges_are_reported() {
        let mut i = Interp::new();
        let e = display(&mut i, &[Value::str("x"), Value::Int(5)]).expect_err("error");
        assert!(e
            .report()
            .starts_with("display: contract violation\n  expected: output-port?"));
        let e = write_char(&mut i, &[Value::Int(5)]).expect_err("error");
        assert!(e.report().contains("expected: char?"));
        let port = string_port();
        let e = write_string_proc(&mut i, &[Value::str("abc"), port, Value::Int(5)])
            .expect_err("error");
        assert!(e
            .report()
            .starts_with("write-string: starting index is out of range"));
    }

    #[test]
    fn output_parameter_redirects_default_output() {
        let mut i = Interp::new();
        let port = string_port();
        i.param_stack.push((
            crate::builtins::ports::CURRENT_OUTPUT_ID,
            Rc::new(std::cell::RefCell::new(port.clone())),
        ));
        newline(&mut i, &[]).check();
        write_char(&mut i, &[Value::Char('x')]).check();
        i.param_stack.pop();
        assert_eq!(contents(&port), "\nx");
    }
}

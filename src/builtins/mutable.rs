//! Boxes and mutable pairs: the single-cell and two-cell mutable containers of `racket/base`.
//!
//! Every box is mutable: rlmsh has no `box-immutable`, since a box has no room for the flag.
//! Mutable pairs are a separate type from pairs, as in Racket: `mpair?` is false for pairs,
//! `pair?` and `list?` are false for mutable pairs.

use std::cell::RefCell;

use gcmodule::Cc;

use crate::builtins::Primitive;
use crate::error::{Error, R};
use crate::interp::Interp;
use crate::value::equal::eq;
use crate::value::{MPair, Value};

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("box", 1, 1, make_box, "(box v): a new mutable box holding v."),
    Primitive::new("box?", 1, 1, box_p, "(box? v): whether v is a box."),
    Primitive::new("unbox", 1, 1, unbox, "(unbox b): the value in box b."),
    Primitive::new("unbox*", 1, 1, unbox_star, "(unbox* b): the value in box b, like unbox."),
    Primitive::new("set-box!", 2, 2, set_box, "(set-box! b v): puts v in box b."),
    Primitive::new("set-box*!", 2, 2, set_box_star, "(set-box*! b v): puts v in box b, like set-box!."),
    Primitive::new(
        "box-cas!",
        3,
        3,
        box_cas,
        "(box-cas! b old new): puts new in box b if it holds a value eq? to old; returns whether it did.",
    ),
    Primitive::new("mcons", 2, 2, mcons, "(mcons a d): a new mutable pair of a and d."),
    Primitive::new("mpair?", 1, 1, mpair_p, "(mpair? v): whether v is a mutable pair (pairs from cons are not)."),
    Primitive::new("mcar", 1, 1, mcar, "(mcar p): the first part of mutable pair p."),
    Primitive::new("mcdr", 1, 1, mcdr, "(mcdr p): the second part of mutable pair p."),
    Primitive::new("set-mcar!", 2, 2, set_mcar, "(set-mcar! p v): replaces the first part of mutable pair p with v."),
    Primitive::new("set-mcdr!", 2, 2, set_mcdr, "(set-mcdr! p v): replaces the second part of mutable pair p with v."),
];

/// What Racket's mutating box operations accept.
const MUTABLE_BOX: &str = "(and/c box? (not/c immutable?))";

fn box_cell<'a>(who: &str, expected: &str, v: &'a Value) -> R<&'a RefCell<Value>> {
    match v {
        Value::Box(cell) => Ok(cell),
        other => Err(Error::contract(who, expected, other)),
    }
}

fn mpair<'a>(who: &str, v: &'a Value) -> R<&'a MPair> {
    match v {
        Value::MPair(p) => Ok(p),
        other => Err(Error::contract(who, "mpair?", other)),
    }
}

/// Reads a cell. Only a builtin's own short borrow could conflict, so a clash is an internal
/// error rather than anything a program can cause; it is still reported, not a panic.
fn read(who: &str, cell: &RefCell<Value>) -> R<Value> {
    cell.try_borrow()
        .map(|v| v.clone())
        .map_err(|_| Error::fail(format!("{who}: the cell is being modified")))
}

/// Replaces a cell's value. The old value is dropped after the borrow ends, since dropping
/// it may free data that point back to this very cell.
fn write(who: &str, cell: &RefCell<Value>, new: Value) -> R<Value> {
    let old = {
        let mut slot = cell
            .try_borrow_mut()
            .map_err(|_| Error::fail(format!("{who}: the cell is being read")))?;
        std::mem::replace(&mut *slot, new)
    };
    drop(old);
    Ok(Value::Void)
}

fn make_box(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Box(Cc::new(RefCell::new(args[0].clone()))))
}

fn box_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(args[0], Value::Box(_))))
}

fn unbox(_: &mut Interp, args: &[Value]) -> R<Value> {
    read("unbox", box_cell("unbox", "box?", &args[0])?)
}

fn unbox_star(_: &mut Interp, args: &[Value]) -> R<Value> {
    read("unbox*", box_cell("unbox*", "box?", &args[0])?)
}

fn set_box(_: &mut Interp, args: &[Value]) -> R<Value> {
    write(
        "set-box!",
        box_cell("set-box!", MUTABLE_BOX, &args[0])?,
        args[1].clone(),
    )
}

fn set_box_star(_: &mut Interp, args: &[Value]) -> R<Value> {
    write(
        "set-box*!",
        box_cell("set-box*!", MUTABLE_BOX, &args[0])?,
        args[1].clone(),
    )
}

fn box_cas(_: &mut Interp, args: &[Value]) -> R<Value> {
    let cell = box_cell("box-cas!", MUTABLE_BOX, &args[0])?;
    if !eq(&read("box-cas!", cell)?, &args[1]) {
        return Ok(Value::Bool(false));
    }
    write("box-cas!", cell, args[2].clone())?;
    Ok(Value::Bool(true))
}

fn mcons(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::MPair(Cc::new(MPair {
        car: RefCell::new(args[0].clone()),
        cdr: RefCell::new(args[1].clone()),
    })))
}

fn mpair_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(args[0], Value::MPair(_))))
}

fn mcar(_: &mut Interp, args: &[Value]) -> R<Value> {
    read("mcar", &mpair("mcar", &args[0])?.car)
}

fn mcdr(_: &mut Interp, args: &[Value]) -> R<Value> {
    read("mcdr", &mpair("mcdr", &args[0])?.cdr)
}

fn set_mcar(_: &mut Interp, args: &[Value]) -> R<Value> {
    write(
        "set-mcar!",
        &mpair("set-mcar!", &args[0])?.car,
        args[1].clone(),
    )
}

fn set_mcdr(_: &mut Interp, args: &[Value]) -> R<Value> {
    write(
        "set-mcdr!",
        &mpair("set-mcdr!", &args[0])?.cdr,
        args[1].clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::print::{display_string, print_string, write_string};

    fn eval(src: &str) -> String {
        match Interp::new().eval_str(src, "test") {
            Ok(v) => print_string(&v),
            Err(e) => panic!("unexpected error in {src}: {}", e.report()),
        }
    }

    fn eval_error(src: &str) -> String {
        match Interp::new().eval_str(src, "test") {
            Ok(v) => panic!("expected an error from {src}, got {v:?}"),
            Err(e) => e.exn().map_or_else(|| e.report(), |exn| exn.message.clone()),
        }
    }

    fn call(f: fn(&mut Interp, &[Value]) -> R<Value>, args: &[Value]) -> Value {
        match f(&mut Interp::new(), args) {
            Ok(v) => v,
            Err(e) => panic!("unexpected error: {}", e.report()),
        }
    }

    #[test]
    fn boxes_hold_and_replace_a_value() {
        let b = call(make_box, &[Value::Int(5)]);
        assert_eq!(write_string(&call(unbox, &[b.clone()])), "5");
        call(set_box, &[b.clone(), Value::str("s")]);
        assert_eq!(write_string(&call(unbox_star, &[b.clone()])), "\"s\"");
        assert_eq!(write_string(&call(box_p, &[b])), "#t");
        assert_eq!(write_string(&call(box_p, &[Value::Int(5)])), "#f");
        assert_eq!(
            eval("(let ([b (box 1)]) (list (box-cas! b 2 3) (box-cas! b 1 3) (unbox b)))"),
            "'(#f #t 3)"
        );
    }

    #[test]
    fn mutable_pairs_hold_and_replace_their_parts() {
        let p = call(mcons, &[Value::Int(1), Value::Int(2)]);
        call(set_mcar, &[p.clone(), Value::Int(10)]);
        call(set_mcdr, &[p.clone(), Value::Null]);
        assert_eq!(write_string(&call(mcar, &[p.clone()])), "10");
        assert_eq!(write_string(&call(mcdr, &[p.clone()])), "()");
        assert_eq!(write_string(&call(mpair_p, &[p])), "#t");
        assert_eq!(
            eval("(list (mpair? (cons 1 2)) (pair? (mcons 1 2)) (list? (mcons 1 '())))"),
            "'(#f #f #f)"
        );
    }

    #[test]
    fn wrong_types_are_contract_violations() {
        assert_eq!(
            eval_error("(unbox 5)"),
            "unbox: contract violation\n  expected: box?\n  given: 5"
        );
        assert_eq!(
            eval_error("(set-box! 5 1)"),
            "set-box!: contract violation\n  expected: (and/c box? (not/c immutable?))\n  given: 5"
        );
        assert_eq!(
            eval_error("(mcdr (cons 1 2))"),
            "mcdr: contract violation\n  expected: mpair?\n  given: '(1 . 2)"
        );
        assert_eq!(
            eval_error("(set-mcar! 1 2)"),
            "set-mcar!: contract violation\n  expected: mpair?\n  given: 1"
        );
    }

    #[test]
    fn printing_follows_racket() {
        assert_eq!(eval("(box 5)"), "'#&5");
        assert_eq!(eval("(list (box 1) \"s\")"), "'(#&1 \"s\")");
        assert_eq!(eval("(mcons 1 (mcons 2 '()))"), "(mcons 1 (mcons 2 '()))");
        assert_eq!(
            eval("(list 1 (mcons 'a \"b\"))"),
            "(list 1 (mcons 'a \"b\"))"
        );
        assert_eq!(eval("(box (mcons 1 2))"), "(box (mcons 1 2))");
        assert_eq!(eval("(mcons (box 1) '(2))"), "(mcons '#&1 '(2))");
        let m = call(
            mcons,
            &[
                Value::str("a"),
                call(mcons, &[Value::sym("b"), Value::Int(3)]),
            ],
        );
        assert_eq!(display_string(&m), "{a b . 3}");
        assert_eq!(write_string(&m), "{\"a\" b . 3}");
        assert_eq!(
            write_string(&call(
                mcons,
                &[Value::Int(1), Value::list(vec![Value::Int(2)])]
            )),
            "{1 . (2)}"
        );
        assert_eq!(display_string(&call(make_box, &[Value::str("b")])), "#&b");
        assert_eq!(write_string(&call(make_box, &[Value::str("b")])), "#&\"b\"");
    }

    #[test]
    fn cycles_print_with_labels() {
        assert_eq!(
            eval("(let ([m (mcons 1 2)]) (set-mcdr! m m) m)"),
            "#0=(mcons 1 #0#)"
        );
        assert_eq!(
            eval("(let ([m (mcons 1 (mcons 2 3))]) (set-mcdr! (mcdr m) (mcdr m)) (list (format \"~s\" m) m))"),
            "(list \"{1 . #0={2 . #0#}}\" (mcons 1 #0=(mcons 2 #0#)))"
        );
        assert_eq!(eval("(let ([b (box 1)]) (set-box! b b) b)"), "#0='#&#0#");
        assert_eq!(
            eval("(let ([b (box 1)]) (set-box! b (list 1 b)) (format \"~a\" b))"),
            "\"#0=#&(1 #0#)\""
        );
        assert_eq!(
            eval("(let* ([v (vector 1 2)] [m (mcons v 2)]) (vector-set! v 0 m) (list (format \"~v\" v) (format \"~v\" m)))"),
            "'(\"#0=(vector (mcons #0# 2) 2)\" \"#0=(mcons '#(#0# 2) 2)\")"
        );
    }

    #[test]
    fn equality_compares_contents_under_equal_only() {
        assert_eq!(
            eval("(list (equal? (box 1) (box 1)) (eqv? (box 1) (box 1)) (let ([b (box 1)]) (eq? b b)))"),
            "'(#t #f #t)"
        );
        assert_eq!(
            eval("(list (equal? (mcons 1 (mcons 2 '())) (mcons 1 (mcons 2 '()))) (equal? (mcons 1 2) (cons 1 2)) (eq? (mcons 1 2) (mcons 1 2)))"),
            "'(#t #f #f)"
        );
        assert_eq!(
            eval("(let ([h (make-hash)]) (hash-set! h (box \"k\") 1) (hash-set! h (mcons 1 2) 2) (list (hash-ref h (box \"k\")) (hash-ref h (mcons 1 2))))"),
            "'(1 2)"
        );
    }

    #[test]
    fn self_containing_data_compare_and_hash() {
        assert_eq!(
            eval("(let ([a (mcons 1 2)] [b (mcons 1 2)]) (set-mcdr! a a) (set-mcdr! b b) (list (equal? a b) (hash-ref (hash a 1) b #f)))"),
            "'(#t 1)"
        );
    }

    #[test]
    fn long_mutable_lists_print_and_compare_in_a_loop() {
        let build = || {
            let mut interp = Interp::new();
            let mut list = Value::Null;
            for i in (0..200_000).rev() {
                list = mcons(&mut interp, &[Value::Int(i), list]).unwrap_or(Value::Void);
            }
            list
        };
        let (a, b) = (build(), build());
        let same = crate::value::equal::equal(&a, &b);
        let (written, printed) = (write_string(&a), print_string(&a));
        for v in [a, b] {
            unlink(v);
        }
        assert!(same);
        assert!(written.starts_with("{0 1 2 ") && written.ends_with(" 199999}"));
        assert!(printed.starts_with("(mcons 0 (mcons 1 "));
        assert!(printed.ends_with(&format!("(mcons 199999 '(){}", ")".repeat(200_000))));
    }

    /// Dropping a long mutable list recursively would overflow the test thread's stack.
    fn unlink(v: Value) {
        let mut cur = v;
        while let Value::MPair(p) = &cur {
            let next = p.cdr.replace(Value::Null);
            cur = next;
        }
    }
}

//! Printing in Racket's three styles: `display`, `write` and `print`.
//!
//! `print` is Racket's `print-as-expression` style: data that must be quoted to read back
//! gets one leading `'` (`'(1 "a")`, `'sym`), and quote forms inside quoted data are
//! abbreviated (`'(1 'a)`). When a value holds something a quote cannot express (an exception,
//! which Racket prints as a transparent struct, or a mutable pair), the enclosing data switch
//! to constructor style (`(list 1 (mcons 1 2))`).
//!
//! Lists and mutable lists are walked along the cdr in a loop, so long lists print in constant
//! stack. Vectors, hash tables, boxes and mutable pairs can contain themselves: the first pass
//! notices such cycles, and then, as in Racket, every pair or container that appears more than
//! once gets a `#n=` label and later appearances print as `#n#`. Data without cycles print
//! plainly however much they share.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::builtins::chars::{is_blank, is_graphic};
use crate::error::ExnKind;
use crate::value::number::number_to_string;
use crate::value::{HashKind, HashTable, MPair, Pair, Value};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Display,
    Write,
    Print,
}

pub fn display_string(v: &Value) -> String {
    to_string(v, Mode::Display)
}

pub fn write_string(v: &Value) -> String {
    to_string(v, Mode::Write)
}

pub fn print_string(v: &Value) -> String {
    to_string(v, Mode::Print)
}

fn to_string(v: &Value, mode: Mode) -> String {
    let mut out = String::new();
    write_value(&mut out, v, mode);
    out
}

/// Appends the printed form of `v` to `out`.
pub fn write_value(out: &mut String, v: &Value, mode: Mode) {
    // A fixnum prints alike in every mode and needs none of the printer's cycle bookkeeping.
    if let Value::Int(i) = v {
        push_decimal(out, *i);
        return;
    }
    let start = out.len();
    let mut printer = Printer::new(out, mode);
    printer.top(v);
    let (found_cycle, saw_unquotable) = (printer.found_cycle, printer.saw_unquotable);
    let constructor = saw_unquotable && mode == Mode::Print;
    if !found_cycle && !constructor {
        return;
    }
    out.truncate(start);
    let mut printer = Printer::new(out, mode);
    if found_cycle {
        printer.labels = shared_nodes(v);
        printer.graph = true;
    }
    printer.constructor = constructor;
    printer.top(v);
}

/// Appends the decimal digits of `i` (what `write!` does, without the formatting machinery,
/// which costs more than the digits for the short numbers programs print most).
pub fn push_decimal(out: &mut String, i: i64) {
    let mut digits = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push('-');
    }
    if let Ok(text) = std::str::from_utf8(&digits[start..]) {
        out.push_str(text);
    }
}

/// How one datum is printed: the three modes, where `Quoted` is `print` mode inside data
/// that already carries a leading `'`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Display,
    Write,
    Quoted,
}

struct Printer<'a> {
    out: &'a mut String,
    mode: Mode,
    /// Identities of the containers being printed.
    open: HashSet<usize>,
    /// First pass: a container was met again while still open.
    found_cycle: bool,
    /// Second pass after a cycle: the label number of each node that appears more than once,
    /// and the nodes whose `#n=` has been printed.
    graph: bool,
    labels: HashMap<usize, usize>,
    emitted: HashSet<usize>,
    /// A value that quoting cannot express turned up inside quoted data.
    saw_unquotable: bool,
    /// Second pass in `print` mode: data holding such values print as constructor calls.
    constructor: bool,
    depth: usize,
    stack_floor: Option<usize>,
}

const QUOTE_FORMS: [(&str, &str); 8] = [
    ("quote", "'"),
    ("quasiquote", "`"),
    ("unquote", ","),
    ("unquote-splicing", ",@"),
    ("syntax", "#'"),
    ("quasisyntax", "#`"),
    ("unsyntax", "#,"),
    ("unsyntax-splicing", "#,@"),
];

/// How many characters of a wrapped model answer its printed form shows.
const SYNTAX_PREVIEW_CHARS: usize = 40;

/// Nesting depth from which the printer checks the remaining stack.
const DEPTH_CHECK_FROM: usize = 512;

impl<'a> Printer<'a> {
    fn new(out: &'a mut String, mode: Mode) -> Printer<'a> {
        Printer {
            out,
            mode,
            open: HashSet::new(),
            found_cycle: false,
            graph: false,
            labels: HashMap::new(),
            emitted: HashSet::new(),
            saw_unquotable: false,
            constructor: false,
            depth: 0,
            stack_floor: None,
        }
    }

    fn top(&mut self, v: &Value) {
        if let Value::Values(vals) = v {
            for (i, item) in vals.iter().enumerate() {
                if i > 0 {
                    self.out.push('\n');
                }
                self.top(item);
            }
            return;
        }
        match self.mode {
            Mode::Display => self.datum(v, Style::Display),
            Mode::Write => self.datum(v, Style::Write),
            Mode::Print => self.expression(v),
        }
    }

    /// `print` mode outside quoted data.
    fn expression(&mut self, v: &Value) {
        if self.constructor && self.needs_constructor(v) {
            self.constructor_call(v);
            return;
        }
        match v {
            Value::Vector(items) => {
                if self.enter(container_id(v)) {
                    self.out.push('\'');
                    self.vector_body(items, Style::Quoted);
                    self.leave(container_id(v));
                }
            }
            Value::Hash(table) => {
                if self.enter(container_id(v)) {
                    self.out.push('\'');
                    self.hash_body(table, Style::Quoted);
                    self.leave(container_id(v));
                }
            }
            Value::Box(_) => {
                if self.enter(container_id(v)) {
                    self.out.push('\'');
                    self.box_body(v, Style::Quoted);
                    self.leave(container_id(v));
                }
            }
            Value::MPair(_) => self.mcons_calls(v),
            Value::Pair(p) => {
                if self.mark_label(pair_id(p)) {
                    self.out.push('\'');
                    self.list_body(p, Style::Quoted);
                }
            }
            Value::Null | Value::Symbol(_) | Value::Keyword(_) => {
                self.out.push('\'');
                self.datum(v, Style::Quoted);
            }
            Value::Exn(exn) => self.exn_constructor(exn),
            _ => self.datum(v, Style::Quoted),
        }
    }

    /// Racket's constructor style for data that cannot be quoted: `(list 1 (exn ...))`.
    fn constructor_call(&mut self, v: &Value) {
        match v {
            Value::Pair(_) => self.list_constructor(v),
            Value::Vector(items) => {
                if self.enter(container_id(v)) {
                    self.out.push_str("(vector");
                    let items: Vec<Value> =
                        items.try_borrow().map(|i| i.clone()).unwrap_or_default();
                    for item in &items {
                        self.out.push(' ');
                        self.nested_expression(item);
                    }
                    self.out.push(')');
                    self.leave(container_id(v));
                }
            }
            Value::Hash(table) => {
                if self.enter(container_id(v)) {
                    self.out.push('(');
                    self.out.push_str(hash_constructor_name(table.kind));
                    for (key, value) in hash_entries(table) {
                        self.out.push(' ');
                        self.nested_expression(&key);
                        self.out.push(' ');
                        self.nested_expression(&value);
                    }
                    self.out.push(')');
                    self.leave(container_id(v));
                }
            }
            Value::Box(_) => {
                if self.enter(container_id(v)) {
                    self.out.push_str("(box ");
                    self.nested_expression(&unbox(v));
                    self.out.push(')');
                    self.leave(container_id(v));
                }
            }
            Value::MPair(_) => self.mcons_calls(v),
            Value::Exn(exn) => self.exn_constructor(exn),
            other => self.expression(other),
        }
    }

    fn nested_expression(&mut self, v: &Value) {
        if self.descend() {
            self.expression(v);
            self.ascend();
        }
    }

    /// `(list a b)` for a proper list, `(cons a b)` or `(list* a b c)` for an improper one.
    /// Quote forms stay abbreviated as in Racket, even when what follows is a constructor
    /// call: `'(mcons 1 2)` and `(list 1 . '(mcons 1 2))`.
    fn list_constructor(&mut self, v: &Value) {
        if !v.as_pair().is_some_and(|p| self.mark_label(pair_id(p))) {
            return;
        }
        if let Some((prefix, quoted)) = v.as_pair().and_then(quote_form) {
            self.out.push_str(prefix);
            self.nested_expression(quoted);
            return;
        }
        let mut items = Vec::new();
        let mut cur = v;
        while let Value::Pair(p) = cur {
            if !items.is_empty() && (quote_form(p).is_some() || self.is_labelled(pair_id(p))) {
                break;
            }
            items.push(&p.car);
            cur = &p.cdr;
        }
        if cur.as_pair().is_some_and(|p| quote_form(p).is_some()) {
            self.out.push_str("(list");
            for item in items {
                self.out.push(' ');
                self.nested_expression(item);
            }
            self.out.push_str(" . ");
            self.nested_expression(cur);
            self.out.push(')');
            return;
        }
        let proper = matches!(cur, Value::Null);
        let head = match (proper, items.len()) {
            (true, _) => "(list",
            (false, 1) => "(cons",
            (false, _) => "(list*",
        };
        self.out.push_str(head);
        for item in items {
            self.out.push(' ');
            self.nested_expression(item);
        }
        if !proper {
            self.out.push(' ');
            self.nested_expression(cur);
        }
        self.out.push(')');
    }

    fn exn_constructor(&mut self, exn: &crate::error::Exn) {
        self.out.push('(');
        self.out.push_str(exn_struct_name(exn.kind));
        self.out.push(' ');
        write_string_literal(self.out, &exn.message);
        self.out.push_str(" #<continuation-mark-set>)");
    }

    fn datum(&mut self, v: &Value, style: Style) {
        match v {
            Value::Void => self.out.push_str("#<void>"),
            Value::Null => self.out.push_str("()"),
            Value::Eof => self.out.push_str("#<eof>"),
            Value::Undefined => self.out.push_str("#<undefined>"),
            Value::Bool(true) => self.out.push_str("#t"),
            Value::Bool(false) => self.out.push_str("#f"),
            Value::Int(i) => push_decimal(self.out, *i),
            Value::Big(_) | Value::Rat(_) | Value::Float(_) => {
                self.out.push_str(&number_to_string(v, 10))
            }
            Value::Char(c) if style == Style::Display => self.out.push(*c),
            Value::Char(c) => write_char_literal(self.out, *c),
            Value::Symbol(s) if style == Style::Display => self.out.push_str(s.name()),
            Value::Symbol(s) => write_symbol_name(self.out, s.name(), false),
            Value::Keyword(k) => {
                self.out.push_str("#:");
                if style == Style::Display {
                    self.out.push_str(k.name());
                } else {
                    write_symbol_name(self.out, k.name(), true);
                }
            }
            Value::Str(s) if style == Style::Display => self.out.push_str(s),
            Value::Str(s) => write_string_literal(self.out, s),
            Value::Pair(p) => self.list(p, style),
            Value::MPair(_) => {
                if self.enter(container_id(v)) {
                    self.mlist(v, style);
                    self.leave(container_id(v));
                }
            }
            Value::Box(_) => {
                if self.enter(container_id(v)) {
                    self.box_body(v, style);
                    self.leave(container_id(v));
                }
            }
            Value::Vector(items) => {
                if self.enter(container_id(v)) {
                    self.vector_body(items, style);
                    self.leave(container_id(v));
                }
            }
            Value::Hash(table) => {
                if self.enter(container_id(v)) {
                    self.hash_body(table, style);
                    self.leave(container_id(v));
                }
            }
            Value::Closure(c) if c.lambda.name.is_none() && !c.lambda.span.is_known() => self.out.push_str("#<procedure>"),
            Value::Closure(c) => {
                self.out.push_str("#<procedure:");
                self.out.push_str(&c.lambda.display_name());
                self.out.push('>');
            }
            Value::Primitive(p) => {
                self.out.push_str("#<procedure:");
                self.out.push_str(p.name);
                self.out.push('>');
            }
            Value::Parameter(p) => {
                self.out.push_str("#<procedure:");
                self.out.push_str(p.name.map_or("parameter-procedure", |n| n.name()));
                self.out.push('>');
            }
            Value::Continuation(_) => self.out.push_str("#<procedure>"),
            Value::Promise(p) => self.promise(p, style),
            Value::Values(vals) => {
                for (i, item) in vals.iter().enumerate() {
                    if i > 0 {
                        self.out.push('\n');
                    }
                    self.nested(item, style);
                }
            }
            Value::Exn(exn) => self.exn(exn, style),
            Value::Port(port) => {
                self.out.push_str("#<");
                self.out.push_str(&port.describe());
                self.out.push('>');
            }
            Value::Regex(rx) => {
                self.out.push_str(if rx.pregexp { "#px" } else { "#rx" });
                write_string_literal(self.out, &rx.source);
            }
            Value::Syntax(text) => self.syntax(text),
            Value::Namespace(_) => self.out.push_str("#<namespace>"),
            Value::Opaque(o) => {
                self.out.push_str("#<");
                self.out.push_str(&o.type_name());
                self.out.push('>');
            }
        }
    }

    /// Prints a datum one level deeper, unless the stack is nearly exhausted.
    fn nested(&mut self, v: &Value, style: Style) {
        if self.descend() {
            self.datum(v, style);
            self.ascend();
        }
    }

    fn descend(&mut self) -> bool {
        self.depth += 1;
        if self.depth >= DEPTH_CHECK_FROM && self.depth.is_multiple_of(64) {
            let floor = *self
                .stack_floor
                .get_or_insert_with(crate::eval::stack::limit_for_current_thread);
            if crate::eval::stack::stack_pointer() < floor {
                self.depth -= 1;
                self.out.push_str("...");
                return false;
            }
        }
        true
    }

    fn ascend(&mut self) {
        self.depth -= 1;
    }

    fn list(&mut self, first: &Pair, style: Style) {
        if self.mark_label(pair_id(first)) {
            self.list_body(first, style);
        }
    }

    fn list_body(&mut self, first: &Pair, style: Style) {
        if style == Style::Quoted {
            if let Some((prefix, quoted)) = quote_form(first) {
                self.out.push_str(prefix);
                self.nested(quoted, style);
                return;
            }
        }
        self.out.push('(');
        self.nested(&first.car, style);
        let mut cur = &first.cdr;
        loop {
            match cur {
                Value::Null => break,
                Value::Pair(p) => {
                    let quote_tail = style == Style::Quoted && quote_form(p).is_some();
                    if quote_tail || self.is_labelled(pair_id(p)) {
                        self.out.push_str(" . ");
                        self.nested(cur, style);
                        break;
                    }
                    self.out.push(' ');
                    self.nested(&p.car, style);
                    cur = &p.cdr;
                }
                tail => {
                    self.out.push_str(" . ");
                    self.nested(tail, style);
                    break;
                }
            }
        }
        self.out.push(')');
    }

    /// A mutable list in `display` or `write` style: `{1 2 . 3}`. The first pair is already
    /// entered; the rest of the spine is walked in a loop and stays open until the end, so a
    /// cdr pointing back into it is caught as a cycle.
    fn mlist(&mut self, first: &Value, style: Style) {
        if style == Style::Quoted {
            self.saw_unquotable = true;
        }
        self.out.push('{');
        let (car, mut cur) = mpair_parts(first);
        self.nested(&car, style);
        let mut spine = Vec::new();
        loop {
            match &cur {
                Value::Null => break,
                Value::MPair(_) if self.continues_spine(container_id(&cur)) => {
                    let id = container_id(&cur);
                    self.open.insert(id);
                    spine.push(id);
                    let (car, cdr) = mpair_parts(&cur);
                    self.out.push(' ');
                    self.nested(&car, style);
                    cur = cdr;
                }
                tail => {
                    self.out.push_str(" . ");
                    self.nested(tail, style);
                    break;
                }
            }
        }
        for id in spine {
            self.open.remove(&id);
        }
        self.out.push('}');
    }

    /// Whether a mutable pair in a cdr prints inline rather than after ` . ` with its own
    /// braces, which it needs when it closes a cycle or carries a label.
    fn continues_spine(&self, id: usize) -> bool {
        !self.open.contains(&id) && !self.is_labelled(id)
    }

    fn is_labelled(&self, id: usize) -> bool {
        !self.labels.is_empty() && self.labels.contains_key(&id)
    }

    /// A mutable list in `print` style: nested `(mcons a (mcons b '()))` calls, printed in a
    /// loop along the cdr.
    fn mcons_calls(&mut self, first: &Value) {
        let mut cur = first.clone();
        let mut spine = Vec::new();
        while let Value::MPair(_) = &cur {
            let id = container_id(&cur);
            if !self.claim(id) {
                break;
            }
            spine.push(id);
            let (car, cdr) = mpair_parts(&cur);
            self.out.push_str("(mcons ");
            self.nested_expression(&car);
            self.out.push(' ');
            cur = cdr;
        }
        if !matches!(cur, Value::MPair(_)) {
            self.nested_expression(&cur);
        }
        for id in spine {
            self.open.remove(&id);
            self.out.push(')');
        }
    }

    fn box_body(&mut self, b: &Value, style: Style) {
        self.out.push_str("#&");
        self.nested(&unbox(b), style);
    }

    fn vector_body(&mut self, items: &std::cell::RefCell<Vec<Value>>, style: Style) {
        self.out.push_str("#(");
        if let Ok(items) = items.try_borrow() {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.out.push(' ');
                }
                self.nested(item, style);
            }
        }
        self.out.push(')');
    }

    fn hash_body(&mut self, table: &HashTable, style: Style) {
        self.out.push_str(match table.kind {
            HashKind::Equal => "#hash(",
            HashKind::Eqv => "#hasheqv(",
            HashKind::Eq => "#hasheq(",
        });
        if let Ok(map) = table.map.try_borrow() {
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 {
                    self.out.push(' ');
                }
                self.out.push('(');
                self.nested(&key.0, style);
                self.out.push_str(" . ");
                self.nested(value, style);
                self.out.push(')');
            }
        }
        self.out.push(')');
    }

    fn promise(&mut self, p: &std::cell::RefCell<crate::value::Promise>, style: Style) {
        let forced = match p.try_borrow().as_deref() {
            Ok(crate::value::Promise::Forced(v)) => Some(v.clone()),
            _ => None,
        };
        match forced {
            Some(v) => {
                self.out.push_str("#<promise!");
                self.nested(&v, style);
                self.out.push('>');
            }
            None => self.out.push_str("#<promise>"),
        }
    }

    /// Exceptions print as Racket's transparent `exn` structs.
    fn exn(&mut self, exn: &crate::error::Exn, style: Style) {
        if style == Style::Quoted {
            self.saw_unquotable = true;
        }
        self.out.push_str("#(struct:");
        self.out.push_str(exn_struct_name(exn.kind));
        self.out.push(' ');
        if style == Style::Display {
            self.out.push_str(&exn.message);
        } else {
            write_string_literal(self.out, &exn.message);
        }
        self.out.push_str(" #<continuation-mark-set>)");
    }

    fn syntax(&mut self, text: &str) {
        self.out.push_str("#<syntax \"");
        let mut chars = text.char_indices();
        let cut = chars.nth(SYNTAX_PREVIEW_CHARS).map(|(i, _)| i);
        write_string_contents(self.out, &text[..cut.unwrap_or(text.len())]);
        if cut.is_some() {
            self.out.push_str("...");
        }
        self.out.push_str("\">");
    }

    /// Starts printing a container one level deeper. Returns false when the container is
    /// already open (a cycle) or already labelled, in which case a back reference has been
    /// printed, or when the stack is nearly exhausted.
    fn enter(&mut self, id: usize) -> bool {
        if !self.claim(id) {
            return false;
        }
        if !self.descend() {
            self.open.remove(&id);
            return false;
        }
        true
    }

    /// Marks a container open, after its `#n=` label if it has one. Returns false, having
    /// printed a back reference, when it is labelled and already printed or when it is open.
    fn claim(&mut self, id: usize) -> bool {
        if !self.mark_label(id) {
            return false;
        }
        if !self.open.insert(id) {
            // The second pass has labelled every node on a cycle, so only the first pass
            // meets one here; the second prints something finite rather than loop.
            if self.graph {
                self.out.push_str("...");
            } else {
                self.found_cycle = true;
            }
            return false;
        }
        true
    }

    /// Prints `#n=` before the first appearance of a labelled node. Returns false, having
    /// printed `#n#`, for a later appearance.
    fn mark_label(&mut self, id: usize) -> bool {
        let Some(&n) = self.labels.get(&id) else {
            return true;
        };
        if self.emitted.insert(id) {
            let _ = write!(self.out, "#{n}=");
            true
        } else {
            let _ = write!(self.out, "#{n}#");
            false
        }
    }

    fn leave(&mut self, id: usize) {
        self.open.remove(&id);
        self.ascend();
    }

    /// Whether `v` must print as constructor calls: it holds an exception or a mutable pair
    /// that will not print as a back reference.
    fn needs_constructor(&self, v: &Value) -> bool {
        let prints_as_reference =
            |id: usize| !self.emitted.is_empty() && self.emitted.contains(&id);
        let mut pending: Vec<Value> = vec![v.clone()];
        let mut seen: HashSet<usize> = HashSet::new();
        while let Some(item) = pending.pop() {
            let id = container_id(&item);
            if id != 0 && (prints_as_reference(id) || !seen.insert(id)) {
                continue;
            }
            match &item {
                Value::Exn(_) | Value::MPair(_) => return true,
                Value::Pair(_) => {
                    let mut cur = item.clone();
                    while let Value::Pair(p) = &cur {
                        if prints_as_reference(pair_id(p)) {
                            break;
                        }
                        pending.push(p.car.clone());
                        let next = p.cdr.clone();
                        cur = next;
                    }
                    if !matches!(cur, Value::Pair(_)) {
                        pending.push(cur);
                    }
                }
                Value::Box(_) => pending.push(unbox(&item)),
                Value::Vector(items) => {
                    if let Ok(items) = items.try_borrow() {
                        pending.extend(items.iter().cloned());
                    }
                }
                Value::Hash(table) => {
                    for (k, v) in hash_entries(table) {
                        pending.push(k);
                        pending.push(v);
                    }
                }
                _ => {}
            }
        }
        false
    }
}

/// `(quote x)` and friends, which `print` abbreviates to `'x`.
fn quote_form(p: &Pair) -> Option<(&'static str, &Value)> {
    let head = p.car.as_symbol()?;
    let rest = p.cdr.as_pair()?;
    if !matches!(rest.cdr, Value::Null) {
        return None;
    }
    let name = head.name();
    QUOTE_FORMS
        .iter()
        .find(|(form, _)| *form == name)
        .map(|(_, prefix)| (*prefix, &rest.car))
}

/// The identity of a value that can contain itself, or 0 for any other value.
fn container_id(v: &Value) -> usize {
    match v {
        Value::Vector(items) => &**items as *const _ as *const u8 as usize,
        Value::Hash(table) => &**table as *const HashTable as *const u8 as usize,
        Value::Box(b) => &**b as *const _ as *const u8 as usize,
        Value::MPair(p) => &**p as *const MPair as *const u8 as usize,
        _ => 0,
    }
}

fn pair_id(p: &Pair) -> usize {
    p as *const Pair as usize
}

/// After a cycle turned up: the pairs and containers that `v` reaches more than once, each
/// numbered in the order its second appearance is met, as Racket numbers its labels. The walk
/// follows the printer's order, depth first.
fn shared_nodes(v: &Value) -> HashMap<usize, usize> {
    let mut seen: HashSet<usize> = HashSet::new();
    let mut labels: HashMap<usize, usize> = HashMap::new();
    let mut pending: Vec<Value> = vec![v.clone()];
    while let Some(item) = pending.pop() {
        let id = match &item {
            Value::Pair(p) => pair_id(p),
            other => container_id(other),
        };
        if id != 0 && !seen.insert(id) {
            let next = labels.len();
            labels.entry(id).or_insert(next);
            continue;
        }
        match &item {
            Value::Pair(p) => {
                pending.push(p.cdr.clone());
                pending.push(p.car.clone());
            }
            Value::MPair(_) => {
                let (car, cdr) = mpair_parts(&item);
                pending.push(cdr);
                pending.push(car);
            }
            Value::Box(_) => pending.push(unbox(&item)),
            Value::Vector(items) => {
                if let Ok(items) = items.try_borrow() {
                    pending.extend(items.iter().rev().cloned());
                }
            }
            Value::Hash(table) => {
                for (k, v) in hash_entries(table).into_iter().rev() {
                    pending.push(v);
                    pending.push(k);
                }
            }
            Value::Values(vals) => pending.extend(vals.iter().rev().cloned()),
            _ => {}
        }
    }
    labels
}

/// A box's contents; a box being assigned to right now reads as void.
fn unbox(b: &Value) -> Value {
    match b {
        Value::Box(cell) => cell.try_borrow().map(|v| v.clone()).unwrap_or(Value::Void),
        _ => Value::Void,
    }
}

fn mpair_parts(p: &Value) -> (Value, Value) {
    let read = |cell: &std::cell::RefCell<Value>| cell.try_borrow().map(|v| v.clone());
    match p {
        Value::MPair(p) => (
            read(&p.car).unwrap_or(Value::Void),
            read(&p.cdr).unwrap_or(Value::Null),
        ),
        _ => (Value::Void, Value::Null),
    }
}

fn hash_entries(table: &HashTable) -> Vec<(Value, Value)> {
    table
        .map
        .try_borrow()
        .map(|map| map.iter().map(|(k, v)| (k.0.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn hash_constructor_name(kind: HashKind) -> &'static str {
    match kind {
        HashKind::Equal => "hash",
        HashKind::Eqv => "hasheqv",
        HashKind::Eq => "hasheq",
    }
}

fn exn_struct_name(kind: ExnKind) -> &'static str {
    match kind {
        ExnKind::Fail => "exn:fail",
        ExnKind::User => "exn:fail:user",
        ExnKind::Contract => "exn:fail:contract",
        ExnKind::Arity => "exn:fail:contract:arity",
        ExnKind::DivideByZero => "exn:fail:contract:divide-by-zero",
        ExnKind::Variable => "exn:fail:contract:variable",
        ExnKind::Syntax => "exn:fail:syntax",
        ExnKind::Read => "exn:fail:read",
        ExnKind::Filesystem => "exn:fail:filesystem",
        ExnKind::TokenBudget => "exn:fail:token-budget",
        ExnKind::Break => "exn:break",
    }
}

/// A string in `write` style: quoted, with Racket's escapes.
pub fn write_string_literal(out: &mut String, s: &str) {
    out.push('"');
    write_string_contents(out, s);
    out.push('"');
}

fn write_string_contents(out: &mut String, s: &str) {
    let mut plain_from = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{7}' => "\\a",
            '\u{8}' => "\\b",
            '\u{1b}' => "\\e",
            '\u{c}' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{b}' => "\\v",
            c if c.is_ascii_graphic() || c == ' ' || is_graphic(c) || is_blank(c) => continue,
            _ => "",
        };
        out.push_str(&s[plain_from..i]);
        plain_from = i + c.len_utf8();
        if escape.is_empty() {
            write_unicode_escape(out, c, "\\u", "\\U");
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[plain_from..]);
}

fn write_unicode_escape(out: &mut String, c: char, short: &str, long: &str) {
    let n = c as u32;
    if n <= 0xFFFF {
        let _ = write!(out, "{short}{n:04X}");
    } else {
        let _ = write!(out, "{long}{n:08X}");
    }
}

/// A character in `write` style: `#\a`, `#\space`, `#\u0001`.
fn write_char_literal(out: &mut String, c: char) {
    let name = match c {
        '\0' => "nul",
        '\u{8}' => "backspace",
        '\t' => "tab",
        '\u{c}' => "page",
        '\n' => "newline",
        '\r' => "return",
        '\u{b}' => "vtab",
        ' ' => "space",
        '\u{7f}' => "rubout",
        _ => "",
    };
    out.push_str("#\\");
    if !name.is_empty() {
        out.push_str(name);
    } else if is_graphic(c) {
        out.push(c);
    } else {
        write_unicode_escape(out, c, "u", "U");
    }
}

/// Racket's rules for when a symbol needs quoting: delimiters and whitespace anywhere, `#` at
/// the start (except `#%`), a lone `.`, and names that would read as numbers. Keywords only
/// quote for delimiters.
fn write_symbol_name(out: &mut String, name: &str, keyword: bool) {
    let first_hash_needs_quote = name.starts_with('#') && !name.starts_with("#%");
    let all_simple =
        !first_hash_needs_quote && name != "." && name.chars().all(is_simple_symbol_char);
    if all_simple {
        if keyword || !(name.is_empty() || reads_as_number(name)) {
            out.push_str(name);
        } else {
            out.push('|');
            out.push_str(name);
            out.push('|');
        }
    } else if name.contains('|') {
        for (i, c) in name.chars().enumerate() {
            if !is_simple_symbol_char(c) || (i == 0 && first_hash_needs_quote) {
                out.push('\\');
            }
            out.push(c);
        }
    } else {
        out.push('|');
        out.push_str(name);
        out.push('|');
    }
}

fn is_simple_symbol_char(c: char) -> bool {
    !matches!(
        c,
        '(' | ')' | '[' | ']' | '{' | '}' | '"' | ',' | '\'' | '`' | ';' | '|' | '\\'
    ) && !c.is_whitespace()
}

fn reads_as_number(name: &str) -> bool {
    let could_start_number =
        name.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
    could_start_number && crate::reader::number::parse_number(name, 10).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{HashKey, Symbol};
    use indexmap::IndexMap;

    fn sym(s: &str) -> Value {
        Value::sym(s)
    }

    fn list(items: Vec<Value>) -> Value {
        Value::list(items)
    }

    fn all_modes(v: &Value) -> (String, String, String) {
        (display_string(v), write_string(v), print_string(v))
    }

    #[test]
    fn strings_and_chars() {
        let s = Value::str("a\nb\"c\\d\u{1}\u{7f} é\t\u{a0}😀\u{2028}");
        assert_eq!(
            display_string(&s),
            "a\nb\"c\\d\u{1}\u{7f} é\t\u{a0}😀\u{2028}"
        );
        assert_eq!(
            write_string(&s),
            "\"a\\nb\\\"c\\\\d\\u0001\\u007F é\\t\u{a0}😀\\u2028\""
        );
        assert_eq!(print_string(&s), write_string(&s));
        let chars = [
            ('a', "#\\a"),
            (' ', "#\\space"),
            ('\n', "#\\newline"),
            ('\0', "#\\nul"),
        ];
        for (c, written) in chars {
            assert_eq!(write_string(&Value::Char(c)), written);
            assert_eq!(print_string(&Value::Char(c)), written);
            assert_eq!(display_string(&Value::Char(c)), c.to_string());
        }
        assert_eq!(write_string(&Value::Char('\u{7f}')), "#\\rubout");
        assert_eq!(write_string(&Value::Char('\u{1}')), "#\\u0001");
        assert_eq!(write_string(&Value::Char('\u{a0}')), "#\\u00A0");
        assert_eq!(write_string(&Value::Char('λ')), "#\\λ");
        assert_eq!(write_string(&Value::Char('\u{10FFFF}')), "#\\U0010FFFF");
        assert_eq!(write_string(&Value::Char('😀')), "#\\😀");
    }

    #[test]
    fn symbols_with_bars_where_needed() {
        let cases = [
            ("hello", "hello"),
            ("hello world", "|hello world|"),
            ("", "||"),
            ("#foo", "|#foo|"),
            ("#%app", "#%app"),
            ("a|b", "a\\|b"),
            ("a b|c", "a\\ b\\|c"),
            ("a(b", "|a(b|"),
            (".", "|.|"),
            ("...", "..."),
            ("a;b", "|a;b|"),
            ("a\\b", "|a\\b|"),
            ("A", "A"),
            ("-", "-"),
            ("a#b", "a#b"),
            ("#", "|#|"),
            ("1", "|1|"),
            ("1.5", "|1.5|"),
            ("-1", "|-1|"),
            ("1/2", "|1/2|"),
            ("1e3", "|1e3|"),
            ("+inf.0", "|+inf.0|"),
            ("1+", "1+"),
            ("+a", "+a"),
            ("1.2.3", "1.2.3"),
        ];
        for (name, written) in cases {
            let v = Value::Symbol(Symbol::intern(name));
            assert_eq!(write_string(&v), written, "symbol {name:?}");
            assert_eq!(display_string(&v), name);
            assert_eq!(print_string(&v), format!("'{written}"));
        }
    }

    #[test]
    fn keywords() {
        let k = Value::Keyword(Symbol::intern("k"));
        assert_eq!(all_modes(&k), ("#:k".into(), "#:k".into(), "'#:k".into()));
        let spaced = Value::Keyword(Symbol::intern("a b"));
        assert_eq!(write_string(&spaced), "#:|a b|");
        assert_eq!(display_string(&spaced), "#:a b");
        assert_eq!(write_string(&Value::Keyword(Symbol::intern("1"))), "#:1");
    }

    #[test]
    fn lists_and_quote_forms() {
        let l = list(vec![
            Value::Int(1),
            Value::str("s"),
            Value::Char('c'),
            sym("x"),
        ]);
        assert_eq!(
            all_modes(&l),
            (
                "(1 s c x)".into(),
                "(1 \"s\" #\\c x)".into(),
                "'(1 \"s\" #\\c x)".into()
            )
        );
        let dotted = Value::cons(Value::Int(1), Value::Int(2));
        assert_eq!(
            all_modes(&dotted),
            ("(1 . 2)".into(), "(1 . 2)".into(), "'(1 . 2)".into())
        );
        let quoted = list(vec![sym("quote"), sym("a")]);
        assert_eq!(
            all_modes(&quoted),
            ("(quote a)".into(), "(quote a)".into(), "''a".into())
        );
        let inner = list(vec![Value::Int(1), quoted.clone()]);
        assert_eq!(print_string(&inner), "'(1 'a)");
        assert_eq!(write_string(&inner), "(1 (quote a))");
        let qq = list(vec![
            sym("quasiquote"),
            list(vec![
                sym("a"),
                list(vec![sym("unquote"), sym("b")]),
                list(vec![sym("unquote-splicing"), sym("c")]),
            ]),
        ]);
        assert_eq!(print_string(&qq), "'`(a ,b ,@c)");
        assert_eq!(print_string(&list(vec![sym("quote")])), "'(quote)");
        assert_eq!(
            print_string(&list(vec![sym("quote"), sym("a"), sym("b")])),
            "'(quote a b)"
        );
        let tail_quote = Value::cons(sym("a"), quoted);
        assert_eq!(print_string(&tail_quote), "'(a . 'a)");
        assert_eq!(write_string(&tail_quote), "(a quote a)");
        assert_eq!(print_string(&Value::Null), "'()");
        assert_eq!(write_string(&Value::Null), "()");
        let nested = list(vec![list(vec![]), list(vec![Value::Int(1)])]);
        assert_eq!(print_string(&nested), "'(() (1))");
    }

    #[test]
    fn unreadable_values_stay_quoted_in_print_mode() {
        let l = list(vec![
            Value::Int(1),
            Value::Primitive(&CAR_STANDIN),
            Value::Void,
        ]);
        assert_eq!(print_string(&l), "'(1 #<procedure:car> #<void>)");
    }

    static CAR_STANDIN: crate::builtins::Primitive =
        crate::builtins::Primitive::new("car", 1, 1, |_, _| Ok(Value::Void), "stand-in");

    #[test]
    fn atoms() {
        assert_eq!(write_string(&Value::Void), "#<void>");
        assert_eq!(print_string(&Value::Void), "#<void>");
        assert_eq!(display_string(&Value::Eof), "#<eof>");
        assert_eq!(print_string(&Value::Bool(true)), "#t");
        assert_eq!(print_string(&Value::Int(-5)), "-5");
        assert_eq!(print_string(&Value::Float(1.5)), "1.5");
        assert_eq!(write_string(&Value::Undefined), "#<undefined>");
        let p = Value::Primitive(&CAR_STANDIN);
        assert_eq!(write_string(&p), "#<procedure:car>");
        let port = Value::Port(std::rc::Rc::new(
            crate::builtins::ports::Port::new_string_output(),
        ));
        assert_eq!(write_string(&port), "#<output-port:string>");
        let vals = Value::Values(std::rc::Rc::from(vec![Value::Int(1), Value::str("two")]));
        assert_eq!(print_string(&vals), "1\n\"two\"");
    }

    #[test]
    fn vectors_and_hashes() {
        let v = Value::vector(vec![Value::Int(1), Value::str("s"), sym("w")]);
        assert_eq!(
            all_modes(&v),
            (
                "#(1 s w)".into(),
                "#(1 \"s\" w)".into(),
                "'#(1 \"s\" w)".into()
            )
        );
        assert_eq!(print_string(&Value::vector(vec![])), "'#()");
        let mut map = IndexMap::new();
        map.insert(HashKey(sym("a")), Value::Int(1));
        map.insert(HashKey(sym("b")), Value::str("x"));
        let h = Value::new_hash(HashKind::Equal, false, map.clone());
        assert_eq!(write_string(&h), "#hash((a . 1) (b . \"x\"))");
        assert_eq!(print_string(&h), "'#hash((a . 1) (b . \"x\"))");
        assert_eq!(display_string(&h), "#hash((a . 1) (b . x))");
        let heq = Value::new_hash(HashKind::Eq, true, map.clone());
        assert_eq!(write_string(&heq), "#hasheq((a . 1) (b . \"x\"))");
        let heqv = Value::new_hash(HashKind::Eqv, true, IndexMap::new());
        assert_eq!(write_string(&heqv), "#hasheqv()");
    }

    #[test]
    fn self_containing_vectors_use_labels() {
        let v = Value::vector(vec![Value::Int(0), Value::Int(1)]);
        if let Value::Vector(items) = &v {
            items.borrow_mut()[0] = v.clone();
        }
        assert_eq!(write_string(&v), "#0=#(#0# 1)");
        assert_eq!(print_string(&v), "#0='#(#0# 1)");
        let both = list(vec![v.clone(), v.clone()]);
        assert_eq!(display_string(&both), "(#0=#(#0# 1) #0#)");
        if let Value::Vector(items) = &v {
            items.borrow_mut().clear();
        }
    }

    #[test]
    fn sharing_is_labelled_only_in_cyclic_data() {
        let inner = Value::vector(vec![Value::Int(1)]);
        let tail = list(vec![Value::Int(2)]);
        let plain = Value::vector(vec![
            inner.clone(),
            inner.clone(),
            tail.clone(),
            tail.clone(),
        ]);
        assert_eq!(write_string(&plain), "#(#(1) #(1) (2) (2))");
        let v = Value::vector(vec![
            inner.clone(),
            inner,
            tail.clone(),
            tail,
            Value::Int(0),
        ]);
        if let Value::Vector(items) = &v {
            items.borrow_mut()[4] = v.clone();
        }
        assert_eq!(write_string(&v), "#2=#(#0=#(1) #0# #1=(2) #1# #2#)");
        assert_eq!(print_string(&v), "#2='#(#0=#(1) #0# #1=(2) #1# #2#)");
        if let Value::Vector(items) = &v {
            items.borrow_mut().clear();
        }
    }

    #[test]
    fn boxes_and_mutable_pairs() {
        let cell = |v| Value::Box(gcmodule::Cc::new(std::cell::RefCell::new(v)));
        let mcons = |car, cdr| {
            Value::MPair(gcmodule::Cc::new(MPair {
                car: std::cell::RefCell::new(car),
                cdr: std::cell::RefCell::new(cdr),
            }))
        };
        let b = cell(Value::str("s"));
        assert_eq!(
            all_modes(&b),
            ("#&s".into(), "#&\"s\"".into(), "'#&\"s\"".into())
        );
        assert_eq!(
            print_string(&list(vec![b.clone(), sym("x")])),
            "'(#&\"s\" x)"
        );
        let m = mcons(Value::str("a"), mcons(sym("b"), Value::Int(3)));
        assert_eq!(
            all_modes(&m),
            (
                "{a b . 3}".into(),
                "{\"a\" b . 3}".into(),
                "(mcons \"a\" (mcons 'b 3))".into()
            )
        );
        assert_eq!(
            print_string(&list(vec![Value::Int(1), m])),
            "(list 1 (mcons \"a\" (mcons 'b 3)))"
        );
        assert_eq!(
            print_string(&cell(mcons(Value::Int(1), Value::Null))),
            "(box (mcons 1 '()))"
        );
        assert_eq!(
            print_string(&list(vec![
                sym("quote"),
                mcons(Value::Int(1), Value::Int(2))
            ])),
            "'(mcons 1 2)"
        );
    }

    #[test]
    fn exceptions_force_constructor_style() {
        let exn = crate::error::exn_value(crate::error::ExnKind::Fail, "x");
        assert_eq!(
            write_string(&exn),
            "#(struct:exn:fail \"x\" #<continuation-mark-set>)"
        );
        assert_eq!(
            print_string(&exn),
            "(exn:fail \"x\" #<continuation-mark-set>)"
        );
        let l = list(vec![
            Value::Int(1),
            list(vec![Value::Int(2), exn.clone()]),
            Value::str("s"),
            list(vec![sym("x")]),
        ]);
        assert_eq!(
            print_string(&l),
            "(list 1 (list 2 (exn:fail \"x\" #<continuation-mark-set>)) \"s\" '(x))"
        );
        let improper = Value::cons(Value::Int(1), exn);
        assert_eq!(
            print_string(&improper),
            "(cons 1 (exn:fail \"x\" #<continuation-mark-set>))"
        );
    }

    #[test]
    fn syntax_preview_is_cut() {
        let short = Value::Syntax(std::rc::Rc::new("hi \"there\"".to_string()));
        assert_eq!(write_string(&short), "#<syntax \"hi \\\"there\\\"\">");
        let long = Value::Syntax(std::rc::Rc::new("x".repeat(100)));
        assert_eq!(
            display_string(&long),
            format!("#<syntax \"{}...\">", "x".repeat(40))
        );
    }

    #[test]
    fn long_lists_print_without_recursion() {
        let big = Value::from_iter_list((0..1_000_000).map(Value::Int));
        let s = write_string(&big);
        assert!(s.starts_with("(0 1 2 "));
        assert!(s.ends_with(" 999999)"));
        drop(big);
    }

    #[test]
    fn deep_nesting_is_cut_before_the_stack_runs_out() {
        let deep = (0..300_000).fold(Value::Null, |acc, _| Value::list(vec![acc]));
        let s = write_string(&deep);
        assert!(s.starts_with("(((") && s.contains("..."));
        drop(deep);
    }

    #[test]
    fn write_value_appends() {
        let mut out = String::from(">");
        write_value(&mut out, &Value::str("a"), Mode::Write);
        write_value(&mut out, &sym("b"), Mode::Print);
        assert_eq!(out, ">\"a\"'b");
    }

    #[test]
    fn fixnums_print_their_decimal_digits_in_every_mode() {
        for i in [0, 7, -7, 10, -100, 1234567890, i64::MAX, i64::MIN] {
            for mode in [Mode::Display, Mode::Write, Mode::Print] {
                let mut out = String::new();
                write_value(&mut out, &Value::Int(i), mode);
                assert_eq!(out, i.to_string());
            }
        }
        assert_eq!(print_string(&list(vec![Value::Int(-3), Value::Int(40)])), "'(-3 40)");
    }
}

//! Compilation of spanned data into `Node` trees: special forms, lexical addressing of
//! variables, internal definitions and keyword/optional parameters. Derived forms are first
//! rewritten by `expand`, user macros by `macros`.

use std::rc::Rc;

use crate::error::{Error, Span, R};
use crate::eval::expand;
use crate::eval::macros::{self, Macro};
use crate::eval::inlined::{BinaryOp, UnaryOp};
use crate::eval::node::{KeywordParam, Lambda, Node, Target};
use crate::interp::{GlobalCell, Globals};
use crate::reader::{Datum, DatumKind};
use crate::value::{Symbol, Value};

/// A compiled top-level form and the size of the frame its `let` variables need.
pub struct Toplevel {
    pub frame_size: u32,
    pub node: Node,
}

pub fn compile_toplevel(globals: &Rc<Globals>, form: &Datum) -> R<Toplevel> {
    let mut c = Compiler::new(globals.clone());
    let node = c.compile_toplevel_form(form)?;
    let frame_size = c.frames[0].size;
    Ok(Toplevel { frame_size, node })
}

#[derive(Default)]
struct FrameScope {
    /// Visible bindings, innermost last; shadowed names stay in the list behind newer ones.
    vars: Vec<(Symbol, u32)>,
    size: u32,
    /// The frame will live on the value stack; only the innermost frame can.
    on_stack: bool,
    /// Stack slots that `set!` or a definition assigns after the frame is made.
    assigned: Vec<u32>,
}

enum Resolved {
    Local { depth: u32, slot: u32 },
    Stack { slot: u32 },
    Global(Rc<GlobalCell>),
}

pub struct Compiler {
    globals: Rc<Globals>,
    frames: Vec<FrameScope>,
    /// Procedures compiled so far, to tell whether a body creates closures.
    lambdas_made: usize,
}

fn syntax_err(who: &str, msg: &str, d: &Datum) -> Error {
    Error::syntax(who, &format!("{msg}\n  in: {}", datum_preview(d)), d.span)
}

fn datum_preview(d: &Datum) -> String {
    let text = crate::value::print::write_string(&macros::datum_to_value(d));
    if text.chars().count() > 120 {
        format!("{}...", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

fn is_core_form(name: &str) -> bool {
    matches!(
        name,
        "quote"
            | "if"
            | "define"
            | "set!"
            | "lambda"
            | "λ"
            | "case-lambda"
            | "begin"
            | "let"
            | "letrec"
            | "letrec*"
            | "and"
            | "or"
            | "define-values"
            | "let-values"
            | "letrec-values"
            | "define-syntax"
            | "let-syntax"
            | "letrec-syntax"
            | "require"
            | "provide"
            | "module+"
            | "#%app"
    )
}

impl Compiler {
    pub fn new(globals: Rc<Globals>) -> Compiler {
        Compiler { globals, frames: vec![FrameScope::default()], lambdas_made: 0 }
    }

    /// Finds a local variable. Heap frame depths count only heap frames, because a procedure
    /// whose frame is on the stack runs in its closure's environment.
    fn lookup(&self, sym: Symbol) -> Option<Resolved> {
        let mut s = Some(sym);
        while let Some(name) = s {
            let mut heap_depth = 0;
            for frame in self.frames.iter().rev() {
                if let Some((_, slot)) = frame.vars.iter().rev().find(|(n, _)| *n == name) {
                    return Some(if frame.on_stack {
                        Resolved::Stack { slot: *slot }
                    } else {
                        Resolved::Local { depth: heap_depth, slot: *slot }
                    });
                }
                if !frame.on_stack {
                    heap_depth += 1;
                }
            }
            s = macros::alias_of(name);
        }
        None
    }

    fn resolve(&self, sym: Symbol) -> Resolved {
        self.lookup(sym).unwrap_or_else(|| Resolved::Global(self.globals.cell(macros::base_name(sym))))
    }

    fn current_on_stack(&self) -> bool {
        self.frames.last().is_some_and(|f| f.on_stack)
    }

    /// Stores into a slot of the current frame.
    fn set_slot(&self, slot: u32, value: Node) -> Node {
        if self.current_on_stack() {
            Node::SetStackLocal { slot, value: Box::new(value) }
        } else {
            Node::SetLocal { depth: 0, slot, value: Box::new(value) }
        }
    }

    fn is_locally_bound(&self, sym: Symbol) -> bool {
        self.lookup(sym).is_some()
    }

    fn add_local(&mut self, name: Symbol) -> u32 {
        let frame = self.frames.last_mut().expect("compiler always has a frame");
        let slot = frame.size;
        frame.size += 1;
        frame.vars.push((name, slot));
        slot
    }

    /// Records an assignment to a slot of the current frame (stack variables always live in
    /// the innermost frame).
    fn note_assigned(&mut self, slot: u32) {
        if let Some(frame) = self.frames.last_mut() {
            frame.assigned.push(slot);
        }
    }

    fn scope_mark(&self) -> usize {
        self.frames.last().map_or(0, |f| f.vars.len())
    }

    fn scope_reset(&mut self, mark: usize) {
        if let Some(f) = self.frames.last_mut() {
            f.vars.truncate(mark);
        }
    }

    fn at_toplevel(&self) -> bool {
        self.frames.len() == 1
    }

    /// The special-form or macro name a head symbol denotes, unless a local binding shadows it.
    fn keyword_of(&self, head: &Datum) -> Option<Symbol> {
        let sym = head.as_symbol()?;
        if self.is_locally_bound(sym) {
            return None;
        }
        let base = macros::base_name(sym);
        if self.globals.macros.borrow().contains_key(&base) {
            return Some(base);
        }
        let user_defined = self.globals.cells.borrow().get(&base).is_some_and(|c| {
            !matches!(c.get(), Value::Undefined | Value::Primitive(_)) && !c.protected.get()
        });
        if user_defined {
            return None;
        }
        (is_core_form(base.name()) || expand::is_derived_form(base.name())).then_some(base)
    }

    fn compile_toplevel_form(&mut self, form: &Datum) -> R<Node> {
        if let DatumKind::List(items) = &form.kind {
            if let Some(head) = items.first() {
                if let Some(kw) = self.keyword_of(head) {
                    match kw.name() {
                        "begin" => {
                            let nodes = items[1..]
                                .iter()
                                .map(|f| self.compile_toplevel_form(f))
                                .collect::<R<Vec<_>>>()?;
                            return Ok(seq(nodes));
                        }
                        "define" | "define-values" | "define-syntax" => return self.compile(form),
                        _ => {}
                    }
                    if let Some(expanded) = self.expand_macro_use(kw, form)? {
                        return self.compile_toplevel_form(&expanded);
                    }
                }
            }
        }
        self.compile(form)
    }

    /// Expands a user macro or a derived form; `None` if `kw` is a core form.
    fn expand_macro_use(&mut self, kw: Symbol, form: &Datum) -> R<Option<Datum>> {
        let user_macro: Option<Rc<Macro>> = self.globals.macros.borrow().get(&kw).cloned();
        if let Some(m) = user_macro {
            return m.expand(form).map(Some);
        }
        if expand::is_derived_form(kw.name()) {
            return expand::expand(kw.name(), form).map(Some);
        }
        Ok(None)
    }

    pub fn compile(&mut self, d: &Datum) -> R<Node> {
        match &d.kind {
            DatumKind::Symbol(s) => self.compile_ref(*s, d.span),
            DatumKind::Atom(Value::Keyword(k)) => {
                Err(syntax_err("#%datum", &format!("keyword misused as an expression\n  at: #:{}", k.name()), d))
            }
            DatumKind::Atom(v) => Ok(Node::Const(v.clone())),
            DatumKind::Vector(_) => Ok(Node::Const(macros::datum_to_value(d))),
            DatumKind::Dotted(..) => Err(syntax_err("#%app", "bad syntax (illegal use of `.`)", d)),
            DatumKind::List(items) if items.is_empty() => {
                Err(syntax_err("#%app", "missing procedure expression;\n probably originally (), which is an illegal empty application", d))
            }
            DatumKind::List(items) => {
                if let Some(kw) = self.keyword_of(&items[0]) {
                    if let Some(expanded) = self.expand_macro_use(kw, d)? {
                        return self.compile(&expanded);
                    }
                    return self.compile_core(kw.name(), d, items);
                }
                self.compile_call(d, items)
            }
        }
    }

    fn compile_ref(&mut self, s: Symbol, span: Span) -> R<Node> {
        match self.resolve(s) {
            Resolved::Local { depth, slot } => Ok(Node::Local { depth, slot, name: macros::base_name(s), span }),
            Resolved::Stack { slot } => Ok(Node::StackLocal { slot, name: macros::base_name(s), span }),
            Resolved::Global(cell) => Ok(Node::Global(cell, span)),
        }
    }

    fn compile_core(&mut self, name: &str, d: &Datum, items: &[Datum]) -> R<Node> {
        match name {
            "quote" => {
                if items.len() != 2 {
                    return Err(syntax_err("quote", "bad syntax", d));
                }
                Ok(Node::Const(macros::datum_to_value(&items[1])))
            }
            "if" => {
                if items.len() != 4 {
                    let msg = if items.len() == 3 { "missing an \"else\" expression" } else { "bad syntax" };
                    return Err(syntax_err("if", msg, d));
                }
                let test = self.compile(&items[1])?;
                let then = self.compile(&items[2])?;
                let els = self.compile(&items[3])?;
                Ok(Node::If(Box::new(test), Box::new(then), Box::new(els)))
            }
            "define" => self.compile_define(d, items),
            "set!" => self.compile_set(d, items),
            "lambda" | "λ" => {
                if items.len() < 3 {
                    return Err(syntax_err("lambda", "bad syntax", d));
                }
                let lambda = self.compile_lambda(&items[1], &items[2..], None, d.span, d)?;
                Ok(Node::Lambda(Rc::new(lambda)))
            }
            "case-lambda" => self.compile_case_lambda(d, items),
            "begin" => {
                if items.len() == 1 {
                    return Ok(Node::Const(Value::Void));
                }
                self.compile_body(&items[1..], d)
            }
            "let" => self.compile_let(d, items),
            "letrec" | "letrec*" => self.compile_letrec(d, items),
            "and" | "or" => {
                let parts: Vec<Node> = items[1..].iter().map(|x| self.compile(x)).collect::<R<_>>()?;
                Ok(match (name, parts.len()) {
                    ("and", 0) => Node::Const(Value::Bool(true)),
                    ("or", 0) => Node::Const(Value::Bool(false)),
                    (_, 1) => parts.into_iter().next().unwrap_or(Node::Const(Value::Void)),
                    ("and", _) => Node::And(parts.into_boxed_slice()),
                    _ => Node::Or(parts.into_boxed_slice()),
                })
            }
            "define-values" => self.compile_define_values(d, items),
            "let-values" | "letrec-values" => self.compile_let_values(d, items),
            "define-syntax" => self.compile_define_syntax(d, items),
            "let-syntax" | "letrec-syntax" => Err(syntax_err(name, "not supported; use define-syntax", d)),
            "require" | "provide" => Ok(Node::Const(Value::Void)),
            "module+" => {
                let is_main = items.get(1).is_some_and(|n| n.is_symbol("main"));
                if is_main && self.at_toplevel() {
                    let nodes = items[2..].iter().map(|f| self.compile_toplevel_form(f)).collect::<R<Vec<_>>>()?;
                    Ok(seq(nodes))
                } else {
                    Ok(Node::Const(Value::Void))
                }
            }
            "#%app" => self.compile_call(d, &items[1..]),
            other => Err(syntax_err(other, "bad syntax", d)),
        }
    }

    fn compile_call(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        if items.is_empty() {
            return Err(syntax_err("#%app", "missing procedure expression", d));
        }
        let callee = self.compile(&items[0])?;
        let mut args = Vec::with_capacity(items.len() - 1);
        let mut keywords: Vec<(Symbol, Node)> = Vec::new();
        let mut i = 1;
        while i < items.len() {
            if let Some(k) = items[i].keyword() {
                let Some(value) = items.get(i + 1) else {
                    return Err(syntax_err("#%app", &format!("missing argument expression after keyword #:{}", k.name()), d));
                };
                if keywords.iter().any(|(existing, _)| *existing == k) {
                    return Err(syntax_err("#%app", &format!("duplicate keyword #:{}", k.name()), d));
                }
                keywords.push((k, self.compile(value)?));
                i += 2;
            } else {
                args.push(self.compile(&items[i])?);
                i += 1;
            }
        }
        if let (Node::Global(cell, _), true) = (&callee, keywords.is_empty()) {
            let current = cell.get();
            if let Value::Primitive(builtin) = current {
                let cell = cell.clone();
                let span = d.span;
                match args.len() {
                    1 => {
                        if let Some(op) = UnaryOp::for_builtin(builtin.name) {
                            let arg = Box::new(args.remove(0));
                            return Ok(Node::Unary { op, builtin, cell, arg, span });
                        }
                    }
                    2 => {
                        if let Some(op) = BinaryOp::for_builtin(builtin.name) {
                            let (a, b) = (args.remove(0), args.remove(0));
                            return Ok(Node::Binary { op, builtin, cell, args: Box::new([a, b]), span });
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(Node::Call {
            callee: Box::new(callee),
            args: args.into_boxed_slice(),
            keywords: keywords.into_boxed_slice(),
            span: d.span,
        })
    }

    fn compile_define(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        if items.len() < 2 {
            return Err(syntax_err("define", "bad syntax", d));
        }
        // A top-level definition makes its name a variable, also inside its own value: a
        // library macro of that name (`try`) no longer applies.
        if self.at_toplevel() {
            let mut target = &items[1];
            while let DatumKind::List(head) | DatumKind::Dotted(head, _) = &target.kind {
                let Some(first) = head.first() else { break };
                target = first;
            }
            if let Some(name) = target.as_symbol() {
                self.globals.macros.borrow_mut().remove(&macros::base_name(name));
            }
        }
        let (name, value) = match &items[1].kind {
            DatumKind::Symbol(name) => {
                let value = match items.len() {
                    2 => Node::Const(Value::Void),
                    3 => self.compile_named(&items[2], *name)?,
                    _ => return Err(syntax_err("define", "bad syntax (multiple expressions after identifier)", d)),
                };
                (*name, value)
            }
            DatumKind::List(head) | DatumKind::Dotted(head, _) if !head.is_empty() => {
                if items.len() < 3 {
                    return Err(syntax_err("define", "bad syntax (no expressions for procedure body)", d));
                }
                if matches!(head[0].kind, DatumKind::List(_) | DatumKind::Dotted(..)) {
                    return self.compile_define(d, &uncurry_define(items, d.span));
                }
                let name = head[0].as_symbol().ok_or_else(|| syntax_err("define", "bad syntax (not an identifier)", d))?;
                let params = match &items[1].kind {
                    DatumKind::List(h) => Datum::list(h[1..].to_vec(), items[1].span),
                    DatumKind::Dotted(h, tail) if h.len() == 1 => (**tail).clone(),
                    DatumKind::Dotted(h, tail) => {
                        Datum::new(DatumKind::Dotted(h[1..].to_vec(), tail.clone()), items[1].span)
                    }
                    _ => unreachable!("matched above"),
                };
                let lambda = self.compile_lambda(&params, &items[2..], Some(macros::base_name(name)), d.span, d)?;
                (name, Node::Lambda(Rc::new(lambda)))
            }
            _ => return Err(syntax_err("define", "bad syntax", d)),
        };
        self.define_target(name, value, d)
    }

    /// Stores a definition: a global at top level, a frame slot inside a body (the slot was
    /// allocated when the body was scanned for definitions).
    fn define_target(&mut self, name: Symbol, value: Node, d: &Datum) -> R<Node> {
        if !self.at_toplevel() || self.frames[0].vars.iter().any(|(n, _)| *n == name) {
            match self.lookup(name) {
                Some(Resolved::Local { depth: 0, slot }) if !self.current_on_stack() => return Ok(self.set_slot(slot, value)),
                Some(Resolved::Stack { slot }) => {
                    self.note_assigned(slot);
                    return Ok(self.set_slot(slot, value));
                }
                _ => {}
            }
        }
        let cell = self.globals.cell(macros::base_name(name));
        if cell.protected.get() {
            return Err(syntax_err("define", &format!("cannot redefine scaffold binding '{}'", cell.name.name()), d));
        }
        Ok(Node::DefineGlobal { cell, value: Box::new(value), span: d.span })
    }

    fn compile_named(&mut self, d: &Datum, name: Symbol) -> R<Node> {
        if let DatumKind::List(items) = &d.kind {
            if items.len() >= 3 {
                if let Some(kw) = self.keyword_of(&items[0]) {
                    if kw.name() == "lambda" || kw.name() == "λ" {
                        let lambda = self.compile_lambda(&items[1], &items[2..], Some(macros::base_name(name)), d.span, d)?;
                        return Ok(Node::Lambda(Rc::new(lambda)));
                    }
                }
            }
        }
        self.compile(d)
    }

    fn compile_set(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        if items.len() != 3 {
            return Err(syntax_err("set!", "bad syntax", d));
        }
        let name = items[1].as_symbol().ok_or_else(|| syntax_err("set!", "not an identifier", d))?;
        let value = Box::new(self.compile(&items[2])?);
        match self.resolve(name) {
            Resolved::Local { depth, slot } => Ok(Node::SetLocal { depth, slot, value }),
            Resolved::Stack { slot } => {
                self.note_assigned(slot);
                Ok(Node::SetStackLocal { slot, value })
            }
            Resolved::Global(cell) => {
                if cell.protected.get() {
                    return Err(syntax_err("set!", &format!("cannot redefine scaffold binding '{}'", cell.name.name()), d));
                }
                Ok(Node::SetGlobal { cell, value, span: d.span })
            }
        }
    }

    /// Compiles a procedure: parameters (required, `[x default]` optional, `#:kw` keyword,
    /// rest) and its body, in a new frame.
    pub fn compile_lambda(&mut self, params: &Datum, body: &[Datum], name: Option<Symbol>, span: Span, whole: &Datum) -> R<Lambda> {
        self.compile_lambda_with_self(params, body, name, None, span, whole)
    }

    /// Compiles a procedure; `self_name`, if given, is bound inside it to the procedure itself
    /// (named `let` uses this so the loop does not close a cycle through the enclosing frame).
    fn compile_lambda_with_self(
        &mut self,
        params: &Datum,
        body: &[Datum],
        name: Option<Symbol>,
        self_name: Option<Symbol>,
        span: Span,
        whole: &Datum,
    ) -> R<Lambda> {
        let (positional, rest_param): (&[Datum], Option<&Datum>) = match &params.kind {
            DatumKind::List(ps) => (ps, None),
            DatumKind::Dotted(ps, rest) => (ps, Some(rest)),
            DatumKind::Symbol(_) => (&[], Some(params)),
            _ => return Err(syntax_err("lambda", "bad argument sequence", whole)),
        };
        self.lambdas_made += 1;
        let made_before = self.lambdas_made;
        let compile_in_frame = |c: &mut Compiler, on_stack: bool| {
            c.frames.push(FrameScope { on_stack, ..FrameScope::default() });
            let result = c.compile_lambda_in_frame(positional, rest_param, body, name, self_name, span, whole);
            c.frames.pop();
            result
        };
        let lambda = compile_in_frame(self, false)?;
        let creates_closures = self.lambdas_made != made_before;
        if creates_closures || !lambda.optional_defaults.is_empty() || !lambda.keywords.is_empty() {
            return Ok(lambda);
        }
        // Nothing can capture this procedure's frame, so it can live on the value stack.
        compile_in_frame(self, true).map(Lambda::on_the_stack)
    }

    fn compile_lambda_in_frame(
        &mut self,
        positional: &[Datum],
        rest_param: Option<&Datum>,
        body: &[Datum],
        name: Option<Symbol>,
        self_name: Option<Symbol>,
        span: Span,
        whole: &Datum,
    ) -> R<Lambda> {
        let bad = |msg: &str| syntax_err("lambda", msg, whole);
        let mut required_names = Vec::new();
        let mut optionals: Vec<(Symbol, &Datum)> = Vec::new();
        let mut keywords: Vec<(Symbol, Symbol, Option<&Datum>)> = Vec::new();
        let mut i = 0;
        while i < positional.len() {
            let p = &positional[i];
            if let Some(key) = p.keyword() {
                let spec = positional.get(i + 1).ok_or_else(|| bad("missing argument identifier after keyword"))?;
                let (var, default) = match &spec.kind {
                    DatumKind::Symbol(s) => (*s, None),
                    DatumKind::List(pair) if pair.len() == 2 && pair[0].as_symbol().is_some() => {
                        (pair[0].as_symbol().unwrap_or(key), Some(&pair[1]))
                    }
                    _ => return Err(bad("bad keyword argument specification")),
                };
                if keywords.iter().any(|(k, _, _)| *k == key) {
                    return Err(bad(&format!("duplicate keyword #:{}", key.name())));
                }
                keywords.push((key, var, default));
                i += 2;
                continue;
            }
            match &p.kind {
                DatumKind::Symbol(s) => {
                    if !optionals.is_empty() {
                        return Err(bad("default-value expression missing"));
                    }
                    required_names.push(*s);
                }
                DatumKind::List(pair) if pair.len() == 2 && pair[0].as_symbol().is_some() => {
                    optionals.push((pair[0].as_symbol().unwrap_or_else(|| Symbol::intern("_")), &pair[1]));
                }
                _ => return Err(bad("not an identifier")),
            }
            i += 1;
        }
        let mut seen: Vec<Symbol> = Vec::new();
        for s in required_names.iter().chain(optionals.iter().map(|(s, _)| s)).chain(keywords.iter().map(|(_, s, _)| s)) {
            if seen.contains(s) && s.name() != "_" {
                return Err(bad(&format!("duplicate argument name: {}", s.name())));
            }
            seen.push(*s);
        }
        for s in &required_names {
            self.add_local(*s);
        }
        // Optional defaults may refer to earlier parameters, so each is compiled after the
        // parameters before it are in scope.
        let mut optional_defaults = Vec::new();
        let mut optional_syms = Vec::new();
        for (s, default) in &optionals {
            optional_defaults.push(self.compile(default)?);
            optional_syms.push(*s);
            self.add_local(*s);
        }
        let rest = match rest_param {
            Some(r) => {
                let s = r.as_symbol().ok_or_else(|| bad("rest argument must be an identifier"))?;
                self.add_local(s);
                true
            }
            None => false,
        };
        let mut keyword_params = Vec::new();
        for (key, var, default) in &keywords {
            let default = match default {
                Some(d) => Some(self.compile(d)?),
                None => None,
            };
            let slot = self.add_local(*var);
            keyword_params.push(KeywordParam { key: *key, slot, default });
        }
        keyword_params.sort_by(|a, b| a.key.name().cmp(b.key.name()));
        let self_slot = self_name.map(|n| self.add_local(n));
        let body = self.compile_body(body, whole)?;
        let frame_size = self.frames.last().map_or(0, |f| f.size);
        let self_assigned = self_slot.is_some_and(|s| self.frames.last().is_some_and(|f| f.assigned.contains(&s)));
        Ok(Lambda {
            name,
            required: required_names.len() as u32,
            optional_defaults: optional_defaults.into_boxed_slice(),
            rest,
            keywords: keyword_params.into_boxed_slice(),
            frame_size,
            body,
            span,
            cases: Box::new([]),
            self_slot,
            self_assigned,
            on_stack: false,
            direct_argc: u32::MAX,
        })
    }

    fn compile_case_lambda(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        self.lambdas_made += 1;
        let mut cases = Vec::new();
        for clause in &items[1..] {
            let parts = clause.as_list().filter(|p| p.len() >= 2).ok_or_else(|| syntax_err("case-lambda", "bad clause", d))?;
            cases.push(Rc::new(self.compile_lambda(&parts[0], &parts[1..], None, clause.span, d)?));
        }
        Ok(Node::Lambda(Rc::new(Lambda {
            name: None,
            required: 0,
            optional_defaults: Box::new([]),
            rest: true,
            keywords: Box::new([]),
            frame_size: 0,
            body: Node::Const(Value::Void),
            span: d.span,
            cases: cases.into_boxed_slice(),
            self_slot: None,
            self_assigned: false,
            on_stack: false,
            direct_argc: u32::MAX,
        })))
    }

    /// A body: internal definitions (also those produced by macros, and inside nested
    /// `begin`s) become slots of the current frame, then everything runs in order.
    pub fn compile_body(&mut self, forms: &[Datum], whole: &Datum) -> R<Node> {
        if forms.is_empty() {
            return Err(syntax_err("begin", "empty body", whole));
        }
        self.compile_scoped_body(forms)
    }

    fn compile_scoped_body(&mut self, forms: &[Datum]) -> R<Node> {
        let mark = self.scope_mark();
        let flat = self.flatten_body(forms)?;
        for form in &flat {
            for name in self.defined_names(form) {
                self.add_local(name);
            }
        }
        let nodes = flat.iter().map(|f| self.compile(f)).collect::<R<Vec<_>>>();
        self.scope_reset(mark);
        Ok(seq(nodes?))
    }

    /// Splices `begin` forms and expands macro uses at the head of body forms so that
    /// definitions they produce are seen before the body is compiled.
    fn flatten_body(&mut self, forms: &[Datum]) -> R<Vec<Datum>> {
        let mut out = Vec::new();
        let mut pending: Vec<Datum> = forms.iter().rev().cloned().collect();
        while let Some(form) = pending.pop() {
            let kw = match &form.kind {
                DatumKind::List(items) if !items.is_empty() => self.keyword_of(&items[0]),
                _ => None,
            };
            match kw {
                Some(k) if k.name() == "begin" => {
                    if let DatumKind::List(items) = &form.kind {
                        pending.extend(items[1..].iter().rev().cloned());
                    }
                }
                Some(k) if !is_core_form(k.name()) => {
                    match self.expand_macro_use(k, &form)? {
                        Some(expanded) => pending.push(expanded),
                        None => out.push(form),
                    }
                }
                _ => out.push(form),
            }
        }
        Ok(out)
    }

    fn defined_names(&self, form: &Datum) -> Vec<Symbol> {
        let DatumKind::List(items) = &form.kind else { return Vec::new() };
        let Some(kw) = items.first().and_then(|h| self.keyword_of(h)) else { return Vec::new() };
        match (kw.name(), items.get(1).map(|d| &d.kind)) {
            ("define", Some(DatumKind::Symbol(s))) => vec![*s],
            ("define", Some(DatumKind::List(h) | DatumKind::Dotted(h, _))) => {
                h.first().and_then(|d| d.as_symbol()).into_iter().collect()
            }
            ("define-values", Some(DatumKind::List(names))) => names.iter().filter_map(|d| d.as_symbol()).collect(),
            _ => Vec::new(),
        }
    }

    fn compile_let(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        if items.len() < 3 {
            return Err(syntax_err("let", "bad syntax", d));
        }
        if let Some(loop_name) = items[1].as_symbol() {
            return self.compile_named_let(d, loop_name, items);
        }
        let bindings = parse_bindings("let", &items[1], d)?;
        let inits = bindings.iter().map(|(_, init)| self.compile(init)).collect::<R<Vec<_>>>()?;
        let mark = self.scope_mark();
        let first_slot = self.frames.last().map_or(0, |f| f.size);
        for (name, _) in &bindings {
            self.add_local(*name);
        }
        let body = self.compile_scoped_body(&items[2..]);
        self.scope_reset(mark);
        let on_stack = self.current_on_stack();
        Ok(Node::Let { first_slot, on_stack, inits: inits.into_boxed_slice(), body: Box::new(body?) })
    }

    /// `(let loop ([x init] ...) body)` calls a procedure that sees itself as `loop`.
    fn compile_named_let(&mut self, d: &Datum, loop_name: Symbol, items: &[Datum]) -> R<Node> {
        if items.len() < 4 {
            return Err(syntax_err("let", "bad syntax (missing body)", d));
        }
        let bindings = parse_bindings("let", &items[2], d)?;
        let inits = bindings.iter().map(|(_, init)| self.compile(init)).collect::<R<Vec<_>>>()?;
        let params = Datum::list(bindings.iter().map(|(n, _)| Datum::new(DatumKind::Symbol(*n), d.span)).collect(), d.span);
        let name = Some(macros::base_name(loop_name));
        let lambda = self.compile_lambda_with_self(&params, &items[3..], name, Some(loop_name), d.span, d)?;
        Ok(Node::Call {
            callee: Box::new(Node::Lambda(Rc::new(lambda))),
            args: inits.into_boxed_slice(),
            keywords: Box::new([]),
            span: d.span,
        })
    }

    fn compile_letrec(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        if items.len() < 3 {
            return Err(syntax_err("letrec", "bad syntax", d));
        }
        let bindings = parse_bindings("letrec", &items[1], d)?;
        let mark = self.scope_mark();
        let slots: Vec<u32> = bindings.iter().map(|(n, _)| self.add_local(*n)).collect();
        let mut nodes = Vec::new();
        for ((name, init), slot) in bindings.iter().zip(&slots) {
            match self.compile_named(init, *name) {
                Ok(value) => nodes.push(self.set_slot(*slot, value)),
                Err(e) => {
                    self.scope_reset(mark);
                    return Err(e);
                }
            }
        }
        let body = self.compile_scoped_body(&items[2..]);
        self.scope_reset(mark);
        nodes.push(body?);
        Ok(seq(nodes))
    }

    fn compile_define_values(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        let names = items
            .get(1)
            .and_then(|n| n.as_list())
            .filter(|_| items.len() == 3)
            .ok_or_else(|| syntax_err("define-values", "bad syntax", d))?;
        let value = self.compile(&items[2])?;
        let mut targets = Vec::new();
        for n in names {
            let name = n.as_symbol().ok_or_else(|| syntax_err("define-values", "not an identifier", d))?;
            let target = match self.define_target(name, Node::Const(Value::Void), d)? {
                Node::SetLocal { slot, .. } => Target::Local(slot),
                Node::SetStackLocal { slot, .. } => Target::Stack(slot),
                Node::DefineGlobal { cell, .. } => Target::Global(cell),
                _ => unreachable!("define_target returns a local or global definition"),
            };
            targets.push(target);
        }
        Ok(Node::BindValues { targets: targets.into_boxed_slice(), value: Box::new(value), span: d.span })
    }

    fn compile_let_values(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        let clauses = items
            .get(1)
            .and_then(|b| b.as_list())
            .filter(|_| items.len() >= 3)
            .ok_or_else(|| syntax_err("let-values", "bad syntax", d))?;
        let mut parsed = Vec::new();
        for clause in clauses {
            let parts = clause.as_list().filter(|p| p.len() == 2).ok_or_else(|| syntax_err("let-values", "bad binding clause", d))?;
            let names = parts[0].as_list().ok_or_else(|| syntax_err("let-values", "bad binding clause", d))?;
            let names = names
                .iter()
                .map(|n| n.as_symbol().ok_or_else(|| syntax_err("let-values", "not an identifier", d)))
                .collect::<R<Vec<_>>>()?;
            parsed.push((names, self.compile(&parts[1])?));
        }
        let mark = self.scope_mark();
        let mut nodes = Vec::new();
        for (names, value) in parsed {
            let on_stack = self.current_on_stack();
            let targets: Vec<Target> = names
                .iter()
                .map(|n| {
                    let slot = self.add_local(*n);
                    if on_stack { Target::Stack(slot) } else { Target::Local(slot) }
                })
                .collect();
            nodes.push(Node::BindValues { targets: targets.into_boxed_slice(), value: Box::new(value), span: d.span });
        }
        let body = self.compile_scoped_body(&items[2..]);
        self.scope_reset(mark);
        nodes.push(body?);
        Ok(seq(nodes))
    }

    fn compile_define_syntax(&mut self, d: &Datum, items: &[Datum]) -> R<Node> {
        if items.len() != 3 {
            return Err(syntax_err("define-syntax", "bad syntax", d));
        }
        let name = items[1].as_symbol().ok_or_else(|| syntax_err("define-syntax", "not an identifier", d))?;
        let base = macros::base_name(name);
        if self.globals.cells.borrow().get(&base).is_some_and(|cell| cell.protected.get()) {
            return Err(syntax_err("define-syntax", &format!("cannot redefine scaffold binding '{}'", base.name()), d));
        }
        let m = Macro::from_spec(&items[2])?;
        self.globals.macros.borrow_mut().insert(macros::base_name(name), Rc::new(m));
        Ok(Node::Const(Value::Void))
    }
}

/// `(define ((f a) b) body ...)` is `(define (f a) (lambda (b) body ...))`.
fn uncurry_define(items: &[Datum], span: Span) -> Vec<Datum> {
    let (inner_head, params) = match &items[1].kind {
        DatumKind::List(h) => (h[0].clone(), Datum::list(h[1..].to_vec(), span)),
        DatumKind::Dotted(h, tail) if h.len() == 1 => (h[0].clone(), (**tail).clone()),
        DatumKind::Dotted(h, tail) => (h[0].clone(), Datum::new(DatumKind::Dotted(h[1..].to_vec(), tail.clone()), span)),
        _ => unreachable!("called only for a list head"),
    };
    let mut lambda = vec![Datum::symbol("lambda", span), params];
    lambda.extend(items[2..].iter().cloned());
    vec![items[0].clone(), inner_head, Datum::list(lambda, span)]
}

fn parse_bindings(who: &str, b: &Datum, whole: &Datum) -> R<Vec<(Symbol, Datum)>> {
    let list = b.as_list().ok_or_else(|| syntax_err(who, "bad syntax (not a sequence of bindings)", whole))?;
    let mut out = Vec::with_capacity(list.len());
    for binding in list {
        let parts = binding
            .as_list()
            .filter(|p| p.len() == 2)
            .ok_or_else(|| syntax_err(who, "bad syntax (not an identifier and expression for a binding)", binding))?;
        let name = parts[0].as_symbol().ok_or_else(|| syntax_err(who, "bad syntax (not an identifier)", binding))?;
        if out.iter().any(|(n, _): &(Symbol, Datum)| *n == name) && who == "let" {
            return Err(syntax_err(who, &format!("duplicate identifier: {}", name.name()), binding));
        }
        out.push((name, parts[1].clone()));
    }
    Ok(out)
}

fn seq(mut nodes: Vec<Node>) -> Node {
    match nodes.len() {
        0 => Node::Const(Value::Void),
        1 => nodes.pop().unwrap_or(Node::Const(Value::Void)),
        _ => Node::Seq(nodes.into_boxed_slice()),
    }
}

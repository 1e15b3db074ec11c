//! The execution loop. `eval` runs a node to a value; calls in tail position (the last node of
//! a sequence, both branches of `if`, the body of a called closure, `apply`) replace the
//! current node and environment instead of recursing, so loops run in constant space.

use std::rc::Rc;

use gcmodule::Cc;
use smallvec::SmallVec;

use crate::builtins::{Func, Primitive, ANY_KEYWORDS};
use crate::error::{Error, ExnKind, Span, R};
use crate::eval::compile::Toplevel;
use crate::eval::env::{Env, Frame};
use crate::eval::inlined::{BinaryOp, UnaryOp};
use crate::eval::node::{Lambda, Node, Target};
use crate::eval::stack::stack_pointer;
use crate::interp::{GlobalCell, Interp};
use crate::value::{Closure, Symbol, Value};


/// The procedure whose body an `eval` invocation ended up running and the call site, for error
/// context. Holding the code also keeps alive the body the evaluator is walking.
type Running = Option<(Rc<Lambda>, Span)>;

/// What evaluating a call produced: a finished value, or a closure body to continue with in
/// tail position.
enum Step {
    Done(Value),
    Tail(Bound),
}

/// A closure ready to run: its code, the environment its body runs in, and, for a procedure
/// whose frame lives on the value stack, the frame's slots to push there (otherwise the frame
/// is on the heap, in `env`).
struct Bound {
    lambda: Rc<Lambda>,
    env: Env,
    stack_frame: Option<Vec<Value>>,
}

type Args = Vec<Value>;

/// How a call in tail position goes on: with a value, or with a closure body to run in the
/// given environment.
enum Entered {
    Done(Value),
    Body(Rc<Lambda>, Env),
}

/// Whether two environments are the same frame (or both the empty one).
#[inline(always)]
fn same_env(a: &Env, b: &Env) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => std::ptr::eq::<Frame>(&**x, &**y),
        _ => false,
    }
}

/// The code, environment and (for a procedure that binds itself) the closure of a closure
/// whose frame lives on the value stack, unless keyword arguments need the general path.
fn stack_closure_parts(
    f: &Value,
    keywords: &[(Symbol, Node)],
) -> Option<(Rc<Lambda>, Env, Option<Value>)> {
    match f {
        Value::Closure(c) if c.lambda.on_stack && keywords.is_empty() => Some((
            c.lambda.clone(),
            c.env.clone(),
            c.lambda.self_slot.map(|_| f.clone()),
        )),
        _ => None,
    }
}

impl Interp {
    pub fn run_toplevel(&mut self, top: &Toplevel) -> R<Value> {
        let env = (top.frame_size > 0)
            .then(|| Frame::new(vec![Value::Undefined; top.frame_size as usize], None));
        self.eval(&top.node, &env)
    }

    pub fn eval(&mut self, node: &Node, env: &Env) -> R<Value> {
        let base = self.value_stack.len();
        self.eval_at(node, env, base, None)
    }

    /// `run` out of line: the way into the loop for everything but calls in operand position.
    #[inline(never)]
    fn eval_at(&mut self, node: &Node, env: &Env, my_base: usize, running: Running) -> R<Value> {
        self.run(node, env, my_base, running)
    }

    /// Evaluates `node` with this invocation's part of the value stack starting at `my_base`.
    /// With `running` set, `node` is that procedure's body and its frame is at `my_base`.
    /// Inlined into `eval_at` and `eval_call`, the two ways into the loop.
    #[inline(always)]
    fn run(&mut self, node: &Node, env: &Env, my_base: usize, mut running: Running) -> R<Value> {
        if stack_pointer() < self.stack_limit {
            return Err(stack_exhausted());
        }
        let saved_base = self.frame_base;
        if running.is_some() {
            self.frame_base = my_base;
        }
        let result = self.eval_loop(node, env, my_base, &mut running);
        self.pop_values(my_base);
        self.frame_base = saved_base;
        if let Err(e) = &result {
            if let Some((lambda, span)) = &running {
                add_context(e, lambda, *span);
            }
        }
        result
    }

    /// `my_base` is where this invocation's part of the value stack starts: a tail call to a
    /// procedure with a stack frame replaces everything above it.
    #[inline(always)]
    fn eval_loop(
        &mut self,
        node: &Node,
        env: &Env,
        my_base: usize,
        running: &mut Running,
    ) -> R<Value> {
        let mut env: Env = env.clone();
        // `node` points into the lambda in `running` (or into the caller's tree, which outlives
        // this call) whenever `running` is set; `running` is replaced only after `node` has
        // moved on.
        let mut node: *const Node = node;
        loop {
            // SAFETY: see the comment on `node` above.
            let current = unsafe { &*node };
            match current {
                Node::If(test, then, els) => {
                    node = if self.eval_test(test, &env)? { &**then } else { &**els };
                }
                Node::Binary {
                    op,
                    builtin,
                    cell,
                    args,
                    span,
                } => return self.binary_in_place(*op, builtin, cell, args, *span, &env),
                Node::Unary {
                    op,
                    builtin,
                    cell,
                    arg,
                    span,
                } => return self.unary(*op, builtin, cell, arg, *span, &env),
                Node::Call {
                    callee,
                    args,
                    keywords,
                    span,
                } => {
                    // A procedure calling itself in tail position (a loop) reuses its frame.
                    if let Some((lambda, call_site)) = running.as_mut() {
                        if keywords.is_empty() && self.calls_itself(lambda, callee, args.len(), &env) {
                            self.reenter_frame(lambda, args, &env)?;
                            *call_site = *span;
                            node = &lambda.body;
                            self.tick()?;
                            continue;
                        }
                    }
                    match self.enter_call(callee, args, keywords, *span, &env, my_base)? {
                        Entered::Done(v) => return Ok(v),
                        Entered::Body(lambda, closure_env) => {
                            node = &lambda.body;
                            *running = Some((lambda, *span));
                            env = closure_env;
                            self.tick()?;
                        }
                    }
                }
                Node::Seq(nodes) => {
                    let (last, init) = nodes.split_last().expect("sequences are never empty");
                    self.eval_for_effect(init, &env)?;
                    node = last;
                }
                Node::Let {
                    first_slot,
                    on_stack,
                    inits,
                    body,
                } => {
                    self.bind_let(*first_slot, *on_stack, inits, &env)?;
                    node = &**body;
                }
                Node::And(nodes) => {
                    let (last, init) = nodes.split_last().expect("and has at least two parts");
                    if let Some(v) = self.eval_until(init, false, &env)? {
                        return Ok(v);
                    }
                    node = last;
                }
                Node::Or(nodes) => {
                    let (last, init) = nodes.split_last().expect("or has at least two parts");
                    if let Some(v) = self.eval_until(init, true, &env)? {
                        return Ok(v);
                    }
                    node = last;
                }
                Node::StackLocal { slot, name, span } => return self.stack_ref(*slot, *name, *span),
                Node::Const(v) => return Ok(v.clone()),
                _ => return self.eval_simple(current, &env),
            }
        }
    }

    /// Starts a call in tail position: a builtin (or anything but a closure) is called and its
    /// value returned; a closure's frame is made (on the value stack, replacing the caller's
    /// part of it above `my_base`, or on the heap) and its body is what runs next. Kept out of
    /// `eval_loop` so that the loop's own stack frame, live at every level of recursion, stays
    /// small.
    #[inline(never)]
    fn enter_call(
        &mut self,
        callee: &Node,
        args: &[Node],
        keywords: &[(Symbol, Node)],
        span: Span,
        env: &Env,
        my_base: usize,
    ) -> R<Entered> {
        // Builtins and closures with stack frames are called from here directly: one Rust
        // frame less per level of recursion, and no argument vector.
        if keywords.is_empty() {
            if let Some((lambda, closure_env)) = self.peek_direct(callee, args.len()) {
                let start = self.push_direct_frame(&lambda, args, env)?;
                self.replace_frame(my_base, start);
                self.frame_base = my_base;
                return Ok(Entered::Body(lambda, closure_env));
            }
        }
        let peeked = match keywords.is_empty() {
            true => self.peek_stack_closure(callee),
            false => None,
        };
        let (lambda, closure_env, this) = match peeked {
            Some((lambda, closure_env)) => {
                let this = match lambda.self_slot {
                    Some(_) => Some(self.eval_operand(callee, env)?),
                    None => None,
                };
                (lambda, closure_env, this)
            }
            None => {
                let f = self.eval_operand(callee, env)?;
                if let (Value::Primitive(p), true) = (&f, keywords.is_empty()) {
                    if !is_apply(p) {
                        return self.call_builtin(p, args, span, env).map(Entered::Done);
                    }
                }
                match stack_closure_parts(&f, keywords) {
                    Some(parts) => parts,
                    None => match self.call_value(f, args, keywords, span, env)? {
                        Step::Done(v) => return Ok(Entered::Done(v)),
                        Step::Tail(bound) => {
                            self.pop_values(my_base);
                            if let Some(slots) = bound.stack_frame {
                                self.value_stack.extend(slots);
                                self.frame_base = my_base;
                            }
                            return Ok(Entered::Body(bound.lambda, bound.env));
                        }
                    },
                }
            }
        };
        let start = self.push_stack_frame(&lambda, this, args, span, env)?;
        self.replace_frame(my_base, start);
        self.frame_base = my_base;
        Ok(Entered::Body(lambda, closure_env))
    }

    /// Whether a call in the body of the running procedure `lambda` (whose frame is on the
    /// value stack) calls the running closure itself with exactly its parameters, so that the
    /// call can reuse the frame: the operator is the procedure's own name in a named `let`
    /// that never assigns it, or, for a procedure without such a name, a closure of the same
    /// code and environment (an ordinary self-recursive definition).
    #[inline(always)]
    fn calls_itself(&self, lambda: &Rc<Lambda>, callee: &Node, argc: usize, env: &Env) -> bool {
        if !lambda.on_stack || lambda.rest || argc != lambda.required as usize {
            return false;
        }
        match (callee, lambda.self_slot) {
            (Node::StackLocal { slot, .. }, Some(own)) => *slot == own && !lambda.self_assigned,
            // SAFETY: the reference is only inspected.
            (Node::Global(cell, _), None) => match unsafe { cell.peek() } {
                Value::Closure(c) => Rc::ptr_eq(&c.lambda, lambda) && same_env(&c.env, env),
                _ => false,
            },
            _ => false,
        }
    }

    /// A call of the running procedure by itself in tail position (see `calls_itself`): the
    /// arguments replace the parameters in the current frame and the procedure's other
    /// variables are undefined again; the slot holding the procedure itself keeps it.
    #[inline(never)]
    fn reenter_frame(&mut self, lambda: &Lambda, args: &[Node], env: &Env) -> R<()> {
        // Up to three arguments are evaluated into locals and moved into place from there.
        match args {
            [a] => {
                let x = self.eval_operand(a, env)?;
                if let [p, ..] = self.running_frame(lambda) {
                    discard(std::mem::replace(p, x));
                }
                self.clear_locals(lambda, 1);
                return Ok(());
            }
            [a, b] => {
                let x = self.eval_operand(a, env)?;
                let y = self.eval_operand(b, env)?;
                if let [p, q, ..] = self.running_frame(lambda) {
                    discard(std::mem::replace(p, x));
                    discard(std::mem::replace(q, y));
                }
                self.clear_locals(lambda, 2);
                return Ok(());
            }
            [a, b, c] => {
                let x = self.eval_operand(a, env)?;
                let y = self.eval_operand(b, env)?;
                let z = self.eval_operand(c, env)?;
                if let [p, q, r, ..] = self.running_frame(lambda) {
                    discard(std::mem::replace(p, x));
                    discard(std::mem::replace(q, y));
                    discard(std::mem::replace(r, z));
                }
                self.clear_locals(lambda, 3);
                return Ok(());
            }
            _ => {}
        }
        let base = self.frame_base;
        let start = self.value_stack.len();
        for a in args {
            self.push_operand(a, env)?;
        }
        let (frame, new) = self.value_stack.split_at_mut(start);
        let frame = &mut frame[base..base + lambda.frame_size as usize];
        for (slot, v) in frame.iter_mut().zip(new.iter_mut()) {
            std::mem::swap(slot, v);
        }
        self.clear_locals(lambda, args.len());
        self.pop_values(start);
        Ok(())
    }

    /// The frame of the running procedure, whose code is `lambda`.
    #[inline(always)]
    fn running_frame(&mut self, lambda: &Lambda) -> &mut [Value] {
        let base = self.frame_base;
        &mut self.value_stack[base..base + lambda.frame_size as usize]
    }

    /// Makes the variables of the running frame after its first `params` slots undefined
    /// again, except the one holding the procedure itself.
    #[inline(always)]
    fn clear_locals(&mut self, lambda: &Lambda, params: usize) {
        if lambda.frame_size as usize > params {
            for (i, slot) in self.running_frame(lambda).iter_mut().enumerate().skip(params) {
                if lambda.self_slot != Some(i as u32) {
                    discard(std::mem::replace(slot, Value::Undefined));
                }
            }
        }
    }

    /// Evaluates the leading parts of a sequence for their effects.
    #[inline(never)]
    fn eval_for_effect(&mut self, nodes: &[Node], env: &Env) -> R<()> {
        for n in nodes {
            let v = self.eval_operand(n, env)?;
            discard(v);
        }
        Ok(())
    }

    /// Evaluates the leading parts of an `and` (`stop_if = false`) or `or` (`true`): the first
    /// value whose truth is `stop_if` ends the form with that value.
    #[inline(never)]
    fn eval_until(&mut self, nodes: &[Node], stop_if: bool, env: &Env) -> R<Option<Value>> {
        for n in nodes {
            let v = self.eval_operand(n, env)?;
            if v.is_true() == stop_if {
                return Ok(Some(v));
            }
            discard(v);
        }
        Ok(None)
    }

    /// Evaluates a node. Set stack variables and constants, most operands, are read inline;
    /// everything else is a call, which keeps the callers' frames small.
    #[inline(always)]
    fn eval_operand(&mut self, node: &Node, env: &Env) -> R<Value> {
        if let Node::Call { .. } = node {
            return self.eval_call(node, env);
        }
        match self.peek_operand(node) {
            Some(v) => Ok(v),
            None => self.eval_operand_slow(node, env),
        }
    }

    /// Evaluates an operand onto the value stack; what `peek_operand` reads goes there without
    /// passing through a `Result`. (Each case pushes on its own: merged, the values' paths
    /// make the compiler move them through memory piecemeal.)
    #[inline(always)]
    fn push_operand(&mut self, node: &Node, env: &Env) -> R<()> {
        match node {
            Node::StackLocal { slot, .. } => {
                let v = &self.value_stack[self.frame_base + *slot as usize];
                if !matches!(v, Value::Undefined) {
                    let v = v.clone();
                    self.value_stack.push(v);
                    return Ok(());
                }
            }
            Node::Const(v) => {
                self.value_stack.push(v.clone());
                return Ok(());
            }
            Node::Binary { op, builtin, cell, args, .. } => {
                if let Some(v) = self.peek_binary(*op, builtin, cell, args) {
                    self.value_stack.push(v);
                    return Ok(());
                }
            }
            Node::Call { .. } => {
                let v = self.eval_call(node, env)?;
                self.value_stack.push(v);
                return Ok(());
            }
            _ => {}
        }
        let v = self.eval_operand_slow(node, env)?;
        self.value_stack.push(v);
        Ok(())
    }

    /// The value of an operand that needs no evaluation: a set stack variable, a constant, or
    /// an inlined builtin applied to fixnums read that way.
    #[inline(always)]
    fn peek_operand(&self, node: &Node) -> Option<Value> {
        match node {
            Node::StackLocal { slot, .. } => {
                let v = &self.value_stack[self.frame_base + *slot as usize];
                (!matches!(v, Value::Undefined)).then(|| v.clone())
            }
            Node::Const(v) => Some(v.clone()),
            Node::Binary { op, builtin, cell, args, .. } => self.peek_binary(*op, builtin, cell, args),
            _ => None,
        }
    }

    /// Evaluates a node, without the cost of a full `eval` for constants, variables and calls
    /// of builtins.
    #[inline(never)]
    fn eval_operand_slow(&mut self, node: &Node, env: &Env) -> R<Value> {
        match node {
            Node::Const(v) => Ok(v.clone()),
            Node::Local {
                depth,
                slot,
                name,
                span,
            } => local_ref(env, *depth, *slot, *name, *span),
            Node::StackLocal { slot, name, span } => self.stack_ref(*slot, *name, *span),
            Node::Global(cell, span) => global_ref(cell, *span),
            Node::Binary {
                op,
                builtin,
                cell,
                args,
                span,
            } => self.binary(*op, builtin, cell, args, *span, env),
            Node::Unary {
                op,
                builtin,
                cell,
                arg,
                span,
            } => self.unary(*op, builtin, cell, arg, *span, env),
            Node::Call { .. } => self.eval_call(node, env),
            _ => self.eval(node, env),
        }
    }

    /// Evaluates a call that is not in tail position. A closure with a stack frame gets its
    /// frame straight onto the value stack and its body runs here, without `eval_loop`
    /// dispatching on the call first.
    #[inline(never)]
    fn eval_call(&mut self, node: &Node, env: &Env) -> R<Value> {
        match node {
            Node::Call {
                callee,
                args,
                keywords,
                span,
            } if keywords.is_empty() => {
                if let Some((lambda, closure_env)) = self.peek_direct(callee, args.len()) {
                    let start = self.push_direct_frame(&lambda, args, env)?;
                    self.tick()?;
                    let body: *const Node = &lambda.body;
                    // SAFETY: `lambda`, moved into the running procedure of `run`, keeps the
                    // body alive while it runs (see `eval_loop`).
                    return self.run(unsafe { &*body }, &closure_env, start, Some((lambda, *span)));
                }
                if let Some((lambda, closure_env)) = self.peek_stack_closure(callee) {
                    if lambda.self_slot.is_none() {
                        let start = self.push_stack_frame(&lambda, None, args, *span, env)?;
                        self.tick()?;
                        let body: *const Node = &lambda.body;
                        // SAFETY: `lambda`, moved into the running procedure of `eval_at`, keeps
                        // the body alive while it runs (see `eval_loop`).
                        return self.eval_at(unsafe { &*body }, &closure_env, start, Some((lambda, *span)));
                    }
                }
                match global_builtin(callee) {
                    Some(p) => self.call_builtin(p, args, *span, env),
                    None => self.eval(node, env),
                }
            }
            _ => self.eval(node, env),
        }
    }

    /// `binary_in_place` out of line, for inlined builtins in operand position.
    #[inline(never)]
    fn binary(
        &mut self,
        op: BinaryOp,
        builtin: &'static Primitive,
        cell: &GlobalCell,
        args: &[Node; 2],
        span: Span,
        env: &Env,
    ) -> R<Value> {
        self.binary_in_place(op, builtin, cell, args, span, env)
    }

    /// A call of an inlined two-argument builtin (see `inlined`); a global that no longer holds
    /// the builtin gets an ordinary call. Inlined into the evaluation loop, where such a call
    /// in tail position is often the step of a recursion (`(cons x (f ...))`,
    /// `(+ (f ...) (f ...))`): a separate Rust frame would stay live at every level.
    #[inline(always)]
    fn binary_in_place(
        &mut self,
        op: BinaryOp,
        builtin: &'static Primitive,
        cell: &GlobalCell,
        args: &[Node; 2],
        span: Span,
        env: &Env,
    ) -> R<Value> {
        let a = self.eval_operand(&args[0], env)?;
        let b = self.eval_operand(&args[1], env)?;
        if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
            if let Some(v) = op.on_fixnums(*x, *y) {
                if holds_builtin(cell, builtin) {
                    return Ok(v);
                }
            }
        }
        self.binary_general(op, builtin, cell, a, b, span)
    }

    /// An inlined builtin applied to operands that `peek_fixnum` can read, computed without
    /// evaluating anything.
    #[inline(always)]
    fn peek_binary(
        &self,
        op: BinaryOp,
        builtin: &'static Primitive,
        cell: &GlobalCell,
        args: &[Node; 2],
    ) -> Option<Value> {
        let (x, y) = (self.peek_fixnum(&args[0])?, self.peek_fixnum(&args[1])?);
        op.on_fixnums(x, y).filter(|_| holds_builtin(cell, builtin))
    }

    /// The value of an operand that is a fixnum constant or a stack variable holding a fixnum,
    /// read without evaluating anything.
    #[inline(always)]
    fn peek_fixnum(&self, node: &Node) -> Option<i64> {
        let v = match node {
            Node::StackLocal { slot, .. } => &self.value_stack[self.frame_base + *slot as usize],
            Node::Const(v) => v,
            _ => return None,
        };
        match v {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A comparison of fixnum operands that `peek_fixnum` can read, computed without
    /// evaluating anything.
    #[inline(always)]
    fn peek_comparison(&self, node: &Node) -> Option<bool> {
        let Node::Binary { op, builtin, cell, args, .. } = node else { return None };
        let (x, y) = (self.peek_fixnum(&args[0])?, self.peek_fixnum(&args[1])?);
        op.compare_fixnums(x, y).filter(|_| holds_builtin(cell, builtin))
    }

    /// Evaluates the test of an `if`: comparisons of fixnums and `not` produce no value.
    #[inline(always)]
    fn eval_test(&mut self, node: &Node, env: &Env) -> R<bool> {
        let (test, negated) = match node {
            Node::Unary { op: UnaryOp::Not, builtin, cell, arg, .. } if holds_builtin(cell, builtin) => {
                (&**arg, true)
            }
            _ => (node, false),
        };
        match self.peek_comparison(test) {
            Some(b) => Ok(b != negated),
            None => self.eval_test_slow(test, env).map(|b| b != negated),
        }
    }

    #[inline(never)]
    fn eval_test_slow(&mut self, node: &Node, env: &Env) -> R<bool> {
        let v = self.eval_operand(node, env)?;
        let truth = v.is_true();
        discard(v);
        Ok(truth)
    }

    /// An inlined two-argument builtin with operands other than fixnums.
    #[inline(never)]
    fn binary_general(
        &mut self,
        op: BinaryOp,
        builtin: &'static Primitive,
        cell: &GlobalCell,
        a: Value,
        b: Value,
        span: Span,
    ) -> R<Value> {
        if !holds_builtin(cell, builtin) {
            return self.call_redefined(cell, vec![a, b], span);
        }
        if let BinaryOp::Cons = op {
            return Ok(Value::cons(a, b));
        }
        if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
            if let Some(v) = op.divide_fixnums(*x, *y) {
                return Ok(v);
            }
        }
        self.call_primitive_positional(builtin, &[a, b])
            .map_err(|e| at(e, span))
    }

    /// A call of an inlined one-argument builtin.
    #[inline(never)]
    fn unary(
        &mut self,
        op: UnaryOp,
        builtin: &'static Primitive,
        cell: &GlobalCell,
        arg: &Node,
        span: Span,
        env: &Env,
    ) -> R<Value> {
        let a = self.eval_operand(arg, env)?;
        if !holds_builtin(cell, builtin) {
            return self.call_redefined(cell, vec![a], span);
        }
        match op.apply(&a) {
            Some(v) => {
                discard(a);
                Ok(v)
            }
            None => self
                .call_primitive_positional(builtin, std::slice::from_ref(&a))
                .map_err(|e| at(e, span)),
        }
    }

    #[cold]
    #[inline(never)]
    fn call_redefined(&mut self, cell: &GlobalCell, args: Vec<Value>, span: Span) -> R<Value> {
        let f = global_ref(cell, span)?;
        self.apply(&f, args).map_err(|e| at(e, span))
    }

    /// Evaluates the arguments of a builtin call and calls it.
    #[inline(never)]
    fn call_builtin(
        &mut self,
        p: &'static Primitive,
        args: &[Node],
        span: Span,
        env: &Env,
    ) -> R<Value> {
        // The common small arities use plain arrays: no buffer to set up or tear down.
        let result = match args {
            [] => self.call_primitive_positional(p, &[]),
            [a] => {
                let a = self.eval_operand(a, env)?;
                let result = self.call_primitive_positional(p, std::slice::from_ref(&a));
                discard(a);
                result
            }
            [a, b] => {
                let values = [self.eval_operand(a, env)?, self.eval_operand(b, env)?];
                let result = self.call_primitive_positional(p, &values);
                values.into_iter().for_each(discard);
                result
            }
            [a, b, c] => {
                let values = [
                    self.eval_operand(a, env)?,
                    self.eval_operand(b, env)?,
                    self.eval_operand(c, env)?,
                ];
                let result = self.call_primitive_positional(p, &values);
                values.into_iter().for_each(discard);
                result
            }
            _ => {
                let mut argv: SmallVec<[Value; 4]> = SmallVec::with_capacity(args.len());
                for a in args {
                    argv.push(self.eval_operand(a, env)?);
                }
                self.call_primitive_positional(p, &argv)
            }
        };
        result.map_err(|e| at(e, span))
    }

    /// The forms that never continue in tail position: variables, assignments, definitions,
    /// `lambda`.
    #[inline(never)]
    fn eval_simple(&mut self, node: &Node, env: &Env) -> R<Value> {
        match node {
            Node::Const(_)
            | Node::Local { .. }
            | Node::StackLocal { .. }
            | Node::Global(..)
            | Node::Binary { .. }
            | Node::Unary { .. } => self.eval_operand(node, env),
            Node::SetStackLocal { slot, value } => {
                let v = self.eval_operand(value, env)?;
                let index = self.frame_base + *slot as usize;
                self.value_stack[index] = v;
                Ok(Value::Void)
            }
            Node::SetLocal { depth, slot, value } => {
                let v = self.eval_operand(value, env)?;
                set_local(env, *depth, *slot, v);
                Ok(Value::Void)
            }
            Node::SetGlobal { cell, value, span } => {
                if !cell.is_bound() {
                    let err = Error::new(
                        ExnKind::Variable,
                        format!(
                            "{}: assignment disallowed;\n cannot set variable before its definition",
                            cell.name.name()
                        ),
                    );
                    err.set_span_if_unknown(*span);
                    return Err(err);
                }
                let v = self.eval_operand(value, env)?;
                cell.set(v);
                Ok(Value::Void)
            }
            Node::DefineGlobal { cell, value, .. } => {
                let v = self.eval_operand(value, env)?;
                cell.set(v);
                Ok(Value::Void)
            }
            Node::BindValues {
                targets,
                value,
                span,
            } => {
                let v = self.eval_operand(value, env)?;
                let values: Vec<Value> = match v {
                    Value::Values(vs) => vs.iter().cloned().collect(),
                    single => vec![single],
                };
                if values.len() != targets.len() {
                    let err = Error::new(
                        ExnKind::Arity,
                        format!(
                            "result arity mismatch;\n expected number of values not received\n  expected: {}\n  received: {}",
                            targets.len(),
                            values.len()
                        ),
                    );
                    err.set_span_if_unknown(*span);
                    return Err(err);
                }
                for (target, v) in targets.iter().zip(values) {
                    match target {
                        Target::Local(slot) => set_local(env, 0, *slot, v),
                        Target::Stack(slot) => {
                            let index = self.frame_base + *slot as usize;
                            self.value_stack[index] = v;
                        }
                        Target::Global(cell) => cell.set(v),
                    }
                }
                Ok(Value::Void)
            }
            Node::Lambda(lambda) => {
                note_allocation();
                Ok(Value::Closure(Cc::new(Closure {
                    lambda: lambda.clone(),
                    env: env.clone(),
                })))
            }
            _ => self.eval(node, env),
        }
    }

    #[inline(never)]
    fn bind_let(&mut self, first_slot: u32, on_stack: bool, inits: &[Node], env: &Env) -> R<()> {
        let mut values: SmallVec<[Value; 4]> = SmallVec::with_capacity(inits.len());
        for init in inits {
            values.push(self.eval_operand(init, env)?);
        }
        if on_stack {
            let start = self.frame_base + first_slot as usize;
            for (i, v) in values.into_iter().enumerate() {
                self.value_stack[start + i] = v;
            }
        } else if let Some(frame) = env {
            let mut slots = frame.slots.borrow_mut();
            for (i, v) in values.into_iter().enumerate() {
                slots[first_slot as usize + i] = v;
            }
        }
        Ok(())
    }

    /// The code and environment of the closure a variable operator holds, when its frame
    /// lives on the value stack: read in place, without cloning the closure.
    #[inline(always)]
    fn peek_stack_closure(&self, callee: &Node) -> Option<(Rc<Lambda>, Env)> {
        let parts = |v: &Value| match v {
            Value::Closure(c) if c.lambda.on_stack => Some((c.lambda.clone(), c.env.clone())),
            _ => None,
        };
        match callee {
            // SAFETY: `parts` only inspects the value and clones the `Rc`s in it.
            Node::Global(cell, _) => parts(unsafe { cell.peek() }),
            Node::StackLocal { slot, .. } => parts(&self.value_stack[self.frame_base + *slot as usize]),
            _ => None,
        }
    }

    /// The code and environment of the closure a variable operator holds, when a call with
    /// `argc` arguments can build its frame directly (see `Lambda::direct_argc`).
    #[inline(always)]
    fn peek_direct(&self, callee: &Node, argc: usize) -> Option<(Rc<Lambda>, Env)> {
        let f = match callee {
            // SAFETY: the value is only inspected and the `Rc`s in it cloned.
            Node::Global(cell, _) => unsafe { cell.peek() },
            Node::StackLocal { slot, .. } => &self.value_stack[self.frame_base + *slot as usize],
            _ => return None,
        };
        match f {
            Value::Closure(c) if c.lambda.direct_argc as usize == argc => Some((c.lambda.clone(), c.env.clone())),
            _ => None,
        }
    }

    /// Evaluates the arguments of a call that builds its frame directly (see
    /// `Lambda::direct_argc`) onto the value stack, followed by the procedure's other
    /// variables, undefined. Returns where the frame starts.
    #[inline(always)]
    fn push_direct_frame(&mut self, lambda: &Lambda, args: &[Node], env: &Env) -> R<usize> {
        let start = self.value_stack.len();
        for a in args {
            self.push_operand(a, env)?;
        }
        for _ in args.len()..lambda.frame_size as usize {
            self.value_stack.push(Value::Undefined);
        }
        Ok(start)
    }

    /// Calls anything but a builtin or a closure with a stack frame: the arguments go into a
    /// vector, which becomes a closure's heap frame.
    #[inline(never)]
    fn call_value(
        &mut self,
        f: Value,
        args: &[Node],
        keywords: &[(Symbol, Node)],
        span: Span,
        env: &Env,
    ) -> R<Step> {
        let capacity = match &f {
            Value::Closure(c) => (c.lambda.frame_size as usize).max(args.len()),
            _ => args.len(),
        };
        let mut argv: Args = Vec::with_capacity(capacity);
        for a in args {
            argv.push(self.eval_operand(a, env)?);
        }
        let kwargs = if keywords.is_empty() {
            Vec::new()
        } else {
            self.eval_keyword_args(keywords, env)?
        };
        if let Value::Closure(c) = &f {
            return self
                .bind_arguments(c, argv, kwargs)
                .map(Step::Tail)
                .map_err(|e| at(e, span));
        }
        self.call_other(f, argv, kwargs, span)
    }

    /// Evaluates the arguments of a call to a procedure with a stack frame straight onto the
    /// value stack, where they become its frame.
    /// Returns where the frame starts.
    fn push_stack_frame(
        &mut self,
        lambda: &Lambda,
        this: Option<Value>,
        args: &[Node],
        span: Span,
        env: &Env,
    ) -> R<usize> {
        let start = self.value_stack.len();
        for a in args {
            let v = self.eval_operand(a, env)?;
            self.value_stack.push(v);
        }
        if !lambda.accepts(args.len()) {
            return Err(at(
                Error::arity(&lambda.display_name(), &lambda.arity_text(), args.len()),
                span,
            ));
        }
        if lambda.rest {
            let first_rest = start + lambda.required as usize;
            let rest: Vec<Value> = self.value_stack.drain(first_rest..).collect();
            self.value_stack.push(Value::list(rest));
        }
        let frame_end = start + lambda.frame_size as usize;
        while self.value_stack.len() < frame_end {
            self.value_stack.push(Value::Undefined);
        }
        if let (Some(slot), Some(this)) = (lambda.self_slot, this) {
            self.value_stack[start + slot as usize] = this;
        }
        Ok(start)
    }

    /// A tail call: the frame just pushed at `start` takes the place of the one at `base`.
    #[inline(always)]
    fn replace_frame(&mut self, base: usize, start: usize) {
        if start == base {
            return;
        }
        let len = self.value_stack.len() - start;
        // Moving front to back never reads a slot of the new frame that was already written.
        for i in 0..len {
            self.value_stack.swap(base + i, start + i);
        }
        self.pop_values(base + len);
    }

    /// Truncates the value stack, without calls into the drop glue for values that own nothing.
    #[inline(always)]
    fn pop_values(&mut self, len: usize) {
        let Some(popped) = self.value_stack.get(len..) else { return };
        if popped.iter().all(Value::owns_nothing) {
            // SAFETY: `len` is within the vector and the values past it own nothing, so not
            // running their destructors leaks nothing.
            unsafe { self.value_stack.set_len(len) }
        } else {
            self.value_stack.truncate(len);
        }
    }

    #[inline(never)]
    fn eval_keyword_args(
        &mut self,
        keywords: &[(Symbol, Node)],
        env: &Env,
    ) -> R<Vec<(Symbol, Value)>> {
        let mut kwargs = Vec::with_capacity(keywords.len());
        for (k, a) in keywords {
            kwargs.push((*k, self.eval_operand(a, env)?));
        }
        Ok(kwargs)
    }

    /// Calls anything but a closure with evaluated arguments; `apply` spreads its list and
    /// goes round again so that `(apply f args)` in tail position stays a tail call.
    #[inline(never)]
    fn call_other(
        &mut self,
        mut f: Value,
        mut argv: Args,
        kwargs: Vec<(Symbol, Value)>,
        span: Span,
    ) -> R<Step> {
        loop {
            match f {
                Value::Closure(c) => {
                    return self
                        .bind_arguments(&c, argv, kwargs)
                        .map(Step::Tail)
                        .map_err(|e| at(e, span))
                }
                Value::Primitive(p) if is_apply(p) && kwargs.is_empty() => {
                    let (g, spread) = spread_apply_args(argv).map_err(|e| at(e, span))?;
                    f = g;
                    argv = spread;
                }
                other => {
                    return self
                        .apply_kw(&other, argv, kwargs)
                        .map(Step::Done)
                        .map_err(|e| at(e, span))
                }
            }
        }
    }

    fn call_primitive_positional(&mut self, p: &'static Primitive, args: &[Value]) -> R<Value> {
        if args.len() < p.min || args.len() > p.max {
            return Err(primitive_arity_error(p, args.len()));
        }
        match &p.func {
            Func::Plain(f) => f(self, args),
            Func::Kw(f, _) => f(self, args, &[]),
        }
    }

    /// Calls a procedure with arguments in a slice: a builtin gets them without a vector, and
    /// a closure with a direct frame (see `Lambda::direct_argc`) on the value stack.
    pub fn apply_slice(&mut self, f: &Value, args: &[Value]) -> R<Value> {
        match f {
            Value::Primitive(p) => self.call_primitive_positional(p, args),
            Value::Closure(c) if c.lambda.direct_argc as usize == args.len() => {
                self.tick()?;
                let base = self.value_stack.len();
                self.value_stack.extend_from_slice(args);
                self.run_direct_closure(c, base)
            }
            _ => self.apply(f, args.to_vec()),
        }
    }

    /// Runs a closure with a direct frame whose arguments are on the value stack from `base`,
    /// the way `apply_kw` runs other closures: an error names the procedure (at its
    /// definition) in its call chain, whatever the body called in tail position.
    fn run_direct_closure(&mut self, c: &Closure, base: usize) -> R<Value> {
        let lambda = &c.lambda;
        while self.value_stack.len() < base + lambda.frame_size as usize {
            self.value_stack.push(Value::Undefined);
        }
        let saved_base = self.frame_base;
        self.frame_base = base;
        let result = self.eval(&lambda.body, &c.env);
        self.pop_values(base);
        self.frame_base = saved_base;
        if let Err(e) = &result {
            add_context(e, lambda, lambda.span);
        }
        result
    }

    /// Calls a procedure with positional arguments (used by higher-order builtins).
    pub fn apply(&mut self, f: &Value, args: Vec<Value>) -> R<Value> {
        self.apply_kw(f, args, Vec::new())
    }

    /// Calls a procedure with positional and keyword arguments.
    pub fn apply_kw(
        &mut self,
        f: &Value,
        args: Vec<Value>,
        keywords: Vec<(Symbol, Value)>,
    ) -> R<Value> {
        match f {
            Value::Closure(c) if c.lambda.direct_argc as usize == args.len() && keywords.is_empty() => {
                self.tick()?;
                let base = self.value_stack.len();
                self.value_stack.extend(args);
                self.run_direct_closure(c, base)
            }
            Value::Closure(c) => {
                let bound = self.bind_arguments(c, args, keywords)?;
                self.tick()?;
                let base = self.value_stack.len();
                let saved_base = self.frame_base;
                if let Some(slots) = bound.stack_frame {
                    self.value_stack.extend(slots);
                    self.frame_base = base;
                }
                let result = self.eval(&bound.lambda.body, &bound.env);
                self.value_stack.truncate(base);
                self.frame_base = saved_base;
                if let Err(e) = &result {
                    add_context(e, &bound.lambda, bound.lambda.span);
                }
                result
            }
            Value::Primitive(p) => self.call_primitive(p, args, keywords),
            Value::Parameter(p) => {
                reject_keywords(&keywords, "parameter-procedure")?;
                match args.len() {
                    0 => Ok(self.param_value(p.id).unwrap_or_else(|| p.value.borrow().clone())),
                    1 => {
                        let v = match &p.guard {
                            Some(guard) => self.apply(guard, args)?,
                            None => args.into_iter().next().unwrap_or(Value::Void),
                        };
                        match self.param_stack.iter().rev().find(|(id, _)| *id == p.id) {
                            Some((_, cell)) => *cell.borrow_mut() = v,
                            None => *p.value.borrow_mut() = v,
                        }
                        Ok(Value::Void)
                    }
                    n => Err(Error::arity("parameter-procedure", "0 or 1", n)),
                }
            }
            Value::Continuation(k) => {
                reject_keywords(&keywords, "continuation")?;
                if !k.active.get() {
                    return Err(Error::new(
                        ExnKind::Contract,
                        "continuation application: attempt to jump into an escape continuation that is no longer active",
                    ));
                }
                Err(Error::escape(k.id, Value::multiple(args)))
            }
            other => Err(Error::new(
                ExnKind::Contract,
                format!(
                    "application: not a procedure;\n expected a procedure that can be applied to arguments\n  given: {}",
                    crate::error::show_given(other)
                ),
            )),
        }
    }

    fn call_primitive(
        &mut self,
        p: &'static Primitive,
        args: Vec<Value>,
        keywords: Vec<(Symbol, Value)>,
    ) -> R<Value> {
        if keywords.is_empty() {
            return self.call_primitive_positional(p, &args);
        }
        if args.len() < p.min || args.len() > p.max {
            return Err(Error::arity(p.name, &p.arity_text(), args.len()));
        }
        match &p.func {
            Func::Plain(_) => Err(unknown_keyword(p.name, keywords[0].0)),
            Func::Kw(f, allowed) => {
                let accepts = |k: &Symbol| *allowed == ANY_KEYWORDS || allowed.contains(&k.name());
                if let Some((k, _)) = keywords.iter().find(|(k, _)| !accepts(k)) {
                    return Err(unknown_keyword(p.name, *k));
                }
                f(self, &args, &keywords)
            }
        }
    }

    /// Builds the frame for a call: positional, optional, rest and keyword arguments, then the
    /// defaults of those not supplied, evaluated in the new frame.
    fn bind_arguments(
        &mut self,
        c: &Cc<Closure>,
        mut args: Args,
        keywords: Vec<(Symbol, Value)>,
    ) -> R<Bound> {
        let lambda = if c.lambda.cases.is_empty() {
            c.lambda.clone()
        } else {
            reject_keywords(&keywords, "case-lambda procedure")?;
            match c.lambda.cases.iter().find(|l| l.accepts(args.len())) {
                Some(l) => l.clone(),
                None => {
                    return Err(Error::arity(
                        &c.lambda.display_name(),
                        &c.lambda.arity_text(),
                        args.len(),
                    ))
                }
            }
        };
        let given = args.len();
        if !lambda.accepts(given) {
            return Err(Error::arity(
                &lambda.display_name(),
                &lambda.arity_text(),
                given,
            ));
        }
        let required = lambda.required as usize;
        let positional = required + lambda.optional_defaults.len();
        if lambda.rest {
            let rest = if given > positional {
                Value::list(args.drain(positional..).collect())
            } else {
                Value::Null
            };
            args.resize(positional, Value::Undefined);
            args.push(rest);
        } else if given < positional {
            args.resize(positional, Value::Undefined);
        }
        args.resize(lambda.frame_size as usize, Value::Undefined);
        for (k, v) in keywords {
            match lambda.keywords.iter().find(|kp| kp.key == k) {
                Some(kp) => args[kp.slot as usize] = v,
                None => return Err(unknown_keyword(&lambda.display_name(), k)),
            }
        }
        if let Some(slot) = lambda.self_slot {
            args[slot as usize] = Value::Closure(c.clone());
        }
        if lambda.on_stack {
            return Ok(Bound {
                lambda,
                env: c.env.clone(),
                stack_frame: Some(args),
            });
        }
        note_allocation();
        let frame = Frame::new(args, c.env.clone());
        if given < positional || !lambda.keywords.is_empty() {
            self.fill_defaults(&lambda, &frame, given)?;
        }
        Ok(Bound {
            lambda,
            env: Some(frame),
            stack_frame: None,
        })
    }

    #[inline(never)]
    fn fill_defaults(&mut self, lambda: &Lambda, frame: &Cc<Frame>, given: usize) -> R<()> {
        let required = lambda.required as usize;
        let positional = required + lambda.optional_defaults.len();
        let frame_env = Some(frame.clone());
        for i in given.max(required)..positional {
            let v = self.eval(&lambda.optional_defaults[i - required], &frame_env)?;
            frame.slots.borrow_mut()[i] = v;
        }
        for kp in lambda.keywords.iter() {
            if !matches!(frame.slots.borrow()[kp.slot as usize], Value::Undefined) {
                continue;
            }
            match &kp.default {
                Some(default) => {
                    let v = self.eval(default, &frame_env)?;
                    frame.slots.borrow_mut()[kp.slot as usize] = v;
                }
                None => {
                    return Err(Error::contract_msg(
                        &lambda.display_name(),
                        format!(
                            "required keyword argument not supplied\n  required keyword: #:{}",
                            kp.key.name()
                        ),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Called on every procedure call: polls for interrupts and runs the cycle collector.
    #[inline(always)]
    fn tick(&mut self) -> R<()> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks & self.tick_mask == 0 {
            return self.tick_slow();
        }
        Ok(())
    }

    /// The part of `tick` that runs once every `tick_mask + 1` calls, kept out of line so that
    /// the evaluator's loops stay small.
    #[cold]
    #[inline(never)]
    fn tick_slow(&mut self) -> R<()> {
        self.poll()?;
        collector_poll();
        Ok(())
    }
}

thread_local! {
    static COLLECTOR: std::cell::Cell<CollectorState> = const { std::cell::Cell::new(CollectorState {
        allocations: 0,
        threshold: MIN_COLLECTION_INTERVAL,
    }) };
}

/// Frames and closures to allocate before the first cycle collection.
const MIN_COLLECTION_INTERVAL: usize = 100_000;

#[derive(Clone, Copy)]
struct CollectorState {
    /// Frames and closures allocated since the last collection.
    allocations: usize,
    threshold: usize,
}

/// Counts an allocation of an object that can close a reference cycle.
#[inline(always)]
pub fn note_allocation() {
    COLLECTOR.with(|c| {
        let mut state = c.get();
        state.allocations += 1;
        c.set(state);
    });
}

/// Collects reference cycles once the frames and closures allocated since the last collection
/// outnumber the objects that survived it (and at least `MIN_COLLECTION_INTERVAL`): the cost of
/// a collection is proportional to the tracked objects, so this keeps it a constant amount of
/// work per allocation, and the garbage between collections proportional to the live data.
fn collector_poll() {
    COLLECTOR.with(|c| {
        let state = c.get();
        if state.allocations < state.threshold {
            return;
        }
        gcmodule::collect_thread_cycles();
        let live = gcmodule::count_thread_tracked();
        c.set(CollectorState {
            allocations: 0,
            threshold: live.max(MIN_COLLECTION_INTERVAL),
        });
    });
}

/// Collects every unreachable cycle now (at the end of a program, and in tests).
pub fn collect_cycles() -> usize {
    gcmodule::collect_thread_cycles()
}

/// Whether a global still holds the builtin a call was compiled for.
#[inline(always)]
fn holds_builtin(cell: &GlobalCell, builtin: &'static Primitive) -> bool {
    // SAFETY: the reference is only inspected.
    matches!(unsafe { cell.peek() }, Value::Primitive(p) if std::ptr::eq(*p, builtin))
}

/// The builtin a call's operator names, when it is a global currently bound to one (other
/// than `apply`, whose tail calls the evaluator handles itself).
#[inline(always)]
fn global_builtin(callee: &Node) -> Option<&'static Primitive> {
    match callee {
        // SAFETY: the reference is only inspected.
        Node::Global(cell, _) => match unsafe { cell.peek() } {
            Value::Primitive(p) if !is_apply(p) => Some(*p),
            _ => None,
        },
        _ => None,
    }
}

/// Drops a value, without a call into the drop glue for values that own nothing.
#[inline(always)]
fn discard(v: Value) {
    if v.owns_nothing() {
        std::mem::forget(v);
    } else {
        drop(v);
    }
}

/// Names the procedure `lambda`, called at `span`, in an error's call chain.
#[cold]
#[inline(never)]
fn add_context(e: &Error, lambda: &Lambda, span: Span) {
    e.push_context(lambda.name.map_or("anonymous procedure", |n| n.name()), span);
}

#[cold]
#[inline(never)]
fn stack_exhausted() -> Error {
    Error::new(
        ExnKind::Fail,
        "recursion too deep: the evaluation stack is exhausted (is a recursion missing its base case?)",
    )
}

#[cold]
fn at(e: Error, span: Span) -> Error {
    e.set_span_if_unknown(span);
    e
}

fn is_apply(p: &Primitive) -> bool {
    p.name == "apply"
}

/// `(apply f a ... lst)`: the procedure and its arguments with `lst` spread out.
pub fn spread_apply_args(mut argv: Vec<Value>) -> R<(Value, Vec<Value>)> {
    if argv.len() < 2 {
        return Err(Error::arity("apply", "at least 2", argv.len()));
    }
    let last = argv.pop().unwrap_or(Value::Null);
    let tail = last
        .list_to_vec()
        .ok_or_else(|| Error::contract("apply", "list?", &last))?;
    let f = argv.remove(0);
    argv.extend(tail);
    Ok((f, argv))
}

impl Interp {
    #[inline(always)]
    fn stack_ref(&self, slot: u32, name: Symbol, span: Span) -> R<Value> {
        let v = self.value_stack[self.frame_base + slot as usize].clone();
        if let Value::Undefined = v {
            return Err(uninitialized_error(name, span));
        }
        Ok(v)
    }
}

#[inline(always)]
fn global_ref(cell: &GlobalCell, span: Span) -> R<Value> {
    let v = cell.get();
    if let Value::Undefined = v {
        return Err(unbound_error(cell, span));
    }
    Ok(v)
}

#[cold]
#[inline(never)]
fn primitive_arity_error(p: &Primitive, given: usize) -> Error {
    Error::arity(p.name, &p.arity_text(), given)
}

#[cold]
#[inline(never)]
fn unbound_error(cell: &GlobalCell, span: Span) -> Error {
    at(Error::unbound(cell.name.name()), span)
}

#[cold]
#[inline(never)]
fn uninitialized_error(name: Symbol, span: Span) -> Error {
    at(
        Error::new(
            ExnKind::Variable,
            format!(
                "{}: undefined;\n cannot use before initialization",
                name.name()
            ),
        ),
        span,
    )
}

#[inline(always)]
fn local_ref(env: &Env, depth: u32, slot: u32, name: Symbol, span: Span) -> R<Value> {
    let mut frame = env.as_ref().expect("locals always have a frame");
    for _ in 0..depth {
        frame = frame
            .parent
            .as_ref()
            .expect("compiler computed a valid depth");
    }
    let v = frame.slots.borrow()[slot as usize].clone();
    if let Value::Undefined = v {
        return Err(uninitialized_error(name, span));
    }
    Ok(v)
}

fn set_local(env: &Env, depth: u32, slot: u32, v: Value) {
    let mut frame = env.as_ref().expect("locals always have a frame");
    for _ in 0..depth {
        frame = frame
            .parent
            .as_ref()
            .expect("compiler computed a valid depth");
    }
    let old = std::mem::replace(&mut frame.slots.borrow_mut()[slot as usize], v);
    drop(old);
}

fn reject_keywords(keywords: &[(Symbol, Value)], who: &str) -> R<()> {
    match keywords.first() {
        Some((k, _)) => Err(unknown_keyword(who, *k)),
        None => Ok(()),
    }
}

fn unknown_keyword(who: &str, k: Symbol) -> Error {
    Error::new(
        ExnKind::Contract,
        format!(
            "application: procedure does not expect an argument with given keyword\n  procedure: {who}\n  given keyword: #:{}",
            k.name()
        ),
    )
}

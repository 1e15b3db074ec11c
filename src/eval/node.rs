//! The compiled form of a program: a tree whose variable references are already resolved to
//! frame slots or global cells, so evaluation never looks a name up by string.

use std::rc::Rc;

use crate::builtins::Primitive;
use crate::error::Span;
use crate::eval::inlined::{BinaryOp, UnaryOp};
use crate::interp::GlobalCell;
use crate::value::{Symbol, Value};

pub enum Node {
    Const(Value),
    /// A variable in the frame `depth` procedure activations out from the current one.
    Local { depth: u32, slot: u32, name: Symbol, span: Span },
    /// A variable of a procedure whose frame lives on the interpreter's value stack (one that
    /// creates no closures, so nothing can outlive the call).
    StackLocal { slot: u32, name: Symbol, span: Span },
    Global(Rc<GlobalCell>, Span),
    SetLocal { depth: u32, slot: u32, value: Box<Node> },
    SetStackLocal { slot: u32, value: Box<Node> },
    SetGlobal { cell: Rc<GlobalCell>, value: Box<Node>, span: Span },
    DefineGlobal { cell: Rc<GlobalCell>, value: Box<Node>, span: Span },
    /// `define-values` / `let-values`: destructure multiple values into slots or globals.
    BindValues { targets: Box<[Target]>, value: Box<Node>, span: Span },
    /// `let`: evaluate every initialiser first, then store them in consecutive slots of the
    /// current frame starting at `first_slot`.
    Let { first_slot: u32, on_stack: bool, inits: Box<[Node]>, body: Box<Node> },
    If(Box<Node>, Box<Node>, Box<Node>),
    Lambda(Rc<Lambda>),
    Seq(Box<[Node]>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Call { callee: Box<Node>, args: Box<[Node]>, keywords: Box<[(Symbol, Node)]>, span: Span },
    /// A call of a global that held an inlined two-argument builtin when the call was compiled
    /// (see `inlined`).
    Binary { op: BinaryOp, builtin: &'static Primitive, cell: Rc<GlobalCell>, args: Box<[Node; 2]>, span: Span },
    /// The same for a one-argument builtin.
    Unary { op: UnaryOp, builtin: &'static Primitive, cell: Rc<GlobalCell>, arg: Box<Node>, span: Span },
}

pub enum Target {
    Local(u32),
    Stack(u32),
    Global(Rc<GlobalCell>),
}

pub struct KeywordParam {
    pub key: Symbol,
    pub slot: u32,
    /// `None` for a required keyword argument.
    pub default: Option<Node>,
}

/// A procedure's code. Frame layout: required parameters, optional parameters, the rest list,
/// keyword parameters, then the procedure's `let` variables and internal definitions.
pub struct Lambda {
    pub name: Option<Symbol>,
    pub required: u32,
    pub optional_defaults: Box<[Node]>,
    pub rest: bool,
    pub keywords: Box<[KeywordParam]>,
    pub frame_size: u32,
    pub body: Node,
    pub span: Span,
    /// For `case-lambda`: the clauses, tried in order by argument count; `body` is unused.
    pub cases: Box<[Rc<Lambda>]>,
    /// A slot that receives the called closure itself (for named `let`).
    pub self_slot: Option<u32>,
    /// The body may assign the variable in `self_slot` (with `set!`), so a call through that
    /// variable need not be a call of the running closure.
    pub self_assigned: bool,
    /// The frame lives on the value stack instead of the heap.
    pub on_stack: bool,
    /// For a procedure whose frame lives on the value stack and whose parameters are all
    /// required (no optional, rest or keyword parameters, no self slot, not `case-lambda`): the
    /// number of parameters, so that a call with that many arguments can evaluate them straight
    /// into the new frame with one comparison. `u32::MAX` for every other procedure.
    pub direct_argc: u32,
}

impl Lambda {
    /// The procedure, with its frame moved to the value stack.
    pub fn on_the_stack(self) -> Lambda {
        let plain = self.optional_defaults.is_empty()
            && !self.rest
            && self.keywords.is_empty()
            && self.cases.is_empty()
            && self.self_slot.is_none();
        let direct_argc = if plain { self.required } else { u32::MAX };
        Lambda { on_stack: true, direct_argc, ..self }
    }

    /// The name Racket gives the procedure: its own, or for an anonymous one its source
    /// location (`file:line:column`, with Racket's 0-based column).
    pub fn display_name(&self) -> String {
        match self.name {
            Some(name) => name.name().to_string(),
            None if self.span.is_known() => {
                format!("{}:{}:{}", self.span.file_name(), self.span.line, self.span.col.saturating_sub(1))
            }
            None => "#<procedure>".to_string(),
        }
    }

    pub fn accepts(&self, n: usize) -> bool {
        let n = n as u32;
        n >= self.required && (self.rest || n <= self.required + self.optional_defaults.len() as u32)
    }

    pub fn arity_text(&self) -> String {
        if !self.cases.is_empty() {
            let parts: Vec<String> = self.cases.iter().map(|c| c.arity_text()).collect();
            return parts.join(" or ");
        }
        let max = if self.rest {
            crate::builtins::MANY
        } else {
            (self.required as usize) + self.optional_defaults.len()
        };
        crate::builtins::arity_text(self.required as usize, max)
    }
}

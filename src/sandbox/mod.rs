//! The sandbox that runs model-written code (`unsafe-exec-sub-output`, `llm-query #:recursive`):
//! a fresh interpreter instance on the same thread that sees none of the parent's bindings
//! except `context`, cannot reach files, the environment, the process or (unless allowed)
//! Python, and is stopped when it spends its fuel (procedure calls), its wall time or its
//! memory. Whatever goes wrong inside becomes one catchable `[sub-model error]` in the parent.

pub mod guide;
pub mod heap;
mod primitives;
mod protect;

use std::cell::Cell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::builtins::{all_tables, Capability};
use crate::error::{Error, ExnKind, Signal, Span, R};
use crate::interp::{Globals, Interp};
use crate::reader::{Datum, DatumKind};
use crate::value::Value;

pub use primitives::PRIMITIVES;
pub use protect::protect_scaffold;

/// What model-written code may spend and reach; set from the command line
/// (`--sub-fuel`, `--sub-timeout`, `--sub-memory`, `--sub-python`, `--max-depth`).
#[derive(Clone, Debug)]
pub struct Policy {
    /// Procedure calls.
    pub fuel: u64,
    pub time: Duration,
    pub memory_mb: u64,
    pub python: bool,
    /// How deeply sandboxes may nest (a sandbox's program asking `#:recursive` again).
    pub max_depth: u32,
}

pub const DEFAULT_FUEL: u64 = 50_000_000;
pub const DEFAULT_TIME_SECS: u64 = 300;
pub const DEFAULT_MEMORY_MB: u64 = 256;
pub const DEFAULT_MAX_DEPTH: u32 = 3;

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            fuel: DEFAULT_FUEL,
            time: Duration::from_secs(DEFAULT_TIME_SECS),
            memory_mb: DEFAULT_MEMORY_MB,
            python: false,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// The policy an instance gives the sandboxes it starts, and how deep it is itself nested.
#[derive(Clone, Default)]
struct SandboxState {
    policy: Policy,
    depth: u32,
}

pub fn set_policy(interp: &mut Interp, policy: Policy) {
    let depth = state(interp).depth;
    interp.set_extension(SandboxState { policy, depth });
}

fn state(interp: &mut Interp) -> SandboxState {
    interp
        .extension::<SandboxState>()
        .cloned()
        .unwrap_or_default()
}

/// How deeply this instance is nested in sandboxes (0 for a program's own instance).
pub fn depth(interp: &mut Interp) -> u32 {
    state(interp).depth
}

/// Whether an instance may use a capability.
pub fn allows(interp: &mut Interp, capability: Capability) -> bool {
    match interp.extension::<SandboxState>() {
        Some(s) if s.depth > 0 => {
            capability == Capability::Pure || (capability == Capability::Python && s.policy.python)
        }
        _ => true,
    }
}

/// The running limits of a sandbox, checked by the evaluator on every procedure call and while
/// waiting for model calls.
pub struct Limits {
    fuel_left: Cell<u64>,
    pub deadline: Instant,
    policy: Policy,
}

impl Limits {
    fn new(policy: &Policy) -> Limits {
        Limits {
            fuel_left: Cell::new(policy.fuel),
            deadline: Instant::now() + policy.time,
            policy: policy.clone(),
        }
    }

    pub fn check(&self, calls: u64) -> R<()> {
        let left = self.fuel_left.get();
        if left < calls {
            return Err(Error::halt(format!(
                "model-written code ran out of fuel: more than {} procedure calls (--sub-fuel)",
                self.policy.fuel
            )));
        }
        self.fuel_left.set(left - calls);
        if let Some(limit) = heap::exceeded_by(0) {
            return Err(limit.error(None));
        }
        if Instant::now() >= self.deadline {
            return Err(Error::halt(format!(
                "model-written code ran longer than its time limit of {} s (--sub-timeout)",
                self.policy.time.as_secs()
            )));
        }
        Ok(())
    }
}

/// Replaces, in a sandbox's top-level environment, every builtin that needs a withheld
/// capability by a procedure that says so. Runs for each environment a sandbox makes
/// (`make-base-namespace` included), so none of them is a way out.
pub fn restrict(interp: &mut Interp, globals: &Rc<Globals>) -> R<()> {
    if depth(interp) == 0 {
        return Ok(());
    }
    for p in all_tables().into_iter().flat_map(|t| t.iter()) {
        if !allows(interp, p.needs) {
            interp.eval_datum_in(globals, &denial(p.name))?;
        }
    }
    Ok(())
}

/// `(define (NAME . _) (%sandbox-denied 'NAME))`, without a source location: the error it
/// raises is reported at the model-written call, not in code the model never saw.
fn denial(name: &str) -> Datum {
    let at = Span::default();
    let list = |items: Vec<Datum>| Datum::new(DatumKind::List(items), at);
    let head = Datum::new(
        DatumKind::Dotted(
            vec![Datum::symbol(name, at)],
            Box::new(Datum::symbol("_", at)),
        ),
        at,
    );
    let quoted = list(vec![Datum::symbol("quote", at), Datum::symbol(name, at)]);
    list(vec![
        Datum::symbol("define", at),
        head,
        list(vec![Datum::symbol("%sandbox-denied", at), quoted]),
    ])
}

/// Where model-written code came from, for its error messages and its place in the trace.
pub enum Origin {
    /// `unsafe-exec-sub-output`.
    ExecSubOutput,
    /// `llm-query #:recursive`: the call whose answer the program is.
    Recursive { call_id: u64 },
}

/// Runs model-written code in a fresh sandboxed instance with `context` bound, and returns its
/// result: the value it finishes with, else the value of its last form. Failures become
/// `[sub-model error]` exceptions the parent can catch; a break or a spent token budget goes
/// on up as itself.
pub fn run(parent: &mut Interp, code: &str, context: Value, origin: Origin) -> R<Value> {
    check_depth(parent)?;
    let SandboxState { policy, depth } = state(parent);
    let mut child = Interp::blank();
    child.interrupt = parent.interrupt.clone();
    child.set_extension(SandboxState {
        policy: policy.clone(),
        depth: depth + 1,
    });
    let parent_call = match origin {
        Origin::Recursive { call_id } => Some(call_id),
        Origin::ExecSubOutput => None,
    };
    crate::llm::inherit(parent, &mut child, parent_call, depth + 1);
    crate::audit::inherit(parent, &mut child);
    crate::scaffold::set_checkpoint_dir(&mut child, sandbox_checkpoint_dir(parent));
    let globals = child.globals.clone();
    crate::eval::prelude::install_into(&mut child, &globals)
        .map_err(|e| sub_model_error(e.report()))?;
    child.connect_ports(parent.current_output(), parent.current_error());
    if policy.python {
        if let Value::Str(text) = &context {
            crate::python::bind_at_startup(
                &mut child,
                "context",
                crate::python::StartupGlobal::Text(text.to_string()),
            );
        }
    }
    globals.define("context", context);
    let ceiling = heap::Ceiling::new(policy.memory_mb, heap::Owner::Sandbox);
    child.set_limits(Limits::new(&policy));
    let outcome = child.eval_str(code, "model-written code");
    drop(ceiling);
    child.limits = None;
    match outcome.map_err(Error::into_signal) {
        Ok(value) => Ok(value),
        Err(Signal::Finish(value)) => Ok(value),
        Err(Signal::Halt(message)) => Err(sub_model_error(message)),
        Err(Signal::Raise(raised)) => {
            let error = Error::raise(raised);
            match error.exn_kind() {
                Some(ExnKind::Break | ExnKind::TokenBudget) => Err(error),
                _ => Err(sub_model_error(error.report())),
            }
        }
        Err(other) => Err(sub_model_error(Error::from(other).report())),
    }
}

/// Refuses a sandbox deeper than `--max-depth`; `#:recursive` calls check before they ask the
/// model, so a program that could not run is never paid for.
pub fn check_depth(interp: &mut Interp) -> R<()> {
    let SandboxState { policy, depth } = state(interp);
    if depth >= policy.max_depth {
        return Err(sub_model_error(format!(
            "sandboxes may nest {} deep (--max-depth); this program would be at depth {}",
            policy.max_depth,
            depth + 1
        )));
    }
    Ok(())
}

fn sub_model_error(message: String) -> Error {
    Error::new(ExnKind::Fail, format!("[sub-model error] {message}"))
}

/// Sandboxes keep their checkpoints apart from the program's, in a directory of their own
/// inside the program's checkpoint directory.
fn sandbox_checkpoint_dir(parent: &mut Interp) -> PathBuf {
    crate::scaffold::checkpoint_dir(parent).join("sandbox")
}

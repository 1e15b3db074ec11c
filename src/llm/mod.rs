//! Model calls: `llm-query` and its family.
//!
//! Calls run on a shared tokio runtime (`client.rs`); the interpreter thread builds a plain
//! `Request`, starts the call and, when the program asks for the answer, blocks on it while
//! watching for Ctrl-C. Nothing that belongs to the interpreter (`Rc` values, Python objects)
//! crosses to the workers. Token usage is recorded by the call itself, so calls nobody awaits
//! still count.

mod client;
mod handle;
mod map_async;
mod offline;
mod primitives;
mod progress;
mod request;
mod settings;
mod store;
mod trace;
mod usage;
mod wire;

use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use gcmodule::Cc;
use tokio::sync::Semaphore;

use crate::interp::{Globals, Interp};
use crate::value::{Parameter, Symbol, Value};

pub use primitives::PRIMITIVES;
pub use client::runtime;
pub use progress::{CallView, Progress, Snapshot};
pub use trace::{summarize as summarize_trace, TraceMemory};
pub use usage::{Price, Prices, BUILTIN_PRICES};

use client::Limits;
use settings::Settings;
use usage::{Budget, BudgetValue, SharedTotals, Totals};

/// How a run uses models: its configuration, and the flags that belong to this run only.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub config: crate::config::Config,
    /// Print calls, tokens, cost and wall time to stderr at the end (`--stats`).
    pub stats: bool,
    pub record: Option<std::path::PathBuf>,
    pub replay: Option<std::path::PathBuf>,
    pub trace: Option<std::path::PathBuf>,
    pub trace_full: bool,
    /// Also keep the trace lines here (the MCP server reads them).
    pub trace_memory: Option<TraceMemory>,
    /// Show the live progress line when stderr is a terminal (off with `--quiet`).
    pub progress: bool,
}

/// One interpreter instance's model-call state.
struct LlmState {
    settings: Settings,
    limits: Arc<Limits>,
    totals: SharedTotals,
    stores: Arc<store::Stores>,
    progress: Arc<progress::Progress>,
    /// When the run started and whether to report on it at the end (`--stats`).
    started: std::time::Instant,
    stats: bool,
    /// The budgets in force where a sandbox was started: its calls count against them too.
    inherited_budgets: Vec<Arc<Budget>>,
    lineage: Lineage,
    /// Call ids, shared with sandboxes so that a trace never shows one id twice.
    call_ids: Arc<AtomicU64>,
}

/// Where a call sits in a tree of recursive calls: the `#:recursive` call whose sandbox made it,
/// and how deep that sandbox is.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lineage {
    pub parent: Option<u64>,
    pub depth: u32,
}

impl LlmState {
    fn new(options: &Options) -> Result<LlmState, String> {
        let settings = Settings::new(&options.config, options.replay.is_some());
        let limits = Arc::new(Limits {
            max_retries: settings.max_retries,
            request_timeout: settings.request_timeout,
            in_flight: Arc::new(Semaphore::new(settings.max_concurrency.clamp(1, Semaphore::MAX_PERMITS as u64) as usize)),
        });
        let stores = store::Stores {
            cache: options.config.cache_dir.value.clone().map(store::Cache::new),
            recorder: match &options.record {
                Some(path) => Some(store::Recorder::create(path).map_err(|e| format!("--record {}: {e}", path.display()))?),
                None => None,
            },
            replay: match &options.replay {
                Some(path) => Some(store::Replay::load(path).map_err(|e| format!("--replay {}: {e}", path.display()))?),
                None => None,
            },
            tracer: match (&options.trace, &options.trace_memory) {
                (None, None) => None,
                (path, memory) => Some(trace::Tracer::create(path.as_deref(), options.trace_full, memory.clone()).map_err(|e| {
                    format!("--trace {}: {e}", path.as_deref().unwrap_or(std::path::Path::new("")).display())
                })?),
            },
        };
        let totals = Arc::new(Mutex::new(Totals::new(options.config.price_table())));
        let progress = progress::Progress::new(totals.clone(), options.progress && std::io::IsTerminal::is_terminal(&std::io::stderr()));
        Ok(LlmState {
            settings,
            limits,
            totals,
            progress,
            stores: Arc::new(stores),
            started: std::time::Instant::now(),
            stats: options.stats,
            inherited_budgets: Vec::new(),
            lineage: Lineage::default(),
            call_ids: Arc::new(AtomicU64::new(1)),
        })
    }
}

/// Applies the run's configuration and flags to an instance; the error names the flag whose
/// file could not be used.
pub fn configure(interp: &mut Interp, options: &Options) -> Result<(), String> {
    interp.set_extension(LlmState::new(options)?);
    Ok(())
}

/// Runs the code that reads text a provider or a program controls, for the fuzz targets: an
/// answer body as both providers' formats, the message of an error body, and the JSON shape the
/// offline model finds in an instruction.
pub(crate) fn fuzz_provider_paths(text: &str) {
    if let Ok(body) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = wire::openai_answer(&body);
        let _ = wire::anthropic_answer(&body);
    }
    let _ = wire::error_message(text);
    let _ = offline::shape_in(text);
}

/// Gives a sandbox its parent's model settings, client, totals, stores and budgets; its calls
/// are traced as children of `parent_call` at `depth`.
pub fn inherit(parent: &mut Interp, child: &mut Interp, parent_call: Option<u64>, depth: u32) {
    let budgets = active_budgets(parent);
    let p = state(parent);
    let inherited = LlmState {
        settings: p.settings.clone(),
        limits: p.limits.clone(),
        totals: p.totals.clone(),
        stores: p.stores.clone(),
        progress: p.progress.clone(),
        started: p.started,
        stats: false,
        inherited_budgets: budgets,
        lineage: Lineage { parent: parent_call.or(p.lineage.parent), depth },
        call_ids: p.call_ids.clone(),
    };
    child.set_extension(inherited);
}

fn state(interp: &mut Interp) -> &mut LlmState {
    // An instance the command line did not configure (the library's own tests) has the
    // built-in defaults: no provider, and nothing read from a file or the environment.
    if interp.extension::<LlmState>().is_none() {
        let defaults = LlmState::new(&Options::default()).expect("the defaults open no files");
        interp.set_extension(defaults);
    }
    interp.extension::<LlmState>().expect("the state was just created")
}

/// Ends the run's reporting: clears the progress line and, with `--stats`, prints the run's
/// calls, tokens, estimated cost and wall time to stderr.
pub fn print_stats(interp: &mut Interp) {
    if let Some(state) = interp.extension::<LlmState>() {
        state.progress.finish();
    }
    let Some(state) = interp.extension::<LlmState>().filter(|s| s.stats) else { return };
    let totals = state.totals.lock().unwrap_or_else(|p| p.into_inner());
    let sum = totals.sum();
    // Stderr may be a pipe its reader closed; the report is then lost, not a crash.
    let _ = writeln!(
        std::io::stderr(),
        "rlmsh: {} model calls, {} tokens ({} prompt, {} completion), about ${:.4}, {:.2} s",
        sum.calls,
        sum.prompt + sum.completion,
        sum.prompt,
        sum.completion,
        totals.cost_usd(),
        state.started.elapsed().as_secs_f64()
    );
}

/// The calls of an instance's run (shared with its sandboxes), for a supervisor to watch and
/// cancel from another thread.
pub fn calls(interp: &mut Interp) -> Arc<Progress> {
    state(interp).progress.clone()
}

/// The id the instance's next model call will get: calls from here on have this id or a
/// greater one.
pub fn next_call_id(interp: &mut Interp) -> u64 {
    state(interp).call_ids.load(std::sync::atomic::Ordering::Relaxed)
}

/// The run's token usage as JSON (`prompt`, `completion`, `total`, `cost_usd`) and its number
/// of model calls, for `--json`.
pub fn usage_json(interp: &mut Interp) -> (serde_json::Value, u64) {
    let totals = shared_totals(interp);
    let totals = totals.lock().unwrap_or_else(|p| p.into_inner());
    let sum = totals.sum();
    let tokens = serde_json::json!({
        "prompt": sum.prompt,
        "completion": sum.completion,
        "total": sum.prompt + sum.completion,
        "cost_usd": totals.cost_usd(),
    });
    (tokens, sum.calls)
}

/// The `token-budget` parameter of an instance.
struct BudgetParameter(Value);

/// Defines `token-budget` in a top-level environment.
pub fn install(interp: &mut Interp, globals: &Rc<Globals>) {
    let parameter = Value::Parameter(Cc::new(Parameter {
        id: interp.new_id(),
        value: std::cell::RefCell::new(budget_value(Budget::new(None))),
        guard: Some(Value::Primitive(&primitives::TOKEN_BUDGET_GUARD)),
        name: Some(Symbol::intern("token-budget")),
    }));
    globals.define("token-budget", parameter.clone());
    if interp.extension::<BudgetParameter>().is_none() {
        interp.set_extension(BudgetParameter(parameter));
    }
}

fn budget_value(budget: Arc<Budget>) -> Value {
    Value::Opaque(Rc::new(Box::new(BudgetValue(budget))))
}

/// Every budget in force: the `token-budget` binding of each enclosing `parameterize`, and the
/// program-wide one.
fn active_budgets(interp: &mut Interp) -> Vec<Arc<Budget>> {
    let Some(BudgetParameter(Value::Parameter(p))) = interp.extension::<BudgetParameter>() else { return Vec::new() };
    let p = p.clone();
    let mut values: Vec<Value> = interp.param_stack.iter().filter(|(id, _)| *id == p.id).map(|(_, cell)| cell.borrow().clone()).collect();
    values.push(p.value.borrow().clone());
    let mut budgets: Vec<Arc<Budget>> = values
        .iter()
        .filter_map(|v| match v {
            Value::Opaque(o) => o.as_any().downcast_ref::<BudgetValue>().map(|b| b.0.clone()),
            _ => None,
        })
        .collect();
    budgets.extend(state(interp).inherited_budgets.iter().cloned());
    budgets
}

fn shared_totals(interp: &mut Interp) -> Arc<Mutex<usage::Totals>> {
    state(interp).totals.clone()
}

//! The model-call primitives.

use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use base64::Engine;

use super::client::{execute, runtime};
use super::handle::{handle_of, wait, wait_any, CallHandle, Outcome};
use super::request::{Answer, CallError, Request};
use super::progress::InFlight;
use super::store::Stores;
use super::trace::Ending;
use super::usage::{Budget, SharedTotals};
use super::{active_budgets, budget_value, shared_totals, state, Lineage};
use crate::builtins::{args, Primitive};
use crate::error::{Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::{HashKey, HashKind, Symbol, Value};

const QUERY_KEYWORDS: &[&str] = &["instruction", "data", "model", "temperature", "max-tokens", "json", "image", "images", "recursive"];

/// `map-async`'s default number of calls in flight.
pub const DEFAULT_MAX_CONCURRENT: usize = 20;

/// Images larger than this are refused before they are encoded and sent.
const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::with_keywords("llm-query", 0, 0, QUERY_KEYWORDS, llm_query,
        "Asks a model (#:instruction #:data #:model #:temperature #:max-tokens #:json #:image #:images #:recursive); returns the answer wrapped as a syntax object."),
    Primitive::with_keywords("unsafe-raw-query", 0, 0, QUERY_KEYWORDS, unsafe_raw_query,
        "Like llm-query, but returns the answer as a plain string."),
    Primitive::with_keywords("llm-query-async", 0, 0, QUERY_KEYWORDS, llm_query_async,
        "Starts a model call at once (the keywords of llm-query but #:recursive) and returns a handle for await."),
    Primitive::new("await", 1, 1, await_one, "Waits for a call started by llm-query-async; returns its answer as a syntax object."),
    Primitive::new("await-all", 1, 1, await_all, "Waits for a list of calls; returns their answers as plain strings, in order."),
    Primitive::new("await-all-syntax", 1, 1, await_all_syntax, "Waits for a list of calls; returns their answers as syntax objects, in order."),
    Primitive::new("await-any", 1, 1, await_any, "Waits for the first of a list of calls to finish; returns two values: its answer (a string) and the remaining handles."),
    Primitive::new("cancel", 1, 1, cancel, "Cancels a pending call; awaiting it then raises an error."),
    Primitive::with_keywords("map-async", 2, 2, &["max-concurrent", "checkpoint"], super::map_async::map_async,
        "Applies F to each element in order; handles F returns run with at most #:max-concurrent (default 20) in flight. Returns the answers (strings) or values, in order; with #:checkpoint KEY, answers are saved as they come and a rerun asks only for the rest."),
    Primitive::new("%llm-call?", 1, 1, |_, a| Ok(Value::Bool(handle_of("%llm-call?", &a[0]).is_ok())),
        "Runtime support for the combinators: is the value a handle from llm-query-async?"),
    Primitive::new("%await-settled", 1, 1, await_settled,
        "Runtime support for the combinators: waits until one of the calls has ended; returns the handles of those still running."),
    Primitive::new("tokens-used", 0, 0, tokens_used, "Returns a hash of the tokens used so far: prompt, completion, total, calls, per-model counts and estimated cost in USD."),
    Primitive::new("rate-limits", 0, 0, rate_limits, "Returns a hash of the latest x-ratelimit-* values (header name without the prefix, as a symbol, to a string) the provider sent."),
    Primitive::new("syntax-e", 1, 1, syntax_e, "Unwraps a syntax object (a model answer) into its string; passes plain strings through."),
    Primitive::new("syntax?", 1, 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Syntax(_)))), "Is the value a syntax object (a wrapped model answer)?"),
];

/// The guard of the `token-budget` parameter: a limit in tokens (or `#f` for none) becomes a
/// fresh budget that counts from zero.
pub static TOKEN_BUDGET_GUARD: Primitive = Primitive::new("%token-budget", 1, 1, token_budget_guard, "Makes a token budget.");

fn token_budget_guard(_: &mut Interp, a: &[Value]) -> R<Value> {
    let limit = match &a[0] {
        Value::Bool(false) => None,
        Value::Int(n) if *n >= 0 => Some(*n as u64),
        // A limit beyond what a run could ever spend is as good as the largest one.
        Value::Big(n) if n.sign() == num_bigint::Sign::Plus => Some(u64::MAX),
        other => return Err(Error::contract("token-budget", "(or/c exact-nonnegative-integer? #f)", other)),
    };
    Ok(budget_value(Budget::new(limit)))
}

fn string_keyword<'a>(who: &str, kws: &'a [(Symbol, Value)], name: &str) -> R<Option<&'a str>> {
    args::keyword(kws, name).map(|v| args::string(who, v)).transpose()
}

fn build_request(interp: &mut Interp, who: &str, kws: &[(Symbol, Value)]) -> R<Request> {
    let instruction = string_keyword(who, kws, "instruction")?.unwrap_or("");
    let data = string_keyword(who, kws, "data")?.unwrap_or("");
    let json = args::keyword(kws, "json").is_some_and(Value::is_true);
    let temperature = match args::keyword(kws, "temperature") {
        None => None,
        Some(v) if args::is_number(v) => Some(crate::value::number::to_f64(v)),
        Some(v) => return Err(Error::contract(who, "real?", v)),
    };
    let max_tokens = args::keyword(kws, "max-tokens").map(|v| args::index(who, v).map(|n| n as u64)).transpose()?;
    let mut images = Vec::new();
    let files_allowed = crate::sandbox::allows(interp, crate::builtins::Capability::Files);
    if let Some(image) = args::keyword(kws, "image") {
        images.push(image_url(who, args::string(who, image)?, files_allowed)?);
    }
    if let Some(list) = args::keyword(kws, "images") {
        for image in args::list(who, list)? {
            images.push(image_url(who, args::string(who, &image)?, files_allowed)?);
        }
    }
    let settings = &state(interp).settings;
    let model = match string_keyword(who, kws, "model")? {
        Some(m) => m.to_string(),
        None => settings.default_model.clone(),
    };
    let (provider, model) = settings.route(&model).map_err(|e| Error::fail(format!("{who}: {e}")))?;
    let recursive = is_recursive(kws);
    let mut system = if recursive { crate::sandbox::guide::system_message(instruction) } else { instruction.to_string() };
    // OpenAI refuses JSON mode unless the messages mention JSON; ask for it rather than fail.
    let json_instruction_added = json && !instruction.to_ascii_lowercase().contains("json");
    if json_instruction_added {
        system.push_str("\n\nRespond with a JSON object.");
    }
    let user = if recursive {
        crate::sandbox::guide::user_message(data)
    } else if data.trim().is_empty() {
        "(no data provided)".to_string()
    } else {
        data.to_string()
    };
    Ok(Request { provider, model, system, user, temperature, max_tokens, json, images, json_instruction_added, recursive })
}

/// An image as a URL the providers accept: URLs pass through, files become base64 data URLs.
fn image_url(who: &str, image: &str, files_allowed: bool) -> R<String> {
    if image.starts_with("data:") || image.starts_with("http://") || image.starts_with("https://") {
        return Ok(image.to_string());
    }
    if !files_allowed {
        return Err(Error::fail(format!("{who}: model-written code cannot read image files; pass a data: or https: URL")));
    }
    let size = std::fs::metadata(image).map_err(|e| Error::new(ExnKind::Filesystem, format!("{who}: cannot read image {image}: {e}")))?.len();
    if size > MAX_IMAGE_BYTES {
        return Err(Error::fail(format!("{who}: image {image} is {size} bytes; the limit is {MAX_IMAGE_BYTES}")));
    }
    let bytes = std::fs::read(image).map_err(|e| Error::new(ExnKind::Filesystem, format!("{who}: cannot read image {image}: {e}")))?;
    let lower = image.to_ascii_lowercase();
    let media_type = match lower.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => return Err(Error::fail(format!("{who}: {image}: expected a .png, .jpg, .jpeg, .gif or .webp image"))),
    };
    Ok(format!("data:{media_type};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// Starts a call on the runtime; refuses to when a token budget in force is spent. A call the
/// replay recording or the cache can answer does not reach the runtime.
fn start(interp: &mut Interp, who: &str, kws: &[(Symbol, Value)]) -> R<Value> {
    let request = build_request(interp, who, kws)?;
    let budgets = active_budgets(interp);
    if let Some(spent) = budgets.iter().find(|b| b.exhausted()) {
        return Err(Error::new(
            ExnKind::TokenBudget,
            format!(
                "{who}: token budget exceeded: {} tokens used of a budget of {}",
                spent.used.load(Ordering::Relaxed),
                spent.limit.unwrap_or(0)
            ),
        ));
    }
    crate::audit::record(interp, who, &request.model);
    let state = state(interp);
    let id = state.call_ids.fetch_add(1, Ordering::Relaxed);
    let lineage = state.lineage;
    let stores = state.stores.clone();
    // Hashing the request (data included) is only worth it when a store keys answers by it.
    let digest = stores.keyed().then(|| request.digest()).unwrap_or_default();
    if let Some(text) = stores.known_answer(&digest).map_err(|()| {
        Error::fail(format!(
            "{who}: the --replay recording has no answer for this request to {} (digest {digest})",
            request.model
        ))
    })? {
        if let Some(tracer) = &stores.tracer {
            let answer = Answer { text: text.clone(), usage: Default::default(), rate_limits: Vec::new() };
            tracer.record(id, lineage, &request, tracer.now_ms(), 0, Ending::Answered { answer: &answer, cache_hit: true });
        }
        return Ok(CallHandle::answered_value(id, text));
    }
    let limits = state.limits.clone();
    let progress = state.progress.clone();
    let model = format!("{}/{}", request.provider.name(), request.model);
    let requests = Arc::new(AtomicU32::new(0));
    let mut call = Bookkeeping {
        id,
        lineage,
        digest,
        sent: (stores.recorder.is_some() || stores.tracer.is_some()).then(|| request.clone()),
        start_ms: stores.tracer.as_ref().map_or(0.0, |t| t.now_ms()),
        in_flight: state.progress.start_call(id, &model),
        totals: state.totals.clone(),
        model,
        stores,
        budgets,
        requests: requests.clone(),
        settled: false,
    };
    let task = runtime().spawn(async move {
        let result = execute(request, limits, requests).await;
        call.settle(&result);
        result
    });
    progress.set_abort(id, task.abort_handle());
    Ok(CallHandle::new_value(id, task))
}

/// What a call in flight must account for when it ends, on the worker that ran it.
struct Bookkeeping {
    id: u64,
    lineage: Lineage,
    digest: String,
    /// `provider/model`, the key of per-model usage.
    model: String,
    /// The request, kept when the recorder or the tracer needs it after sending.
    sent: Option<Request>,
    start_ms: f64,
    in_flight: InFlight,
    totals: SharedTotals,
    stores: Arc<Stores>,
    budgets: Vec<Arc<Budget>>,
    /// Requests sent so far, counted by the client.
    requests: Arc<AtomicU32>,
    /// Whether the call ended; one dropped before that was cancelled.
    settled: bool,
}

impl Drop for Bookkeeping {
    /// A cancelled call's task is dropped before it settles; its trace line still says what it
    /// had sent, so that the trace accounts for every request.
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        if let (Some(tracer), Some(sent)) = (&self.stores.tracer, &self.sent) {
            tracer.record(self.id, self.lineage, sent, self.start_ms, self.requests.load(Ordering::Relaxed), Ending::Cancelled);
        }
    }
}

impl Bookkeeping {
    /// Records the outcome: usage (also of JSON answers that never parsed) in the totals and
    /// every budget in force, the answer in the cache and the recording, a trace line, the
    /// progress line.
    fn settle(&mut self, result: &Result<Answer, CallError>) {
        self.settled = true;
        let usage = match result {
            Ok(answer) => Some(answer.usage),
            Err(CallError::NotJson { usage, .. }) => Some(*usage),
            Err(_) => None,
        };
        if let Some(usage) = usage {
            let mut totals = self.totals.lock().unwrap_or_else(|p| p.into_inner());
            totals.record(&self.model, usage);
            if let Ok(answer) = result {
                totals.rate_limits.extend(answer.rate_limits.iter().cloned());
            }
            drop(totals);
            for budget in &self.budgets {
                budget.charge(usage.total());
            }
        }
        if let Ok(answer) = result {
            // A store that cannot be written must not fail a call that succeeded; the run
            // goes on and the next run asks the provider again.
            if let Some(cache) = &self.stores.cache {
                if let Err(e) = cache.put(&self.digest, &answer.text) {
                    eprintln!("rlmsh: --cache: cannot store an answer: {e}");
                }
            }
            if let (Some(recorder), Some(sent)) = (&self.stores.recorder, &self.sent) {
                if let Err(e) = recorder.record(&self.digest, sent, answer) {
                    eprintln!("rlmsh: --record: cannot append a call: {e}");
                }
            }
            self.in_flight.succeed();
        }
        if let (Some(tracer), Some(sent)) = (&self.stores.tracer, &self.sent) {
            let ending = match result {
                Ok(answer) => Ending::Answered { answer, cache_hit: false },
                Err(e) => Ending::Failed(e),
            };
            tracer.record(self.id, self.lineage, sent, self.start_ms, self.requests.load(Ordering::Relaxed), ending);
        }
    }
}

fn answer_text(who: &str, outcome: Outcome) -> R<Rc<String>> {
    outcome.map_err(|e| call_error(who, &e))
}

fn call_error(who: &str, e: &CallError) -> Error {
    Error::fail(format!("{who}: {e}"))
}

fn is_recursive(kws: &[(Symbol, Value)]) -> bool {
    args::keyword(kws, "recursive").is_some_and(Value::is_true)
}

fn query(interp: &mut Interp, who: &str, kws: &[(Symbol, Value)]) -> R<Rc<String>> {
    let recursive = is_recursive(kws);
    if recursive {
        crate::sandbox::check_depth(interp)?;
    }
    let handle = start(interp, who, kws)?;
    let call = handle_of(who, &handle)?;
    let outcome = wait(interp, call)?;
    let answer = answer_text(who, outcome)?;
    if !recursive {
        return Ok(answer);
    }
    // The answer is a program: run it over the data in a sandbox; what it finishes with is
    // the answer the caller gets.
    let code = crate::sandbox::guide::extract_code(&answer);
    let data = string_keyword(who, kws, "data")?.unwrap_or("");
    let context = Value::string(data.to_string());
    let result = crate::sandbox::run(interp, code, context, crate::sandbox::Origin::Recursive { call_id: call.id })?;
    Ok(match result {
        Value::Str(s) | Value::Syntax(s) => s,
        other => Rc::new(crate::value::print::display_string(&other)),
    })
}

fn llm_query(interp: &mut Interp, _: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    query(interp, "llm-query", kws).map(Value::Syntax)
}

fn unsafe_raw_query(interp: &mut Interp, _: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    query(interp, "unsafe-raw-query", kws).map(Value::Str)
}

fn llm_query_async(interp: &mut Interp, _: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    if is_recursive(kws) {
        return Err(Error::fail(
            "llm-query-async: #:recursive is not supported with async calls; use llm-query with #:recursive #t",
        ));
    }
    start(interp, "llm-query-async", kws)
}

fn await_one(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let outcome = wait(interp, handle_of("await", &a[0])?)?;
    answer_text("await", outcome).map(Value::Syntax)
}

fn await_each(interp: &mut Interp, who: &str, list: &Value) -> R<Vec<Rc<String>>> {
    let handles = args::list(who, list)?;
    let mut answers = Vec::with_capacity(handles.len());
    for (i, h) in handles.iter().enumerate() {
        let outcome = wait(interp, handle_of(who, h)?)?;
        answers.push(outcome.map_err(|e| Error::fail(format!("{who}: call {i} failed: {e}")))?);
    }
    Ok(answers)
}

fn await_all(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(await_each(interp, "await-all", &a[0])?.into_iter().map(Value::Str).collect()))
}

fn await_all_syntax(interp: &mut Interp, a: &[Value]) -> R<Value> {
    Ok(Value::list(await_each(interp, "await-all-syntax", &a[0])?.into_iter().map(Value::Syntax).collect()))
}

fn await_any(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let who = "await-any";
    let values = args::list(who, &a[0])?;
    if values.is_empty() {
        return Err(Error::contract(who, "(non-empty-listof llm-call)", &a[0]));
    }
    let handles = values.iter().map(|v| handle_of(who, v)).collect::<R<Vec<_>>>()?;
    let first = wait_any(interp, &handles)?;
    let answer = answer_text(who, handles[first].outcome_now())?;
    let rest: Vec<Value> = values.iter().enumerate().filter(|(i, _)| *i != first).map(|(_, v)| v.clone()).collect();
    Ok(Value::multiple(vec![Value::Str(answer), Value::list(rest)]))
}

/// Waits without raising: the combinators decide what a failed call means, and the program's
/// own `await` of a handle still reports its failure.
fn await_settled(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let who = "%await-settled";
    let values = args::list(who, &a[0])?;
    let handles = values.iter().map(|v| handle_of(who, v)).collect::<R<Vec<_>>>()?;
    if !handles.is_empty() {
        wait_any(interp, &handles)?;
    }
    let running = values.iter().zip(&handles).filter(|(_, h)| !h.has_ended()).map(|(v, _)| v.clone());
    Ok(Value::list(running.collect()))
}

fn cancel(_: &mut Interp, a: &[Value]) -> R<Value> {
    handle_of("cancel", &a[0])?.cancel();
    Ok(Value::Void)
}

fn tokens_used(interp: &mut Interp, _: &[Value]) -> R<Value> {
    let totals = shared_totals(interp);
    let totals = totals.lock().unwrap_or_else(|p| p.into_inner());
    let sum = totals.sum();
    let entry = |k: &str, v: Value| (HashKey(Value::sym(k)), v);
    let by_model = totals
        .by_model
        .iter()
        .map(|(model, u)| {
            let fields = [
                entry("calls", Value::Int(u.calls as i64)),
                entry("prompt_tokens", Value::Int(u.prompt as i64)),
                entry("completion_tokens", Value::Int(u.completion as i64)),
                entry("total_tokens", Value::Int((u.prompt + u.completion) as i64)),
                entry("cost_usd", Value::Float(totals.prices.cost_usd(model, u.prompt, u.completion))),
            ];
            (HashKey(Value::str(model)), Value::new_hash(HashKind::Equal, false, fields))
        })
        .collect::<Vec<_>>();
    let fields = [
        entry("prompt_tokens", Value::Int(sum.prompt as i64)),
        entry("completion_tokens", Value::Int(sum.completion as i64)),
        entry("total_tokens", Value::Int((sum.prompt + sum.completion) as i64)),
        entry("calls", Value::Int(sum.calls as i64)),
        entry("cost_usd", Value::Float(totals.cost_usd())),
        entry("by_model", Value::new_hash(HashKind::Equal, false, by_model)),
    ];
    Ok(Value::new_hash(HashKind::Equal, false, fields))
}

fn rate_limits(interp: &mut Interp, _: &[Value]) -> R<Value> {
    let totals = shared_totals(interp);
    let totals = totals.lock().unwrap_or_else(|p| p.into_inner());
    let entries = totals.rate_limits.iter().map(|(name, value)| {
        let key = name.trim_start_matches("x-ratelimit-").trim_start_matches("anthropic-ratelimit-");
        (HashKey(Value::sym(key)), Value::str(value))
    });
    Ok(Value::new_hash(HashKind::Equal, false, entries.collect::<Vec<_>>()))
}

fn syntax_e(interp: &mut Interp, a: &[Value]) -> R<Value> {
    match &a[0] {
        Value::Syntax(text) => {
            crate::audit::record(interp, "syntax-e", text);
            Ok(Value::Str(text.clone()))
        }
        Value::Str(_) => Ok(a[0].clone()),
        other => Err(Error::contract("syntax-e", "(or/c syntax? string?)", other)),
    }
}

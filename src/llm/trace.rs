//! The per-call trace (`--trace FILE.jsonl`, with `--trace-full` the whole request and answer)
//! and its summary (`rlmsh trace FILE.jsonl`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{json, Value as Json};

use super::request::{Answer, CallError, Request};
use super::usage::Prices;
use super::Lineage;

pub struct Tracer {
    file: Option<Mutex<File>>,
    memory: Option<TraceMemory>,
    full: bool,
    started: Instant,
}

/// Trace lines kept in memory, for a supervisor to read (the MCP server's
/// `get_execution_trace`); the supervisor decides what to keep.
pub type TraceMemory = Arc<Mutex<Vec<Json>>>;

/// How a call ended, for its trace line.
pub enum Ending<'a> {
    Answered { answer: &'a Answer, cache_hit: bool },
    Failed(&'a CallError),
    /// The program cancelled the call (or gave up on it) before it ended.
    Cancelled,
}

impl Tracer {
    /// A tracer appending to the file at `path`, keeping lines in `memory`, or both.
    pub fn create(path: Option<&Path>, full: bool, memory: Option<TraceMemory>) -> std::io::Result<Tracer> {
        let file = match path {
            Some(path) => Some(Mutex::new(std::fs::OpenOptions::new().create(true).append(true).open(path)?)),
            None => None,
        };
        Ok(Tracer { file, memory, full, started: Instant::now() })
    }

    /// Milliseconds since the run started: the time base of `start_ms`.
    pub fn now_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// One line for a call that `ending` ended after sending `requests` requests (its retries
    /// are the requests after the first: the trace accounts for every request sent).
    pub fn record(&self, id: u64, lineage: Lineage, req: &Request, start_ms: f64, requests: u32, ending: Ending<'_>) {
        let mut line = json!({
            "id": id,
            "parent": lineage.parent,
            "depth": lineage.depth,
            "provider": req.provider.name(),
            "model": req.model,
            "start_ms": round(start_ms),
            "latency_ms": round(self.now_ms() - start_ms),
            "retries": requests.saturating_sub(1),
        });
        if req.json_instruction_added {
            line["json_instruction_added"] = json!(true);
        }
        match &ending {
            Ending::Answered { answer, cache_hit } => {
                line["status"] = json!("ok");
                line["prompt_tokens"] = json!(answer.usage.prompt);
                line["completion_tokens"] = json!(answer.usage.completion);
                line["cache_hit"] = json!(cache_hit);
            }
            Ending::Failed(e) => {
                line["status"] = json!(if matches!(e, CallError::Cancelled) { "cancelled" } else { "error" });
                line["error"] = json!(e.to_string());
            }
            Ending::Cancelled => {
                line["status"] = json!("cancelled");
                line["requests"] = json!(requests);
            }
        }
        if self.full {
            line["system"] = json!(req.system);
            line["user"] = json!(req.user);
            if let Ending::Answered { answer, .. } = ending {
                line["answer"] = json!(answer.text);
            }
        }
        if let Some(file) = &self.file {
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = writeln!(file, "{line}").and_then(|()| file.flush()) {
                eprintln!("rlmsh: --trace: cannot write: {e}");
            }
        }
        if let Some(memory) = &self.memory {
            memory.lock().unwrap_or_else(|p| p.into_inner()).push(line);
        }
    }
}

fn round(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

#[derive(Default)]
struct ModelSummary {
    calls: u64,
    errors: u64,
    cache_hits: u64,
    prompt: u64,
    completion: u64,
    latencies: Vec<f64>,
}

/// The summary table of a trace file: per model, calls, errors, cache hits, tokens, estimated
/// cost (by `prices`) and latency percentiles.
pub fn summarize(path: &Path, prices: &Prices) -> Result<String, String> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut models: BTreeMap<String, ModelSummary> = BTreeMap::new();
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let call: Json = serde_json::from_str(&line).map_err(|e| format!("{}:{}: not a trace line: {e}", path.display(), number + 1))?;
        let text = |k: &str| call.get(k).and_then(Json::as_str).unwrap_or("").to_string();
        let count = |k: &str| call.get(k).and_then(Json::as_u64).unwrap_or(0);
        let entry = models.entry(format!("{}/{}", text("provider"), text("model"))).or_default();
        entry.calls += 1;
        entry.errors += u64::from(text("status") != "ok");
        entry.cache_hits += u64::from(call.get("cache_hit").and_then(Json::as_bool).unwrap_or(false));
        entry.prompt += count("prompt_tokens");
        entry.completion += count("completion_tokens");
        if let Some(ms) = call.get("latency_ms").and_then(Json::as_f64) {
            entry.latencies.push(ms);
        }
    }
    let mut out = String::from("| model | calls | errors | cache hits | prompt tokens | completion tokens | cost USD | p50 ms | p95 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (model, mut m) in models {
        m.latencies.sort_by(f64::total_cmp);
        let percentile = |p: f64| m.latencies.get(((m.latencies.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0.0);
        let cost = prices.cost_usd(&model, m.prompt, m.completion);
        out.push_str(&format!(
            "| {model} | {} | {} | {} | {} | {} | {cost:.4} | {:.1} | {:.1} |\n",
            m.calls,
            m.errors,
            m.cache_hits,
            m.prompt,
            m.completion,
            percentile(0.5),
            percentile(0.95)
        ));
    }
    Ok(out)
}

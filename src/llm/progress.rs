//! The calls of a run as they happen: how many are done, in flight and failed, which ones are in
//! flight (so that a supervisor such as the MCP server can report and cancel them), and the
//! live progress line of long runs, drawn only when stderr is a terminal and `--quiet` is not
//! given.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::AbortHandle;

use super::usage::SharedTotals;

pub struct Progress {
    in_flight: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
    totals: SharedTotals,
    calls: Mutex<BTreeMap<u64, CallInFlight>>,
    draw: bool,
    /// Created by the first call, so runs without model calls never draw anything.
    bar: OnceLock<ProgressBar>,
}

struct CallInFlight {
    model: String,
    started: Instant,
    /// Set once the call's task is spawned; a call answered before that needs no cancelling.
    abort: Option<AbortHandle>,
}

/// A call in flight as a supervisor sees it.
pub struct CallView {
    pub id: u64,
    pub model: String,
    pub elapsed: Duration,
}

/// The counts of a run's calls, and its usage so far.
pub struct Snapshot {
    pub done: u64,
    pub in_flight: u64,
    pub failed: u64,
    pub tokens: u64,
    pub cost_usd: f64,
}

impl Progress {
    pub fn new(totals: SharedTotals, draw: bool) -> Arc<Progress> {
        Arc::new(Progress {
            in_flight: AtomicU64::new(0),
            done: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            totals,
            calls: Mutex::new(BTreeMap::new()),
            draw,
            bar: OnceLock::new(),
        })
    }

    fn bar(&self) -> &ProgressBar {
        self.bar.get_or_init(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_spinner()));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        })
    }

    /// Counts call `id` as in flight until the returned guard is dropped: when its task ends,
    /// or when the task is aborted (a cancelled call).
    pub fn start_call(self: &Arc<Self>, id: u64, model: &str) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.registry().insert(id, CallInFlight { model: model.to_string(), started: Instant::now(), abort: None });
        self.refresh();
        InFlight { progress: self.clone(), id, succeeded: false }
    }

    /// Makes call `id` cancellable by [`Progress::cancel`], if it is still in flight.
    pub fn set_abort(&self, id: u64, abort: AbortHandle) {
        if let Some(call) = self.registry().get_mut(&id) {
            call.abort = Some(abort);
        }
    }

    /// Cancels call `id`, or every call in flight; returns the ids cancelled. The program
    /// waiting for a cancelled call gets a `cancelled` error.
    pub fn cancel(&self, id: Option<u64>) -> Vec<u64> {
        self.registry()
            .iter()
            .filter(|(call_id, _)| id.is_none_or(|wanted| wanted == **call_id))
            .filter_map(|(call_id, call)| call.abort.as_ref().map(|abort| (call_id, abort)))
            .map(|(call_id, abort)| {
                abort.abort();
                *call_id
            })
            .collect()
    }

    pub fn calls_in_flight(&self) -> Vec<CallView> {
        let now = Instant::now();
        self.registry()
            .iter()
            .map(|(id, call)| CallView { id: *id, model: call.model.clone(), elapsed: now.saturating_duration_since(call.started) })
            .collect()
    }

    pub fn snapshot(&self) -> Snapshot {
        let totals = self.totals.lock().unwrap_or_else(|p| p.into_inner());
        let sum = totals.sum();
        Snapshot {
            done: self.done.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            tokens: sum.prompt + sum.completion,
            cost_usd: totals.cost_usd(),
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, CallInFlight>> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn refresh(&self) {
        if !self.draw {
            return;
        }
        let s = self.snapshot();
        self.bar().set_message(format!(
            "model calls: {} done, {} in flight, {} failed or cancelled · {} tokens · ${:.4}",
            s.done, s.in_flight, s.failed, s.tokens, s.cost_usd
        ));
    }

    fn ended(&self, id: u64, succeeded: bool) {
        self.registry().remove(&id);
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        let counter = if succeeded { &self.done } else { &self.failed };
        counter.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }

    /// Removes the line at the end of the run.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// A call in flight; calls that end without `succeed` count as failed.
pub struct InFlight {
    progress: Arc<Progress>,
    id: u64,
    succeeded: bool,
}

impl InFlight {
    pub fn succeed(&mut self) {
        self.succeeded = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.progress.ended(self.id, self.succeeded);
    }
}

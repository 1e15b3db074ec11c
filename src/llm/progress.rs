//! The live progress line of long runs (calls done, in flight and failed, tokens, cost), shown
//! only when stderr is a terminal and `--quiet` is not given.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::usage::SharedTotals;

pub struct Progress {
    in_flight: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
    totals: SharedTotals,
    /// Created by the first call, so runs without model calls never draw anything.
    bar: OnceLock<ProgressBar>,
}

impl Progress {
    pub fn new(totals: SharedTotals) -> Arc<Progress> {
        Arc::new(Progress { in_flight: AtomicU64::new(0), done: AtomicU64::new(0), failed: AtomicU64::new(0), totals, bar: OnceLock::new() })
    }

    fn bar(&self) -> &ProgressBar {
        self.bar.get_or_init(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_spinner()));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        })
    }

    /// Counts a call as in flight until the returned guard is dropped: when its task ends, or
    /// when the task is aborted (a cancelled call).
    pub fn start_call(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.refresh();
        InFlight { progress: self.clone(), succeeded: false }
    }

    fn refresh(&self) {
        let (tokens, cost) = {
            let totals = self.totals.lock().unwrap_or_else(|p| p.into_inner());
            let sum = totals.sum();
            (sum.prompt + sum.completion, totals.cost_usd())
        };
        self.bar().set_message(format!(
            "model calls: {} done, {} in flight, {} failed or cancelled · {tokens} tokens · ${cost:.4}",
            self.done.load(Ordering::Relaxed),
            self.in_flight.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        ));
    }

    fn ended(&self, succeeded: bool) {
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

/// A call in flight, for the progress line; calls that end without `succeed` count as failed.
pub struct InFlight {
    progress: Arc<Progress>,
    succeeded: bool,
}

impl InFlight {
    pub fn succeed(&mut self) {
        self.succeeded = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.progress.ended(self.succeeded);
    }
}

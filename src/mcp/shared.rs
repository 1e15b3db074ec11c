//! What the protocol side and the interpreter thread share: the jobs sent across, and the state
//! the protocol side reads while an execution runs (calls in flight, the trace, what is
//! running). Only `Send` data lives here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde_json::Value as Json;

use crate::llm::{Progress, TraceMemory};

/// Work that needs the interpreter.
pub enum Job {
    Execute { code: String },
    LoadContext { data: String, name: Option<String>, json: bool },
    Reset { clear_checkpoints: bool },
    State,
}

/// The execution in progress.
#[derive(Clone, Copy)]
pub struct Running {
    pub number: u64,
    pub started: Instant,
}

pub struct Shared {
    /// The calls of the current instance (replaced by `reset`).
    pub calls: Mutex<Arc<Progress>>,
    /// The instance's interrupt flag: set to stop the running execution.
    pub interrupt: Arc<AtomicBool>,
    pub trace: TraceMemory,
    running: Mutex<Option<Running>>,
    /// The call ids of the last execution: from `first`, up to `end` once it has ended.
    window: Mutex<(u64, Option<u64>)>,
}

impl Shared {
    pub fn new(interrupt: Arc<AtomicBool>, trace: TraceMemory, calls: Arc<Progress>) -> Shared {
        Shared {
            calls: Mutex::new(calls),
            interrupt,
            trace,
            running: Mutex::new(None),
            window: Mutex::new((0, None)),
        }
    }

    pub fn calls(&self) -> Arc<Progress> {
        lock(&self.calls).clone()
    }

    pub fn running(&self) -> Option<Running> {
        *lock(&self.running)
    }

    /// Starts the trace afresh for an execution whose calls get ids from `first_call` on.
    pub fn begin_execution(&self, running: Running, first_call: u64) {
        *lock(&self.running) = Some(running);
        *lock(&self.window) = (first_call, None);
        lock(&self.trace).clear();
    }

    pub fn end_execution(&self, next_call: u64) {
        *lock(&self.running) = None;
        lock(&self.window).1 = Some(next_call);
    }

    pub fn clear_trace(&self) {
        lock(&self.trace).clear();
        *lock(&self.window) = (0, Some(0));
    }

    /// The trace lines of the last (or the running) execution's calls, by id; calls it left
    /// in flight appear once they end.
    pub fn execution_trace(&self) -> Vec<Json> {
        let (first, end) = *lock(&self.window);
        let mut lines: Vec<Json> = lock(&self.trace)
            .iter()
            .filter(|line| line["id"].as_u64().is_some_and(|id| id >= first && end.is_none_or(|end| id < end)))
            .cloned()
            .collect();
        lines.sort_by_key(|line| line["id"].as_u64());
        lines
    }

    /// Stops the running execution: interrupts the evaluator (and Python code it runs) and
    /// cancels its model calls.
    pub fn stop_execution(&self) {
        self.interrupt.store(true, Ordering::SeqCst);
        crate::python::interrupt();
        self.calls().cancel(None);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

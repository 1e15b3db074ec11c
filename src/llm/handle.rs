//! Handles of calls in flight (`llm-query-async`) and waiting for them on the interpreter
//! thread without missing a Ctrl-C.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::future::select_all;
use tokio::task::JoinHandle;

use super::client::runtime;
use super::request::{Answer, CallError};
use crate::error::{Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::{Opaque, Value};

pub type Outcome = Result<Rc<String>, CallError>;

pub struct CallHandle {
    pub id: u64,
    task: RefCell<Option<JoinHandle<Result<Answer, CallError>>>>,
    outcome: RefCell<Option<Outcome>>,
}

impl Opaque for CallHandle {
    fn type_name(&self) -> String {
        let state = match &*self.outcome.borrow() {
            None => "pending",
            Some(Ok(_)) => "done",
            Some(Err(CallError::Cancelled)) => "cancelled",
            Some(Err(_)) => "failed",
        };
        format!("llm-call:{}:{state}", self.id)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl CallHandle {
    pub fn new_value(id: u64, task: JoinHandle<Result<Answer, CallError>>) -> Value {
        Value::Opaque(Rc::new(Box::new(CallHandle { id, task: RefCell::new(Some(task)), outcome: RefCell::new(None) })))
    }

    /// A handle whose answer is already known (from the cache or a recording).
    pub fn answered_value(id: u64, text: String) -> Value {
        Value::Opaque(Rc::new(Box::new(CallHandle { id, task: RefCell::new(None), outcome: RefCell::new(Some(Ok(Rc::new(text)))) })))
    }

    /// Stops the call and waits for its task to go, so that by the time this returns the call
    /// has sent its last request and its trace line is written.
    pub fn cancel(&self) {
        if let Some(task) = self.task.borrow_mut().take() {
            task.abort();
            // An aborted task ends at its next await point; an answer that came first is dropped.
            let _ = runtime().block_on(task);
            *self.outcome.borrow_mut() = Some(Err(CallError::Cancelled));
        }
    }

    fn settle(&self, result: Result<Result<Answer, CallError>, tokio::task::JoinError>) {
        let outcome = match result {
            Ok(Ok(answer)) => Ok(Rc::new(answer.text)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(CallError::Cancelled),
        };
        self.task.borrow_mut().take();
        *self.outcome.borrow_mut() = Some(outcome);
    }

    /// The call's result, once it has ended.
    pub fn outcome_now(&self) -> Outcome {
        self.outcome.borrow().clone().unwrap_or(Err(CallError::Cancelled))
    }

    /// Whether the call has ended (answered, failed or cancelled) as far as this thread has
    /// seen: a call that ended on the runtime counts once a wait has settled it.
    pub fn has_ended(&self) -> bool {
        self.outcome.borrow().is_some()
    }

    /// Whether the call has ended, settling it without waiting if it ended on the runtime: what
    /// a caller giving up on its calls can still keep.
    pub fn ended_now(&self) -> bool {
        if self.has_ended() {
            return true;
        }
        let task = self.task.borrow_mut().take_if(|t| t.is_finished());
        match task {
            Some(task) => {
                self.settle(runtime().block_on(task));
                true
            }
            None => false,
        }
    }

    fn outcome(&self) -> Option<Outcome> {
        self.outcome.borrow().clone()
    }
}

/// The handle inside a value, or a contract violation naming `who`.
pub fn handle_of<'a>(who: &str, v: &'a Value) -> R<&'a CallHandle> {
    match v {
        Value::Opaque(o) => o.as_any().downcast_ref::<CallHandle>(),
        _ => None,
    }
    .ok_or_else(|| Error::contract(who, "llm-call handle (from llm-query-async)", v))
}

/// Waits until the handle's call has ended.
pub fn wait(interp: &Interp, handle: &CallHandle) -> R<Outcome> {
    wait_any(interp, &[handle])?;
    Ok(handle.outcome().expect("wait_any returns once the call has ended"))
}

/// Waits until one of the calls has ended; returns its position (the first, if the same
/// handle is listed twice). Ctrl-C ends the wait with a break (the calls go on; the program
/// decides whether to cancel them).
pub fn wait_any(interp: &Interp, handles: &[&CallHandle]) -> R<usize> {
    if let Some(i) = handles.iter().position(|h| h.outcome.borrow().is_some()) {
        return Ok(i);
    }
    let mut distinct: Vec<&CallHandle> = Vec::with_capacity(handles.len());
    for h in handles {
        if !distinct.iter().any(|d| std::ptr::eq(*d, *h)) {
            distinct.push(h);
        }
    }
    let mut tasks: Vec<_> = distinct.iter().map(|h| h.task.borrow_mut()).collect();
    // A handle without an outcome still has its task: both change together in `settle`/`cancel`.
    let pending: Vec<&mut JoinHandle<_>> = tasks.iter_mut().filter_map(|t| t.as_mut()).collect();
    let interrupt = interp.interrupt.clone();
    // A sandbox's time limit also ends a wait (its calls go on, as after a break).
    let deadline = interp.limits.as_ref().map(|l| l.deadline);
    let finished = runtime().block_on(async {
        let mut any = select_all(pending);
        loop {
            tokio::select! {
                (result, position, _) = &mut any => return Some((position, result)),
                _ = tokio::time::sleep(Duration::from_millis(50)) => {
                    if deadline.is_some_and(|d| std::time::Instant::now() >= d) || interrupt.swap(false, Ordering::SeqCst) {
                        return None;
                    }
                }
            }
        }
    });
    drop(tasks);
    let Some((position, result)) = finished else {
        interp.check_limits(0)?;
        return Err(Error::new(ExnKind::Break, "user break"));
    };
    let done = distinct[position];
    done.settle(result);
    Ok(handles.iter().position(|h| std::ptr::eq(*h, done)).unwrap_or(0))
}

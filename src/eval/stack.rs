//! Guarding the Rust stack. The evaluator recurses on the Rust stack for non-tail calls, so the
//! CLI runs programs on a thread with a large stack, and the evaluator checks the remaining
//! space on entry: running out becomes a catchable Scheme error instead of an abort.

use std::sync::{Arc, Mutex};
use std::thread;

/// Stack size for interpreter threads. Only touched pages are committed, so this costs
/// memory only for programs that really recurse deeply.
pub const INTERPRETER_STACK_BYTES: usize = 2 << 30;

/// Space kept free below the limit for builtins, printing and freeing deep structures.
const RESERVE_BYTES: usize = 1 << 20;

/// Runs `f` on a new thread with an interpreter-sized stack and returns its result. If the
/// system refuses so large a stack, smaller ones are tried.
pub fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let job = Arc::new(Mutex::new(Some(f)));
    for size in [INTERPRETER_STACK_BYTES, 1 << 30, 256 << 20, 16 << 20] {
        let job = job.clone();
        let spawned = thread::Builder::new().name("rlmsh-eval".into()).stack_size(size).spawn(move || {
            let f = job.lock().unwrap_or_else(|p| p.into_inner()).take();
            f.map(|f| f())
        });
        if let Ok(handle) = spawned {
            match handle.join() {
                Ok(Some(v)) => return v,
                Ok(None) => break,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    }
    let f = job.lock().unwrap_or_else(|p| p.into_inner()).take();
    match f {
        Some(f) => f(),
        None => unreachable!("the job runs exactly once"),
    }
}

/// The lowest stack address the evaluator may use on the current thread.
pub fn limit_for_current_thread() -> usize {
    let (low, size) = current_stack_bounds();
    let reserve = RESERVE_BYTES.max(size / 16).min(64 << 20);
    low + reserve
}

/// The current stack pointer, near enough.
#[inline(always)]
pub fn stack_pointer() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

#[cfg(target_os = "linux")]
fn current_stack_bounds() -> (usize, usize) {
    // SAFETY: pthread_getattr_np fills the attribute object for the calling thread, which is
    // then only read and destroyed here.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return fallback_bounds();
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        libc::pthread_attr_destroy(&mut attr);
        if ok && !addr.is_null() {
            (addr as usize, size)
        } else {
            fallback_bounds()
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn current_stack_bounds() -> (usize, usize) {
    fallback_bounds()
}

/// Without a way to ask the OS, assume the 2 MiB Rust gives spawned threads.
fn fallback_bounds() -> (usize, usize) {
    let size = 2 << 20;
    (stack_pointer().saturating_sub(size - (64 << 10)), size)
}

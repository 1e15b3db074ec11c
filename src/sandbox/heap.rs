//! Counts the bytes the current thread holds on the heap, so the sandbox can stop model-written
//! code that allocates without bound (and a program run with `--max-memory` can stop itself). The count is per thread and needs no atomics: a sandbox
//! runs on the interpreter's thread, and memory freed by another thread only lowers this one's
//! figure (it never makes a sandbox look bigger than it is).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

pub struct CountingAllocator;

thread_local! {
    // `const` initialisation without a destructor: usable at any point of a thread's life,
    // including while its other thread-locals are being torn down.
    static LIVE_BYTES: Cell<isize> = const { Cell::new(0) };
    /// While a limit is in force on this thread: the live-byte count it may not go beyond.
    static CEILING: Cell<Option<Limit>> = const { Cell::new(None) };
}

/// A memory limit: the live-byte count not to go beyond, the limit as given, and whose it is.
#[derive(Clone, Copy)]
pub struct Limit {
    bytes: isize,
    megabytes: u64,
    owner: Owner,
}

/// Who a limit stops: model-written code in a sandbox (uncatchably), or the program itself
/// (with an exception, like Racket's out-of-memory errors).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Sandbox,
    Program,
}

impl Limit {
    /// The error for going over the limit, raised by `who` when it is a builtin's request.
    pub fn error(self, who: Option<&str>) -> crate::error::Error {
        let prefix = who.map(|w| format!("{w}: ")).unwrap_or_default();
        match self.owner {
            Owner::Sandbox => crate::error::Error::halt(format!(
                "{prefix}model-written code went over its memory limit of {} MB (--sub-memory)",
                self.megabytes
            )),
            Owner::Program => crate::error::Error::new(
                crate::error::ExnKind::Fail,
                format!("{prefix}out of memory: the program went over its limit of {} MB (--max-memory)", self.megabytes),
            ),
        }
    }
}

/// Holds the program on this thread to `megabytes` more than it holds now, for the rest of the
/// thread's life (sandboxes it starts put their own limits over this one while they run).
pub fn limit_program(megabytes: u64) {
    std::mem::forget(Ceiling::new(megabytes, Owner::Program));
}

/// A memory limit on this thread, from now until it is dropped (then the enclosing one, if
/// any, is back in force).
pub struct Ceiling {
    outer: Option<Limit>,
}

impl Ceiling {
    pub fn new(megabytes: u64, owner: Owner) -> Ceiling {
        let bytes = megabytes.saturating_mul(1 << 20).min(isize::MAX as u64) as isize;
        let limit = Limit { bytes: live_bytes().saturating_add(bytes), megabytes, owner };
        Ceiling { outer: CEILING.with(|c| c.replace(Some(limit))) }
    }
}

impl Drop for Ceiling {
    fn drop(&mut self) {
        CEILING.with(|c| c.set(self.outer));
    }
}

/// The limit in force, if holding `more` bytes on top of what this thread holds now would go
/// over it.
pub fn exceeded_by(more: usize) -> Option<Limit> {
    CEILING
        .with(Cell::get)
        .filter(|limit| live_bytes().saturating_add(more.min(isize::MAX as usize) as isize) > limit.bytes)
}

/// Refuses, before it is made, an object that would go over the memory limit in force
/// (`make-vector`, `make-string`, `make-list`, `range` ... of a size given by the program).
pub fn check_request(who: &str, bytes: usize) -> crate::error::R<()> {
    match exceeded_by(bytes) {
        Some(limit) => Err(limit.error(Some(who))),
        None => Ok(()),
    }
}

fn adjust(delta: isize) {
    LIVE_BYTES.with(|live| live.set(live.get().wrapping_add(delta)));
}

/// Bytes allocated and not yet freed by this thread (freed elsewhere counts against it).
pub fn live_bytes() -> isize {
    LIVE_BYTES.with(Cell::get)
}

// SAFETY: every method forwards to the system allocator unchanged; the only addition is a
// thread-local counter update, which neither allocates nor unwinds.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            adjust(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        adjust(-(layout.size() as isize));
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            adjust(layout.size() as isize);
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            adjust(new_size as isize - layout.size() as isize);
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::live_bytes;

    #[test]
    fn counts_what_this_thread_holds() {
        let before = live_bytes();
        let block = vec![0u8; 1 << 20];
        assert!(live_bytes() - before >= 1 << 20);
        drop(block);
        assert!(live_bytes() - before < 1 << 10);
    }
}

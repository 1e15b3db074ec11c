//! Counts the bytes the current thread holds on the heap, so the sandbox can stop model-written
//! code that allocates without bound. The count is per thread and needs no atomics: a sandbox
//! runs on the interpreter's thread, and memory freed by another thread only lowers this one's
//! figure (it never makes a sandbox look bigger than it is).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

pub struct CountingAllocator;

thread_local! {
    // `const` initialisation without a destructor: usable at any point of a thread's life,
    // including while its other thread-locals are being torn down.
    static LIVE_BYTES: Cell<isize> = const { Cell::new(0) };
    /// While a sandbox runs on this thread: the live-byte count it may not go beyond, and its
    /// limit in megabytes (for the message).
    static CEILING: Cell<Option<(isize, u64)>> = const { Cell::new(None) };
}

/// The memory limit of the sandbox running on this thread, from now until it is dropped (then
/// the enclosing sandbox's limit, if any, is back in force).
pub struct Ceiling {
    outer: Option<(isize, u64)>,
}

impl Ceiling {
    pub fn new(megabytes: u64) -> Ceiling {
        let bytes = megabytes.saturating_mul(1 << 20).min(isize::MAX as u64) as isize;
        let ceiling = live_bytes().saturating_add(bytes);
        Ceiling { outer: CEILING.with(|c| c.replace(Some((ceiling, megabytes)))) }
    }
}

impl Drop for Ceiling {
    fn drop(&mut self) {
        CEILING.with(|c| c.set(self.outer));
    }
}

/// The limit in megabytes, if holding `more` bytes on top of what this thread holds now would
/// take the running sandbox over it.
pub fn exceeded_by(more: usize) -> Option<u64> {
    match CEILING.with(Cell::get) {
        Some((ceiling, megabytes)) if live_bytes().saturating_add(more.min(isize::MAX as usize) as isize) > ceiling => {
            Some(megabytes)
        }
        _ => None,
    }
}

/// Refuses, before it is made, an object that would take a sandbox over its memory limit
/// (`make-vector`, `make-string`, `make-list`, `range` ... of a size given by the program).
pub fn check_request(who: &str, bytes: usize) -> crate::error::R<()> {
    match exceeded_by(bytes) {
        Some(megabytes) => Err(crate::error::Error::halt(format!(
            "{who}: model-written code went over its memory limit of {megabytes} MB (--sub-memory)"
        ))),
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

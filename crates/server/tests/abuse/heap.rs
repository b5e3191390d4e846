//! A counting allocator that tells the relay's heap from the test's own. Every allocation
//! carries a one-byte tag in a header in front of it: made on a thread marked as a client
//! thread (the test's runtime and the test thread itself), or not (the relay's runtime, its
//! blocking pool and its SQLite writer thread). A free subtracts from the count its tag names,
//! whichever thread frees it, so the relay's live bytes are exact however memory moves.
//! SQLite's own C allocations go to libc's malloc directly and are not seen here.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The allocator: `#[global_allocator]` in the test binary.
pub struct Counting;

/// Live bytes the relay allocated and has not freed.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The most `LIVE` has been since the last [`reset_peak`].
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The largest single block the relay asked for.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

/// The largest single block the relay asked for.
pub fn largest() -> usize {
    LARGEST.load(Relaxed)
}

thread_local! {
    static CLIENT: Cell<bool> = const { Cell::new(false) };
}
/// Marks the calling thread's allocations as the test's, not the relay's.
pub fn mark_client_thread() {
    CLIENT.with(|c| c.set(true));
}

/// The relay's live heap bytes now.
pub fn live() -> usize {
    LIVE.load(Relaxed)
}

/// The relay's most live heap bytes since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// Starts a new peak from the live bytes now.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

/// The header in front of each block: at least 16 bytes, and the block's alignment.
fn header(layout: Layout) -> usize {
    layout.align().max(16)
}

/// The block as the system allocator sees it: the header, then the caller's bytes.
fn outer(layout: Layout) -> Layout {
    let header = header(layout);
    // Size plus header cannot overflow for any layout the caller could have been given
    // (`Layout` keeps sizes below isize::MAX, and the header is at most its alignment).
    Layout::from_size_align(layout.size() + header, header).unwrap_or(layout)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: `outer` has a non-zero size (the header); the returned pointer is past the
        // header and aligned to `layout` (the header is a multiple of its alignment).
        unsafe {
            let base = System.alloc(outer(layout));
            if base.is_null() {
                return base;
            }
            let block = base.add(header(layout));
            let relay = !CLIENT.try_with(Cell::get).unwrap_or(false);
            block.sub(1).write(u8::from(relay));
            if relay {
                let now = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
                PEAK.fetch_max(now, Relaxed);
                LARGEST.fetch_max(layout.size(), Relaxed);
            }
            block
        }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: `block` came from `alloc` above with this `layout`: its tag is the byte in
        // front of it, and the system's block starts `header` bytes before it.
        unsafe {
            if block.sub(1).read() == 1 {
                LIVE.fetch_sub(layout.size(), Relaxed);
            }
            System.dealloc(block.sub(header(layout)), outer(layout));
        }
    }
}

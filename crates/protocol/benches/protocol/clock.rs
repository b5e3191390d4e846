//! The clock every case is timed with.

/// Linux: this thread's CPU time, so that other processes' load (builds, tests, fuzzers on a
/// shared machine) does not count; still, they share caches and frequency.
#[cfg(target_os = "linux")]
pub(crate) const CLOCK: &str = "thread CPU time (CLOCK_THREAD_CPUTIME_ID)";

#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // One FFI call that only writes the timespec it is given.
pub(crate) fn now_us() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, exclusively borrowed timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as f64 * 1e6 + ts.tv_nsec as f64 / 1e3
}

#[cfg(all(not(target_os = "linux"), not(target_arch = "wasm32")))]
pub(crate) const CLOCK: &str = "wall clock (Instant)";

#[cfg(all(not(target_os = "linux"), not(target_arch = "wasm32")))]
pub(crate) fn now_us() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e6
}

#[cfg(target_arch = "wasm32")]
pub(crate) const CLOCK: &str = "wall clock (performance.now())";

// `Instant::now()` panics on wasm32-unknown-unknown: use the page's `performance.now()`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn now_us() -> f64 {
    performance::now() * 1e3
}

#[cfg(target_arch = "wasm32")]
mod performance {
    use wasm_bindgen::prelude::wasm_bindgen;
    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        pub fn now() -> f64;
    }
}

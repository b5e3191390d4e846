//! Hush's load tools, run by `cargo xtask bench` (each also runs alone, see its binary's doc):
//!
//! - `relay_load`: the relay on loopback under load, against a bare WebSocket relay;
//! - `store_throughput`: the relay's SQLite store, envelopes in and acks;
//! - `group_send`: one message to a group over a real relay, against sending it 1:1 to each.
//!
//! Each prints its figures and judges none. This library holds what they share: the smoke
//! switch and the error and percentile helpers.

/// A tool's error: whatever went wrong, said for the person who ran it.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The environment variable that asks for a smoke run (`cargo xtask bench --smoke` sets it).
pub const SMOKE_ENV: &str = "HUSH_BENCH_SMOKE";

/// Whether this is a smoke run: the same code with tiny sizes, seconds in all, so that a tool
/// that no longer works is noticed; its figures are printed but mean little.
pub fn smoke() -> bool {
    is_on(std::env::var(SMOKE_ENV).ok().as_deref())
}

/// `HUSH_BENCH_SMOKE`'s value read as a switch: set, and neither empty nor `0`.
fn is_on(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0")
}

/// The sample at quantile `q` (0 to 1, nearest rank) of `sorted`; NaN when there is none.
pub fn percentile<T: Copy + Into<f64>>(sorted: &[T], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted.get(at).copied().map_or(f64::NAN, Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoke_is_on_for_any_value_but_empty_or_zero() {
        assert!(is_on(Some("1")));
        assert!(is_on(Some("yes")));
        assert!(!is_on(Some("0")));
        assert!(!is_on(Some("")));
        assert!(!is_on(None));
    }

    #[test]
    fn percentiles_take_the_nearest_rank_and_nothing_is_nan() {
        let samples = [1u32, 2, 3, 4, 5];
        assert_eq!(percentile(&samples, 0.5), 3.0);
        assert_eq!(percentile(&samples, 0.99), 5.0);
        assert_eq!(percentile(&[2.5f64], 0.5), 2.5);
        assert!(percentile::<u32>(&[], 0.5).is_nan());
    }
}

//! Warm-up, calibration and interleaved rounds.

use super::clock::now_us;

/// How long to measure.
pub struct Config {
    /// Warm-up (and calibration) time per case, µs.
    pub warmup_us: f64,
    /// Length of one round, µs.
    pub round_us: f64,
    /// Rounds per case (the median of their means is reported).
    pub rounds: usize,
    /// Also the cases that only explain the others: steady state with wire encoding, the floor
    /// sequences, 2 × HMAC and vodozemac's X25519.
    pub extras: bool,
}

#[allow(dead_code)] // The bench uses one, tests/wasm_bench.rs the other.
impl Config {
    /// About 20 s of CPU in all.
    pub const NATIVE: Config = Config {
        warmup_us: 80_000.0,
        round_us: 25_000.0,
        rounds: 31,
        extras: true,
    };
    /// About 3 s in all. The warm-up is long because V8 first runs wasm in its baseline compiler
    /// and swaps in optimized code some time later; `performance.now()` is coarse (5 to 100 µs).
    pub const WASM: Config = Config {
        warmup_us: 80_000.0,
        round_us: 6_000.0,
        rounds: 13,
        extras: false,
    };

    /// The same cases in a fraction of a second (`HUSH_BENCH_SMOKE=1`, as `cargo xtask bench
    /// --smoke` sets): that everything still runs, not how fast.
    pub const fn smoke(self) -> Config {
        Config {
            warmup_us: 2_000.0,
            round_us: 1_000.0,
            rounds: 3,
            extras: self.extras,
        }
    }
}

/// Something to time: `prepare(n)` (not timed) readies `n` operations, `run(n)` does them.
pub(crate) trait Case {
    fn prepare(&mut self, _n: usize) {}
    fn run(&mut self, n: usize);
    /// The largest batch `prepare` supports.
    fn max_batch(&self) -> usize {
        1 << 26
    }
}

/// A primitive with no per-iteration preparation.
pub(crate) struct Loop<F>(pub(crate) F);

impl<F: FnMut()> Case for Loop<F> {
    fn run(&mut self, n: usize) {
        for _ in 0..n {
            (self.0)();
        }
    }
}

fn batch(case: &mut dyn Case, n: usize) -> f64 {
    case.prepare(n);
    let start = now_us();
    case.run(n);
    now_us() - start
}

/// Warms up and returns how many operations make one round.
fn calibrate(config: &Config, case: &mut dyn Case) -> usize {
    let max = case.max_batch();
    let mut n = 1usize;
    let mut spent = 0.0;
    loop {
        let took = batch(case, n);
        spent += took;
        let long_enough = took >= config.warmup_us / 4.0 || n >= max;
        if long_enough && spent >= config.warmup_us {
            let per_op = took / n as f64;
            return ((config.round_us / per_op) as usize).clamp(1, max);
        }
        if !long_enough {
            n = (n * 2).min(max);
        }
    }
}

struct Entry {
    name: &'static str,
    case: Box<dyn Case>,
    iters: usize,
    means: Vec<f64>,
}

/// A case and the name it is reported under.
pub(crate) type Named = (&'static str, Box<dyn Case>);

/// Times every case, rounds interleaved; returns µs/op (median of round means) per name.
pub(crate) fn measure_all(config: &Config, cases: Vec<Named>) -> Vec<(&'static str, f64)> {
    let mut entries: Vec<Entry> = cases
        .into_iter()
        .map(|(name, mut case)| {
            let iters = calibrate(config, case.as_mut());
            Entry {
                name,
                case,
                iters,
                means: Vec::with_capacity(config.rounds),
            }
        })
        .collect();
    for _ in 0..config.rounds {
        for e in &mut entries {
            let took = batch(e.case.as_mut(), e.iters);
            e.means.push(took / e.iters as f64);
        }
    }
    entries
        .into_iter()
        .map(|mut e| {
            e.means.sort_by(f64::total_cmp);
            (e.name, e.means[e.means.len() / 2])
        })
        .collect()
}

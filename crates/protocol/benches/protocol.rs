//! Speed of hush-protocol, measured in one run against vodozemac (Olm, the reference we compare
//! with) and against the "primitive floor": the sum of the raw primitive operations our code must
//! perform for the same step, timed here with the same crates.
//!
//! `cargo bench -p hush-protocol --bench protocol` (natively); `tests/wasm_bench.rs` includes
//! this file to run the same scenarios in headless Chromium. With `HUSH_BENCH_SMOKE=1` (at run
//! time here, at build time for wasm) every case runs for a moment only: a smoke run.
//!
//! `cargo bench` builds with the workspace's `bench` profile: the release profile (made for the
//! wasm app's size) at `opt-level = 3`, as a native build would ship.
//!
//! Scenarios (each "op" is one of these):
//! - `steady`: Alice → Bob, one 256-byte message, session confirmed, same chain (encrypt + decrypt).
//! - `pingpong`: one 256-byte message, directions alternate, so every message is a DH ratchet step.
//! - `setup`: X3DH + first message on both sides (initiate + encrypt; respond incl. decrypt) with a
//!   fresh one-time prekey each time (pre-generated, not timed).
//!
//! Harness: every case is warmed up and calibrated to a round length; then the rounds of all cases
//! are interleaved (round 1 of every case, round 2 of every case, ...) so that load from other
//! processes hits all of them alike, and each figure is the median of the per-round means.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

// The parts live in benches/protocol/ (not in benches/, where Cargo would take each file for a
// bench of its own); `#[path]` also finds them when tests/wasm_bench.rs includes this file.
#[path = "protocol/clock.rs"]
mod clock;
#[path = "protocol/floor.rs"]
mod floor;
#[path = "protocol/harness.rs"]
mod harness;
#[path = "protocol/inputs.rs"]
mod inputs;
#[path = "protocol/olm.rs"]
mod olm;
#[path = "protocol/ours.rs"]
mod ours;
#[path = "protocol/primitives.rs"]
mod primitives;

use clock::CLOCK;
use floor::{cost, scenarios, Sequence};
pub use harness::Config;
use harness::{measure_all, Loop, Named};
use inputs::{plaintext, rng};
use primitives::{primitive_cases, EXTRA_PRIMITIVES};

/// Runs everything and reports through `out`; `tag` prefixes the machine-readable lines.
pub fn run(config: &Config, tag: &str, out: &mut dyn FnMut(&str)) {
    let results = measure_all(config, cases(config));
    let get = |name: &str| results.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    report_primitives(config, &results, out);
    let lines = report_scenarios(tag, &get, out);
    report_notes(&get, out);
    out("");
    for line in &lines {
        out(line);
    }
}

/// Every case to time, in the order they are reported.
fn cases(config: &Config) -> Vec<Named> {
    let text = plaintext();
    let (mut cases, ours_wire) = ours::cases(&mut rng(), &text);
    cases.extend(olm::cases(&text));
    if config.extras {
        cases.push(ours_wire);
        for s in scenarios() {
            cases.push((s.sequence, Box::new(Sequence::new(s.floor))));
        }
    }
    for (name, primitive) in primitive_cases() {
        if config.extras || !EXTRA_PRIMITIVES.contains(&name) {
            cases.push((name, Box::new(Loop(primitive))));
        }
    }
    cases
}

/// The clock, the rounds, and each primitive's time.
fn report_primitives(config: &Config, results: &[(&str, f64)], out: &mut dyn FnMut(&str)) {
    out(&format!(
        "clock: {CLOCK}; median of {} interleaved rounds of {} ms per case",
        config.rounds,
        config.round_us / 1e3
    ));
    out("primitives (µs/op):");
    for (name, v) in results.iter().filter(|(n, _)| !n.contains('/')) {
        out(&format!("  {name:<11} {v:>9.3}"));
    }
    if let Some(&(_, hmac)) = results.iter().find(|(n, _)| *n == "hmac") {
        out(&format!(
            "  (KDF_CK = 1 keyed HMAC cloned for 2 outputs; 2 independent HMACs would be {:.3})",
            2.0 * hmac
        ));
        out(
            "  (vdz_dh: vodozemac's X25519, x25519-dalek 3 / curve25519-dalek 5; not in the floor)",
        );
    }
    out("");
}

/// The table of scenarios: ours against vodozemac and the floor. Returns the machine-readable
/// lines, printed last.
fn report_scenarios(
    tag: &str,
    get: &dyn Fn(&str) -> Option<f64>,
    out: &mut dyn FnMut(&str),
) -> Vec<String> {
    let us = |name: &str| -> f64 { get(name).unwrap() };
    out(&format!(
        "{:<9} {:>9} {:>12} {:>9} {:>9} {:>10} {:>9} {:>13} {:>10}",
        "scenario",
        "ours µs",
        "vodozemac",
        "floor",
        "ours/vdz",
        "ours/floor",
        "floor seq",
        "ours/floor seq",
        "waste µs"
    ));
    let mut lines = Vec::new();
    for s in scenarios() {
        let ours = us(&format!("ours/{}", s.name));
        let olm = us(&format!("vodozemac/{}", s.name));
        let floor = cost(s.floor, &us);
        let (sequence, vs_sequence) = match get(s.sequence) {
            Some(v) => (format!("{v:.2}"), format!("{:.3}", ours / v)),
            None => ("-".to_owned(), "-".to_owned()),
        };
        let waste = cost(s.waste, &us);
        out(&format!(
            "{:<9} {:>9.2} {:>12.2} {:>9.2} {:>9.3} {:>10.3} {:>9} {:>14} {:>10.2}",
            s.name,
            ours,
            olm,
            floor,
            ours / olm,
            ours / floor,
            sequence,
            vs_sequence,
            waste
        ));
        lines.push(format!(
            "bench {tag}/{} ours_us={ours:.3} vodozemac_us={olm:.3} floor_us={floor:.3} vs_vodozemac={:.3} vs_floor={:.3}",
            s.name,
            ours / olm,
            ours / floor
        ));
    }
    lines
}

/// What the columns mean and what each scenario's floor holds.
fn report_notes(get: &dyn Fn(&str) -> Option<f64>, out: &mut dyn FnMut(&str)) {
    out(
        "floor = sum of the primitives timed alone; floor seq = the same primitives run back to \
         back in the code's order (adds their cache interplay); waste = known extra primitive work \
         in our code, not in the floor",
    );
    out("");
    for s in scenarios() {
        out(&format!("{}: floor = {}", s.name, s.what));
        out(&format!("{}: known waste = {}", s.name, s.waste_note));
    }
    if let Some(wire) = get("ours/steady+wire") {
        out(&format!(
            "steady with wire encode+decode: ours {wire:.2} µs/op \
             (vodozemac's figure includes its encoding)"
        ));
    }
}

#[allow(dead_code)] // Unused when tests/wasm_bench.rs includes this file.
fn main() {
    let smoke = std::env::var("HUSH_BENCH_SMOKE").is_ok_and(|v| !v.is_empty() && v != "0");
    let config = if smoke {
        Config::NATIVE.smoke()
    } else {
        Config::NATIVE
    };
    run(&config, "protocol", &mut |line| println!("{line}"));
}

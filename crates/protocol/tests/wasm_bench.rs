//! The protocol benchmark (`benches/protocol.rs`: ours, vodozemac and the primitive floor for the
//! steady, ping-pong and setup scenarios) in headless Chromium, to compare wasm with native. It
//! takes about 3 s and prints through the browser console (shown with `--nocapture`). Timed with
//! `performance.now()`, i.e. wall clock: on a busy machine single runs vary by up to ±20 %; the
//! ratios, measured in interleaved rounds, vary less. `--release` is what the app ships.
//!
//! ```text
//! CHROMEDRIVER=/usr/bin/chromedriver PATH=$HOME/.cache/hush/tools/wasm-bindgen-0.2.130/bin:$PATH \
//!   cargo test -p hush-protocol --target wasm32-unknown-unknown --release --test wasm_bench -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../benches/protocol.rs"]
mod bench;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test::wasm_bindgen_test]
fn protocol_speed_in_the_browser() {
    // `HUSH_BENCH_SMOKE=1` at build time (`cargo xtask bench --smoke`): a moment per case.
    let config = match option_env!("HUSH_BENCH_SMOKE") {
        Some(on) if !on.is_empty() && on != "0" => bench::Config::WASM.smoke(),
        _ => bench::Config::WASM,
    };
    bench::run(&config, "protocol_wasm", &mut |line| {
        wasm_bindgen_test::console_log!("{line}")
    });
}

//! The benchmarks in headless Chromium: the protocol in wasm, catch-up and long chats in
//! IndexedDB, and browser-to-browser latency.

use crate::builds::Builds;
use crate::{cmd, Result};

use super::mode::Mode;

/// `protocol-wasm`: the protocol benchmark's scenarios in the browser.
pub(crate) fn protocol_wasm(mode: Mode, builds: &Builds) -> Result {
    let tools = builds.tools();
    let mut cargo = cmd::cargo(&tools.path_env);
    cargo
        .args(["test", "-p", "hush-protocol"])
        .args(mode.wasm_profile())
        .args([
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "wasm_bench",
            "--",
            "--nocapture",
        ])
        .env("CHROMEDRIVER", &tools.chromedriver);
    cmd::ok(mode.mark(&mut cargo))
}

/// `catchup`: 1,000 queued messages decrypted and stored in IndexedDB, batched vs one
/// transaction per message; and opening a chat of 10,000 messages. A smoke run keeps the
/// tests' own small sizes (100 and 1,000), as the wasm test step builds them.
pub(crate) fn catchup(mode: Mode, builds: &Builds) -> Result {
    let full = [("HUSH_CATCHUP", "1000"), ("HUSH_LONG_CHAT", "10000")];
    app_wasm_tests(mode, builds, &["catchup_bench", "long_chat"], "600", &full)
}

/// The web app's wasm tests `tests` in Chromium, printing what they print; a full run compiles
/// them with the sizes `full`, a smoke run with their own small ones.
fn app_wasm_tests(
    mode: Mode,
    builds: &Builds,
    tests: &[&str],
    timeout_secs: &str,
    full: &[(&str, &str)],
) -> Result {
    let tools = builds.tools();
    let mut cargo = cmd::cargo(&tools.path_env);
    cargo
        .args(["test", "-p", "hush"])
        .args(mode.wasm_profile())
        .args(["--target", "wasm32-unknown-unknown"]);
    for test in tests {
        cargo.args(["--test", test]);
    }
    cargo
        .args(["--", "--nocapture"])
        .env("WASM_BINDGEN_TEST_TIMEOUT", timeout_secs)
        .env("CHROMEDRIVER", &tools.chromedriver);
    if mode == Mode::Full {
        cargo.envs(full.iter().copied());
    }
    cmd::ok(mode.mark(&mut cargo))
}

/// `search`: the term index against a scan of 100,000 stored messages, and a catch-up of 1,000
/// with the index against without it (a smoke run keeps the test's own small sizes).
pub(crate) fn search(mode: Mode, builds: &Builds) -> Result {
    let full = [("HUSH_SEARCH", "100000"), ("HUSH_CATCHUP", "1000")];
    app_wasm_tests(mode, builds, &["search_bench"], "900", &full)
}

/// `latency`: browser to browser through a local relay (the release app; the release relay,
/// or in a smoke run the debug one the end-to-end tests use), Playwright.
pub(crate) fn latency(mode: Mode, builds: &mut Builds) -> Result {
    let server = match mode {
        Mode::Full => builds.release_server()?,
        Mode::Smoke => builds.debug_server()?,
    };
    let mut node = builds.page_script(server, "bench/latency.mjs")?;
    cmd::ok(mode.mark(&mut node))
}

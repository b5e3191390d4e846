//! `cargo xtask test`: format, lints, native tests, wasm tests in headless Chromium, fuzzing,
//! end-to-end browser tests against a real server, and a smoke run of every benchmark. Each
//! step says how long it took; the end prints a table of the steps' minutes, then
//! `N passed, N failed`.

mod counts;
mod glue_text;
mod literals;
mod tally;
mod ui_text;

use std::process::ExitStatus;

use crate::bench::{self, Bench, Mode};
use crate::builds::Builds;
use crate::relay::RelayProcess;
use crate::setup::Tools;
use crate::timing::StepTimes;
use crate::{cmd, paths, setup, Result};

use self::counts::{cargo_counts, node_counts};
use self::tally::Tally;

const STEPS: [&str; 6] = ["lint", "native", "wasm", "e2e", "fuzz", "bench"];

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(unknown) = args.iter().find(|a| !STEPS.contains(&a.as_str())) {
        return Err(format!("unknown test step {unknown:?}; steps: {}", STEPS.join(", ")).into());
    }
    let wants = |step: &str| args.is_empty() || args.iter().any(|a| a == step);
    let mut times = StepTimes::default();
    let tools = times.time("setup", setup::ensure)?;
    crate::prune::stale_test_binaries(&paths::target_dir());
    let mut builds = Builds::new(&tools);
    let mut tally = Tally::default();

    if wants("lint") {
        times.time("lint", || lint(&tools, &mut tally));
    }
    if wants("native") {
        times.time("native", || {
            tally.counted(
                "native tests",
                cmd::tee(cargo(&tools).args(["test", "--workspace"])),
                cargo_counts,
            );
        });
    }
    if wants("wasm") {
        times.time("wasm", || {
            tally.counted(
                "wasm tests (headless Chromium)",
                wasm_tests(&mut builds),
                cargo_counts,
            );
        });
    }
    if wants("fuzz") {
        // A short run of every cargo-fuzz target (nightly); `cargo xtask fuzz` runs longer.
        times.time("fuzz", || match crate::fuzz::run(&["--smoke".to_owned()]) {
            Ok(()) => tally.passed += 1,
            Err(error) => tally.fail("fuzz smoke", error.to_string()),
        });
    }
    if wants("e2e") {
        times.time("e2e", || {
            tally.counted(
                "browser end-to-end (Playwright)",
                end_to_end(&mut builds),
                node_counts,
            );
        });
    }
    if wants("bench") {
        times.time("bench", || bench_smoke(&mut builds, &mut tally));
    }
    tally.finish(&times)
}

fn cargo(tools: &Tools) -> std::process::Command {
    cmd::cargo(&tools.path_env)
}

/// `cargo fmt --check`, clippy with `-D warnings` (natively and for wasm32), and no interface
/// text outside the catalogue.
fn lint(tools: &Tools, tally: &mut Tally) {
    match ui_text::check(&paths::root()) {
        Ok(()) => tally.passed += 1,
        Err(why) => tally.fail("interface texts in src/text/", why.to_string()),
    }
    match glue_text::scan(&paths::root()) {
        Ok(found) if found.is_empty() => tally.passed += 1,
        Ok(found) => tally.fail("no words of its own in the JS glue", found.join("\n")),
        Err(why) => tally.fail("no words of its own in the JS glue", why.to_string()),
    }
    tally.check(
        "cargo fmt",
        cmd::status(cargo(tools).args(["fmt", "--all", "--", "--check"])),
    );
    let deny = ["--", "-D", "warnings"];
    tally.check(
        "clippy (native)",
        cmd::status(
            cargo(tools)
                .args(["clippy", "--workspace", "--all-targets"])
                .args(deny),
        ),
    );
    let wasm = ["--target", "wasm32-unknown-unknown"];
    tally.check(
        "clippy (wasm32)",
        cmd::status(
            cargo(tools)
                .args([
                    "clippy",
                    "-p",
                    "hush",
                    "-p",
                    "hush-protocol",
                    "-p",
                    "hush-client",
                ])
                .args(["--lib"])
                .args(wasm)
                .args(deny),
        ),
    );
    // Test targets too, for the crates whose tests run in the browser.
    tally.check(
        "clippy (wasm32 tests)",
        cmd::status(
            cargo(tools)
                .args([
                    "clippy",
                    "-p",
                    "hush",
                    "-p",
                    "hush-protocol",
                    "--all-targets",
                ])
                .args(wasm)
                .args(deny),
        ),
    );
}

/// wasm-bindgen-test in Chromium: the app's tests (the relay's URL is compiled in) and the
/// protocol's core tests, the same ones that run natively.
fn wasm_tests(builds: &mut Builds) -> Result<(ExitStatus, String)> {
    // The test page is served by wasm-bindgen-test-runner on its own port: the relay checks
    // the WebSocket's Origin, so the page's address is fixed here and allowed there.
    let page = free_loopback_address()?;
    let origin = format!("http://{page}");
    let relay = RelayProcess::start(
        &builds.debug_server()?,
        &["--allowed-origin".to_owned(), origin],
    )?;
    let tools = builds.tools();
    cmd::tee(
        cargo(tools)
            .args([
                "test",
                "-p",
                "hush",
                "-p",
                "hush-protocol",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("HUSH_TEST_RELAY_WS", relay.ws_url())
            .env("WASM_BINDGEN_TEST_ADDRESS", page.to_string())
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )
}

/// A loopback address with a port free right now (for a server started just after).
fn free_loopback_address() -> Result<std::net::SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// Playwright tests (node's test runner) against the release app and the real server.
fn end_to_end(builds: &mut Builds) -> Result<(ExitStatus, String)> {
    let server = builds.debug_server()?;
    let dist = builds.release_app()?;
    let tools = builds.tools();
    let second = crate::setup::second_engine()?;
    let specs = crate::web::files(&paths::root().join("tests").join("e2e"), &["mjs"])?
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".test.mjs"))
        .collect::<Vec<_>>();
    let mut node = cmd::new("node", &tools.path_env);
    node.args(["--test", "--test-reporter=spec"])
        .args(&specs)
        .env("HUSH_SERVER_BIN", server)
        .env("HUSH_DIST", dist)
        .env("HUSH_CHROMIUM", &tools.chromium)
        .env("HUSH_FIREFOX", &second.firefox)
        .env("HUSH_GECKODRIVER", &second.geckodriver);
    cmd::tee(&mut node)
}

/// Every benchmark once, small: each that runs to completion passes, each other fails.
fn bench_smoke(builds: &mut Builds, tally: &mut Tally) {
    for outcome in bench::run_all(&Bench::ALL, Mode::Smoke, builds) {
        match outcome.failure {
            None => tally.passed += 1,
            Some(why) => tally.fail(&format!("bench {} (smoke)", outcome.bench.name()), why),
        }
    }
}

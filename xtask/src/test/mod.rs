//! `cargo xtask test`: format, lints, native tests, wasm tests in headless Chromium and
//! end-to-end browser tests against a real server. Ends with `N passed, N failed`.

use std::path::PathBuf;
use std::process::ExitStatus;

use crate::relay::RelayProcess;
use crate::setup::Tools;
use crate::{cmd, paths, setup, web, Result};

const STEPS: [&str; 5] = ["lint", "native", "wasm", "e2e", "fuzz"];

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(unknown) = args.iter().find(|a| !STEPS.contains(&a.as_str())) {
        return Err(format!("unknown test step {unknown:?}; steps: {}", STEPS.join(", ")).into());
    }
    let wants = |step: &str| args.is_empty() || args.iter().any(|a| a == step);
    let tools = setup::ensure()?;
    let mut tally = Tally::default();

    if wants("lint") {
        tally.check(
            "cargo fmt",
            cmd::status(cargo(&tools).args(["fmt", "--all", "--", "--check"])),
        );
        tally.check(
            "clippy (native)",
            cmd::status(cargo(&tools).args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])),
        );
        tally.check(
            "clippy (wasm32)",
            cmd::status(cargo(&tools).args([
                "clippy",
                "-p",
                "hush",
                "-p",
                "hush-protocol",
                "-p",
                "hush-client",
                "--lib",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ])),
        );
        // Test targets too, for the crates whose tests run in the browser.
        tally.check(
            "clippy (wasm32 tests)",
            cmd::status(cargo(&tools).args([
                "clippy",
                "-p",
                "hush",
                "-p",
                "hush-protocol",
                "--all-targets",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ])),
        );
    }
    if wants("native") {
        tally.counted(
            "native tests",
            cmd::tee(cargo(&tools).args(["test", "--workspace"])),
            cargo_counts,
        );
    }
    if wants("wasm") || wants("e2e") {
        // Both need the server binary; a failure here is reported by the steps below.
        let _ = cmd::status(cargo(&tools).args(["build", "-p", "hush-server"]));
    }
    if wants("wasm") {
        tally.counted(
            "wasm tests (headless Chromium)",
            wasm_tests(&tools),
            cargo_counts,
        );
    }
    if wants("fuzz") {
        // A short run of every cargo-fuzz target (nightly); `cargo xtask fuzz` runs longer.
        match crate::fuzz::run(&["--smoke".to_owned()]) {
            Ok(()) => tally.passed += 1,
            Err(error) => tally.fail("fuzz smoke", error.to_string()),
        }
    }
    if wants("e2e") {
        tally.counted(
            "browser end-to-end (Playwright)",
            end_to_end(&tools),
            node_counts,
        );
    }
    tally.finish()
}

fn cargo(tools: &Tools) -> std::process::Command {
    cmd::cargo(&tools.path_env)
}

fn server_binary() -> PathBuf {
    paths::target_dir().join("debug").join("hush-server")
}

/// wasm-bindgen-test in Chromium: the app's tests (the relay's URL is compiled in) and the
/// protocol's core tests, the same ones that run natively.
fn wasm_tests(tools: &Tools) -> Result<(ExitStatus, String)> {
    let relay = RelayProcess::start(&server_binary())?;
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
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )
}

/// Playwright tests (node's test runner) against the release app and the real server.
fn end_to_end(tools: &Tools) -> Result<(ExitStatus, String)> {
    let dist = web::build_release(tools)?;
    let specs = web::files(&paths::root().join("tests").join("e2e"), &["mjs"])?
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".test.mjs"))
        .collect::<Vec<_>>();
    let mut node = cmd::new("node", &tools.path_env);
    node.args(["--test", "--test-reporter=spec"])
        .args(&specs)
        .env("HUSH_SERVER_BIN", server_binary())
        .env("HUSH_DIST", dist)
        .env("HUSH_CHROMIUM", &tools.chromium);
    cmd::tee(&mut node)
}

/// `test result: ok. 5 passed; 0 failed; …` lines, summed.
fn cargo_counts(output: &str) -> Option<(u64, u64)> {
    let mut total = None;
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        let count = |label: &str| {
            rest.split(';')
                .find_map(|part| {
                    part.trim()
                        .trim_start_matches("ok. ")
                        .trim_start_matches("FAILED. ")
                        .strip_suffix(label)
                })
                .and_then(|n| n.trim().parse::<u64>().ok())
        };
        let (p, f) = total.unwrap_or((0, 0));
        total = Some((p + count(" passed")?, f + count(" failed")?));
    }
    total
}

/// node's spec reporter: `ℹ pass 3` and `ℹ fail 0`.
fn node_counts(output: &str) -> Option<(u64, u64)> {
    let find = |label: &str| {
        output.lines().rev().find_map(|line| {
            let rest = line.trim().strip_prefix('ℹ')?.trim().strip_prefix(label)?;
            rest.trim().parse::<u64>().ok()
        })
    };
    Some((find("pass")?, find("fail")?))
}

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failing_steps: Vec<String>,
}

impl Tally {
    /// A step that is one check (fmt, clippy).
    fn check(&mut self, name: &str, result: Result<ExitStatus>) {
        match result {
            Ok(status) if status.success() => self.passed += 1,
            Ok(status) => self.fail(name, format!("{status}")),
            Err(error) => self.fail(name, error.to_string()),
        }
    }

    /// A step whose tests are counted from its output. A step that fails without counting a
    /// failing test (it did not build, say), or that ran no test, counts as one failure.
    fn counted(
        &mut self,
        name: &str,
        result: Result<(ExitStatus, String)>,
        parse: fn(&str) -> Option<(u64, u64)>,
    ) {
        let (status, output) = match result {
            Ok(ran) => ran,
            Err(error) => return self.fail(name, error.to_string()),
        };
        let (passed, failed) = parse(&output).unwrap_or((0, 0));
        println!("xtask: {name}: {passed} passed, {failed} failed");
        self.passed += passed;
        self.failed += failed;
        if failed > 0 {
            self.failing_steps.push(name.to_owned());
        } else if !status.success() {
            self.fail(name, format!("{status}"));
        } else if passed == 0 {
            self.fail(name, "ran no test".to_owned());
        }
    }

    fn fail(&mut self, name: &str, why: String) {
        eprintln!("xtask: {name} failed: {why}");
        self.failed += 1;
        self.failing_steps.push(name.to_owned());
    }

    fn finish(self) -> Result {
        println!();
        if !self.failing_steps.is_empty() {
            println!("failing: {}", self.failing_steps.join(", "));
        }
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed == 0 {
            Ok(())
        } else {
            Err("some tests failed".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_cargo_results_across_test_binaries() {
        let out = "running 2 tests\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
                   test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(cargo_counts(out), Some((5, 1)));
        assert_eq!(cargo_counts("error[E0425]: cannot find value"), None);
    }

    #[test]
    fn reads_node_spec_summary() {
        let out =
            "✔ shell connects (812ms)\nℹ tests 2\nℹ suites 0\nℹ pass 1\nℹ fail 1\nℹ cancelled 0\n";
        assert_eq!(node_counts(out), Some((1, 1)));
        assert_eq!(node_counts("nothing"), None);
    }

    #[test]
    fn a_step_that_fails_to_build_or_runs_nothing_counts_as_failed() {
        let mut tally = Tally::default();
        let failed = std::process::Command::new("false").status().unwrap();
        let ok = std::process::Command::new("true").status().unwrap();
        tally.counted("broken", Ok((failed, String::new())), cargo_counts);
        tally.counted("empty", Ok((ok, String::new())), cargo_counts);
        assert_eq!((tally.passed, tally.failed), (0, 2));
    }
}

//! Full or smoke: how a benchmark is built and sized.

use std::process::Command;

/// How a benchmark runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Its real sizes, built as shipped (release, or the web app's `web` profile).
    Full,
    /// The same code with tiny sizes (`HUSH_BENCH_SMOKE=1`), seconds each: does it still run?
    /// Built in the dev profile (and the release app), so that under `cargo xtask test` it
    /// shares the builds of the other steps. Figures are printed, not judged.
    Smoke,
}

/// What tells every tool, script and test to run small.
const SMOKE_ENV: &str = "HUSH_BENCH_SMOKE";

impl Mode {
    /// Sets the smoke switch on a command that runs (or builds) a benchmark.
    pub(crate) fn mark(self, command: &mut Command) -> &mut Command {
        match self {
            Self::Full => command.env_remove(SMOKE_ENV),
            Self::Smoke => command.env(SMOKE_ENV, "1"),
        }
    }

    /// Cargo's profile flags for native tools.
    pub(crate) fn native_profile(self) -> &'static [&'static str] {
        match self {
            Self::Full => &["--release"],
            Self::Smoke => &[],
        }
    }

    /// Cargo's profile flags for wasm benchmarks in the browser.
    pub(crate) fn wasm_profile(self) -> &'static [&'static str] {
        match self {
            Self::Full => &["--profile", "web"],
            Self::Smoke => &[],
        }
    }

    /// `" (smoke)"` or nothing, for messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Full => "",
            Self::Smoke => " (smoke)",
        }
    }
}

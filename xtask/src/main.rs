//! `cargo xtask`: everything a newcomer needs, from a fresh clone.
//!
//! - `setup`: installs (idempotently) the wasm target, trunk, wasm-bindgen-cli, Chromium and the
//!   npm tools;
//! - `run`: release build of the web app, then the server on `HUSH_ADDR`;
//! - `test`: the whole suite, ending with the minutes each step took and `N passed, N failed`;
//! - `bench`: every benchmark with its same-run reference (`--smoke`: each small, seconds);
//! - `fuzz`: the protocol's and the relay's cargo-fuzz targets;
//! - `screenshots`: the README's screenshots, made again from the release build.

mod bench;
mod builds;
mod cmd;
mod fuzz;
mod paths;
mod prune;
mod relay;
mod run;
mod scratch;
mod screenshots;
mod setup;
mod test;
mod timing;
mod web;

use std::process::ExitCode;

/// Errors carry a message that tells the user what to do.
pub(crate) type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: cargo xtask <command>

  setup          install what the project needs (safe to repeat)
  run            build the web app (release) and start hush-server (HUSH_ADDR, HUSH_DATA)
  test [STEP..]  the whole suite; steps: lint, native, wasm, e2e, fuzz, bench (default: all)
  bench [--smoke] [NAME..]
                 benchmarks; names: protocol, protocol-wasm, catchup, relay, store, group,
                 latency, media, search, size, ux (default: all); --smoke: each with tiny
                 sizes, seconds
  fuzz [SECS]    fuzz hush-protocol and hush-server, SECS per target (default 60; --smoke: 10; needs nightly)
  screenshots    the README's screenshots (docs/screenshots), from the release build";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    // Browsers' leftovers go to a directory this run removes (see scratch.rs).
    let scratch = match args.first().map(String::as_str) {
        Some("test" | "bench" | "screenshots") => match scratch::Scratch::enter() {
            Ok(scratch) => Some(scratch),
            Err(error) => {
                eprintln!("xtask: {error}");
                return ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::ensure()
            .and_then(|_| setup::second_engine())
            .map(|_| ()),
        Some("run") => run::run(),
        Some("test") => test::run(rest),
        Some("bench") => bench::run(rest),
        Some("fuzz") => fuzz::run(rest),
        Some("screenshots") => screenshots::run(),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    drop(scratch);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}

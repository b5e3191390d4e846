//! The native benchmarks: the protocol's, and the load tools of `crates/bench`.

use std::process::Command;

use crate::builds::Builds;
use crate::{cmd, Result};

use super::before;
use super::mode::Mode;

/// `protocol`: ours vs vodozemac vs the primitive floor, natively.
pub(crate) fn protocol(mode: Mode, builds: &Builds) -> Result {
    let mut cargo = cmd::cargo(&builds.tools().path_env);
    match mode {
        Mode::Full => cargo.args(["bench", "-p", "hush-protocol", "--bench", "protocol"]),
        // `cargo test` of a bench without libtest's harness runs its `main` once, in the dev
        // profile the native tests already built.
        Mode::Smoke => cargo.args(["test", "-p", "hush-protocol", "--bench", "protocol"]),
    };
    cmd::ok(mode.mark(&mut cargo))
}

/// A load tool of `crates/bench` (`relay_load`, `store_throughput`, `group_send`).
pub(crate) fn load_tool(tool: &str, mode: Mode, builds: &Builds) -> Result {
    cmd::ok(mode.mark(&mut load_tool_command(tool, mode, builds)))
}

/// `relay_load`; a full run also measures the relay as it was before the hardening (a smoke
/// run does not build that commit: it would add a whole release build to `cargo xtask test`).
pub(crate) fn relay(mode: Mode, builds: &Builds) -> Result {
    let mut command = load_tool_command("relay_load", mode, builds);
    match mode {
        Mode::Full => {
            let before = before::relay_load(builds.tools())?;
            command.arg("--").arg("--before-exe").arg(before);
        }
        Mode::Smoke => println!("xtask: the relay before the hardening runs in full runs only"),
    }
    cmd::ok(mode.mark(&mut command))
}

fn load_tool_command(tool: &str, mode: Mode, builds: &Builds) -> Command {
    let mut cargo = cmd::cargo(&builds.tools().path_env);
    cargo
        .arg("run")
        .args(mode.native_profile())
        .args(["-p", "hush-bench", "--bin", tool]);
    cargo
}

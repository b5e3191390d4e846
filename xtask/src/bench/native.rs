//! The native benchmarks: the protocol's, and the load tools of `crates/bench`.

use crate::builds::Builds;
use crate::{cmd, Result};

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
    let mut cargo = cmd::cargo(&builds.tools().path_env);
    cargo
        .arg("run")
        .args(mode.native_profile())
        .args(["-p", "hush-bench", "--bin", tool]);
    cmd::ok(mode.mark(&mut cargo))
}

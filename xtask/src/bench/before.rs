//! The relay as it was before issue 19's hardening, built from that commit so that `bench
//! relay` measures the hardening's cost in the same run.
//!
//! The commit's tree is exported once (`git archive`) into the cache and built there in release
//! with a target directory of its own, so its `relay_load` never replaces this tree's.

use std::path::{Path, PathBuf};

use crate::setup::Tools;
use crate::{cmd, paths, Result};

/// The last commit before the hardening (issue 18 closed, issue 19 not begun).
pub(crate) const COMMIT: &str = "bf09a23a7cad7d1eee6d4e7f43f9e06014da5ae4";

/// `relay_load` built from [`COMMIT`], in release.
pub(crate) fn relay_load(tools: &Tools) -> Result<PathBuf> {
    let base = paths::cache_dir().join("before-hardening");
    let source = base.join(&COMMIT[..12]);
    if !source.join("Cargo.toml").is_file() {
        export(tools, &base, &source)?;
    }
    let target = base.join("target");
    cmd::ok(
        cmd::cargo(&tools.path_env)
            .current_dir(&source)
            .env("CARGO_TARGET_DIR", &target)
            .args([
                "build",
                "--release",
                "-p",
                "hush-bench",
                "--bin",
                "relay_load",
            ]),
    )
    .map_err(|e| format!("{e}: the relay before the hardening does not build"))?;
    Ok(target.join("release").join("relay_load"))
}

/// Writes the commit's tree to `source`, whole or not at all.
fn export(tools: &Tools, base: &Path, source: &Path) -> Result {
    let partial = base.join("partial");
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)?;
    let tar = base.join("tree.tar");
    let mut git = cmd::new("git", &tools.path_env);
    git.args(["archive", "--format=tar", "-o"])
        .arg(&tar)
        .arg(COMMIT);
    cmd::ok(&mut git).map_err(|e| {
        format!("{e}: commit {COMMIT} (before the relay hardening) is not in this clone's history")
    })?;
    let mut untar = cmd::new("tar", &tools.path_env);
    untar.arg("-xf").arg(&tar).arg("-C").arg(&partial);
    cmd::ok(&mut untar)?;
    std::fs::remove_file(&tar)?;
    std::fs::rename(&partial, source)?;
    Ok(())
}

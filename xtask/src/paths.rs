//! Where things are: the workspace, the build output, and the per-user tool cache.

use std::path::{Path, PathBuf};

/// The workspace root (the directory holding the top-level Cargo.toml).
///
/// Read at run time (`cargo run` sets `CARGO_MANIFEST_DIR`): with a target dir shared between
/// clones, as in CI, cargo may reuse an xtask binary built in another clone, whose compile-time
/// path can be gone.
pub(crate) fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Cargo's target directory (`CARGO_TARGET_DIR` when set, as in CI).
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Where the release web app is built.
pub(crate) fn dist() -> PathBuf {
    root().join("dist")
}

/// Tools installed by `setup`, one directory per tool and version, so an upgrade never mixes
/// with an old install and a reused machine skips what it has.
pub(crate) fn tools_dir() -> PathBuf {
    cache_dir().join("tools")
}

/// The per-user cache: `HUSH_CACHE`, else `~/.cache/hush`.
pub(crate) fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HUSH_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| root().join("target"));
    base.join("hush")
}

//! A temporary directory of this run's own, removed when the run ends.
//!
//! Chromium (driven by Playwright, chromedriver and Lighthouse) leaves an
//! `org.chromium.Chromium.*` directory in `$TMPDIR` for every browser it starts and does not
//! always remove it when the browser is closed or killed: about 3 GiB per full `cargo xtask test`.
//! Pointing `TMPDIR` at a directory of our own lets the run remove all of them at the end.

use std::path::PathBuf;

/// Holds `TMPDIR` at a fresh directory until dropped, then removes it and restores `TMPDIR`.
pub(crate) struct Scratch {
    dir: PathBuf,
    previous: Option<std::ffi::OsString>,
}

impl Scratch {
    /// Call before any thread or child process starts: it changes this process's environment.
    pub(crate) fn enter() -> crate::Result<Self> {
        let previous = std::env::var_os("TMPDIR");
        let dir = std::env::temp_dir().join(format!("hush-xtask-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|error| {
            format!(
                "cannot create the run's temporary directory {}: {error}",
                dir.display()
            )
        })?;
        std::env::set_var("TMPDIR", &dir);
        Ok(Self { dir, previous })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        match self.previous.take() {
            Some(previous) => std::env::set_var("TMPDIR", previous),
            None => std::env::remove_var("TMPDIR"),
        }
        if let Err(error) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("xtask: could not remove {}: {error}", self.dir.display());
        }
    }
}

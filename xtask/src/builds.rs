//! What several test steps and benchmarks need built, built at most once per `cargo xtask`
//! run: the relay (debug for tests and smoke runs, release for full benchmarks) and the
//! release web app.

use std::path::PathBuf;
use std::process::Command;

use crate::setup::Tools;
use crate::{cmd, paths, web, Result};

/// A build's outcome, kept so that a failed build is reported to each step that needs it
/// without being tried again.
type Built = Option<std::result::Result<PathBuf, String>>;

/// Builds done so far in this run.
pub(crate) struct Builds<'a> {
    tools: &'a Tools,
    debug_server: Built,
    release_server: Built,
    app: Built,
}

impl<'a> Builds<'a> {
    /// Nothing built yet.
    pub(crate) fn new(tools: &'a Tools) -> Self {
        Self {
            tools,
            debug_server: None,
            release_server: None,
            app: None,
        }
    }

    /// The tools setup found.
    pub(crate) fn tools(&self) -> &'a Tools {
        self.tools
    }

    /// `hush-server` in the dev profile (what the wasm and end-to-end tests run against).
    pub(crate) fn debug_server(&mut self) -> Result<PathBuf> {
        let tools = self.tools;
        once(&mut self.debug_server, || {
            cmd::ok(cmd::cargo(&tools.path_env).args(["build", "-p", "hush-server"]))?;
            Ok(paths::target_dir().join("debug").join("hush-server"))
        })
    }

    /// `hush-server` in release (what the full latency benchmark runs against).
    pub(crate) fn release_server(&mut self) -> Result<PathBuf> {
        let tools = self.tools;
        once(&mut self.release_server, || {
            cmd::ok(cmd::cargo(&tools.path_env).args(["build", "--release", "-p", "hush-server"]))?;
            Ok(paths::target_dir().join("release").join("hush-server"))
        })
    }

    /// The release web app in `dist/` (trunk, wasm-opt, precompressed).
    pub(crate) fn release_app(&mut self) -> Result<PathBuf> {
        let tools = self.tools;
        once(&mut self.app, || web::build_release(tools))
    }

    /// `node tests/e2e/<script>` against `server` and the release app, in Chromium: what every
    /// page script (benchmarks, screenshots) reads from its environment.
    pub(crate) fn page_script(&mut self, server: PathBuf, script: &str) -> Result<Command> {
        let dist = self.release_app()?;
        let tools = self.tools;
        let mut node = cmd::new("node", &tools.path_env);
        node.arg(paths::root().join("tests").join("e2e").join(script))
            .env("HUSH_SERVER_BIN", server)
            .env("HUSH_DIST", dist)
            .env("HUSH_CHROMIUM", &tools.chromium);
        Ok(node)
    }
}

/// The build's path, building it on first use.
fn once(slot: &mut Built, build: impl FnOnce() -> Result<PathBuf>) -> Result<PathBuf> {
    slot.get_or_insert_with(|| build().map_err(|e| e.to_string()))
        .clone()
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_runs_once_and_a_failure_is_remembered() {
        let mut built: Built = None;
        let mut runs = 0;
        for _ in 0..2 {
            let path = once(&mut built, || {
                runs += 1;
                Ok(PathBuf::from("out"))
            });
            assert_eq!(path.unwrap(), PathBuf::from("out"));
        }
        let mut failed: Built = None;
        for _ in 0..2 {
            let error = once(&mut failed, || {
                runs += 1;
                Err("no compiler".into())
            });
            assert_eq!(error.unwrap_err().to_string(), "no compiler");
        }
        assert_eq!(runs, 2);
    }
}

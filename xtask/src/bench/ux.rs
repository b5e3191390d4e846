//! `ux`: Lighthouse (mobile profile) on the release app served by the relay, against a bare
//! page served in the same run (`tests/e2e/bench/ux.mjs`). Figures are printed, never judged.

use crate::builds::Builds;
use crate::{cmd, paths, Result};

use super::mode::Mode;

/// Lighthouse on the release app served by the relay, against a bare page (`ux.mjs`).
pub(crate) fn lighthouse(mode: Mode, builds: &mut Builds) -> Result {
    let server = builds.debug_server()?;
    let dist = builds.release_app()?;
    let tools = builds.tools();
    let script = paths::root()
        .join("tests")
        .join("e2e")
        .join("bench")
        .join("ux.mjs");
    let mut node = cmd::new("node", &tools.path_env);
    node.current_dir(paths::root())
        .arg(script)
        .env("HUSH_SERVER_BIN", server)
        .env("HUSH_DIST", dist)
        .env("HUSH_CHROMIUM", &tools.chromium);
    cmd::ok(mode.mark(&mut node))
}

//! `ux`: Lighthouse (mobile profile) on the release app served by the relay, against a bare
//! page served in the same run (`tests/e2e/bench/ux.mjs`). Figures are printed, never judged.

use crate::builds::Builds;
use crate::{cmd, Result};

use super::mode::Mode;

/// Lighthouse on the release app served by the relay, against a bare page (`ux.mjs`).
pub(crate) fn lighthouse(mode: Mode, builds: &mut Builds) -> Result {
    let server = builds.debug_server()?;
    let mut node = builds.page_script(server, "bench/ux.mjs")?;
    cmd::ok(mode.mark(&mut node))
}

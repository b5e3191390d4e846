//! `media`: a large file uploaded and downloaded through the web app in Chromium against the
//! real relay (`tests/e2e/bench/media.mjs`), beside a plain `fetch` of as many bytes and the
//! crypto alone in wasm (`crates/protocol/tests/media_wasm.rs`), all in one run; and a photo's
//! scaling, thumbnail and arrival. Figures are printed, never judged.

use crate::builds::Builds;
use crate::{cmd, Result};

use super::mode::Mode;

/// Runs the crypto reference, then the page script with its figures.
pub(crate) fn media(mode: Mode, builds: &mut Builds) -> Result {
    let crypto = crypto_reference(mode, builds)?;
    let server = match mode {
        Mode::Full => builds.release_server()?,
        Mode::Smoke => builds.debug_server()?,
    };
    let mut node = builds.page_script(server, "bench/media.mjs")?;
    if let Some((seal, open)) = crypto {
        node.env("HUSH_MEDIA_SEAL_MIBS", seal)
            .env("HUSH_MEDIA_OPEN_MIBS", open);
    }
    cmd::ok(mode.mark(&mut node))
}

/// The seal and open rates (MiB/s) the wasm test printed, if it printed them.
fn crypto_reference(mode: Mode, builds: &Builds) -> Result<Option<(String, String)>> {
    let tools = builds.tools();
    let mut cargo = cmd::cargo(&tools.path_env);
    cargo
        .args(["test", "-p", "hush-protocol"])
        .args(mode.wasm_profile())
        .args([
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "media_wasm",
            "--",
            "--nocapture",
        ])
        .env("CHROMEDRIVER", &tools.chromedriver);
    let (status, output) = cmd::tee(mode.mark(&mut cargo))?;
    if !status.success() {
        return Err(format!("the media crypto reference failed ({status})").into());
    }
    Ok(rates(&output))
}

/// `seal_mibs` and `open_mibs` from the line `bench media/crypto ...`.
fn rates(output: &str) -> Option<(String, String)> {
    let line = output
        .lines()
        .find(|line| line.contains("bench media/crypto"))?;
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|word| word.strip_prefix(name))
            .map(str::to_owned)
    };
    Some((field("seal_mibs=")?, field("open_mibs=")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crypto_rates_are_read_from_the_tests_line() {
        let output =
            "running 1 test\nbench media/crypto size_mib=4 seal_mibs=71.5 open_mibs=90.2\nok\n";
        assert_eq!(rates(output), Some(("71.5".to_owned(), "90.2".to_owned())));
        assert_eq!(rates("bench media/crypto size_mib=4\n"), None);
        assert_eq!(rates(""), None);
    }
}

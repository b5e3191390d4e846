//! `cargo xtask screenshots`: the release app driven through a scripted conversation in
//! Chromium (`tests/e2e/tools/screenshots.mjs`), its main screens written as PNGs, light and
//! dark, desktop and phone, into `docs/screenshots/`.

use std::path::Path;
use std::process::Command;

use crate::builds::Builds;
use crate::{cmd, paths, setup, Result};

/// Where Debian's colour emoji font lands (without it, emoji are empty boxes in screenshots).
const EMOJI_FONT: &str = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";

pub(crate) fn run() -> Result {
    let tools = setup::ensure()?;
    emoji_font()?;
    let mut builds = Builds::new(&tools);
    let server = builds.debug_server()?;
    let out = paths::root().join("docs").join("screenshots");
    let mut node = builds.page_script(server, "tools/screenshots.mjs")?;
    node.env("HUSH_SCREENSHOTS", &out);
    cmd::ok(&mut node)
}

/// Installs Debian's `fonts-noto-color-emoji` where it is missing and we may.
fn emoji_font() -> Result {
    if Path::new(EMOJI_FONT).is_file() {
        return Ok(());
    }
    if cmd::version_of("id", "-u").as_deref() != Some("0") {
        println!("screenshots: emoji will show as boxes (install fonts-noto-color-emoji)");
        return Ok(());
    }
    println!("screenshots: installing fonts-noto-color-emoji with apt-get");
    cmd::ok(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "fonts-noto-color-emoji"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

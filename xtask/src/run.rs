//! `cargo xtask run`: build the app in release, then become hush-server serving it.

use std::process::Command;

use crate::{cmd, paths, setup, web, Result};

pub(crate) fn run() -> Result {
    let tools = setup::ensure()?;
    let dist = web::build_release(&tools)?;
    cmd::ok(cmd::cargo(&tools.path_env).args(["build", "--release", "-p", "hush-server"]))?;
    let mut server = Command::new(paths::target_dir().join("release").join("hush-server"));
    // HUSH_ADDR and HUSH_DATA pass through from the environment; ./data is in the repo root.
    server
        .current_dir(paths::root())
        .arg("--static-dir")
        .arg(dist);
    exec(server)
}

/// Replaces this process with the server, so Ctrl-C reaches it directly and stops it cleanly.
#[cfg(unix)]
fn exec(mut server: Command) -> Result {
    use std::os::unix::process::CommandExt;
    Err(format!("cannot start hush-server: {}", server.exec()).into())
}

#[cfg(not(unix))]
fn exec(mut server: Command) -> Result {
    let status = server.status()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("hush-server exited with {status}").into())
    }
}

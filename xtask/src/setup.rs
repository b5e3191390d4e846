//! `cargo xtask setup`: installs what the project needs, version-checked, skipping whatever is
//! already there, and says what to do when it cannot.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cmd, paths, Result};

/// trunk 0.22 needs a newer rustc than the pinned 1.95 (see ../shared/TOOLCHAIN.md).
const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Older wasm-opt (Debian's 108) corrupts what current rustc and wasm-bindgen emit.
const MIN_WASM_OPT: u32 = 116;
/// The driver for Debian's firefox-esr (built from crates.io: the npm package downloads a
/// binary, which cannot work here).
const GECKODRIVER_VERSION: &str = "0.37.1";

/// What the other commands need from setup.
pub(crate) struct Tools {
    /// PATH with the pinned trunk, wasm-bindgen and npm tools first.
    pub path_env: OsString,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Firefox and geckodriver: the second engine the chat scenario runs in (only the tests and
/// `setup` need them).
pub(crate) struct SecondEngine {
    pub firefox: PathBuf,
    pub geckodriver: PathBuf,
}

fn step(name: &str, state: &str) {
    println!("setup: {name:<28} {state}");
}

/// Makes sure everything is installed; cheap when it already is.
pub(crate) fn ensure() -> Result<Tools> {
    let tools = paths::tools_dir();
    wasm_target()?;
    let bindgen = wasm_bindgen(&tools)?;
    let trunk = cargo_tool("trunk", "trunk", TRUNK_VERSION, &tools, true)?;
    let (chromium, chromedriver) = chromium()?;
    sqlite_shell()?;
    postgres()?;
    npm_tools()?;
    let node_bin = paths::root().join("node_modules").join(".bin");
    wasm_opt(&node_bin)?;

    let mut dirs = vec![trunk, bindgen, node_bin];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let path_env = std::env::join_paths(dirs)?;
    Ok(Tools {
        path_env,
        chromium,
        chromedriver,
    })
}

fn wasm_target() -> Result {
    let installed = Command::new("rustup")
        .current_dir(paths::root())
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| {
            format!("cannot run rustup ({e}): install Rust with rustup, https://rustup.rs")
        })?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == WASM_TARGET)
    {
        step(WASM_TARGET, "present");
        return Ok(());
    }
    step(WASM_TARGET, "installing");
    cmd::ok(
        Command::new("rustup")
            .current_dir(paths::root())
            .args(["target", "add", WASM_TARGET]),
    )
}

/// wasm-bindgen-cli must be exactly the `wasm-bindgen` in Cargo.lock.
fn wasm_bindgen(tools: &Path) -> Result<PathBuf> {
    let lock = std::fs::read_to_string(paths::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock ({e}); run `cargo generate-lockfile`"))?;
    let version = locked_version(&lock, "wasm-bindgen")
        .ok_or("Cargo.lock has no wasm-bindgen entry; run `cargo generate-lockfile`")?;
    // Without --locked: its locked webpki-roots is yanked (TOOLCHAIN.md).
    cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &version, tools, false)
}

/// The version of `package` recorded in a Cargo.lock.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&needle)? + needle.len();
    let len = lock.get(start..)?.find('"')?;
    lock.get(start..start + len).map(str::to_owned)
}

/// `cargo install crate@version` into its own directory; returns that directory's `bin`.
pub(crate) fn cargo_tool(
    krate: &str,
    bin: &str,
    version: &str,
    tools: &Path,
    locked: bool,
) -> Result<PathBuf> {
    let root = tools.join(format!("{bin}-{version}"));
    let bin_dir = root.join("bin");
    let expected = format!("{bin} {version}");
    let name = format!("{krate} {version}");
    // Some print more after the version ("geckodriver 0.37.1 (hash date)").
    let matches = |found: &str| found == expected || found.starts_with(&format!("{expected} "));
    if cmd::version_of(bin_dir.join(bin), "--version").is_some_and(|v| matches(&v)) {
        step(&name, "present");
        return Ok(bin_dir);
    }
    step(&name, "installing (a few minutes, once)");
    let mut install = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    install
        .current_dir(paths::root())
        .args(["install", krate, "--version", version, "--root"])
        .arg(&root);
    if locked {
        install.arg("--locked");
    }
    cmd::ok(&mut install)
        .map_err(|e| format!("{e}: could not install {name}; check network access to crates.io"))?;
    match cmd::version_of(bin_dir.join(bin), "--version") {
        Some(found) if matches(&found) => Ok(bin_dir),
        found => Err(format!("installed {name} but it reports {found:?}").into()),
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn is_root() -> bool {
    cmd::version_of("id", "-u").as_deref() == Some("0")
}

/// Debian's `sqlite3`: e2e tests look at what the relay keeps in its store.
fn sqlite_shell() -> Result {
    if find_on_path("sqlite3").is_some() {
        step("sqlite3", "present");
        return Ok(());
    }
    if !is_root() || find_on_path("apt-get").is_none() {
        return Err(
            "sqlite3 is missing: install it (Debian: `sudo apt-get install sqlite3`)".into(),
        );
    }
    step("sqlite3", "installing with apt-get");
    cmd::ok(Command::new("apt-get").arg("update").arg("-qq"))?;
    cmd::ok(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "sqlite3"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Debian's PostgreSQL server: the relay's tests start one of their own from its binaries
/// (`crates/server/tests/support/postgres.rs`) to run the store suite and relay scenarios on
/// the PostgreSQL backend.
fn postgres() -> Result {
    let installed = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .flatten()
            .any(|version| version.path().join("bin/postgres").exists())
    });
    if installed {
        step("postgresql", "present");
        return Ok(());
    }
    if !is_root() || find_on_path("apt-get").is_none() {
        return Err(
            "PostgreSQL is missing: install it (Debian: `sudo apt-get install postgresql`)".into(),
        );
    }
    step("postgresql", "installing with apt-get");
    cmd::ok(Command::new("apt-get").arg("update").arg("-qq"))?;
    cmd::ok(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                "postgresql",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Debian's Chromium and its matching ChromeDriver (Playwright cannot download browsers here).
fn chromium() -> Result<(PathBuf, PathBuf)> {
    let locate = || {
        let browser = std::env::var_os("HUSH_CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| find_on_path("chromium"));
        let driver = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| find_on_path("chromedriver"));
        browser.zip(driver)
    };
    let (browser, driver) = match locate() {
        Some(found) => {
            step("chromium + chromedriver", "present");
            found
        }
        None if is_root() && find_on_path("apt-get").is_some() => {
            step("chromium + chromedriver", "installing with apt-get");
            cmd::ok(Command::new("apt-get").arg("update").arg("-qq"))?;
            cmd::ok(
                Command::new("apt-get")
                    .args(["install", "-y", "-qq", "chromium", "chromium-driver"])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
            )?;
            locate().ok_or("apt-get installed chromium but it is not on PATH")?
        }
        None => {
            return Err("Chromium and ChromeDriver are missing: install them \
                        (Debian: `sudo apt-get install chromium chromium-driver`) or set \
                        HUSH_CHROMIUM and CHROMEDRIVER to their paths"
                .into())
        }
    };
    let major = |program: &Path| {
        cmd::version_of(program, "--version").and_then(|v| {
            let number = v.split_whitespace().nth(1)?;
            number.split('.').next().map(str::to_owned)
        })
    };
    match (major(&browser), major(&driver)) {
        (Some(b), Some(d)) if b == d => Ok((browser, driver)),
        (b, d) => Err(format!(
            "Chromium ({b:?}) and ChromeDriver ({d:?}) must have the same major version; \
             reinstall both (`apt-get install chromium chromium-driver`)"
        )
        .into()),
    }
}

/// Firefox and geckodriver, installed if missing.
pub(crate) fn second_engine() -> Result<SecondEngine> {
    let firefox = firefox()?;
    let gecko = cargo_tool(
        "geckodriver",
        "geckodriver",
        GECKODRIVER_VERSION,
        &paths::tools_dir(),
        false,
    )?;
    Ok(SecondEngine {
        firefox,
        geckodriver: gecko.join("geckodriver"),
    })
}

/// Debian's Firefox ESR (the chat scenario's second engine).
fn firefox() -> Result<PathBuf> {
    let locate = || {
        std::env::var_os("HUSH_FIREFOX")
            .map(PathBuf::from)
            .or_else(|| find_on_path("firefox-esr"))
            .or_else(|| find_on_path("firefox"))
    };
    if let Some(found) = locate() {
        step("firefox", "present");
        return Ok(found);
    }
    if !is_root() || find_on_path("apt-get").is_none() {
        return Err(
            "Firefox is missing: install it (Debian: `sudo apt-get install \
                    firefox-esr`) or set HUSH_FIREFOX to its path"
                .into(),
        );
    }
    step("firefox", "installing with apt-get");
    cmd::ok(Command::new("apt-get").arg("update").arg("-qq"))?;
    cmd::ok(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "firefox-esr"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    Ok(locate().ok_or("apt-get installed firefox-esr but it is not on PATH")?)
}

/// `npm ci` from the committed lockfile, skipped when node_modules matches it.
fn npm_tools() -> Result {
    let root = paths::root();
    let node = cmd::version_of("node", "--version")
        .ok_or("Node.js is missing: install Node 20 or newer (with npm)")?;
    let major: u32 = node
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        return Err(format!("Node.js {node} is too old: install Node 20 or newer").into());
    }
    let lock = std::fs::read(root.join("package-lock.json"))?;
    let stamp = root.join("node_modules").join(".hush-package-lock.json");
    if std::fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        step("npm tools", "present");
        return Ok(());
    }
    step("npm tools", "installing (npm ci)");
    cmd::ok(Command::new("npm").current_dir(&root).args([
        "ci",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]))
    .map_err(|e| format!("{e}: check access to the npm registry"))?;
    std::fs::write(stamp, lock)?;
    Ok(())
}

fn wasm_opt(node_bin: &Path) -> Result {
    let report = cmd::version_of(node_bin.join("wasm-opt"), "--version").unwrap_or_default();
    // "wasm-opt version 132 (version_132)"
    let version: u32 = report
        .split_whitespace()
        .nth(2)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if version < MIN_WASM_OPT {
        return Err(format!(
            "wasm-opt from npm binaryen reports {report:?}; need version {MIN_WASM_OPT}+ \
             (delete node_modules and run `cargo xtask setup`)"
        )
        .into());
    }
    step(&format!("wasm-opt {version}"), "present");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn reads_the_exact_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-shared\"\nversion = \"9.9.9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "trunk"), None);
    }
}

//! The release web app: trunk's build, plus the brotli and gzip copies the server sends.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::setup::Tools;
use crate::{cmd, paths, Result};

/// File kinds worth compressing (and counted in the first-load size).
const TEXT_LIKE: [&str; 6] = ["html", "js", "wasm", "css", "svg", "webmanifest"];

/// What the service worker precaches: every file of the build but itself.
const SHELL_FILES: [&str; 7] = ["html", "js", "wasm", "css", "svg", "webmanifest", "png"];

/// `trunk build --release` (with wasm-opt) into `dist/`, then precompresses it.
pub(crate) fn build_release(tools: &Tools) -> Result<PathBuf> {
    let dist = paths::dist();
    cmd::ok(
        cmd::new("trunk", &tools.path_env)
            .args([
                "build",
                "--release",
                "--cargo-profile",
                "web",
                "--offline",
                "--dist",
            ])
            .arg(&dist),
    )?;
    write_service_worker(&dist)?;
    for file in files(&dist, &TEXT_LIKE)? {
        let bytes = std::fs::read(&file)?;
        std::fs::write(with_suffix(&file, "br"), brotli(&bytes)?)?;
        std::fs::write(with_suffix(&file, "gz"), gzip(&bytes)?)?;
    }
    Ok(dist)
}

/// Fills in `sw.js`: the build's name (a hash of every shell file's name and bytes, so any
/// change is a new build the worker installs beside the old one) and the URLs it precaches.
fn write_service_worker(dist: &Path) -> Result {
    use std::hash::{DefaultHasher, Hasher};

    let worker = dist.join("sw.js");
    let template = std::fs::read_to_string(&worker)?;
    let mut hasher = DefaultHasher::new();
    let mut urls = Vec::new();
    for file in files(dist, &SHELL_FILES)? {
        let relative = file.strip_prefix(dist).unwrap_or(&file);
        let url = relative.to_string_lossy().replace('\\', "/");
        if url == "sw.js" {
            continue;
        }
        hasher.write(url.as_bytes());
        hasher.write(&std::fs::read(&file)?);
        // The page is cached as the navigation target, `/`.
        urls.push(if url == "index.html" {
            "/".to_owned()
        } else {
            format!("/{url}")
        });
    }
    let shell = format!(
        "[{}]",
        urls.iter()
            .map(|u| format!("{u:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let engine_js = worker_file(&urls, ".js")?;
    let engine_wasm = worker_file(&urls, "_bg.wasm")?;
    let filled = template
        .replace("__HUSH_BUILD__", &format!("{:016x}", hasher.finish()))
        .replace("__HUSH_SHELL__", &shell)
        .replace("__HUSH_WORKER_JS__", &engine_js)
        .replace("__HUSH_WORKER_WASM__", &engine_wasm);
    if filled == template {
        return Err("sw.js has no placeholders to fill".into());
    }
    std::fs::write(worker, filled)?;
    Ok(())
}

/// The URL of the service worker's engine file ending in `suffix` (trunk names it after the
/// `hush-worker` binary).
fn worker_file(urls: &[String], suffix: &str) -> Result<String> {
    urls.iter()
        .find(|url| url.starts_with("/hush-worker") && url.ends_with(suffix))
        .cloned()
        .ok_or_else(|| format!("the build has no hush-worker*{suffix}").into())
}

/// Whether a built file is the service worker or its engine: fetched after the page runs,
/// not part of what it needs to start.
pub(crate) fn is_service_worker(name: &str) -> bool {
    name == "sw.js" || name.starts_with("hush-worker")
}

/// Whether a built file is a script the page loads only on first use (`pwa.js`'s
/// `hushLoad`): not part of what it needs to start.
pub(crate) fn is_on_demand(name: &str) -> bool {
    name == "voice.js" || name == "video.js"
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Files below `dir` whose extension is in `extensions`, sorted.
pub(crate) fn files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Brotli at the settings a server would precompress with (quality 11, 4 MiB window).
pub(crate) fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(bytes)?;
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

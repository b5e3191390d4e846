//! The release web app: trunk's build, plus the brotli and gzip copies the server sends.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::setup::Tools;
use crate::{cmd, paths, Result};

/// File kinds worth compressing (and counted in the first-load size).
const TEXT_LIKE: [&str; 6] = ["html", "js", "wasm", "css", "svg", "webmanifest"];

/// `trunk build --release` (with wasm-opt) into `dist/`, then precompresses it.
pub(crate) fn build_release(tools: &Tools) -> Result<PathBuf> {
    let dist = paths::dist();
    cmd::ok(
        cmd::new("trunk", &tools.path_env)
            .args(["build", "--release", "--offline", "--dist"])
            .arg(&dist),
    )?;
    for file in files(&dist, &TEXT_LIKE)? {
        let bytes = std::fs::read(&file)?;
        std::fs::write(with_suffix(&file, "br"), brotli(&bytes)?)?;
        std::fs::write(with_suffix(&file, "gz"), gzip(&bytes)?)?;
    }
    Ok(dist)
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

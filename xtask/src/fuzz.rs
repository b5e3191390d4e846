//! `cargo xtask fuzz [SECONDS | --smoke]`: runs every cargo-fuzz target of hush-protocol
//! (`crates/protocol/fuzz`) and hush-server (`crates/server/fuzz`) for SECONDS each (default 60;
//! `--smoke`, for CI, is 10), then prints one line per target and fails if any found a crash.
//!
//! cargo-fuzz is installed, pinned, into the tool cache like the other tools; libFuzzer needs the
//! nightly toolchain, which must already be installed (`cargo +nightly` must work). The corpus
//! grows in `<crate>/fuzz/corpus/<target>` across runs, starting from the committed inputs in
//! `<crate>/fuzz/seeds/<target>` where there are some; crashes are written to
//! `<crate>/fuzz/artifacts/<target>/` (corpus and artifacts are ignored by git).

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};

use crate::{cmd, paths, setup, Result};

/// `cargo-fuzz --version` prints `cargo-fuzz 0.13.2`, which is what `setup::cargo_tool` checks.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// A crate with cargo-fuzz targets in its `fuzz/`.
struct FuzzCrate {
    /// From the workspace root.
    dir: &'static str,
    /// Every target in its `fuzz/fuzz_targets`.
    targets: &'static [&'static str],
    /// cargo-fuzz's `--sanitizer`.
    sanitizer: &'static str,
}

const CRATES: [FuzzCrate; 2] = [
    FuzzCrate {
        dir: "crates/protocol",
        targets: &[
            "wire_decode",
            "ratchet_decrypt",
            "state_decode",
            "group_take",
            "attachment_decode",
        ],
        sanitizer: "address",
    },
    // Safe Rust over SQLite (which is not instrumented anyway): AddressSanitizer would find
    // nothing there, and its allocator and leak checks made the relay ten times slower.
    FuzzCrate {
        dir: "crates/server",
        targets: &["relay_requests"],
        sanitizer: "none",
    },
];
const DEFAULT_SECONDS: u64 = 60;
const SMOKE_SECONDS: u64 = 10;

pub(crate) fn run(args: &[String]) -> Result {
    let seconds = seconds(args)?;
    nightly()?;
    let fuzz_bin = setup::cargo_tool(
        "cargo-fuzz",
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        &paths::tools_dir(),
        true,
    )?;
    let mut dirs = vec![fuzz_bin];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let path_env = std::env::join_paths(dirs)?;

    // Every build first, so a compile error stops everything with the compiler's message.
    for krate in &CRATES {
        cmd::ok(&mut cargo_fuzz(&path_env, krate, "build"))
            .map_err(|e| format!("{e}: the fuzz targets of {} do not build", krate.dir))?;
    }

    let mut outcomes = Vec::new();
    for krate in &CRATES {
        for target in krate.targets {
            let mut command = cargo_fuzz(&path_env, krate, "run");
            command.arg(target).args(corpus(krate, target)?);
            // An input that runs this long hangs: libFuzzer's default waits 20 minutes.
            command.args(["--", &format!("-max_total_time={seconds}"), "-timeout=10"]);
            outcomes.push(run_target(krate.dir, target, &mut command)?);
        }
    }

    println!("\nfuzz: {seconds} s per target");
    let mut crashed = Vec::new();
    for outcome in &outcomes {
        println!("  {}", outcome.summary());
        if !outcome.status.success() {
            crashed.push(outcome.target);
        }
    }
    if crashed.is_empty() {
        println!("fuzz: no crash in {} targets", outcomes.len());
        return Ok(());
    }
    for outcome in outcomes.iter().filter(|o| !o.status.success()) {
        if let Some(artifact) = &outcome.artifact {
            println!(
                "reproduce: (cd {} && cargo +nightly fuzz run -s {} {} {artifact})",
                outcome.dir,
                sanitizer(outcome.dir),
                outcome.target
            );
        }
    }
    Err(format!("fuzzing found a crash in: {}", crashed.join(", ")).into())
}

/// `[]` is the default, `--smoke` is 10 s, a number is that many seconds.
fn seconds(args: &[String]) -> Result<u64> {
    match args {
        [] => Ok(DEFAULT_SECONDS),
        [flag] if flag == "--smoke" => Ok(SMOKE_SECONDS),
        [number] => match number.parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("expected a number of seconds or --smoke, not {number:?}").into()),
        },
        _ => Err("usage: cargo xtask fuzz [SECONDS | --smoke]".into()),
    }
}

/// libFuzzer's instrumentation needs nightly rustc; the pinned toolchain is overridden by `+nightly`.
fn nightly() -> Result {
    let works = Command::new("cargo")
        .current_dir(paths::root())
        .args(["+nightly", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if works {
        Ok(())
    } else {
        Err(
            "`cargo +nightly` does not work: cargo-fuzz needs the nightly toolchain \
             (`rustup toolchain install nightly --profile minimal`)"
                .into(),
        )
    }
}

/// `cargo +nightly fuzz <action> --sanitizer S` in the crate's directory (the rustup proxy
/// resolves `+nightly`). Build and run name the same sanitizer, so the run reuses the build.
fn cargo_fuzz(path_env: &OsString, krate: &FuzzCrate, action: &str) -> Command {
    let mut command = cmd::new("cargo", path_env);
    command.current_dir(paths::root().join(krate.dir)).args([
        "+nightly",
        "fuzz",
        action,
        "--sanitizer",
        krate.sanitizer,
    ]);
    command
}

/// The corpus directories of a target: the one that grows (made if missing; libFuzzer writes new
/// inputs to the first), then its committed seeds if it has any.
fn corpus(krate: &FuzzCrate, target: &str) -> Result<Vec<PathBuf>> {
    let fuzz = PathBuf::from("fuzz");
    let grown = fuzz.join("corpus").join(target);
    std::fs::create_dir_all(paths::root().join(krate.dir).join(&grown))?;
    let seeds = fuzz.join("seeds").join(target);
    let mut dirs = vec![grown];
    if paths::root().join(krate.dir).join(&seeds).is_dir() {
        dirs.push(seeds);
    }
    Ok(dirs)
}

/// The sanitizer of the crate in `dir`, for the line that reproduces a crash.
fn sanitizer(dir: &str) -> &'static str {
    CRATES
        .iter()
        .find(|krate| krate.dir == dir)
        .map_or("address", |krate| krate.sanitizer)
}

/// What one target's run reported.
struct Outcome {
    /// The crate's directory, from the workspace root.
    dir: &'static str,
    target: &'static str,
    status: ExitStatus,
    /// libFuzzer's last status line (`#N ... exec/s: X ...`).
    last_status: Option<String>,
    /// `Done N runs in S second(s)`.
    done: Option<String>,
    /// Where the crashing input was written.
    artifact: Option<String>,
    /// The panic message, or the sanitizer's summary.
    cause: Option<String>,
}

impl Outcome {
    fn field(&self, name: &str) -> Option<&str> {
        let line = self.last_status.as_deref()?;
        let start = line.find(name)? + name.len();
        line.get(start..)?.split_whitespace().next()
    }

    fn summary(&self) -> String {
        let runs = self
            .last_status
            .as_deref()
            .and_then(|l| l.strip_prefix('#'))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("?");
        let speed = self.field("exec/s:").unwrap_or("?");
        let coverage = self.field("cov:").unwrap_or("?");
        let head = format!(
            "{:<16} {runs:>9} runs {speed:>6} exec/s  cov {coverage:>5}",
            self.target
        );
        if self.status.success() {
            return format!("{head}  ok");
        }
        let cause = self.cause.as_deref().unwrap_or("see the output above");
        match (&self.artifact, &self.last_status) {
            (Some(artifact), _) => format!("{head}  CRASH: {cause}\n{:<18}input: {artifact}", ""),
            (None, None) => format!("{head}  FAILED before fuzzing ({})", self.status),
            (None, Some(_)) => format!("{head}  FAILED ({}): {cause}", self.status),
        }
    }
}

/// Runs one target with its (libFuzzer's) stderr shown and read for the figures.
fn run_target(dir: &'static str, target: &'static str, command: &mut Command) -> Result<Outcome> {
    println!("\n$ cargo +nightly fuzz run {target} (in {dir})");
    let mut child = command
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo +nightly fuzz: {e}"))?;
    let mut outcome = Outcome {
        dir,
        target,
        status: ExitStatus::default(),
        last_status: None,
        done: None,
        artifact: None,
        cause: None,
    };
    if let Some(stderr) = child.stderr.take() {
        let mut err = std::io::stderr().lock();
        let mut reader = BufReader::new(stderr);
        let mut raw = Vec::new();
        let mut panic_next = false;
        loop {
            raw.clear();
            if reader.read_until(b'\n', &mut raw)? == 0 {
                break;
            }
            let _ = err.write_all(&raw);
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end();
            if panic_next {
                outcome.cause = Some(shorten(line));
                panic_next = false;
            }
            if line.starts_with('#') && line.contains("exec/s:") {
                outcome.last_status = Some(line.to_owned());
            } else if line.starts_with("Done ") {
                outcome.done = Some(line.to_owned());
            } else if let Some((_, path)) = line.split_once("Test unit written to ") {
                outcome.artifact = Some(path.trim().to_owned());
            } else if line.contains("panicked at") {
                panic_next = true;
            } else if outcome.cause.is_none()
                && (line.starts_with("SUMMARY: ") || line.contains("ERROR: libFuzzer:"))
            {
                outcome.cause = Some(shorten(line));
            }
        }
    }
    outcome.status = child.wait()?;
    if let Some(done) = &outcome.done {
        println!("fuzz: {target}: {done}");
    }
    Ok(outcome)
}

/// Panic messages can carry whole inputs in hex: the summary keeps the start.
fn shorten(line: &str) -> String {
    const MAX: usize = 160;
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

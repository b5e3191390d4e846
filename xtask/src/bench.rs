//! `cargo xtask bench`: every benchmark, each printing its figures and its ratios against a
//! reference measured in the same run.

use std::path::Path;

use crate::setup::Tools;
use crate::{cmd, setup, web, Result};

const BENCHES: [&str; 7] = [
    "size",
    "protocol",
    "protocol-wasm",
    "relay",
    "catchup",
    "latency",
    "group",
];

/// First-load goal for the finished app (issue: web client).
const FIRST_LOAD_GOAL: usize = 250 * 1024;

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(unknown) = args.iter().find(|a| !BENCHES.contains(&a.as_str())) {
        return Err(format!(
            "unknown benchmark {unknown:?}; benchmarks: {}",
            BENCHES.join(", ")
        )
        .into());
    }
    let wants = |name: &str| args.is_empty() || args.iter().any(|a| a == name);
    let tools = setup::ensure()?;
    if wants("protocol") {
        // Ours vs vodozemac vs the primitive floor, natively.
        cmd::ok(cargo(&tools).args(["bench", "-p", "hush-protocol", "--bench", "protocol"]))?;
    }
    if wants("protocol-wasm") {
        // The same scenarios in headless Chromium (wasm built as the app ships: profile `web`).
        cmd::ok(
            cargo(&tools)
                .args([
                    "test",
                    "-p",
                    "hush-protocol",
                    "--profile",
                    "web",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "wasm_bench",
                    "--",
                    "--nocapture",
                ])
                .env("CHROMEDRIVER", &tools.chromedriver),
        )?;
    }
    if wants("catchup") {
        // 1,000 queued messages decrypted and stored in IndexedDB in headless Chromium,
        // batched vs one transaction per message; and opening a chat of 10,000 messages
        // (wasm built as the app ships: profile `web`).
        cmd::ok(
            cargo(&tools)
                .args([
                    "test",
                    "-p",
                    "hush",
                    "--profile",
                    "web",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "catchup_bench",
                    "--test",
                    "long_chat",
                    "--",
                    "--nocapture",
                ])
                .env("HUSH_CATCHUP", "1000")
                .env("HUSH_LONG_CHAT", "10000")
                .env("WASM_BINDGEN_TEST_TIMEOUT", "600")
                .env("CHROMEDRIVER", &tools.chromedriver),
        )?;
    }
    if wants("relay") {
        // The relay on loopback under load (idle connections, throughput, latency at half
        // rate) against a bare tokio-tungstenite relay, each in its own pinned process.
        cmd::ok(cargo(&tools).args([
            "run",
            "--release",
            "-p",
            "hush-bench",
            "--bin",
            "relay_load",
        ]))?;
    }
    if wants("group") {
        // One message to a group of 100 over a real relay on loopback (encrypt once, relay
        // fan-out) against sending it 1:1 to each member.
        cmd::ok(cargo(&tools).args([
            "run",
            "--release",
            "-p",
            "hush-bench",
            "--bin",
            "group_send",
        ]))?;
    }
    if wants("latency") {
        // Browser to browser through a local relay (release app, release server), Playwright.
        cmd::ok(cargo(&tools).args(["build", "--release", "-p", "hush-server"]))?;
        let dist = web::build_release(&tools)?;
        let script = crate::paths::root()
            .join("tests")
            .join("e2e")
            .join("bench")
            .join("latency.mjs");
        cmd::ok(
            cmd::new("node", &tools.path_env)
                .arg(script)
                .env(
                    "HUSH_SERVER_BIN",
                    crate::paths::target_dir()
                        .join("release")
                        .join("hush-server"),
                )
                .env("HUSH_DIST", dist)
                .env("HUSH_CHROMIUM", &tools.chromium),
        )?;
    }
    if wants("size") {
        let dist = web::build_release(&tools)?;
        first_load_size(&dist)?;
    }
    Ok(())
}

fn cargo(tools: &Tools) -> std::process::Command {
    cmd::cargo(&tools.path_env)
}

/// Brotli bytes of what a first visit downloads before Hush runs: HTML, JS, WASM and CSS, but
/// not the service worker and its engine, which the browser fetches afterwards (reported
/// apart).
fn first_load_size(dist: &Path) -> Result {
    println!("\nfirst-load size (release build, brotli q11):");
    println!("  {:<40} {:>10} {:>10}", "file", "raw B", "brotli B");
    let (mut raw_total, mut br_total) = (0, 0);
    let mut worker_br = 0;
    for file in web::files(dist, &["html", "js", "wasm", "css"])? {
        let bytes = std::fs::read(&file)?;
        let br = web::brotli(&bytes)?.len();
        let name = file
            .strip_prefix(dist)
            .unwrap_or(&file)
            .display()
            .to_string();
        if web::is_service_worker(&name) {
            println!(
                "  {name:<40} {:>10} {br:>10}  (service worker, after start)",
                bytes.len()
            );
            worker_br += br;
            continue;
        }
        println!("  {name:<40} {:>10} {br:>10}", bytes.len());
        raw_total += bytes.len();
        br_total += br;
    }
    println!("  {:<40} {raw_total:>10} {br_total:>10}", "total");
    println!(
        "service worker and its engine, fetched after start: {:.1} KB brotli",
        worker_br as f64 / 1024.0
    );
    println!(
        "first-load: {:.1} KB brotli ({:.2} × the {} KB goal)",
        br_total as f64 / 1024.0,
        br_total as f64 / FIRST_LOAD_GOAL as f64,
        FIRST_LOAD_GOAL / 1024
    );
    Ok(())
}

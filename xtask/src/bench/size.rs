//! `size`: the brotli bytes of what a first visit downloads.

use std::path::Path;

use crate::{web, Result};

/// First-load goal for the finished app (issue: web client).
const FIRST_LOAD_GOAL: usize = 250 * 1024;

/// Brotli bytes of what a first visit downloads before Hush runs: HTML, JS, WASM and CSS, but
/// not the service worker and its engine, which the browser fetches afterwards, nor scripts
/// loaded on first use (the voice recorder); both reported apart.
pub(crate) fn first_load_size(dist: &Path) -> Result {
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
        if web::is_on_demand(&name) {
            println!(
                "  {name:<40} {:>10} {br:>10}  (loaded on first use, not counted)",
                bytes.len()
            );
            continue;
        }
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

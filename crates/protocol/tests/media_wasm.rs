//! The crypto-only reference of `cargo xtask bench media`: a 96 MiB file sealed (STREAM + SHA-256,
//! pushed 4 MiB at a time as the web app reads it) and opened again (4 MiB at a time, as it
//! downloads), in headless Chromium, with no network and no copies between JS and wasm. Prints
//! `bench media/crypto ...` for the benchmark to set beside the app's upload and download.
//!
//! ```text
//! CHROMEDRIVER=/usr/bin/chromedriver PATH=$HOME/.cache/hush/tools/wasm-bindgen-0.2.130/bin:$PATH \
//!   cargo test -p hush-protocol --target wasm32-unknown-unknown --profile web --test media_wasm -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use hush_protocol::attachment::{AttachmentKey, Opener, Sealer};
use wasm_bindgen::prelude::wasm_bindgen;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

const MIB: usize = 1024 * 1024;

/// MiB per second for `bytes` in `ms`.
fn rate(bytes: usize, ms: f64) -> f64 {
    bytes as f64 / MIB as f64 / (ms / 1e3)
}

#[wasm_bindgen_test::wasm_bindgen_test]
fn media_crypto_in_the_browser() {
    // `HUSH_BENCH_SMOKE=1` at build time (`cargo xtask bench --smoke`): 4 MiB.
    let size = match option_env!("HUSH_BENCH_SMOKE") {
        Some(on) if !on.is_empty() && on != "0" => 4 * MIB,
        // The largest round size under the 100 MiB blob limit once padded (Padmé, tags).
        _ => 96 * MIB,
    };
    let file: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
    let key = AttachmentKey::from_bytes(&[3; AttachmentKey::LEN]);

    let started = now();
    let mut sealer = Sealer::new(&key, size as u64).unwrap();
    let mut blob = Vec::with_capacity(sealer.ciphertext_len() as usize);
    let mut sink = |chunk: &[u8]| blob.extend_from_slice(chunk);
    for slice in file.chunks(4 * MIB) {
        sealer.push(slice, &mut sink).unwrap();
    }
    let sha256 = sealer.finish(&mut sink).unwrap();
    let seal_ms = now() - started;

    let started = now();
    let mut opener = Opener::new(&key, blob.len() as u64).unwrap();
    let mut opened = 0usize;
    for range in blob.chunks(4 * MIB) {
        opener
            .push(range, &mut |data: &[u8]| opened += data.len())
            .unwrap();
    }
    opener.finish(&sha256).unwrap();
    let open_ms = now() - started;
    assert_eq!(opened, size);

    wasm_bindgen_test::console_log!(
        "bench media/crypto size_mib={} seal_mibs={:.1} open_mibs={:.1}",
        size / MIB,
        rate(size, seal_ms),
        rate(size, open_ms)
    );
}

//! Catch-up in Chromium: queued envelopes decrypted and stored in IndexedDB, as a batch (one
//! transaction, one ack) and, as the same-run reference, one envelope per transaction.
//!
//! In `cargo xtask test` it runs small (a correctness check); `cargo xtask bench catchup`
//! builds it in release with `HUSH_CATCHUP=1000` and prints the figures.
// One allow for the file: clippy's allow-*-in-tests settings do not reach `#[wasm_bindgen_test]`
// functions or their helpers.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use hush::store::IdbStore;
use hush_client::loopback::{registered, texts};
use hush_client::store::memory::MemoryStore;
use hush_client::Store;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: u64 = 1_800_000_000_000;
/// The goal: at least this many messages per second caught up.
const GOAL_PER_SECOND: f64 = 1000.0;

fn count() -> usize {
    option_env!("HUSH_CATCHUP")
        .and_then(|n| n.parse().ok())
        .unwrap_or(100)
}

fn database(name: &str) -> String {
    format!("hush-catchup-{name}-{}", js_sys::Date::now())
}

#[wasm_bindgen_test]
async fn catching_up_on_queued_messages() {
    let n = count();
    let rng = ChaCha20Rng::seed_from_u64;
    let (mut alice, _) = registered(MemoryStore::new(), rng(1), "alice", NOW)
        .await
        .unwrap();

    // Batched: every envelope in one `handle_all`.
    let batched_db = database("batched");
    let store = IdbStore::open(&batched_db).await.unwrap();
    let (mut bob, bundle) = registered(store, rng(2), "bob", NOW).await.unwrap();
    let envelopes = texts(&mut alice, &bundle, n, NOW).await.unwrap();
    let started = js_sys::Date::now();
    let out = bob.handle_all(envelopes, NOW).await.unwrap();
    let batched_ms = js_sys::Date::now() - started;
    assert_eq!(
        bob.store()
            .messages(&hush_client::ChatId::parse("alice").unwrap(), None, n + 1)
            .await
            .unwrap()
            .len(),
        n
    );
    assert!(!out.frames.is_empty());

    // Reference: the same, one envelope per step (one transaction and one ack each).
    let single_db = database("single");
    let store = IdbStore::open(&single_db).await.unwrap();
    let (mut rob, bundle) = registered(store, rng(3), "rob", NOW).await.unwrap();
    let envelopes = texts(&mut alice, &bundle, n, NOW).await.unwrap();
    let started = js_sys::Date::now();
    for envelope in envelopes {
        rob.handle(envelope, NOW).await.unwrap();
    }
    let single_ms = js_sys::Date::now() - started;
    assert_eq!(
        rob.store()
            .messages(&hush_client::ChatId::parse("alice").unwrap(), None, n + 1)
            .await
            .unwrap()
            .len(),
        n
    );

    // The storage alone: the same number of received messages in one commit.
    let store_db = database("store");
    let store = IdbStore::open(&store_db).await.unwrap();
    let received = bob
        .store()
        .messages(&hush_client::ChatId::parse("alice").unwrap(), None, n + 1)
        .await
        .unwrap();
    let started = js_sys::Date::now();
    store
        .commit(hush_client::Changes {
            received,
            ..hush_client::Changes::default()
        })
        .await
        .unwrap();
    let store_ms = js_sys::Date::now() - started;
    store.close();

    let per_second = |ms: f64| n as f64 / (ms.max(1.0) / 1000.0);
    console_log!(
        "  of which IndexedDB alone (the same messages, one commit): {store_ms:.0} ms ({:.0} msg/s)",
        per_second(store_ms)
    );
    let (batched, single) = (per_second(batched_ms), per_second(single_ms));
    console_log!(
        "catch-up of {n} messages in Chromium (IndexedDB): batched {batched:.0} msg/s \
         ({batched_ms:.0} ms), one per transaction {single:.0} msg/s ({single_ms:.0} ms); \
         batched/single {:.2}; goal {GOAL_PER_SECOND:.0} msg/s: {:.2}× the goal",
        batched / single,
        batched / GOAL_PER_SECOND
    );
    console_log!("bench client/catchup_msgs_per_s batched={batched:.0} single={single:.0}");
    IdbStore::delete(&batched_db).await.ok();
    IdbStore::delete(&single_db).await.ok();
    IdbStore::delete(&store_db).await.ok();
}

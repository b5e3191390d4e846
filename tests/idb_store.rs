//! The IndexedDB store in a real headless Chromium: the engine's store conformance suite (the
//! same checks the memory store passes natively), and persistence across reopening.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::Cell;

use hush::store::IdbStore;
use hush_client::store::{conformance, Changes, ChatMessage, Kind, Status, Store};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static NEXT: Cell<u32> = const { Cell::new(0) };
}

/// A database name no other test uses (and none left by an earlier run).
fn fresh_name(test: &str) -> String {
    let n = NEXT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    format!("hush-test-{test}-{n}-{}", js_sys::Date::now())
}

#[wasm_bindgen_test]
async fn indexeddb_store_passes_the_conformance_suite() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let outcome =
        conformance::run_all(|| IdbStore::open_owned(fresh_name("conformance")), &mut rng).await;
    assert_eq!(outcome, Ok(()));
}

#[wasm_bindgen_test]
async fn what_was_committed_is_there_after_reopening() {
    let name = fresh_name("reopen");
    let store = IdbStore::open(&name).await.unwrap();
    let message = ChatMessage {
        id: [3; 16],
        kind: Kind::Text,
        chat: "bob".into(),
        from_me: false,
        body: "still here".into(),
        sent_ms: 9,
        status: Status::Delivered,
    };
    store
        .commit(Changes {
            messages: vec![message.clone()],
            ..Changes::default()
        })
        .await
        .unwrap();
    store.close();
    let store = IdbStore::open(&name).await.unwrap();
    assert_eq!(store.messages("bob", 10).await.unwrap(), vec![message]);
    store.close();
    IdbStore::delete(&name).await.unwrap();
}

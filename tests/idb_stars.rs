//! Stars in the IndexedDB store of a real headless Chromium: a database whose starred
//! messages were marked the old way (`1`, which listed them by id) lists its newest stars
//! first once opened by this build.
// One allow for the file: clippy's allow-*-in-tests settings do not reach `#[wasm_bindgen_test]`
// functions or their helpers.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hush::store::IdbStore;
use hush_client::model::Amendment;
use hush_client::store::{Changes, Store};
use hush_client::{ChatId, ChatMessage, Kind, Status};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn text(id: u8, sent_ms: u64) -> ChatMessage {
    ChatMessage {
        id: [id; 16],
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse("bob").unwrap(),
        from_me: false,
        body: format!("text {id}"),
        sent_ms,
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    }
}

/// Marks every starred record of database `name` as an older build did: `starred: 1`.
async fn mark_stars_the_old_way(name: &str) {
    use js_sys::Reflect;
    use rexie::{Rexie, TransactionMode};
    use wasm_bindgen::JsValue;
    let db = Rexie::builder(name).build().await.unwrap();
    let tx = db
        .transaction(&["messages"], TransactionMode::ReadWrite)
        .unwrap();
    let store = tx.store("messages").unwrap();
    let all = store.get_all(None, None).await.unwrap();
    for record in all {
        let starred = Reflect::get(&record, &JsValue::from_str("starred")).unwrap();
        if !starred.is_undefined() {
            Reflect::set(&record, &"starred".into(), &JsValue::from_f64(1.0)).unwrap();
            store.put(&record, None).await.unwrap();
        }
    }
    tx.done().await.unwrap();
    db.close();
}

#[wasm_bindgen_test]
async fn stars_marked_the_old_way_list_newest_first_after_opening() {
    let name = format!("hush-test-stars-{}", js_sys::Date::now());
    let store = IdbStore::open(&name).await.unwrap();
    // Ids rise with time: listed by id, the oldest would come first.
    let messages = vec![text(0x10, 100), text(0x20, 200), text(0x30, 300)];
    let stars = messages
        .iter()
        .map(|m| (m.id, Amendment::Star(true)))
        .collect();
    let changes = Changes {
        received: messages,
        amendments: stars,
        ..Changes::default()
    };
    store.commit(changes).await.unwrap();
    store.close();
    mark_stars_the_old_way(&name).await;

    let store = IdbStore::open(&name).await.unwrap();
    let newest: Vec<u8> = (store.starred(2).await.unwrap().iter())
        .map(|m| m.id[0])
        .collect();
    assert_eq!(newest, [0x30, 0x20]);
    store.close();
    IdbStore::delete(&name).await.unwrap();
}

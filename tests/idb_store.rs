//! The IndexedDB store in a real headless Chromium: the engine's store conformance suite (the
//! same checks the memory store passes natively), and persistence across reopening.
// One allow for the file: clippy's allow-*-in-tests settings do not reach `#[wasm_bindgen_test]`
// functions or their helpers.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;

use hush::store::schema::VERSION;
use hush::store::{IdbStore, OpenError};
use hush_client::store::{conformance, Changes, Store, StoreError};
use hush_client::{ChatId, ChatMessage, Kind, Status};
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
    let fresh = || {
        let name = fresh_name("conformance");
        async move { IdbStore::open(&name).await.map_err(StoreError::from) }
    };
    let outcome = conformance::run_all(fresh, &mut rng).await;
    assert_eq!(outcome, Ok(()));
}

#[wasm_bindgen_test]
async fn what_was_committed_is_there_after_reopening() {
    let name = fresh_name("reopen");
    let store = IdbStore::open(&name).await.unwrap();
    let message = ChatMessage {
        id: [3; 16],
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse("bob").unwrap(),
        from_me: false,
        body: "still here".into(),
        sent_ms: 9,
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
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
    assert_eq!(
        store
            .messages(&ChatId::parse("bob").unwrap(), None, 10)
            .await
            .unwrap(),
        vec![message]
    );
    store.close();
    IdbStore::delete(&name).await.unwrap();
}

/// A database written by schema version 2 (frozen here as it was), with messages in two chats.
async fn version_2_database(name: &str, messages: &[(ChatMessage, f64)]) {
    use hush_client::store::encoding::encode_message;
    use js_sys::{Object, Reflect, Uint8Array};
    use rexie::{Index, ObjectStore, Rexie, TransactionMode};
    use wasm_bindgen::JsValue;

    let db = Rexie::builder(name)
        .version(2)
        .add_object_store(ObjectStore::new("account"))
        .add_object_store(ObjectStore::new("sessions"))
        .add_object_store(ObjectStore::new("prekeys"))
        .add_object_store(
            ObjectStore::new("messages")
                .key_path("id")
                .add_index(Index::new_array("by_chat", ["chat", "seq"])),
        )
        .add_object_store(
            ObjectStore::new("outbox")
                .key_path("id")
                .add_index(Index::new("by_seq", "seq")),
        )
        .add_object_store(ObjectStore::new("meta"))
        .add_object_store(ObjectStore::new("verified"))
        .build()
        .await
        .unwrap();
    let tx = db
        .transaction(&["messages"], TransactionMode::ReadWrite)
        .unwrap();
    let store = tx.store("messages").unwrap();
    for (message, seq) in messages {
        let record = Object::new();
        let id = hush_protocol::hex::encode(&message.id);
        let bytes = Uint8Array::from(encode_message(message).as_slice());
        for (field, value) in [
            ("id", JsValue::from_str(&id)),
            ("chat", JsValue::from_str(&message.chat.to_string())),
            ("seq", JsValue::from_f64(*seq)),
            ("bytes", bytes.into()),
        ] {
            Reflect::set(&record, &JsValue::from_str(field), &value).unwrap();
        }
        store.put(&record.into(), None).await.unwrap();
    }
    tx.done().await.unwrap();
    db.close();
}

#[wasm_bindgen_test]
async fn a_version_2_database_gets_its_chat_list_and_unread_counts() {
    let name = fresh_name("v2");
    let text = |id: u8, chat: &str, from_me: bool, status| ChatMessage {
        id: [id; 16],
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse(chat).unwrap(),
        from_me,
        body: format!("text {id}"),
        sent_ms: u64::from(id),
        status,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    };
    let old = [
        (text(1, "bob", false, Status::Read), 1.0),
        (text(2, "carol", false, Status::Delivered), 2.0),
        (text(3, "bob", false, Status::Delivered), 3.0),
        (text(4, "bob", true, Status::Sent), 4.0),
        (text(5, "carol", false, Status::Delivered), 5.0),
    ];
    version_2_database(&name, &old).await;
    let store = IdbStore::open(&name).await.unwrap();
    let chats: Vec<(String, u8, u32)> = store
        .chats()
        .await
        .unwrap()
        .iter()
        .map(|c| (c.chat.to_string(), c.last.id[0], c.unread))
        .collect();
    assert_eq!(
        chats,
        [("carol".to_owned(), 5, 2), ("bob".to_owned(), 4, 1)],
        "the chat list is rebuilt from the stored messages"
    );
    assert_eq!(
        store.unread(&ChatId::parse("bob").unwrap()).await.unwrap(),
        [[3; 16]]
    );
    assert_eq!(
        store
            .messages(&ChatId::parse("bob").unwrap(), Some(&[4; 16]), 10)
            .await
            .unwrap(),
        [old[0].0.clone(), old[2].0.clone()]
    );
    // Opened again: the migration does not run twice (nothing changes either way).
    store.close();
    let store = IdbStore::open(&name).await.unwrap();
    assert_eq!(store.chats().await.unwrap().len(), 2);
    store.close();
    IdbStore::delete(&name).await.unwrap();
}

/// Version 12's data migration indexes every message stored before it, a batch at a time (here
/// more than two batches), so they are found as new ones are.
#[wasm_bindgen_test]
async fn messages_stored_before_version_12_are_found_after_it() {
    use hush_client::search::Query;
    let name = fresh_name("v12");
    const OLD: u16 = 1_234;
    let old_message = |n: u16| {
        let mut id = [7; 16];
        id[14..].copy_from_slice(&n.to_be_bytes());
        let message = ChatMessage {
            id,
            group: None,
            kind: Kind::Text,
            chat: ChatId::parse(if n.is_multiple_of(2) { "bob" } else { "carol" }).unwrap(),
            from_me: false,
            body: format!("word{} common", n % 7),
            sent_ms: u64::from(n),
            status: Status::Read,
            attachment: None,
            reactions: Vec::new(),
            meta: Default::default(),
        };
        (message, f64::from(n) + 1.0)
    };
    let old: Vec<(ChatMessage, f64)> = (0..OLD).map(old_message).collect();
    version_2_database(&name, &old).await;
    let store = IdbStore::open(&name).await.unwrap();
    let search = |query: &str, chat: Option<&str>, limit| {
        let query = Query::parse(query);
        let chat = chat.map(|c| ChatId::parse(c).unwrap());
        let store = &store;
        async move {
            let found = store.search(&query, chat.as_ref(), limit).await.unwrap();
            let ids: Vec<_> = found.messages.iter().map(|m| m.id).collect();
            (ids, found.complete)
        }
    };
    let newest = |limit: usize, keep: fn(u16) -> bool| {
        let ids = (0..OLD).rev().filter(|n| keep(*n)).take(limit);
        (ids.map(|n| old_message(n).0.id).collect::<Vec<_>>(), true)
    };
    assert_eq!(search("common", None, 30).await, newest(30, |_| true));
    assert_eq!(
        search("word3 commo", None, 1_000).await,
        newest(1_000, |n| n % 7 == 3),
        "every batch was indexed"
    );
    assert_eq!(
        search("word", Some("carol"), 40).await,
        newest(40, |n| n % 2 == 1)
    );
    // Opened again: still found (the migration does not run twice).
    store.close();
    let store = IdbStore::open(&name).await.unwrap();
    let found = store
        .search(&Query::parse("common"), None, 2)
        .await
        .unwrap();
    let ids: Vec<_> = found.messages.iter().map(|m| m.id).collect();
    assert_eq!(ids, newest(2, |_| true).0);
    store.close();
    IdbStore::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_database_from_a_newer_build_is_refused_as_schema_too_new() {
    let name = fresh_name("newer");
    // A later build's schema: one version up.
    let db = rexie::Rexie::builder(&name)
        .version(1000)
        .add_object_store(rexie::ObjectStore::new("from_the_future"))
        .build()
        .await
        .unwrap();
    db.close();
    let refused = IdbStore::open(&name)
        .await
        .err()
        .expect("an older build cannot open it");
    assert_eq!(
        refused,
        OpenError::SchemaTooNew {
            current_version: 1000,
            max_supported_version: VERSION,
        }
    );
    assert!(
        refused.to_string().contains("newer version of Hush"),
        "{refused}"
    );
    // Left as it was: still the newer build's.
    let db = rexie::Rexie::builder(&name).build().await.unwrap();
    assert_eq!(db.version().unwrap(), 1000);
    assert_eq!(db.store_names(), ["from_the_future"]);
    db.close();
    IdbStore::delete(&name).await.unwrap();
}

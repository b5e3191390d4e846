//! A long conversation in IndexedDB (Chromium): opening Hush and the chat reads one page, not
//! the whole history. Timed against reading the whole chat, in the same run.
//!
//! In `cargo xtask test` it runs small (a correctness check); `cargo xtask bench catchup`
//! builds it in release with `HUSH_LONG_CHAT=10000` and prints the figures.
// One allow for the file: clippy's allow-*-in-tests settings do not reach `#[wasm_bindgen_test]`
// functions or their helpers.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use hush::store::IdbStore;
use hush_client::store::{Changes, Store};
use hush_client::{ChatId, ChatMessage, Kind, Status};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Messages on one screen's worth of pages: what the app reads when a chat opens.
const PAGE: usize = 200;
/// Other chats, each with a few messages.
const OTHER_CHATS: usize = 30;
/// Written per transaction while filling the database.
const BATCH: usize = 500;

fn count() -> usize {
    option_env!("HUSH_LONG_CHAT")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

fn message(n: usize, chat: &str) -> ChatMessage {
    let mut id = [0; 16];
    id[..8].copy_from_slice(&(n as u64).to_be_bytes());
    id[8..8 + chat.len().min(8)].copy_from_slice(&chat.as_bytes()[..chat.len().min(8)]);
    ChatMessage {
        id,
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse(chat).unwrap(),
        from_me: n.is_multiple_of(2),
        body: format!("message number {n} in a long conversation about nothing much"),
        sent_ms: 1_800_000_000_000 + n as u64 * 1000,
        status: if n.is_multiple_of(2) {
            Status::Read
        } else {
            Status::Delivered
        },
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    }
}

async fn timed<T>(work: impl std::future::Future<Output = T>) -> (T, f64) {
    let started = js_sys::Date::now();
    let value = work.await;
    (value, js_sys::Date::now() - started)
}

#[wasm_bindgen_test]
async fn a_long_chat_opens_from_one_page() {
    let n = count();
    let name = format!("hush-long-chat-{}", js_sys::Date::now());
    let store = IdbStore::open(&name).await.unwrap();
    let all: Vec<ChatMessage> = (0..n).map(|i| message(i, "bob")).collect();
    for batch in all.chunks(BATCH) {
        store
            .commit(Changes {
                received: batch.to_vec(),
                ..Changes::default()
            })
            .await
            .unwrap();
    }
    let others: Vec<ChatMessage> = (0..OTHER_CHATS * 3)
        .map(|i| message(i, &format!("friend{}", i % OTHER_CHATS)))
        .collect();
    store
        .commit(Changes {
            received: others,
            ..Changes::default()
        })
        .await
        .unwrap();
    store.close();

    // What starting Hush and opening the long chat read.
    let (store, open_ms) = timed(IdbStore::open(&name)).await;
    let store = store.unwrap();
    let (chats, chats_ms) = timed(store.chats()).await;
    let chats = chats.unwrap();
    assert_eq!(chats.len(), OTHER_CHATS + 1);
    let bob = chats.iter().find(|c| c.chat.to_string() == "bob").unwrap();
    assert_eq!(bob.last, all[n - 1]);
    assert_eq!(bob.unread as usize, n / 2, "every other message is unread");
    let (newest, page_ms) = timed(store.messages(&ChatId::parse("bob").unwrap(), None, PAGE)).await;
    let newest = newest.unwrap();
    assert_eq!(newest, all[n - PAGE..]);
    let (earlier, earlier_ms) =
        timed(store.messages(&ChatId::parse("bob").unwrap(), Some(&newest[0].id), PAGE)).await;
    assert_eq!(earlier.unwrap(), all[n - 2 * PAGE..n - PAGE]);
    let (unread, unread_ms) = timed(store.unread(&ChatId::parse("bob").unwrap())).await;
    assert_eq!(unread.unwrap().len(), n / 2);

    // Reference: the whole chat read at once.
    let (whole, whole_ms) = timed(store.messages(&ChatId::parse("bob").unwrap(), None, n)).await;
    assert_eq!(whole.unwrap().len(), n);

    let opened = chats_ms + page_ms;
    console_log!(
        "a chat of {n} messages (+{OTHER_CHATS} other chats) in IndexedDB: database open \
         {open_ms:.1} ms, chat list {chats_ms:.1} ms, newest {PAGE} {page_ms:.1} ms, the {PAGE} \
         before {earlier_ms:.1} ms, unread ids {unread_ms:.1} ms; whole chat {whole_ms:.1} ms; \
         opening (list + page) / whole chat {:.3}",
        opened / whole_ms.max(0.1)
    );
    console_log!(
        "bench client/long_chat_open_ms list_and_page={opened:.1} whole={whole_ms:.1} n={n}"
    );
    store.close();
    IdbStore::delete(&name).await.ok();
}

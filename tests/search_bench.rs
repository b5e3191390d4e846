//! Search in IndexedDB (Chromium): the term index against a scan of the same messages, and what
//! keeping the index costs a catch-up, both in the same run.
//!
//! In `cargo xtask test` it runs small (a correctness check: the index and the scan agree);
//! `cargo xtask bench search` builds it in release with `HUSH_SEARCH=100000` and
//! `HUSH_CATCHUP=1000` and prints the figures.
// One allow for the file: clippy's allow-*-in-tests settings do not reach `#[wasm_bindgen_test]`
// functions or their helpers.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use hush::store::IdbStore;
use hush_client::loopback::{registered, texts_saying};
use hush_client::search::Query;
use hush_client::store::memory::MemoryStore;
use hush_client::store::{Changes, Store};
use hush_client::{ChatId, ChatMessage, Kind, Status};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: u64 = 1_800_000_000_000;
/// Distinct words; their use follows Zipf's law, as in real text.
const VOCABULARY: usize = 20_000;
/// Chats the messages are spread over.
const CHATS: usize = 20;
/// Written per transaction while filling the database.
const BATCH: usize = 1_000;
/// Results asked for, as the app's search asks.
const LIMIT: usize = 50;

fn env(value: Option<&str>, default: usize) -> usize {
    value.and_then(|n| n.parse().ok()).unwrap_or(default)
}

/// A word of the vocabulary: its rank spelled in syllables (rank 0 is the most used).
fn word(rank: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fe", "gu", "ho", "ja", "pe",
        "zu",
    ];
    let mut n = rank + 16;
    let mut spelled = String::new();
    while n > 0 {
        spelled.push_str(SYLLABLES[n % 16]);
        n /= 16;
    }
    spelled
}

/// Words drawn by Zipf's law (weight 1/rank).
struct Words {
    cumulative: Vec<f64>,
    rng: ChaCha20Rng,
}

impl Words {
    fn new(seed: u64) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self {
            cumulative,
            rng: ChaCha20Rng::seed_from_u64(seed),
        }
    }

    fn text(&mut self) -> String {
        let count = 4 + (self.rng.next_u32() % 9) as usize;
        let total = *self.cumulative.last().unwrap();
        (0..count)
            .map(|_| {
                let at = (self.rng.next_u32() as f64 / u32::MAX as f64) * total;
                word(
                    self.cumulative
                        .partition_point(|c| *c < at)
                        .min(VOCABULARY - 1),
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn message(n: usize, body: String) -> ChatMessage {
    let mut id = [0; 16];
    id[..8].copy_from_slice(&(n as u64).to_be_bytes());
    ChatMessage {
        id,
        group: None,
        kind: Kind::Text,
        chat: ChatId::parse(&format!("chat{:02}", n % CHATS)).unwrap(),
        from_me: false,
        body,
        sent_ms: NOW + n as u64,
        status: Status::Delivered,
        attachment: None,
        reactions: Vec::new(),
        meta: Default::default(),
    }
}

fn database(name: &str) -> String {
    format!("hush-search-{name}-{}", js_sys::Date::now())
}

/// The reference: every message of every chat read and checked, the newest `LIMIT` kept.
async fn scan(store: &IdbStore, query: &Query) -> Vec<ChatMessage> {
    let mut found = Vec::new();
    for chat in 0..CHATS {
        let chat = ChatId::parse(&format!("chat{chat:02}")).unwrap();
        let all = store.messages(&chat, None, usize::MAX).await.unwrap();
        found.extend(all.into_iter().filter(|m| query.matches(m)));
    }
    found.sort_by_key(|m| std::cmp::Reverse(m.sent_ms));
    found.truncate(LIMIT);
    found
}

/// The median of `runs` timings of `search`, in ms, with what the last one found.
async fn median_ms(runs: usize, store: &IdbStore, query: &Query) -> (f64, Vec<ChatMessage>) {
    let mut times = Vec::with_capacity(runs);
    let mut found = Vec::new();
    for _ in 0..runs {
        let started = js_sys::Date::now();
        found = store.search(query, None, LIMIT).await.unwrap().messages;
        times.push(js_sys::Date::now() - started);
    }
    times.sort_by(f64::total_cmp);
    (times[runs / 2], found)
}

#[wasm_bindgen_test]
async fn search_against_a_scan() {
    let n = env(option_env!("HUSH_SEARCH"), 2_000);
    let name = database("index");
    let store = IdbStore::open(&name).await.unwrap();
    let mut words = Words::new(7);
    let started = js_sys::Date::now();
    for batch in (0..n).collect::<Vec<_>>().chunks(BATCH) {
        let received = batch.iter().map(|&i| message(i, words.text())).collect();
        store
            .commit(Changes {
                received,
                ..Changes::default()
            })
            .await
            .unwrap();
    }
    let fill_ms = js_sys::Date::now() - started;
    console_log!("search: {n} messages stored and indexed in {fill_ms:.0} ms");
    let queries = [
        ("a common word", word(5)),
        ("a word of 1 in 1,000", word(300)),
        ("a rare word", word(5_000)),
        ("two words", format!("{} {}", word(40), word(200))),
        ("a prefix being typed", word(300)[..3].to_owned()),
    ];
    for (what, typed) in queries {
        let query = Query::parse(&typed);
        let (index_ms, found) = median_ms(5, &store, &query).await;
        let started = js_sys::Date::now();
        let scanned = scan(&store, &query).await;
        let scan_ms = js_sys::Date::now() - started;
        let ids = |list: &[ChatMessage]| list.iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(
            ids(&found),
            ids(&scanned),
            "the index finds what a scan finds: {typed}"
        );
        console_log!(
            "search {what} ({typed:?}, {} results): index {index_ms:.1} ms, scan {scan_ms:.0} ms, \
             scan/index {:.0}×",
            found.len(),
            scan_ms / index_ms.max(0.1)
        );
        console_log!("bench search/query what={typed} index_ms={index_ms:.1} scan_ms={scan_ms:.0}");
    }
    store.close();
    IdbStore::delete(&name).await.ok();
}

/// One catch-up of `bodies` into a fresh database, with or without the index: its time in ms.
async fn catch_up(bodies: &[String], index: bool, seed: u64) -> f64 {
    let rng = ChaCha20Rng::seed_from_u64;
    let (mut alice, _) = registered(MemoryStore::new(), rng(seed), "alice", NOW)
        .await
        .unwrap();
    let name = database(if index { "with" } else { "without" });
    let mut store = IdbStore::open(&name).await.unwrap();
    if !index {
        store = store.without_search_index();
    }
    let (mut bob, bundle) = registered(store, rng(seed + 1), "bob", NOW).await.unwrap();
    let envelopes = texts_saying(&mut alice, &bundle, bodies.to_vec(), NOW)
        .await
        .unwrap();
    let started = js_sys::Date::now();
    bob.handle_all(envelopes, NOW).await.unwrap();
    let took = js_sys::Date::now() - started;
    IdbStore::delete(&name).await.ok();
    took
}

#[wasm_bindgen_test]
async fn what_the_index_costs_a_catch_up() {
    let n = env(option_env!("HUSH_CATCHUP"), 100);
    let mut words = Words::new(9);
    let bodies: Vec<String> = (0..n).map(|_| words.text()).collect();
    // Alternated, the best of three each: the browser warms up and its disk caches fill.
    let (mut with, mut without) = (f64::MAX, f64::MAX);
    for round in 0..3 {
        without = without.min(catch_up(&bodies, false, 10 + round * 2).await);
        with = with.min(catch_up(&bodies, true, 20 + round * 2).await);
    }
    console_log!(
        "catch-up of {n} messages: with the search index {with:.0} ms, without {without:.0} ms; \
         the index costs {:+.1}%",
        (with / without - 1.0) * 100.0
    );
    console_log!("bench search/catchup n={n} with_ms={with:.0} without_ms={without:.0}");
}

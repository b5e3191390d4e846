//! The relay connection in a real headless Chromium, against a real hush-server.
//!
//! `cargo xtask test` starts the server and bakes its WebSocket URL in through
//! `HUSH_TEST_RELAY_WS`.
// One allow for the file: clippy's allow-*-in-tests settings do not reach `#[wasm_bindgen_test]`
// functions or their helpers.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use hush::platform::backoff::Backoff;
use hush::platform::relay::Relay;
use hush::status::ConnectionStatus::{self, Connected, Connecting, Offline};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FAST: Backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(200));

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Connects to `url`, reporting every status to `on_status` (the frames are not needed here).
fn connect(url: &str, backoff: Backoff, on_status: impl Fn(ConnectionStatus) + 'static) -> Relay {
    Relay::connect_with_frames(url, backoff, on_status, |_| {})
}

/// Records every status a relay reports.
fn recorder() -> (
    Rc<RefCell<Vec<ConnectionStatus>>>,
    impl Fn(ConnectionStatus),
) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&seen);
    (seen, move |s| sink.borrow_mut().push(s))
}

async fn wait_until(
    seen: &RefCell<Vec<ConnectionStatus>>,
    pred: impl Fn(&[ConnectionStatus]) -> bool,
) {
    for _ in 0..200 {
        if pred(&seen.borrow()) {
            return;
        }
        sleep(25).await;
    }
    panic!("timed out; statuses so far: {:?}", seen.borrow());
}

fn relay_url() -> &'static str {
    match option_env!("HUSH_TEST_RELAY_WS") {
        Some(url) => url,
        None => panic!("run through `cargo xtask test`, which starts a relay"),
    }
}

#[wasm_bindgen_test]
async fn reports_connecting_then_connected_against_the_real_relay() {
    let (seen, sink) = recorder();
    let relay = connect(relay_url(), FAST, sink);
    wait_until(&seen, |s| s.contains(&Connected)).await;
    assert_eq!(&seen.borrow()[..2], &[Connecting, Connected]);
    // Stays connected: nothing closes a healthy socket.
    sleep(300).await;
    assert_eq!(seen.borrow().last(), Some(&Connected));
    drop(relay);
}

#[wasm_bindgen_test]
async fn goes_offline_and_keeps_retrying_when_nothing_listens() {
    let (seen, sink) = recorder();
    // Port 9 (discard) is closed on loopback here: every attempt is refused.
    let relay = connect("ws://127.0.0.1:9/ws", FAST, sink);
    wait_until(&seen, |s| {
        s.iter().filter(|x| **x == Connecting).count() >= 3
    })
    .await;
    let seen_now = seen.borrow().clone();
    assert_eq!(&seen_now[..3], &[Connecting, Offline, Connecting]);
    assert!(!seen_now.contains(&Connected));
    drop(relay);
}

#[wasm_bindgen_test]
async fn dropping_the_relay_stops_reconnecting() {
    let (seen, sink) = recorder();
    let relay = connect("ws://127.0.0.1:9/ws", FAST, sink);
    wait_until(&seen, |s| s.contains(&Offline)).await;
    drop(relay);
    let count = seen.borrow().len();
    sleep(600).await;
    assert_eq!(
        seen.borrow().len(),
        count,
        "a dropped relay must not reconnect"
    );
}

#[wasm_bindgen_test]
fn a_malformed_url_is_reported_offline_not_a_panic() {
    let (seen, sink) = recorder();
    // The constructor throws a SyntaxError for schemes other than ws(s)/http(s).
    let relay = connect("ftp://127.0.0.1/ws", FAST, sink);
    assert_eq!(seen.borrow().first(), Some(&Offline));
    drop(relay);
}
